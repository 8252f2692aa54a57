#!/bin/sh
# test/client/envelope.sh - with --format=json every command prints one JSON
# envelope on stdout, success or failure, valid against bin/pgmg.schema.json,
# its status and exit_code matching the exit code; errors carry sqlstate,
# message, detail, hint and the place from the project root.
# the Perl expressions of field are in single quotes on purpose
# shellcheck disable=SC2016
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

schema=$repo_root/bin/pgmg.schema.json
# check NAME COMMAND...: run pgmg with --format=json; the envelope must be
# the whole of stdout and valid; sets env (the envelope) and status
check() {
	name=$1
	shift
	env=$(pgmg "$@" --format=json 2>"$scratch/stderr"); status=$?
	printf '%s' "$env" >"$scratch/env.json"
	out=$("$python" - "$schema" "$scratch/env.json" "$status" <<'PY'
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
try:
    env = json.load(open(sys.argv[2]))
except ValueError as e:
    print("stdout is not one JSON value: %s" % e)
    sys.exit(0)
errors = [e.message for e in Draft202012Validator(schema).iter_errors(env)]
if errors:
    print("invalid: " + "; ".join(errors))
elif env["exit_code"] != int(sys.argv[3]):
    print("exit_code %s, but the exit code is %s" % (env["exit_code"], sys.argv[3]))
else:
    print("valid")
PY
)
	is "$out" valid "$name: one valid envelope, exit code $status"
}
# field EXPR: a Perl expression of the envelope $e, printed
field() {
	printf '%s' "$env" | perl -MJSON::PP -e 'my $e = decode_json(join("", <STDIN>)); my $v = eval $ARGV[0]; die $@ if $@; print defined $v ? $v : "null"' "$1"
}

cd "$scratch" || exit 1
mkdir -p migrations sql/views sql/functions
printf 'migrations_dir = "migrations"\ncode_dir = "sql"\nproject = "shop"\n' >pgmg.toml
echo 'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric);' >migrations/001_items.sql
printf 'CREATE VIEW item_names AS\nSELECT id, name FROM items;\n' >sql/views/item_names.sql
printf 'CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM item_names $$;\n' >sql/functions/item_count.sql
mkdir -p sql/__test__
echo "DO \$\$ BEGIN PERFORM item_count(); END \$\$;" >sql/__test__/count_test.sql

check "plan" plan
is "$status" 0 "plan exits 0"
is "$(field '$e->{command} . " " . $e->{status} . " " . $e->{project}')" "plan ok shop" "command, status and project"
is "$(field '$e->{target}{database} . " " . $e->{target}{role} . " " . ($e->{target}{standby} ? "standby" : "primary")')" \
	"$PGDATABASE $(sql 'SELECT current_user') primary" "the target: database, role, not a standby"
is "$(field '$e->{versions}{client}')" "$(pgmg --version | cut -d' ' -f2)" "the client's version"
is "$(field '$e->{counts}{steps} . " " . $e->{counts}{migrate} . " " . $e->{counts}{create}')" "3 1 2" "counts of the steps by action"
is "$(field 'join ",", map { "$_->{action}:$_->{object}" } @{$e->{steps}}')" \
	"migrate:001_items.sql,create:function.public.item_count(),create:view.public.item_names" "the steps"
is "$(field 'scalar @{$e->{hazards}}')" 0 "hazards, none"
is "$(field 'join ",", map { "$_->{object}=" . ($_->{action} // "") } @{$e->{nodes}}')" \
	"function.public.item_count()=create,view.public.item_names=create,001_items.sql=migrate" "and the graph's nodes, with what the plan does"
is "$(grep -v '^pgmg: database ' "$scratch/stderr" | grep -c .)" 0 "plan prints nothing else (but the target line on stderr)"

check "plan --exit-code with changes pending" plan --exit-code
is "$(field '$e->{status} . " " . $e->{exit_code}')" "pending 3" "pending, exit 3, no error"
is "$(field 'exists $e->{error} ? "error" : "none"')" none "and no error member"

check "status before apply" status
is "$(field '$e->{counts}{pending} . " " . $e->{counts}{new}')" "3 2" "status counts pending and new"

