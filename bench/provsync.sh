#!/usr/bin/env bash
# A commune's station back from a week offline: how long `scheduler sync`
# takes to ship what it logged (≈ 200 airings) to the real province server
# (`scheduler province serve` on PostgreSQL, over loopback HTTP), measured
# as the whole command (process start, store, HTTP, the province's chain
# checks and inserts) and as the shipping alone (sync --json elapsed_ms).
# Each run is a commune of its own, so every run ships the whole backlog
# to a province that has none of it. Writes the section "Province tier:
# a station's backlog shipped" of bench/RESULTS.md. Goal: ≤ 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg-local.sh
RUNS=${BENCH_RUNS:-7}
BIN=${BIN:-bin/scheduler}
results=bench/RESULTS.md
work=$(mktemp -d /tmp/provsync.XXXX)
prov_pid=
cleanup() {
	[ -n "$prov_pid" ] && kill "$prov_pid" 2>/dev/null && wait "$prov_pid" 2>/dev/null
	pg_local_stop "$work/pg"
	rm -rf "$work"
}
trap cleanup EXIT
[ -x "$PG_BIN/initdb" ] || { echo "bench/provsync.sh needs PostgreSQL 15 (apt-get install postgresql)"; exit 1; }
[ -x "$BIN" ] || go build -o "$BIN" ./cmd/scheduler

pg_local_start "$work/pg"
db=$(pg_local_url "$work/pg" province)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" province serve --db "$db" --listen "127.0.0.1:$port" >"$work/province.log" 2>&1 &
prov_pid=$!
for _ in $(seq 100); do grep -q "http://" "$work/province.log" && break; sleep 0.1; done

# The station: the shipped library, 19 days of the shipped programme
# (≈ 200 airings: the shipped config airs ≈ 78 a week; a busier week).
"$BIN" --data "$work/station" segments import --approve media >/dev/null
"$BIN" --data "$work/station" simulate --from 2026-11-02 --to 2026-11-20 >/dev/null

walls=() ships=()
rows=0
for i in $(seq "$RUNS"); do
	code=bench-$i
	cp -r "$work/station" "$work/$code"
	"$BIN" province communes add "$code" --name "Xã $i" --db "$db" 2>/dev/null >"$work/$code.token"
	chmod 600 "$work/$code.token"
	cp config.yaml "$work/$code.yaml"
	printf '\nprovince:\n  url: http://127.0.0.1:%s\n  commune: %s\n  token_file: %s\n' "$port" "$code" "$work/$code.token" >>"$work/$code.yaml"
	start=$(date +%s.%N)
	"$BIN" --config "$work/$code.yaml" --data "$work/$code" sync --json >"$work/$code.json"
	end=$(date +%s.%N)
	walls+=("$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b-a}')")
	ships+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["elapsed_ms"]/1000)' "$work/$code.json")")
	rows=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] and d["accepted"]==d["behind_airings"]; print(d["accepted"])' "$work/$code.json")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
mw=$(median "${walls[@]}"); ms=$(median "${ships[@]}")
section=$(cat <<MD
## Province tier: a station's backlog shipped

A commune's station back from a week offline ships its backlog with \`scheduler sync\` to the real
province server (\`scheduler province serve\`, PostgreSQL 15 in a cluster of its own, loopback HTTP).
Command: \`bash bench/provsync.sh\` (BENCH_RUNS=$RUNS; each run a new commune, so each ships the whole
backlog). Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%d).

| figure | median of $RUNS | all runs (s) | goal |
|---|---|---|---|
| a week offline: $rows airings, \`scheduler sync\` whole command | $mw s | ${walls[*]} | ≤ 2 s |
| of which shipping (chain state, batches, the province's checks) | $ms s | ${ships[*]} | |

In \`serve\` the same backlog goes up at the first retry after the province returns: the shipper
backs off from 2 s doubling up to 30 s while the province is away, so it notices within 30 s.
MD
)
python3 - "$results" <<PY
import sys, re
path, section = sys.argv[1], """$section"""
try:
    s = open(path).read()
except FileNotFoundError:
    s = "# Benchmarks\n"
s = re.sub(r"\n## Province tier: a station's backlog shipped\n.*?(?=\n## |\Z)", "", s, flags=re.S)
open(path, "w").write(s.rstrip("\n") + "\n\n" + section + "\n")
PY
echo "a week offline ($rows airings): sync ${mw}s (shipping ${ms}s), median of $RUNS"
