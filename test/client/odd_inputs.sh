#!/bin/sh
# test/client/odd_inputs.sh - inputs that used to break the client
# quietly: connection strings with any characters written by init, file
# names with line breaks, a TMPDIR with a space, upper-case .SQL names.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
conn='host=127.0.0.1 dbname=a&b|c\d options=-cx=1'
out=$(pgmg init p1 --template=basic --connection-string="$conn" 2>&1); status=$?
is "$status" 0 "init --template with &, | and a backslash in the connection string"
is "$(grep '^connection_string' p1/pgmg.toml)" "connection_string = '$conn'" "writes it as a TOML literal string, unchanged"
out=$(cd p1 && pgmg plan 2>&1); status=$?
is "$status" 5 "the client reads it back: it connects to that database (which does not exist)"
like "$out" 'database "a&b|cd" does not exist' "naming it as libpq reads it (a backslash escapes the next character)"
out=$(pgmg init p2 --connection-string='dbname=plain' 2>&1)
is "$(grep '^connection_string' p2/pgmg.toml)" 'connection_string = "dbname=plain"' "a plain one is a basic string"
out=$(pgmg init p3 --template=basic --connection-string="password='x\"y'" 2>&1); status=$?
is "$status" 2 "a value with both kinds of quote is refused"
like "$out" "may not contain both a single quote and a double quote" "saying why"
ok "$([ ! -e p3/pgmg.toml ] && echo 0 || echo 1)" "before anything is written"

# file names
mkdir -p proj/migrations proj/sql
echo 'CREATE TABLE t (id int);' >proj/migrations/001_t.sql
echo 'CREATE VIEW v AS SELECT id FROM t;' >proj/sql/v.sql
echo 'CREATE VIEW loud AS SELECT 1 AS one;' >proj/sql/LOUD.SQL
cd proj || exit 1
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "an upper-case .SQL file does not stop the plan"
like "$out" "warning: sql/LOUD.SQL is not read: only names ending in .sql (lower case) are" "but is named in a warning"
touch "sql/bad
name.sql"
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "a file name with a line break is refused"
like "$out" "a file name contains a line break (shown as ?): bad?name.sql" "clearly"
rm "sql/bad
name.sql"

# a TMPDIR with a space
mkdir -p "$scratch/tmp dir"
out=$(TMPDIR="$scratch/tmp dir" pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "plan works with a TMPDIR holding a space"
out=$(TMPDIR="$scratch/tmp dir" pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "so does apply"
is "$(sql "SELECT count(*) FROM pg_views WHERE viewname = 'v'")" 1 "and it applied"

done_testing
