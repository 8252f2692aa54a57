#!/bin/sh
# test/client/operations.sh - what a DBA needs to run pgmg on production:
# hazards in the plan on a table of 200,000 rows (each kind, none on a
# small table or for the safe patterns), --fail-on and -- pgmg:allow; the
# history of applies (success, failure, lock timeout, statement timeout,
# repairs); NOTIFY pgmg as a listener sees it (committed outcomes only);
# repair of edited and deleted migrations; empty migrations.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql
cat >migrations/001_tables.sql <<'EOF'
CREATE TABLE orders (id int PRIMARY KEY, amount int, customer int, note text, code varchar(20));
CREATE TABLE tiny (id int PRIMARY KEY, amount int, note text);
CREATE TABLE customers (id int PRIMARY KEY);
EOF
echo 'CREATE MATERIALIZED VIEW order_totals AS SELECT id % 1000 AS bucket, sum(amount) AS total, count(*) AS n FROM orders GROUP BY 1;' >sql/order_totals.sql
pgmg apply --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1
sql "INSERT INTO orders SELECT g, g, g % 100, 'n', 'c' FROM generate_series(1, 200000) g; INSERT INTO tiny VALUES (1, 1, 'x'); INSERT INTO customers SELECT generate_series(0, 99); ANALYZE orders; ANALYZE tiny; ANALYZE customers; REFRESH MATERIALIZED VIEW order_totals" >/dev/null
is "$(sql "SELECT outcome || ' ' || steps || ' ' || array_to_string(migrations, ',') FROM pgmg.pgmg_history ORDER BY id DESC LIMIT 1")" \
	"succeeded 2 001_tables.sql" "a committed apply writes its history row: outcome, steps, migrations"

# ---------------------------------------------------------------- hazards

cat >migrations/002_risky.sql <<'EOF'
ALTER TABLE orders ALTER COLUMN amount TYPE bigint;
CREATE INDEX orders_customer_idx ON orders (customer);
ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE orders
	ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer) REFERENCES customers (id);
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0);
ALTER TABLE orders ALTER COLUMN customer SET NOT NULL;
ALTER TABLE orders DROP COLUMN note;
ALTER TABLE orders ALTER COLUMN code TYPE varchar(5);
UPDATE orders SET customer = customer + 0;
ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);
ALTER TABLE tiny ALTER COLUMN amount TYPE bigint;
CREATE INDEX tiny_amount_idx ON tiny (amount);
ALTER TABLE tiny ADD CONSTRAINT tiny_amount_positive CHECK (amount > 0);
EOF
envelope=$(pgmg hazards --migrations-dir=migrations --code-dir=sql --format=json 2>/dev/null); status=$?
json=$(printf '%s' "$envelope" | json_part hazards)
is "$status" 0 "hazards exits 0 without --fail-on"
hazard_list() {
	perl -MJSON::PP -e 'print join(",", map { "$_->{line}:$_->{code}:$_->{severity}" } @{decode_json(join("", <STDIN>))}), "\n"'
}
is "$(printf '%s' "$json" | hazard_list)" \
	"1:table_rewrite:high,2:index_build:high,3:table_rewrite:high,5:constraint_validation:medium,6:constraint_validation:medium,7:not_null_scan:medium,8:data_loss:high,9:data_loss:high,9:table_rewrite:high,10:bulk_write:medium,11:index_build:high" \
	"each hazard of the large table, with its line; none for the small table but data loss"
like "$json" '"rows":200000' "with the row estimate"
like "$json" '"object":"table.public.orders"' "and the table"
like "$json" 'narrows it from character varying(20)' "a narrower type is data loss"
like "$json" 'NOT VALID, then VALIDATE CONSTRAINT' "each names the safer pattern"

# whole-table statements, in a second migration
cat >migrations/003_more.sql <<'EOF'
ALTER TABLE orders SET UNLOGGED;
CLUSTER orders USING orders_pkey;
TRUNCATE tiny;
DELETE FROM orders;
DROP TABLE tiny, customers;
EOF
json=$(PGOPTIONS="-c pgmg.hazard_objects=1" pgmg hazards --migrations-dir=migrations --code-dir=sql --format=json 2>/dev/null | json_part hazards)
is "$(printf '%s' "$json" | perl -MJSON::PP -e 'print join(",", map { "$_->{line}:$_->{code}" . ($_->{object} =~ /tiny|customers/ ? "($&)" : "") } grep { ($_->{file} // "") eq "003_more.sql" } @{decode_json(join("", <STDIN>))}), "\n"')" \
	"1:table_rewrite,2:table_rewrite,3:data_loss(tiny),4:data_loss,5:data_loss(tiny),5:data_loss(customers)" \
	"SET UNLOGGED and CLUSTER rewrite; TRUNCATE, DELETE without WHERE and DROP TABLE lose rows, even of a small table"
