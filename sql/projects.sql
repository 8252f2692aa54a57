--
-- projects: two projects in one database (pgmg.project) each manage only
-- their own objects and migrations; an object belongs to one project.
--
CREATE SCHEMA billing;
CREATE SCHEMA reports;
CREATE TABLE billing.invoices (id int, amount int);
SET client_min_messages = warning;
SELECT pgmg.version() IS NOT NULL AS loaded;
SHOW pgmg.project;

-- project billing: a view and a migration
SET pgmg.project = 'billing';
SELECT step, action, object FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object('001_init.sql', 'ALTER TABLE billing.invoices ADD COLUMN paid boolean;'),
  'code', jsonb_build_object('open.sql', 'CREATE VIEW billing.open_invoices AS SELECT id, amount FROM billing.invoices WHERE NOT paid;')));

-- project reports: its own migration of the same name runs too, and its
-- code set, which does not hold billing's file, drops nothing of billing's
SET pgmg.project = 'reports';
SELECT step, action, object FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object('001_init.sql', 'CREATE TABLE reports.runs (id int);'),
  'code', jsonb_build_object('totals.sql', 'CREATE VIEW reports.totals AS SELECT sum(amount) AS total FROM billing.invoices;')));
SELECT project, name FROM pgmg.pgmg_migrations ORDER BY project, name;
SELECT project, object_name FROM pgmg.pgmg_state ORDER BY project, object_name;
-- reports deleting all its files drops only its own view
SELECT step, action, object FROM pgmg.plan('{"code": {}}');
SELECT kind, name, state FROM pgmg.status(jsonb_build_object(
  'migrations', jsonb_build_object('001_init.sql', 'CREATE TABLE reports.runs (id int);'),
  'code', jsonb_build_object('totals.sql', 'CREATE VIEW reports.totals AS SELECT sum(amount) AS total FROM billing.invoices;')));

-- a file of reports that defines billing's view is an error naming billing
SELECT count(*) FROM pgmg.plan(jsonb_build_object(
  'code', jsonb_build_object('totals.sql', 'CREATE VIEW reports.totals AS SELECT sum(amount) AS total FROM billing.invoices;',
                             'stolen.sql', 'CREATE VIEW billing.open_invoices AS SELECT id FROM billing.invoices;')));

-- a billing migration that alters the table recreates billing's view and
-- preserves reports' view (to billing, an object it does not manage);
-- reports then finds its view as its file makes it (the same query; total
-- is numeric now, as the file would make it too): nothing to do, and its
-- record is taken again, so the next plan need not compare definitions
SET pgmg.project = 'billing';
SELECT step, action, object FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object('001_init.sql', 'ALTER TABLE billing.invoices ADD COLUMN paid boolean;',
                                   '002_amount.sql', 'ALTER TABLE billing.invoices ALTER COLUMN amount TYPE bigint;'),
  'code', jsonb_build_object('open.sql', 'CREATE VIEW billing.open_invoices AS SELECT id, amount FROM billing.invoices WHERE NOT paid;')));
SET pgmg.project = 'reports';
SELECT step, action, object, reason FROM pgmg.apply(jsonb_build_object(
  'migrations', jsonb_build_object('001_init.sql', 'CREATE TABLE reports.runs (id int);'),
  'code', jsonb_build_object('totals.sql', 'CREATE VIEW reports.totals AS SELECT sum(amount) AS total FROM billing.invoices;')));
SELECT pg_typeof(total) FROM reports.totals;
SELECT catalog_version LIKE '%;' || (SELECT concat(xmin, ':') FROM pg_rewrite
  WHERE ev_class = 'reports.totals'::regclass) || '%' AS record_taken_again
  FROM pgmg.pgmg_state WHERE object_name = 'view.reports.totals';

-- a state row of another project naming an object that does not exist
-- yet (a row written by hand, or by a concurrent apply of that project):
-- the plan cannot see the conflict, the record does, and the apply fails
-- naming the object and the file, with 1,500 objects recorded before it
-- in the same apply (more than one batch of state rows)
SET pgmg.project = 'billing';
INSERT INTO pgmg.pgmg_state (object_name, object_hash, file, kind, identity, obj_names, fingerprint, project)
VALUES ('view.reports.zz_last', 'x', 'theirs.sql', 'view', 'reports.zz_last', '{reports,zz_last}', 'x', 'billing');
SET pgmg.project = 'reports';
SELECT count(*) FROM pgmg.apply((SELECT jsonb_build_object('code',
  jsonb_object_agg(format('many/%s.sql', g), format('CREATE VIEW reports.many_%s AS SELECT %s AS n;', g, g))
  || jsonb_build_object('zz.sql', 'CREATE VIEW reports.zz_last AS SELECT 1 AS n;', 'totals.sql', 'CREATE VIEW reports.totals AS SELECT sum(amount) AS total FROM billing.invoices;'))
  FROM generate_series(1, 1500) g));
SELECT count(*) FROM pg_class WHERE relname LIKE 'many\_%';
DELETE FROM pgmg.pgmg_state WHERE project = 'billing' AND file = 'theirs.sql';
-- without it, the same apply records every object, in two batches
SELECT count(*) FROM pgmg.apply((SELECT jsonb_build_object('code',
  jsonb_object_agg(format('many/%s.sql', g), format('CREATE VIEW reports.many_%s AS SELECT %s AS n;', g, g))
  || jsonb_build_object('zz.sql', 'CREATE VIEW reports.zz_last AS SELECT 1 AS n;', 'totals.sql', 'CREATE VIEW reports.totals AS SELECT sum(amount) AS total FROM billing.invoices;'))
  FROM generate_series(1, 1500) g));
SELECT count(*), count(DISTINCT file), bool_and(definition IS NOT NULL), bool_and(obj_names[1] = 'reports')
  FROM pgmg.pgmg_state WHERE project = 'reports';
SELECT obj_names, obj_args, kind, catalog_version IS NOT NULL AS versioned
  FROM pgmg.pgmg_state WHERE object_name = 'view.reports.many_1500';
SELECT count(*) AS steps FROM pgmg.plan((SELECT jsonb_build_object('code',
  jsonb_object_agg(format('many/%s.sql', g), format('CREATE VIEW reports.many_%s AS SELECT %s AS n;', g, g))
  || jsonb_build_object('zz.sql', 'CREATE VIEW reports.zz_last AS SELECT 1 AS n;', 'totals.sql', 'CREATE VIEW reports.totals AS SELECT sum(amount) AS total FROM billing.invoices;'))
  FROM generate_series(1, 1500) g));

-- a project name is a non-empty line
SET pgmg.project = '';

-- leave the database as it was
RESET pgmg.project;
SELECT count(*) FROM pgmg.apply('{"code": {}}');
SET pgmg.project = 'reports';
SELECT count(*) FROM pgmg.apply('{"code": {}}');
SET pgmg.project = 'billing';
SELECT count(*) FROM pgmg.apply('{"code": {}}');
RESET pgmg.project;
DROP SCHEMA billing CASCADE;
DROP SCHEMA reports CASCADE;
DELETE FROM pgmg.pgmg_state;
DELETE FROM pgmg.pgmg_migrations;
RESET client_min_messages;
