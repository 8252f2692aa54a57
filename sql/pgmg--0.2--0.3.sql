/* sql/pgmg--0.2--0.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pgmg UPDATE TO '0.3'" to load this file. \quit

/*
 * 0.3 takes an object's fingerprint from its canonical definition (the
 * server's own deparse of it, without OIDs), so that a restored or
 * upgraded copy of the database matches what was recorded, and keeps that
 * definition, so that drift can say what changed.  Rows recorded before
 * have none until an apply records them again; their fingerprints are
 * still compared the way they were taken.
 */
ALTER TABLE pgmg.pgmg_state ADD COLUMN definition text;

/* status says what changed, where it can */
DROP FUNCTION pgmg.status(jsonb);
CREATE FUNCTION pgmg.status(files jsonb DEFAULT NULL,
	OUT kind text, OUT name text, OUT file text, OUT state text, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmg_status_sql'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.status(jsonb) IS 'each migration and managed object with its state compared with these files, and for drift what changed';

/* a project written from the database: one code file per object */
CREATE FUNCTION pgmg.import(schemas text[] DEFAULT NULL, OUT path text, OUT content text,
	OUT objects text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmg_import_sql'
LANGUAGE C CALLED ON NULL INPUT STABLE;

COMMENT ON FUNCTION pgmg.import(text[]) IS 'the code files of a project written from this database (NULL: every schema of its own): views, materialized views, functions, procedures, enum and composite types, domains, triggers, policies and rules, with owner, privileges and comments';
