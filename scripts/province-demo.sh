#!/usr/bin/env bash
# make province-demo: a province and three communes on this machine.
#
# Installs what is missing (PostgreSQL), starts a PostgreSQL cluster of its
# own in a data folder, the province server, and three simulated communes:
# each simulates a month of its station (the real planner, playout and log
# on a virtual clock) and ships it with `scheduler sync`. Then it prints the
# province report and the web address, and keeps the province server
# running until Ctrl-C, which stops all of it.
#
#   DEMO_DIR       the data folder (default /tmp/cchc-province-demo; short:
#                  PostgreSQL's socket lives in it)
#   PROVINCE_PORT  the province server's port (default 8090)
#   DEMO_MONTH     the month simulated, YYYY-MM (default: last month)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg-local.sh

DEMO=${DEMO_DIR:-/tmp/cchc-province-demo}
PORT=${PROVINCE_PORT:-8090}
MONTH=${DEMO_MONTH:-$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m)}
FIRST=$MONTH-01
LAST=$(date -d "$FIRST +1 month -1 day" +%Y-%m-%d)
BIN=bin/scheduler

scripts/install-debs.sh gcc pkg-config libasound2-dev ffmpeg postgresql
go build -o "$BIN" ./cmd/scheduler

pg_local_stop "$DEMO/pg" 2>/dev/null || true
rm -rf "$DEMO"
mkdir -p "$DEMO"
prov_pid=
stop() {
	trap - INT TERM EXIT
	echo
	echo "Dừng máy chủ tỉnh và PostgreSQL… / Stopping the province server and PostgreSQL…"
	[ -n "$prov_pid" ] && kill "$prov_pid" 2>/dev/null && wait "$prov_pid" 2>/dev/null
	pg_local_stop "$DEMO/pg"
}
trap stop INT TERM EXIT

echo "== PostgreSQL: $DEMO/pg"
pg_local_start "$DEMO/pg"
DB=$(pg_local_url "$DEMO/pg" province)

echo "== Máy chủ tỉnh / province server: http://127.0.0.1:$PORT/"
"$BIN" province serve --db "$DB" --listen "127.0.0.1:$PORT" >"$DEMO/province.log" 2>&1 &
prov_pid=$!
for _ in $(seq 100); do
	grep -q "http://" "$DEMO/province.log" && break
	kill -0 "$prov_pid" 2>/dev/null || { cat "$DEMO/province.log"; exit 1; }
	sleep 0.1
done
echo "demo-province" | "$BIN" province users add admin --role admin --db "$DB" >/dev/null

# Three communes, each a little different: Tân Lập airs its whole library
# all month; Yên Mỹ has no recordings on two topics; Thanh Long's station
# stopped on the 20th (its last ten days are missing from the log).
communes=("tan-lap|Xã Tân Lập|$LAST|" "yen-my|Xã Yên Mỹ|$LAST|khen-thuong the-che" "thanh-long|Xã Thanh Long|$MONTH-20|")
for spec in "${communes[@]}"; do
	IFS='|' read -r code name until skip <<<"$spec"
	dir=$DEMO/$code
	mkdir -p "$dir/media"
	echo "== $name ($code)"
	"$BIN" province communes add "$code" --name "$name" --db "$DB" 2>/dev/null >"$dir/province.token"
	chmod 600 "$dir/province.token"
	for t in media/*/; do
		t=$(basename "$t")
		[[ " $skip " == *" $t "* ]] || cp -r "media/$t" "$dir/media/"
	done
	sed -e "s|^  commune: .*|  commune: \"${name#Xã }\"|" -e "s|^  data_dir: .*|  data_dir: $dir/data|" \
		-e "s|^  media_dir: .*|  media_dir: $dir/media|" config.yaml >"$dir/config.yaml"
	printf '\nprovince:\n  url: http://127.0.0.1:%s\n  commune: %s\n  token_file: %s\n' "$PORT" "$code" "$dir/province.token" >>"$dir/config.yaml"
	"$BIN" --config "$dir/config.yaml" segments import --approve "$dir/media" >/dev/null
	"$BIN" --config "$dir/config.yaml" simulate --from "$FIRST" --to "$until"
	"$BIN" --config "$dir/config.yaml" sync
done

echo
echo "== Báo cáo của tỉnh / province report, $MONTH"
"$BIN" province report --month "$MONTH" --db "$DB"
echo
echo "Máy chủ tỉnh: http://127.0.0.1:$PORT/  (đăng nhập / log in: admin, mật khẩu / password: demo-province)"
echo "Dữ liệu / data: $DEMO. Nhấn Ctrl-C để dừng tất cả. / Press Ctrl-C to stop all of it."
wait "$prov_pid"