like "$json" '"code":"many_objects"' "a plan dropping pgmg.hazard_objects objects or more is a hazard"
rm migrations/003_more.sql

out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "plan shows hazards and exits 0 without --fail-on"
like "$out" "Hazards:" "under the steps"
like "$out" "- HIGH table_rewrite: migrations/002_risky.sql:1: ALTER COLUMN amount TYPE bigint rewrites public.orders" "at path:line from where pgmg runs"
like "$out" "about 200000 rows" "with the estimate in prose"
pgmg plan --migrations-dir=migrations --code-dir=sql --fail-on=medium >/dev/null 2>&1; status=$?
is "$status" 4 "plan --fail-on=medium exits 4"
before=$(sql "SELECT count(*) FROM pgmg.pgmg_migrations")
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql --fail-on=high 2>&1); status=$?
is "$status" 4 "apply --fail-on=high refuses with exit 4"
like "$out" "the plan has hazards of severity high or higher that are not acknowledged" "saying why"
like "$out" "HIGH index_build: 002_risky.sql:2" "and naming each"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations")" "$before" "nothing was applied"
is "$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'amount'")" integer "the table is untouched"
is "$(sql "SELECT outcome || ' ' || sqlstate FROM pgmg.pgmg_history ORDER BY id DESC LIMIT 1")" "failed P0004" "the refusal is in the history"

# the matview that reads the retyped column is recomputed: large, it is a hazard
sql "INSERT INTO orders SELECT g, g, g % 100, 'n', 'c' FROM generate_series(200001, 400000) g; ANALYZE orders" >/dev/null
cat >migrations/002_risky.sql <<'EOF'
ALTER TABLE orders ALTER COLUMN amount TYPE bigint; -- pgmg:allow table_rewrite
EOF
out=$(PGOPTIONS="-c pgmg.hazard_rows=500" pgmg plan --migrations-dir=migrations --code-dir=sql --fail-on=high 2>&1); status=$?
is "$status" 0 "an acknowledged hazard is not refused"
like "$out" "[allowed]" "but still shown, marked allowed"
like "$out" "MEDIUM matview_recompute: " "a large materialized view recreated is a hazard"
unlike "$out" "access_exclusive" "the rewrite says the lock; no second hazard for it"
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1)
unlike "$out" "matview_recompute" "a materialized view below pgmg.hazard_rows is not"

printf 'ALTER TABLE orders ALTER COLUMN amount TYPE bigint; -- pgmg:allow table_rewite\n' >migrations/002_risky.sql
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "a misspelt acknowledgement is an error"
like "$out" 'unknown hazard code "table_rewite" in -- pgmg:allow, line 1 of migration "002_risky.sql"' "naming code, line and file"

# a partitioned table is as large as its partitions together
sql "CREATE TABLE events (id int, at date, kind text) PARTITION BY RANGE (at); CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01'); CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'); INSERT INTO events SELECT g, date '2025-06-01' + (g % 400), 'k' FROM generate_series(1, 1000) g; ANALYZE events" >/dev/null
printf 'ALTER TABLE events ALTER COLUMN kind TYPE varchar(2);\n' >migrations/002_risky.sql
json=$(PGOPTIONS="-c pgmg.hazard_rows=900" pgmg hazards --migrations-dir=migrations --code-dir=sql --format=json 2>/dev/null | json_part hazards)
is "$(printf '%s' "$json" | perl -MJSON::PP -e 'print join(",", map { "$_->{code}:$_->{rows}" } @{decode_json(join("", <STDIN>))}), "\n"')" "data_loss:1000,table_rewrite:1000" \
	"a partitioned table's rows are its partitions' (1000 rows over two, above pgmg.hazard_rows = 900)"
sql "DROP TABLE events" >/dev/null

