"""Stream outputs against Debian's icecast2 (run by bench/icecast.sh).

A. Encoding CPU per stream, 64 kbps mono: `scheduler play --output
   icecast://…` against `ffmpeg -re -i F -ac 1 -c:a libmp3lame -b:a 64k -f mp3
   icecast://…`, the same 48 kHz file to the same server, alternating,
   ROUNDS times. CPU is the time the kernel ran every thread of the process
   (/proc/PID/task/*/schedstat) over a WINDOW after a warm-up, in % of one
   core; the median of the rounds.
B. Eight zones streaming: one `scheduler serve` with 8 zones on 8 mounts,
   a slot every 20 s in each; its CPU over 40 s (programme and the silence
   between slots), in % of one core.
C. Slot start to first sound at a listener: ffmpeg listening to the mount
   (decoding as a receiver does); the time from each slot's scheduled start
   (the log) to the first sound decoded, over several slots.
D. After Icecast restarts (SIGKILL, started again), the time until the
   station streams again: from the server answering to the mount listed in
   its statistics.
"""
import json
import os
import pwd
import grp
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

BIN = os.path.abspath(os.environ.get("BIN", "bin/scheduler"))
ROUNDS = int(os.environ.get("ICECAST_ROUNDS", "3"))
WINDOW = float(os.environ.get("ICECAST_WINDOW", "25"))
work = sys.argv[1]
out_md = sys.argv[2]
PW = "bench-src-pw"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


PORT = free_port()


def icecast_xml():
    owner = ""
    if os.geteuid() == 0:
        u = pwd.getpwnam("icecast2")
        g = grp.getgrgid(u.pw_gid).gr_name
        owner = f"<changeowner><user>icecast2</user><group>{g}</group></changeowner>"
    return f"""<icecast><location>bench</location><admin>bench@localhost</admin>
<limits><clients>100</clients><sources>20</sources><source-timeout>10</source-timeout><burst-size>0</burst-size></limits>
<authentication><source-password>{PW}</source-password><admin-user>admin</admin-user><admin-password>adm-{PW}</admin-password></authentication>
<hostname>127.0.0.1</hostname><listen-socket><port>{PORT}</port><bind-address>127.0.0.1</bind-address></listen-socket>
<fileserve>1</fileserve><paths><basedir>/usr/share/icecast2</basedir><logdir>{work}</logdir>
<webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
<logging><accesslog>-</accesslog><errorlog>-</errorlog><loglevel>2</loglevel></logging>
<security><chroot>0</chroot>{owner}</security></icecast>"""


conf = os.path.join(work, "icecast.xml")
open(conf, "w").write(icecast_xml())
os.chmod(work, 0o755)
ice = None


def stats():
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/status-json.xsl", timeout=2) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return None


