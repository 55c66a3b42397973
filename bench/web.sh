#!/usr/bin/env bash
# Web app under load: the real binary (serve, output alsa) plays a 60 s tone
# through ALSA's pulse device into PulseAudio's null sink (paced in real
# time) while 20 clients upload a 10 MB WAV each at once and another polls
# GET /api/status. It records the sink with parec and looks for gaps in the
# tone (an underrun), and writes the /api/status latencies (p50/p99) and the
# upload times to bench/RESULTS.md.
# Run by bench/run.sh; alone: BIN=bin/scheduler bash bench/web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/scheduler}
UPLOADS=${WEB_UPLOADS:-20}
BUFFER=${CCHC_AUDIO_BUFFER:-500ms} # audio.buffer of the station (the shipped one by default)
export CCHC_AUDIO_BUFFER=$BUFFER
TONE=${WEB_TONE_SECONDS:-60}
for c in pulseaudio parec sox curl python3; do command -v $c >/dev/null || { echo "web bench needs $c (apt-get install pulseaudio pulseaudio-utils sox curl python3)"; exit 1; }; done
work=$(mktemp -d)
pa_pid="" serve_pid="" rec_pid=""
cleanup() {
	for p in ${play_pid:-} $rec_pid $serve_pid $pa_pid; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "${WEB_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
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

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
python3 - "$work/config.yaml" "$work/media" <<'PY'
import sys
s = open("config.yaml").read()
for a, b in [("output: auto", "output: alsa"), ("media_dir: ./media", "media_dir: " + sys.argv[2])]:
    assert a in s, a
    s = s.replace(a, b, 1)
open(sys.argv[1], "w").write(s)
PY
mkdir -p "$work/media" "$work/up"
sox -n -r 48000 -c 2 -b 16 "$work/tone.wav" synth "$TONE" sine 1000 vol -12dB
# Distinct 10 MB WAVs (≈ 55 s of 48 kHz stereo), so that each is stored.
for i in $(seq "$UPLOADS"); do
	sox -n -r 48000 -c 2 -b 16 "$work/up/u$i.wav" synth 54.6 sine $((300 + 20 * i)) vol -20dB
done
upsize=$(stat -c %s "$work/up/u1.wav")
S() { "$BIN" --config "$work/config.yaml" --data "$work/data" "$@"; }
S segments import --topic tthc --approve "$work/tone.wav" >/dev/null
echo 'bench-password' | S users add bench --role operator >/dev/null
# Started directly, not through S: $! must be the scheduler itself, so that
# the kills below reach it (a function in the background is a subshell).
"$BIN" --config "$work/config.yaml" --data "$work/data" serve --listen "127.0.0.1:$port" >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "$base/login" && break; sleep 0.1; done
csrf=$(curl -s -c "$work/jar" -H 'Content-Type: application/json' -d '{"name":"bench","password":"bench-password"}' "$base/api/login" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')

parec -d nul.monitor --format=s16le --rate=48000 --channels=2 --raw > "$work/rec.raw" &
rec_pid=$!
sleep 1
play_pid=""
if [ -n "${WEB_SEPARATE:-}" ]; then
	# Control run: the tone plays from another process (scheduler play), so
	# that a gap there is the machine's, not the web server's.
	"$BIN" --config "$work/config.yaml" --data "$work/data" play --output alsa "$work/tone.wav" >/dev/null 2>&1 &
	play_pid=$!
else
	curl -sf -b "$work/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d '{"ids":[1]}' "$base/api/play" >/dev/null
fi
sleep 3 # the tone is on air

# /api/status polled 10 times a second while the uploads run.
: > "$work/status.times"
( while [ ! -e "$work/uploads.done" ]; do
	curl -s -o /dev/null -b "$work/jar" -w '%{time_total}\n' "$base/api/status" >> "$work/status.times"
	sleep 0.1
done ) &
poll_pid=$!
t0=$(date +%s.%N)
up_pids=()
for i in $(seq "$UPLOADS"); do
	curl -s -o "$work/up/r$i.json" -w '%{http_code} %{time_total}\n' -b "$work/jar" -H "X-CSRF-Token: $csrf" \
		-F topic=tthc -F "file=@$work/up/u$i.wav" "$base/api/segments" > "$work/up/t$i" &
	up_pids+=($!)
done
wait "${up_pids[@]}" || true
t1=$(date +%s.%N)
touch "$work/uploads.done"
wait "$poll_pid" 2>/dev/null || true
# Let the tone finish, then stop recording.
if [ -n "$play_pid" ]; then wait "$play_pid" || true; fi
while curl -s -b "$work/jar" "$base/api/status" | grep -q '"on_air": {'; do sleep 0.5; done
sleep 1
kill "$rec_pid"; wait "$rec_pid" 2>/dev/null || true; rec_pid=""
ok=$(cat "$work"/up/t* | awk '$1==200' | wc -l)
stored=$(find "$work/media/tthc" -name '*.wav' | wc -l)
log=$(S log --json)
kill -TERM "$serve_pid"; wait "$serve_pid" || true; serve_pid=""

read -r gaps longest tone_s < <(python3 - "$work/rec.raw" <<'PY'
import array, sys
a = array.array("h"); a.frombytes(open(sys.argv[1], "rb").read())
left = a[0::2]
rate = 48000
# The tone's span: from the first to the last sample above the noise.
loud = [i for i in range(0, len(left), 48) if abs(left[i]) > 300]
first, last = loud[0], loud[-1]
# A gap: 2 ms or more in which no sample exceeds a tenth of the tone's level.
win, gaps, longest, run = rate // 500, 0, 0, 0
for s in range(first, last - win, win):
    if max(abs(x) for x in left[s:s + win]) < 800:
        run += win
    elif run:
        gaps += 1; longest = max(longest, run)
        print("gap of %.1f ms at %.3f s of the tone" % (1000 * run / rate, (s - run - first) / rate), file=sys.stderr)
        run = 0
print(gaps, round(1000 * longest / rate, 1), round((last - first) / rate, 2))
PY
)
read -r n p50 p99 pmax < <(python3 - "$work/status.times" <<'PY'
import sys
d = sorted(float(x) * 1000 for x in open(sys.argv[1]) if x.strip())
q = lambda p: d[max(0, int(p * len(d) + 0.999999) - 1)]
print(len(d), round(q(0.5), 1), round(q(0.99), 1), round(d[-1], 1))
PY
)
read -r up_p50 up_max < <(cat "$work"/up/t* | python3 -c '
import sys
d = sorted(float(l.split()[1]) for l in sys.stdin)
print(round(d[len(d)//2], 2), round(d[-1], 2))')
completed=$(echo "$log" | grep -c '"status": "completed"' || true)
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
verdict="no underrun"; [ "$gaps" -eq 0 ] || verdict="$gaps gap(s), longest $longest ms"

section=$(cat <<MD
## Web app under upload load (audio.buffer ${BUFFER}${WEB_SEPARATE:+, control: the tone from another process})

Written by \`make bench\` (bench/web.sh) on $(date -u +%Y-%m-%d). Machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: figures are noisy).

The real binary (\`scheduler serve\`, output \`alsa\`) plays a ${TONE} s 1 kHz tone (\`POST /api/play\`${WEB_SEPARATE:+; in this control run \`scheduler play --output alsa\` plays it from another process, and serve only takes the uploads})
through ALSA's pulse device into PulseAudio's null sink (paced in real time), recorded with
\`parec\`. While it plays, ${UPLOADS} clients upload a $((upsize / 1048576)) MB WAV each at the same time
(\`curl -F topic=tthc -F file=@u.wav /api/segments\`, all started together) and one client polls
\`GET /api/status\` ten times a second. A gap is 2 ms or more of the recorded tone below a tenth
of its level.

| what | figure |
|---|---|
| uploads accepted and stored | ${ok}/${UPLOADS} (files in media/tthc: ${stored}) |
| all ${UPLOADS} uploads, wall time | ${wall} s (each: median ${up_p50} s, slowest ${up_max} s) |
| \`/api/status\` under that load, ${n} requests | p50 ${p50} ms, p99 ${p99} ms, max ${pmax} ms |
| the tone as recorded | ${tone_s} s, **${verdict}** |
| completed airings in the log | ${completed} |
| control: the tone from another process | \`WEB_SEPARATE=1 bash bench/web.sh\` |
MD
)
python3 - bench/RESULTS.md "$section" <<'PY'
import sys, re
path, section = sys.argv[1], sys.argv[2]
try:
    s = open(path).read()
except FileNotFoundError:
    s = "# Benchmarks\n"
title = section.splitlines()[0]
s = re.sub(r"\n" + re.escape(title) + r"\n.*?(?=\n## |\Z)", "", s, flags=re.S)
open(path, "w").write(s.rstrip("\n") + "\n\n" + section + "\n")
PY
echo "web (audio.buffer $BUFFER): ${ok}/${UPLOADS} uploads in ${wall} s; /api/status p50 ${p50} ms p99 ${p99} ms; tone ${tone_s} s: ${verdict}"
