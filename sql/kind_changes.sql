--
-- kind_changes: an object may change kind in one apply -- a view becomes a
-- materialized view, a function a procedure, a table renamed by a
-- migration is replaced by a view of its old name.
--
CREATE SCHEMA kc;
SET search_path = kc;
CREATE TABLE kc.orders (id int PRIMARY KEY, amount numeric NOT NULL);
INSERT INTO kc.orders VALUES (1, 10), (2, 32);

CREATE TEMP TABLE f (path text PRIMARY KEY, body text NOT NULL);
CREATE TEMP TABLE m (path text PRIMARY KEY, body text NOT NULL);
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object(
    'code', (SELECT coalesce(jsonb_object_agg(path, body), '{}') FROM pg_temp.f),
    'migrations', (SELECT coalesce(jsonb_object_agg(path, body), '{}') FROM pg_temp.m)) $$;
CREATE FUNCTION pg_temp.plan() RETURNS TABLE (step int, action text, object text, reason text)
LANGUAGE sql AS $$ SELECT step, action, object, reason FROM pgmg.plan(pg_temp.files()) $$;

INSERT INTO f VALUES
('totals.sql', 'CREATE VIEW kc.totals AS SELECT sum(amount) AS total FROM kc.orders;'),
('report.sql', 'CREATE VIEW kc.report AS SELECT total * 2 AS doubled FROM kc.totals;'),
('touch.sql', 'CREATE FUNCTION kc.touch(n integer) RETURNS integer LANGUAGE sql RETURN n + 1;');
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;

-- view -> materialized view, and its dependent comes back on top of it
UPDATE f SET body = 'CREATE MATERIALIZED VIEW kc.totals AS SELECT sum(amount) AS total FROM kc.orders;'
 WHERE path = 'totals.sql';
-- function -> procedure with the same signature
UPDATE f SET body = 'CREATE PROCEDURE kc.touch(n integer) LANGUAGE sql BEGIN ATOMIC UPDATE kc.orders SET amount = amount + n; END;'
 WHERE path = 'touch.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT relname, relkind FROM pg_class WHERE relname IN ('totals', 'report') ORDER BY 1;
SELECT proname, prokind FROM pg_proc WHERE proname = 'touch';
SELECT doubled FROM kc.report;
SELECT object_name, file FROM pgmg.pgmg_state ORDER BY 1;
SELECT * FROM pg_temp.plan();

-- a table renamed by a migration, replaced by a compatibility view of its
-- old name, in one apply
INSERT INTO m VALUES ('001_rename.sql', 'ALTER TABLE kc.orders RENAME TO order_rows;');
INSERT INTO f VALUES ('orders.sql', 'CREATE VIEW kc.orders AS SELECT id, amount FROM kc.order_rows;');
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT relname, relkind FROM pg_class WHERE relname IN ('orders', 'order_rows') ORDER BY 1;
SELECT total FROM kc.totals;
SELECT * FROM pg_temp.plan();

-- still an error: a name held by an object of another kind that stays
\set VERBOSITY terse
CREATE TABLE kc.ledger (id int);
INSERT INTO f VALUES ('ledger.sql', 'CREATE VIEW kc.ledger AS SELECT 1 AS id;');
SELECT * FROM pg_temp.plan();
DELETE FROM f WHERE path = 'ledger.sql';
-- or one another project manages or another file still defines
INSERT INTO f VALUES ('touch2.sql', 'CREATE FUNCTION kc.touch(n integer) RETURNS integer LANGUAGE sql RETURN n;');
SELECT * FROM pg_temp.plan();
DELETE FROM f WHERE path = 'touch2.sql';
\set VERBOSITY default

-- clean up through pgmg
DELETE FROM f;
DELETE FROM m;
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
DELETE FROM pgmg.pgmg_migrations WHERE name = '001_rename.sql';
RESET search_path;
DROP SCHEMA kc CASCADE;
RESET client_min_messages;
