#!/bin/sh
# test/client/import.sh - pgmg import writes a project from a live database:
# code files for its views, materialized views, functions, procedures,
# types, domains, triggers, policies and rules, a baseline migration for
# the rest, recorded as applied.  Applying the project to that database
# runs nothing; a fresh database built from it has the same schema.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
fresh="${PGDATABASE}_fresh"
trap 'PGDATABASE=postgres dropdb --if-exists "$fresh" >/dev/null 2>&1; cleanup' EXIT
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE SCHEMA shop;
CREATE TYPE shop.state AS ENUM ('new', 'paid');
CREATE TYPE shop.addr AS (street text, city text COLLATE "C");
CREATE DOMAIN shop.qty AS integer NOT NULL DEFAULT 1 CONSTRAINT qty_positive CHECK (VALUE > 0);
CREATE TABLE shop.orders (id int PRIMARY KEY, state shop.state NOT NULL DEFAULT 'new',
  ship shop.addr, qty shop.qty, total numeric NOT NULL DEFAULT 0, touched timestamptz);
ALTER TABLE shop.orders ENABLE ROW LEVEL SECURITY;
INSERT INTO shop.orders (id, state, total) VALUES (1, 'paid', 30), (2, 'new', 5);
CREATE VIEW shop.paid AS SELECT id, total FROM shop.orders WHERE state = 'paid';
CREATE VIEW shop.paid_total AS SELECT sum(total) AS total FROM shop.paid;
COMMENT ON VIEW shop.paid IS 'paid orders';
CREATE MATERIALIZED VIEW shop.by_state AS SELECT state, count(*) AS n FROM shop.orders GROUP BY state;
CREATE UNIQUE INDEX by_state_state ON shop.by_state (state);
CREATE FUNCTION shop.double(n numeric) RETURNS numeric LANGUAGE sql IMMUTABLE RETURN n * 2;
CREATE FUNCTION shop.double(n integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN n * 2;
CREATE PROCEDURE shop.pay(o integer) LANGUAGE sql BEGIN ATOMIC UPDATE shop.orders SET state = 'paid' WHERE id = o; END;
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;
CREATE TRIGGER touch BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch();
ALTER TABLE shop.orders DISABLE TRIGGER touch;
CREATE POLICY open_orders ON shop.orders FOR SELECT TO PUBLIC USING (state <> 'paid' OR total > 0);
CREATE RULE no_delete AS ON DELETE TO shop.paid DO INSTEAD NOTHING;
GRANT SELECT ON shop.paid_total TO PUBLIC;
CREATE AGGREGATE shop.biggest(numeric) (SFUNC = pg_catalog.numeric_larger, STYPE = numeric);
SQL
before=$(sql "SELECT string_agg(relname || ':' || oid, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'shop'::regnamespace")
pg_dump --schema-only -N pgmg | grep -v '^--' | grep -v 'EXTENSION.* pgmg' | grep -Ev '^.(un)?restrict [A-Za-z0-9]+$|^$' >original.sql

out=$(pgmg import proj --schema=shop 2>&1)
ok $? "import writes a project"
like "$out" "Wrote 12 code file(s)" "twelve code files"
like "$out" "does not write aggregate.shop.biggest(numeric) yet" "and names what it does not write"
like "$out" "000_schemas.sql and 001_baseline.sql" "the baseline migrations"
like "$out" "2 migration(s) marked as applied" "recorded as applied"
for f in views/paid views/paid_total materialized_views/by_state functions/double procedures/pay \
	functions/touch types/state types/addr domains/qty triggers/orders.touch policies/orders.open_orders \
	rules/paid.no_delete; do
	[ -f "proj/sql/shop/$f.sql" ]
	ok $? "proj/sql/shop/$f.sql"
done
is "$(grep -c 'CREATE FUNCTION shop.double' proj/sql/shop/functions/double.sql)" 2 "the overloads of a name share a file"
like "$(cat proj/sql/shop/triggers/orders.touch.sql)" "DISABLE TRIGGER touch" "a disabled trigger stays disabled"
like "$(cat proj/migrations/000_schemas.sql)" "CREATE SCHEMA shop" "the first makes the schema"
like "$(cat proj/migrations/001_baseline.sql)" "CREATE TABLE shop.orders" "the baseline makes the tables"
like "$(cat proj/migrations/001_baseline.sql)" "CREATE AGGREGATE shop.biggest" "and keeps what import does not write"
unlike "$(cat proj/migrations/001_baseline.sql)" "CREATE VIEW" "but none of the code"
unlike "$(cat proj/migrations/001_baseline.sql)" "CREATE FUNCTION" "no function"
unlike "$(cat proj/migrations/001_baseline.sql)" "CREATE DOMAIN" "no domain"

# applied to the database it came from: nothing runs but state
out=$(pgmg apply --project=proj 2>&1)
ok $? "applying the imported project succeeds"
unlike "$out" "Created" "it creates nothing"
unlike "$out" "Dropping" "drops nothing"
unlike "$out" "Replaced" "replaces nothing"
like "$out" "Kept view: shop.paid" "it keeps what is there"
is "$(sql "SELECT string_agg(relname || ':' || oid, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'shop'::regnamespace")" \
	"$before" "every relation is the same object"
out=$(pgmg plan --project=proj --exit-code 2>&1)
is "$?" 0 "the next plan is empty"

# a fresh database from the project has the same schema
createdb "$fresh"
out=$(PGDATABASE=$fresh pgmg apply --project=proj 2>&1)
status=$?
ok "$status" "the project builds a fresh database"
[ "$status" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /' | head -20
PGDATABASE=$fresh pg_dump --schema-only -N pgmg | grep -v '^--' | grep -v 'EXTENSION.* pgmg' | grep -Ev '^.(un)?restrict [A-Za-z0-9]+$|^$' >fresh.sql
diff original.sql fresh.sql >schema.diff
ok $? "with the same pg_dump --schema-only as the original"
[ -s schema.diff ] && sed 's/^/# /' schema.diff | head -30

# a larger schema of our own: 57 code objects of every kind written, a chain
# of views 20 deep, with grants and comments; imported and applied back, it
# runs nothing
big="${PGDATABASE}_big"
trap 'PGDATABASE=postgres dropdb --if-exists "$fresh" >/dev/null 2>&1; PGDATABASE=postgres dropdb --if-exists "$big" >/dev/null 2>&1; cleanup' EXIT
createdb "$big"
{
	echo "CREATE SCHEMA inv;"
	echo "CREATE TYPE inv.kind AS ENUM ('a', 'b', 'c');"
	echo "CREATE DOMAIN inv.amount AS numeric(12,2) CHECK (VALUE >= 0);"
	echo "CREATE TABLE inv.items (id int PRIMARY KEY, kind inv.kind NOT NULL, price inv.amount NOT NULL, touched timestamptz);"
	echo "INSERT INTO inv.items SELECT g, (ARRAY['a','b','c'])[1 + g % 3]::inv.kind, g FROM generate_series(1, 100) g;"
	echo "CREATE VIEW inv.v0 AS SELECT id, kind, price FROM inv.items;"
	i=1
	while [ $i -lt 20 ]; do
		echo "CREATE VIEW inv.v$i AS SELECT id, kind, price + $i AS price FROM inv.v$((i - 1)) WHERE id > $i;"
		echo "COMMENT ON VIEW inv.v$i IS 'level $i';"
		echo "GRANT SELECT ON inv.v$i TO PUBLIC;"
		i=$((i + 1))
	done
	i=0
	while [ $i -lt 20 ]; do
		echo "CREATE FUNCTION inv.f$i(n integer) RETURNS numeric LANGUAGE sql STABLE BEGIN ATOMIC SELECT sum(price) FROM inv.v$i WHERE id > n; END;"
		i=$((i + 1))
	done
	i=0
	while [ $i -lt 10 ]; do
		echo "CREATE TYPE inv.pair$i AS (a integer, b text);"
		i=$((i + 1))
	done
	echo "CREATE MATERIALIZED VIEW inv.totals AS SELECT kind, count(*) AS n, sum(price) AS total FROM inv.v19 GROUP BY kind;"
	echo "CREATE UNIQUE INDEX totals_kind ON inv.totals (kind);"
	echo "CREATE FUNCTION inv.touch() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.touched := now(); RETURN NEW; END \$\$;"
	echo "CREATE TRIGGER touch BEFORE UPDATE ON inv.items FOR EACH ROW EXECUTE FUNCTION inv.touch();"
	echo "ALTER TABLE inv.items ENABLE ROW LEVEL SECURITY;"
	echo "CREATE POLICY cheap ON inv.items FOR SELECT USING (price < 50);"
	echo "CREATE PROCEDURE inv.reprice(d numeric) LANGUAGE sql BEGIN ATOMIC UPDATE inv.items SET price = price + d; END;"
} | PGDATABASE=$big psql -X -q -v ON_ERROR_STOP=1 >/dev/null
ok $? "a schema of 57 code objects is built with plain psql"
big_before=$(PGDATABASE=$big psql -X -At -c "SELECT string_agg(relname || ':' || oid, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'inv'::regnamespace")
out=$(PGDATABASE=$big pgmg import big --schema=inv 2>&1)
ok $? "it is imported"
is "$(find big/sql -name '*.sql' | wc -l | tr -d ' ')" 57 "into 57 code files"
out=$(PGDATABASE=$big pgmg apply --project=big 2>&1)
ok $? "and applied back"
unlike "$out" "Created" "creating nothing"
unlike "$out" "Dropping" "dropping nothing"
unlike "$out" "Replaced" "replacing nothing"
is "$(PGDATABASE=$big psql -X -At -c "SELECT string_agg(relname || ':' || oid, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'inv'::regnamespace")" \
	"$big_before" "every relation is the same object"
is "$(PGDATABASE=$big psql -X -At -c "SELECT count(*) FROM pgmg.pgmg_state")" 57 "57 objects are managed"
out=$(PGDATABASE=$big pgmg plan --project=big --exit-code 2>&1)
is "$?" 0 "the next plan is empty"

# never over an existing directory
out=$(pgmg import proj 2>&1); status=$?
is "$status" 1 "import into an existing directory fails"
like "$out" "proj exists" "saying so"

done_testing
