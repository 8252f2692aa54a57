--
-- code_objects: pgmg.plan / pgmg.apply for the "code" group.
--
-- Files live in a temp table; pg_temp.files() turns it into the jsonb file
-- set and pg_temp.snapshot() fingerprints the schema and pgmg's state, so
-- that every error path can prove it changed nothing.
--
CREATE SCHEMA app;
SET search_path = app, public;
CREATE TABLE app.users (id serial PRIMARY KEY, name text NOT NULL,
                        active boolean NOT NULL DEFAULT true, email text);
CREATE TABLE app.orders (id serial PRIMARY KEY, user_id integer REFERENCES app.users,
                         amount numeric(10,2) NOT NULL);
INSERT INTO app.users (name, email) VALUES ('ann', 'ann@x'), ('bob', NULL);
INSERT INTO app.orders (user_id, amount) VALUES (1, 10), (1, 5.5);

CREATE TEMP TABLE f (path text PRIMARY KEY, body text NOT NULL);
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('code', coalesce(jsonb_object_agg(path, body), '{}'))
    FROM pg_temp.f $$;
CREATE FUNCTION pg_temp.snapshot() RETURNS text LANGUAGE sql AS $$
  SELECT md5(concat(
    (SELECT string_agg(c.relname || ':' || c.relkind::text || ':' ||
              coalesce(pg_get_viewdef(c.oid), '') || ':' || coalesce(c.relacl::text, ''),
              ',' ORDER BY c.relname)
       FROM pg_class c WHERE c.relnamespace = 'app'::regnamespace),
    (SELECT string_agg(pg_get_functiondef(p.oid), ',' ORDER BY p.oid::regprocedure::text)
       FROM pg_proc p WHERE p.pronamespace = 'app'::regnamespace AND p.prokind <> 'a'),
    (SELECT string_agg(t.typname, ',' ORDER BY t.typname)
       FROM pg_type t WHERE t.typnamespace = 'app'::regnamespace),
    (SELECT string_agg(s.object_name || s.object_hash || s.fingerprint, ',' ORDER BY s.object_name)
       FROM pgmg.pgmg_state s))) $$;
CREATE FUNCTION pg_temp.plan() RETURNS TABLE (step int, action text, object text, reason text)
LANGUAGE sql AS $$ SELECT step, action, object, reason FROM pgmg.plan(pg_temp.files()) $$;
CREATE FUNCTION pg_temp.apply() RETURNS TABLE (step int, action text, object text)
LANGUAGE sql AS $$ SELECT step, action, object FROM pgmg.apply(pg_temp.files()) $$;

-- the seed's code files, in folders whose names say nothing of their order
INSERT INTO f VALUES
('views/user_stats.sql', $f$CREATE VIEW user_stats AS
SELECT users.id, users.name, COUNT(orders.id) AS order_count
FROM users LEFT JOIN orders ON users.id = orders.user_id
GROUP BY users.id, users.name;
$f$),
('views/active_users.sql', $f$CREATE VIEW active_users AS
SELECT id, name, email FROM users WHERE active;
$f$),
('functions/get_user_summary.sql', $f$-- summary of one user
CREATE FUNCTION get_user_summary(p_user_id integer)
RETURNS TABLE (name text, order_count bigint, status user_status)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT s.name, s.order_count,
           CASE WHEN s.order_count > 0 THEN 'active'::user_status ELSE 'inactive'::user_status END
    FROM user_stats s WHERE s.id = p_user_id;
END;
$f$),
('types/user_status.sql', $f$CREATE TYPE user_status AS ENUM ('active', 'inactive');
$f$);

-- create everything from empty: types and views before the function
SELECT * FROM pg_temp.plan();
SELECT * FROM pg_temp.apply();
SELECT * FROM app.get_user_summary(1);
SELECT * FROM pg_temp.plan();
SELECT object_name, file, kind FROM pgmg.pgmg_state ORDER BY object_name;

-- edit one view: only it and its dependent function are recreated
UPDATE f SET body = replace(body, 'COUNT(orders.id) AS order_count',
                            'COUNT(orders.id) AS order_count, SUM(orders.amount) AS total')
 WHERE path = 'views/user_stats.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT * FROM pg_temp.apply();
RESET client_min_messages;
SELECT * FROM app.user_stats ORDER BY id;
SELECT * FROM pg_temp.plan();

-- add a function: only it is created
INSERT INTO f VALUES ('functions/calculate_total.sql', $f$
CREATE FUNCTION calculate_total(p_user_id integer) RETURNS numeric
LANGUAGE sql STABLE AS $$ SELECT COALESCE(SUM(amount), 0) FROM orders WHERE user_id = p_user_id $$;
$f$);
SELECT * FROM pg_temp.plan();
SELECT * FROM pg_temp.apply();
SELECT app.calculate_total(1);

