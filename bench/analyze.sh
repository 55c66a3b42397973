#!/usr/bin/env bash
# analyze vs ffmpeg's EBU R128 meter (with true peak) on a 10-minute 48 kHz
# stereo 24-bit WAV, three runs each, alternating, in the same run; the
# median wall times and their ratio go into bench/RESULTS.md. Run by
# bench/run.sh; alone: BIN=bin/scheduler bash bench/analyze.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/scheduler}
RUNS=${BENCH_RUNS:-3}
for c in sox ffmpeg /usr/bin/time; do command -v "$c" >/dev/null || { echo "analyze bench needs $c (apt-get install sox ffmpeg time)"; exit 1; }; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
f="$work/ten-minutes-24bit.wav"
sox -n -r 48000 -c 2 -b 24 "$f" synth 600 pinknoise tremolo 0.5 90 vol -18dB
cat "$f" >/dev/null # both read it from the page cache
t() { /usr/bin/time -f "%e %M %P" -o "$work/t" "$@" >/dev/null 2>&1; cat "$work/t"; }
ours=(); ff=()
for _ in $(seq "$RUNS"); do
	ours+=("$(t "$BIN" analyze "$f")")
	ff+=("$(t ffmpeg -nostats -i "$f" -af ebur128=peak=true -f null -)")
done
median() { printf '%s\n' "$@" | sort -n -k1,1 | awk -v n="$#" 'NR == int((n + 1) / 2)'; }
read -r o_s o_rss o_cpu <<<"$(median "${ours[@]}")"
read -r f_s f_rss f_cpu <<<"$(median "${ff[@]}")"
ratio=$(awk -v a="$o_s" -v b="$f_s" 'BEGIN{printf "%.2f", a / b}')
all_o=$(printf '%s, ' "${ours[@]%% *}"); all_f=$(printf '%s, ' "${ff[@]%% *}")
verdict="met"; awk -v r="$ratio" 'BEGIN{exit !(r <= 1.0)}' || verdict="NOT met"
goal="met"; awk -v r="$ratio" 'BEGIN{exit !(r <= 0.5)}' || goal="not met"
section=$(cat <<MD
## Analysis vs ffmpeg ebur128 (10-minute 24-bit file)

Written by \`make bench\` (bench/analyze.sh) on $(date -u +%Y-%m-%d). Machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.

File: 10 min, 48 kHz, stereo, 24-bit PCM (sox pink noise with tremolo), read from the page cache.
$RUNS runs of each, alternating; the median wall time:

| what | command | wall time (median) | runs | CPU | peak RSS |
|---|---|---|---|---|---|
| scheduler | \`scheduler analyze F\` | ${o_s} s | ${all_o%, } s | ${o_cpu} | $((o_rss / 1024)) MB |
| reference | \`ffmpeg -nostats -i F -af ebur128=peak=true -f null -\` | ${f_s} s | ${all_f%, } s | ${f_cpu} | $((f_rss / 1024)) MB |

**Ratio: ${ratio}× ffmpeg's wall time** (must be ≤ 1.0×: ${verdict}; goal 0.5×: ${goal}). Both
measure integrated loudness, loudness range and 4× true peak; \`analyze\` also finds the leading
and trailing silence. It filters each channel (K-weighting and the true-peak interpolator) on a
goroutine of its own and decodes the next chunk meanwhile, so it uses both cores (CPU above
100 %); ffmpeg's filter runs on one.
MD
)
python3 bench/section.py bench/RESULTS.md "## Analysis vs ffmpeg ebur128 (10-minute 24-bit file)" "$section"
echo "analyze: ${o_s} s vs ffmpeg ${f_s} s: ${ratio}×"
