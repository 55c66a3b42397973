"""Driver of bench/cutlatency.sh: records PulseAudio's null sink with parec,
runs the station, cuts it, and times what the recording shows.

Usage: cutlatency.py BIN WORK CUTS FIRSTS URGENT_ID SHORT_ID
Prints one "| cut …" row per cut, one "| first …" row per first-sound run
and a "SUMMARY c50 c95 cmax n f50 f95 fmax n files" line."""
import array, os, signal, subprocess, sys, threading, time

BIN, WORK, CUTS, FIRSTS, URGENT, SHORT = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
RATE = 16000
WIN = RATE // 100  # 10 ms
LOUD = 10 ** (-20 / 20) * 32768  # the tones play at -10 dBFS, the emergency at -40
HEARD = 10 ** (-30 / 20) * 32768  # first sound: anything above -30 dBFS


class Recorder:
    """parec of the sink's monitor; each fragment stamped as it arrives."""

    def __init__(self):
        self.p = subprocess.Popen(["parec", "-d", "nul.monitor", "--raw", "--format=s16le", f"--rate={RATE}",
                                   "--channels=1", "--latency-msec=20"], stdout=subprocess.PIPE)
        self.pcm = array.array("h")
        self.chunks = []  # (samples so far, arrival time)
        self.lock = threading.Lock()
        self.rest = b""
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        fd = self.p.stdout.fileno()
        while True:
            b = os.read(fd, 4096)
            at = time.time()
            if not b:
                return
            b = self.rest + b
            k = len(b) // 2 * 2
            self.rest = b[k:]
            with self.lock:
                self.pcm.frombytes(b[:k])
                self.chunks.append((len(self.pcm), at))

    def at(self, i):
        """When sample i was captured: its fragment's arrival less the samples after it."""
        with self.lock:
            lo, hi = 0, len(self.chunks) - 1
            while lo < hi:
                mid = (lo + hi) // 2
                if self.chunks[mid][0] > i:
                    hi = mid
                else:
                    lo = mid + 1
            end, t = self.chunks[lo]
        return t - (end - i) / RATE

    def index_at(self, t):
        """The first sample captured at or after wall time t."""
        with self.lock:
            n = len(self.pcm)
        lo, hi = 0, n
        while lo < hi:
            mid = (lo + hi) // 2
            if self.at(mid) < t:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def peak(self, w):
        with self.lock:
            x = self.pcm[w * WIN:(w + 1) * WIN]
        return max((abs(v) for v in x), default=0)

    def windows(self):
        with self.lock:
            return len(self.pcm) // WIN

    def stop(self):
        self.p.send_signal(signal.SIGINT)
        self.p.wait(5)


def S(*args, **kw):
    return subprocess.run([BIN, "--config", f"{WORK}/config.yaml", "--data", f"{WORK}/data", *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def loud_for(rec, secs):
    """Whether the last secs of the recording are all loud."""
    n = int(secs * 100)
    last = rec.windows()
    return last > n and all(rec.peak(w) > LOUD for w in range(last - n, last))


def pct(xs, q):
    xs = sorted(xs)
    return xs[max(0, -(-int(q * 100) * len(xs) // 100) - 1)]


rec = Recorder()
while rec.windows() == 0:
    time.sleep(0.05)
serve = subprocess.Popen([BIN, "--config", f"{WORK}/config.yaml", "--data", f"{WORK}/data", "serve"],
                         stdout=subprocess.DEVNULL, stderr=open(f"{WORK}/serve.err", "w"))
actions = [("skip", ["control", "skip"]), ("skip", ["control", "skip"]), ("stop", ["control", "stop"]),
           ("emergency", ["play", "--now", URGENT])]
cuts = []
deadline = time.time() + 60 + CUTS * 25
try:
    while len(cuts) < CUTS:
        if time.time() > deadline:
            sys.exit(f"only {len(cuts)} cuts in the time allowed; serve's log:\n" + open(f"{WORK}/serve.err").read()[-3000:])
        if not loud_for(rec, 1.3):
            time.sleep(0.02)
            continue
        name, args = actions[len(cuts) % len(actions)]
        t0 = time.time()
        r = S(*args)
        if r.returncode != 0:
            print(f"{name}: exit {r.returncode}: {r.stderr.decode()}", file=sys.stderr)
            time.sleep(1)
            continue
        time.sleep(1.5)
        w = rec.index_at(t0) // WIN
        while rec.peak(w) > LOUD:
            w += 1
        ms = (rec.at(w * WIN) - t0) * 1000
        cuts.append(ms)
        print(f"| cut {len(cuts)} | {name} | {ms:.0f} ms |")
        sys.stdout.flush()
finally:
    serve.send_signal(signal.SIGTERM)
    serve.wait(30)


def quiet_for(rec, secs):
    """Whether the last secs of the recording are all below -30 dBFS."""
    n = int(secs * 100)
    last = rec.windows()
    return last > n and all(rec.peak(w) <= HEARD for w in range(last - n, last))


def first_sound(args, cut=False):
    # The previous player's sound must be over: what it still held plays
    # out after it exits.
    end = time.time() + 10
    while not quiet_for(rec, 1.0) and time.time() < end:
        time.sleep(0.05)
    t0 = time.time()
    p = subprocess.Popen([BIN, "--config", f"{WORK}/config.yaml", "--data", f"{WORK}/data", *args],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    w = None
    end = t0 + 20
    while time.time() < end:
        time.sleep(0.05)
        start = rec.index_at(t0) // WIN
        for v in range(start, rec.windows()):
            if rec.peak(v) > HEARD:
                w = v
                break
        if w is not None:
            break
    if cut:
        time.sleep(0.3)
        p.send_signal(signal.SIGTERM)
    p.wait(60)  # to the end: what a player cut by a signal still held played on
    if w is None:
        sys.exit(f"no sound from {args}: {p.stderr.read().decode()[-2000:]}")
    return (rec.at(w * WIN) - t0) * 1000


firsts = []
for i in range(FIRSTS):
    ms = first_sound(["play", SHORT])
    firsts.append(ms)
    print(f"| first {i + 1} | `play {SHORT}` | {ms:.0f} ms |")
files = sorted(os.path.join(WORK, "files", f) for f in os.listdir(os.path.join(WORK, "files")))
many = first_sound(["play", *files], cut=True)
print(f"| first {FIRSTS + 1} | `play F1 … F40` | {many:.0f} ms |")
rec.stop()
print("SUMMARY %.0f %.0f %.0f %d %.0f %.0f %.0f %d %.0f" % (pct(cuts, .5), pct(cuts, .95), max(cuts), len(cuts),
                                                           pct(firsts, .5), pct(firsts, .95), max(firsts), len(firsts), many))
