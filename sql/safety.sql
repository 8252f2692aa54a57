--
-- safety: what production needs of an apply.  A byte order mark is never
-- run, a renamed applied migration never runs twice, a migration's
-- settings end with it, and no wait is unbounded.
--
CREATE SCHEMA safe;
SET search_path = safe, public;
SET client_min_messages = warning;

-- a UTF-8 byte order mark at the start of a code file or a migration is
-- not part of the SQL (editors on some platforms write one)
SELECT step, action, object FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object('001_items.sql', E'\uFEFFCREATE TABLE safe.items (id int, qty int);'),
  'code', jsonb_build_object('v.sql', E'\uFEFFCREATE VIEW safe.item_view AS SELECT id FROM safe.items;')));
SELECT count(*) AS nothing_left FROM pgmg.plan(jsonb_build_object(
  'migrations', jsonb_build_object('001_items.sql', E'\uFEFFCREATE TABLE safe.items (id int, qty int);'),
  'code', jsonb_build_object('v.sql', E'\uFEFFCREATE VIEW safe.item_view AS SELECT id FROM safe.items;')));
SELECT checksum = (SELECT checksum FROM pgmg.pgmg_migrations WHERE name = '001_items.sql') AS bom_does_not_count
  FROM (SELECT encode(sha256('CREATE TABLE safe.items (id int, qty int);'), 'hex') AS checksum) x;

-- a migration is renamed after it was applied: running it again would
-- run it twice (a bonus paid twice), so it is an error naming both names
INSERT INTO safe.items VALUES (1, 100);
SELECT count(*) FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object(
    '001_items.sql', 'CREATE TABLE safe.items (id int, qty int);',
    '002_bonus.sql', 'UPDATE safe.items SET qty = qty + 50;')));
SELECT qty FROM safe.items;
SELECT count(*) FROM pgmg.plan(jsonb_build_object(
  'migrations', jsonb_build_object(
    '001_items.sql', 'CREATE TABLE safe.items (id int, qty int);',
    '003_bonus.sql', 'UPDATE safe.items SET qty = qty + 50;')));
SELECT count(*) FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object(
    '001_items.sql', 'CREATE TABLE safe.items (id int, qty int);',
    '003_bonus.sql', 'UPDATE safe.items SET qty = qty + 50;')));
SELECT qty FROM safe.items;
-- a genuinely new migration with other content runs
SELECT count(*) FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object(
    '001_items.sql', 'CREATE TABLE safe.items (id int, qty int);',
    '002_bonus.sql', 'UPDATE safe.items SET qty = qty + 50;',
    '003_bonus.sql', '-- a second bonus, on purpose
UPDATE safe.items SET qty = qty + 50;')));
SELECT qty FROM safe.items;

-- what a migration SETs (pg_dump's header sets search_path and
-- client_min_messages) ends with it: the view is created where the plan
-- said, under the caller's search_path, and the step notices still come
CREATE SCHEMA safe_app;
RESET client_min_messages;
SELECT step, action, object FROM pgmg.plan(jsonb_build_object(
  'migrations', jsonb_build_object('004_app.sql', $m$SET search_path = safe_app, public;
SELECT pg_catalog.set_config('search_path', 'safe_app', false);
SET client_min_messages = error;
CREATE TABLE items (id int);$m$),
  'code', jsonb_build_object('w.sql', 'CREATE VIEW where_am_i AS SELECT 1 AS one;')));
SELECT step, action, object FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object('004_app.sql', $m$SET search_path = safe_app, public;
SELECT pg_catalog.set_config('search_path', 'safe_app', false);
SET client_min_messages = error;
CREATE TABLE items (id int);$m$),
  'code', jsonb_build_object('w.sql', 'CREATE VIEW where_am_i AS SELECT 1 AS one;')));
SHOW search_path;
SHOW client_min_messages;
SELECT to_regclass('safe.where_am_i') IS NOT NULL AS in_safe,
       to_regclass('safe_app.where_am_i') IS NULL AS not_in_safe_app,
       to_regclass('safe_app.items') IS NOT NULL AS migration_ran_in_its_own;

-- trailing blanks count where they are part of a value: inside a
-- multi-line string literal or dollar-quoted body, not after the SQL
SELECT count(*) FROM pgmg.apply(jsonb_build_object('code', jsonb_build_object(
  'banner.sql', E'CREATE VIEW banner AS SELECT \'line one\nline two\' AS text;  \n',
  'greet.sql', E'CREATE FUNCTION greet() RETURNS text LANGUAGE sql AS $$ SELECT \'hi\n\' $$;\n')));
