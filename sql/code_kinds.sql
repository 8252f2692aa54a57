--
-- code_kinds: every kind of code object pgmg manages is created, changed
-- and dropped from files, with its dependents.
--
CREATE SCHEMA kinds;
SET search_path = kinds, public;
CREATE TABLE kinds.items (id int PRIMARY KEY, price numeric NOT NULL, owner_name text);
INSERT INTO kinds.items VALUES (1, 10, 'ann'), (2, 32, 'bob');

CREATE TEMP TABLE f (path text PRIMARY KEY, body text NOT NULL);
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('code', coalesce(jsonb_object_agg(path, body), '{}'))
    FROM pg_temp.f $$;
CREATE FUNCTION pg_temp.plan() RETURNS TABLE (step int, action text, object text, reason text)
LANGUAGE sql AS $$ SELECT step, action, object, reason FROM pgmg.plan(pg_temp.files()) $$;

INSERT INTO f VALUES
('mv.sql', $f$CREATE MATERIALIZED VIEW price_stats AS SELECT count(*) AS n, sum(price) AS total FROM items;
CREATE UNIQUE INDEX price_stats_n ON price_stats (n);
GRANT SELECT ON price_stats TO PUBLIC;
$f$),
('proc.sql', $f$CREATE PROCEDURE bump(delta numeric) LANGUAGE sql
BEGIN ATOMIC UPDATE items SET price = price + delta; END;
$f$),
('agg.sql', $f$CREATE AGGREGATE product(numeric) (sfunc = numeric_mul, stype = numeric, initcond = '1');
$f$),
('domain.sql', $f$CREATE DOMAIN positive AS numeric CHECK (VALUE > 0);
$f$),
('range.sql', $f$CREATE TYPE price_range AS RANGE (subtype = numeric);
$f$),
('composite.sql', $f$CREATE TYPE price_pair AS (low positive, high positive);
$f$),
('pair_fn.sql', $f$CREATE FUNCTION make_pair(a numeric, b numeric) RETURNS price_pair
LANGUAGE sql IMMUTABLE RETURN ROW(least(a, b), greatest(a, b))::price_pair;
$f$),
('op.sql', $f$CREATE OPERATOR <-> (leftarg = numeric, rightarg = numeric, function = pair_distance);
$f$),
('op_fn.sql', $f$CREATE FUNCTION pair_distance(a numeric, b numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE RETURN abs(a - b);
$f$),
('cast.sql', $f$CREATE CAST (price_pair AS numeric) WITH FUNCTION pair_width(price_pair);
$f$),
('cast_fn.sql', $f$CREATE FUNCTION pair_width(p price_pair) RETURNS numeric
LANGUAGE sql IMMUTABLE RETURN (p).high - (p).low;
$f$),
('policy.sql', $f$CREATE POLICY own_items ON items USING (owner_name = current_user);
$f$),
('rule.sql', $f$CREATE RULE no_delete AS ON DELETE TO items WHERE old.price > 100 DO INSTEAD NOTHING;
$f$),
('evt.sql', $f$CREATE EVENT TRIGGER kinds_ddl_log ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
EXECUTE FUNCTION log_ddl();
$f$),
('evt_fn.sql', $f$CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql
AS $$ BEGIN RAISE NOTICE 'ddl'; END $$;
$f$);

SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT * FROM pg_temp.plan();
SELECT object_name, kind FROM pgmg.pgmg_state ORDER BY object_name;

-- they all work
SELECT n, total FROM kinds.price_stats;
SELECT kinds.product(price) FROM kinds.items;
SELECT 3::numeric OPERATOR(kinds.<->) 10::numeric AS distance;
SELECT (kinds.make_pair(9, 4))::numeric AS width;
SELECT 5::kinds.positive;
SELECT (-5)::kinds.positive;
SELECT numrange(1, 2) IS NOT NULL AND '[1,2)'::kinds.price_range IS NOT NULL AS range_ok;
CALL kinds.bump(1);
SELECT sum(price) FROM kinds.items;

-- changing the domain recreates the composite type that uses it and, through
-- it, the functions, the cast and the operator's neighbours that depend on it
UPDATE f SET body = 'CREATE DOMAIN positive AS numeric CHECK (VALUE >= 0);' WHERE path = 'domain.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT 0::kinds.positive AS zero_now_allowed;
SELECT (kinds.make_pair(9, 4))::numeric AS width_after;

-- the materialized view keeps its index and grant when recreated
UPDATE f SET body = replace(body, 'sum(price) AS total', 'sum(price) AS total, max(price) AS top')
 WHERE path = 'mv.sql';
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT indexname FROM pg_indexes WHERE tablename = 'price_stats';
SELECT has_table_privilege('public', 'kinds.price_stats', 'SELECT') AS public_can_select;
SELECT top FROM kinds.price_stats;

-- a policy cannot be replaced in place: drop + create
UPDATE f SET body = 'CREATE POLICY own_items ON items USING (owner_name = session_user);' WHERE path = 'policy.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = 'own_items';

-- deleting every file drops every object, dependents first
DELETE FROM f;
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT count(*) AS left_in_schema FROM pg_proc WHERE pronamespace = 'kinds'::regnamespace;
SELECT count(*) AS left_in_state FROM pgmg.pgmg_state;
SELECT count(*) AS event_triggers FROM pg_event_trigger WHERE evtname = 'kinds_ddl_log';

SET client_min_messages = warning;
DROP SCHEMA kinds CASCADE;
RESET client_min_messages;
