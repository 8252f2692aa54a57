-- test/pgtap/foundation.sql - the extension's objects and privileges.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgmg;
SELECT plan(11);

SELECT has_schema('pgmg');
SELECT has_table('pgmg', 'pgmg_migrations', 'migrations table exists');
SELECT has_table('pgmg', 'pgmg_state', 'state table exists');
SELECT col_is_pk('pgmg', 'pgmg_migrations', ARRAY['project', 'name'], 'migrations keyed by project and name');
SELECT col_is_pk('pgmg', 'pgmg_state', 'object_name', 'state keyed by object_name');
SELECT col_type_is('pgmg', 'pgmg_state', 'last_applied', 'timestamp with time zone', 'last_applied is timestamptz');
SELECT has_function('pgmg', 'version', 'pgmg.version() exists');
SELECT is(pgmg.version(), (SELECT extversion FROM pg_extension WHERE extname = 'pgmg'), 'library version matches the extension');
SELECT is(has_table_privilege('public', 'pgmg.pgmg_state', 'INSERT'), false, 'PUBLIC cannot insert into pgmg_state');
SELECT is(has_table_privilege('public', 'pgmg.pgmg_migrations', 'UPDATE'), false, 'PUBLIC cannot update pgmg_migrations');
SELECT is(
	(SELECT prosecdef FROM pg_proc WHERE oid = 'pgmg.version()'::regprocedure),
	false, 'functions are SECURITY INVOKER');

SELECT * FROM finish();
ROLLBACK;
