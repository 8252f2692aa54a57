/* sql/pgmg--0.1--0.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pgmg UPDATE TO '0.2'" to load this file. \quit

/*
 * 0.2 keeps trailing blanks inside string literals, quoted identifiers and
 * dollar-quoted bodies when it takes a file's checksum (they are part of a
 * value).  Checksums recorded by 0.1 were taken without them: they are
 * marked hash_version 1 and compared the way 0.1 took them, so nothing
 * recorded before the update looks changed.
 */
ALTER TABLE pgmg.pgmg_migrations ADD COLUMN hash_version smallint NOT NULL DEFAULT 1;
ALTER TABLE pgmg.pgmg_migrations ALTER COLUMN hash_version SET DEFAULT 2;
ALTER TABLE pgmg.pgmg_state ADD COLUMN hash_version smallint NOT NULL DEFAULT 1;
ALTER TABLE pgmg.pgmg_state ALTER COLUMN hash_version SET DEFAULT 2;

/*
 * A migration that runs outside a transaction is recorded as started
 * before it runs, so that a client dying half way leaves a trace the next
 * apply reports; pgmg.repair() resolves it.
 */
ALTER TABLE pgmg.pgmg_migrations ADD COLUMN state text NOT NULL DEFAULT 'applied'
	CHECK (state IN ('applied', 'started'));

/*
 * Projects: several projects may share a database, each managing only its
 * own objects and migrations (the setting pgmg.project).  What 0.1
 * recorded belongs to the project 'default'.
 */
ALTER TABLE pgmg.pgmg_migrations ADD COLUMN project text NOT NULL DEFAULT 'default';
ALTER TABLE pgmg.pgmg_migrations DROP CONSTRAINT pgmg_migrations_pkey;
ALTER TABLE pgmg.pgmg_migrations ADD PRIMARY KEY (project, name);
ALTER TABLE pgmg.pgmg_state ADD COLUMN project text NOT NULL DEFAULT 'default';

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
