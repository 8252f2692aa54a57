#!/bin/sh
# test/client/limits.sh - resource limits: on a private server with a tiny
# lock table, plan warns before an apply that cannot fit, and such an apply
# fails cleanly, changing nothing; in the test cluster, an apply of 5,000
# objects succeeds and leaves nothing to do.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1

# a server whose lock table holds 10 * (5 connections + 2 background
# processes) = 70 locks
small=$(mktemp -d)
trap 'server_stop "$small/data"; rm -rf "$small"; cleanup' EXIT
[ "$(id -u)" != 0 ] || chown postgres "$small"
as_postgres initdb -D "$small/data" -A trust -E UTF8 --no-sync >"$small/initdb.log" 2>&1
ok $? "initdb makes a private cluster"
conn=$(server_start "$small/data" "max_connections = 5" "superuser_reserved_connections = 1" \
	"max_locks_per_transaction = 10" "autovacuum_max_workers = 1" "max_worker_processes = 0" \
	"max_wal_senders = 0" "fsync = off") || bail_out "the private server did not start"
ok 0 "it starts with max_locks_per_transaction = 10 and max_connections = 5"
psql -X -q -d "$(printf '%s' "$conn" | sed 's/dbname=.*/dbname=postgres/')" \
	-c "CREATE DATABASE $PGDATABASE" -c "CREATE DATABASE ${PGDATABASE}_2" 2>/dev/null
ok $? "with two test databases"
conn2="${conn}_2"

# views, each on a table of its own: every one is a lock
views() {
	rm -rf migrations sql
	mkdir -p migrations sql
	i=1
	while [ "$i" -le "$1" ]; do
		echo "CREATE TABLE t$i (id int);" >>migrations/001_tables.sql
		echo "CREATE VIEW v$i AS SELECT id FROM t$i;" >"sql/v$i.sql"
		i=$((i + 1))
	done
}

# 15 views: 30 entries (each view and its row type) and pgmg's own fit
views 15
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql --connection-string="$conn" 2>&1); status=$?
is "$status" 0 "plan of 15 views runs"
unlike "$out" "lock table" "and does not warn: they fit"
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql --connection-string="$conn" 2>&1); status=$?
is "$status" 0 "apply of 15 views succeeds"
# 30 views are 60 entries, 76 with pgmg's own: the count is of entries,
# not of objects (30 would have fitted)
views 30
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql --connection-string="$conn2" 2>&1)
like "$out" "this plan drops or creates 30 objects, taking about 76 entries of the lock table, which holds 70" \
	"30 views are counted as the 76 entries they take"
conn=$conn2

views 2000
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql --connection-string="$conn" 2>&1); status=$?
is "$status" 0 "plan of 2,000 views runs"
like "$out" "WARNING:  01000: this plan drops or creates 2000 objects, taking about 4016 entries of the lock table, which holds 70" "and warns that they will not fit in the lock table"
like "$out" "HINT:  Raise max_locks_per_transaction (now 10)" "saying what to do"
like "$out" "CREATE VIEW public.v2000" "the plan is still shown"
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql --connection-string="$conn" 2>&1); status=$?
is "$status" 1 "apply of 2,000 views fails"
like "$out" "53200: out of shared memory" "out of lock table space (53200)"
like "$out" "max_locks_per_transaction" "with PostgreSQL's hint"
is "$(psql -X -At -d "$conn" -c "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace) + (SELECT count(*) FROM pgmg.pgmg_state) + (SELECT count(*) FROM pgmg.pgmg_migrations)")" 0 \
	"and changes nothing: no table, view or state row"
server_stop "$small/data"

# the test cluster allows a large apply
perl "$repo_root/bench/generate.pl" big 5000 200 >/dev/null
n=$(find big/sql -name '*.sql' | wc -l)
ok "$([ "$n" -ge 5000 ]; echo $?)" "a generated project of $n code files"
out=$(pgmg apply --migrations-dir=big/migrations --code-dir=big/sql 2>&1); status=$?
is "$status" 0 "an apply of 5,000 objects succeeds when the lock table allows it"
is "$(sql 'SELECT count(*) >= 5000 FROM pgmg.pgmg_state')" t "every object is recorded"
is "$(pgmg plan --migrations-dir=big/migrations --code-dir=big/sql)" "PLAN: nothing to do." "and nothing is left to do"

done_testing
