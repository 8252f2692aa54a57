/* sql/pgmg--0.2.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION pgmg" to load this file. \quit

/*
 * pgmg's functions are called by superusers and deployers alike: the
 * schema they live in must be one that CREATE EXTENSION has just made, or
 * an empty one owned by the installing role (or a superuser) in which no
 * one else may create objects.  A schema someone else prepared could hold
 * functions that capture pgmg's calls.
 */
DO $pgmg$
DECLARE
	nsp pg_catalog.oid;
	owner pg_catalog.oid;
	holds pg_catalog.text;
BEGIN
	SELECT n.oid, n.nspowner INTO nsp, owner
	  FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) 'pgmg';
	IF owner OPERATOR(pg_catalog.<>) (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)
	   AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) owner) THEN
		RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
			MESSAGE = pg_catalog.format('schema "pgmg" already exists and is owned by role %s', pg_catalog.quote_ident(owner::pg_catalog.regrole::pg_catalog.text)),
			DETAIL = 'pgmg installs only into a schema "pgmg" that CREATE EXTENSION creates, or an empty one owned by the installing role or a superuser.',
			HINT = 'Check what the schema holds, then drop it (or ALTER SCHEMA pgmg OWNER TO a trusted role) and create the extension again.';
	END IF;
	SELECT pg_catalog.string_agg(x.what, ', ') INTO holds FROM (
		SELECT 'relation ' OPERATOR(pg_catalog.||) c.relname AS what FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'function ' OPERATOR(pg_catalog.||) p.proname FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'type ' OPERATOR(pg_catalog.||) t.typname FROM pg_catalog.pg_type t WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'operator ' OPERATOR(pg_catalog.||) o.oprname FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'collation ' OPERATOR(pg_catalog.||) l.collname FROM pg_catalog.pg_collation l WHERE l.collnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'conversion ' OPERATOR(pg_catalog.||) v.conname FROM pg_catalog.pg_conversion v WHERE v.connamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'operator family ' OPERATOR(pg_catalog.||) f.opfname FROM pg_catalog.pg_opfamily f WHERE f.opfnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'text search configuration ' OPERATOR(pg_catalog.||) s.cfgname FROM pg_catalog.pg_ts_config s WHERE s.cfgnamespace OPERATOR(pg_catalog.=) nsp
		UNION ALL SELECT 'text search dictionary ' OPERATOR(pg_catalog.||) d.dictname FROM pg_catalog.pg_ts_dict d WHERE d.dictnamespace OPERATOR(pg_catalog.=) nsp
		ORDER BY 1 LIMIT 5) x;
	IF holds IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
			MESSAGE = 'schema "pgmg" already exists and is not empty',
			DETAIL = pg_catalog.format('It holds %s.', holds),
			HINT = 'pgmg installs only into a schema "pgmg" that CREATE EXTENSION creates, or an empty one. Check what the schema holds, then drop it and create the extension again.';
	END IF;
	IF EXISTS (SELECT FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
			   WHERE n.oid OPERATOR(pg_catalog.=) nsp AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
				 AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner) THEN
		RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
			MESSAGE = 'schema "pgmg" already exists and other roles may create objects in it',
			HINT = 'REVOKE CREATE ON SCHEMA pgmg from every role but its owner, then create the extension again.';
	END IF;
END
$pgmg$;

/*
 * State.  Objects are keyed by name, never by OID: object_name is
 * '<kind>.<schema-qualified identity>', and (kind, obj_names, obj_args)
 * is what the engine resolves back to a catalog entry.
 */
CREATE TABLE pgmg.pgmg_migrations (
	name		text NOT NULL,
	applied_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	checksum	text NOT NULL,
	duration_ms	double precision,
	applied_by	text NOT NULL DEFAULT CURRENT_USER,
	baseline	boolean NOT NULL DEFAULT false,
	hash_version smallint NOT NULL DEFAULT 2,	-- how checksum was taken: 1 by pgmg 0.1, 2 keeps blanks inside literals
	state		text NOT NULL DEFAULT 'applied' CHECK (state IN ('applied', 'started')),	-- started: a no-transaction migration begun and not recorded as finished
	project		text NOT NULL DEFAULT 'default',	-- pgmg.project of the run that applied it
	PRIMARY KEY (project, name)
);

CREATE TABLE pgmg.pgmg_state (
	object_name	text PRIMARY KEY,
	object_hash	text NOT NULL,
	last_applied timestamptz NOT NULL DEFAULT pg_catalog.now(),
	file		text NOT NULL,
	kind		text NOT NULL,
	identity	text NOT NULL,
	obj_names	text[] NOT NULL,
	obj_args	text[] NOT NULL DEFAULT '{}',
	fingerprint	text NOT NULL,
	catalog_version text,	-- xmin:block:offset of the catalog rows fingerprinted; equal means unchanged
	decorations	text NOT NULL DEFAULT '',	-- what the file set itself: a(cl), c(omment), k (column comments), o(wner)
	hash_version smallint NOT NULL DEFAULT 2,	-- how object_hash was taken, as in pgmg_migrations
	project		text NOT NULL DEFAULT 'default'	-- the project managing the object: one per object
);

CREATE INDEX pgmg_state_file_idx ON pgmg.pgmg_state (file);

