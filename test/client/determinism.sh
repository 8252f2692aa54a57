#!/bin/sh
# test/client/determinism.sh - identical inputs and catalogs give identical
# plans, whatever history the database has.
#
# Two databases reach the same schema and state by different roads: one by
# a single apply, the other with some views edited and reverted, so their
# objects have other OIDs and other places in pg_depend.  The plan of the
# same migration (which must drop and recreate every view) and the plan of
# a code change must then be the same, line for line, in the same order.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db
db_a=$PGDATABASE
db_b="${PGDATABASE}_b"
createdb "$db_b"
trap 'cleanup; PGDATABASE=postgres dropdb --if-exists "$db_b" >/dev/null 2>&1' EXIT

proj="$scratch/proj"
mkdir -p "$proj/migrations" "$proj/sql/views" "$proj/pending"
cat >"$proj/migrations/001_tables.sql" <<'SQL'
CREATE TABLE public.orders (id integer PRIMARY KEY, amount numeric, region text);
CREATE TABLE public.refunds (order_id integer, amount numeric);
SQL
cat >"$proj/pending/002_widen.sql" <<'SQL'
ALTER TABLE public.orders ALTER COLUMN amount TYPE numeric(20, 2);
SQL
for v in a b c d e f g h; do
	printf 'CREATE VIEW public.v_%s AS SELECT id, amount, region FROM public.orders;\n' "$v" \
		>"$proj/sql/views/v_$v.sql"
done
cat >"$proj/sql/views/w_pair.sql" <<'SQL'
CREATE VIEW public.w_pair AS
SELECT a.id, a.amount + b.amount AS total FROM public.v_a a JOIN public.v_b b USING (id);
SQL
cat >"$proj/sql/views/w_refunds.sql" <<'SQL'
CREATE VIEW public.w_refunds AS
SELECT o.id, o.amount - r.amount AS net FROM public.v_c o JOIN public.refunds r ON r.order_id = o.id;
SQL
cat >"$proj/sql/order_total.sql" <<'SQL'
CREATE FUNCTION public.order_total(o public.v_d) RETURNS numeric
LANGUAGE sql RETURN o.amount;
SQL

# on DB: pgmg COMMAND [FLAGS] on the project, in database DB
on() {
	db=$1
	shift
	PGDATABASE=$db pgmg "$@" --code-dir="$proj/sql" --migrations-dir="$proj/migrations"
}

# A: one apply
on "$db_a" apply >/dev/null 2>&1
ok $? "database A: applied in one go"

# B: the same files, but some views edited and reverted first
on "$db_b" apply >/dev/null 2>&1
for v in h a c; do
	cp "$proj/sql/views/v_$v.sql" "$scratch/v_$v.keep"
	printf 'CREATE VIEW public.v_%s AS SELECT id, amount, region, 1 AS tmp FROM public.orders;\n' "$v" \
		>"$proj/sql/views/v_$v.sql"
	on "$db_b" apply >/dev/null 2>&1
done
for v in h a c; do
	cp "$scratch/v_$v.keep" "$proj/sql/views/v_$v.sql"
	on "$db_b" apply >/dev/null 2>&1
done
ok $? "database B: applied through edits and reverts"

state() {
	PGDATABASE=$1 psql -X -At -c "SELECT string_agg(object_name || ' ' || object_hash || ' ' || file, E'\n' ORDER BY object_name) FROM pgmg.pgmg_state"
}
is "$(state "$db_b")" "$(state "$db_a")" "both databases record the same state"
oids() {
	PGDATABASE=$1 psql -X -At -c "SELECT string_agg(relname, ',' ORDER BY oid) FROM pg_class WHERE relname LIKE 'v\_%' AND relkind = 'v'"
}
unlike "$(oids "$db_b")" "$(oids "$db_a")" "their views were created in different orders"

cp "$proj/pending/002_widen.sql" "$proj/migrations/"
plan_a=$(on "$db_a" plan 2>&1 | grep -v "^pgmg: database ")
plan_b=$(on "$db_b" plan 2>&1 | grep -v "^pgmg: database ")
like "$plan_a" "DROP VIEW public.v_a" "the migration's plan drops the views"
is "$plan_b" "$plan_a" "the migration's plan is identical on both databases"
json_a=$(on "$db_a" plan --format=json 2>/dev/null | json_part steps)
json_b=$(on "$db_b" plan --format=json 2>/dev/null | json_part steps)
is "$json_b" "$json_a" "the migration's JSON plan is identical on both databases"

# a code change under many dependents, without the migration
rm "$proj/migrations/002_widen.sql"
printf 'CREATE TABLE public.extra (id integer);\n' >"$proj/migrations/002_extra.sql"
printf -- '-- renamed column\nCREATE VIEW public.v_b AS SELECT id, amount, region FROM public.orders WHERE id > 0;\n' \
	>"$proj/sql/views/v_b.sql"
plan_a=$(on "$db_a" plan 2>&1 | grep -v "^pgmg: database ")
plan_b=$(on "$db_b" plan 2>&1 | grep -v "^pgmg: database ")
is "$plan_b" "$plan_a" "a code change's plan is identical on both databases"

# what is applied from the same plan is the same schema
on "$db_a" apply >/dev/null 2>&1
on "$db_b" apply >/dev/null 2>&1
schema() {
	pg_dump --schema-only --no-owner -N pgmg -d "$1" | grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict'
}
is "$(schema "$db_b")" "$(schema "$db_a")" "both databases end with the same schema"
done_testing