SELECT object, reason FROM pgmg.plan(jsonb_build_object('code', jsonb_build_object(
  'banner.sql', E'CREATE VIEW banner AS SELECT \'line one    \nline two\' AS text;  \n',
  'greet.sql', E'CREATE FUNCTION greet() RETURNS text LANGUAGE sql AS $$ SELECT \'hi\n\' $$;\t\r\n\n\n')));
SELECT object, reason FROM pgmg.plan(jsonb_build_object('code', jsonb_build_object(
  'banner.sql', E'CREATE VIEW banner AS SELECT \'line one\nline two\' AS text;  \n',
  'greet.sql', E'CREATE FUNCTION greet() RETURNS text LANGUAGE sql AS $$ SELECT \'hi  \n\' $$;\n')));
-- a state recorded by 0.1, which dropped those blanks too, still matches
UPDATE pgmg.pgmg_state SET hash_version = 1, object_hash = encode(sha256(convert_to(
  E'CREATE VIEW banner AS SELECT \'line one\nline two\' AS text;', 'UTF8')), 'hex')
  WHERE object_name = 'view.safe.banner';
SELECT count(*) AS unchanged FROM pgmg.plan(jsonb_build_object('code', jsonb_build_object(
  'banner.sql', E'CREATE VIEW banner AS SELECT \'line one  \nline two\' AS text;\n',
  'greet.sql', E'CREATE FUNCTION greet() RETURNS text LANGUAGE sql AS $$ SELECT \'hi\n\' $$;\n')));

-- forged state: a deployer with the documented grants records a view pgmg
-- never made as managed by a file that is gone; the next apply, run by a
-- superuser, refuses to drop it
CREATE VIEW safe.payroll AS SELECT 1000 AS salary;
CREATE ROLE pgmg_forger;
GRANT INSERT, UPDATE, DELETE ON pgmg.pgmg_state, pgmg.pgmg_migrations TO pgmg_forger;
SET ROLE pgmg_forger;
INSERT INTO pgmg.pgmg_state (object_name, object_hash, file, kind, identity, obj_names, fingerprint)
  VALUES ('view.safe.payroll', 'x', 'old/payroll.sql', 'view', 'safe.payroll', '{safe,payroll}', 'forged');
RESET ROLE;
SELECT count(*) FROM pgmg.apply(jsonb_build_object('code', jsonb_build_object(
  'banner.sql', E'CREATE VIEW banner AS SELECT \'line one\nline two\' AS text;  \n',
  'greet.sql', E'CREATE FUNCTION greet() RETURNS text LANGUAGE sql AS $$ SELECT \'hi\n\' $$;\n')));
SELECT salary FROM safe.payroll;
DELETE FROM pgmg.pgmg_state WHERE file = 'old/payroll.sql';
REVOKE ALL ON pgmg.pgmg_state, pgmg.pgmg_migrations FROM pgmg_forger;
DROP ROLE pgmg_forger;

-- a function whose results are stored (an index expression, a CHECK
-- constraint, a stored generated column) cannot change its body in place
SELECT count(*) FROM pgmg.apply(jsonb_build_object('code', jsonb_build_object(
  'norm.sql', 'CREATE FUNCTION safe.norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;')));
CREATE TABLE safe.people (name text CHECK (safe.norm(name) = name),
  key text GENERATED ALWAYS AS (safe.norm(name)) STORED);
CREATE INDEX people_norm ON safe.people (safe.norm(name));
INSERT INTO safe.people (name) VALUES ('ann');
SELECT step, action, object FROM pgmg.plan(jsonb_build_object('code', jsonb_build_object(
  'norm.sql', 'CREATE FUNCTION safe.norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(t) $$;')));
