--
-- code_order_errors: ordering by references (chains, diamonds, cycles) and
-- every bad input: each error names the file and changes nothing.
--
CREATE SCHEMA ord;
SET search_path = ord, public;
CREATE TABLE ord.t (id int PRIMARY KEY, v numeric);
INSERT INTO ord.t VALUES (1, 10), (2, 20);

CREATE TEMP TABLE f (path text PRIMARY KEY, body text NOT NULL);
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('code', coalesce(jsonb_object_agg(path, body), '{}'))
    FROM pg_temp.f $$;
CREATE FUNCTION pg_temp.snapshot() RETURNS text LANGUAGE sql AS $$
  SELECT md5(concat(
    (SELECT string_agg(c.relname || ':' || coalesce(pg_get_viewdef(c.oid), ''), ',' ORDER BY c.relname)
       FROM pg_class c WHERE c.relnamespace = 'ord'::regnamespace),
    (SELECT string_agg(pg_get_functiondef(p.oid), ',' ORDER BY p.oid::regprocedure::text)
       FROM pg_proc p WHERE p.pronamespace = 'ord'::regnamespace),
    (SELECT string_agg(s.object_name || s.object_hash || s.fingerprint, ',' ORDER BY s.object_name)
       FROM pgmg.pgmg_state s))) $$;
CREATE FUNCTION pg_temp.plan() RETURNS TABLE (step int, action text, object text, file text)
LANGUAGE sql AS $$ SELECT step, action, object, file FROM pgmg.plan(pg_temp.files()) $$;

-- a chain six deep across views and BEGIN ATOMIC functions, in files whose
-- names sort in the reverse of dependency order
INSERT INTO f VALUES
('a.sql', 'CREATE VIEW v6 AS SELECT id, f5(v) AS x FROM v4;'),
('b.sql', 'CREATE FUNCTION f5(n numeric) RETURNS numeric LANGUAGE sql IMMUTABLE BEGIN ATOMIC SELECT n + (SELECT count(*) FROM v4); END;'),
('c.sql', 'CREATE VIEW v4 AS SELECT id, f3(v) AS v FROM v2;'),
('d.sql', 'CREATE FUNCTION f3(n numeric) RETURNS numeric LANGUAGE sql IMMUTABLE RETURN n * (SELECT max(v) FROM v2);'),
('e.sql', 'CREATE VIEW v2 AS SELECT id, v FROM v1;'),
('f.sql', 'CREATE VIEW v1 AS SELECT id, v FROM t;');
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT * FROM ord.v6 ORDER BY id;

-- changing a column of the root recreates the whole chain, dependents dropped first
UPDATE f SET body = 'CREATE VIEW v1 AS SELECT id, v::numeric(12,2) AS v FROM t;' WHERE path = 'f.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;

-- a diamond: two views on v1, one view on both
INSERT INTO f VALUES
('m1.sql', 'CREATE VIEW left_side AS SELECT id FROM v1;'),
('m2.sql', 'CREATE VIEW right_side AS SELECT id FROM v1;'),
('m0.sql', 'CREATE VIEW joined AS SELECT l.id FROM left_side l JOIN right_side r USING (id);');
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
UPDATE f SET body = 'CREATE VIEW v1 AS SELECT id, v FROM t;' WHERE path = 'f.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
-- a new WHERE, the same columns: the root alone is replaced in place
UPDATE f SET body = 'CREATE VIEW v1 AS SELECT id, v FROM t WHERE id > 0;' WHERE path = 'f.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT count(*) AS steps_left FROM pgmg.plan(pg_temp.files());

SELECT pg_temp.snapshot() AS snap \gset

-- a cycle between files is an error that lists it
INSERT INTO f VALUES
('cyc1.sql', 'CREATE VIEW cyc_a AS SELECT * FROM cyc_b;'),
('cyc2.sql', 'CREATE VIEW cyc_b AS SELECT * FROM cyc_a;');
SELECT * FROM pg_temp.plan();
\echo :LAST_ERROR_SQLSTATE
DELETE FROM f WHERE path LIKE 'cyc%';

-- a syntax error names the file, line and column
INSERT INTO f VALUES ('broken.sql', E'-- a view\nCREATE VIEW broken AS\nSELECT id\nFROM t WHER id > 1;\n');
SELECT * FROM pg_temp.plan();
\echo :LAST_ERROR_SQLSTATE
DELETE FROM f WHERE path = 'broken.sql';

-- a reference to a missing table is caught by plan, naming file and line
INSERT INTO f VALUES ('missing.sql', E'\n\nCREATE VIEW needs_missing AS\n  SELECT * FROM no_such_table;');
SELECT * FROM pgmg.apply(pg_temp.files());
\echo :LAST_ERROR_SQLSTATE
-- a missing column fails at apply, naming file, line and column
UPDATE f SET body = E'\n\nCREATE VIEW needs_missing AS\n  SELECT no_such_column FROM ord.t;' WHERE path = 'missing.sql';
SELECT * FROM pgmg.apply(pg_temp.files());
\echo :LAST_ERROR_SQLSTATE
DELETE FROM f WHERE path = 'missing.sql';

