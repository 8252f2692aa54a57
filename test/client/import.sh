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
like "$out" "Wrote 13 code file(s)" "thirteen code files"
unlike "$out" "does not write" "it writes every object"
like "$out" "000_schemas.sql and 001_baseline.sql" "the baseline migrations"
like "$out" "2 migration(s) marked as applied" "recorded as applied"
for f in views/paid views/paid_total materialized_views/by_state functions/double procedures/pay \
	functions/touch types/state types/addr domains/qty triggers/orders.touch policies/orders.open_orders \
	rules/paid.no_delete aggregates/biggest; do
	[ -f "proj/sql/shop/$f.sql" ]
	ok $? "proj/sql/shop/$f.sql"
done
is "$(grep -c 'CREATE FUNCTION shop.double' proj/sql/shop/functions/double.sql)" 2 "the overloads of a name share a file"
like "$(cat proj/sql/shop/triggers/orders.touch.sql)" "DISABLE TRIGGER touch" "a disabled trigger stays disabled"
like "$(cat proj/migrations/000_schemas.sql)" "CREATE SCHEMA shop" "the first makes the schema"
like "$(cat proj/migrations/001_baseline.sql)" "CREATE TABLE shop.orders" "the baseline makes the tables"
unlike "$(cat proj/migrations/001_baseline.sql)" "CREATE AGGREGATE" "no aggregate"
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

