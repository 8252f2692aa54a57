--
-- dump_forms: code files split from pg_dump -s keep pg_dump's ALTER TABLE
-- decorations of the views and triggers they define; ALTER TABLE on a real
-- table stays an error.
--
CREATE SCHEMA dump;
CREATE ROLE pgmg_dump_owner;
GRANT CREATE, USAGE ON SCHEMA dump TO pgmg_dump_owner;
CREATE TABLE dump.accounts (id int PRIMARY KEY, balance numeric NOT NULL DEFAULT 0);
INSERT INTO dump.accounts VALUES (1, 10), (2, 20);
CREATE TABLE dump.audit (account_id int, at timestamptz DEFAULT now());

CREATE TEMP TABLE f (path text PRIMARY KEY, body text NOT NULL);
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('code', coalesce(jsonb_object_agg(path, body), '{}'))
    FROM pg_temp.f $$;
CREATE FUNCTION pg_temp.plan() RETURNS TABLE (step int, action text, object text, reason text)
LANGUAGE sql AS $$ SELECT step, action, object, reason FROM pgmg.plan(pg_temp.files()) $$;

-- what pg_dump writes for a view, its owner, a column default and options,
-- and for a trigger that is disabled
INSERT INTO f VALUES
('views/rich.sql', $f$--
-- Name: rich; Type: VIEW; Schema: dump; Owner: pgmg_dump_owner
--

CREATE VIEW dump.rich AS
 SELECT accounts.id,
    accounts.balance
   FROM dump.accounts
  WHERE (accounts.balance > (15)::numeric);


ALTER TABLE dump.rich OWNER TO pgmg_dump_owner;

ALTER TABLE ONLY dump.rich ALTER COLUMN balance SET DEFAULT 100;

ALTER TABLE dump.rich SET (security_barrier='true');
$f$),
('functions/log_change.sql', $f$CREATE FUNCTION dump.log_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO dump.audit (account_id) VALUES (NEW.id); RETURN NEW; END $$;
$f$),
('triggers/accounts_audit.sql', $f$CREATE TRIGGER accounts_audit AFTER INSERT ON dump.accounts FOR EACH ROW EXECUTE FUNCTION dump.log_change();

ALTER TABLE dump.accounts DISABLE TRIGGER accounts_audit;
$f$);
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT relname, pg_get_userbyid(relowner) AS owner, reloptions
  FROM pg_class WHERE relname = 'rich';
SELECT pg_get_expr(adbin, adrelid) AS rich_balance_default
  FROM pg_attrdef WHERE adrelid = 'dump.rich'::regclass;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'dump.accounts'::regclass AND NOT tgisinternal;
-- the disabled trigger does not fire, and nothing has drifted
INSERT INTO dump.accounts VALUES (3, 30);
SELECT count(*) AS audited FROM dump.audit;
SELECT * FROM pg_temp.plan();

-- the trigger replaced in place stays as its file says: disabled
UPDATE f SET body = replace(body, 'AFTER INSERT', 'AFTER INSERT OR UPDATE')
 WHERE path = 'triggers/accounts_audit.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'dump.accounts'::regclass AND NOT tgisinternal;

-- ENABLE ALWAYS is kept when the view and trigger are recreated by a migration
UPDATE f SET body = replace(body, 'DISABLE TRIGGER', 'ENABLE ALWAYS TRIGGER')
 WHERE path = 'triggers/accounts_audit.sql';
SELECT count(*) FROM pgmg.apply(jsonb_build_object(
  'code', pg_temp.files()->'code',
  'migrations', jsonb_build_object('001_retype.sql',
    'ALTER TABLE dump.accounts RENAME TO accounts_old; ALTER TABLE dump.accounts_old RENAME TO accounts;')));
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'dump.accounts'::regclass AND NOT tgisinternal;
SELECT pg_get_userbyid(relowner) AS rich_owner FROM pg_class WHERE relname = 'rich';
SELECT * FROM pg_temp.plan();

-- still refused: ALTER TABLE on a table, on a view the file does not
-- define, and for a trigger the file does not define
INSERT INTO f VALUES ('bad.sql', $f$CREATE VIEW dump.poor AS SELECT id FROM dump.accounts;
ALTER TABLE dump.accounts ADD COLUMN note text;
$f$);
SELECT * FROM pg_temp.plan();
UPDATE f SET body = $f$CREATE VIEW dump.poor AS SELECT id FROM dump.accounts;
ALTER TABLE dump.rich OWNER TO pgmg_dump_owner;
$f$ WHERE path = 'bad.sql';
SELECT * FROM pg_temp.plan();
UPDATE f SET body = $f$CREATE VIEW dump.poor AS SELECT id FROM dump.accounts;
ALTER TABLE dump.accounts DISABLE TRIGGER some_other_trigger;
$f$ WHERE path = 'bad.sql';
SELECT * FROM pg_temp.plan();
UPDATE f SET body = $f$ALTER TABLE dump.poor OWNER TO pgmg_dump_owner;
CREATE VIEW dump.poor AS SELECT id FROM dump.accounts;
$f$ WHERE path = 'bad.sql';
SELECT * FROM pg_temp.plan();
DELETE FROM f WHERE path = 'bad.sql';

-- a migration split from pg_dump keeps its header lines; what they set ends
-- with the migration
SHOW search_path;
SELECT count(*) FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object('001_retype.sql',
    'ALTER TABLE dump.accounts RENAME TO accounts_old; ALTER TABLE dump.accounts_old RENAME TO accounts;',
    '002_from_dump.sql', $m$--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
SET default_tablespace = '';
SET default_table_access_method = heap;

CREATE TABLE dump.ledger (
    id integer NOT NULL,
    note text
);
$m$)));
SHOW search_path;
SHOW check_function_bodies;
SELECT count(*) AS ledger_rows FROM dump.ledger;
DELETE FROM pgmg.pgmg_migrations WHERE name = '002_from_dump.sql';

-- clean up through pgmg
DELETE FROM f;
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
DELETE FROM pgmg.pgmg_migrations WHERE name = '001_retype.sql';
DROP SCHEMA dump CASCADE;
RESET client_min_messages;
DROP ROLE pgmg_dump_owner;
