--
-- migrations: the "migrations" group run once, in order, wrapped: what they
-- alter is dropped before them and recreated after, in one transaction.
--
CREATE SCHEMA seed;
SET search_path = seed, public;
CREATE TEMP TABLE f (grp text, path text, body text NOT NULL, PRIMARY KEY (grp, path));
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object(
    'code', coalesce((SELECT jsonb_object_agg(path, body) FROM pg_temp.f WHERE grp = 'code'), '{}'),
    'migrations', coalesce((SELECT jsonb_object_agg(path, body) FROM pg_temp.f WHERE grp = 'migrations'), '{}')) $$;
CREATE FUNCTION pg_temp.plan() RETURNS TABLE (step int, action text, object text, reason text)
LANGUAGE sql AS $$ SELECT step, action, object, reason FROM pgmg.plan(pg_temp.files()) $$;

-- the seed scenario: three migrations and the code, from empty, in one go
INSERT INTO f VALUES
('migrations', '001_initial_tables.sql', $f$CREATE TABLE users (
    id serial PRIMARY KEY, name text NOT NULL, active boolean NOT NULL DEFAULT true);
INSERT INTO users (name) VALUES ('ann'), ('bob');
$f$),
('migrations', '002_add_user_email.sql', 'ALTER TABLE users ADD COLUMN email text;'),
('migrations', '003_add_orders_table.sql', $f$CREATE TABLE orders (
    id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id), amount numeric(10,2) NOT NULL);
INSERT INTO orders (user_id, amount) VALUES (1, 10), (1, 20), (2, 5);
$f$),
('code', 'views/user_stats.sql', $f$CREATE VIEW user_stats AS
SELECT users.id, users.name, COUNT(orders.id) AS order_count
FROM users LEFT JOIN orders ON users.id = orders.user_id
GROUP BY users.id, users.name;
$f$),
('code', 'views/active_users.sql', 'CREATE VIEW active_users AS SELECT id, name, email FROM users WHERE active;'),
('code', 'functions/get_user_summary.sql', $f$CREATE FUNCTION get_user_summary(p_user_id integer)
RETURNS TABLE (name text, order_count bigint) LANGUAGE sql STABLE
BEGIN ATOMIC SELECT s.name, s.order_count FROM user_stats s WHERE s.id = p_user_id; END;
$f$),
('code', 'functions/calculate_total.sql', $f$CREATE FUNCTION calculate_total(p_user_id integer) RETURNS numeric
LANGUAGE sql STABLE AS $$ SELECT COALESCE(SUM(amount), 0) FROM orders WHERE user_id = p_user_id $$;
$f$);
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT name, checksum IS NOT NULL AS has_checksum, duration_ms IS NOT NULL AS timed, baseline
  FROM pgmg.pgmg_migrations ORDER BY name;
SELECT * FROM seed.get_user_summary(1);
SELECT * FROM pg_temp.plan();

-- 004 adds products, with a new view on them
INSERT INTO f VALUES
('migrations', '004_add_products_table.sql', $f$CREATE TABLE products (
    id serial PRIMARY KEY, name text NOT NULL, price decimal(10,2));
INSERT INTO products (name, price) VALUES ('pen', 2.50), ('ink', 7.50);
$f$),
('code', 'views/product_summary.sql', $f$CREATE VIEW product_summary AS
SELECT COUNT(*) AS total_products, AVG(price) AS avg_price FROM products;
$f$);
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT * FROM seed.product_summary;

-- 005 alters users under user_stats, whose file changes too: user_stats and
-- everything on it is dropped before the migration and recreated after
INSERT INTO f VALUES ('migrations', '005_add_user_score.sql',
  'ALTER TABLE users ADD COLUMN score INTEGER DEFAULT 0;');
UPDATE f SET body = $f$CREATE VIEW user_stats AS
SELECT users.id, users.name, users.score, COUNT(orders.id) AS order_count
FROM users LEFT JOIN orders ON users.id = orders.user_id
GROUP BY users.id, users.name, users.score;
$f$ WHERE path = 'views/user_stats.sql';
SELECT step, action, object, reason FROM pgmg.plan(pg_temp.files());
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT * FROM seed.user_stats ORDER BY id;
SELECT * FROM seed.get_user_summary(1);
SELECT count(*) AS orders_survive FROM seed.orders;
SELECT * FROM pg_temp.plan();

