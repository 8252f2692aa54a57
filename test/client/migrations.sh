#!/bin/sh
# test/client/migrations.sh - bin/pgmg with a migrations directory: a
# CREATE INDEX CONCURRENTLY migration run outside the transaction, checksum
# changes, out-of-order migrations, baseline, and a lock timeout.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql
printf 'CREATE TABLE items (id int PRIMARY KEY, name text);\nINSERT INTO items VALUES (1, %s);\n' "'one'" >migrations/001_items.sql
echo 'CREATE VIEW item_names AS SELECT name FROM items;' >sql/item_names.sql
printf -- '-- pgmg:no-transaction\nCREATE INDEX CONCURRENTLY items_name_idx ON items (name);\n' >migrations/002_index.sql
echo 'ALTER TABLE items ALTER COLUMN name TYPE varchar(50);' >migrations/003_widen.sql

out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "plan with a no-transaction migration exits 0"
like "$out" "Pending data migration: 002_index.sql" "the no-transaction migration is pending"
like "$out" "Run migration outside a transaction: 002_index.sql" "plan says it runs outside a transaction"
like "$out" "Pending data migration: 003_widen.sql" "plan lists the migration after the pause as pending"
like "$out" "Then: run migration: 003_widen.sql" "and shows it in the execution order, after the pause"
json=$(pgmg plan --migrations-dir=migrations --code-dir=sql --format=json 2>/dev/null | json_part steps)
is "$(sql "SELECT string_agg(e->>'action' || ':' || (e->>'object'), ',' ORDER BY (e->>'step')::int) FROM jsonb_array_elements(\$j\$$json\$j\$::jsonb) e")" \
	"migrate:001_items.sql,pause:002_index.sql,later:003_widen.sql,later:item_names.sql" "the JSON plan has every step of the whole run"

out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "apply through a no-transaction migration exits 0"
like "$out" "Running 002_index.sql outside a transaction" "the client runs it on its own"
like "$out" "+ Applied migration: 003_widen.sql" "and goes on with the next migration"
is "$(sql "SELECT count(*) FROM pg_indexes WHERE indexname = 'items_name_idx'")" 1 "the index exists"
is "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass")" t "and is valid"
is "$(sql "SELECT string_agg(name, ',' ORDER BY name) FROM pgmg.pgmg_migrations")" "001_items.sql,002_index.sql,003_widen.sql" "all three are recorded"
is "$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'name'")" "character varying(50)" "the column under the view was altered"
is "$(sql 'SELECT name FROM item_names')" one "the view is back and the data survived"
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql --exit-code 2>&1); status=$?
is "$status" 0 "nothing is pending afterwards"

# an applied migration that changed
echo '-- an edit' >>migrations/001_items.sql
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 4 "a changed applied migration is an error"
like "$out" 'applied migration "001_items.sql" has changed' "naming the file"
like "$out" "Recorded checksum" "and both checksums"
printf 'CREATE TABLE items (id int PRIMARY KEY, name text);\r\nINSERT INTO items VALUES (1, %s);   \r\n\r\n' "'one'" >migrations/001_items.sql
pgmg plan --migrations-dir=migrations --code-dir=sql --exit-code >/dev/null 2>&1; status=$?
is "$status" 0 "CRLF and trailing whitespace are not changes"

# out of order
echo 'CREATE TABLE early (id int);' >migrations/002a_early.sql
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 4 "a migration sorting before the newest applied one is refused"
like "$out" 'sorts before the newest applied migration "003_widen.sql"' "the error names both"
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql --allow-out-of-order 2>&1); status=$?
is "$status" 0 "--allow-out-of-order runs it"
is "$(sql "SELECT to_regclass('early') IS NOT NULL")" t "the late migration ran"