-- delete a file: its object is dropped, and the plan is empty afterwards
DELETE FROM f WHERE path = 'views/active_users.sql';
SELECT * FROM pg_temp.plan();
SELECT * FROM pg_temp.apply();
SELECT to_regclass('app.active_users') IS NULL AS dropped;
SELECT * FROM pg_temp.plan();

-- grants and comments on a view survive its recreation
CREATE ROLE pgmg_reader;
GRANT SELECT ON app.user_stats TO pgmg_reader;
COMMENT ON VIEW app.user_stats IS 'orders per user';
COMMENT ON COLUMN app.user_stats.name IS 'the user name';
UPDATE f SET body = replace(body, 'SUM(orders.amount) AS total', 'SUM(orders.amount) AS total_amount')
 WHERE path = 'views/user_stats.sql';
SET client_min_messages = warning;
SELECT * FROM pg_temp.apply();
RESET client_min_messages;
SELECT has_table_privilege('pgmg_reader', 'app.user_stats', 'SELECT') AS reader_can_select,
       obj_description('app.user_stats'::regclass) AS comment,
       col_description('app.user_stats'::regclass, 2) AS column_comment;
SELECT * FROM pg_temp.plan();

-- a view column renamed: CREATE OR REPLACE is impossible, the closure is
-- dropped and recreated
UPDATE f SET body = replace(body, 'users.name,', 'users.name AS user_name,')
 WHERE path = 'views/user_stats.sql';
UPDATE f SET body = replace(body, 'SELECT s.name,', 'SELECT s.user_name,')
 WHERE path = 'functions/get_user_summary.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT * FROM pg_temp.apply();
RESET client_min_messages;
SELECT * FROM app.get_user_summary(1);

-- drift: a managed view replaced by hand is recreated; a dropped one too
CREATE OR REPLACE VIEW app.user_stats AS
SELECT users.id, users.name AS user_name, 0::bigint AS order_count,
       0::numeric AS total_amount FROM app.users;
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT * FROM pg_temp.apply();
RESET client_min_messages;
SELECT order_count FROM app.user_stats WHERE id = 1;
DROP FUNCTION app.calculate_total(integer);
SELECT * FROM pg_temp.plan();
SELECT * FROM pg_temp.apply();
SELECT * FROM pg_temp.plan();

-- an unmanaged view on a managed view that must be recreated is preserved:
-- dropped before, restored exactly afterwards, and still unmanaged
CREATE VIEW app.report AS SELECT count(*) AS n FROM app.user_stats;
GRANT SELECT ON app.report TO pgmg_reader;
COMMENT ON VIEW app.report IS 'made by hand';
UPDATE f SET body = replace(body, 'GROUP BY', 'WHERE users.id > 0 GROUP BY')
 WHERE path = 'views/user_stats.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT * FROM pg_temp.apply();
RESET client_min_messages;
SELECT n, has_table_privilege('pgmg_reader', 'app.report', 'SELECT') AS granted,
       obj_description('app.report'::regclass) AS comment FROM app.report;
SELECT count(*) AS report_managed FROM pgmg.pgmg_state WHERE object_name LIKE '%report%';
SELECT * FROM pg_temp.plan();

-- an unmanaged column default using a managed function that must be
-- dropped cannot be recreated: refused by name, nothing changed
ALTER TABLE app.orders ADD COLUMN fee numeric DEFAULT app.calculate_total(0);
UPDATE f SET body = replace(body, 'RETURNS numeric', 'RETURNS bigint')
 WHERE path = 'functions/calculate_total.sql';
SELECT pg_temp.snapshot() AS snap \gset
SELECT * FROM pg_temp.plan();
SELECT * FROM pg_temp.apply();
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.snapshot() = :'snap' AS unchanged;
ALTER TABLE app.orders DROP COLUMN fee;
UPDATE f SET body = replace(body, 'RETURNS bigint', 'RETURNS numeric')
 WHERE path = 'functions/calculate_total.sql';
SELECT count(*) AS steps FROM pg_temp.plan();

-- a function replaced in place keeps its OID, so its trigger stays
INSERT INTO f VALUES
('triggers/users_audit.sql', $f$CREATE TRIGGER users_audit BEFORE UPDATE ON users
FOR EACH ROW EXECUTE FUNCTION touch_user();
$f$),
('functions/touch_user.sql', $f$CREATE FUNCTION touch_user() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN NEW.name := lower(NEW.name); RETURN NEW; END $$;
$f$);
SELECT * FROM pg_temp.plan();
SELECT * FROM pg_temp.apply();
SELECT t.oid AS trigger_oid FROM pg_trigger t WHERE t.tgname = 'users_audit' \gset
UPDATE f SET body = replace(body, 'lower(NEW.name)', 'upper(NEW.name)')
 WHERE path = 'functions/touch_user.sql';