-- a column type change under a three-deep chain of views, which plain
-- PostgreSQL refuses ("cannot alter type of a column used by a view or rule")
INSERT INTO f VALUES
('code', 'views/chain1.sql', 'CREATE VIEW chain1 AS SELECT id, name FROM users;'),
('code', 'views/chain2.sql', 'CREATE VIEW chain2 AS SELECT id, upper(name) AS name FROM chain1;'),
('code', 'views/chain3.sql', 'CREATE VIEW chain3 AS SELECT count(*) AS n, max(name) AS top FROM chain2;');
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
BEGIN;
ALTER TABLE seed.users ALTER COLUMN name TYPE varchar(100);
ROLLBACK;
INSERT INTO f VALUES ('migrations', '006_widen_name.sql',
  'ALTER TABLE users ALTER COLUMN name TYPE varchar(100);');
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT * FROM seed.chain3;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'seed.users'::regclass AND attname = 'name';

-- an unmanaged view on the altered table is preserved with its grants,
-- comment and security_invoker option
CREATE ROLE pgmg_mig_reader;
CREATE VIEW seed.report WITH (security_invoker = true) AS SELECT id, name FROM seed.users;
GRANT SELECT ON seed.report TO pgmg_mig_reader;
COMMENT ON VIEW seed.report IS 'made by hand';
INSERT INTO f VALUES ('migrations', '007_widen_again.sql',
  'ALTER TABLE users ALTER COLUMN name TYPE varchar(200);');
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT c.reloptions, obj_description(c.oid) AS comment,
       has_table_privilege('pgmg_mig_reader', c.oid, 'SELECT') AS granted
  FROM pg_class c WHERE c.oid = 'seed.report'::regclass;
SELECT count(*) FROM seed.report;
DROP VIEW seed.report;

-- renaming a column under a view whose file follows the rename
INSERT INTO f VALUES ('migrations', '008_rename_active.sql',
  'ALTER TABLE users RENAME COLUMN active TO enabled;');
UPDATE f SET body = 'CREATE VIEW active_users AS SELECT id, name, email FROM users WHERE enabled;'
 WHERE path = 'views/active_users.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT count(*) FROM seed.active_users;

-- dropping a column a view used, with the view changed to match
INSERT INTO f VALUES ('migrations', '009_drop_email.sql', 'ALTER TABLE users DROP COLUMN email;');
UPDATE f SET body = 'CREATE VIEW active_users AS SELECT id, name FROM users WHERE enabled;'
 WHERE path = 'views/active_users.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;

-- a DO block's targets cannot be known: every managed object on a table
-- is wrapped
INSERT INTO f VALUES ('migrations', '010_do.sql',
  $f$DO $$ BEGIN EXECUTE 'UPDATE seed.users SET score = 1'; END $$;$f$);
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;

-- a migration that fails half way changes nothing: objects, data, state
CREATE FUNCTION pg_temp.snapshot() RETURNS text LANGUAGE sql AS $$
  SELECT md5(concat(
    (SELECT string_agg(c.relname || ':' || coalesce(pg_get_viewdef(c.oid), '') || ':' ||
              (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum)
                 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
              ';' ORDER BY c.relname)
       FROM pg_class c WHERE c.relnamespace = 'seed'::regnamespace),
    (SELECT string_agg(pg_get_functiondef(p.oid), ',' ORDER BY p.oid::regprocedure::text)
       FROM pg_proc p WHERE p.pronamespace = 'seed'::regnamespace),
    (SELECT string_agg(s.object_name || s.object_hash || s.fingerprint, ',' ORDER BY s.object_name)
       FROM pgmg.pgmg_state s),
    (SELECT string_agg(m.name || m.checksum, ',' ORDER BY m.name) FROM pgmg.pgmg_migrations m),
    (SELECT string_agg(u.id || u.name, ',' ORDER BY u.id) FROM seed.users u))) $$;
