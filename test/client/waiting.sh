#!/bin/sh
# test/client/waiting.sh - pgmg never waits without bound: a lock held by a
# reader is waited for at most the lock timeout, retried with pauses in
# which the readers queued behind pgmg get through, and an apply that
# gives up names the sessions in its way; so does a wait for pgmg's own
# advisory lock.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql
echo 'CREATE TABLE items (id int, qty int);' >migrations/001_items.sql
echo 'CREATE VIEW stock AS SELECT id FROM items;' >sql/stock.sql
pgmg apply --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1

# now - epoch seconds with a fraction
now() {
	date +%s.%N
}
elapsed() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'
}

# hold SECONDS: a reader of the view, idle in its transaction, for SECONDS
hold() {
	{
		printf 'BEGIN;\nSELECT count(*) FROM stock;\n'
		sleep "$1"
		printf 'COMMIT;\n'
	} 2>/dev/null | PGAPPNAME=pgmg_blocker psql -X -q >/dev/null 2>&1 &
	blocker=$!
	for _ in $(seq 1 50); do
		[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgmg_blocker' AND state = 'idle in transaction'")" = 1 ] && return
		sleep 0.1
	done
}
release() {
	sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name IN ('pgmg_blocker', 'pgmg_holder')" >/dev/null
	kill "$blocker" 2>/dev/null
	wait "$blocker" 2>/dev/null
}

# a reader that leaves after 2 s: the apply retries and then succeeds,
# while other readers get through during its pauses
echo 'CREATE VIEW stock AS SELECT id, qty FROM items;' >sql/stock.sql
hold 2
pgmg apply --migrations-dir=migrations --code-dir=sql --lock-timeout=300ms >apply.out 2>&1 &
applier=$!
readers_ok=0
for _ in 1 2 3 4 5 6; do
	if PGOPTIONS='-c statement_timeout=1s' psql -X -q -At -c 'SELECT count(*) FROM stock' >/dev/null 2>&1; then
		readers_ok=$((readers_ok + 1))
	fi
	sleep 0.3
done
wait "$applier"; status=$?
wait "$blocker" 2>/dev/null
is "$status" 0 "an apply behind a reader succeeds once the reader is gone"
like "$(cat apply.out)" "lock timeout; everything this attempt did was rolled back, retrying in 500 ms (attempt 2 of 4)" "after saying it retries"
is "$readers_ok" 6 "new readers of the table are never held up past the lock timeout meanwhile"
is "$(sql "SELECT pg_get_viewdef('stock')" | tr -d ' \n')" "SELECTitems.id,items.qtyFROMitems;" "and the view is replaced"

# a reader that stays: the apply gives up, names it, and changes nothing
echo 'CREATE VIEW stock AS SELECT qty FROM items;' >sql/stock.sql
hold 20
start=$(now)
out=$(PGOPTIONS='-c pgmg.lock_retries=1' pgmg apply --migrations-dir=migrations --code-dir=sql --lock-timeout=300ms 2>&1); status=$?
took=$(elapsed "$start")
pid=$(sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgmg_blocker'")
release
is "$status" 6 "an apply behind a reader that stays gives up"
ok "$(awk -v t="$took" 'BEGIN { exit !(t < 10) }'; echo $?)" "within its bounds (took ${took} s)"
like "$out" "canceling statement due to lock timeout (gave up after 2 attempts of 300 ms each)" "saying how long it tried"
like "$out" "process $pid (user " "naming the blocking session"
like "$out" 'application "pgmg_blocker", idle in transaction' "its application and state"
like "$out" "SELECT count(*) FROM stock;" "and its last query"
is "$(sql "SELECT pg_get_viewdef('stock')" | tr -d ' \n')" "SELECTitems.id,items.qtyFROMitems;" "the view is unchanged"

# the default comes from pgmg.toml's lock_timeout
printf 'migrations_dir = "migrations"\ncode_dir = "sql"\nlock_timeout = "200ms"\n' >pgmg.toml
hold 20
start=$(now)
out=$(PGOPTIONS='-c pgmg.lock_retries=0' pgmg apply 2>&1); status=$?
took=$(elapsed "$start")
release
is "$status" 6 "lock_timeout in pgmg.toml bounds the wait"
like "$out" "gave up after 1 attempt of 200 ms each" "with its value"
rm pgmg.toml

# pgmg's own advisory lock, held by any session, is waited for no longer
PGAPPNAME=pgmg_holder psql -X -q -c "BEGIN; SELECT pg_advisory_xact_lock(482771560193); SELECT pg_sleep(60); COMMIT;" >/dev/null 2>&1 &
blocker=$!
for _ in $(seq 1 50); do
	[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 1735223041 AND granted")" = 1 ] && break
	sleep 0.1
done
start=$(now)
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql --lock-timeout=500ms 2>&1); status=$?
took=$(elapsed "$start")
pid=$(sql "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgmg_holder'")
release
is "$status" 6 "an apply gives up waiting for pgmg's advisory lock"
ok "$(awk -v t="$took" 'BEGIN { exit !(t < 5) }'; echo $?)" "after the lock timeout (took ${took} s)"
like "$out" "pgmg.apply() could not take pgmg's apply lock within 500 ms" "saying so"
like "$out" "It is held by process $pid (user " "naming the holder"
like "$out" 'application "pgmg_holder"' "and its application"
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "once it is released, the apply runs"

# planning waits within the lock timeout too: a view whose new query reads
# a table someone holds ACCESS EXCLUSIVE is analysed when the plan is made
cp sql/stock.sql "$scratch/stock.sql.kept"
echo 'CREATE VIEW stock AS SELECT id, qty FROM items;' >sql/stock.sql
PGAPPNAME=pgmg_blocker psql -X -q -c "BEGIN; LOCK TABLE items; SELECT pg_sleep(60); COMMIT;" >/dev/null 2>&1 &
blocker=$!
for _ in $(seq 1 50); do
	[ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = 'items'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] && break
	sleep 0.1
done
start=$(now)
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql --lock-timeout=300ms 2>&1); status=$?
took=$(elapsed "$start")
is "$status" 0 "pgmg plan behind that lock still plans (exit 0)"
ok "$(awk -v t="$took" 'BEGIN { exit !(t < 5) }'; echo $?)" "within the lock timeout, not when the lock is released (took ${took} s)"
start=$(now)
out=$(PGOPTIONS="-c pgmg.lock_retries=0" pgmg apply --migrations-dir=migrations --code-dir=sql --lock-timeout=300ms 2>&1); status=$?
took=$(elapsed "$start")
release
is "$status" 6 "a plan that must analyse a view reading a locked table times out: exit 6"
ok "$(awk -v t="$took" 'BEGIN { exit !(t < 5) }'; echo $?)" "within the lock timeout, not when the lock is released (took ${took} s)"
like "$out" "55P03" "with the lock timeout's SQLSTATE"
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "once it is released, the apply runs"
cp "$scratch/stock.sql.kept" sql/stock.sql

done_testing
