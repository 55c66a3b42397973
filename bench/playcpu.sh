#!/usr/bin/env bash
# CPU and peak memory while playing in real time through the paced path the
# station uses in tests: ALSA's pulse device into PulseAudio's null sink.
# Each player plays the same 48 kHz stereo file for a window, one after the
# other, ROUNDS times over (the players alternate, so that a change on the
# machine lands on all of them): aplay (the reference), Liquidsoap,
# `scheduler play` (one process: it holds the sound card itself) and
# `scheduler serve` (the station plus the audio-output child that holds the
# sound card, summed).
#
# Everything (PulseAudio, the players, parec) runs on one CPU (taskset):
# on this virtual machine a wake-up that crosses CPUs costs ~10× one that
# does not, and which players got them was luck — aplay alone read 0.12 %
# or 3.2 % of a core from one run to the next. CPU is the time the
# scheduler ran each thread (/proc/PID/task/*/schedstat, nanoseconds, not
# sampled ticks) over the window, after a warm-up, as % of one core; the
# median of the rounds is reported. Peak RSS is VmHWM at the end of the
# window, the highest of the rounds. The scheduler binary is read from disk
# as when a station boots (its page cache is dropped before each run): a
# binary just written by the compiler is mapped by this kernel in 2 MB
# pages, whole, which adds ~2 MB of RSS; one extra row shows that case.
# parec records the sink's monitor during each window to check the player
# really played.
# Run by bench/run.sh; alone: BIN=bin/scheduler bash bench/playcpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin/scheduler}
WINDOW=${PLAYCPU_WINDOW:-30}
ROUNDS=${PLAYCPU_ROUNDS:-3}
CPU=${PLAYCPU_CPU:-$(( $(nproc) - 1 ))}
for c in pulseaudio parec aplay sox python3 taskset; do command -v $c >/dev/null || { echo "playcpu needs $c (apt-get install pulseaudio pulseaudio-utils alsa-utils sox)"; exit 1; }; done
cores=$(nproc)
# Pin this script and everything it starts to one CPU (see above).
taskset -p -c "$CPU" $$ >/dev/null
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
# ns PID...: nanoseconds the processes' threads have run so far.
ns() { local p; for p in "$@"; do cat "/proc/$p/task/"*/schedstat; done | awk '{s += $1} END {printf "%.0f\n", s}'; }
hwm() { awk '/VmHWM/{print $2}' "/proc/$1/status"; }

# window NAME WARMUP PID... : CPU % of one core and summed peak RSS (KiB)
# of the processes over the window, and the seconds of sound recorded.
window() {
	local name=$1 warm=$2; shift 2
	sleep "$warm"
	local pids=("$@") t0=0 t1=0 rss=0 p
	t0=$(ns "${pids[@]}")
	parec -d nul.monitor --raw --format=s16le --rate=48000 --channels=2 > "$work/$name.raw" &
	local rec=$!
	started+=("$rec")
	local start; start=$(date +%s.%N)
	sleep "$WINDOW"
	t1=$(ns "${pids[@]}")
	for p in "${pids[@]}"; do rss=$((rss + $(hwm "$p"))); done
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
	awk -v t=$((t1 - t0)) -v s="$start" -v e="$end" -v r="$rss" -v snd="$sound" \
		'BEGIN{printf "%.3f %.1f %s\n", 100 * t / 1e9 / (e - s), r / 1024, snd}'
}

