/* sql/pgmg--0.4--0.5.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pgmg UPDATE TO '0.5'" to load this file. \quit

/*
 * 0.5 says what a plan will cost before it runs (pgmg.hazards), whether it
 * would succeed (pgmg.check: every failing step in one run), and keeps a
 * history of applies: every pgmg.apply() that commits writes a row, and a
 * failed one is recorded after its rollback by pgmg.record_failure(); both
 * send NOTIFY pgmg with a JSON payload.  The other tables are unchanged.
 */
CREATE FUNCTION pgmg.hazards(files jsonb DEFAULT NULL, allow_out_of_order boolean DEFAULT false,
	OUT code text, OUT severity text, OUT object text, OUT file text, OUT line integer,
	OUT rows bigint, OUT bytes bigint, OUT message text, OUT safer text, OUT allowed boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmg_hazards_sql'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.hazards(jsonb, boolean) IS 'what the plan of these files would cost the database: rewrites, long locks, index builds, validations, data loss, recomputed materialized views, with row and size estimates and the safer pattern; changes nothing';

CREATE FUNCTION pgmg.check(files jsonb DEFAULT NULL, allow_out_of_order boolean DEFAULT false,
	OUT step integer, OUT object text, OUT file text, OUT line integer, OUT "column" integer,
	OUT sqlstate text, OUT message text, OUT detail text, OUT hint text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmg_check_sql'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.check(jsonb, boolean) IS 'run the apply of these files, each step in a subtransaction, roll all of it back, and return every step that failed (none: the apply would succeed); takes the locks apply takes';

CREATE TABLE pgmg.pgmg_history (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project		text NOT NULL,
	started_at	timestamptz NOT NULL,
	finished_at	timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	duration_ms	double precision,
	outcome		text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'repaired')),
	steps		integer NOT NULL DEFAULT 0,	-- steps committed (failed: the steps planned)
	migrations	text[] NOT NULL DEFAULT '{}',	-- the migrations it ran (or would have)
	role		text NOT NULL DEFAULT CURRENT_USER,
	login_role	text NOT NULL DEFAULT SESSION_USER,
	client_addr	inet DEFAULT pg_catalog.inet_client_addr(),	-- NULL: a Unix socket
	client_host	text,		-- the host the client ran on (pgmg.client_host)
	application_name text DEFAULT pg_catalog.current_setting('application_name'),
	library_version text NOT NULL,	-- of pgmg's library
	client_version text,		-- of the client (pgmg.client_version)
	files_hash	text,		-- SHA-256 of the file set's paths and checksums
	vcs_commit	text,		-- pgmg.vcs_commit, as the client passed it
	sqlstate	text,
	error		text,		-- failed: the message; repaired: what was repaired
	detail		text		-- failed: the detail; repaired: the reason given
);

CREATE INDEX pgmg_history_project_idx ON pgmg.pgmg_history (project, id);

COMMENT ON TABLE pgmg.pgmg_history IS 'every pgmg.apply() that committed, every failed one recorded by pgmg.record_failure(), and every repair';

SELECT pg_catalog.pg_extension_config_dump('pgmg.pgmg_history', '');
-- and its sequence, or a restored copy would hand out ids it has already
SELECT pg_catalog.pg_extension_config_dump('pgmg.pgmg_history_id_seq', '');
REVOKE ALL ON pgmg.pgmg_history FROM PUBLIC;
GRANT SELECT ON pgmg.pgmg_history TO PUBLIC;

CREATE FUNCTION pgmg.record_failure(sqlstate text, message text, detail text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pgmg_record_failure_sql'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.record_failure(text, text, text) IS 'after a failed pgmg.apply() was rolled back, record it in pgmg.pgmg_history (with what the session remembers of the attempt) and send NOTIFY pgmg; returns the history id';

/* every test runs; bail stops at the first failure */
DROP PROCEDURE pgmg.test(text);
CREATE PROCEDURE pgmg.test(pattern text DEFAULT NULL, bail boolean DEFAULT false)
AS 'MODULE_PATHNAME', 'pgmg_test'
LANGUAGE C;

COMMENT ON PROCEDURE pgmg.test(text, boolean) IS 'run the loaded tests whose path matches pattern (a regular expression; all when null), each in a savepoint rolled back afterwards, after its _setup.sql fixtures; every test runs (bail: up to the first failure), and a failure ends the call with an error';

/* repair takes a reason, written to the history */
DROP FUNCTION pgmg.repair(text, text);
CREATE FUNCTION pgmg.repair(name text, resolution text, reason text DEFAULT NULL,
	files jsonb DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'pgmg_repair_sql'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.repair(text, text, text, jsonb) IS 'resolve a migration''s record: ''applied'' marks a started no-transaction migration applied, ''forget'' forgets it (or a migration whose file is deleted) so that it runs again, ''accept'' records the checksum of its file in files as the applied one; the reason is written to pgmg.pgmg_history';

/*
 * Roles that could record applies before may record them in the history
 * too: an apply writes its row there, and would otherwise fail for want of
 * a privilege the upgrade added the need for.
 */
DO $$
DECLARE
	grantee_name text;
BEGIN
	FOR grantee_name IN
		SELECT DISTINCT r.rolname
		FROM pg_catalog.pg_class c,
			 pg_catalog.aclexplode(c.relacl) a,
			 pg_catalog.pg_roles r
		WHERE c.oid OPERATOR(pg_catalog.=) 'pgmg.pgmg_state'::pg_catalog.regclass
		  AND a.privilege_type OPERATOR(pg_catalog.=) 'INSERT'
		  AND r.oid OPERATOR(pg_catalog.=) a.grantee
		  AND a.grantee OPERATOR(pg_catalog.<>) c.relowner
	LOOP
		EXECUTE pg_catalog.format('GRANT INSERT ON pgmg.pgmg_history TO %I', grantee_name);
	END LOOP;
END
$$;