check "apply" apply
is "$status" 0 "apply succeeds"
is "$(field '$e->{counts}{steps} . " " . scalar @{$e->{steps}}')" "3 3" "apply reports its steps"
is "$(field '$e->{versions}{engine}')" "$(sql "SELECT extversion FROM pg_extension WHERE extname = 'pgmg'")" "and the engine's version"

check "status" status
is "$(field 'join ",", map { "$_->{name}=$_->{state}" } @{$e->{items}}')" \
	"001_items.sql=applied,function.public.item_count()=ok,view.public.item_names=ok" "status items"
check "history" history
is "$(field '$e->{history}[0]{outcome} . " " . $e->{counts}{applies}')" "succeeded 1" "history rows"
check "version" version
is "$(field '$e->{versions}{engine} . " " . $e->{target}{database}')" "$(sql "SELECT extversion FROM pg_extension WHERE extname = 'pgmg'") $PGDATABASE" "version: engine and target"
check "test" test
is "$(field '$e->{status} . " " . $e->{counts}{passed} . " " . $e->{tests}[0]{path} . " " . $e->{tests}[0]{outcome}')" \
	"ok 1 sql/__test__/count_test.sql passed" "test lists each test with its outcome"
check "graph" graph
is "$(field '$e->{counts}{nodes} . " " . $e->{counts}{edges}')" "3 2" "graph: nodes and edges"
is "$(field 'join ",", map { "$_->{from}>$_->{to}" . ($_->{late} ? " (late)" : "") } @{$e->{edges}}')" \
	"function.public.item_count()>view.public.item_names (late),view.public.item_names>table.public.items" \
	"the view needs its table; the function's string body names the view, bound late"
check "hazards" hazards
check "check" check
is "$(field '$e->{counts}{failures}')" 0 "check: no failures"

# failures: a SQL error, placed
printf 'CREATE VIEW item_names AS\nSELECT id, nam FROM items;\n' >sql/views/item_names.sql
check "apply failing" apply
is "$(field '$e->{status} . " " . $e->{exit_code}')" "error 1" "a SQL error is status error, exit 1"
is "$(field 'join "|", map { $e->{error}{$_} // "null" } qw(sqlstate message file line column step)')" \
	'42703|column "nam" does not exist|sql/views/item_names.sql|2|12|2' "with SQLSTATE, message, file from the project root, line, column and step"
like "$(field '$e->{error}{hint}')" 'Perhaps you meant to reference the column "items.name"' "and the hint"
like "$(field '$e->{error}{object}')" "view.public.item_names" "and the object"
check "plan --check failing" plan --check
is "$(field '$e->{status} . " " . $e->{failures}[0]{sqlstate} . " " . $e->{counts}{failures}')" "error 42703 1" "plan --check lists the failing step"
check "check failing" check
is "$(field '$e->{failures}[0]{file} . ":" . $e->{failures}[0]{line}')" "views/item_names.sql:2" "check: the failing step"
printf 'CREATE VIEW item_names AS\nSELECT id, name FROM items;\n' >sql/views/item_names.sql

echo "DO \$\$ BEGIN RAISE EXCEPTION 'no items'; END \$\$;" >sql/__test__/empty_test.sql
check "test failing" test
is "$(field '$e->{status} . " " . $e->{exit_code} . " " . $e->{counts}{failed} . " " . $e->{counts}{passed}')" "failed 1 1 1" "a failing test is status failed"
like "$(field 'join ",", map { "$_->{path}=$_->{outcome}:" . ($_->{message} // "") } @{$e->{tests}}')" "sql/__test__/empty_test.sql=failed:no items" "with its message"
rm sql/__test__/empty_test.sql

