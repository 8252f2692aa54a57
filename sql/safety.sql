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
RESET client_min_messages;
RESET search_path;
DELETE FROM pgmg.pgmg_state;
DELETE FROM pgmg.pgmg_migrations;