-- a change that leaves the body alone is fine
SELECT step, action, object FROM pgmg.plan(jsonb_build_object('code', jsonb_build_object(
  'norm.sql', 'CREATE FUNCTION safe.norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;
COMMENT ON FUNCTION safe.norm(text) IS ''normal form'';')));
-- and the file may opt in
SELECT step, action, object FROM pgmg.plan(jsonb_build_object('code', jsonb_build_object(
  'norm.sql', '-- pgmg:allow-body-change (people is rebuilt by migration 007)
CREATE FUNCTION safe.norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT btrim(lower(t)) $$;')));
DROP TABLE safe.people;
SELECT count(*) FROM pgmg.apply(jsonb_build_object('code', jsonb_build_object(
  'norm.sql', 'CREATE FUNCTION safe.norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(t) $$;')));

-- what hangs on a recreated view survives its recreation: options set by
-- hand (security_invoker, which row-level security relies on), column
-- privileges and defaults, a hand-made index on a materialized view, and
-- the populated state of a WITH NO DATA materialized view refreshed since
SET client_min_messages = error;
CREATE TABLE safe.orders (id int, tenant text, amount int);
INSERT INTO safe.orders VALUES (1, 'a', 10), (2, 'b', 5);
CREATE ROLE pgmg_safe_reader;
SELECT count(*) FROM pgmg.apply(jsonb_build_object('code', jsonb_build_object(
  'tenant_orders.sql', 'CREATE VIEW safe.tenant_orders AS SELECT id, tenant, amount FROM safe.orders;',
  'totals.sql', 'CREATE MATERIALIZED VIEW safe.totals AS SELECT tenant, sum(amount) AS total FROM safe.orders GROUP BY tenant WITH NO DATA;')));
ALTER VIEW safe.tenant_orders SET (security_invoker = true);
GRANT SELECT (id, amount) ON safe.tenant_orders TO pgmg_safe_reader;
ALTER VIEW safe.tenant_orders ALTER COLUMN amount SET DEFAULT 0;
CREATE INDEX totals_tenant ON safe.totals (tenant);
REFRESH MATERIALIZED VIEW safe.totals;
SELECT step, action, object FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object('005_amount.sql', 'ALTER TABLE safe.orders ALTER COLUMN amount TYPE bigint;'),
  'code', jsonb_build_object(
  'tenant_orders.sql', 'CREATE VIEW safe.tenant_orders AS SELECT id, tenant, amount FROM safe.orders;',
  'totals.sql', 'CREATE MATERIALIZED VIEW safe.totals AS SELECT tenant, sum(amount) AS total FROM safe.orders GROUP BY tenant WITH NO DATA;')));
SELECT reloptions FROM pg_class WHERE oid = 'safe.tenant_orders'::regclass;
SELECT attname, has_column_privilege('pgmg_safe_reader', attrelid, attname, 'SELECT') AS reader_may_select
  FROM pg_attribute WHERE attrelid = 'safe.tenant_orders'::regclass AND attnum > 0 ORDER BY attnum;
SELECT pg_get_expr(adbin, adrelid) AS amount_default FROM pg_attrdef WHERE adrelid = 'safe.tenant_orders'::regclass;
SELECT indexname FROM pg_indexes WHERE schemaname = 'safe' AND tablename = 'totals';
SELECT tenant, total FROM safe.totals ORDER BY tenant;

-- a preserved (unmanaged) view is printed with every name qualified, so
-- it binds to the table it read before, whatever search_path the apply
-- runs under and whatever the migration creates
CREATE VIEW safe.report AS SELECT id, amount FROM orders;
CREATE SCHEMA safe_shadow;
SET search_path = safe_shadow, safe, public;
SELECT step, action, object FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object(
    '005_amount.sql', 'ALTER TABLE safe.orders ALTER COLUMN amount TYPE bigint;',
    '006_shadow.sql', 'CREATE TABLE safe_shadow.orders (id int, amount text); ALTER TABLE safe.orders ALTER COLUMN amount TYPE numeric;'),
  'code', jsonb_build_object(
  'tenant_orders.sql', 'CREATE VIEW safe.tenant_orders AS SELECT id, tenant, amount FROM safe.orders;',
  'totals.sql', 'CREATE MATERIALIZED VIEW safe.totals AS SELECT tenant, sum(amount) AS total FROM safe.orders GROUP BY tenant WITH NO DATA;')));
SET search_path = safe, public;
SELECT atttypid::regtype AS report_amount FROM pg_attribute WHERE attrelid = 'safe.report'::regclass AND attname = 'amount';
DROP VIEW safe.report;
DROP SCHEMA safe_shadow CASCADE;
RESET client_min_messages;

-- a migration that rebuilds a table (rename, create, copy, drop) takes its
-- managed trigger with it: pgmg drops it first and makes it again after
SET client_min_messages = error;
CREATE TABLE safe.accounts (id int, touched timestamptz);
SELECT count(*) FROM pgmg.apply(jsonb_build_object('code', jsonb_build_object(
  'touch.sql', 'CREATE FUNCTION safe.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;',
  'accounts_touch.sql', 'CREATE TRIGGER accounts_touch BEFORE INSERT ON safe.accounts FOR EACH ROW EXECUTE FUNCTION safe.touch();')));
SELECT step, action, object, reason FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object('007_rebuild.sql', 'ALTER TABLE safe.accounts RENAME TO accounts_old;
CREATE TABLE safe.accounts (id int, touched timestamptz, note text);
INSERT INTO safe.accounts (id, touched) SELECT id, touched FROM safe.accounts_old;
DROP TABLE safe.accounts_old;'),
  'code', jsonb_build_object(
  'touch.sql', 'CREATE FUNCTION safe.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;',
  'accounts_touch.sql', 'CREATE TRIGGER accounts_touch BEFORE INSERT ON safe.accounts FOR EACH ROW EXECUTE FUNCTION safe.touch();')));
INSERT INTO safe.accounts (id) VALUES (1);
SELECT id, touched IS NOT NULL AS trigger_ran FROM safe.accounts;
SELECT kind, name, state FROM pgmg.status(jsonb_build_object('code', jsonb_build_object(
  'touch.sql', 'CREATE FUNCTION safe.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;',
  'accounts_touch.sql', 'CREATE TRIGGER accounts_touch BEFORE INSERT ON safe.accounts FOR EACH ROW EXECUTE FUNCTION safe.touch();'))) ORDER BY name;
RESET client_min_messages;

-- a migration may not redefine what a code file defines (the file is the
-- truth); it may drop an object whose file goes in the same change
SET client_min_messages = error;
SELECT count(*) FROM pgmg.apply(jsonb_build_object('code', jsonb_build_object(
  'legacy.sql', 'CREATE VIEW safe.legacy AS SELECT 1 AS one;',
  'answer.sql', 'CREATE FUNCTION safe.answer() RETURNS int LANGUAGE sql RETURN 42;')));
SELECT count(*) FROM pgmg.plan(jsonb_build_object(
  'migrations', jsonb_build_object('008_tweak.sql', 'CREATE OR REPLACE FUNCTION safe.answer() RETURNS int LANGUAGE sql RETURN 43;'),
  'code', jsonb_build_object(
  'legacy.sql', 'CREATE VIEW safe.legacy AS SELECT 1 AS one;',
  'answer.sql', 'CREATE FUNCTION safe.answer() RETURNS int LANGUAGE sql RETURN 42;')));
SELECT count(*) FROM pgmg.plan(jsonb_build_object(
  'migrations', jsonb_build_object('008_tweak.sql', E'SELECT 1;\nALTER VIEW safe.legacy SET (security_barrier = true);'),
  'code', jsonb_build_object(
  'legacy.sql', 'CREATE VIEW safe.legacy AS SELECT 1 AS one;',
  'answer.sql', 'CREATE FUNCTION safe.answer() RETURNS int LANGUAGE sql RETURN 42;')));
SELECT count(*) FROM pgmg.plan(jsonb_build_object(
  'migrations', jsonb_build_object('008_tweak.sql', 'DROP VIEW safe.legacy;'),
  'code', jsonb_build_object(
  'legacy.sql', 'CREATE VIEW safe.legacy AS SELECT 1 AS one;',
  'answer.sql', 'CREATE FUNCTION safe.answer() RETURNS int LANGUAGE sql RETURN 42;')));
SET client_min_messages = error;
SELECT step, action, object, reason FROM pgmg.plan(jsonb_build_object(
  'migrations', jsonb_build_object('008_tweak.sql', 'DROP VIEW safe.legacy;'),
  'code', jsonb_build_object(
  'answer.sql', 'CREATE FUNCTION safe.answer() RETURNS int LANGUAGE sql RETURN 42;')));
SELECT step, action, object FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object('008_tweak.sql', 'DROP VIEW safe.legacy;'),
  'code', jsonb_build_object(
  'answer.sql', 'CREATE FUNCTION safe.answer() RETURNS int LANGUAGE sql RETURN 42;')));
