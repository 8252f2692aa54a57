--
-- security: invoker rights, no search_path hijacking of pgmg's own
-- queries, and a non-superuser deployer.
--

-- every pgmg function is SECURITY INVOKER; none pins a search_path, so user
-- files run with the caller's, while pgmg's own SQL is schema-qualified
SELECT p.proname, p.prosecdef, p.proconfig
  FROM pg_proc p WHERE p.pronamespace = 'pgmg'::regnamespace ORDER BY 1;

-- a schema placed before pg_catalog shadows functions and operators pgmg
-- could call unqualified; each one raises if it is ever called
CREATE SCHEMA evil;
CREATE FUNCTION evil.lower(text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked lower'; END $$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked now'; END $$;
CREATE FUNCTION evil.count(anyelement) RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked count'; END $$;
CREATE FUNCTION evil.eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked ='; END $$;
CREATE OPERATOR evil.= (leftarg = text, rightarg = text, function = evil.eq);
CREATE FUNCTION evil.cat(text, text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked ||'; END $$;
CREATE OPERATOR evil.|| (leftarg = text, rightarg = text, function = evil.cat);
CREATE FUNCTION evil.jsonb_object_agg(text, text) RETURNS jsonb LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked jsonb_object_agg'; END $$;
CREATE SCHEMA hj;
CREATE TABLE hj.t (id int);
SET search_path = evil, hj, pg_catalog;
SELECT step, action, object FROM pgmg.apply('{"migrations": {"001.sql": "ALTER TABLE hj.t ADD COLUMN v int;"}, "code": {"v.sql": "CREATE VIEW hj.v AS SELECT id FROM hj.t;", "f.sql": "CREATE FUNCTION hj.f() RETURNS int LANGUAGE sql RETURN 1;"}}');
SELECT step, action, object FROM pgmg.plan('{"migrations": {"001.sql": "ALTER TABLE hj.t ADD COLUMN v int;"}, "code": {"v.sql": "CREATE VIEW hj.v AS SELECT id, v FROM hj.t;"}}');
SELECT kind, name, state FROM pgmg.status('{"code": {"v.sql": "CREATE VIEW hj.v AS SELECT id FROM hj.t;"}}') ORDER BY name;
SELECT * FROM pgmg.baseline('{"migrations": {"002.sql": "SELECT 1;"}}', '002.sql');
RESET search_path;
SELECT count(*) FROM pgmg.apply('{"code": {}, "migrations": {"001.sql": "ALTER TABLE hj.t ADD COLUMN v int;", "002.sql": "SELECT 1;"}}');
SET client_min_messages = warning;
DROP SCHEMA evil CASCADE;
RESET client_min_messages;
DELETE FROM pgmg.pgmg_migrations;

-- a deployer that is not a superuser, owns its schema and may write
-- pgmg's state, plans and applies its own objects
CREATE ROLE pgmg_deployer LOGIN;
CREATE SCHEMA deploy AUTHORIZATION pgmg_deployer;
GRANT INSERT, UPDATE, DELETE ON pgmg.pgmg_state, pgmg.pgmg_migrations TO pgmg_deployer;
SET ROLE pgmg_deployer;
-- the history is part of the documented grants: without it, an apply fails
-- rather than leave no trace
SELECT step, action, object FROM pgmg.apply('{"migrations": {"101_t.sql": "CREATE TABLE deploy.t (id int);"}, "code": {"d.sql": "CREATE VIEW deploy.dv AS SELECT id FROM deploy.t;"}}');
SELECT to_regclass('deploy.t') IS NULL AS nothing_applied;
RESET ROLE;
GRANT INSERT ON pgmg.pgmg_history TO pgmg_deployer;
SET ROLE pgmg_deployer;
SELECT step, action, object FROM pgmg.apply('{"migrations": {"101_t.sql": "CREATE TABLE deploy.t (id int);"}, "code": {"d.sql": "CREATE VIEW deploy.dv AS SELECT id FROM deploy.t;"}}');
SELECT count(*) AS steps_left FROM pgmg.plan('{"migrations": {"101_t.sql": "CREATE TABLE deploy.t (id int);"}, "code": {"d.sql": "CREATE VIEW deploy.dv AS SELECT id FROM deploy.t;"}}');
SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'deploy.dv'::regclass;
RESET ROLE;

-- a role without those grants may plan (the state is readable) but not
-- apply, and its failed apply changes nothing
CREATE ROLE pgmg_outsider;
GRANT USAGE, CREATE ON SCHEMA deploy TO pgmg_outsider;
SET ROLE pgmg_outsider;
SELECT step, action, object FROM pgmg.plan('{"code": {"d.sql": "CREATE VIEW deploy.dv AS SELECT id FROM deploy.t;", "o.sql": "CREATE VIEW deploy.ov AS SELECT 1 AS one;"}}');
SELECT count(*) FROM pgmg.apply('{"code": {"d.sql": "CREATE VIEW deploy.dv AS SELECT id FROM deploy.t;", "o.sql": "CREATE VIEW deploy.ov AS SELECT 1 AS one;"}}');
INSERT INTO pgmg.pgmg_state (object_name, object_hash, file, kind, identity, obj_names, fingerprint)
VALUES ('x', 'x', 'x', 'x', 'x', '{}', 'x');
RESET ROLE;
SELECT to_regclass('deploy.ov') IS NULL AS nothing_created;

SET client_min_messages = warning;
DROP SCHEMA deploy CASCADE;
DROP SCHEMA hj CASCADE;
RESET client_min_messages;
REVOKE ALL ON pgmg.pgmg_state, pgmg.pgmg_migrations, pgmg.pgmg_history FROM pgmg_deployer;
DROP ROLE pgmg_deployer;
DROP ROLE pgmg_outsider;
DELETE FROM pgmg.pgmg_state;
DELETE FROM pgmg.pgmg_migrations;
