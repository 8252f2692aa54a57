/* sql/pgmg--0.5--0.6.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pgmg UPDATE TO '0.6'" to load this file. \quit

/*
 * 0.6 draws the project: pgmg.graph() returns the managed objects, the
 * tables they read, the objects the plan drops and the pending migrations,
 * each with what the plan does to it, what it needs to exist first (the
 * edges the engine orders code files by) and what its function bodies
 * name (late_references).  The tables are unchanged.
 */
CREATE FUNCTION pgmg.graph(files jsonb DEFAULT NULL, allow_out_of_order boolean DEFAULT false,
	OUT object text, OUT file text, OUT action text, OUT depends_on text[],
	OUT late_references text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmg_graph_sql'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

COMMENT ON FUNCTION pgmg.graph(jsonb, boolean) IS 'the managed objects of these files, the objects the plan drops and the pending migrations: what the plan does to each (drop, create, recreate, replace, keep, restore, migrate, pause, alter, or null), the objects each needs first, and those its function bodies name, resolved only when they run (late_references); changes nothing';
