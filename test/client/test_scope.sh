#!/bin/sh
# test/client/test_scope.sh - pgmg test says its scope: every test runs
# unless --bail, the summary counts passed, failed and not run, the TAP
# plan is the real count, and no tests is a warning (--require-tests: an
# error).
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql/__tests__
echo 'CREATE TABLE t (n int);' >migrations/001_t.sql
printf 'migrations_dir = "migrations"\ncode_dir = "sql"\n' >pgmg.toml

out=$(pgmg test 2>&1); status=$?
is "$status" 0 "no tests: exit 0"
like "$out" "pgmg: no tests found" "but a warning says so"
out=$(pgmg test --require-tests 2>&1); status=$?
is "$status" 1 "--require-tests makes it an error"

echo 'INSERT INTO t VALUES (1);' >sql/__tests__/a_passes.sql
printf 'DO $$\nBEGIN\n  IF 1 = 1 THEN\n    RAISE EXCEPTION %s;\n  END IF;\nEND\n$$;\n' "'b is broken'" >sql/__tests__/b_fails.sql
echo 'SELECT 1 / 1;' >sql/__tests__/c_passes.sql

out=$(pgmg test 2>&1); status=$?
is "$status" 1 "a failing test fails the run"
like "$out" "FAIL  sql/__tests__/b_fails.sql" "naming it"
like "$out" "b is broken (at sql/__tests__/b_fails.sql:4:5)" "with its error, at the RAISE's line inside the DO block"
like "$out" "PASS  sql/__tests__/c_passes.sql" "and the tests after it still run"
like "$out" "2 passed, 1 failed, 0 not run" "the summary counts every test"

out=$(pgmg test --bail 2>&1); status=$?
is "$status" 1 "--bail fails too"
like "$out" "SKIP  sql/__tests__/c_passes.sql (not run: --bail)" "stopping at the first failure, naming what did not run"
like "$out" "1 passed, 1 failed, 1 not run" "and counting it"

out=$(pgmg test --tap 2>&1)
is "$(printf '%s\n' "$out" | grep -E '^(1\.\.|ok|not ok)' | tr '\n' '|')" "1..3|ok 1 - sql/__tests__/a_passes.sql|not ok 2 - sql/__tests__/b_fails.sql|ok 3 - sql/__tests__/c_passes.sql|" \
	"TAP: the plan is the real count"
out=$(pgmg test --tap --bail 2>&1)
like "$out" "ok 3 - sql/__tests__/c_passes.sql # SKIP not run (--bail)" "TAP with --bail: the rest are skipped, still counted"

out=$(pgmg test c_passes 2>&1); status=$?
is "$status" 0 "a pattern selects tests"
like "$out" "1 passed, 0 failed, 0 not run" "and the summary counts only those"

done_testing
