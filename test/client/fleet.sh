#!/bin/sh
# test/client/fleet.sh - one project over a fleet: 20 tenant databases
# listed by a [targets.tenants] query plus a database on a second cluster,
# applied --jobs 4 at a time; a tenant broken on purpose stops the run
# (the rest not started, and the report says so) or, with
# --continue-on-error, fails alone; fixed, the fleet converges and plans
# alike everywhere; a failing canary applies nothing else; drift in one
# tenant is named; a hot standby is planned, never applied, and plans as
# its primary once the primary's apply has replicated.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
prefix=pgmg_fl_$$
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do
	createdb "${prefix}_$i" || bail_out "createdb failed"
done

# a second cluster, on another port
other=$(mktemp -d)
[ "$(id -u)" != 0 ] || chown postgres "$other"
as_postgres initdb -D "$other/data" -A trust -U postgres >"$other/initdb.log" 2>&1 || bail_out "initdb failed"
standby=$(mktemp -d)
trap 'server_stop "$other/data"; server_stop "$standby/data"; rm -rf "$other" "$standby"; for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do PGDATABASE=postgres dropdb --if-exists "${prefix}_$i" >/dev/null 2>&1; done; cleanup' EXIT
other_conn=$(PGDATABASE=postgres server_port=5498 server_start "$other/data") || bail_out "the second cluster did not start"
ok 0 "a second cluster runs on port 5498"

mkdir -p migrations sql/views
cat >pgmg.toml <<EOF
migrations_dir = "migrations"
code_dir = "sql"

[targets]
other = "$other_conn"

[targets.tenants]
server = "dbname=postgres"
query = "SELECT datname FROM pg_database WHERE datname LIKE '${prefix}_%' ORDER BY 1"
EOF
echo 'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);' >migrations/001_items.sql
echo 'CREATE VIEW item_names AS SELECT name FROM items;' >sql/views/item_names.sql
on() { PGDATABASE=${prefix}_$1 psql -X -q -At -c "$2" 2>&1; }

# one tenant broken on purpose: a table made by hand where the migration makes one
on 07 'CREATE TABLE items (legacy int)' >/dev/null

out=$(pgmg apply --targets=tenants 2>"$scratch/err"); status=$?
err=$(cat "$scratch/err")
is "$status" 7 "stop on error (the default): some succeeded, one failed: exit 7"
like "$err" "[7/20] tenants/${prefix}_07: failed (error, exit 1)" "the progress line names the failure"
like "$out" "tenants/${prefix}_06  succeeded" "the report: the targets before it succeeded"
like "$out" "tenants/${prefix}_07  failed" "the broken one failed"
like "$out" "42P07: relation \"items\" already exists at migrations/001_items.sql:1:1" "with its error at file:line:column from the project root"
like "$out" "tenants/${prefix}_08  not started" "the rest were not started"
like "$err" "13 target(s) not started: a target failed and --continue-on-error was not given." "and it says so"
is "$(on 06 'SELECT count(*) FROM item_names')" 0 "tenant 06 has the project"
is "$(on 08 "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgmg'")" 0 "tenant 08 was not touched"

out=$(pgmg apply --all-targets --jobs=4 --continue-on-error 2>"$scratch/err"); status=$?
is "$status" 7 "--continue-on-error --jobs=4 over all: exit 7 (some failed)"
is "$(printf '%s\n' "$out" | grep -c '  succeeded ')" 20 "every other target succeeded (19 tenants and the other cluster)"
like "$out" "tenants/${prefix}_07  failed" "the broken one failed again"
is "$(grep -c '^pgmg: \[[0-9]*/21\] ' "$scratch/err")" 21 "a progress line per target"
is "$(psql -X -At -d "$other_conn" -c 'SELECT count(*) FROM item_names')" 0 "the second cluster has the project"
is "$(on 20 'SELECT count(*) FROM item_names')" 0 "and the last tenant"
max_running=$(sed -n 's/.* failed, \([0-9]*\) running, .*/\1/p' "$scratch/err" | sort -n | tail -n 1)
ok "$([ "$max_running" -le 3 ] && [ "$max_running" -ge 1 ]; echo $?)" "at most 4 at a time (after a finish, $max_running still running)"

