# shellcheck shell=bash
# A PostgreSQL 15 cluster of its own in a folder, for the province demo and
# benchmarks (sourced: pg_local_start DIR, pg_local_url DIR DB,
# pg_local_stop DIR). Debian's initdb and pg_ctl refuse to run as root: as
# root they run as the postgres OS user. The cluster listens on a Unix
# socket in DIR only (no TCP port) and trusts local connections; keep DIR
# short (a socket's path must stay under 108 bytes).
PG_BIN=/usr/lib/postgresql/15/bin

pg_local_as() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_local_start() {
	local dir=$1
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir" && chmod 0755 "$(dirname "$dir")"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		pg_local_as "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" ||
			{ cat "$dir/initdb.log" >&2; return 1; }
	fi
	pg_local_as "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-k $dir -c listen_addresses='' -c unix_socket_permissions=0777" start >/dev/null ||
		{ tail -20 "$dir/server.log" >&2; return 1; }
}

# pg_local_url DIR DB: creates database DB if needed and prints its URL.
pg_local_url() {
	local dir=$1 db=$2
	if ! psql -h "$dir" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
		psql -h "$dir" -U postgres -d postgres -qc "CREATE DATABASE \"$db\"" >/dev/null
	fi
	echo "postgres://postgres@/$db?host=$dir&sslmode=disable"
}

pg_local_stop() {
	local dir=$1
	[ -f "$dir/data/postmaster.pid" ] && pg_local_as "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
	return 0
}
