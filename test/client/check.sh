#!/bin/sh
# test/client/check.sh - pgmg check and plan --check: the apply runs in a
# transaction that is always rolled back, each step on its own, and every
# failing step is reported at once at path:line:column; nothing changes;
# a read-only session says it cannot check.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql/views sql/functions
printf 'CREATE TABLE items (id int PRIMARY KEY, name text, qty int);\nINSERT INTO items VALUES (1, %s, 0);\n' "'bolt'" >migrations/001_items.sql
pgmg apply --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1

out=$(pgmg check --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "check with nothing pending exits 0"
like "$out" "the apply would succeed" "and says so"

# three independent failures and a sound file
printf -- '-- every item must be in stock\nALTER TABLE items ADD CONSTRAINT items_qty_positive CHECK (qty > 0);\n' >migrations/002_positive.sql
printf 'CREATE VIEW item_labels AS\n  SELECT id, name + 1 AS label FROM items;\n' >sql/views/item_labels.sql
cat >sql/functions/restock.sql <<'EOF2'
CREATE FUNCTION restock(p_id int) RETURNS void LANGUAGE plpgsql
AS $$
BEGIN
	UPDATE items SET qty = qty + 10 WHERE id = p_id
	RETURN;
END
$$;
EOF2
echo 'CREATE VIEW item_names AS SELECT name FROM items;' >sql/views/item_names.sql
out=$(pgmg check --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "check exits 1 when steps would fail"
like "$out" "Check: 3 step(s) would fail" "it finds all three in one run"
like "$out" "- migrations/002_positive.sql:2:1: 23514: check constraint \"items_qty_positive\" of relation \"items\" is violated by some row" "the migration, at path:line:column"
like "$out" "- sql/views/item_labels.sql:2:19: 42883: operator does not exist: text + integer" "the view, at the operator"
like "$out" "- sql/functions/restock.sql:5:2: 42601: syntax error at or near \"RETURN\"" "the function, at its line"
unlike "$out" "item_names" "the sound file is not reported"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations")" 1 "nothing was recorded"
is "$(sql "SELECT count(*) FROM pg_class WHERE relname IN ('item_names', 'item_labels')") $(sql "SELECT count(*) FROM pg_constraint WHERE conname = 'items_qty_positive'")" "0 0" "and nothing was created"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_history")" 1 "a check is not an apply: no history row"

n=$(pgmg check --migrations-dir=migrations --code-dir=sql --format=json 2>/dev/null | perl -MJSON::PP -e 'my $r = decode_json(join("", <STDIN>))->{failures}; print scalar(@$r), " ", join(",", map { "$_->{file}:$_->{line}:$_->{sqlstate}" } @$r)')
is "$n" "3 002_positive.sql:2:23514,views/item_labels.sql:2:42883,functions/restock.sql:5:42601" "check --format=json has a row per failing step"

out=$(pgmg plan --migrations-dir=migrations --code-dir=sql --check 2>&1); status=$?
is "$status" 1 "plan --check exits 1 too"
like "$out" "Execution order:" "it prints the plan"
like "$out" "Check: 3 step(s) would fail" "then the check"

# the bodies are checked as apply checks them
rm migrations/002_positive.sql sql/views/item_labels.sql
printf 'CREATE FUNCTION restock(p_id int) RETURNS void LANGUAGE sql\nAS $$ UPDATE stock SET qty = qty + 10 WHERE id = p_id $$;\n' >sql/functions/restock.sql
out=$(pgmg check --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "a SQL body reading a missing table fails the check"
like "$out" '42P01: relation "stock" does not exist (function bodies)' "reported as the body check"

# read-only
out=$(psql -X -q -At -c "BEGIN READ ONLY" -c "SELECT count(*) FROM pgmg.check('{\"code\": {}}')" 2>&1)
like "$out" "cannot check the plan in a read-only session" "a read-only transaction cannot check, and says so"

done_testing
