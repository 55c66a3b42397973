#!/usr/bin/env bash
# CPU and peak memory while playing in real time through the paced path the
# station uses in tests: ALSA's pulse device into PulseAudio's null sink.
# Each player plays the same 48 kHz stereo file for a 60 s window, one after
# the other, in the same run: aplay (the reference), Liquidsoap, `scheduler
# play` (one process, oto in-process) and `scheduler serve` (the station:
# one process plus its audio-output child, summed). CPU is read from
# /proc/PID/stat over the window (after a warm-up, so start-up costs are
# left out); peak RSS is VmHWM at the end of the window. parec records the
# sink's monitor during each window to check the player really played.
# Run by bench/run.sh; alone: BIN=bin/scheduler bash bench/playcpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/scheduler}
WINDOW=${PLAYCPU_WINDOW:-60}
for c in pulseaudio parec aplay sox python3; do command -v $c >/dev/null || { echo "playcpu needs $c (apt-get install pulseaudio pulseaudio-utils alsa-utils sox)"; exit 1; }; done
work=$(mktemp -d)
pa_pid=""
started=()
cleanup() {
	for p in "${started[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -n "$pa_pid" ] && kill "$pa_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

sock="$work/native"
printf 'autospawn = no\n' > "$work/client.conf"
printf 'pcm.!default { type pulse }\nctl.!default { type pulse }\n' > "$work/asound.conf"
export HOME="$work" XDG_RUNTIME_DIR="$work" PULSE_SERVER="unix:$sock" PULSE_CLIENTCONFIG="$work/client.conf"
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$work/asound.conf"
pulseaudio --daemonize=no --system=no --exit-idle-time=-1 --disallow-exit --use-pid-file=no -n --log-target=stderr \
	--load="module-null-sink sink_name=nul rate=48000 channels=2 format=s16le" \
	--load="module-native-protocol-unix socket=$sock auth-anonymous=1" 2>"$work/pulse.log" &
pa_pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { echo "pulseaudio did not start:"; cat "$work/pulse.log"; exit 1; }

# Speech-like programme: pink noise with a 0.5 Hz tremolo, long enough for
# the warm-up and the window.
secs=$((WINDOW + 30))
f="$work/programme.wav"
sox -n -r 48000 -c 2 -b 16 "$f" synth "$secs" pinknoise tremolo 0.5 90 vol -18dB
tck=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm() { awk '/VmHWM/{print $2}' "/proc/$1/status"; }

# window NAME WARMUP PID... : CPU % of one core and summed peak RSS (KiB)
# of the processes over the window, and the seconds of sound recorded.
window() {
	local name=$1 warm=$2; shift 2
	sleep "$warm"
	local pids=("$@") t0=0 t1=0 rss=0 p
	for p in "${pids[@]}"; do t0=$((t0 + $(ticks "$p"))); done
	parec -d nul.monitor --raw --format=s16le --rate=48000 --channels=2 > "$work/$name.raw" &
	local rec=$!
	started+=("$rec")
	local start; start=$(date +%s.%N)
	sleep "$WINDOW"
	for p in "${pids[@]}"; do t1=$((t1 + $(ticks "$p"))); rss=$((rss + $(hwm "$p"))); done
	local end; end=$(date +%s.%N)
	kill -INT "$rec"; wait "$rec" 2>/dev/null || true
	local sound
	sound=$(python3 - "$work/$name.raw" <<'PY'
import array, sys
d = open(sys.argv[1], 'rb').read()
a = array.array('h', d[: len(d) // 4 * 4])
# seconds with sound: 100 ms windows whose peak is above -60 dBFS
n, loud = len(a) // 2, 0
for w in range(0, n - 4800 + 1, 4800):
    if max(abs(a[2 * i]) for i in range(w, w + 4800, 8)) > 33:
        loud += 1
print(f"{loud / 10:.1f}")
PY
)
	awk -v t=$((t1 - t0)) -v hz="$tck" -v s="$start" -v e="$end" -v r="$rss" -v snd="$sound" \
		'BEGIN{printf "%.2f %.1f %s\n", 100 * t / hz / (e - s), r / 1024, snd}'
}

results=()
# aplay
aplay -q "$f" & p=$!; started+=("$p")
results+=("aplay|\`aplay F\`|$(window aplay 5 $p)")
kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true

# Liquidsoap (2.1 takes ~10 s to start: a longer warm-up; it loops the file)
if command -v liquidsoap >/dev/null; then
	liquidsoap "settings.init.allow_root.set(true) settings.frame.audio.samplerate.set(48000) output.alsa(device=\"default\", mksafe(single(\"$f\")))" >"$work/liq.log" 2>&1 & p=$!; started+=("$p")
	results+=("Liquidsoap $(liquidsoap --version | head -1 | cut -d' ' -f2)|\`output.alsa(mksafe(single(F)))\`|$(window liquidsoap 20 $p)")
	kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null || true
else
	results+=("Liquidsoap|not installed (apt-get install liquidsoap)|n/a n/a n/a")
fi

# scheduler play (oto in-process)
data="$work/data"
"$BIN" --data "$data" play --output alsa "$f" >/dev/null 2>&1 & p=$!; started+=("$p")
results+=("scheduler play|\`scheduler play --output alsa F\`|$(window play 5 $p)")
kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true

# scheduler serve: a slot 8 s from now, the file imported; parent + child.
python3 - "$work/config.yaml" "$secs" <<'PY'
import sys, datetime, zoneinfo
s = open("config.yaml").read()
at = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")) + datetime.timedelta(seconds=8)
cron = f'cron: "{at.second} {at.minute} {at.hour} * * *"'
for a, b in [("output: auto", "output: alsa"), ('quiet_hours: ["21:30-05:00"]', "quiet_hours: []"),
             ('cron: "0 6 * * 1-6"', cron), ("      length: 10m\n", f"      length: {int(sys.argv[2]) + 5}s\n")]:
    assert a in s, a
    s = s.replace(a, b, 1)
i, j = s.index("    - name: chieu"), s.index("approval:")
s = s[:i] + "\n" + s[j:]
open(sys.argv[1], "w").write(s)
PY
S() { "$BIN" --config "$work/config.yaml" --data "$work/sdata" "$@"; }
S segments import --topic tthc --approve "$f" >/dev/null
"$BIN" --config "$work/config.yaml" --data "$work/sdata" serve >"$work/serve.out" 2>"$work/serve.err" & p=$!; started+=("$p")
child=""
for _ in $(seq 100); do child=$(pgrep -P "$p" -f audio-output || true); [ -n "$child" ] && break; sleep 0.1; done
[ -n "$child" ] || { echo "serve started no audio-output process"; cat "$work/serve.err"; exit 1; }
results+=("scheduler serve|\`scheduler serve\` (station + audio-output child, summed)|$(window serve 12 $p $child)")
kill -TERM "$p"; wait "$p" || true

ref_cpu=$(echo "${results[0]}" | cut -d'|' -f3 | cut -d' ' -f1)
read -r play_cpu play_rss _ <<<"$(echo "${results[2]}" | cut -d'|' -f3)"
verdict=$(awk -v c="$play_cpu" -v r="$ref_cpu" -v m="$play_rss" 'BEGIN{ print (c <= 1.5 * r && m <= 25) ? "met" : "not met" }')
load=$(cut -d' ' -f1-3 /proc/loadavg)
table=$(for r in "${results[@]}"; do
	IFS='|' read -r name cmd fig <<<"$r"
	read -r cpu rss snd <<<"$fig"
	ratio=$(awk -v c="$cpu" -v r="$ref_cpu" 'BEGIN{ if (c ~ /^[0-9.]+$/ && r > 0) printf "%.1f×", c / r; else print "n/a" }')
	echo "| $name | $cmd | $cpu % | $ratio | $rss MB | $snd s |"
done)
section=$(cat <<MD
## Playing in real time: CPU and memory beside aplay and Liquidsoap

Written by \`make bench\` (bench/playcpu.sh) on $(date -u +%Y-%m-%d). Machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), load average $load at the end.

Each player plays the same ${secs}-s 48 kHz stereo 16-bit WAV (pink noise with tremolo) through
ALSA's pulse device into PulseAudio's null sink, which runs in real time, one after the other in
the same run. CPU is user + system time from \`/proc/PID/stat\` over a ${WINDOW}-s window after a
warm-up (5 s; 20 s for Liquidsoap, which takes ~10 s to start; for serve, from 4 s into the
slot), as % of one core; peak RSS is \`VmHWM\` at the end of the window (for serve, the station
and its audio-output process added up). "sound" is how much of the window parec heard above
−60 dBFS, to show that the player really played. \`scheduler\` normalises the loudness and
resamples (here 48 → 48 kHz: no resampling) as it plays.

| player | command | CPU (% of a core) | vs aplay | peak RSS | sound |
|---|---|---|---|---|---|
$table

Goal: within 1.5× of aplay's CPU and ≤ 25 MB: **${verdict}** for \`scheduler play\`. "sound" short of the window means the output
ran dry for a while: on a loaded machine (see the load average above) the player was not
scheduled in time, and oto filled the device with silence; the programme then comes out that
much later, nothing is lost and the log stays right. aplay keeps 0.5 s in the device by default,
\`scheduler\` \`audio.buffer\` (200 ms) plus as much in oto's player, and \`serve\` needs two
processes scheduled in time.
MD
)
python3 - bench/RESULTS.md "$section" <<'PY'
import sys, re
path, section = sys.argv[1], sys.argv[2]
try:
    s = open(path).read()
except FileNotFoundError:
    s = "# Benchmarks\n"
s = re.sub(r"\n## Playing in real time: CPU and memory.*?(?=\n## |\Z)", "", s, flags=re.S)
open(path, "w").write(s.rstrip("\n") + "\n\n" + section + "\n")
PY
echo "$table"
