#!/bin/sh
# test/client/session.sh - the session API through the client: deploy
# with a deploy.sql gated on tests, params from flags, files and
# pgmg.toml, pgmg test, and projects made from both templates.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p proj/migrations proj/sql/views proj/sql/__test__ proj/params
cd proj || exit 1
cat >pgmg.toml <<'EOF'
migrations_dir = "migrations"
code_dir = "sql"

[params]
env = "from-toml"
EOF
cat >migrations/001_items.sql <<'EOF'
CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL);
CREATE TABLE deployed_for (env text NOT NULL);
INSERT INTO deployed_for VALUES (current_setting('pgmg.param.env'));
EOF
cat >sql/views/stock.sql <<'EOF'
CREATE VIEW stock AS SELECT coalesce(sum(qty), 0) AS total FROM items;
EOF
cat >sql/views/env.sql <<'EOF'
CREATE VIEW env AS SELECT current_setting('pgmg.param.env') AS name;
EOF
cat >sql/__test__/_setup.sql <<'EOF'
INSERT INTO items VALUES (1, 5), (2, 7);
EOF
cat >sql/__test__/test_stock.sql <<'EOF'
DO $$
BEGIN
    IF (SELECT total FROM stock) <> 12 THEN
        RAISE EXCEPTION 'stock is %', (SELECT total FROM stock);
    END IF;
END $$;
EOF
cat >sql/__test__/view_in_tests.sql <<'EOF'
CREATE VIEW not_code AS SELECT 1 AS one;
EOF
cat >deploy.sql <<'EOF'
BEGIN;
SELECT count(*) AS steps FROM pgmg.apply();
CALL pgmg.test();
SELECT 'env=' || name FROM env;
COMMIT;
EOF

# a failing test gate rolls the whole deploy back
cp sql/__test__/test_stock.sql keep.sql
sed 's/<> 12/<> 13/' keep.sql >sql/__test__/test_stock.sql
out=$(pgmg deploy 2>&1); status=$?
is "$status" 1 "deploy exits 1 when deploy.sql's test gate fails"
like "$out" 'test "sql/__test__/test_stock.sql" failed: stock is 12' "the error names the failing test"
like "$out" '(at sql/__test__/test_stock.sql:4:9)' "and its file and the line of the RAISE inside the DO block"
is "$(sql "SELECT count(*) FROM pg_class WHERE relname IN ('items', 'stock', 'env')")" 0 "no table or view survives the failed gate"
is "$(sql "SELECT (SELECT count(*) FROM pgmg.pgmg_migrations) + (SELECT count(*) FROM pgmg.pgmg_state)")" 0 "and the state tables are unchanged"

# a passing one commits; the tests' data and the view among the tests do not
cp keep.sql sql/__test__/test_stock.sql
out=$(pgmg deploy 2>&1); status=$?
is "$status" 0 "deploy exits 0 when the gate passes"
like "$out" "test passed: sql/__test__/test_stock.sql" "the test ran"
like "$out" "env=from-toml" "a [params] value in pgmg.toml reaches a view definition"
is "$(sql "SELECT env FROM deployed_for")" "from-toml" "and a migration"
is "$(sql "SELECT count(*) FROM items")" 0 "the fixture's rows were rolled back"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_state")" 2 "both views are managed"
is "$(sql "SELECT count(*) FROM pg_class WHERE relname = 'not_code'")" 0 "a file under __test__/ is never applied as code"

# precedence: --param over --params-file over pgmg.toml
printf '# staging\nenv=from-file\n' >params/staging.env
is "$(pgmg deploy --params-file params/staging.env 2>/dev/null | grep -o 'env=.*')" "env=from-file" "--params-file overrides pgmg.toml"
is "$(pgmg deploy --params-file=params/staging.env --param env=from-flag 2>/dev/null | grep -o 'env=.*')" "env=from-flag" "--param overrides --params-file"
is "$(pgmg deploy --param "env=it's a b=c" 2>/dev/null | grep -o 'env=.*')" "env=it's a b=c" "a value keeps quotes, spaces and ="

