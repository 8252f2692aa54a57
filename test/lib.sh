#!/bin/sh
# test/lib.sh - a small TAP producer for the client end-to-end tests.
#
# Sourced by test/client/*.sh.  new_db gives each test a database of its own
# (dropped at exit) and a scratch directory; PATH holds bin/ and the
# PostgreSQL 15 programs.  Assertions: ok, is, like, unlike; done_testing
# prints the plan and fails when any assertion failed.

tap_count=0
tap_failed=0
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$repo_root/bin:/usr/lib/postgresql/15/bin:$PATH"
export PATH

# new_db: create an empty database for this test and point libpq at it
new_db() {
	test_db_name="pgmg_t_$$"
	PGDATABASE=$test_db_name
	export PGDATABASE
	createdb "$PGDATABASE"
	scratch=$(mktemp -d)
	trap 'cleanup' EXIT
}

cleanup() {
	cd / || return
	rm -rf "$scratch"
	PGDATABASE=postgres dropdb --if-exists "$test_db_name" >/dev/null 2>&1 || true
}

# ok STATUS NAME: pass when STATUS is 0
ok() {
	tap_count=$((tap_count + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$tap_count" "$2"
	else
		tap_failed=$((tap_failed + 1))
		printf 'not ok %d - %s\n' "$tap_count" "$2"
	fi
}

# is GOT WANT NAME: the two strings are equal
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '%s\n' "got:" "$1" "want:" "$2" | sed 's/^/# /'
	fi
}

# like TEXT PATTERN NAME: TEXT contains the fixed string PATTERN
like() {
	case "$1" in
	*"$2"*) ok 0 "$3" ;;
	*)
		ok 1 "$3"
		printf '%s\n' "wanted: $2" "in:" "$1" | sed 's/^/# /'
		;;
	esac
}

# unlike TEXT PATTERN NAME: TEXT does not contain the fixed string PATTERN
unlike() {
	case "$1" in
	*"$2"*)
		ok 1 "$3"
		printf '%s\n' "unwanted: $2" "in:" "$1" | sed 's/^/# /'
		;;
	*) ok 0 "$3" ;;
	esac
}

# sql QUERY: run QUERY in the test database; unaligned, tuples only
sql() {
	psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}

done_testing() {
	printf '1..%d\n' "$tap_count"
	[ "$tap_failed" -eq 0 ]
}
