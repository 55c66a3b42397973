#!/usr/bin/env bash
# Render throughput: decode + resample (48 → 44.1 kHz) + gain to a WAV file,
# `scheduler play --output file:OUT ID` (the file output is not paced) vs
# `sox F -r 44100 OUT gain -3` on a 10-minute 48 kHz stereo 24-bit WAV,
# three runs each, alternating, in the same run. Run by bench/run.sh;
# alone: BIN=bin/scheduler bash bench/render.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/scheduler}
RUNS=${BENCH_RUNS:-3}
for c in sox /usr/bin/time; do command -v "$c" >/dev/null || { echo "render bench needs $c (apt-get install sox time)"; exit 1; }; done
work=$(mktemp -d)
# The outputs go to memory when /dev/shm is there, so that the disk's
# write speed does not decide (ours writes 32-bit float, sox 24-bit).
out=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$work" "$out"' EXIT
f="$work/ten-minutes-24bit.wav"
sox -n -r 48000 -c 2 -b 24 "$f" synth 600 pinknoise tremolo 0.5 90 vol -18dB
"$BIN" --data "$work/data" segments import --topic tthc --approve "$f" >/dev/null
cat "$f" >/dev/null
t() { /usr/bin/time -f "%e %M %P" -o "$work/t" "$@" >/dev/null 2>&1; cat "$work/t"; rm -f "$out"/*.wav; }
ours=(); ref=()
for _ in $(seq "$RUNS"); do
	ours+=("$(CCHC_AUDIO_SAMPLE_RATE=44100 t "$BIN" --data "$work/data" play --output "file:$out/ours.wav" 1)")
	ref+=("$(t sox "$f" -r 44100 "$out/sox.wav" gain -3)")
done
median() { printf '%s\n' "$@" | sort -n -k1,1 | awk -v n="$#" 'NR == int((n + 1) / 2)'; }
read -r o_s o_rss o_cpu <<<"$(median "${ours[@]}")"
read -r r_s r_rss r_cpu <<<"$(median "${ref[@]}")"
ratio=$(awk -v a="$o_s" -v b="$r_s" 'BEGIN{printf "%.2f", a / b}')
speed=$(awk -v a="$o_s" 'BEGIN{printf "%.0f", 600 / a}')
all_o=$(printf '%s, ' "${ours[@]%% *}"); all_r=$(printf '%s, ' "${ref[@]%% *}")
goal="met"; awk -v r="$ratio" 'BEGIN{exit !(r <= 1.0)}' || goal="not met"
section=$(cat <<MD
## Render throughput vs sox (10-minute 24-bit file, 48 → 44.1 kHz)

Written by \`make bench\` (bench/render.sh) on $(date -u +%Y-%m-%d). Machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.

File: 10 min, 48 kHz, stereo, 24-bit PCM, imported first (its loudness is known, so the gain is
set from it). Ours decodes, resamples to 44.1 kHz with the windowed-sinc converter, applies the
loudness gain and writes a 32-bit float WAV, and logs the airing; sox resamples (its default
high quality) and applies −3 dB, writing 24-bit. Outputs go to ${out%/*} ($(df --output=fstype "$out" | tail -1)).
$RUNS runs of each, alternating; the median:

| what | command | wall time (median) | runs | CPU | peak RSS |
|---|---|---|---|---|---|
| scheduler | \`CCHC_AUDIO_SAMPLE_RATE=44100 scheduler play --output file:OUT.wav ID\` | ${o_s} s (${speed}× real time) | ${all_o%, } s | ${o_cpu} | $((o_rss / 1024)) MB |
| reference | \`sox F -r 44100 OUT.wav gain -3\` | ${r_s} s | ${all_r%, } s | ${r_cpu} | $((r_rss / 1024)) MB |

**Ratio: ${ratio}× sox's wall time** (goal ≤ 1.0×: ${goal}). The resampler computes long runs
of output in two halves on two goroutines (CPU above 100 %); sox runs on one core with SIMD.
MD
)
python3 bench/section.py bench/RESULTS.md "## Render throughput vs sox (10-minute 24-bit file, 48 → 44.1 kHz)" "$section"
echo "render: ${o_s} s vs sox ${r_s} s: ${ratio}×"
