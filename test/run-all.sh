#!/bin/sh
# test/run-all.sh - the test command (make test).
#
# On a fresh Debian machine: installs what is missing, builds and installs
# pgmg, starts a throwaway PostgreSQL 15 cluster with pg_virtualenv and runs
# every suite in it (test/in-cluster.sh).  The last line printed is
# "N passed, N failed"; the exit status is non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
sh test/deps.sh
sh test/build.sh
# A run that was killed (a session stopping, say) leaves pg_virtualenv's
# cluster behind as root, and pg_virtualenv then refuses to start.  Drop it
# when pg_virtualenv marked it as its own and no server runs on it.
stale=/etc/postgresql/15/regress
if [ -f "$stale/.by_pg_virtualenv" ] &&
	! pg_lsclusters -h 15 2>/dev/null | awk '$2 == "regress" && $4 != "down" { found = 1 } END { exit !found }'; then
	echo "Dropping cluster 15/regress left behind by an interrupted run"
	rm -f "$stale/.by_pg_virtualenv"
	if [ -f "$stale/postgresql.conf" ]; then
		pg_dropcluster 15 regress
	fi
	rm -rf "$stale" /var/lib/postgresql/15/regress
fi
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
status=0
PGMG_SUMMARY_FILE=$summary pg_virtualenv -v 15 -o max_locks_per_transaction=256 \
	sh test/in-cluster.sh "$@" || status=$?
# pg_virtualenv talks after the suites end: repeat the count as the last line
if [ -s "$summary" ]; then
	cat "$summary"
else
	echo "0 passed, 1 failed"
	[ "$status" -ne 0 ] || status=1
fi
exit "$status"
