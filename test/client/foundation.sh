#!/bin/sh
# test/client/foundation.sh - the client's skeleton: help, version, usage
# errors, configuration precedence and creating the extension.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

out=$(pgmg --help 2>&1); status=$?
ok "$status" "--help exits 0"
like "$out" "pgmg plan" "--help lists plan"
like "$out" "Exit codes:" "--help documents exit codes"

# help that is asked for goes to stdout, so that pgmg --help | less works
out=$(pgmg --help 2>/dev/null)
like "$out" "pgmg plan" "--help prints on stdout"
is "$(pgmg help 2>/dev/null)" "$out" "pgmg help is --help"
out=$(pgmg help plan 2>/dev/null); status=$?
ok "$status" "pgmg help plan exits 0"
case "$out" in "Usage: pgmg plan"*) ok 0 "pgmg help plan prints the help of plan on stdout" ;; *) ok 1 "pgmg help plan prints the help of plan on stdout" ;; esac
is "$(pgmg import --help 2>/dev/null)" "$(pgmg help import 2>/dev/null)" "pgmg help import is pgmg import --help"
out=$(pgmg help frobnicate 2>/dev/null); status=$?
is "$status" 2 "help for an unknown command is a usage error (2)"
is "$out" "" "with nothing on stdout"
like "$(pgmg help frobnicate 2>&1)" "unknown command: frobnicate" "naming it on stderr"

out=$(pgmg --version); ok $? "--version exits 0"
is "$out" "pgmg 0.6" "--version prints the version"

pgmg frobnicate >/dev/null 2>&1; status=$?
is "$status" 2 "unknown command is a usage error (2)"
pgmg plan --bogus >/dev/null 2>&1; status=$?
is "$status" 2 "unknown option is a usage error (2)"
pgmg >/dev/null 2>&1; status=$?
is "$status" 2 "no command is a usage error (2)"

# a fresh database gets the extension on first apply; plan changes nothing
is "$(sql "SELECT count(*) FROM pg_extension WHERE extname = 'pgmg'")" 0 "extension absent at start"
cd "$scratch" || exit 1
mkdir -p no_migrations
out=$(pgmg plan --migrations-dir=no_migrations 2>&1); status=$?
ok "$status" "plan on a fresh database succeeds"
is "$(sql "SELECT count(*) FROM pg_extension WHERE extname = 'pgmg'")" 0 "plan did not create the extension"
out=$(pgmg apply --migrations-dir=no_migrations 2>&1); status=$?
ok "$status" "apply on a fresh database succeeds"
is "$(sql "SELECT count(*) FROM pg_extension WHERE extname = 'pgmg'")" 1 "apply created the extension"

# pgmg.toml: a connection string naming a database that does not exist
# fails; the flag overrides it; the environment is below both
mkdir -p "$scratch/proj/sub" && cd "$scratch/proj/sub" || exit 1
printf '# project settings\nconnection_string = "dbname=pgmg_no_such_db"\n' >"$scratch/proj/pgmg.toml"
pgmg plan >/dev/null 2>&1; status=$?
is "$status" 5 "pgmg.toml in a parent directory is used (bad dbname fails)"
pgmg plan --connection-string="dbname=$PGDATABASE" >/dev/null 2>&1; status=$?
is "$status" 0 "--connection-string overrides pgmg.toml"
rm "$scratch/proj/pgmg.toml"
PGMG_CONNECTION_STRING="dbname=pgmg_no_such_db" pgmg plan --migrations-dir="$scratch/no_migrations" >/dev/null 2>&1; status=$?
is "$status" 5 "PGMG_CONNECTION_STRING is used when there is no pgmg.toml"
PGMG_CONNECTION_STRING="dbname=pgmg_no_such_db" pgmg plan --migrations-dir="$scratch/no_migrations" --connection-string="dbname=$PGDATABASE" >/dev/null 2>&1; status=$?
is "$status" 0 "the flag overrides PGMG_CONNECTION_STRING"

# a malformed pgmg.toml names its line
printf 'code_dir = "sql"\nthis is not toml\n' >"$scratch/proj/pgmg.toml"
out=$(pgmg plan 2>&1); status=$?
is "$status" 1 "malformed pgmg.toml is an error"
like "$out" "pgmg.toml:2:" "the error names the line"
rm "$scratch/proj/pgmg.toml"

out=$(pgmg plan --code-dir="$scratch/nope" 2>&1); status=$?
is "$status" 1 "a missing code directory is an error"
like "$out" "code directory not found" "the error says which directory"

# which psql runs: Debian's pg_wrapper on PATH is skipped for the psql it
# would run, unless a cluster is asked for; PGMG_PSQL wins
if [ -x /usr/lib/postgresql/15/bin/psql ]; then
	mkdir -p "$scratch/fakebin"
	printf '#!/bin/sh
echo wrapper >>"%s/ran"
exec /usr/lib/postgresql/15/bin/psql "$@"
' "$scratch" >"$scratch/fakebin/pg_wrapper"
	printf '#!/bin/sh
echo chosen >>"%s/ran"
exec /usr/lib/postgresql/15/bin/psql "$@"
' "$scratch" >"$scratch/fakebin/chosen"
	chmod +x "$scratch/fakebin/pg_wrapper" "$scratch/fakebin/chosen"
	ln -sf pg_wrapper "$scratch/fakebin/psql"
	rm -f "$scratch/ran"
	PATH="$scratch/fakebin:$PATH" pgmg plan --code-dir="$scratch/proj" >/dev/null 2>&1
	ok $? "plan works with pg_wrapper as psql"
	is "$(cat "$scratch/ran" 2>/dev/null)" "" "and runs the newest psql directly, not the wrapper"
	PGCLUSTER=15/regress PATH="$scratch/fakebin:$PATH" pgmg plan --code-dir="$scratch/proj" >/dev/null 2>&1
	is "$(sort -u "$scratch/ran" 2>/dev/null)" "wrapper" "with PGCLUSTER set, the wrapper runs (it picks the cluster's psql)"
	rm -f "$scratch/ran"
	PGMG_PSQL="$scratch/fakebin/chosen" PATH="$scratch/fakebin:$PATH" pgmg plan --code-dir="$scratch/proj" >/dev/null 2>&1
	is "$(sort -u "$scratch/ran" 2>/dev/null)" "chosen" "PGMG_PSQL names the psql to run"
fi

done_testing
