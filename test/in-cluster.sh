#!/bin/sh
# test/in-cluster.sh - run every suite against the cluster libpq points at.
#
# Runs pg_regress (sql/ + expected/) and isolation specs (test/isolation/), pgTAP (test/pgtap/*.sql via pg_prove)
# and the client end-to-end tests (test/client/*.sh, TAP, via prove), counts
# every test of the three kinds and prints "N passed, N failed" last.
# Optional arguments restrict the run to suites: regress, pgtap, client.
set -eu
cd "$(dirname "$0")/.."
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
export PG_CONFIG
PATH="$(pwd)/bin:/usr/lib/postgresql/15/bin:$PATH"
export PATH
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
passed=0
failed=0
suites=${*:-regress pgtap client}

want() {
	case " $suites " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

# count_tap LOG STATUS: add the TAP results in LOG to the totals; a runner
# that failed without reporting a failing test counts as one failure.
count_tap() {
	ok=$(grep -Ec '^[[:space:]]*ok [0-9]+' "$1" || true)
	nok=$(grep -Ec '^[[:space:]]*not ok [0-9]+' "$1" || true)
	if [ "$2" -ne 0 ] && [ "$nok" -eq 0 ]; then
		nok=1
	fi
	passed=$((passed + ok))
	failed=$((failed + nok))
}

if want regress; then
	echo "== pg_regress (sql/, expected/) and isolation (test/isolation/)"
	status=0
	make -s installcheck >"$log_dir/regress.log" 2>&1 || status=$?
	cat "$log_dir/regress.log"
	ok=$(grep -Ec '\.\.\. ok' "$log_dir/regress.log" || true)
	nok=$(grep -Eci '\.\.\. failed' "$log_dir/regress.log" || true)
	if [ "$status" -ne 0 ]; then
		[ -f regression.diffs ] && cat regression.diffs
		[ -f output_iso/regression.diffs ] && cat output_iso/regression.diffs
		[ "$nok" -eq 0 ] && nok=1
	fi
	passed=$((passed + ok))
	failed=$((failed + nok))
fi

if want pgtap; then
	echo "== pgTAP (test/pgtap/)"
	db=pgmg_pgtap
	dropdb --if-exists "$db" >/dev/null 2>&1
	createdb "$db"
	psql -X -q -d "$db" -c 'CREATE EXTENSION pgtap' >/dev/null
	status=0
	pg_prove -v -d "$db" test/pgtap/*.sql >"$log_dir/pgtap.log" 2>&1 || status=$?
	cat "$log_dir/pgtap.log"
	count_tap "$log_dir/pgtap.log" "$status"
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
fi

if want client; then
	echo "== client end to end (test/client/)"
	status=0
	prove -v --exec sh test/client/*.sh >"$log_dir/client.log" 2>&1 || status=$?
	cat "$log_dir/client.log"
	count_tap "$log_dir/client.log" "$status"
fi

echo "$passed passed, $failed failed"
if [ -n "${PGMG_SUMMARY_FILE:-}" ]; then
	echo "$passed passed, $failed failed" >"$PGMG_SUMMARY_FILE"
fi
[ "$failed" -eq 0 ]