# bad keys are refused before anything runs
out=$(pgmg deploy --param 'my-key=1' 2>&1); status=$?
is "$status" 1 "a param key that is not an identifier is an error"
like "$out" "invalid param key 'my-key'" "naming the key"
printf 'ok=1\n2bad=2\n' >params/bad.env
out=$(pgmg test --params-file params/bad.env 2>&1); status=$?
is "$status" 1 "a bad key in a params file is an error"
like "$out" "params/bad.env:2: invalid param key '2bad'" "naming the file and line"
printf 'no equals sign\n' >params/bad.env
like "$(pgmg test --params-file params/bad.env 2>&1)" "params/bad.env:1: expected KEY=VALUE" "a line without = is an error naming file and line"
out=$(pgmg test --param novalue 2>&1); status=$?
is "$status" 2 "--param without = is a usage error"
cp pgmg.toml keep.toml
printf '[params]\nbad.key = "x"\n' >>pgmg.toml
like "$(pgmg plan 2>&1)" "pgmg.toml:7: invalid param key 'bad.key'" "a bad key in pgmg.toml names the file and line"
cp keep.toml pgmg.toml

# pgmg test: applies what is pending, runs, rolls back
echo 'ALTER TABLE items ALTER COLUMN qty TYPE bigint;' >migrations/002_note.sql
out=$(pgmg test 2>&1); status=$?
is "$status" 0 "test exits 0 when the tests pass"
like "$out" "Applied 3 pending step(s)" "it applied the pending migration first (drop, migrate, create)"
like "$out" "PASS  sql/__test__/test_stock.sql" "one line per test"
like "$out" "2 passed, 0 failed" "and a count"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations")" 1 "and rolled everything back"
is "$(pgmg test --tap)" "1..2
ok 1 - sql/__test__/test_stock.sql
ok 2 - sql/__test__/view_in_tests.sql" "--tap prints TAP, the plan first"
printf 'SELECT 1;\n\nSELECT 1 / 0;\n' >sql/__test__/test_zero.sql
out=$(pgmg test 2>&1); status=$?
is "$status" 1 "test exits 1 when a test fails"
like "$out" "FAIL  sql/__test__/test_zero.sql" "the failing test is named"
like "$out" '(at sql/__test__/test_zero.sql:3:1)' "with its line and column"
like "$(pgmg test --tap 2>&1)" "not ok 2 - sql/__test__/test_zero.sql" "TAP reports it as not ok"
is "$(pgmg test stock)" "Applied 3 pending step(s) in the test transaction (rolled back afterwards).
PASS  sql/__test__/test_stock.sql
1 passed, 0 failed, 0 not run" "a pattern selects tests"
out=$(pgmg test nothing_matches 2>&1); status=$?
is "$status" 1 "a pattern matching no test is an error"
like "$out" 'no test matches the pattern "nothing_matches"' "saying so"
rm sql/__test__/test_zero.sql migrations/002_note.sql

# pgmg.source holds the files byte for byte
printf 'CREATE VIEW crlf AS SELECT 1 AS one; \r\n-- caf\303\251\t\n' >sql/views/crlf.sql
cat >deploy.sql <<'EOF'
SELECT path || ' ' || md5(content) FROM pgmg.source WHERE "group" <> 'tests' ORDER BY path;
EOF
expected=$( (cd sql && find . -name '__test__' -prune -o -name '*.sql' -print | sed 's|^\./||' | LC_ALL=C sort |
	while IFS= read -r f; do printf '%s %s\n' "$f" "$(md5sum <"$f" | cut -d' ' -f1)"; done)
	cd migrations && for f in *.sql; do printf '%s %s\n' "$f" "$(md5sum <"$f" | cut -d' ' -f1)"; done)
