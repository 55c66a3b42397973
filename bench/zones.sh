#!/usr/bin/env bash
# Zones (issue 14): serve with 8 zones, each airing its own programme to a
# null output in real time, against serve with one zone: CPU time (user +
# system) and peak RSS over the same stretch of wall time, from
# /usr/bin/time -v. Every zone airs all the time (a 7 s segment in an 8 s
# slot every 10 s, 44.1 kHz so that each zone also resamples). Run by
# bench/run.sh; alone: BIN=bin/scheduler bash bench/zones.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/scheduler}
SECONDS_RUN=${ZONES_BENCH_SECONDS:-60}
for c in sox /usr/bin/time timeout; do command -v "$c" >/dev/null || { echo "zones bench needs $c (apt-get install sox time coreutils)"; exit 1; }; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sox -n -r 44100 -c 2 -b 16 "$work/seg.wav" synth 7 pinknoise tremolo 0.5 90 vol -18dB

# config N: a commune of N zones, each on the null output, one slot for all.
config() {
	local n=$1 f="$work/zones-$1.yaml"
	cat > "$f" <<YAML
station:
  commune: "Tân Lập"
  timezone: Asia/Ho_Chi_Minh
audio:
  output: "null"
schedule:
  no_repeat: 0s
  quiet_hours: []
  slots:
    - name: lien-tuc
      cron: "*/10 * * * * *"
      length: 8s
approval:
  required: false
topics:
  - code: tthc
    name: "Thủ tục hành chính"
zones:
YAML
	for i in $(seq 1 "$n"); do
		printf '  - code: vung-%d\n    name: "Vùng %d"\n    outputs: ["null"]\n' "$i" "$i" >> "$f"
	done
	echo "$f"
}

# run N: CPU seconds (user + system), peak RSS (KiB) and completed airings
# of serve with N zones over SECONDS_RUN seconds.
run() {
	local n=$1 cfg data
	cfg=$(config "$n")
	data="$work/data-$n"
	"$BIN" --data "$data" --config "$cfg" segments import --topic tthc "$work/seg.wav" >/dev/null
	CCHC_WEB_LISTEN=127.0.0.1:0 /usr/bin/time -v -o "$work/v-$n" \
		timeout -s TERM "$SECONDS_RUN" "$BIN" --data "$data" --config "$cfg" serve >/dev/null 2>"$work/err-$n" || true
	local user sys rss done
	user=$(awk -F': ' '/User time/{print $2}' "$work/v-$n")
	sys=$(awk -F': ' '/System time/{print $2}' "$work/v-$n")
	rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$work/v-$n")
	done=$(sqlite3 "$data/cchc.db" "SELECT COUNT(*) FROM airings WHERE status = 'completed'" 2>/dev/null || echo "?")
	echo "$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u + s}') $rss $done"
}

read -r cpu1 rss1 done1 < <(run 1)
read -r cpu8 rss8 done8 < <(run 8)
cpu_goal=$(awk -v c="$cpu1" 'BEGIN{printf "%.2f", 8 * c * 1.10}')
rss_goal=$((30 * 1024 + 8 * 4 * 1024))
cpu_ok=$(awk -v c="$cpu8" -v g="$cpu_goal" 'BEGIN{print (c <= g) ? "met" : "NOT met"}')
rss_ok="met"; [ "$rss8" -le "$rss_goal" ] || rss_ok="NOT met"
mb() { awk -v k="$1" 'BEGIN{printf "%.1f", k / 1024}'; }
section=$(cat <<MD
## Zones: 8 zones against one

Written by \`make bench\` (bench/zones.sh) on $(date -u +%Y-%m-%d). Machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.

Command: \`/usr/bin/time -v timeout -s TERM ${SECONDS_RUN} scheduler --config zones-N.yaml serve\`, N zones each on the
\`null\` output (paced in real time), one slot for every zone every 10 s (8 s long) airing a 7 s
44.1 kHz stereo segment: every zone decodes, resamples to 48 kHz, normalises, mixes and logs
all the time. CPU is user + system time of the whole run; RSS is the peak of the process.

| zones | CPU time in ${SECONDS_RUN} s | peak RSS | airings completed |
|---|---|---|---|
| 1 | ${cpu1} s | $(mb "$rss1") MB | ${done1} |
| 8 | ${cpu8} s | $(mb "$rss8") MB | ${done8} |

Goals: CPU of 8 zones ≤ 8 × one zone's + 10 % (${cpu_goal} s): **${cpu_ok}**; peak RSS ≤ 30 MB + 4 MB
per zone ($(mb "$rss_goal") MB): **${rss_ok}**.
MD
)
python3 bench/section.py bench/RESULTS.md "## Zones: 8 zones against one" "$section"
echo "$section"