# the safe patterns have no hazard above low
cat >migrations/002_risky.sql <<'EOF'
ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;
ALTER TABLE orders ALTER COLUMN code TYPE varchar(40);
ALTER TABLE orders ALTER COLUMN code TYPE text;
UPDATE tiny SET amount = 2;
DELETE FROM tiny WHERE id = 7;
EOF
printf -- '-- pgmg:no-transaction\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer);\n' >migrations/003_index.sql
json=$(pgmg hazards --migrations-dir=migrations --code-dir=sql --format=json 2>/dev/null | json_part hazards)
is "$(printf '%s' "$json" | hazard_list)" "1:access_exclusive:low,2:access_exclusive:low,5:access_exclusive:low,6:access_exclusive:low" \
	"safe patterns: only the brief ACCESS EXCLUSIVE locks, low (a NOT VALID foreign key, VALIDATE and CONCURRENTLY take weaker ones)"
pgmg plan --migrations-dir=migrations --code-dir=sql --fail-on=medium >/dev/null 2>&1; status=$?
is "$status" 0 "--fail-on=medium lets them through"
pgmg apply --migrations-dir=migrations --code-dir=sql --fail-on=medium >/dev/null 2>&1; status=$?
is "$status" 0 "and they apply with --fail-on=medium"
is "$(sql "SELECT string_agg(outcome || ':' || steps, ',' ORDER BY id) FROM (SELECT * FROM pgmg.pgmg_history ORDER BY id DESC LIMIT 2) h")" "succeeded:1,succeeded:0" \
	"a row for each of the two applies around the no-transaction migration"

# ---------------------------------------------------------------- events

listen_log=$scratch/listen.log
psql -X -q -c 'LISTEN pgmg' -c 'SELECT pg_sleep(8)' >"$listen_log" 2>&1 &
listener=$!
sleep 1
echo 'ALTER TABLE tiny ADD COLUMN flag boolean;' >migrations/004_flag.sql
pgmg apply --migrations-dir=migrations --code-dir=sql --vcs-commit=0123abcd >/dev/null 2>&1; status=$?
is "$status" 0 "an apply while a session listens"
echo 'CREATE TABLE broken (id int REFERENCES nowhere (id));' >migrations/005_broken.sql
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "a failing migration fails the apply"
like "$out" "Recorded as failed in pgmg.pgmg_history" "and the client says it is recorded"
pgmg test --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1
wait "$listener"
events=$(sed -n 's/^Asynchronous notification "pgmg" with payload "\(.*\)" received from server process with PID [0-9]*\.$/\1/p' "$listen_log" |
	perl -MJSON::PP -ne 'my $e = decode_json($_); print "$e->{event}", ($e->{sqlstate} ? ":$e->{sqlstate}" : ""), ($e->{vcs_commit} ? ":$e->{vcs_commit}" : ""), "\n"' | tr '\n' ' ')
is "$events" "started:0123abcd succeeded:0123abcd started failed:42P01 " \
	"a listener hears started, then the committed outcome of each apply (none for the rolled-back test run)"

row=$(sql "SELECT outcome, sqlstate, error LIKE '%nowhere%', array_to_string(migrations, ','), files_hash IS NOT NULL FROM pgmg.pgmg_history ORDER BY id DESC LIMIT 1")
is "$row" "failed|42P01|t|005_broken.sql|t" "the failure is recorded after the rollback: SQLSTATE, error, the migrations it would have run, the files"
ok_row=$(sql "SELECT vcs_commit, client_version, client_host IS NOT NULL, role = current_user, duration_ms >= 0 FROM pgmg.pgmg_history WHERE outcome = 'succeeded' ORDER BY id DESC LIMIT 1")
is "$ok_row" "0123abcd|$(pgmg --version | cut -d' ' -f2)|t|t|t" "the success row has commit, client version, host, role and duration"

