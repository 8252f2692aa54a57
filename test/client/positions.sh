#!/bin/sh
# test/client/positions.sh - errors say where they are as path:line:column
# from the project root, for code files and migrations, and --format=github
# (or PGMG_GITHUB=1) prints them as GitHub Actions ::error commands.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p db/migrations db/sql/views db/sql/__tests__
printf 'migrations_dir = "migrations"\ncode_dir = "sql"\n' >db/pgmg.toml
echo 'CREATE TABLE t (id int);' >db/migrations/001_t.sql
printf 'CREATE VIEW broken AS\nSELECT FROM FROM t;\n' >db/sql/views/broken.sql
cd db || exit 1

out=$(pgmg apply 2>&1); status=$?
is "$status" 1 "a broken code file fails the apply"
like "$out" "  at sql/views/broken.sql:2:13" "the error is placed at path:line:column from the project root"
out=$(cd sql/views && pgmg apply 2>&1)
like "$out" "  at sql/views/broken.sql:2:13" "from a subdirectory too: the project root, not where pgmg runs"
out=$(pgmg apply --format=github 2>/dev/null)
like "$out" "::error file=sql/views/broken.sql,line=2,col=13::syntax error at or near \"FROM\"" "--format=github prints a GitHub Actions error on stdout"
out=$(PGMG_GITHUB=1 pgmg check 2>/dev/null)
like "$out" "::error file=sql/views/broken.sql,line=2,col=13::42601: syntax error" "check prints one too, with PGMG_GITHUB=1"
rm sql/views/broken.sql
sql "CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 2000) g; ANALYZE big" >/dev/null
echo 'ALTER TABLE big ALTER COLUMN id TYPE bigint;' >migrations/002_big.sql
out=$(PGOPTIONS="-c pgmg.hazard_rows=1000" pgmg hazards --format=github 2>/dev/null)
like "$out" "::warning file=migrations/002_big.sql,line=1,title=table_rewrite (high)::ALTER COLUMN id TYPE bigint rewrites public.big" "and hazards are GitHub warnings"
rm migrations/002_big.sql

printf 'CREATE TABLE u (id int);\nINSERT INTO u VALUES (1 / 0);\n' >migrations/002_u.sql
out=$(pgmg apply --format=github 2>&1); status=$?
is "$status" 1 "a failing migration fails the apply"
like "$out" "  at migrations/002_u.sql:2:1" "placed in the migrations directory"
like "$out" "::error file=migrations/002_u.sql,line=2,col=1::division by zero" "and as a GitHub error"
rm migrations/002_u.sql

printf 'SELECT 1;\n\nSELECT 1 / 0;\n' >sql/__tests__/test_zero.sql
out=$(pgmg test 2>&1)
like "$out" "division by zero (at sql/__tests__/test_zero.sql:3:1)" "a failing test's place is from the project root too"

done_testing
