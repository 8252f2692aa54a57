--
-- upgrade: from 0.1, with state in place, to the current version.  The
-- library refuses to work on an extension it has not been updated to;
-- after ALTER EXTENSION pgmg UPDATE, what 0.1 recorded still matches.
--
SET client_min_messages = warning;
DROP EXTENSION pgmg;
DROP SCHEMA pgmg;
CREATE EXTENSION pgmg VERSION '0.1';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'pgmg';

-- state as 0.1 recorded it: checksums taken with trailing blanks dropped
-- on every line, the blanks inside the string literal included
CREATE SCHEMA up;
CREATE TABLE up.notes (body text);
INSERT INTO up.notes VALUES ('first  ');
INSERT INTO pgmg.pgmg_migrations (name, checksum) VALUES
  ('001_notes.sql', encode(sha256(convert_to(E'CREATE TABLE up.notes (body text);\nINSERT INTO up.notes VALUES (\'first\n\');', 'UTF8')), 'hex'));

-- the 0.2 library on a 0.1 extension: an error that says what to do
SELECT count(*) FROM pgmg.plan('{"code": {}}');

ALTER EXTENSION pgmg UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pgmg';
SELECT name, hash_version FROM pgmg.pgmg_migrations;
SELECT column_name, column_default FROM information_schema.columns
 WHERE table_schema = 'pgmg' AND column_name = 'hash_version' ORDER BY table_name;
-- pg_dump still keeps both tables
SELECT array_length(extconfig, 1) FROM pg_extension WHERE extname = 'pgmg';

-- the migration 0.1 recorded is unchanged, though its file has blanks in a
-- literal that 0.2 counts; a new one is recorded the 0.2 way
SELECT kind, name, state FROM pgmg.status(jsonb_build_object('migrations', jsonb_build_object(
  '001_notes.sql', E'CREATE TABLE up.notes (body text);\nINSERT INTO up.notes VALUES (\'first  \n\');')));
SET client_min_messages = warning;
SELECT step, action, object FROM pgmg.apply(jsonb_build_object('migrations', jsonb_build_object(
  '001_notes.sql', E'CREATE TABLE up.notes (body text);\nINSERT INTO up.notes VALUES (\'first  \n\');',
  '002_more.sql', E'INSERT INTO up.notes VALUES (\'second  \n\');')));
RESET client_min_messages;
SELECT name, hash_version FROM pgmg.pgmg_migrations ORDER BY name;
-- and the 0.2 way, a change of those blanks is a change
SELECT count(*) FROM pgmg.plan(jsonb_build_object('migrations', jsonb_build_object(
  '001_notes.sql', E'CREATE TABLE up.notes (body text);\nINSERT INTO up.notes VALUES (\'first  \n\');',
  '002_more.sql', E'INSERT INTO up.notes VALUES (\'second\n\');')));

-- from 0.2, with state in place: 0.2 recorded fingerprints of catalog rows
-- as stored (no definitions); after the update they still match, status is
-- ok, and the next apply records the canonical definition, so drift can
-- say what changed
SET client_min_messages = warning;
DROP SCHEMA up CASCADE;
DROP EXTENSION pgmg;
DROP SCHEMA pgmg;
CREATE EXTENSION pgmg VERSION '0.2';
RESET client_min_messages;
CREATE SCHEMA up;
CREATE VIEW up.answer AS SELECT 42 AS n;
INSERT INTO pgmg.pgmg_state (object_name, object_hash, file, kind, identity, obj_names, fingerprint)
SELECT 'view.up.answer', encode(sha256(convert_to('CREATE VIEW up.answer AS SELECT 42 AS n;', 'UTF8')), 'hex'),
       'answer.sql', 'view', 'up.answer', '{up,answer}',
       encode(sha256(convert_to(E'view\n' || ev_action::text, 'UTF8')), 'hex')
  FROM pg_rewrite WHERE ev_class = 'up.answer'::regclass AND rulename = '_RETURN';