# cold FILE: drop FILE's page cache, so that it is read from disk as when a
# station boots (see above).
cold() { sync "$1"; python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$1"; }

# One window of each player; each prints "CPU RSS SOUND".
run_aplay() {
	aplay -q "$f" & local p=$!; started+=("$p")
	window aplay 5 "$p"
	kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true
}
run_liquidsoap() { # 2.1 takes ~10 s to start: a longer warm-up; it loops the file
	liquidsoap "settings.init.allow_root.set(true) settings.frame.audio.samplerate.set(48000) output.alsa(device=\"default\", mksafe(single(\"$f\")))" >"$work/liq.log" 2>&1 & local p=$!; started+=("$p")
	window liquidsoap 20 "$p"
	kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null || true
}
run_play() { # run_play BINARY [CONFIG]: play (it holds the card itself; an audio-output child, if any, summed)
	"$1" --config "${2:-config.yaml}" --data "$work/data" play --output alsa "$f" >/dev/null 2>&1 & local p=$!; started+=("$p")
	sleep 1
	local child; child=$(pgrep -P "$p" -f audio-output || true)
	window play 4 "$p" $child
	kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true
}
run_serve() { # a slot 8 s from now, the file imported; parent + child
	rm -rf "$work/sdata"
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
	"$BIN" --config "$work/config.yaml" --data "$work/sdata" segments import --topic tthc --approve "$f" >/dev/null
	cold "$BIN"
	"$BIN" --config "$work/config.yaml" --data "$work/sdata" serve >"$work/serve.out" 2>"$work/serve.err" & local p=$!; started+=("$p")
	local child=""
	for _ in $(seq 100); do child=$(pgrep -P "$p" -f audio-output || true); [ -n "$child" ] && break; sleep 0.1; done
	[ -n "$child" ] || { echo "serve started no audio-output process" >&2; cat "$work/serve.err" >&2; exit 1; }
	window serve 12 "$p" "$child"
	kill -TERM "$p"; wait "$p" || true
}

# First the binary as the build left it (make bench builds it just before):
# one round of play, its page cache not dropped.
fresh=$(run_play "$BIN")

# The same play with a 1 s device buffer (the default is 500 ms): the
# trade between CPU and how late a stop is heard.
sed 's/^\(  buffer:\).*/\1 1s/' config.yaml > "$work/config-1s.yaml"
grep -q '^  buffer: 1s' "$work/config-1s.yaml" || { echo "config.yaml has no audio buffer line to change" >&2; exit 1; }
players=(aplay liquidsoap play play1s serve)
command -v liquidsoap >/dev/null || players=(aplay play play1s serve)
declare -A figs
for round in $(seq "$ROUNDS"); do
	for pl in "${players[@]}"; do
		case $pl in
		play) cold "$BIN"; fig=$(run_play "$BIN") ;;
		play1s) cold "$BIN"; fig=$(run_play "$BIN" "$work/config-1s.yaml") ;;
		*) fig=$(run_"$pl") ;;
		esac
		figs[$pl]+="$fig;"
		echo "round $round: $pl $fig" >&2
	done
done
figs[fresh]="$fresh;"

# summary KEY: median CPU, highest RSS, least sound over the rounds.
summary() {
	echo "${figs[$1]}" | tr ';' '\n' | python3 -c '
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
print(f"{statistics.median(float(r[0]) for r in rows):.3f} {max(float(r[1]) for r in rows):.1f} {min(float(r[2]) for r in rows):.1f} " + "/".join(r[0] for r in rows))'
}
results=()
results+=("aplay|\`aplay F\`|$(summary aplay)")
if command -v liquidsoap >/dev/null; then
	results+=("Liquidsoap $(liquidsoap --version | head -1 | cut -d' ' -f2)|\`output.alsa(mksafe(single(F)))\`|$(summary liquidsoap)")
else
	results+=("Liquidsoap|not installed (apt-get install liquidsoap)|n/a n/a n/a n/a")
fi
results+=("scheduler play|\`scheduler play --output alsa F\`|$(summary play)")
results+=("scheduler play, \`audio.buffer: 1s\`|as play; fewer device periods (a cut is heard at once at either buffer: bench/cutlatency.sh)|$(summary play1s)")
results+=("scheduler serve|\`scheduler serve\` (station + audio-output child, summed)|$(summary serve)")
results+=("scheduler play, binary as built|as play, one round, before its page cache is first dropped|$(summary fresh)")

