#!/bin/sh
# test/client/adopt.sh - a database built without pgmg (the basic and the
# advanced template, loaded with plain psql from a schema dump) is adopted
# without disruption:
# after pgmg baseline, the first apply keeps every view and materialized
# view that is as its file defines it, drops nothing, and leaves data and
# OIDs in place; the next plan is empty.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
cp -r "$repo_root/examples/templates/basic/migrations" "$repo_root/examples/templates/basic/sql" .
# a materialized view with data, as a team would add by hand
cat >sql/views/order_counts.sql <<'SQL'
CREATE MATERIALIZED VIEW order_counts AS SELECT user_id, count(*) AS n FROM orders GROUP BY user_id;
CREATE UNIQUE INDEX order_counts_user ON order_counts (user_id);
SQL

# the reference build, with pgmg, gives the schema to load by hand
src="${PGDATABASE}_src"
trap 'PGDATABASE=postgres dropdb --if-exists "$src" >/dev/null 2>&1; cleanup' EXIT
createdb "$src"
PGDATABASE=$src pgmg apply --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1
ok $? "the template applies in a reference database"
pg_dump --schema-only -N pgmg "$src" | grep -v 'EXTENSION.* pgmg' | psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>&1
ok $? "the schema is loaded with plain psql"
sql "INSERT INTO users (id, name, email) VALUES (1, 'ann', 'ann@example.org')" >/dev/null
sql "INSERT INTO orders (user_id, amount) VALUES (1, 10), (1, 20)" >/dev/null
sql "REFRESH MATERIALIZED VIEW order_counts" >/dev/null
# a row the materialized view has not seen: recreating it would count it
sql "INSERT INTO orders (user_id, amount) VALUES (1, 30)" >/dev/null
before=$(sql "SELECT string_agg(relname || ':' || oid, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm')")
counts=$(sql "SELECT string_agg(user_id || '=' || n, ',') FROM order_counts")

last=$(find migrations -name '*.sql' | sort | tail -1)
last=$(basename "$last")
out=$(pgmg baseline "$last" --migrations-dir=migrations 2>&1)
ok $? "baseline records the migrations"
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1)
ok $? "plan runs"
like "$out" "KEEP " "the plan keeps what is as its file defines it"
unlike "$out" "DROP " "and drops nothing"
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1)
ok $? "the first apply succeeds"
like "$out" "Kept view" "it says what it kept"
like "$out" "Kept materialized view: public.order_counts (unchanged)" "the materialized view among them"
unlike "$out" "Dropping" "and it drops nothing"
is "$(sql "SELECT string_agg(relname || ':' || oid, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm')")" \
	"$before" "every view and materialized view is the same object"
is "$(sql "SELECT string_agg(user_id || '=' || n, ',') FROM order_counts")" "$counts" "the materialized view kept its data"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_state WHERE object_name LIKE 'view.%' OR object_name LIKE 'materialized_view.%'")" \
	"$(sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm')")" \
	"and every one of them is managed now"
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql --exit-code 2>&1)
is "$?" 0 "the next plan is empty"

# one file differs: only its view changes
for f in sql/views/*.sql; do
	case "$f" in *order_counts*) continue ;; esac
	view=$f
	break
done
sed 's/;[[:space:]]*$/ LIMIT 1000000;/' "$view" >"$view.new" && mv "$view.new" "$view"
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1)
like "$out" "$(basename "$view") (modified)" "a changed view is planned"
unlike "$out" "order_counts" "the others are not"

# the advanced template (two schemas, grants, a composite type a function
# returns) is adopted the same way, in a database of its own
adv="${PGDATABASE}_adv"
advsrc="${PGDATABASE}_advsrc"
drop_dbs() {
	for db in "$src" "$adv" "$advsrc"; do
		PGDATABASE=postgres dropdb --if-exists "$db" >/dev/null 2>&1
	done
}
trap 'drop_dbs; cleanup' EXIT
mkdir "$scratch/adv" && cd "$scratch/adv" || exit 1
cp -r "$repo_root/examples/templates/advanced/." .
createdb "$advsrc" && createdb "$adv"
PGDATABASE=$advsrc pgmg apply >/dev/null 2>&1
ok $? "the advanced template applies in a reference database"
pg_dump --schema-only -N pgmg "$advsrc" | grep -v 'EXTENSION.* pgmg' | PGDATABASE=$adv psql -X -q >/dev/null 2>&1
last=$(find migrations -name '*.sql' | sort | tail -1)
PGDATABASE=$adv pgmg baseline "$(basename "$last")" >/dev/null 2>&1
ok $? "and is loaded with plain psql and baselined"
out=$(PGDATABASE=$adv pgmg apply 2>&1)
ok $? "its first apply succeeds"
unlike "$out" "Dropping" "and drops nothing"
out=$(PGDATABASE=$adv pgmg plan --exit-code 2>&1)
is "$?" 0 "its next plan is empty"

done_testing