on 07 'DROP TABLE items' >/dev/null
out=$(pgmg apply --all-targets --jobs=4 2>/dev/null); status=$?
is "$status" 0 "fixed, a rerun over all targets exits 0"
is "$(printf '%s\n' "$out" | grep -c '  succeeded ')" 21 "every target succeeded"
out=$(pgmg plan --all-targets --jobs=4 --exit-code 2>/dev/null); status=$?
is "$status" 0 "and plan --exit-code over the fleet: nothing pending anywhere"
like "$out" "Every target that answered plans the same steps." "the fleet has converged"

# drift in one tenant is visible at a glance
on 05 'DROP VIEW item_names' >/dev/null
out=$(pgmg plan --all-targets --jobs=4 2>/dev/null); status=$?
is "$status" 0 "plan over the fleet with drift in one tenant"
like "$out" "The targets differ: 20 of them plan the same steps; these do not:
  tenants/${prefix}_05 (1 step(s))" "names the one that differs"
out=$(pgmg status --all-targets --jobs=4 2>/dev/null)
like "$out" "The targets differ: 20 of them are in the same state; these are not:
  tenants/${prefix}_05" "status names it too"
pgmg apply --targets="tenants/${prefix}_05" >/dev/null 2>&1

# a failing canary applies nothing else
echo 'CREATE TABLE notes (id int, body text);' >migrations/002_notes.sql
on 03 'CREATE TABLE notes (x int)' >/dev/null
out=$(pgmg check --all-targets --jobs=4 2>/dev/null); status=$?
is "$status" 7 "check over the fleet finds the one tenant where the apply would fail: exit 7"
like "$(printf '%s\n' "$out" | grep "_03 ")" "failed            1" "that tenant: 1 failing step"
like "$(printf '%s\n' "$out" | grep "_03 ")" "1 step(s) would fail" "saying so"
is "$(printf '%s\n' "$out" | grep -c '  checked ')" 20 "the others would apply"
out=$(pgmg hazards --all-targets --jobs=4 2>/dev/null); status=$?
is "$status" 0 "hazards over the fleet"
like "$out" "Every target that answered has the same hazards." "alike everywhere"
out=$(pgmg apply --all-targets --jobs=4 --canary="tenants/${prefix}_03" 2>"$scratch/err"); status=$?
is "$status" 1 "a failing canary: exit 1 (none succeeded)"
like "$(head -n 2 "$scratch/err")" "[1/21] tenants/${prefix}_03: failed" "the canary ran first, alone"
is "$(printf '%s\n' "$out" | grep -c '  not started ')" 20 "and nothing else was started"
is "$(on 04 "SELECT count(*) FROM pg_class WHERE relname = 'notes'")" 0 "no other tenant has the migration"
on 03 'DROP TABLE notes' >/dev/null
out=$(pgmg apply --all-targets --jobs=4 --canary="tenants/${prefix}_03" 2>"$scratch/err"); status=$?
is "$status" 0 "a good canary: the rest follow"
like "$(head -n 2 "$scratch/err")" "[1/21] tenants/${prefix}_03: succeeded" "after it"

# the JSON envelope: one entry per target, each with its own envelope
env=$(pgmg plan --targets=other,tenants --jobs=4 --format=json 2>/dev/null); status=$?
is "$status" 0 "plan --format=json over the fleet"
is "$(printf '%s' "$env" | perl -MJSON::PP -e 'my $e = decode_json(join("", <STDIN>)); print scalar(@{$e->{targets}}), " ", $e->{counts}{planned}, " ", $e->{targets}[0]{name}, " ", $e->{targets}[0]{envelope}{command}, " ", $e->{targets}[1]{envelope}{target}{database}')" \
	"21 21 other plan ${prefix}_01" "one entry per target, in order, each with its envelope"
printf '%s' "$env" >"$scratch/env.json"
is "$("$python" -c 'import json, sys; from jsonschema import Draft202012Validator as V; s = json.load(open(sys.argv[1])); print(len(list(V(s).iter_errors(json.load(open(sys.argv[2]))))))' "$repo_root/bin/pgmg.schema.json" "$scratch/env.json")" 0 \
	"valid against the schema"

# usage
out=$(pgmg apply --targets=nope 2>&1); status=$?
is "$status" 2 "an unknown target is a usage error"
like "$out" "unknown target: nope" "naming it"
out=$(pgmg apply --targets=tenants --jobs=0 2>&1); status=$?
is "$status" 2 "--jobs must be 1 or more"
out=$(pgmg apply --canary=other 2>&1); status=$?
is "$status" 2 "--canary needs --targets"