ref_cpu=$(echo "${results[0]}" | cut -d'|' -f3 | cut -d' ' -f1)
read -r play_cpu play_rss _ <<<"$(echo "${results[2]}" | cut -d'|' -f3)"
cpu_verdict=$(awk -v c="$play_cpu" -v r="$ref_cpu" 'BEGIN{ printf "%.1f× aplay: %s", c / r, (c <= 1.5 * r) ? "met" : "not met" }')
rss_verdict=$(awk -v m="$play_rss" 'BEGIN{ printf "%.1f MB: %s", m, (m <= 25) ? "met" : "not met" }')
load=$(cut -d' ' -f1-3 /proc/loadavg)
table=$(for r in "${results[@]}"; do
	IFS='|' read -r name cmd fig <<<"$r"
	read -r cpu rss snd runs <<<"$fig"
	ratio=$(awk -v c="$cpu" -v r="$ref_cpu" 'BEGIN{ if (c ~ /^[0-9.]+$/ && r > 0) printf "%.1f×", c / r; else print "n/a" }')
	echo "| $name | $cmd | $cpu % | $runs | $ratio | $rss MB | $snd s |"
done)
section=$(cat <<MD
## Playing in real time: CPU and memory beside aplay and Liquidsoap

Written by \`make bench\` (bench/playcpu.sh) on $(date -u +%Y-%m-%d). Machine: $cores cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), load average $load at the end.

Each player plays the same ${secs}-s 48 kHz stereo 16-bit WAV (pink noise with tremolo) through
ALSA's pulse device into PulseAudio's null sink, which runs in real time; the players take turns,
${ROUNDS} rounds, everything pinned to CPU ${CPU} (on this virtual machine a wake-up that crosses CPUs
costs about ten times one that does not, and which player got them was luck: unpinned, aplay alone
read 0.12 % or 3.2 % from one run to the next). CPU is the time the kernel ran the player's
threads (\`/proc/PID/task/*/schedstat\`, nanoseconds) over a ${WINDOW}-s window after a warm-up (5 s;
20 s for Liquidsoap, which takes ~10 s to start; for serve, from 4 s into the slot), as % of one
core: the median of the rounds, each round listed. Peak RSS is \`VmHWM\` at the end of the window,
the highest of the rounds (for serve, the station and its audio-output process added up). The
scheduler binary is read from disk as when a station boots (its page cache dropped before each
run); the last row is the binary as the build left it (make bench builds it first): the linker
writes it through memory, and this kernel then keeps and maps it in 2 MB pages, whole. "sound" is the least of the rounds' seconds that parec heard above −60 dBFS: the
player really played. \`scheduler\` normalises the loudness and watches for silence as it plays
(48 → 48 kHz: no resampling), with the default \`audio.buffer\` (500 ms).

| player | command | CPU (% of a core), median | rounds | vs aplay | peak RSS | sound |
|---|---|---|---|---|---|---|
$table

Goals for \`scheduler play\`: CPU within 1.5× of aplay's, ${cpu_verdict}; peak RSS ≤ 25 MB, ${rss_verdict}.

The sound card is written with libasound (internal/audio/alsa): by \`play\` itself, in its own
process (alsa.Sink: one thread waits in \`poll\` on the device, pulls a period from the deck and
writes it), and for \`serve\` by its \`audio-output\` process, where
one thread waits in \`poll\` on the device and on the station's pipe at once, then writes with
\`snd_pcm_writei\` the frames the station sends when the device has room for a period (half of
\`audio.buffer\` asked for; ALSA's pulse plugin gives a third). Each period costs one request and
one answer over the pipe and one write: the process sleeps in \`poll\` in between,
with no player or mixer thread of its own (oto, used before, refilled its player and polled its
device from threads of its own). A longer buffer means fewer periods (the \`audio.buffer: 1s\`
row); a cut drops what the device holds whatever the buffer, so it is no longer heard later.
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
