--
-- migration_needs: code that migrations need -- column types, domains,
-- defaults, CHECK constraints, generated columns, index expressions, what
-- a data migration calls -- is created before the migration, with what it
-- needs; a fresh build and a step-by-step build give the same schema; a
-- cycle between a migration and code is reported.
--
CREATE TEMP TABLE f (path text PRIMARY KEY, body text NOT NULL);
CREATE TEMP TABLE m (path text PRIMARY KEY, body text NOT NULL);
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object(
    'code', (SELECT coalesce(jsonb_object_agg(path, body), '{}') FROM pg_temp.f),
    'migrations', (SELECT coalesce(jsonb_object_agg(path, body), '{}') FROM pg_temp.m)) $$;
CREATE FUNCTION pg_temp.plan() RETURNS TABLE (step int, action text, object text, reason text)
LANGUAGE sql AS $$ SELECT step, action, object, reason FROM pgmg.plan(pg_temp.files()) $$;
CREATE FUNCTION pg_temp.apply() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  SET LOCAL client_min_messages = warning;
  SELECT count(*) INTO n FROM pgmg.apply(pg_temp.files());
  RETURN n;
END $$;
-- the schema of app, as text: columns, defaults, constraints, indexes,
-- views and functions
CREATE FUNCTION pg_temp.schema() RETURNS text LANGUAGE sql AS $$
  SELECT concat_ws(E'\n',
    (SELECT string_agg(format('%s.%s %s %s %s', c.relname, a.attname,
                              format_type(a.atttypid, a.atttypmod),
                              pg_get_expr(d.adbin, d.adrelid), a.attgenerated),
                       E'\n' ORDER BY c.relname, a.attnum)
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace::regnamespace::text = 'app' AND a.attnum > 0 AND NOT a.attisdropped),
    (SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), E'\n' ORDER BY conname)
       FROM pg_constraint WHERE connamespace::regnamespace::text = 'app'),
    (SELECT string_agg(pg_get_indexdef(indexrelid), E'\n' ORDER BY 1)
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relnamespace::regnamespace::text = 'app'),
    (SELECT string_agg(c.relname || ': ' || pg_get_viewdef(c.oid), E'\n' ORDER BY c.relname)
       FROM pg_class c WHERE c.relnamespace::regnamespace::text = 'app' AND c.relkind = 'v'),
    (SELECT string_agg(pg_get_functiondef(p.oid), E'\n' ORDER BY p.oid::regprocedure::text)
       FROM pg_proc p WHERE p.pronamespace::regnamespace::text = 'app'),
    (SELECT string_agg(t.typname || ' ' || t.typtype::text, E'\n' ORDER BY t.typname)
       FROM pg_type t WHERE t.typnamespace::regnamespace::text = 'app')) $$;

