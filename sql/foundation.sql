--
-- foundation: the extension installs its schema, state tables and C entry
-- point, keeps PUBLIC out of its state, and drops cleanly.
--
SELECT pgmg.version() = e.extversion AS library_matches_extension
  FROM pg_catalog.pg_extension e WHERE e.extname = 'pgmg';

-- the objects the extension owns
SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) AS member
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_extension e ON d.refobjid = e.oid
 WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
   AND e.extname = 'pgmg' AND d.deptype = 'e'
 ORDER BY 1;

-- state tables are dumped with their data by pg_dump
SELECT pg_catalog.unnest(extconfig)::pg_catalog.regclass AS dumped_table
  FROM pg_catalog.pg_extension WHERE extname = 'pgmg' ORDER BY 1;

SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull
  FROM pg_catalog.pg_attribute a
 WHERE a.attrelid = 'pgmg.pgmg_state'::pg_catalog.regclass AND a.attnum > 0
 ORDER BY a.attnum;

-- PUBLIC may read the state but not write it
CREATE ROLE pgmg_foundation_nobody;
SET ROLE pgmg_foundation_nobody;
SELECT count(*) FROM pgmg.pgmg_state;
INSERT INTO pgmg.pgmg_migrations (name, checksum) VALUES ('x.sql', 'x');
DELETE FROM pgmg.pgmg_state;
UPDATE pgmg.pgmg_migrations SET checksum = 'y';
RESET ROLE;
DROP ROLE pgmg_foundation_nobody;

-- DROP EXTENSION removes everything; the schema CREATE EXTENSION made for
-- it is left empty (an extension cannot own its own schema), so a plain
-- DROP SCHEMA, without CASCADE, removes it
DROP EXTENSION pgmg;
SELECT count(*) AS leftover_objects FROM pg_catalog.pg_class
 WHERE relnamespace = 'pgmg'::pg_catalog.regnamespace;
DROP SCHEMA pgmg;
SELECT count(*) AS leftover_functions FROM pg_catalog.pg_proc WHERE proname = 'version' AND pronamespace <> 'pg_catalog'::pg_catalog.regnamespace;
CREATE EXTENSION pgmg;
SELECT pgmg.version() IS NOT NULL AS reloaded;
