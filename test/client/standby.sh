#!/bin/sh
# test/client/standby.sh - plan and status on a hot standby of the test
# cluster (made with pg_basebackup), through the client and the SQL API;
# every command that writes fails there clearly and changes nothing.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql
echo 'CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL);' >migrations/001_items.sql
echo 'CREATE VIEW stock AS SELECT sum(qty) AS total FROM items;' >sql/stock.sql
pgmg apply --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1
sql 'CHECKPOINT' >/dev/null

standby=$(mktemp -d)
[ "$(id -u)" != 0 ] || chown postgres "$standby"
as_postgres pg_basebackup -D "$standby/data" -R -X stream -c fast >"$standby/basebackup.log" 2>&1
ok $? "pg_basebackup makes a standby"
# a standby needs the primary's limits, or higher
limits=$(sql "SELECT string_agg(name || ' = ' || setting, ',') FROM pg_settings WHERE name IN ('max_connections', 'max_locks_per_transaction', 'max_worker_processes', 'max_prepared_transactions', 'max_wal_senders')")
trap 'server_stop "$standby/data"; rm -rf "$standby"; cleanup' EXIT
IFS=,
# shellcheck disable=SC2086
conn=$(server_start "$standby/data" "hot_standby = on" $limits) || bail_out "the standby did not start"
unset IFS
ok 0 "the standby starts"
is "$(psql -X -At -d "$conn" -c 'SELECT pg_is_in_recovery()')" t "it is in recovery"

# the files change after the backup
echo 'ALTER TABLE items ADD COLUMN note text;' >migrations/002_note.sql
echo 'CREATE VIEW stock AS SELECT sum(qty) AS total, count(*) AS n FROM items;' >sql/stock.sql

out=$(pgmg plan --migrations-dir=migrations --code-dir=sql --connection-string="$conn" 2>&1); status=$?
is "$status" 0 "plan runs on the hot standby"
like "$out" "Pending data migration: 002_note.sql" "and shows the pending migration"
like "$out" "stock.sql (modified" "and the changed view"
is "$(pgmg plan --migrations-dir=migrations --code-dir=sql --format=json --connection-string="$conn" 2>/dev/null | json_part steps)" \
	"$(pgmg plan --migrations-dir=migrations --code-dir=sql --format=json 2>/dev/null | json_part steps)" "the standby's plan is the primary's"
out=$(pgmg status --migrations-dir=migrations --code-dir=sql --connection-string="$conn" 2>&1); status=$?
is "$status" 0 "status runs on the hot standby"
like "$out" "pending    002_note.sql" "and reports the pending migration"

for c in apply test deploy; do
	out=$(pgmg "$c" --migrations-dir=migrations --code-dir=sql --connection-string="$conn" 2>&1); status=$?
	is "$status" 1 "$c fails on the standby"
	like "$out" "25006: the session is read-only (a hot standby, or default_transaction_read_only)" "$c says why"
done
is "$(sql 'SELECT count(*) FROM pgmg.pgmg_migrations')" 1 "the primary is unchanged"

# the SQL API
files="{\"code\": {\"stock.sql\": \"CREATE VIEW stock AS SELECT 1 AS one;\"}}"
is "$(psql -X -At -d "$conn" -c "SELECT string_agg(action, ',' ORDER BY step) FROM pgmg.plan('$files')")" "drop,create" "pgmg.plan() runs on the standby"
out=$(psql -X -At -v VERBOSITY=verbose -d "$conn" -c "SELECT * FROM pgmg.apply('$files')" 2>&1)
like "$out" "25006" "pgmg.apply() fails there with SQLSTATE 25006"
like "$out" "cannot execute pgmg.apply() in a read-only transaction" "saying so"

# a read-only transaction on the primary behaves the same
out=$(PGOPTIONS='-c default_transaction_read_only=on' pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "plan runs in a read-only session"
out=$(PGOPTIONS='-c default_transaction_read_only=on' pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "apply fails in a read-only session"
like "$out" "the session is read-only" "saying why"

done_testing
