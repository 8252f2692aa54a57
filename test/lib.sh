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

# as_postgres CMD...: run CMD as the postgres user when root, else as is
as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# server_start DATADIR [SETTING...]: start a private server on the data
# directory, its socket in the directory above it and no TCP, on port
# $server_port (default 5499), with the extra postgresql.conf lines given;
# prints the libpq connection string of the test database on it
server_start() {
	datadir=$1
	shift
	base=$(dirname "$datadir")
	{
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$base'"
		echo "port = ${server_port:-5499}"
		for setting in "$@"; do
			echo "$setting"
		done
	} >>"$datadir/postgresql.conf"
	echo "local all all trust" >"$datadir/pg_hba.conf"
	touch "$datadir/pg_ident.conf"
	[ "$(id -u)" != 0 ] || chown -R postgres "$base"
	as_postgres pg_ctl -D "$datadir" -l "$base/server.log" -w -t 60 start >/dev/null ||
		{
			cat "$base/server.log" >&2
			return 1
		}
	if [ "$(id -u)" = 0 ]; then server_user=postgres; else server_user=$(id -un); fi
	printf 'host=%s port=%s user=%s dbname=%s' "$base" "${server_port:-5499}" "$server_user" "$PGDATABASE"
}

# server_stop DATADIR: stop a server started by server_start
server_stop() {
	as_postgres pg_ctl -D "$1" -m immediate -w stop >/dev/null 2>&1 || true
}

# python: Debian's python3, whose jsonschema test/deps.sh installs (another
# python3 first on PATH may lack it)
python=/usr/bin/python3
[ -x "$python" ] || python=python3

# sql QUERY: run QUERY in the test database; unaligned, tuples only
sql() {
	psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}

# json_part NAME: member NAME of the --format=json envelope on stdin, as
# canonical JSON (keys sorted, no blanks)
json_part() {
	perl -MJSON::PP -e 'my $e = decode_json(join("", <STDIN>));
		print JSON::PP->new->canonical->encode($e->{$ARGV[0]} // die "no member $ARGV[0]\n"), "\n"' "$1"
}

# step_cause OBJECT ACTION: the cause of OBJECT's ACTION step in a plan's
# JSON envelope on stdin, as canonical JSON
step_cause() {
	perl -MJSON::PP -e 'my $plan = decode_json(join("", <STDIN>));
		print JSON::PP->new->canonical->encode($_->{cause}), "\n"
			for grep { $_->{object} eq $ARGV[0] && $_->{action} eq $ARGV[1] } @{$plan->{steps}}' "$1" "$2"
}

# bail_out REASON: stop the whole test, telling the TAP harness why
bail_out() {
	printf 'Bail out! %s\n' "$1"
	exit 1
}

done_testing() {
	printf '1..%d\n' "$tap_count"
	[ "$tap_failed" -eq 0 ]
}
