#!/usr/bin/env bash
# make bench: measures import throughput and peak memory on a 30-minute WAV
# and writes the figures, the commands and the machine to bench/RESULTS.md;
# then bench/report.sh times the monthly report on a log of a million
# airings against the sqlite3 CLI and adds its section; the others add
# theirs: start accuracy, planning, cut latency and first sound, analysis vs ffmpeg, rendering vs sox,
# constant memory (1 vs 60 minutes) and playing in real time beside aplay
# and Liquidsoap (bench/playcpu.sh; Liquidsoap is in BENCH_DEBS), and 8 zones against one
# (bench/zones.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/scheduler}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in sox /usr/bin/time; do command -v "$c" >/dev/null || { echo "bench needs $c (apt-get install sox time)"; exit 1; }; done

# A 30-minute 48 kHz stereo 16-bit programme: speech-like noise bursts, so
# that the loudness meter's gates have something to do.
wav="$work/thirty-minutes.wav"
sox -n -r 48000 -c 2 -b 16 "$wav" synth 1800 pinknoise tremolo 0.5 90 vol -18dB
size=$(stat -c %s "$wav")

measure() { # measure NAME CMD...: wall seconds and peak RSS (KiB) of one run
	local name=$1; shift
	/usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.err" || { cat "$work/$name.err"; exit 1; }
	read -r secs rss < "$work/$name.time"
	echo "$secs $rss"
}

read -r imp_s imp_rss < <(measure import "$BIN" --data "$work/data" segments import --topic tthc "$wav")
read -r ana_s ana_rss < <(measure analyze "$BIN" analyze "$wav")
read -r sha_s _ < <(measure sha256 sha256sum "$wav")
# Reference on the same file in the same run: ffmpeg's EBU R128 meter.
if command -v ffmpeg >/dev/null; then
	read -r ff_s ff_rss < <(measure ffmpeg ffmpeg -nostats -i "$wav" -af ebur128=peak=true -f null -)
else
	ff_s="n/a"; ff_rss="n/a"
fi
mb=$(awk -v b="$size" 'BEGIN{printf "%.1f", b/1048576}')
rate() { awk -v b="$size" -v s="$1" 'BEGIN{ if (s>0) printf "%.0f", b/1048576/s; else print "inf" }'; }

{
	echo "# Benchmarks"
	echo
	echo "Written by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d)."
	echo
	echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(go version | cut -d' ' -f3), Debian $(cat /etc/debian_version)."
	echo
	echo "## Import of a 30-minute WAV"
	echo
	echo "File: 30 min, 48 kHz, stereo, 16-bit PCM, $mb MB (sox pink noise with tremolo)."
	echo "Import reads the file three times: header check, SHA-256, and the loudness/true-peak/silence analysis."
	echo
	echo "| what | command | wall time | throughput | peak RSS |"
	echo "|---|---|---|---|---|"
	echo "| import | \`scheduler segments import --topic tthc F\` | ${imp_s} s | $(rate "$imp_s") MB/s | $((imp_rss/1024)) MB |"
	echo "| analyze | \`scheduler analyze F\` | ${ana_s} s | $(rate "$ana_s") MB/s | $((ana_rss/1024)) MB |"
	echo "| reference: hash only | \`sha256sum F\` | ${sha_s} s | $(rate "$sha_s") MB/s | |"
	if [ "$ff_s" != "n/a" ]; then
		echo "| reference: ffmpeg R128 | \`ffmpeg -nostats -i F -af ebur128=peak=true -f null -\` | ${ff_s} s | $(rate "$ff_s") MB/s | $((ff_rss/1024)) MB |"
	fi
	echo
	echo "Peak RSS is the whole process (Go runtime, SQLite, cgo ALSA library) as reported by \`/usr/bin/time -f %M\`."
} > bench/RESULTS.md

bash bench/report.sh
bash bench/province.sh                     # the province tier: PostgreSQL report, ingest, a week offline
bash bench/provsync.sh                     # a station back from a week offline: scheduler sync to the real province
bash bench/startacc.sh
bash bench/planning.sh
bash bench/played.sh
bash bench/cutlatency.sh                   # cut latency and first sound, shipped audio.buffer
bash bench/web.sh                          # the shipped audio.buffer (500ms)
CCHC_AUDIO_BUFFER=200ms bash bench/web.sh
bash bench/analyze.sh
bash bench/decoders.sh
bash bench/render.sh
bash bench/memory.sh
bash bench/playcpu.sh
bash bench/icecast.sh
bash bench/zones.sh
bash bench/simzones.sh                     # simulate of a month of 8 zones
cat bench/RESULTS.md
