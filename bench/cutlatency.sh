#!/usr/bin/env bash
# Cut latency and first sound: runs the station (the real binary, serve)
# through ALSA's pulse device into PulseAudio's null sink (paced in real
# time), recorded by parec, and cuts what it plays CUTS times over (skip,
# skip, stop, emergency via `scheduler control` and `scheduler play --now`),
# each cut about 1.3 s into a tone. For each, the time from the command's
# start to the moment the tone stops in the recording. Then, with the
# station down, `scheduler play ID` (a library segment) FIRSTS times and
# `scheduler play FILE…` (40 files not in the library) once: the time from
# the command's start to its first sound in the recording. Writes p50, p95
# and max to bench/RESULTS.md. Run by bench/run.sh; alone:
# BIN=bin/scheduler bash bench/cutlatency.sh
# OUTPUT=oto measures the oto output instead of alsa (its own section of
# RESULTS.md, "… (output oto)").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/scheduler}
CUTS=${CUTS:-24}
FIRSTS=${FIRSTS:-10}
BUFFER=${CUT_BUFFER:-500ms}
OUTPUT=${OUTPUT:-alsa}
title="Cut latency and first sound"
[ "$OUTPUT" = alsa ] || title="$title (output $OUTPUT)"
for c in pulseaudio parec sox python3; do command -v $c >/dev/null || { echo "cutlatency needs $c (apt-get install pulseaudio pulseaudio-utils sox)"; exit 1; }; done
work=$(mktemp -d)
pa_pid=""
cleanup() { [ -n "$pa_pid" ] && kill "$pa_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
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

# The shipped config with a 20-s slot every 20 s, no loudness
# normalisation (the emergency tone must stay quieter than the others, so
# that the recording shows where the cut one stops).
python3 - "$work/config.yaml" "$BUFFER" "$OUTPUT" <<'PY'
import sys
s = open("config.yaml").read()
for a, b in [("output: auto", "output: %s" % sys.argv[3]), ("no_repeat: 20h", "no_repeat: 0s"),
             ('quiet_hours: ["21:30-05:00"]', "quiet_hours: []"), ("normalize: true", "normalize: false"),
             ('cron: "0 6 * * 1-6"', 'cron: "*/20 * * * * *"'), ("      length: 10m\n", "      length: 19s\n"),
             ("  buffer: 500ms", "  buffer: %s" % sys.argv[2])]:
    assert a in s, a
    s = s.replace(a, b, 1)
i, j = s.index("    - name: chieu"), s.index("approval:")
s = s[:i] + "\n" + s[j:]
open(sys.argv[1], "w").write(s)
PY
S() { "$BIN" --config "$work/config.yaml" --data "$work/data" "$@"; }
for i in 1 2 3; do
	sox -n -r 48000 -c 2 -b 16 "$work/tone$i.wav" synth 6 sine $((400 + 100 * i)) vol -10dB
	S segments import --topic tthc --approve --title "tone $i" "$work/tone$i.wav" >/dev/null
done
sox -n -r 48000 -c 2 -b 16 "$work/urgent.wav" synth 2 sine 1000 vol -40dB
S segments import --topic tthc --approve --priority emergency --title urgent "$work/urgent.wav" >/dev/null
urgent=$(S segments list --json | python3 -c 'import json,sys; print([s["id"] for s in json.load(sys.stdin) if s["title"] == "urgent"][0])')
sox -n -r 48000 -c 2 -b 16 "$work/short.wav" synth 1.5 sine 700 vol -10dB
S segments import --topic tthc --approve --title short "$work/short.wav" >/dev/null
short=$(S segments list --json | python3 -c 'import json,sys; print([s["id"] for s in json.load(sys.stdin) if s["title"] == "short"][0])')
mkdir "$work/files"
sox -n -r 48000 -c 2 -b 16 "$work/files/f00.wav" synth 10 sine 600 vol -10dB
for i in $(seq -w 1 39); do cp "$work/files/f00.wav" "$work/files/f$i.wav"; done

out=$(python3 bench/cutlatency.py "$BIN" "$work" "$CUTS" "$FIRSTS" "$urgent" "$short")
echo "$out" | grep -v '^|' >&2 || true
cuts=$(echo "$out" | grep '^| cut')
firsts=$(echo "$out" | grep '^| first')
summary=$(echo "$out" | grep '^SUMMARY' | cut -d' ' -f2-)
read -r c50 c95 cmax cn f50 f95 fmax fn files <<<"$summary"
load=$(cut -d' ' -f1-3 /proc/loadavg)
section=$(cat <<MD
## $title

Written by \`make bench\` (bench/cutlatency.sh) on $(date -u +%Y-%m-%d). Machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), load average $load at the end.

\`CUTS=$CUTS OUTPUT=$OUTPUT bash bench/cutlatency.sh\`: the real binary (\`serve\`, output \`$OUTPUT\`, \`audio.buffer: $BUFFER\`)
plays 6-s tones through ALSA's pulse device into PulseAudio's null sink (real time), recorded by
\`parec\` (16 kHz mono, 20 ms fragments). About 1.3 s into a tone the bench cuts it, in turn with
\`scheduler control skip\`, \`control skip\`, \`control stop\` and \`scheduler play --now ID\` (an
emergency 30 dB quieter than the tones). The latency is from the command's start (its own start-up
included) to the first 10 ms of the recording in which the tone is gone. A recorded sample's time is
when its fragment reached parec, less the samples after it in the fragment: the recording's own
delay (PulseAudio's monitor and parec's fragment, ≤ 20 ms) is counted in the latency, never taken
off it. Goal: ≤ 500 ms at p95 at the shipped config (moonshot 250 ms).

| what | n | p50 | p95 | max |
|---|---|---|---|---|
| cut heard after the command | $cn | $c50 ms | $c95 ms | $cmax ms |
| first sound of \`scheduler play ID\` (library segment, station not running) | $fn | $f50 ms | $f95 ms | $fmax ms |
| first sound of \`scheduler play F1 … F40\` (40 files not in the library, 10 s each) | 1 | $files ms | | |

The first sound is from the command's start to the first 10 ms of the recording louder than
−30 dBFS: the process's start, opening the database and the sound card, writing the airing's row,
and what the card plays before it. Goal: ≤ 300 ms for segments already in the library.

Each cut (action, ms):

| cut | action | latency |
|---|---|---|
$cuts

Each first sound:

| run | command | first sound |
|---|---|---|
$firsts
MD
)
python3 - bench/RESULTS.md "$section" "$title" <<'PY'
import sys, re
path, section, title = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    s = open(path).read()
except FileNotFoundError:
    s = "# Benchmarks\n"
s = re.sub(r"\n## " + re.escape(title) + r"\n.*?(?=\n## |\Z)", "", s, flags=re.S)
open(path, "w").write(s.rstrip("\n") + "\n\n" + section + "\n")
PY
echo "cut latency ($OUTPUT): p50 $c50 ms, p95 $c95 ms, max $cmax ms over $cn cuts; first sound p50 $f50 ms, p95 $f95 ms (play ID), $files ms (play 40 files)"