# refused: a hazard of the --fail-on severity (a table with rows dropped)
sql "CREATE TABLE scratch_rows AS SELECT 1 AS n; ANALYZE scratch_rows" >/dev/null
echo 'DROP TABLE scratch_rows;' >migrations/009_drop.sql
check "hazards --fail-on" hazards --fail-on=high
is "$(field '$e->{status} . " " . $e->{counts}{high} . " " . $e->{hazards}[0]{code}')" "refused 1 data_loss" "hazards --format=json --fail-on=high: refused, the hazard counted"
check "plan --fail-on" plan --fail-on=high
is "$(field '$e->{status} . " " . $e->{exit_code}')" "refused 4" "plan --format=json --fail-on=high: refused, exit 4"
like "$(field '$e->{error}{message}')" "hazard(s) of severity high or higher not acknowledged" "saying why"
rm migrations/009_drop.sql
sql "DROP TABLE scratch_rows" >/dev/null

# refused: an applied migration edited
echo 'CREATE TABLE items (id int PRIMARY KEY, name text, price numeric);' >migrations/001_items.sql
check "apply refused" apply
is "$(field '$e->{status} . " " . $e->{exit_code}')" "refused 4" "an edited applied migration is refused, exit 4"
like "$(field '$e->{error}{message}')" "has changed since it was applied" "saying why"
echo 'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric);' >migrations/001_items.sql

# a lock timeout
sql_bg_pid=""
psql -X -q -c "BEGIN; LOCK TABLE items; SELECT pg_sleep(8);" >/dev/null 2>&1 &
sql_bg_pid=$!
sleep 1
echo 'ALTER TABLE items ADD COLUMN note text;' >migrations/002_note.sql
PGOPTIONS="-c pgmg.lock_retries=0" check "apply timing out" apply --lock-timeout=200ms
is "$(field '$e->{status} . " " . $e->{exit_code} . " " . $e->{error}{sqlstate}')" "timeout 6 55P03" "a lock timeout is status timeout, exit 6, 55P03"
kill "$sql_bg_pid" 2>/dev/null
wait "$sql_bg_pid" 2>/dev/null
rm migrations/002_note.sql

# no session at all
check "connection refused" plan --connection-string="host=127.0.0.1 port=1 connect_timeout=2"
is "$(field '$e->{status} . " " . $e->{exit_code} . " " . (defined $e->{target} ? "target" : "no target")')" "connection_failed 5 no target" "a refused connection: exit 5, no target"
like "$(field '$e->{error}{message}')" "port 1 failed" "and psql's message"
check "usage error" plan --frobnicate
is "$(field '$e->{status} . " " . $e->{error}{message}')" "usage_error unknown option: --frobnicate" "a usage error is enveloped too"
check "unknown command" frobnicate
is "$(field '$e->{command} . " " . $e->{exit_code}')" "frobnicate 2" "an unknown command too"
check "new" new add_note
like "$(field '$e->{output}[0]')" "migrations/002_add_note.sql" "a command without results of its own: its lines as output"
rm -f migrations/002_add_note.sql
cd / || exit 1
check "no project" apply
is "$(field '$e->{exit_code} . " " . $e->{error}{message}')" "2 no project here: no pgmg.toml in / or above it (up to the repository root), and neither --migrations-dir nor --code-dir was given" "no project: exit 2, saying what was looked for"
cd "$scratch" || exit 1

# a signal: the envelope still comes, interrupted (a psql that hangs)
printf '#!/bin/sh\nsleep 20\n' >"$scratch/slow_psql"
chmod +x "$scratch/slow_psql"
# in a process group of its own, signalled whole, as a terminal or a CI
# runner does
PGMG_PSQL=$scratch/slow_psql setsid pgmg version --format=json >"$scratch/env.json" 2>/dev/null &
slow=$!
sleep 1
kill -TERM "-$slow"
wait "$slow"
status=$?
env=$(cat "$scratch/env.json")
is "$status" 143 "a TERM signal ends the command with 143"
is "$(field '$e->{status} . " " . $e->{exit_code}')" "interrupted 143" "and the envelope says interrupted"

# files is the file set itself, not an envelope
is "$(pgmg files --format=json | perl -MJSON::PP -e 'my $f = decode_json(join("", <STDIN>)); print join(",", sort keys %$f)')" "code,migrations" "files prints the file set as it is"
is "$(pgmg watch --format=json 2>&1; echo "exit $?")" "pgmg: watch has no --format=json: it runs until stopped
Try 'pgmg --help' for more information.
exit 2" "watch refuses --format=json"

done_testing