is "$(pgmg deploy 2>/dev/null | grep '\.sql ' | sed 's/^ *//' | LC_ALL=C sort)" "$(printf '%s\n' "$expected" | LC_ALL=C sort)" "pgmg.source content equals the files byte for byte"
rm deploy.sql sql/views/crlf.sql

# params reach a migration that runs outside a transaction too
printf -- '-- pgmg:no-transaction\nCREATE TABLE outside_env AS SELECT current_setting(%s) AS env;\n' "'pgmg.param.env'" >migrations/002_outside.sql
out=$(pgmg apply --param env=outside 2>&1); status=$?
is "$status" 0 "apply runs a no-transaction migration that reads a param"
is "$(sql "SELECT env FROM outside_env")" "outside" "and the param reached it"

# without a deploy.sql, deploy is apply
echo 'CREATE VIEW big_items AS SELECT id FROM items WHERE qty > 10;' >sql/views/big_items.sql
out=$(pgmg deploy 2>&1); status=$?
is "$status" 0 "deploy without deploy.sql exits 0"
like "$out" "All changes applied successfully." "and applies like apply"
is "$(sql "SELECT count(*) FROM pg_views WHERE viewname = 'big_items'")" 1 "the new view exists"

# --project runs from another directory
cd "$scratch" || exit 1
like "$(pgmg test --project proj)" "2 passed, 0 failed" "--project DIR runs the project in DIR"

# pgTAP assertions inside tests
mkdir -p tap/sql/__test__
sql 'CREATE EXTENSION IF NOT EXISTS pgtap' >/dev/null
cat >tap/sql/__test__/test_tap.sql <<'EOF'
SELECT plan(2);
SELECT ok(true, 'truth holds');
SELECT is(1 + 1, 2, 'arithmetic holds');
EOF
out=$(pgmg test --code-dir=tap/sql 2>&1); status=$?
is "$status" 0 "a test whose pgTAP assertions pass passes"
like "$out" "PASS  __test__/test_tap.sql" "and is reported"
sed 's/1 + 1, 2/1 + 1, 3/' tap/sql/__test__/test_tap.sql >tap/t.sql && mv tap/t.sql tap/sql/__test__/test_tap.sql
out=$(pgmg test --code-dir=tap/sql 2>&1); status=$?
is "$status" 1 "a failed pgTAP assertion fails the test"
like "$out" "1 test failed of 2" "with pgTAP's count"
like "$out" "not ok 2 - arithmetic holds" "and the failed assertion"
sql 'DROP EXTENSION pgtap' >/dev/null

# templates
like "$(pgmg templates)" "basic" "templates lists basic"
like "$(pgmg templates)" "advanced" "and advanced"
for t in basic advanced; do
	db="${PGDATABASE}_$t"
	createdb "$db"
	pgmg init "new_$t" --template "$t" >/dev/null 2>&1; status=$?
	is "$status" 0 "init --template $t"
	cd "new_$t" || exit 1
	main_db=$PGDATABASE
	PGDATABASE=$db
	if [ -f deploy.sql ]; then
		out=$(pgmg deploy 2>&1); status=$?
		is "$status" 0 "the $t template deploys to an empty database"
	else
		out=$(pgmg apply 2>&1); status=$?
		is "$status" 0 "the $t template applies to an empty database"
	fi
	out=$(pgmg test 2>&1); status=$?
	is "$status" 0 "its tests pass"
	like "$out" " passed, 0 failed" "and are counted"
	unlike "$out" "0 passed" "there is at least one"
	is "$(pgmg plan)" "PLAN: nothing to do." "nothing is left to do"
	PGDATABASE=$main_db
	cd "$scratch" || exit 1
	dropdb "$db"
done
out=$(pgmg init new_basic --template basic 2>&1); status=$?
is "$status" 1 "init refuses to overwrite a template's files"
like "$out" "refusing to overwrite existing files" "saying so"
pgmg init other --template nosuch >/dev/null 2>&1; status=$?
is "$status" 2 "an unknown template is a usage error"

done_testing