SELECT to_regclass('safe.legacy') IS NULL AS legacy_gone,
       (SELECT count(*) FROM pgmg.pgmg_state WHERE file = 'legacy.sql') AS legacy_state_rows;
RESET client_min_messages;

-- waits are bounded by default: 5 s a lock, 3 retries
SHOW pgmg.lock_timeout;
SHOW pgmg.lock_retries;
SELECT count(*) FROM pgmg.apply('{"code": {}}', lock_timeout => 'soon');
SELECT count(*) FROM pgmg.apply('{"code": {}}', lock_timeout => '-1s');
SET pgmg.lock_timeout = '-1';
-- an apply's own lock_timeout is restored afterwards
SET lock_timeout = '42s';
SELECT count(*) FROM pgmg.apply(jsonb_build_object(
  'code', jsonb_build_object('w.sql', 'CREATE VIEW where_am_i AS SELECT 1 AS one;')), lock_timeout => '1s');
SHOW lock_timeout;
RESET lock_timeout;

SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply('{"code": {}}');
DROP SCHEMA safe CASCADE;
DROP SCHEMA safe_app CASCADE;
DROP ROLE pgmg_safe_reader;
RESET client_min_messages;
RESET search_path;
DELETE FROM pgmg.pgmg_state;
DELETE FROM pgmg.pgmg_migrations;
