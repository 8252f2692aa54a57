#!/bin/sh
# test/client/pooler.sh - the client through a real pgbouncer on
# 127.0.0.1, in transaction mode (every transaction may land on another
# server connection, and server connections are shared between clients)
# and in session mode: every command that works within a transaction
# works, again and again, and leaves nothing behind in the shared server
# connection.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

command -v pgbouncer >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
command -v pgbouncer >/dev/null 2>&1 || bail_out "pgbouncer is not installed (test/deps.sh installs it)"

bouncer=$(mktemp -d)
[ "$(id -u)" != 0 ] || chown postgres "$bouncer"
port=6543

# start_bouncer MODE: pgbouncer in MODE with one server connection per
# database and user, so that every client shares it
start_bouncer() {
	{
		echo '[databases]'
		printf '* = host=%s port=%s\n' "${PGHOST:-/var/run/postgresql}" "${PGPORT:-5432}"
		echo '[pgbouncer]'
		echo "listen_addr = 127.0.0.1"
		echo "listen_port = $port"
		echo "unix_socket_dir ="
		echo "auth_type = trust"
		echo "auth_file = $bouncer/users.txt"
		echo "pool_mode = $1"
		echo "default_pool_size = 1"
		echo "max_client_conn = 20"
		echo "ignore_startup_parameters = extra_float_digits, options"
		# a server login that fails must fail the test, not hang it
		echo "query_wait_timeout = 20"
		echo "server_login_retry = 1"
		echo "pidfile = $bouncer/pgbouncer.pid"
		echo "logfile = $bouncer/pgbouncer.log"
	} >"$bouncer/pgbouncer.ini"
	printf '"%s" "%s"\n' "${PGUSER:-$(id -un)}" "${PGPASSWORD:-}" >"$bouncer/users.txt"
	[ "$(id -u)" != 0 ] || chown postgres "$bouncer"/*
	as_postgres pgbouncer -d "$bouncer/pgbouncer.ini" || return 1
	for _ in $(seq 1 50); do
		[ -s "$bouncer/pgbouncer.pid" ] && break
		sleep 0.1
	done
	timeout 30 psql -X -At -d "host=127.0.0.1 port=$port dbname=$PGDATABASE" -c 'SELECT 1' >/dev/null 2>&1 && return 0
	cat "$bouncer/pgbouncer.log" >&2
	return 1
}
stop_bouncer() {
	[ -f "$bouncer/pgbouncer.pid" ] && kill "$(cat "$bouncer/pgbouncer.pid")" 2>/dev/null
	for _ in $(seq 1 50); do
		[ -f "$bouncer/pgbouncer.pid" ] || break
		sleep 0.1
	done
}
trap 'stop_bouncer; rm -rf "$bouncer"; cleanup' EXIT

cd "$scratch" || exit 1
mkdir -p migrations sql/__test__
echo 'CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL);' >migrations/001_items.sql
echo "CREATE VIEW stock AS SELECT sum(qty) AS total FROM items WHERE current_setting('pgmg.param.env') <> '';" >sql/stock.sql
echo "DO \$\$ BEGIN IF (SELECT count(*) FROM stock) <> 1 THEN RAISE 'no stock'; END IF; END \$\$;" >sql/__test__/test_stock.sql
printf 'migrations_dir = "migrations"\ncode_dir = "sql"\n[params]\nenv = "pooled"\n' >pgmg.toml
sql 'CREATE EXTENSION pgmg' >/dev/null

for mode in transaction session; do
	start_bouncer "$mode" || bail_out "pgbouncer did not start in $mode mode"
	via="host=127.0.0.1 port=$port dbname=$PGDATABASE"
	for round in 1 2 3; do
		echo "CREATE VIEW stock AS SELECT sum(qty) AS total, $round AS round FROM items WHERE current_setting('pgmg.param.env') <> '';" >sql/stock.sql
		out=$(pgmg apply --connection-string="$via" 2>&1); status=$?
		is "$status" 0 "$mode mode: apply $round succeeds"
		[ "$status" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
		out=$(pgmg plan --exit-code --connection-string="$via" 2>&1); status=$?
		is "$status" 0 "$mode mode: plan $round finds nothing left"
		[ "$status" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
	done
	out=$(pgmg status --connection-string="$via" 2>&1); status=$?
	is "$status" 0 "$mode mode: status works"
	out=$(pgmg test --connection-string="$via" 2>&1); status=$?
	is "$status" 0 "$mode mode: test works"
	like "$out" "1 passed, 0 failed" "$mode mode: and runs the test"
	# the server connection the next client gets is the one pgmg used
	left=$(psql -X -At -d "$via" -c "SELECT (SELECT count(*) FROM pg_class WHERE relpersistence = 't' AND relname LIKE 'pgmg%') || ',' || coalesce(current_setting('pgmg.param.env', true), '') || ',' || current_setting('lock_timeout')")
	is "$left" "0,,0" "$mode mode: pgmg left no temporary table, setting or lock timeout in the shared connection"
	stop_bouncer
done
is "$(sql 'SELECT round FROM stock')" 3 "the last apply's view is there"
is "$(sql 'SELECT count(*) FROM pgmg.pgmg_migrations')" 1 "the migration ran once"

done_testing
