#!/bin/sh
# test/client/versions.sh - a plan takes the state rows whose catalog rows
# are the versions pgmg recorded as resolved and unchanged, read together
# (src/versions.c), and says exactly what resolving each row by its name
# says: a schema or an argument type renamed around an unchanged row (the
# objects are not found under their names), a view recreated by hand, rows
# moved by VACUUM FULL or frozen, a template copy, a restored dump and
# another project's rows each plan as before.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql/views sql/functions
cat >migrations/001_shop.sql <<'SQL'
CREATE SCHEMA shop;
CREATE DOMAIN shop.amount AS integer CHECK (VALUE >= 0);
CREATE TABLE shop.items (id integer PRIMARY KEY, name text NOT NULL, price shop.amount NOT NULL);
SQL
echo "CREATE VIEW shop.item_names AS SELECT id, name FROM shop.items;" >sql/views/item_names.sql
echo "CREATE MATERIALIZED VIEW shop.price_list AS SELECT id, price FROM shop.items;" >sql/views/price_list.sql
echo "CREATE FUNCTION shop.with_tax(p shop.amount) RETURNS integer LANGUAGE sql IMMUTABLE RETURN p * 2;" >sql/functions/with_tax.sql
echo "CREATE PROCEDURE shop.touch(p integer) LANGUAGE sql BEGIN ATOMIC SELECT p; END;" >sql/functions/touch.sql

plan() { pgmg plan --migrations-dir=migrations --code-dir=sql "$@" 2>&1; }

out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1)
ok $? "the project applies"
out=$(plan --exit-code)
is $? 0 "a plan of the unchanged project has nothing to do"

# a schema renamed: no row of its objects changes, their names do
sql "ALTER SCHEMA shop RENAME TO store" >/dev/null
out=$(plan --exit-code)
is $? 1 "a schema renamed around unchanged rows: the objects are missing, and their files would fail"
like "$out" '"views/item_names.sql" line 1: relation "shop.items" does not exist' "the plan would run the view's file again"
like "$out" '"functions/with_tax.sql" line 1: type "shop.amount" does not exist' "and the function's"
sql "ALTER SCHEMA store RENAME TO shop" >/dev/null
out=$(plan --exit-code)
is $? 0 "renamed back, nothing to do"

# an argument type renamed: the function's row is unchanged, its identity
# is not
sql "ALTER DOMAIN shop.amount RENAME TO money_amount" >/dev/null
out=$(plan --exit-code)
is $? 1 "an argument type renamed around an unchanged function: the function is missing"
like "$out" 'code file "functions/with_tax.sql" references type "shop.amount", which does not exist' "the plan would run its file again"
unlike "$out" "item_names" "and not the view's"
sql "ALTER DOMAIN shop.money_amount RENAME TO amount" >/dev/null
out=$(plan --exit-code)
is $? 0 "renamed back, nothing to do"

# a view recreated by hand under the same name, with another query: new rows
sql "DROP VIEW shop.item_names; CREATE VIEW shop.item_names AS SELECT id, upper(name) AS name FROM shop.items" >/dev/null
out=$(plan --exit-code)
is $? 3 "a view recreated by hand is drift"
like "$out" "shop.item_names" "the plan names it"
pgmg apply --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1
ok $? "the apply puts it back"
out=$(plan --exit-code)
is $? 0 "then nothing to do"

# the same rows elsewhere: VACUUM FULL moves catalog rows, a template copy
# keeps them, a restored dump makes new ones; each compares as before
for catalog in pg_class pg_rewrite pg_proc; do
	sql "VACUUM FULL pg_catalog.$catalog" >/dev/null
done
out=$(plan --exit-code)
is $? 0 "catalog rows moved by VACUUM FULL: nothing to do"
# rows recorded past where VACUUM FULL then ends the catalogs
sql "DO \$\$ BEGIN FOR i IN 1..400 LOOP EXECUTE format('CREATE VIEW shop.pad%s AS SELECT %s AS a', i, i); EXECUTE format('CREATE FUNCTION shop.pad%s() RETURNS integer LANGUAGE sql RETURN %s', i, i); END LOOP; END \$\$" >/dev/null
echo "CREATE VIEW shop.item_names AS SELECT id, name, price FROM shop.items;" >sql/views/item_names.sql
echo "CREATE FUNCTION shop.with_tax(p shop.amount) RETURNS integer LANGUAGE sql IMMUTABLE RETURN p * 3;" >sql/functions/with_tax.sql
pgmg apply --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1
ok $? "a view and a function recreated after 800 other objects"
sql "DO \$\$ BEGIN FOR i IN 1..400 LOOP EXECUTE format('DROP VIEW shop.pad%s', i); EXECUTE format('DROP FUNCTION shop.pad%s()', i); END LOOP; END \$\$" >/dev/null
before=$(sql "SELECT pg_catalog.pg_relation_size('pg_catalog.pg_rewrite') / 8192")
for catalog in pg_class pg_rewrite pg_proc; do
	sql "VACUUM FULL pg_catalog.$catalog" >/dev/null
done
after=$(sql "SELECT pg_catalog.pg_relation_size('pg_catalog.pg_rewrite') / 8192")
[ "$after" -lt "$before" ]
ok $? "VACUUM FULL made pg_rewrite smaller ($before -> $after blocks)"
out=$(plan --exit-code)
is $? 0 "rows recorded past the catalogs' new end: nothing to do"
for catalog in pg_class pg_rewrite pg_proc; do
	sql "VACUUM FREEZE pg_catalog.$catalog" >/dev/null
done
out=$(plan --exit-code)
is $? 0 "catalog rows frozen: nothing to do"
copy="${PGDATABASE}_copy"
createdb -T "$PGDATABASE" "$copy"
out=$(PGDATABASE=$copy plan --exit-code)
is $? 0 "a template copy: nothing to do"
dropdb "$copy"
restored="${PGDATABASE}_restored"
createdb "$restored"
pg_dump -Fc "$PGDATABASE" | pg_restore -d "$restored" 2>&1
out=$(PGDATABASE=$restored plan --exit-code)
is $? 0 "a restored dump: nothing to do"
PGDATABASE=$restored sql "CREATE OR REPLACE VIEW shop.item_names AS SELECT id, name, price FROM shop.items WHERE id > 0" >/dev/null
out=$(PGDATABASE=$restored plan --exit-code)
is $? 3 "and drift in it is found"
dropdb "$restored"

# another project's rows are resolved too: they still guard their objects
mkdir -p other
echo "CREATE VIEW shop.item_names AS SELECT id FROM shop.items;" >other/item_names.sql
out=$(pgmg plan --code-dir=other --project-name=other 2>&1)
is $? 1 "another project cannot take an object this one manages"
like "$out" "is managed by project" "it says which project has it"
done_testing