COMMENT ON TABLE pgmg.pgmg_migrations IS 'table migrations applied by pgmg, one row each';
COMMENT ON TABLE pgmg.pgmg_state IS 'code objects managed by pgmg, one row per object';

-- pg_dump keeps the contents of both tables
SELECT pg_catalog.pg_extension_config_dump('pgmg.pgmg_migrations', '');
SELECT pg_catalog.pg_extension_config_dump('pgmg.pgmg_state', '');

-- anyone may read what pgmg manages; only granted roles may change it
GRANT USAGE ON SCHEMA pgmg TO PUBLIC;
REVOKE ALL ON pgmg.pgmg_migrations, pgmg.pgmg_state FROM PUBLIC;
GRANT SELECT ON pgmg.pgmg_migrations, pgmg.pgmg_state TO PUBLIC;

CREATE FUNCTION pgmg.version()
RETURNS text
AS 'MODULE_PATHNAME', 'pgmg_version'
LANGUAGE C STRICT STABLE PARALLEL SAFE;

COMMENT ON FUNCTION pgmg.version() IS 'version of the loaded pgmg library';

CREATE FUNCTION pgmg.plan(files jsonb DEFAULT NULL, allow_out_of_order boolean DEFAULT false,
	OUT step integer, OUT action text, OUT object text, OUT file text,
	OUT reason text, OUT statement text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmg_plan'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.plan(jsonb, boolean) IS 'the steps pgmg.apply() would run for these files (null: the files loaded by pgmg.load()); changes nothing';

CREATE FUNCTION pgmg.apply(files jsonb DEFAULT NULL, allow_out_of_order boolean DEFAULT false,
	lock_timeout text DEFAULT NULL,
	OUT step integer, OUT action text, OUT object text, OUT file text,
	OUT reason text, OUT statement text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmg_apply'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.apply(jsonb, boolean, text) IS 'run pending migrations and code changes for these files in the current transaction';

CREATE FUNCTION pgmg.baseline(files jsonb, upto text)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'pgmg_baseline'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION pgmg.baseline(jsonb, text) IS 'record the migrations up to and including upto as applied, without running them';

CREATE FUNCTION pgmg.record_migration(name text, content text,
	duration_ms double precision DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'pgmg_record_migration_sql'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.record_migration(text, text, double precision) IS 'record a migration the client ran outside a transaction (-- pgmg:no-transaction)';

CREATE FUNCTION pgmg.start_migration(name text, content text)
RETURNS void
AS 'MODULE_PATHNAME', 'pgmg_start_migration_sql'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.start_migration(text, text) IS 'record that the client is about to run a migration outside a transaction (-- pgmg:no-transaction); committed before it runs, so a client that dies half way leaves a trace';

CREATE FUNCTION pgmg.repair(name text, resolution text)
RETURNS text
AS 'MODULE_PATHNAME', 'pgmg_repair_sql'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.repair(text, text) IS 'resolve a migration that was started outside a transaction and never recorded as finished: resolution ''applied'' marks it applied, ''forget'' forgets the attempt so that it runs again';

CREATE FUNCTION pgmg.status(files jsonb DEFAULT NULL,
	OUT kind text, OUT name text, OUT file text, OUT state text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmg_status_sql'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.status(jsonb) IS 'each migration and managed object with its state compared with these files';

/*
 * The session API: a file set loaded once (kept in pg_temp.pgmg_loaded),
 * queried with SQL, planned and applied without passing it again, and its
 * tests run in savepoints.
 */
CREATE FUNCTION pgmg.load(files jsonb)
RETURNS integer
AS 'MODULE_PATHNAME', 'pgmg_load'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION pgmg.load(jsonb) IS 'keep this file set for the session: pgmg.source, pgmg.plan(), pgmg.apply(), pgmg.status() and pgmg.test() use it; returns the number of files';

CREATE FUNCTION pgmg.source_files(
	OUT path text, OUT "group" text, OUT name text, OUT directory text,
	OUT extension text, OUT content text, OUT size bigint, OUT checksum text,
	OUT is_test boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmg_source'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION pgmg.source_files() IS 'the files loaded by pgmg.load(), one row each';

CREATE VIEW pgmg.source AS
	SELECT path, "group", name, directory, extension, content, size, checksum, is_test
	FROM pgmg.source_files();

COMMENT ON VIEW pgmg.source IS 'the files loaded in this session by pgmg.load(): group is migrations, code or tests; checksum is the SHA-256 pgmg records';

CREATE VIEW pgmg.plan_view AS
	SELECT step, action, object, file, reason, statement
	FROM pgmg.plan();

COMMENT ON VIEW pgmg.plan_view IS 'the plan for the files loaded in this session, as pgmg.plan() returns it';

CREATE PROCEDURE pgmg.test(pattern text DEFAULT NULL)
AS 'MODULE_PATHNAME', 'pgmg_test'
LANGUAGE C;

COMMENT ON PROCEDURE pgmg.test(text) IS 'run the loaded tests whose path matches pattern (a regular expression; all when null), each in a savepoint rolled back afterwards, after its _setup.sql fixtures';

GRANT SELECT ON pgmg.source, pgmg.plan_view TO PUBLIC;