-- a syntax error inside a LANGUAGE sql string body points at its place in
-- the file: dollar-quoted, and quoted with doubled quotes
INSERT INTO f VALUES ('body.sql', E'-- a helper\nCREATE FUNCTION ord.bad_body() RETURNS int LANGUAGE sql AS $fn$\n  SELECT 1\n    FROM FROM ord.t\n$fn$;');
SELECT * FROM pgmg.plan(pg_temp.files());
UPDATE f SET body = E'CREATE FUNCTION ord.bad_body() RETURNS text LANGUAGE sql\n  AS ''SELECT ''''it''''''''s'''' FROM FROM ord.t'';' WHERE path = 'body.sql';
SELECT * FROM pgmg.plan(pg_temp.files());
\echo :LAST_ERROR_SQLSTATE
DELETE FROM f WHERE path = 'body.sql';

-- an error in a function replaced in place (CREATE OR REPLACE added by
-- pgmg) points at the column of the file, not of the statement run
INSERT INTO f VALUES ('inplace.sql', E'CREATE FUNCTION ord.first_v() RETURNS numeric LANGUAGE sql\nBEGIN ATOMIC SELECT v FROM ord.t ORDER BY id LIMIT 1; END;');
SELECT count(*) FROM pgmg.apply(pg_temp.files());
UPDATE f SET body = E'CREATE FUNCTION ord.first_v() RETURNS numeric LANGUAGE sql\nBEGIN ATOMIC SELECT no_such_v FROM ord.t ORDER BY id LIMIT 1; END;' WHERE path = 'inplace.sql';
SELECT step, action, object FROM pgmg.plan(pg_temp.files());
SELECT count(*) FROM pgmg.apply(pg_temp.files());
\echo :LAST_ERROR_SQLSTATE
DELETE FROM f WHERE path = 'inplace.sql';
SELECT count(*) FROM pgmg.apply(pg_temp.files());

-- two files defining one object
INSERT INTO f VALUES ('dup.sql', 'CREATE VIEW v1 AS SELECT 1 AS id;');
SELECT * FROM pg_temp.plan();
\echo :LAST_ERROR_SQLSTATE
DELETE FROM f WHERE path = 'dup.sql';
INSERT INTO f VALUES ('dup1.sql', 'CREATE FUNCTION twin() RETURNS int LANGUAGE sql RETURN 1;'),
                     ('dup2.sql', 'CREATE FUNCTION twin() RETURNS int LANGUAGE sql RETURN 2;');
SELECT * FROM pg_temp.plan();
DELETE FROM f WHERE path LIKE 'dup%';

-- statements that do not belong in a code file
INSERT INTO f VALUES ('table.sql', 'CREATE VIEW ok_view AS SELECT 1 AS one; CREATE TABLE nope (id int);');
SELECT * FROM pg_temp.plan();
\echo :LAST_ERROR_SQLSTATE
UPDATE f SET body = E'CREATE VIEW ok_view AS SELECT 1 AS one;\nCOMMIT;' WHERE path = 'table.sql';
SELECT * FROM pg_temp.plan();
UPDATE f SET body = 'SET search_path = public; CREATE VIEW ok_view AS SELECT 1 AS one;' WHERE path = 'table.sql';
SELECT * FROM pg_temp.plan();
UPDATE f SET body = 'DO $$ BEGIN END $$;' WHERE path = 'table.sql';
SELECT * FROM pg_temp.plan();
UPDATE f SET body = E'-- nothing here\n' WHERE path = 'table.sql';
SELECT * FROM pg_temp.plan();
\echo :LAST_ERROR_SQLSTATE
DELETE FROM f WHERE path = 'table.sql';

-- a malformed files argument
SELECT * FROM pgmg.plan('[]');
SELECT * FROM pgmg.plan('"x"');
SELECT * FROM pgmg.plan('{"code": []}');
SELECT * FROM pgmg.plan('{"code": {"a.sql": 1}}');
SELECT * FROM pgmg.plan('{"code": {"../a.sql": "CREATE VIEW x AS SELECT 1"}}');
SELECT * FROM pgmg.plan('{"code": {"a/../../b.sql": "CREATE VIEW x AS SELECT 1"}}');
SELECT * FROM pgmg.plan('{"code": {"": "CREATE VIEW x AS SELECT 1"}}');
SELECT * FROM pgmg.plan('{"code": {"/etc/x.sql": "CREATE VIEW x AS SELECT 1"}}');
SELECT * FROM pgmg.plan('{"seeds": {}}');
\echo :LAST_ERROR_SQLSTATE

-- apply must see what a concurrent apply it waited for committed: it
-- needs READ COMMITTED
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
ROLLBACK;

-- none of that changed anything
SELECT pg_temp.snapshot() = :'snap' AS unchanged;
SELECT count(*) AS steps_left FROM pgmg.plan(pg_temp.files());

-- leaving the code group out manages nothing: no deletions
SELECT count(*) AS steps FROM pgmg.plan('{}');
SELECT count(*) AS steps FROM pgmg.plan('{"migrations": {}}');
-- an empty code group deletes everything pgmg manages, dependents first
SELECT step, action, object FROM pgmg.plan('{"code": {}}');

SET client_min_messages = warning;
DROP SCHEMA ord CASCADE;
RESET client_min_messages;
DELETE FROM pgmg.pgmg_state;