# baseline: a database that predates pgmg
echo 'CREATE TABLE legacy (id int);' >migrations/004_legacy.sql
echo 'CREATE TABLE newer (id int);' >migrations/005_newer.sql
sql 'CREATE TABLE legacy (id int)' >/dev/null
out=$(pgmg baseline 004_legacy.sql --migrations-dir=migrations 2>&1); status=$?
is "$status" 0 "baseline exits 0"
like "$out" "Marked as applied: 004_legacy.sql" "baseline says what it marked"
is "$(sql "SELECT baseline FROM pgmg.pgmg_migrations WHERE name = '004_legacy.sql'")" t "recorded as a baseline"
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1)
like "$out" "Pending data migration: 005_newer.sql" "later migrations stay pending"
unlike "$out" "004_legacy.sql" "the baselined one is not"
pgmg baseline --migrations-dir=migrations >/dev/null 2>&1; status=$?
is "$status" 2 "baseline without a name is a usage error"

# a lock timeout gives up and names what it was waiting to do
pgmg apply --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1
echo 'ALTER TABLE items ALTER COLUMN name TYPE varchar(60);' >migrations/006_extra.sql
psql -X -q -c "BEGIN; LOCK TABLE item_names IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;" >/dev/null 2>&1 &
locker=$!
sleep 1
out=$(PGOPTIONS='-c pgmg.lock_retries=0' pgmg apply --migrations-dir=migrations --code-dir=sql --lock-timeout=300ms 2>&1); status=$?
wait "$locker"
is "$status" 6 "apply under a held lock fails with --lock-timeout"
like "$out" "canceling statement due to lock timeout" "with PostgreSQL's lock timeout error"
like "$out" "drop view.public.item_names" "naming the object it waited for"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations WHERE name = '006_extra.sql'")" 0 "nothing was recorded"
pgmg apply --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1; status=$?
is "$status" 0 "the next apply succeeds"

# a no-transaction migration that stops half way (the client dies, or a
# statement fails) is recorded as started: every later apply stops and says
# what to do, and pgmg repair resolves it
printf -- '-- pgmg:no-transaction\nCREATE TABLE half (id int);\nCREATE INDEX CONCURRENTLY half_idx ON no_such_table (id);\n' >migrations/007_half.sql
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "a no-transaction migration failing half way fails the apply"
like "$out" "recorded as started, and may have run in part" "saying it may have run in part"
is "$(sql "SELECT state FROM pgmg.pgmg_migrations WHERE name = '007_half.sql'")" started "it is recorded as started"
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 4 "the next apply stops"
like "$out" 'migration "007_half.sql" was started outside a transaction and never recorded as finished' "saying why"
like "$out" "pgmg repair 007_half.sql --applied" "and how to resolve it"
unlike "$out" 'relation "half" already exists' "instead of failing on what the first half made"
like "$(pgmg status --migrations-dir=migrations --code-dir=sql 2>&1)" "started    007_half.sql" "status shows it as started"
pgmg repair 007_half.sql >/dev/null 2>&1; status=$?
is "$status" 2 "repair without --applied or --forget is a usage error"
out=$(pgmg repair 001_items.sql --forget --migrations-dir=migrations 2>&1); status=$?
is "$status" 1 "forgetting an applied migration whose file is there fails"
like "$out" 'migration "001_items.sql" was applied and its file is still there' "saying so: it would run again"
sql 'DROP TABLE half' >/dev/null
out=$(pgmg repair 007_half.sql --forget 2>&1); status=$?
is "$status" 0 "repair --forget resolves it"
printf -- '-- pgmg:no-transaction\nCREATE TABLE half (id int);\nCREATE INDEX CONCURRENTLY half_idx ON half (id);\n' >migrations/007_half.sql
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "and the fixed migration runs again"
is "$(sql "SELECT state FROM pgmg.pgmg_migrations WHERE name = '007_half.sql'")" applied "and is recorded as applied"
printf -- '-- pgmg:no-transaction\nCREATE INDEX CONCURRENTLY half_id2 ON half (id);\n' >migrations/008_more.sql
# as if a client died right after starting it
sql "SELECT pgmg.start_migration('008_more.sql', '-- pgmg:no-transaction
CREATE INDEX CONCURRENTLY half_id2 ON half (id);')" >/dev/null
sql 'CREATE INDEX half_id2 ON half (id)' >/dev/null
out=$(pgmg repair 008_more.sql --applied 2>&1); status=$?
is "$status" 0 "repair --applied marks a finished one applied"
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql --exit-code 2>&1); status=$?
is "$status" 0 "and nothing is pending afterwards"

done_testing
