--
-- binding: references bound as PostgreSQL binds them -- CTE names scoped
-- per WITH, overloads in several files, operators and casts as references,
-- function bodies a materialized view runs followed transitively -- and the
-- "-- pgmg:requires" escape hatch for what static analysis cannot see.
--
-- File names are chosen so that the order by path alone would be wrong.
--
CREATE SCHEMA bt;
SET search_path = bt;
CREATE TEMP TABLE f (path text PRIMARY KEY, body text NOT NULL);
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('code', coalesce(jsonb_object_agg(path, body), '{}'))
    FROM pg_temp.f $$;
CREATE FUNCTION pg_temp.order() RETURNS TABLE (step int, object text)
LANGUAGE sql AS $$
  SELECT step, object FROM pgmg.plan(pg_temp.files()) WHERE action <> 'drop' $$;
CREATE FUNCTION pg_temp.apply() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  SET LOCAL client_min_messages = warning;
  SELECT count(*) INTO n FROM pgmg.apply(pg_temp.files());
  RETURN n;
END $$;

-- 1. A CTE named like a managed view is not that view (no false cycle),
-- and a CTE inside one subquery does not hide the real view elsewhere.
INSERT INTO f VALUES
('a_first.sql', 'CREATE VIEW bt.a_first AS WITH b_view AS (SELECT 1 AS x) SELECT x FROM b_view;'),
('b_view.sql', 'CREATE VIEW bt.b_view AS SELECT x FROM bt.a_first;'),
('a_both.sql', 'CREATE VIEW bt.a_both AS
  SELECT s.x, real.x AS y
    FROM (WITH b_view AS (SELECT 2 AS x) SELECT x FROM b_view) s, b_view real;'),
('a_rec.sql', 'CREATE VIEW bt.a_rec AS
  WITH RECURSIVE b_view(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM b_view WHERE n < 3)
  SELECT max(n) AS n FROM b_view;');
SELECT * FROM pg_temp.order();
SELECT pg_temp.apply();
SELECT * FROM bt.a_both;
SELECT n FROM bt.a_rec;

-- 2. Overloads in different files: a call may need any of them.
INSERT INTO f VALUES
('a_uses_f.sql', 'CREATE VIEW bt.uses_f AS SELECT bt.f(1, NULL::zt) AS v, bt.f(2) AS w;'),
('e_f2.sql', 'CREATE FUNCTION bt.f(a integer, b bt.zt) RETURNS integer LANGUAGE sql IMMUTABLE RETURN a * 10;'),
('f_int.sql', 'CREATE FUNCTION bt.f(a integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN a;'),
('t_zt.sql', 'CREATE TYPE bt.zt AS (z integer);');

-- 3. Operators, bare and in OPERATOR(), are references.
INSERT INTO f VALUES
('a_ops.sql', 'CREATE VIEW bt.ops AS
  SELECT x FROM (VALUES (1), (2), (3)) v(x) WHERE x === 2 OR x OPERATOR(bt.=~=) 3;'),
('o_ops.sql', 'CREATE FUNCTION bt.same(a integer, b integer) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN a = b;
CREATE OPERATOR bt.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = bt.same);
CREATE OPERATOR bt.=~= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = bt.same);');

-- 4. A cast a cast file defines is a reference of x::target; the file of
-- the cast's own function may cast to that type without a cycle.
INSERT INTO f VALUES
('a_temps.sql', 'CREATE VIEW bt.temps AS SELECT ((ROW(100)::bt.celsius)::bt.fahrenheit).deg AS f;'),
('c_to_f.sql', 'CREATE FUNCTION bt.to_f(c bt.celsius) RETURNS bt.fahrenheit LANGUAGE sql IMMUTABLE
  RETURN ROW((c).deg * 9 / 5 + 32)::bt.fahrenheit;'),
('t_celsius.sql', 'CREATE TYPE bt.celsius AS (deg numeric);'),
('t_fahrenheit.sql', 'CREATE TYPE bt.fahrenheit AS (deg numeric);'),
('z_cast.sql', 'CREATE CAST (bt.celsius AS bt.fahrenheit) WITH FUNCTION bt.to_f(bt.celsius);');

-- 5. A materialized view runs the functions it calls, and what they call.
INSERT INTO f VALUES
('a_mv.sql', 'CREATE MATERIALIZED VIEW bt.mv AS SELECT bt.outer_f() AS n;'),
('f_outer.sql', 'CREATE FUNCTION bt.outer_f() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT bt.inner_f() $$;'),
('g_inner.sql', 'CREATE FUNCTION bt.inner_f() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM bt.z_base $$;'),
('z_base.sql', 'CREATE VIEW bt.z_base AS SELECT 1 AS x UNION ALL SELECT 2;');

SELECT * FROM pg_temp.order();
SELECT pg_temp.apply();
SELECT * FROM bt.uses_f;
SELECT * FROM bt.ops ORDER BY x;
SELECT * FROM bt.temps;
SELECT n FROM bt.mv;

-- 6. What static analysis cannot see: dynamic SQL.  The failure says in
-- which order the files ran and how to force another; nothing is applied.
INSERT INTO f VALUES
('a_dyn.sql', 'CREATE MATERIALIZED VIEW bt.dyn AS SELECT bt.count_rows() AS n;'),
('d_count.sql', 'CREATE FUNCTION bt.count_rows() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE n bigint;
BEGIN
  EXECUTE ''SELECT count(*) FROM bt.z_target'' INTO n;
  RETURN n;
END $$;'),
('z_target.sql', 'CREATE VIEW bt.z_target AS SELECT 1 AS x;');
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT count(*) AS dyn_exists FROM pg_class WHERE relname = 'dyn';
UPDATE f SET body = '-- the count is dynamic SQL:
-- pgmg:requires z_target.sql
CREATE MATERIALIZED VIEW bt.dyn AS SELECT bt.count_rows() AS n;' WHERE path = 'a_dyn.sql';
SELECT * FROM pg_temp.order();
SELECT pg_temp.apply();
SELECT n FROM bt.dyn;

-- bad headers change nothing
\set VERBOSITY terse
UPDATE f SET body = '-- pgmg:requires views/missing.sql, z_target.sql
CREATE MATERIALIZED VIEW bt.dyn AS SELECT bt.count_rows() AS n;' WHERE path = 'a_dyn.sql';
SELECT * FROM pg_temp.order();
UPDATE f SET body = '-- pgmg:requires
CREATE MATERIALIZED VIEW bt.dyn AS SELECT bt.count_rows() AS n;' WHERE path = 'a_dyn.sql';
SELECT * FROM pg_temp.order();
UPDATE f SET body = '-- pgmg:requires a_dyn.sql
CREATE MATERIALIZED VIEW bt.dyn AS SELECT bt.count_rows() AS n;' WHERE path = 'a_dyn.sql';
SELECT * FROM pg_temp.order();
-- a requirement can make a cycle, reported as one
UPDATE f SET body = '-- pgmg:requires a_dyn.sql
CREATE VIEW bt.z_target AS SELECT 1 AS x;' WHERE path = 'z_target.sql';
UPDATE f SET body = '-- pgmg:requires z_target.sql
CREATE MATERIALIZED VIEW bt.dyn AS SELECT bt.count_rows() AS n;' WHERE path = 'a_dyn.sql';
\set VERBOSITY default
SELECT * FROM pg_temp.order();

-- clean up through pgmg
DELETE FROM f;
SELECT pg_temp.apply();
SELECT count(*) AS left_in_state FROM pgmg.pgmg_state;
RESET search_path;
DROP SCHEMA bt;
