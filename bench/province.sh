#!/usr/bin/env bash
# The province half of make bench (bench/run.sh calls it; it can also run on
# its own): in a throwaway PostgreSQL cluster, a province of 200 communes ×
# 12 months (≈ 1.7 M airings); times the province monthly report through
# pgstore against psql running the same GROUP BY, the ingest rate through
# IngestAirings with its chain checks, and a commune's week offline shipped
# after it returns. Writes the section "Province tier: PostgreSQL" at the end
# of bench/RESULTS.md (replacing an older one). bench/province/main.go says
# how the data are made and what is timed.
#
# Goals: report ≤ 1 s and ≤ 1.5 × psql; ingest ≥ 10,000 airings/s; a week
# offline (≈ 200 airings) in ≤ 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
COMMUNES=${BENCH_COMMUNES:-200}
RUNS=${BENCH_RUNS:-9}
results=bench/RESULTS.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x /usr/lib/postgresql/15/bin/initdb ] && command -v psql >/dev/null ||
	{ echo "bench/province.sh needs PostgreSQL 15 (apt-get install postgresql)"; exit 1; }
go build -o "$work/province" ./bench/province
"$work/province" -communes "$COMMUNES" -runs "$RUNS" > "$work/section.md"
python3 - "$results" "$work/section.md" <<'PY'
import sys, re
path, section = sys.argv[1], open(sys.argv[2]).read().rstrip("\n")
try:
    s = open(path).read()
except FileNotFoundError:
    s = "# Benchmarks\n"
s = re.sub(r"\n## Province tier: PostgreSQL\n.*?(?=\n## |\Z)", "", s, flags=re.S)
open(path, "w").write(s.rstrip("\n") + "\n\n" + section + "\n")
PY
grep -E '^\| (province report|ratio|ingest|a week)' "$work/section.md"