SELECT pg_temp.snapshot() AS snap \gset
INSERT INTO f VALUES ('migrations', '011_half_way.sql', $f$ALTER TABLE users ALTER COLUMN name TYPE text;
UPDATE users SET name = 'changed';
INSERT INTO users (id, name) VALUES (1, 'duplicate');
$f$);
SELECT count(*) FROM pgmg.apply(pg_temp.files());
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.snapshot() = :'snap' AS unchanged;
SELECT * FROM pg_temp.plan();
DELETE FROM f WHERE path = '011_half_way.sql';

-- an applied migration whose file changed is an error naming both checksums
UPDATE f SET body = body || E'\n-- edited' WHERE path = '002_add_user_email.sql';
SELECT * FROM pg_temp.plan();
UPDATE f SET body = replace(body, E'\n-- edited', '') WHERE path = '002_add_user_email.sql';
-- line endings, a BOM and trailing whitespace are not changes
UPDATE f SET body = E'\uFEFF' || replace(body, E'\n', E'  \r\n') || E'\n\n' WHERE path = '003_add_orders_table.sql';
SELECT count(*) AS steps FROM pg_temp.plan();

-- an applied migration whose file is gone is a warning
CREATE TEMP TABLE gone AS SELECT * FROM f WHERE path = '001_initial_tables.sql';
DELETE FROM f WHERE path = '001_initial_tables.sql';
SELECT count(*) AS steps FROM pg_temp.plan();
INSERT INTO f SELECT * FROM gone;

-- a new migration sorting before the newest applied one is refused unless
-- out-of-order is allowed; names sort numerically (9 < 10 < 012)
INSERT INTO f VALUES ('migrations', '002b_late.sql', 'CREATE TABLE late (id int);'),
                     ('migrations', '012_after.sql', 'CREATE TABLE after_all (id int);');
SELECT * FROM pg_temp.plan();
SELECT step, action, object FROM pgmg.plan(pg_temp.files(), allow_out_of_order => true);
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files(), allow_out_of_order => true);
RESET client_min_messages;
SELECT name FROM pgmg.pgmg_migrations ORDER BY applied_at DESC, name LIMIT 2;

-- statements that cannot run in a transaction need the marker; transaction
-- control is refused
INSERT INTO f VALUES ('migrations', '013_index.sql', 'CREATE INDEX CONCURRENTLY users_name_idx ON users (name);');
SELECT * FROM pg_temp.plan();
UPDATE f SET body = E'-- pgmg:no-transaction\nCREATE INDEX CONCURRENTLY users_name_idx ON users (name);'
 WHERE path = '013_index.sql';
SELECT step, action, object FROM pg_temp.plan();
INSERT INTO f VALUES ('migrations', '014_commit.sql', E'CREATE TABLE x (id int);\nCOMMIT;');
SELECT * FROM pgmg.plan(pg_temp.files() #- '{migrations,013_index.sql}');
DELETE FROM f WHERE path IN ('013_index.sql', '014_commit.sql');

-- baseline: a database that predates pgmg marks migrations as applied
CREATE TABLE seed.legacy (id int);
SELECT * FROM pgmg.baseline('{"migrations": {"015_legacy.sql": "CREATE TABLE legacy (id int);", "016_next.sql": "CREATE TABLE next_one (id int);"}}', '015_legacy.sql');
SELECT name, baseline FROM pgmg.pgmg_migrations WHERE name LIKE '015%';
SELECT * FROM pgmg.baseline('{"migrations": {}}', 'nope.sql');

-- a lock timeout applies to the apply
SELECT count(*) FROM pgmg.apply(pg_temp.files(), lock_timeout => '1s');

SET client_min_messages = warning;
DROP SCHEMA seed CASCADE;
RESET client_min_messages;
DROP ROLE pgmg_mig_reader;
DELETE FROM pgmg.pgmg_state;
DELETE FROM pgmg.pgmg_migrations;
