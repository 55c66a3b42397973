#!/usr/bin/env bash
# Played length against the recording: runs the paced PulseAudio control
# test (serve → audio-output (libasound) → ALSA pulse → PulseAudio null sink, recorded by parec;
# pause, resume, skip, stop, shutdown) a few times and writes, for every
# cut airing, played_ms beside what the recording holds, into
# bench/RESULTS.md. Run by bench/run.sh; alone: bash bench/played.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
rows=""
lat=""
for i in $(seq 1 "$runs"); do
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	out=$(go test ./cmd/scheduler/ -run TestControlPlayedLengthThroughPulseAudio -count=1 -v 2>&1) || { echo "$out" | tail -40; exit 1; }
	buffer="" skip=""
	while IFS= read -r line; do
		case $line in
		*"=== RUN"*/buffer=*) buffer=${line##*buffer=}; [ "$buffer" = default ] && buffer="500ms (default)"; continue ;;
		# skip heard 1485 ms after the command
		*"skip heard"*) skip=$(sed -E 's/.*skip heard (-?[0-9]+) ms.*/\1/' <<<"$line"); continue ;;
		*"stop heard"*) lat+="| $i | $buffer | $skip ms | $(sed -E 's/.*stop heard (-?[0-9]+) ms.*/\1/' <<<"$line") ms |"$'\n'; continue ;;
		esac
		# airing 1: interrupted "skipped by the operator", played_ms 1916; heard in the recording 1.917s (+0 ms)
		reason=$(sed -E 's/.*interrupted "([^"]*)".*/\1/' <<<"$line")
		played=$(sed -E 's/.*played_ms ([0-9]+);.*/\1/' <<<"$line")
		heard=$(sed -E 's/.*recording ([0-9.]+m?s) .*/\1/' <<<"$line")
		diff=$(sed -E 's/.*\(([+-][0-9]+) ms\).*/\1/' <<<"$line")
		rows+="| $i | $buffer | $load | $reason | $played | $heard | $diff |"$'\n'
	done < <(grep -E '=== RUN.*/buffer=|airing [0-9]+: interrupted|(skip|stop) heard' <<<"$out")
done
section=$(cat <<MD
## Played length against the recording

Written by \`make bench\` (bench/played.sh) on $(date -u +%Y-%m-%d). Machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo).

\`go test ./cmd/scheduler -run TestControlPlayedLengthThroughPulseAudio -count=1 -v\`, $runs runs: the
real binary (\`serve\`, output \`alsa\`) plays 5 s tones through ALSA's pulse device into
PulseAudio's null sink (real time), recorded by \`parec\`; the operator pauses, resumes and skips
the first tone (\`scheduler control\`), stops the second, and the next slot is cut by SIGTERM.
Each run does this with the shipped \`audio.buffer\` (500 ms) and with 1 s. For each cut airing,
\`played_ms\` from the log beside the tone's sound in the recording (goal ±50 ms):

| run | audio.buffer | load average | reason | played_ms | in the recording | difference |
|---|---|---|---|---|---|---|
${rows%$'\n'}

How long after the operator's command (\`scheduler control skip|stop\`, its own start-up included)
the tone stopped in the recording. The cut drops what the sound card holds (\`snd_pcm_drop\`):
what still plays is PulseAudio's own short queue, after the command's start-up. The skip comes 0.4 s after a
resume, whose sound was still in what the output held: it can be dropped before it was heard, and
the skip's figure is then negative. bench/cutlatency.sh measures cuts over many more runs:

| run | audio.buffer | skip heard after | stop heard after |
|---|---|---|---|
${lat%$'\n'}
MD
)
python3 - bench/RESULTS.md "$section" <<'PY'
import sys, re
path, section = sys.argv[1], sys.argv[2]
try:
    s = open(path).read()
except FileNotFoundError:
    s = "# Benchmarks\n"
s = re.sub(r"\n## Played length against the recording\n.*?(?=\n## |\Z)", "", s, flags=re.S)
open(path, "w").write(s.rstrip("\n") + "\n\n" + section + "\n")
PY
echo "played length: $(grep -c . <<<"$rows") cut airings measured"
