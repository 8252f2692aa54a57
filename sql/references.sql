--
-- references: plan reports, all at once and before anything runs, every
-- code file whose references will not exist -- a deleted file's view, a
-- table a migration renames or drops, a name nothing defines -- and stays
-- quiet where migrations create what is referenced.
--
CREATE SCHEMA rf;
CREATE TABLE rf.accounts (id int PRIMARY KEY, owner text NOT NULL);
CREATE TABLE rf.payments (id int PRIMARY KEY, account int NOT NULL, amount numeric NOT NULL);
INSERT INTO rf.accounts VALUES (1, 'ann'), (2, 'bob');
INSERT INTO rf.payments VALUES (1, 1, 50), (2, 1, 70), (3, 2, 5);

CREATE TEMP TABLE f (path text PRIMARY KEY, body text NOT NULL);
CREATE TEMP TABLE m (path text PRIMARY KEY, body text NOT NULL);
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object(
    'code', (SELECT coalesce(jsonb_object_agg(path, body), '{}') FROM pg_temp.f),
    'migrations', (SELECT coalesce(jsonb_object_agg(path, body), '{}') FROM pg_temp.m)) $$;
CREATE FUNCTION pg_temp.plan() RETURNS TABLE (step int, action text, object text)
LANGUAGE sql AS $$ SELECT step, action, object FROM pgmg.plan(pg_temp.files()) $$;
CREATE FUNCTION pg_temp.apply() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  SET LOCAL client_min_messages = warning;
  SELECT count(*) INTO n FROM pgmg.apply(pg_temp.files());
  RETURN n;
END $$;

INSERT INTO f VALUES
('views/user_totals.sql', 'CREATE VIEW rf.user_totals AS
  SELECT a.owner, sum(p.amount) AS total
    FROM rf.accounts a JOIN rf.payments p ON p.account = a.id GROUP BY a.owner;'),
('views/big_spenders.sql', '-- owners above 100
CREATE VIEW rf.big_spenders AS
  SELECT owner FROM rf.user_totals WHERE total > 100;'),
('views/owners.sql', 'CREATE VIEW rf.owners AS SELECT owner FROM rf.accounts;'),
('functions/owner_of.sql', 'CREATE FUNCTION rf.owner_of(p integer) RETURNS text LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT a.owner FROM rf.accounts a JOIN rf.payments y ON y.account = a.id WHERE y.id = p;
END;');
SELECT pg_temp.apply();

-- deleting a file whose view another file still selects from is caught by
-- plan, naming the file and line that still needs it
DELETE FROM f WHERE path = 'views/user_totals.sql';
\set VERBOSITY default
SELECT * FROM pg_temp.plan();
\echo :LAST_ERROR_SQLSTATE
INSERT INTO f VALUES ('views/user_totals.sql', 'CREATE VIEW rf.user_totals AS
  SELECT a.owner, sum(p.amount) AS total
    FROM rf.accounts a JOIN rf.payments p ON p.account = a.id GROUP BY a.owner;');

-- a migration renames a table three files read: all three are reported at
-- once, and a name nothing defines is reported with them
INSERT INTO m VALUES ('001_rename.sql', 'ALTER TABLE rf.accounts RENAME TO customers;');
UPDATE f SET body = 'CREATE VIEW rf.owners AS SELECT owner FROM rf.accounts, rf.no_such_table;'
 WHERE path = 'views/owners.sql';
SELECT * FROM pg_temp.plan();
\echo :LAST_ERROR_SQLSTATE
-- and nothing changed
SELECT count(*) AS accounts_still_there FROM rf.accounts;
-- the escape hatch: with the check off, the server judges at apply
SET pgmg.check_references = off;
SELECT count(*) AS steps FROM pgmg.plan(pg_temp.files());
RESET pgmg.check_references;

-- the migration that renames the table and creates a compatibility view in
-- the same change is fine; so is a new table created by a migration
UPDATE m SET body = 'ALTER TABLE rf.accounts RENAME TO customers;
CREATE VIEW rf.accounts AS SELECT id, owner FROM rf.customers;
CREATE TABLE rf.refunds (id int PRIMARY KEY, payment int NOT NULL);'
 WHERE path = '001_rename.sql';
UPDATE f SET body = 'CREATE VIEW rf.owners AS SELECT owner FROM rf.accounts a JOIN rf.refunds r ON r.id = a.id;'
 WHERE path = 'views/owners.sql';
SELECT pg_temp.apply();
SELECT * FROM rf.big_spenders;

-- a migration whose effects cannot be read (DO) turns the check off: the
-- server is the judge then
INSERT INTO m VALUES ('002_do.sql', 'DO $$ BEGIN EXECUTE ''CREATE TABLE rf.made_in_do (x int)''; END $$;');
INSERT INTO f VALUES ('views/from_do.sql', 'CREATE VIEW rf.from_do AS SELECT x FROM rf.made_in_do;');
SELECT pg_temp.apply();
SELECT count(*) AS from_do FROM rf.from_do;

-- f(x) may be column f of x in functional notation: not a missing function
INSERT INTO f VALUES ('views/owner_names.sql', 'CREATE VIEW rf.owner_names AS SELECT owner(c) AS o FROM rf.customers c;');
SELECT pg_temp.apply();
SELECT o FROM rf.owner_names ORDER BY o;

-- a function dropped by a migration while a view calls it
INSERT INTO f VALUES ('views/owner_one.sql', 'CREATE VIEW rf.owner_one AS SELECT rf.helper(1) AS o;'),
('functions/helper.sql', 'CREATE FUNCTION rf.helper(i integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN i;');
SELECT pg_temp.apply();
DELETE FROM f WHERE path = 'functions/helper.sql';
SELECT * FROM pg_temp.plan();
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse

-- clean up through pgmg
DELETE FROM f;
SELECT pg_temp.apply();
SELECT count(*) AS left_in_state FROM pgmg.pgmg_state;
DROP TABLE rf.made_in_do, rf.refunds, rf.payments;
DROP VIEW rf.accounts;
DROP TABLE rf.customers;
DROP SCHEMA rf;
DELETE FROM pgmg.pgmg_migrations;