SELECT count(*) FROM pgmg.plan('{"code": {}}');
ALTER EXTENSION pgmg UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pgmg';
SELECT kind, name, state, detail FROM pgmg.status('{"code": {"answer.sql": "CREATE VIEW up.answer AS SELECT 42 AS n;"}}');
SELECT count(*) AS steps FROM pgmg.plan('{"code": {"answer.sql": "CREATE VIEW up.answer AS SELECT 42 AS n;"}}');
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply('{"code": {"answer.sql": "CREATE VIEW up.answer AS SELECT 42 AS n;"}}');
RESET client_min_messages;
SELECT fingerprint LIKE 'd1:%' AS canonical, definition FROM pgmg.pgmg_state;
CREATE OR REPLACE VIEW up.answer AS SELECT 43 AS n;
SELECT kind, name, state, detail FROM pgmg.status('{"code": {"answer.sql": "CREATE VIEW up.answer AS SELECT 42 AS n;"}}');

-- from 0.3, with state in place: 0.4 returns a cause column.  0.4 records
-- state exactly as 0.3 did, so the state of an apply is carried over into a
-- 0.3 extension.  A view and a materialized view recorded so stay as they
-- are (the matview keeps its rows); after a migration retyping a column
-- only the view reads, the plan recreates the view, with the cause in
-- fields, and leaves the matview alone
SET client_min_messages = warning;
DROP SCHEMA up CASCADE;
\set up_files '{"migrations": {"001_t.sql": "CREATE SCHEMA up; CREATE TABLE up.t (a integer, b integer); INSERT INTO up.t VALUES (1, 2);"}, "code": {"a.sql": "CREATE VIEW up.va AS SELECT a FROM up.t;", "b.sql": "CREATE MATERIALIZED VIEW up.mb AS SELECT b FROM up.t;"}}'
SELECT count(*) FROM pgmg.apply(:'up_files');
CREATE TEMP TABLE saved_state AS SELECT * FROM pgmg.pgmg_state;
CREATE TEMP TABLE saved_migrations AS SELECT * FROM pgmg.pgmg_migrations;
DROP EXTENSION pgmg;
DROP SCHEMA pgmg;
CREATE EXTENSION pgmg VERSION '0.3';
INSERT INTO pgmg.pgmg_state SELECT * FROM saved_state;
INSERT INTO pgmg.pgmg_migrations SELECT * FROM saved_migrations;
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'pgmg';
SELECT count(*) FROM pgmg.plan('{"code": {}}');
ALTER EXTENSION pgmg UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pgmg';
SELECT kind, name, state FROM pgmg.status(:'up_files') ORDER BY kind, name;
SELECT count(*) AS steps FROM pgmg.plan(:'up_files');
SELECT step, action, object, cause
  FROM pgmg.plan(jsonb_set(:'up_files', '{migrations,002_a.sql}', '"ALTER TABLE up.t ALTER COLUMN a TYPE bigint;"'));
SELECT proargnames FROM pg_proc WHERE oid = 'pgmg.apply(jsonb,boolean,text)'::regprocedure;
SELECT column_name FROM information_schema.columns
 WHERE table_schema = 'pgmg' AND table_name = 'plan_view' ORDER BY ordinal_position;
SELECT 'up.mb'::regclass::oid AS mb_oid \gset
INSERT INTO up.t VALUES (3, 4);
SET client_min_messages = warning;
SELECT step, action, object FROM pgmg.apply(jsonb_set(:'up_files', '{migrations,002_a.sql}', '"ALTER TABLE up.t ALTER COLUMN a TYPE bigint;"'));
RESET client_min_messages;
-- the matview is the same object, with the rows it had (not recomputed)
SELECT 'up.mb'::regclass::oid = :mb_oid AS same_matview, array_agg(b) AS rows FROM up.mb;

-- from 0.4, with state in place: 0.5 adds pgmg.hazards(), the history of
-- applies and repairs with a reason.  A role that could record applies
-- (INSERT on pgmg_state) may write the history after the update, so that
-- its next apply does not fail for a privilege it never needed before; the
-- recorded state still plans nothing
SET client_min_messages = warning;
DROP SCHEMA up CASCADE;
DROP EXTENSION pgmg;
DROP SCHEMA pgmg;
CREATE EXTENSION pgmg;
SELECT count(*) FROM pgmg.apply(:'up_files');
DROP TABLE saved_state, saved_migrations;
CREATE TEMP TABLE saved_state AS SELECT * FROM pgmg.pgmg_state;
CREATE TEMP TABLE saved_migrations AS SELECT * FROM pgmg.pgmg_migrations;
DROP EXTENSION pgmg;
DROP SCHEMA pgmg;
CREATE EXTENSION pgmg VERSION '0.4';
INSERT INTO pgmg.pgmg_state SELECT * FROM saved_state;
INSERT INTO pgmg.pgmg_migrations SELECT * FROM saved_migrations;
DROP ROLE IF EXISTS pgmg_up_deployer;
CREATE ROLE pgmg_up_deployer;
GRANT INSERT, UPDATE, DELETE ON pgmg.pgmg_state, pgmg.pgmg_migrations TO pgmg_up_deployer;
RESET client_min_messages;
SELECT to_regclass('pgmg.pgmg_history') IS NULL AS no_history_yet;
ALTER EXTENSION pgmg UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pgmg';
SELECT has_table_privilege('pgmg_up_deployer', 'pgmg.pgmg_history', 'INSERT') AS deployer_may_record,
       has_table_privilege('public', 'pgmg.pgmg_history', 'SELECT') AS anyone_may_read,
       has_table_privilege('public', 'pgmg.pgmg_history', 'INSERT') AS public_may_not_write;
