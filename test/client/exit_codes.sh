#!/bin/sh
# test/client/exit_codes.sh - every exit code class of bin/pgmg, one by
# one: 0 success, 1 SQL error, 2 usage, 3 pending, 4 refused, 5 connection,
# 6 timeout, 7 partial.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql
echo 'CREATE TABLE items (id int PRIMARY KEY, qty int);' >migrations/001_items.sql
echo 'CREATE VIEW item_qty AS SELECT id, qty FROM items;' >sql/item_qty.sql
run() {
	pgmg "$@" --migrations-dir=migrations --code-dir=sql >"$scratch/out" 2>&1
	echo $?
}

is "$(run plan --exit-code)" 3 "3: plan --exit-code with changes pending"
like "$(head -n 1 "$scratch/out")" "pgmg: database $PGDATABASE on " "the first line names the target"
like "$(head -n 1 "$scratch/out")" ", PostgreSQL 15." "with the server's version"
like "$(head -n 1 "$scratch/out")" ", project default" "and the project"
pgmg plan --migrations-dir=migrations --code-dir=sql 2>/dev/null | grep -q '^pgmg: database'; status=$?
is "$status" 1 "on stderr, not among the results"
is "$(run status --exit-code)" 3 "3: status --exit-code with changes pending"
is "$(run apply)" 0 "0: apply succeeds"
is "$(run plan --exit-code)" 0 "0: plan --exit-code with nothing pending"
is "$(run status --exit-code)" 0 "0: status --exit-code with everything applied and ok"
is "$(run plan --no-such-flag)" 2 "2: an unknown option"
mkdir "$scratch/elsewhere"
out=$(cd "$scratch/elsewhere" && pgmg apply 2>&1); status=$?
is "$status" 2 "2: apply with no project at all"
like "$out" "no project here: no pgmg.toml in $scratch/elsewhere or above it" "saying what was looked for, instead of applying nothing to libpq's default database"

echo 'INSERT INTO items VALUES (1, 1 / 0);' >migrations/002_bad.sql
is "$(run apply)" 1 "1: a migration that fails"
like "$(cat "$scratch/out")" "nothing was changed by the failed step's transaction" "which changed nothing"
rm migrations/002_bad.sql

echo '-- edited' >>migrations/001_items.sql
is "$(run plan)" 4 "4: plan refuses an applied migration that changed"
is "$(run apply)" 4 "4: so does apply"
echo 'CREATE TABLE items (id int PRIMARY KEY, qty int);' >migrations/001_items.sql
echo 'ALTER TABLE items ADD COLUMN note text;' >migrations/003_note.sql
pgmg apply --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1
echo 'ALTER TABLE items ADD COLUMN late text;' >migrations/002_late.sql
is "$(run apply)" 4 "4: a migration out of order"
rm migrations/002_late.sql

is "$(pgmg plan --connection-string=postgresql://127.0.0.1:1/nowhere --migrations-dir=migrations --code-dir=sql >"$scratch/out" 2>&1; echo $?)" 5 \
	"5: plan when the server refuses the connection"
is "$(pgmg apply --connection-string=postgresql://127.0.0.1:1/nowhere --migrations-dir=migrations --code-dir=sql >"$scratch/out" 2>&1; echo $?)" 5 \
	"5: apply too"
like "$(cat "$scratch/out")" "the connection to the database failed; nothing was committed" "saying so, not that a transaction rolled back"
is "$(PGDATABASE=pgmg_no_such_db pgmg status --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1; echo $?)" 5 \
	"5: a database that does not exist"

echo 'ALTER TABLE items ADD COLUMN later int;' >migrations/004_later.sql
psql -X -q -c 'BEGIN' -c 'LOCK TABLE items' -c 'SELECT pg_sleep(3)' -c 'COMMIT' >/dev/null 2>&1 &
holder=$!
sleep 1
is "$(PGOPTIONS="-c pgmg.lock_retries=0" run apply --lock-timeout=200ms)" 6 "6: a lock timeout"
wait "$holder"
echo 'SELECT pg_sleep(3);' >migrations/005_slow.sql
is "$(run apply --statement-timeout=200ms)" 6 "6: a statement timeout"
rm migrations/005_slow.sql

printf -- '-- pgmg:no-transaction\nCREATE INDEX CONCURRENTLY items_qty_idx ON items (qty);\n' >migrations/005_index.sql
echo 'INSERT INTO items VALUES (2, 2 / 0);' >migrations/006_bad.sql
is "$(run apply)" 7 "7: a failure after a no-transaction migration committed the steps before it"
like "$(cat "$scratch/out")" "step(s) before it were committed" "and the message says what was committed"
is "$(sql "SELECT string_agg(name, ',' ORDER BY name) FROM pgmg.pgmg_migrations")" "001_items.sql,003_note.sql,004_later.sql,005_index.sql" \
	"the part before the failure is recorded, the failed part is not"

done_testing
