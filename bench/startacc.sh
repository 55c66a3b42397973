#!/usr/bin/env bash
# Start accuracy: runs the station (the real binary, serve) with a slot every
# 2 seconds through ALSA's pulse device into PulseAudio's null sink (paced in
# real time), for at least 100 occurrences, then reads started_at −
# scheduled_at of every airing from the log and writes p50/p99 to
# bench/RESULTS.md. Run by bench/run.sh; alone: BIN=bin/scheduler bash bench/startacc.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/scheduler}
N=${STARTACC_OCCURRENCES:-110}
for c in pulseaudio sox sqlite3; do command -v $c >/dev/null || { echo "startacc needs $c (apt-get install pulseaudio sox sqlite3)"; exit 1; }; done
work=$(mktemp -d)
pa_pid=""
cleanup() { [ -n "$pa_pid" ] && kill "$pa_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# A private PulseAudio with a null sink; ALSA's default device reaches it.
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

# The shipped config with one slot every 2 s (1 s long) and a 0.5 s tone.
python3 - "$work/config.yaml" <<'PY'
import sys
s = open("config.yaml").read()
for a, b in [("output: auto", "output: alsa"), ("no_repeat: 20h", "no_repeat: 0s"),
             ('quiet_hours: ["21:30-05:00"]', "quiet_hours: []"),
             ('cron: "0 6 * * 1-6"', 'cron: "*/2 * * * * *"'), ("      length: 10m\n", "      length: 1s\n")]:
    assert a in s, a
    s = s.replace(a, b, 1)
i, j = s.index("    - name: chieu"), s.index("approval:")
s = s[:i] + "\n" + s[j:]
s = s.replace("  gap: 1s", "  gap: 0s", 1)
open(sys.argv[1], "w").write(s)
PY
sox -n -r 48000 -c 2 -b 16 "$work/tone.wav" synth 0.5 sine 800 vol -20dB
S() { "$BIN" --config "$work/config.yaml" --data "$work/data" "$@"; }
S segments import --topic tthc --approve "$work/tone.wav" >/dev/null
S serve >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
secs=$((N * 2 + 4))
sleep "$secs"
kill -TERM "$serve_pid"; wait "$serve_pid" || true

q="SELECT started_at - scheduled_at FROM airings WHERE status = 'completed' ORDER BY 1"
mapfile -t d < <(sqlite3 "$work/data/cchc.db" "$q")
n=${#d[@]}
[ "$n" -gt 0 ] || { echo "no completed airing"; tail -20 "$work/serve.err"; exit 1; }
p() { local i; i=$(awk -v n="$n" -v q="$1" 'BEGIN{i=int(q*n+0.999999)-1; if(i<0)i=0; print i}'); echo "${d[$i]}"; }
p50=$(p 0.50); p99=$(p 0.99); max=${d[$((n-1))]}; min=${d[0]}
[ -n "${STARTACC_DEBUG:-}" ] && { echo "largest: ${d[*]: -8}"; sqlite3 "$work/data/cchc.db" "SELECT id, scheduled_at % 100000, started_at - scheduled_at FROM airings WHERE started_at - scheduled_at > 50"; }
[ "$n" -ge 100 ] || { echo "only $n completed airings (want ≥ 100): p50 $p50 ms, p99 $p99 ms, min $min, max $max"; exit 1; }
verdict="met"; [ "$p99" -le 20 ] || verdict="not met"
section=$(cat <<MD
## Start accuracy

Written by \`make bench\` (bench/startacc.sh) on $(date -u +%Y-%m-%d). Machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg).

The real binary (\`scheduler serve\`, output \`alsa\`) with one slot every 2 s (\`*/2 * * * * *\`,
1 s long, a 0.5 s tone) played through ALSA's pulse device into PulseAudio's null sink, which
runs in real time, for ${secs} s. \`started_at\` is the time the segment's first sample is heard
(handed to the device plus what oto and the device still buffer); \`scheduled_at\` is the slot's
time. From the log (\`$q\`), $n completed airings:

| p50 | p99 | min | max |
|---|---|---|---|
| ${p50} ms | ${p99} ms | ${min} ms | ${max} ms |

Goal p99 ≤ 20 ms: **${verdict}**. The station wakes on the wall clock and opens the log row
(a synchronous SQLite commit) before the first sample; what the device buffer (\`audio.buffer\`,
200 ms) holds is part of the figure.
MD
)
python3 - bench/RESULTS.md "$section" <<'PY'
import sys, re
path, section = sys.argv[1], sys.argv[2]
try:
    s = open(path).read()
except FileNotFoundError:
    s = "# Benchmarks\n"
s = re.sub(r"\n## Start accuracy\n.*?(?=\n## |\Z)", "", s, flags=re.S)
open(path, "w").write(s.rstrip("\n") + "\n\n" + section + "\n")
PY
echo "start accuracy: p50 ${p50} ms, p99 ${p99} ms over $n airings"