# the other kinds, printed as pg_dump prints them: aggregates (ordered-set,
# moving, parallel), operators, casts, event triggers and range types, each
# with a comment; imported, applied back running nothing; and the same
# objects as files split from pg_dump's own output are adopted as they are
kinds="${PGDATABASE}_kinds"
split="${PGDATABASE}_split"
# d is the loop's own variable, set when the trap runs
# shellcheck disable=SC2154
trap 'for d in "$fresh" "$big" "$kinds" "$split" "${kinds}_fresh"; do PGDATABASE=postgres dropdb --if-exists "$d" >/dev/null 2>&1; done; cleanup' EXIT
cat >kinds.sql <<'SQL'
CREATE SCHEMA k;
CREATE FUNCTION k.add2(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN a + b;
CREATE AGGREGATE k.total(integer) (SFUNC = k.add2, STYPE = integer, INITCOND = '0', PARALLEL = SAFE);
COMMENT ON AGGREGATE k.total(integer) IS 'a total';
CREATE AGGREGATE k.biggest(numeric) (SFUNC = numeric_larger, STYPE = numeric, SORTOP = >, COMBINEFUNC = numeric_larger);
CREATE AGGREGATE k.cnt(*) (SFUNC = int8inc, STYPE = int8, INITCOND = '0');
CREATE AGGREGATE k.med(float8 ORDER BY float8) (SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);
CREATE AGGREGATE k.rank_of(VARIADIC "any" ORDER BY VARIADIC "any") (SFUNC = ordered_set_transition_multi, STYPE = internal, FINALFUNC = rank_final, FINALFUNC_EXTRA, HYPOTHETICAL);
CREATE AGGREGATE k.mavg(integer) (SFUNC = int4_avg_accum, STYPE = int8[], FINALFUNC = int8_avg, INITCOND = '{0,0}', MSFUNC = int4_avg_accum, MINVFUNC = int4_avg_accum_inv, MSTYPE = int8[], MFINALFUNC = int8_avg, MINITCOND = '{0,0}');
CREATE AGGREGATE k.navg(numeric) (SFUNC = numeric_avg_accum, STYPE = internal, SSPACE = 128, FINALFUNC = numeric_avg, FINALFUNC_MODIFY = SHAREABLE, COMBINEFUNC = numeric_avg_combine, SERIALFUNC = numeric_avg_serialize, DESERIALFUNC = numeric_avg_deserialize, PARALLEL = RESTRICTED);
CREATE FUNCTION k.same(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN lower(a) = lower(b);
CREATE FUNCTION k.differ(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN lower(a) <> lower(b);
CREATE OPERATOR k.=== (FUNCTION = k.same, LEFTARG = text, RIGHTARG = text, COMMUTATOR = OPERATOR(k.===), NEGATOR = OPERATOR(k.!==), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR k.!== (FUNCTION = k.differ, LEFTARG = text, RIGHTARG = text, COMMUTATOR = OPERATOR(k.!==), NEGATOR = OPERATOR(k.===));
COMMENT ON OPERATOR k.=== (text, text) IS 'the same, any case';
CREATE FUNCTION k.neg(a integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN -a;
CREATE OPERATOR k.~- (RIGHTARG = integer, FUNCTION = k.neg);
CREATE TYPE k.mood AS ENUM ('low', 'high');
CREATE FUNCTION k.mood_text(m k.mood) RETURNS text LANGUAGE sql IMMUTABLE RETURN m::text;
CREATE CAST (k.mood AS text) WITH FUNCTION k.mood_text(k.mood) AS ASSIGNMENT;
COMMENT ON CAST (k.mood AS text) IS 'mood as text';
CREATE TYPE k.pair AS (a integer, b text);
COMMENT ON COLUMN k.pair.a IS 'the first';
CREATE CAST (text AS k.pair) WITH INOUT AS IMPLICIT;
CREATE FUNCTION k.diff(a numeric, b numeric) RETURNS float8 LANGUAGE sql IMMUTABLE RETURN (a - b)::float8;
CREATE TYPE k.numrange2 AS RANGE (SUBTYPE = numeric, SUBTYPE_DIFF = k.diff);
COMMENT ON TYPE k.numrange2 IS 'numbers';
CREATE TYPE k.words AS RANGE (SUBTYPE = text, SUBTYPE_OPCLASS = text_pattern_ops, COLLATION = "C", MULTIRANGE_TYPE_NAME = k.word_sets);
CREATE FUNCTION k.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER k_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION k.on_ddl();
COMMENT ON EVENT TRIGGER k_ddl IS 'watches tables';
CREATE EVENT TRIGGER k_drops ON sql_drop EXECUTE FUNCTION k.on_ddl();
ALTER EVENT TRIGGER k_drops DISABLE;
CREATE TABLE k.readings (id integer PRIMARY KEY, mood k.mood, span k.numrange2, p k.pair);
INSERT INTO k.readings VALUES (1, 'low', '[1,2)', '(1,x)'), (2, 'high', '[2,5)', '(2,y)');
ALTER TABLE k.readings ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON k.readings AS RESTRICTIVE TO PUBLIC USING (id > 0) WITH CHECK (id < 100);
CREATE VIEW k.summary AS SELECT k.total(id) AS total, k.biggest(id::numeric) AS biggest, k.cnt(*) AS n
  FROM k.readings WHERE 'a' OPERATOR(k.===) 'A';
SQL
createdb "$kinds"
PGDATABASE=$kinds psql -X -q -v ON_ERROR_STOP=1 -f kinds.sql >/dev/null
ok $? "a schema of aggregates, operators, casts, event triggers and range types"
PGDATABASE=$kinds pg_dump --schema-only -N pgmg | grep -v '^--' | grep -v 'EXTENSION.* pgmg' | grep -Ev '^.(un)?restrict [A-Za-z0-9]+$|^$' >kinds_original.sql
kinds_before=$(PGDATABASE=$kinds psql -X -At -c "SELECT string_agg(oid::text, ',' ORDER BY oid) FROM (SELECT oid FROM pg_proc WHERE pronamespace = 'k'::regnamespace UNION ALL SELECT oid FROM pg_operator WHERE oprnamespace = 'k'::regnamespace UNION ALL SELECT oid FROM pg_type WHERE typnamespace = 'k'::regnamespace UNION ALL SELECT oid FROM pg_cast WHERE oid >= 16384 UNION ALL SELECT oid FROM pg_event_trigger) o")
out=$(PGDATABASE=$kinds pgmg import kp --schema=k 2>&1)
ok $? "they are imported"
unlike "$out" "does not write" "every one of them"
for f in aggregates/total aggregates/med aggregates/rank_of aggregates/mavg aggregates/navg operators/eq_eq_eq \
	operators/not_eq_eq operators/tilde_minus casts/mood_as_text casts/text_as_pair event_triggers/k_ddl event_triggers/k_drops \
	types/numrange2 types/words; do
	[ -f "kp/sql/k/$f.sql" ]
	ok $? "kp/sql/k/$f.sql"
done
like "$(cat kp/sql/k/aggregates/med.sql)" "CREATE AGGREGATE k.med(double precision ORDER BY double precision) (" "an ordered-set aggregate as pg_dump prints it"
like "$(cat kp/sql/k/aggregates/total.sql)" "COMMENT ON AGGREGATE k.total(integer) IS 'a total'" "with its comment"
like "$(cat kp/sql/k/event_triggers/k_drops.sql)" "ALTER EVENT TRIGGER k_drops DISABLE" "a disabled event trigger stays disabled"
like "$(cat kp/sql/k/types/words.sql)" "multirange_type_name = k.word_sets" "a range keeps its multirange's name"
like "$(cat kp/sql/k/types/pair.sql)" "COMMENT ON COLUMN k.pair.a IS 'the first'" "an attribute's comment goes with its type"
for w in "CREATE AGGREGATE" "CREATE OPERATOR" "CREATE CAST" "CREATE EVENT TRIGGER" "AS RANGE" "COMMENT ON"; do
	unlike "$(grep -v 'COMMENT ON SCHEMA' kp/migrations/001_baseline.sql)" "$w" "the baseline has no $w"
done
out=$(PGDATABASE=$kinds pgmg apply --project=kp 2>&1)
ok $? "the imported project is applied back"
unlike "$out" "Created" "creating nothing"
unlike "$out" "Dropping" "dropping nothing"
unlike "$out" "Replaced" "replacing nothing"
like "$out" "Kept aggregate: k.med(double precision,double precision) (unchanged)" "naming each object whole"
like "$out" "Kept cast: (k.mood AS pg_catalog.text) (unchanged)" "a cast too"
is "$(PGDATABASE=$kinds psql -X -At -c "SELECT string_agg(oid::text, ',' ORDER BY oid) FROM (SELECT oid FROM pg_proc WHERE pronamespace = 'k'::regnamespace UNION ALL SELECT oid FROM pg_operator WHERE oprnamespace = 'k'::regnamespace UNION ALL SELECT oid FROM pg_type WHERE typnamespace = 'k'::regnamespace UNION ALL SELECT oid FROM pg_cast WHERE oid >= 16384 UNION ALL SELECT oid FROM pg_event_trigger) o")" \
	"$kinds_before" "every object is the same object"
PGDATABASE=$kinds pgmg plan --project=kp --exit-code >/dev/null 2>&1
is "$?" 0 "the next plan is empty"
createdb "${kinds}_fresh"
out=$(PGDATABASE=${kinds}_fresh pgmg apply --project=kp 2>&1)
status=$?
ok "$status" "the imported project builds a fresh database"
[ "$status" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /' | head -20
PGDATABASE=${kinds}_fresh pg_dump --schema-only -N pgmg | grep -v '^--' | grep -v 'EXTENSION.* pgmg' | grep -Ev '^.(un)?restrict [A-Za-z0-9]+$|^$' >kinds_fresh.sql
diff kinds_original.sql kinds_fresh.sql >kinds.diff
ok $? "with the same pg_dump --schema-only as the original"
[ -s kinds.diff ] && sed 's/^/# /' kinds.diff | head -30

# files split from pg_dump: one file per code entry of the dump, each as
# pg_restore prints it; adopted by a project that baselines the tables
createdb "$split"
PGDATABASE=$split psql -X -q -v ON_ERROR_STOP=1 -f kinds.sql >/dev/null
PGDATABASE=$split pg_dump -Fc --schema-only -N pgmg -f split.dump
mkdir -p sp/sql sp/migrations
pg_restore -l split.dump | grep -E '^[0-9]+; [0-9]+ [0-9]+ (FUNCTION|AGGREGATE|OPERATOR|CAST|EVENT TRIGGER|TYPE|DOMAIN|VIEW|POLICY) ' >split.toc
n=0
while IFS= read -r entry; do
	n=$((n + 1))
	printf '%s\n' "$entry" >one.toc
	pg_restore -L one.toc -f - split.dump | grep -Ev '^--|^SET |set_config|^.(un)?restrict |OWNER TO' >"sp/sql/f$n.sql"
done <split.toc
is "$n" 27 "pg_dump has 27 code entries"
PGDATABASE=$split pgmg baseline --code-dir=sp/sql --migrations-dir=sp/migrations >/dev/null 2>&1
out=$(PGDATABASE=$split pgmg apply --code-dir=sp/sql --migrations-dir=sp/migrations 2>&1)
ok $? "the split files are adopted"
unlike "$out" "Created" "creating nothing"
unlike "$out" "Dropping" "dropping nothing"
is "$(printf '%s\n' "$out" | grep -c 'Kept ')" 27 "keeping all 27"
PGDATABASE=$split pgmg plan --code-dir=sp/sql --migrations-dir=sp/migrations --exit-code >/dev/null 2>&1
is "$?" 0 "the next plan is empty"

# one file that differs: only its object changes
grep -l 'CREATE AGGREGATE k.total' sp/sql/*.sql >total.path
sed -i "s/INITCOND = '0'/INITCOND = '10'/" "$(cat total.path)"
out=$(PGDATABASE=$split pgmg apply --code-dir=sp/sql --migrations-dir=sp/migrations 2>&1)
ok $? "an aggregate changed in its file is applied"
like "$out" "Dropping aggregate: k.total(integer)" "it is recreated"
like "$out" "Dropping view: k.summary" "with the view that uses it"
is "$(printf '%s\n' "$out" | grep -c 'Dropping ')" 2 "and nothing else"
is "$(PGDATABASE=$split psql -X -At -c "SELECT k.total(id) FROM k.readings")" 13 "the new aggregate is in use"

# hand-written files in the usual shape (any case, blanks, a range type
# without its multirange's default name) are adopted as they are, a range
# type used by a table column included
hand="${PGDATABASE}_hand"
trap 'for d in "$fresh" "$big" "$kinds" "$split" "${kinds}_fresh" "$hand"; do PGDATABASE=postgres dropdb --if-exists "$d" >/dev/null 2>&1; done; cleanup' EXIT
createdb "$hand"
PGDATABASE=$hand psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE SCHEMA h;
CREATE TYPE h.span AS RANGE (SUBTYPE = numeric);
CREATE TABLE h.booking (id int PRIMARY KEY, during h.span);
CREATE FUNCTION h.add2(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN a + b;
CREATE AGGREGATE h.total(integer) (SFUNC = h.add2, STYPE = integer, INITCOND = '0');
CREATE FUNCTION h.same(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN lower(a) = lower(b);
CREATE OPERATOR h.=== (FUNCTION = h.same, LEFTARG = text, RIGHTARG = text);
CREATE TYPE h.mood AS ENUM ('low', 'high');
CREATE FUNCTION h.mood_text(m h.mood) RETURNS text LANGUAGE sql IMMUTABLE RETURN m::text;
CREATE CAST (h.mood AS text) WITH FUNCTION h.mood_text(h.mood) AS ASSIGNMENT;
CREATE FUNCTION h.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER h_ddl ON ddl_command_end EXECUTE FUNCTION h.on_ddl();
SQL
mkdir -p hand/sql
cat >hand/sql/span.sql <<'SQL'
create type h.span as range (subtype = numeric);
SQL
cat >hand/sql/funcs.sql <<'SQL'
CREATE FUNCTION h.add2(a integer, b integer) RETURNS integer
    LANGUAGE sql IMMUTABLE
    RETURN (a + b);
CREATE FUNCTION h.same(a text, b text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    RETURN (lower(a) = lower(b));
CREATE FUNCTION h.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
SQL
cat >hand/sql/total.sql <<'SQL'
-- the sum of integers
create aggregate h.total(integer) (sfunc = h.add2, stype = integer, initcond = '0');
SQL
cat >hand/sql/ops.sql <<'SQL'
CREATE OPERATOR h.=== (FUNCTION = h.same, LEFTARG = text, RIGHTARG = text);
SQL
cat >hand/sql/mood.sql <<'SQL'
CREATE TYPE h.mood AS ENUM ('low', 'high');
CREATE CAST (h.mood AS text) WITH FUNCTION h.mood_text(h.mood) AS ASSIGNMENT;
SQL
cat >hand/sql/events.sql <<'SQL'
CREATE EVENT TRIGGER h_ddl ON ddl_command_end EXECUTE FUNCTION h.on_ddl();
SQL
out=$(PGDATABASE=$hand pgmg apply --code-dir=hand/sql 2>&1)
ok $? "hand-written files are adopted"
unlike "$out" "Created" "creating nothing"
unlike "$out" "Dropping" "dropping nothing"
for o in "type: h.span" "aggregate: h.total(integer)" "operator: h.===" "cast: (h.mood AS pg_catalog.text)" "event trigger: h_ddl"; do
	like "$out" "Kept $o" "kept: $o"
done
PGDATABASE=$hand pgmg plan --code-dir=hand/sql --exit-code >/dev/null 2>&1
is "$?" 0 "the next plan is empty"

# never over an existing directory
out=$(pgmg import proj 2>&1); status=$?
is "$status" 1 "import into an existing directory fails"
like "$out" "proj exists" "saying so"

done_testing