# a lock timeout, and a statement timeout
rm migrations/005_broken.sql
echo 'ALTER TABLE tiny ADD COLUMN later int;' >migrations/005_later.sql
psql -X -q -c 'BEGIN' -c 'LOCK TABLE tiny' -c 'SELECT pg_sleep(4)' -c 'COMMIT' >/dev/null 2>&1 &
holder=$!
sleep 1
out=$(PGOPTIONS="-c pgmg.lock_retries=0" pgmg apply --migrations-dir=migrations --code-dir=sql --lock-timeout=200ms 2>&1); status=$?
wait "$holder"
is "$status" 6 "a lock timeout fails the apply"
is "$(sql "SELECT outcome || ' ' || sqlstate FROM pgmg.pgmg_history ORDER BY id DESC LIMIT 1")" "failed 55P03" "and is recorded as a lock timeout"
echo 'SELECT pg_sleep(2);' >migrations/006_slow.sql
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql --statement-timeout=300ms 2>&1); status=$?
is "$status" 6 "--statement-timeout bounds the apply"
like "$out" "canceling statement due to statement timeout" "with the server's message"
is "$(sql "SELECT outcome || ' ' || sqlstate FROM pgmg.pgmg_history ORDER BY id DESC LIMIT 1")" "failed 57014" "recorded too"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations WHERE name IN ('005_later.sql', '006_slow.sql')")" 0 "nothing of it stayed"
echo 'SELECT pg_sleep(10);' >migrations/006_slow.sql
started=$(date +%s)
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql --timeout=2s 2>&1); status=$?
took=$(($(date +%s) - started))
is "$status" 6 "--timeout bounds the whole command"
ok "$([ "$took" -lt 6 ] && echo 0 || echo 1)" "it gave up after about 2 s, not 10 (took $took s)"
like "$out" "pgmg: --timeout 2s reached." "saying so"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations WHERE name IN ('005_later.sql', '006_slow.sql')")" 0 "and the server rolled it back"
pgmg apply --migrations-dir=migrations --timeout=soon >/dev/null 2>&1; status=$?
is "$status" 2 "a --timeout that is not a duration is a usage error"
rm migrations/006_slow.sql

out=$(pgmg history --migrations-dir=migrations --limit=3 2>&1); status=$?
is "$status" 0 "history exits 0"
like "$out" "failed  2 step(s)" "it lists the newest applies, with the steps they planned"
like "$out" "error 57014: canceling statement due to statement timeout" "with their errors"
is "$(pgmg history --limit=2 --format=json | json_part history | perl -MJSON::PP -e 'print scalar @{decode_json(join("", <STDIN>))}')" 2 "history --format=json --limit=2 gives two rows"

# ---------------------------------------------------------------- empty migrations

: >migrations/007_empty.sql
printf -- '-- nothing yet\n' >migrations/008_comment.sql
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "an apply with empty migrations succeeds"
like "$out" 'migration "007_empty.sql" has no statements: it is not applied and not recorded' "warning naming the empty file"
like "$out" 'migration "008_comment.sql" has no statements' "and the one with only a comment"
is "$(sql "SELECT string_agg(name, ',' ORDER BY name) FROM pgmg.pgmg_migrations WHERE name > '005'")" "005_later.sql" "neither is recorded"
echo 'ALTER TABLE tiny ADD COLUMN filled int;' >migrations/007_empty.sql
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "written afterwards, it applies"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations WHERE name = '007_empty.sql'")" 1 "and is recorded then"
rm migrations/008_comment.sql

# ---------------------------------------------------------------- repair

echo '-- reviewed' >>migrations/005_later.sql
pgmg plan --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1; status=$?
is "$status" 4 "an edited applied migration stops the plan"
out=$(pgmg repair 005_later.sql --accept --migrations-dir=migrations 2>&1); status=$?
is "$status" 1 "accepting it without a reason is refused"
like "$out" "needs a reason" "saying so"
out=$(pgmg repair 005_later.sql --accept --migrations-dir=migrations --reason="comment added in review" 2>&1); status=$?
is "$status" 0 "repair --accept with a reason"
like "$out" "005_later.sql: checksum" "says what it recorded"
pgmg plan --migrations-dir=migrations --code-dir=sql --exit-code >/dev/null 2>&1; status=$?
is "$status" 0 "the plan is clean again"
out=$(pgmg repair 005_later.sql --accept --migrations-dir=migrations --reason=again 2>&1); status=$?
is "$status" 1 "accepting a matching checksum is refused"
out=$(pgmg repair 005_later.sql --forget --migrations-dir=migrations --reason=gone 2>&1); status=$?
is "$status" 1 "forgetting an applied migration whose file is there is refused"
like "$out" "its file is still there" "since it would run again"
rm migrations/005_later.sql
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1)
like "$out" "pgmg repair 005_later.sql --forget" "a deleted migration's warning says how to forget it"
out=$(pgmg repair 005_later.sql --forget --migrations-dir=migrations --reason="squashed into 001" 2>&1); status=$?
is "$status" 0 "repair --forget of a deleted migration"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations WHERE name = '005_later.sql'")" 0 "is forgotten"
is "$(sql "SELECT string_agg(detail, ',' ORDER BY id) FROM pgmg.pgmg_history WHERE outcome = 'repaired'")" "comment added in review,squashed into 001" \
	"each repair is in the history with its reason"
out=$(pgmg history --limit=1 2>&1)
like "$out" "reason: squashed into 001" "history shows it"

done_testing