def start_icecast():
    global ice
    ice = subprocess.Popen(["icecast2", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while stats() is None:
        time.sleep(0.02)
    return time.time()


def stop_icecast(sig=signal.SIGTERM):
    global ice
    if ice:
        ice.send_signal(sig)
        ice.wait()
        ice = None


def spec(mount):
    return f"icecast://source:{PW}@127.0.0.1:{PORT}{mount}?codec=mp3&bitrate=64k&channels=1"


def cpu_ns(pid):
    total = 0
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            try:
                total += int(open(f"/proc/{pid}/task/{t}/schedstat").read().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass
    except FileNotFoundError:
        pass
    return total


def cpu_window(proc, warm, window):
    time.sleep(warm)
    c0, t0 = cpu_ns(proc.pid), time.monotonic()
    time.sleep(window)
    c1, t1 = cpu_ns(proc.pid), time.monotonic()
    return 100.0 * (c1 - c0) / 1e9 / (t1 - t0)


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def base_config(extra_zones="", cron="*/20 * * * * *", length="18s"):
    s = open("config.yaml").read()
    for a, b in [("output: auto", "output: null"), ("no_repeat: 20h", "no_repeat: 0s"),
                 ('quiet_hours: ["21:30-05:00"]', "quiet_hours: []"), ('cron: "0 6 * * 1-6"', f'cron: "{cron}"')]:
        assert a in s, a
        s = s.replace(a, b, 1)
    i, j = s.index("    - name: chieu"), s.index("approval:")
    s = s[:i] + "\n" + s[j:]
    s = s.replace("      length: 10m\n", f"      length: {length}\n", 1)
    return s + extra_zones


start_icecast()
F = os.path.join(work, "speech.wav")
run("sox", "-n", "-r", "48000", "-c", "2", "-b", "16", F, "synth", "40", "pinknoise", "tremolo", "3", "80", "vol", "-18dB")
data = os.path.join(work, "data")
run(BIN, "--data", data, "segments", "import", "--topic", "tthc", "--approve", F)

# A. One stream: ours against ffmpeg.
ours, ff = [], []
for r in range(ROUNDS):
    p = subprocess.Popen([BIN, "--data", data, "play", "--output", spec("/ours"), "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours.append(cpu_window(p, 5, WINDOW))
    p.wait()
    p = subprocess.Popen(["ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-i", F, "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k",
                          "-content_type", "audio/mpeg", "-f", "mp3", f"icecast://source:{PW}@127.0.0.1:{PORT}/ffmpeg"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ff.append(cpu_window(p, 5, WINDOW))
    p.wait()
ours_m, ff_m = statistics.median(ours), statistics.median(ff)

# B. Eight zones in one station.
zones = "\nzones:\n" + "".join(f"  - code: z{i}\n    name: Vùng {i}\n    outputs: [\"{spec('/z%d' % i)}\"]\n    clusters: 1\n" for i in range(1, 9))
cfg8 = os.path.join(work, "eight.yaml")
open(cfg8, "w").write(base_config(zones))
data8 = os.path.join(work, "data8")
run(BIN, "--data", data8, "--config", cfg8, "segments", "import", "--topic", "tthc", "--approve", F)
env = dict(os.environ, CCHC_WEB_LISTEN="127.0.0.1:0")
p = subprocess.Popen([BIN, "--data", data8, "--config", cfg8, "serve"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
eight = cpu_window(p, 5, 40)
mounts_up = sum(1 for i in range(1, 9) if f'/z{i}"' in (stats() or ""))
p.send_signal(signal.SIGTERM)
p.wait()

# C and D. First sound at a listener; streaming again after a restart.
TONE = os.path.join(work, "tone.wav")
run("sox", "-n", "-r", "48000", "-c", "2", "-b", "16", TONE, "synth", "3", "sine", "700", "vol", "-12dB")
cfg1 = os.path.join(work, "one.yaml")
open(cfg1, "w").write(base_config(cron="*/6 * * * * *", length="5s").replace("output: null", "output: " + spec("/lat"), 1))
data1 = os.path.join(work, "data1")
run(BIN, "--data", data1, "--config", cfg1, "segments", "import", "--topic", "tthc", "--approve", TONE)
p = subprocess.Popen([BIN, "--data", data1, "--config", cfg1, "serve"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
while '/lat"' not in (stats() or ""):
    time.sleep(0.05)
onsets = []


def listen():
    lp = subprocess.Popen(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "mp3", "-probesize", "2048", "-analyzeduration", "0",
                           "-i", f"http://127.0.0.1:{PORT}/lat", "-f", "s16le", "-ac", "1", "-ar", "16000", "-"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # it ends when Icecast is killed
    quiet = 0
    while True:
        b = lp.stdout.read(320)  # 10 ms
        if not b:
            return
        now = time.time()
        peak = max(abs(int.from_bytes(b[i:i + 2], "little", signed=True)) for i in range(0, len(b) - 1, 2))
        if peak > 1000:
            if quiet >= 50:
                onsets.append(now)
            quiet = 0
        else:
            quiet += 1


threading.Thread(target=listen, daemon=True).start()
time.sleep(31)
log = json.loads(run(BIN, "--data", data1, "--config", cfg1, "log", "--json").stdout)
from datetime import datetime
lat = []
for a in log:
    if a["status"] != "completed":
        continue
    t = datetime.fromisoformat(a["scheduled_at"]).timestamp()
    after = [o - t for o in onsets if o >= t - 0.5]
    if after and after[0] < 5:
        lat.append(after[0])
back = []
for r in range(3):
    stop_icecast(signal.SIGKILL)
    time.sleep(1)
    t0 = start_icecast()
    while '/lat"' not in (stats() or ""):
        time.sleep(0.02)
    back.append(time.time() - t0)
    time.sleep(2)
p.send_signal(signal.SIGTERM)
p.wait()
stop_icecast()

machine = run("uname", "-srm").stdout.strip()
cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
ver = run("dpkg-query", "-W", "-f", "${Version}", "icecast2").stdout
fmt = lambda xs: ", ".join(f"{x:.2f}" for x in xs)
section = f"""## Streaming to Icecast (64 kbps mono MP3)

Machine: {cpu_model}, {os.cpu_count()} cores, {machine}; icecast2 {ver} on 127.0.0.1, its own config.
Command: `BIN=bin/scheduler bash bench/icecast.sh` (by `make bench`). File F: 40 s, 48 kHz stereo 16-bit
(sox pink noise with tremolo), imported into the library. CPU: the kernel's run time of every thread
of the process (/proc/PID/task/*/schedstat) over {WINDOW:.0f} s after a 5 s warm-up, % of one core.

| what | command | CPU, % of one core (rounds) | median |
|---|---|---|---|
| ours: one stream | `scheduler play --output icecast://source:…@127.0.0.1:PORT/ours?codec=mp3&bitrate=64k&channels=1 1` | {fmt(ours)} | **{ours_m:.2f}** |
| reference: ffmpeg | `ffmpeg -re -i F -ac 1 -c:a libmp3lame -b:a 64k -content_type audio/mpeg -f mp3 icecast://source:…@127.0.0.1:PORT/ffmpeg` | {fmt(ff)} | **{ff_m:.2f}** |

Ours against ffmpeg: **{ours_m / ff_m:.2f}×** (goal ≤ 1.0×). `play` is the whole station (log, deck, WAV decoding,
loudness gain) around the encoder; ffmpeg decodes and encodes only.

| what | figure | goal |
|---|---|---|
| 8 zones streaming in one `scheduler serve` (8 mounts, a slot every 20 s in each, {mounts_up}/8 mounts up at the end), 40 s | **{eight:.2f} %** of one core | ≤ 10 % |
| slot start (its scheduled time, from the log) to first sound decoded by an ffmpeg listener, {len(lat)} slots | {fmt(lat)} s; max **{max(lat) if lat else float('nan'):.2f} s** | ≤ 3 s |
| Icecast killed (SIGKILL) and started again: from the server answering to the station's mount listed again, 3 times | {fmt(back)} s; max **{max(back):.2f} s** | ≤ 5 s |

The first-sound figure includes the listener's own decoding buffer (ffmpeg reading a forced MP3 stream
with no probing); the stream itself is sent 0.1 s ahead of real time, and the station queues a slot a
pre-roll ahead and holds its first sample to the exact frame, so the sound leaves on the dot.
"""
open(out_md, "w").write(section)
print(section)