SELECT * FROM pg_temp.plan();
SELECT * FROM pg_temp.apply();
SELECT oid = :trigger_oid AS same_trigger FROM pg_trigger WHERE tgname = 'users_audit';
UPDATE app.users SET name = 'Ann' WHERE id = 1;
SELECT name FROM app.users WHERE id = 1;

-- a function's return type changes while a view uses it: drop + recreate
INSERT INTO f VALUES
('functions/order_weight.sql', $f$CREATE FUNCTION order_weight(a numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE RETURN a * 2;
$f$),
('views/weighted.sql', $f$CREATE VIEW weighted AS SELECT id, order_weight(amount) AS w FROM orders;
$f$);
SET client_min_messages = warning;
SELECT count(*) FROM pg_temp.apply();
RESET client_min_messages;
UPDATE f SET body = replace(replace(body, 'RETURNS numeric', 'RETURNS bigint'), 'a * 2', '(a * 2)::bigint')
 WHERE path = 'functions/order_weight.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pg_temp.apply();
RESET client_min_messages;
SELECT pg_typeof(w) FROM app.weighted LIMIT 1;

-- enum values appended at the end are added in place
UPDATE f SET body = replace(body, '''inactive''', '''inactive'', ''banned''')
 WHERE path = 'types/user_status.sql';
SELECT step, action, object, statement FROM pgmg.plan(pg_temp.files());
SELECT * FROM pg_temp.apply();
SELECT enum_range(NULL::app.user_status);

-- a type a table column uses cannot be dropped and recreated
ALTER TABLE app.users ADD COLUMN status app.user_status;
UPDATE f SET body = replace(body, '''inactive'', ', '')
 WHERE path = 'types/user_status.sql';
SELECT * FROM pg_temp.plan();
\echo :LAST_ERROR_SQLSTATE
UPDATE f SET body = 'CREATE TYPE user_status AS ENUM (''active'', ''inactive'', ''banned'');'
 WHERE path = 'types/user_status.sql';
ALTER TABLE app.users DROP COLUMN status;

-- an existing unmanaged object defined by a new file is adopted
CREATE FUNCTION app.legacy() RETURNS int LANGUAGE sql RETURN 1;
INSERT INTO f VALUES ('functions/legacy.sql', 'CREATE FUNCTION legacy() RETURNS int LANGUAGE sql RETURN 2;');
SELECT * FROM pg_temp.plan();
SELECT * FROM pg_temp.apply();
SELECT app.legacy();
SELECT * FROM pg_temp.plan();

-- plan is read-only; apply is refused in a read-only transaction
BEGIN READ ONLY;
SELECT count(*) FROM pgmg.plan(pg_temp.files());
SELECT count(*) FROM pgmg.apply(pg_temp.files());
ROLLBACK;

-- drift is first checked from the versions of the catalog rows recorded
-- with the fingerprint: untouched objects are not fingerprinted again; a
-- change of owner writes new row versions but the same fingerprint, so it
-- is not drift; a change of definition is
DELETE FROM pgmg.pgmg_state;
CREATE TEMP TABLE dr AS SELECT '{"code": {"dr.sql": "CREATE VIEW app.dr AS SELECT 1 AS one;", "drf.sql": "CREATE FUNCTION app.drf() RETURNS int LANGUAGE sql RETURN 1;", "drt.sql": "CREATE TYPE app.drt AS ENUM (''a'');"}}'::jsonb AS j;
SELECT count(*) FROM pgmg.apply((SELECT j FROM dr));
SELECT object_name, catalog_version ~ '^[0-9]+;([0-9]+:[0-9]+:[0-9]+;)+$' AS versioned
  FROM pgmg.pgmg_state ORDER BY object_name;
SELECT kind, name, state FROM pgmg.status((SELECT j FROM dr)) ORDER BY name;
ALTER VIEW app.dr OWNER TO pgmg_reader;
ALTER FUNCTION app.drf() OWNER TO pgmg_reader;
SELECT kind, name, state FROM pgmg.status((SELECT j FROM dr)) ORDER BY name;
CREATE OR REPLACE VIEW app.dr AS SELECT 2 AS one;
CREATE OR REPLACE FUNCTION app.drf() RETURNS int LANGUAGE sql RETURN 2;
ALTER TYPE app.drt ADD VALUE 'b';
SELECT kind, name, state FROM pgmg.status((SELECT j FROM dr)) ORDER BY name;

SET client_min_messages = warning;
DROP SCHEMA app CASCADE;
RESET client_min_messages;
DROP ROLE pgmg_reader;
DELETE FROM pgmg.pgmg_state;
