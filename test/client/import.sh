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

# never over an existing directory
out=$(pgmg import proj 2>&1); status=$?
is "$status" 1 "import into an existing directory fails"
like "$out" "proj exists" "saying so"

done_testing
