#!/bin/sh
# test/client/code_flow.sh - bin/pgmg plan/apply on a real code directory:
# the seed flow, exit codes, byte-exact upload, errors naming the file,
# and an omitted group never deleting anything.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p sql/views sql/functions ".hidden"
sql "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL)" >/dev/null
cat >sql/views/user_names.sql <<'SQL'
CREATE VIEW user_names AS SELECT id, name FROM users;
SQL
cat >sql/functions/count_users.sql <<'SQL'
CREATE FUNCTION count_users() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC SELECT count(*) FROM user_names; END;
SQL
echo 'CREATE VIEW hidden_one AS SELECT 1;' >".hidden/x.sql"

out=$(pgmg plan --code-dir=sql 2>&1); status=$?
is "$status" 0 "plan exits 0"
like "$out" "- views/user_names.sql (new)" "plan lists the new view file"
like "$out" "1. CREATE VIEW public.user_names (from sql/views/user_names.sql)" "the view comes first"
like "$out" "2. CREATE FUNCTION public.count_users()" "the function that reads it second"

pgmg plan --code-dir=sql --exit-code >/dev/null 2>&1; status=$?
is "$status" 3 "plan --exit-code exits 3 when changes are pending"

out=$(pgmg apply --code-dir=sql 2>&1); status=$?
is "$status" 0 "apply exits 0"
like "$out" "+ Created view: public.user_names" "apply reports each step (plain glyphs off a terminal)"
like "$out" "All changes applied successfully." "apply ends with the success line"
is "$(sql 'SELECT count_users()')" 0 "the function works"

out=$(pgmg plan --code-dir=sql --exit-code 2>&1); status=$?
is "$status" 0 "plan --exit-code exits 0 when nothing is pending"
like "$out" "PLAN: nothing to do." "plan says nothing to do"

# changing a column of the view recreates the function that depends on it
echo 'CREATE VIEW user_names AS SELECT id, name::varchar(200) AS name, upper(name) AS shout FROM users;' >sql/views/user_names.sql
out=$(pgmg plan --code-dir=sql 2>&1)
like "$out" "- function.public.count_users() (depends on view.public.user_names)" "the dependent function is listed as affected"
like "$out" "1. DROP FUNCTION public.count_users()" "dependents are dropped first"
pgmg apply --code-dir=sql >/dev/null 2>&1; status=$?
is "$status" 0 "apply of the edit succeeds"
is "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'user_names'")" 3 "the view has its new column"

# awkward bytes round-trip exactly: quotes, backslashes, dollars, tabs, CRLF, non-ASCII
# shellcheck disable=SC2016
printf 'CREATE FUNCTION awkward() RETURNS text LANGUAGE sql IMMUTABLE AS $body$SELECT %s$body$;\r\n' \
	"'it''s a \\\\ back\\slash, \$\$ dollars, a	tab, é ü 漢字'::text" >sql/functions/awkward.sql
pgmg apply --code-dir=sql >/dev/null 2>&1; status=$?
is "$status" 0 "a file with awkward bytes applies"
expected=$(awk 'BEGIN { RS = "^$" } { sub(/^.*\$body\$SELECT /, ""); sub(/\$body\$;\r\n$/, ""); printf "%s", $0 }' sql/functions/awkward.sql)
is "$(sql "SELECT prosrc FROM pg_proc WHERE proname = 'awkward'" | sed 's/^SELECT //')" "$expected" "the function body is byte for byte the file's"
is "$(sql "SELECT awkward()")" "it's a \\\\ back\\slash, \$\$ dollars, a	tab, é ü 漢字" "and it returns the literal as written"

# a broken file is an error naming the file and line; nothing changes
printf 'CREATE VIEW broken AS\nSELECT FROM FROM users;\n' >sql/views/broken.sql
before=$(sql "SELECT string_agg(object_name || fingerprint, ',' ORDER BY object_name) FROM pgmg.pgmg_state")
out=$(pgmg apply --code-dir=sql 2>&1); status=$?
is "$status" 1 "apply of a broken file exits 1"
like "$out" 'file "views/broken.sql", line 2' "the error names the file and line"
like "$out" "nothing was changed" "the client says nothing changed"
is "$(sql "SELECT string_agg(object_name || fingerprint, ',' ORDER BY object_name) FROM pgmg.pgmg_state")" "$before" "state is unchanged"
rm sql/views/broken.sql

# leaving out --code-dir manages nothing: no deletions
mkdir no_migrations
out=$(pgmg plan --migrations-dir=no_migrations 2>&1)
like "$out" "PLAN: nothing to do." "without --code-dir nothing is planned"
# an empty code directory is managed: everything would be dropped
mkdir empty
out=$(pgmg plan --code-dir=empty 2>&1)
like "$out" "DROP FUNCTION public.count_users()" "an empty code dir drops what pgmg manages"
unlike "$out" "hidden_one" "hidden files are never uploaded"

done_testing
