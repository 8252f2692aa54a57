--
-- resolve: what a definition names is looked up where CREATE would put it
-- (its creation schema), never along the rest of the search path, and
-- never in PostgreSQL's own schemas.
--
CREATE SCHEMA res_a;
CREATE SCHEMA res_b;
CREATE TEMP TABLE f (path text PRIMARY KEY, body text NOT NULL);
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('code', coalesce(jsonb_object_agg(path, body), '{}'))
    FROM pg_temp.f $$;
CREATE FUNCTION pg_temp.plan() RETURNS TABLE (step int, action text, object text, reason text)
LANGUAGE sql AS $$ SELECT step, action, object, reason FROM pgmg.plan(pg_temp.files()) $$;

-- an unqualified lower(text) is created in the first schema of the path,
-- not taken for pg_catalog.lower(text)
SET search_path = res_a;
INSERT INTO f VALUES ('lower.sql',
  'CREATE FUNCTION lower(x text) RETURNS text LANGUAGE sql IMMUTABLE RETURN pg_catalog.upper(x);');
SELECT * FROM pg_temp.plan();

-- a view of that name in a later schema of the path is not adopted
CREATE VIEW res_b.totals AS SELECT 1 AS n;
SET search_path = res_a, res_b;
INSERT INTO f VALUES ('totals.sql', 'CREATE VIEW totals AS SELECT 2 AS n;');
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT n AS a_totals FROM res_a.totals;
SELECT n AS b_totals_untouched FROM res_b.totals;
SELECT object_name FROM pgmg.pgmg_state WHERE file IN ('lower.sql', 'totals.sql') ORDER BY 1;
SELECT res_a.lower('x') AS ours, pg_catalog.lower('X') AS core;

-- the state is found again by the same resolver: nothing to do
SELECT * FROM pg_temp.plan();

-- PostgreSQL's own schemas are never planned in
\set VERBOSITY terse
INSERT INTO f VALUES ('evil.sql', 'CREATE FUNCTION pg_catalog.pgmg_evil() RETURNS int LANGUAGE sql RETURN 1;');
SELECT * FROM pg_temp.plan();
UPDATE f SET body = 'CREATE VIEW information_schema.pgmg_evil AS SELECT 1 AS one;' WHERE path = 'evil.sql';
SELECT * FROM pg_temp.plan();
DELETE FROM f WHERE path = 'evil.sql';
\set VERBOSITY default

-- clean up through pgmg
DELETE FROM f;
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT count(*) AS left_in_state FROM pgmg.pgmg_state;
RESET search_path;
DROP VIEW res_b.totals;
DROP SCHEMA res_a;
DROP SCHEMA res_b;
