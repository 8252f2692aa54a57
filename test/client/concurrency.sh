#!/bin/sh
# test/client/concurrency.sh - four pgmg apply runs of one project at once:
# every migration runs once, every object is created once, all exit 0, and
# the ones that waited find nothing left to do.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql
# the migration sleeps, so that the four applies overlap
printf 'CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\nSELECT pg_sleep(1);\n' >migrations/001_t.sql
for i in 1 2 3 4 5; do
	echo "CREATE VIEW v$i AS SELECT id * $i AS x FROM t;" >"sql/v$i.sql"
done
sql 'CREATE EXTENSION pgmg' >/dev/null

for i in 1 2 3 4; do
	(
		pgmg apply --migrations-dir=migrations --code-dir=sql >"out$i" 2>&1
		echo "exit $?" >>"out$i"
	) &
done
wait

is "$(cat out1 out2 out3 out4 | grep -c '^exit 0$')" 4 "all four applies exit 0"
is "$(cat out1 out2 out3 out4 | grep -c 'All changes applied successfully.')" 1 "exactly one did the work"
is "$(cat out1 out2 out3 out4 | grep -c '^Nothing to do.$')" 3 "the others found nothing left to do"
is "$(sql 'SELECT count(*) FROM t')" 1 "the migration ran exactly once"
is "$(sql 'SELECT count(*) FROM pgmg.pgmg_migrations')" 1 "and was recorded once"
is "$(sql 'SELECT count(*) FROM pgmg.pgmg_state')" 5 "every object is managed once"
pgmg plan --migrations-dir=migrations --code-dir=sql --exit-code >/dev/null 2>&1; status=$?
is "$status" 0 "plan afterwards is empty"

done_testing
