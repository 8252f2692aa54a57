#!/bin/sh
# test/client/kill.sh - apply survives its backend being killed.
#
# A project of 1,000 code objects plus a migration is applied, and the
# backend running pgmg.apply() is terminated at a random moment: with
# pg_terminate_backend, or with kill -9 (the server then restarts every
# backend and recovers).  After each kill the schema, the data and both
# state tables are exactly as before the apply or exactly as after a
# complete one; plan shows the same pending work; the next apply succeeds
# and converges.  PGMG_KILL_RUNS (default 20) and PGMG_KILL_SEED change
# the run; the seed is printed.  kill -9 needs this user to signal the
# server's processes (root, or the server's own user).
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db
runs=${PGMG_KILL_RUNS:-20}
seed=${PGMG_KILL_SEED:-$(date +%s)}
echo "# seed $seed, $runs runs (replay: PGMG_KILL_SEED=$seed PGMG_KILL_RUNS=$runs)"
template=$PGDATABASE

cd "$scratch" || exit 1
perl "$repo_root/bench/generate.pl" project 1000 50 >/dev/null
printf 'ALTER TABLE t1 ADD COLUMN extra integer;\nUPDATE t1 SET extra = 1;\n' >project/migrations/002_extra.sql
mkdir -p before/migrations
cp project/migrations/001_tables.sql before/migrations/
sql 'CREATE EXTENSION pgmg' >/dev/null
pgmg apply --migrations-dir=before/migrations >/dev/null 2>&1 || echo "# setup failed"
sql "INSERT INTO t1 (id, a) SELECT g, g FROM generate_series(1, 100) g" >/dev/null

# snapshot: schema without pgmg, table data, and the state by name and hash
# (fingerprints hold OIDs, which differ between databases)
snapshot() {
	{
		pg_dump --schema-only --no-owner -N pgmg -d "$1" | grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict'
		psql -X -At -d "$1" -c "SELECT count(*), sum(a) FROM t1"
		psql -X -At -d "$1" -c "SELECT string_agg(object_name || object_hash || file, ',' ORDER BY object_name) FROM pgmg.pgmg_state"
		psql -X -At -d "$1" -c "SELECT string_agg(name || checksum, ',' ORDER BY name) FROM pgmg.pgmg_migrations"
	} | cksum
}

# wait_for_server: after kill -9 the server restarts; wait until it answers
wait_for_server() {
	i=0
	while ! psql -X -q -At -d postgres -c 'SELECT 1' >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt 120 ] || return 1
		sleep 0.25
	done
}

apply_project() {
	PGDATABASE=$1 pgmg apply --migrations-dir=project/migrations --code-dir=project/sql
}

# what a complete apply gives
createdb -T "$template" pgmg_kill_done_$$
apply_project pgmg_kill_done_$$ >/dev/null 2>&1 || echo "# reference apply failed"
done_snapshot=$(snapshot pgmg_kill_done_$$)
pending_before=$(PGDATABASE=$template pgmg plan --migrations-dir=project/migrations --code-dir=project/sql --format=json | json_part steps | grep -o '"step":' | wc -l)
echo "# a complete apply runs $pending_before steps"

# a small LCG, repeatable from the seed, in POSIX arithmetic (inline: a
# function called through $(...) could not keep its state)
rng=$seed

killed=0
run=0
while [ "$run" -lt "$runs" ]; do
	run=$((run + 1))
	db=pgmg_kill_$$_$run
	createdb -T "$template" "$db"
	before=$(snapshot "$db")
	if [ $((run % 2)) = 0 ]; then how=terminate; else how=kill9; fi
	rng=$(((rng * 1103515245 + 12345) % 2147483648))
	delay=$((rng / 65536 % 400))

	apply_project "$db" >"apply.out" 2>&1 &
	client=$!
	# wait until the backend is inside pgmg.apply(), then a random moment more
	pid=""
	i=0
	while [ -z "$pid" ] && [ "$i" -lt 200 ]; do
		pid=$(psql -X -At -d postgres -c "SELECT pid FROM pg_stat_activity WHERE datname = '$db' AND query LIKE '%pgmg.apply(%' AND pid <> pg_backend_pid() LIMIT 1" 2>/dev/null)
		i=$((i + 1))
		[ -n "$pid" ] || sleep 0.02
	done
	sleep "0.$(printf '%03d' "$delay")"
	if [ -n "$pid" ]; then
		if [ "$how" = terminate ]; then
			psql -X -q -At -d postgres -c "SELECT pg_terminate_backend($pid)" >/dev/null 2>&1
		else
			kill -9 "$pid" 2>/dev/null
		fi
	fi
	wait "$client"
	wait_for_server || echo "# the server did not come back"
	if grep -q 'All changes applied successfully' apply.out; then
		outcome=completed
	else
		outcome=killed
		killed=$((killed + 1))
	fi

	after=$(snapshot "$db")
	state=other
	[ "$after" != "$before" ] || state=before
	[ "$after" != "$done_snapshot" ] || state=complete
	ok "$([ "$state" != other ]; echo $?)" "run $run ($how after ${delay} ms, $outcome): the database is as before or as complete ($state)"
	pending=$(PGDATABASE=$db pgmg plan --migrations-dir=project/migrations --code-dir=project/sql --format=json | json_part steps | grep -o '"step":' | wc -l)
	if [ "$state" = before ]; then
		is "$pending" "$pending_before" "run $run: plan shows the same pending work"
	else
		is "$pending" 0 "run $run: plan shows nothing pending"
	fi
	apply_project "$db" >/dev/null 2>&1
	is "$(snapshot "$db")" "$done_snapshot" "run $run: the next apply converges"
	dropdb "$db" 2>/dev/null || { wait_for_server; dropdb "$db"; }
done
echo "# $killed of $runs applies were killed before they committed"
ok "$([ "$killed" -gt 0 ]; echo $?)" "at least one apply was killed mid-way (the test exercised a kill)"
dropdb pgmg_kill_done_$$

done_testing
