#!/bin/sh
# test/client/bad_inputs.sh - the bad-input corpus in test/bad-inputs/.
#
# Each case is a tiny project (migrations/, sql/, or files.json for the SQL
# API), optionally a project applied first (before/), SQL run before that
# (setup.sql) or after it (after-before.sql), a generate script for large
# inputs, and expect: the SQLSTATE (or "client" for errors the client
# raises itself) and message fragments.  For every case: the apply fails,
# with that SQLSTATE and those fragments, and the schema, data and both
# state tables are exactly as before.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db
cases_dir="$repo_root/test/bad-inputs"
template=$PGDATABASE

sql 'CREATE EXTENSION pgmg' >/dev/null
sql "CREATE TABLE t (id integer PRIMARY KEY, a integer, s text); INSERT INTO t VALUES (1, 1, 'x')" >/dev/null
psql -X -q -d postgres -c 'DROP ROLE IF EXISTS pgmg_bad_nobody' -c 'CREATE ROLE pgmg_bad_nobody' >/dev/null 2>&1

# snapshot: schema (without pgmg's own), table data and both state tables
snapshot() {
	{
		pg_dump --schema-only --no-owner -N pgmg -d "$PGDATABASE" | grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict'
		sql "SELECT string_agg(id || ':' || coalesce(a::text, '') || ':' || coalesce(s, ''), ',' ORDER BY id) FROM t"
		sql "SELECT string_agg(object_name || object_hash || fingerprint, ',' ORDER BY object_name) FROM pgmg.pgmg_state"
		sql "SELECT string_agg(name || checksum, ',' ORDER BY name) FROM pgmg.pgmg_migrations"
	} | cksum
}

# project_args DIR: the directory flags for the groups DIR has
project_args() {
	[ ! -d "$1/migrations" ] || printf ' --migrations-dir=%s/migrations' "$1"
	[ ! -d "$1/sql" ] || printf ' --code-dir=%s/sql' "$1"
}

for dir in "$cases_dir"/*/; do
	name=$(basename "$dir")
	work=$(mktemp -d)
	cp -R "$dir." "$work/"
	(cd "$work" && if [ -f generate ]; then sh generate; fi)
	PGDATABASE=$template
	db="pgmg_bad_$$"
	dropdb --if-exists "$db" >/dev/null 2>&1
	createdb -T "$template" "$db"
	PGDATABASE=$db
	[ ! -f "$work/setup.sql" ] || psql -X -q -v ON_ERROR_STOP=1 -f "$work/setup.sql" >/dev/null
	if [ -d "$work/before" ]; then
		# shellcheck disable=SC2046
		pgmg apply $(project_args "$work/before") >/dev/null 2>&1 ||
			echo "# $name: the before/ project did not apply"
	fi
	[ ! -f "$work/after-before.sql" ] || psql -X -q -v ON_ERROR_STOP=1 -f "$work/after-before.sql" >/dev/null
	before=$(snapshot)

	if [ -f "$work/files.json" ]; then
		role=""
		[ ! -f "$work/role" ] || role="SET ROLE $(cat "$work/role");"
		out=$(printf '%s\n' "$role" "SELECT * FROM pgmg.apply(:'files');" |
			psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -v files="$(cat "$work/files.json")" 2>&1)
		status=$?
	else
		# shellcheck disable=SC2046
		out=$(pgmg apply $(project_args "$work") 2>&1)
		status=$?
	fi

	ok "$([ "$status" -ne 0 ]; echo $?)" "$name: refused"
	first=1
	while IFS= read -r want; do
		if [ "$first" = 1 ]; then
			first=0
			[ "$want" = client ] && continue
			like "$out" "ERROR:  $want:" "$name: SQLSTATE $want"
		else
			like "$out" "$want" "$name: says \"$want\""
		fi
	done <"$work/expect"
	is "$(snapshot)" "$before" "$name: nothing changed"

	PGDATABASE=$template
	dropdb "$db"
	rm -rf "$work"
done
psql -X -q -d postgres -c 'DROP ROLE IF EXISTS pgmg_bad_nobody' >/dev/null 2>&1

done_testing