INSERT INTO f VALUES
('types/status.sql', 'CREATE TYPE app.status AS ENUM (''active'', ''closed'');'),
('domains/email.sql', 'CREATE DOMAIN app.email AS text CHECK (app.valid_email(VALUE));'),
('functions/valid_email.sql', 'CREATE FUNCTION app.valid_email(e text) RETURNS boolean
  LANGUAGE sql IMMUTABLE RETURN e LIKE ''%_@_%'';'),
('functions/slugify.sql', 'CREATE FUNCTION app.slugify(t text) RETURNS text
  LANGUAGE sql IMMUTABLE RETURN lower(replace(t, '' '', ''-''));'),
('functions/new_code.sql', 'CREATE FUNCTION app.new_code() RETURNS text
  LANGUAGE sql VOLATILE RETURN md5(random()::text);'),
('functions/score.sql', 'CREATE FUNCTION app.score(n text) RETURNS integer
  LANGUAGE sql IMMUTABLE RETURN length(n);'),
('types/priority.sql', 'CREATE TYPE app.priority AS ENUM (''low'', ''high'');'),
('views/active_users.sql', 'CREATE VIEW app.active_users AS
  SELECT id, slug, priority FROM app.users WHERE status = ''active'';');
INSERT INTO m VALUES
('001_schema.sql', 'CREATE SCHEMA app;'),
('002_users.sql', 'CREATE TABLE app.users (
  id integer PRIMARY KEY,
  name text NOT NULL,
  status app.status NOT NULL DEFAULT ''active'',
  email app.email,
  slug text GENERATED ALWAYS AS (app.slugify(name)) STORED,
  code text NOT NULL DEFAULT app.new_code(),
  CHECK (app.valid_email(email::text))
);
CREATE INDEX users_slug ON app.users (app.slugify(name));'),
('003_priority.sql', 'ALTER TABLE app.users ADD COLUMN priority app.priority NOT NULL DEFAULT ''low'';
ALTER TABLE app.users ADD COLUMN points integer;
UPDATE app.users SET points = app.score(name);');

-- step by step: the schema and the users table first, with what 002 needs
DELETE FROM m WHERE path = '003_priority.sql';
CREATE TEMP TABLE later_code AS SELECT * FROM f
 WHERE path IN ('functions/score.sql', 'types/priority.sql', 'views/active_users.sql');
DELETE FROM f WHERE path IN (SELECT path FROM later_code);
SELECT * FROM pg_temp.plan();
SELECT pg_temp.apply();
INSERT INTO app.users (id, name, email) VALUES (1, 'Ann Lee', 'ann@example.org'), (2, 'Bob', 'bob@example.org');
SELECT id, slug, status, length(code) FROM app.users ORDER BY id;

-- then 003, with the new code it needs created before it and the view after
INSERT INTO m VALUES ('003_priority.sql', 'ALTER TABLE app.users ADD COLUMN priority app.priority NOT NULL DEFAULT ''low'';
ALTER TABLE app.users ADD COLUMN points integer;
UPDATE app.users SET points = app.score(name);');
INSERT INTO f SELECT * FROM later_code;
SELECT * FROM pg_temp.plan();
SELECT pg_temp.apply();
SELECT id, priority, points FROM app.users ORDER BY id;
SELECT * FROM pg_temp.plan();
SELECT pg_temp.schema() AS stepwise \gset

-- fresh: the same files in one apply give the same schema
DELETE FROM app.users;
DELETE FROM pgmg.pgmg_migrations;
DELETE FROM pgmg.pgmg_state;
SET client_min_messages = warning;
DROP SCHEMA app CASCADE;
RESET client_min_messages;
SELECT * FROM pg_temp.plan();
SELECT pg_temp.apply();
SELECT pg_temp.schema() = :'stepwise' AS fresh_equals_stepwise,
       (SELECT count(*) FROM regexp_split_to_table(:'stepwise', E'\n')) AS schema_lines;
SELECT * FROM pg_temp.plan();

-- nor may the code's schema be created by the migration that needs it
INSERT INTO f VALUES ('types/level.sql', 'CREATE TYPE inv.level AS ENUM (''low'', ''high'');');
INSERT INTO m VALUES ('004_inventory.sql', 'CREATE SCHEMA inv;
CREATE TABLE inv.stock (n integer, lvl inv.level);');
\set VERBOSITY default
SELECT * FROM pg_temp.plan();
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
DELETE FROM f WHERE path = 'types/level.sql';
DELETE FROM m WHERE path = '004_inventory.sql';


-- a cycle: a migration needs a type whose file needs the table the same
-- migration creates
INSERT INTO f VALUES ('types/boxed.sql', 'CREATE TYPE app.boxed AS (inner_row app.crates);');
INSERT INTO m VALUES ('004_crates.sql', 'CREATE TABLE app.crates (id integer);
CREATE TABLE app.shelves (b app.boxed);');
\set VERBOSITY default
SELECT * FROM pg_temp.plan();
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
-- in two migrations it is no cycle: the type goes between them
UPDATE m SET body = 'CREATE TABLE app.crates (id integer);' WHERE path = '004_crates.sql';
INSERT INTO m VALUES ('005_shelves.sql', 'CREATE TABLE app.shelves (b app.boxed);');
SELECT * FROM pg_temp.plan();
SELECT pg_temp.apply();

-- an operator class made by a migration needs the operator and support
-- function of code files
INSERT INTO f VALUES
('operators/rev_lt.sql', 'CREATE FUNCTION app.rev_lt(a integer, b integer) RETURNS boolean
  LANGUAGE sql IMMUTABLE RETURN a > b;
CREATE OPERATOR app.<<< (LEFTARG = integer, RIGHTARG = integer, FUNCTION = app.rev_lt);'),
('functions/rev_cmp.sql', 'CREATE FUNCTION app.rev_cmp(a integer, b integer) RETURNS integer
  LANGUAGE sql IMMUTABLE RETURN CASE WHEN a > b THEN -1 WHEN a < b THEN 1 ELSE 0 END;');
INSERT INTO m VALUES ('006_opclass.sql', 'CREATE OPERATOR FAMILY app.rev_int_ops USING btree;
CREATE OPERATOR CLASS app.rev_int_ops FOR TYPE integer USING btree FAMILY app.rev_int_ops AS
  OPERATOR 1 app.<<<, FUNCTION 1 app.rev_cmp(integer, integer);');
-- so does a migration's GRANT or COMMENT on a code function
INSERT INTO f VALUES ('functions/audit_now.sql', 'CREATE FUNCTION app.audit_now() RETURNS timestamptz
  LANGUAGE sql STABLE RETURN now();');
INSERT INTO m VALUES ('007_grants.sql', 'GRANT EXECUTE ON FUNCTION app.audit_now() TO PUBLIC;
COMMENT ON FUNCTION app.audit_now() IS ''the time of the audit'';');
SELECT * FROM pg_temp.plan();
SELECT pg_temp.apply();
SELECT opcname, amname FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
 WHERE opcname = 'rev_int_ops';
SET client_min_messages = warning;
DROP OPERATOR FAMILY app.rev_int_ops USING btree;
RESET client_min_messages;
SELECT obj_description('app.audit_now()'::regprocedure) AS audit_now_comment;
DELETE FROM f WHERE path IN ('operators/rev_lt.sql', 'functions/rev_cmp.sql');
SELECT pg_temp.apply();

-- clean up
DELETE FROM pgmg.pgmg_migrations;
DELETE FROM pgmg.pgmg_state;
SET client_min_messages = warning;
DROP SCHEMA app CASCADE;
RESET client_min_messages;