# a database whose name needs quoting, listed by a query on a server named
# by a URI: the name is percent-encoded into it
odd="pgmg fl $$ odd/é"
createdb "$odd" || bail_out "createdb failed"
printf '[targets.odd]\nserver = "postgresql://127.0.0.1:%s/postgres?application_name=fleet"\nquery = "SELECT datname FROM pg_database WHERE datname LIKE '"'"'pgmg fl %s odd%%'"'"'"\n' "${PGPORT:-5432}" "$$" >>pgmg.toml
out=$(pgmg apply --targets=odd 2>&1); status=$?
is "$status" 0 "a target whose database name has blanks, a slash and UTF-8, on a URI server"
like "$out" "odd/$odd" "named in the report"
is "$(PGDATABASE=$odd psql -X -At -c 'SELECT count(*) FROM item_names')" 0 "and applied there"
PGDATABASE=postgres dropdb "$odd"
sed -i '/^\[targets.odd\]$/,$d' pgmg.toml

# a hot standby of the test cluster: planned, never applied
sql 'CHECKPOINT' >/dev/null
[ "$(id -u)" != 0 ] || chown postgres "$standby"
as_postgres pg_basebackup -D "$standby/data" -R -X stream -c fast >"$standby/basebackup.log" 2>&1
ok $? "pg_basebackup makes a standby of the test cluster"
limits=$(sql "SELECT string_agg(name || ' = ' || setting, ',') FROM pg_settings WHERE name IN ('max_connections', 'max_locks_per_transaction', 'max_worker_processes', 'max_prepared_transactions', 'max_wal_senders')")
IFS=,
# shellcheck disable=SC2086
replica=$(PGDATABASE=${prefix}_01 server_start "$standby/data" "hot_standby = on" $limits) || bail_out "the standby did not start"
unset IFS
printf '[targets.replica]\nserver = "%s"\nquery = "SELECT '"'"'%s'"'"'"\n' "$replica" "${prefix}_01" >>pgmg.toml
echo 'ALTER TABLE items ADD COLUMN note text;' >migrations/003_note.sql
out=$(pgmg apply --targets="replica,tenants/${prefix}_01" 2>/dev/null); status=$?
is "$status" 0 "apply over a standby and its primary's database: exit 0"
like "$out" "replica/${prefix}_01" "the standby is in the report"
like "$(printf '%s\n' "$out" | grep "^replica/")" "standby" "as a standby, planned only"
primary_lsn=$(sql 'SELECT pg_current_wal_lsn()')
i=0
while [ "$(psql -X -At -d "$replica" -c "SELECT pg_last_wal_replay_lsn() >= '$primary_lsn'")" != t ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
is "$(psql -X -At -d "$replica" -c "SELECT count(*) FROM pgmg.pgmg_migrations WHERE name = '003_note.sql'")" 1 "the primary's apply replicated to the standby"
echo 'CREATE VIEW item_names AS SELECT name, note FROM items;' >sql/views/item_names.sql
out=$(pgmg plan --targets="replica,tenants/${prefix}_01" 2>/dev/null); status=$?
is "$status" 0 "plan on the standby and on its primary"
like "$out" "Every target that answered plans the same steps." "the standby plans as its primary"
like "$(printf '%s\n' "$out" | grep "^replica/")" "planned" "planned on the standby"

# a target of its own connection string with a lock timeout of its own
printf '[targets.busy]\nconnection_string = "dbname=%s"\nlock_timeout = "200ms"\n' "${prefix}_02" >>pgmg.toml
echo 'ALTER TABLE items ADD COLUMN extra int;' >migrations/004_extra.sql
PGDATABASE=${prefix}_02 psql -X -q -c "BEGIN; LOCK TABLE items; SELECT pg_sleep(8);" >/dev/null 2>&1 &
locker=$!
i=0
while [ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.datname = '${prefix}_02' AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
started_at=$(date +%s)
out=$(PGOPTIONS="-c pgmg.lock_retries=0" pgmg apply --targets=busy 2>/dev/null); status=$?
took=$(($(date +%s) - started_at))
is "$status" 6 "[targets.busy] with lock_timeout = 200ms: the lock wait times out, exit 6"
like "$out" "55P03" "with the lock timeout's SQLSTATE"
ok "$([ "$took" -lt 4 ]; echo $?)" "after its own 200 ms, not the default 5 s (took ${took} s)"
kill "$locker" 2>/dev/null
wait "$locker" 2>/dev/null
rm migrations/004_extra.sql

done_testing
