/* sql/pgmg--0.3--0.4.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pgmg UPDATE TO '0.4'" to load this file. \quit

/*
 * 0.4 replaces views in place where their columns allow, recreates only
 * what reads the columns a migration changes, and says why each step runs
 * as fields: plan and apply return a cause column (jsonb) after the
 * statement.  The state tables are unchanged.
 */
DROP VIEW pgmg.plan_view;
DROP FUNCTION pgmg.plan(jsonb, boolean);
DROP FUNCTION pgmg.apply(jsonb, boolean, text);

CREATE FUNCTION pgmg.plan(files jsonb DEFAULT NULL, allow_out_of_order boolean DEFAULT false,
	OUT step integer, OUT action text, OUT object text, OUT file text,
	OUT reason text, OUT statement text, OUT cause jsonb)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmg_plan'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.plan(jsonb, boolean) IS 'the steps pgmg.apply() would run for these files (null: the files loaded by pgmg.load()), each with its reason in prose and as fields (cause); changes nothing';

CREATE FUNCTION pgmg.apply(files jsonb DEFAULT NULL, allow_out_of_order boolean DEFAULT false,
	lock_timeout text DEFAULT NULL,
	OUT step integer, OUT action text, OUT object text, OUT file text,
	OUT reason text, OUT statement text, OUT cause jsonb)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmg_apply'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.apply(jsonb, boolean, text) IS 'run pending migrations and code changes for these files in the current transaction';

CREATE VIEW pgmg.plan_view AS
	SELECT step, action, object, file, reason, statement, cause
	FROM pgmg.plan();

COMMENT ON VIEW pgmg.plan_view IS 'the plan for the files loaded in this session, as pgmg.plan() returns it';

GRANT SELECT ON pgmg.plan_view TO PUBLIC;