SELECT count(*) AS steps FROM pgmg.plan(:'up_files');
SELECT count(*) AS hazards FROM pgmg.hazards(:'up_files');
SELECT count(*) AS steps FROM pgmg.apply(jsonb_set(:'up_files', '{migrations,002_c.sql}', '"ALTER TABLE up.t ADD COLUMN c int;"'));
SELECT outcome, steps, migrations, library_version FROM pgmg.pgmg_history ORDER BY id;
SELECT pgmg.repair('002_c.sql', 'accept', 'a comment',
                   jsonb_set(:'up_files', '{migrations,002_c.sql}', '"ALTER TABLE up.t ADD COLUMN c int; -- c"'));
SELECT outcome, detail FROM pgmg.pgmg_history ORDER BY id DESC LIMIT 1;
SET client_min_messages = warning;
DROP OWNED BY pgmg_up_deployer;
DROP ROLE pgmg_up_deployer;
RESET client_min_messages;

-- from 0.5, with state and history in place: 0.6 adds pgmg.graph(); the
-- tables are kept as they are
SET client_min_messages = warning;
DROP TABLE saved_state, saved_migrations;
CREATE TEMP TABLE saved_state AS SELECT * FROM pgmg.pgmg_state;
CREATE TEMP TABLE saved_migrations AS SELECT * FROM pgmg.pgmg_migrations;
CREATE TEMP TABLE saved_history AS SELECT * FROM pgmg.pgmg_history;
DROP EXTENSION pgmg;
DROP SCHEMA pgmg;
CREATE EXTENSION pgmg VERSION '0.5';
INSERT INTO pgmg.pgmg_state SELECT * FROM saved_state;
INSERT INTO pgmg.pgmg_migrations SELECT * FROM saved_migrations;
INSERT INTO pgmg.pgmg_history OVERRIDING SYSTEM VALUE SELECT * FROM saved_history;
SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('pgmg.pgmg_history', 'id'), (SELECT max(id) FROM pgmg.pgmg_history));
RESET client_min_messages;
SELECT to_regprocedure('pgmg.graph(jsonb, boolean)') IS NULL AS no_graph_yet;
SELECT count(*) FROM pgmg.plan(:'up_files');
ALTER EXTENSION pgmg UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pgmg';
SELECT count(*) AS steps FROM pgmg.plan(jsonb_set(:'up_files', '{migrations,002_c.sql}', '"ALTER TABLE up.t ADD COLUMN c int; -- c"'));
SELECT object, action, depends_on FROM pgmg.graph(jsonb_set(:'up_files', '{migrations,002_c.sql}', '"ALTER TABLE up.t ADD COLUMN c int; -- c"')) ORDER BY object;
SELECT count(*) AS history_kept FROM pgmg.pgmg_history;
SELECT count(*) AS steps FROM pgmg.apply(jsonb_set(jsonb_set(:'up_files', '{migrations,002_c.sql}', '"ALTER TABLE up.t ADD COLUMN c int; -- c"'), '{migrations,003_d.sql}', '"ALTER TABLE up.t ADD COLUMN d int;"'));
SELECT id > (SELECT max(id) FROM saved_history) AS new_id, outcome, migrations, library_version FROM pgmg.pgmg_history ORDER BY id DESC LIMIT 1;

-- leave the database as the other suites expect it
SET client_min_messages = warning;
DROP SCHEMA up CASCADE;
DROP EXTENSION pgmg;
DROP SCHEMA pgmg;
CREATE EXTENSION pgmg;
RESET client_min_messages;
