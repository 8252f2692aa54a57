--
-- adopt: an existing database built without pgmg is adopted without
-- disruption.  A view or materialized view already as its file defines it
-- is kept (nothing runs but the file's decorations; a materialized view
-- keeps its data); a function is replaced in place; only what differs is
-- recreated, and objects of other files adopted in the same apply count as
-- managed when they must be recreated with it.
--
CREATE SCHEMA ad;
CREATE TYPE ad.money_pair AS (amount numeric(12,2), currency varchar(3) COLLATE "C");
CREATE DOMAIN ad.region_code AS varchar(12) COLLATE "C" NOT NULL DEFAULT 'north'
  CONSTRAINT region_code_check CHECK (VALUE ~ '^[a-z]+$');
CREATE DOMAIN ad.positive AS numeric CHECK (VALUE > 0);
CREATE TABLE ad.sales (id int PRIMARY KEY, region text NOT NULL, amount numeric NOT NULL,
  price ad.money_pair, code ad.region_code, qty ad.positive);
INSERT INTO ad.sales VALUES (1, 'north', 10), (2, 'south', 20), (3, 'north', 5);
-- what a team made with plain psql
CREATE VIEW ad.by_region AS SELECT region, sum(amount) AS total FROM ad.sales GROUP BY region;
CREATE VIEW ad.top_region AS SELECT region FROM ad.by_region ORDER BY total DESC LIMIT 1;
CREATE VIEW ad.north (id, amt) WITH (security_barrier = true) AS
  SELECT id, amount FROM ad.sales WHERE region = 'north' WITH LOCAL CHECK OPTION;
CREATE FUNCTION ad.region_total(r text) RETURNS numeric LANGUAGE sql STABLE
BEGIN ATOMIC SELECT total FROM ad.by_region WHERE region = r; END;
CREATE MATERIALIZED VIEW ad.snapshot AS SELECT region, total FROM ad.by_region;
CREATE UNIQUE INDEX snapshot_region ON ad.snapshot (region);
COMMENT ON VIEW ad.by_region IS 'totals per region';
-- rows the materialized view has not seen: recreating it would show them
INSERT INTO ad.sales VALUES (4, 'east', 99);

CREATE TEMP TABLE f (path text PRIMARY KEY, body text NOT NULL);
INSERT INTO f VALUES
('types/region_code.sql', 'CREATE DOMAIN ad.region_code AS varchar(12)
  COLLATE "C" NOT NULL DEFAULT ''north''
  CONSTRAINT region_code_check CHECK (VALUE ~ ''^[a-z]+$'');'),
('types/positive.sql', 'CREATE DOMAIN ad.positive AS numeric CHECK (VALUE > 0);'),
('types/money_pair.sql', 'CREATE TYPE ad.money_pair AS (
  amount numeric(12, 2),
  currency varchar(3) COLLATE "C"
);'),
('views/by_region.sql', '-- totals, as built by hand
CREATE VIEW ad.by_region AS
  SELECT region, sum(amount) AS total
    FROM ad.sales
   GROUP BY region;
COMMENT ON VIEW ad.by_region IS ''totals per region'';'),
('views/top_region.sql', 'CREATE VIEW ad.top_region AS SELECT region FROM ad.by_region ORDER BY total DESC LIMIT 1;'),
('views/north.sql', 'CREATE VIEW ad.north (id, amt) WITH (security_barrier = true) AS
  SELECT id, amount FROM ad.sales WHERE region = ''north'' WITH LOCAL CHECK OPTION;'),
('functions/region_total.sql', 'CREATE FUNCTION ad.region_total(r text) RETURNS numeric LANGUAGE sql STABLE
BEGIN ATOMIC SELECT total FROM ad.by_region WHERE region = r; END;'),
('views/snapshot.sql', 'CREATE MATERIALIZED VIEW ad.snapshot AS SELECT region, total FROM ad.by_region;
CREATE UNIQUE INDEX snapshot_region ON ad.snapshot (region);');
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('code', jsonb_object_agg(path, body)) FROM pg_temp.f $$;
CREATE FUNCTION pg_temp.plan() RETURNS TABLE (step int, action text, object text, reason text)
LANGUAGE sql AS $$ SELECT step, action, object, reason FROM pgmg.plan(pg_temp.files()) $$;
CREATE TEMP TABLE oids AS SELECT relname, oid FROM pg_class WHERE relnamespace = 'ad'::regnamespace;

-- the first apply: every view kept, the composite type and the domains a
-- table uses too (an unnamed CHECK is the one CREATE DOMAIN names
-- positive_check), the function replaced in place
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT count(*) AS same_objects FROM pg_class c JOIN oids USING (relname) WHERE c.oid = oids.oid;
SELECT region, total FROM ad.snapshot ORDER BY region;
SELECT obj_description('ad.by_region'::regclass) AS comment;
SELECT object_name FROM pgmg.pgmg_state ORDER BY 1;
SELECT count(*) AS steps FROM pg_temp.plan();

-- a file that now differs: only its view is recreated, with what needs it
UPDATE f SET body = 'CREATE VIEW ad.top_region AS SELECT region, total FROM ad.by_region ORDER BY total DESC LIMIT 1;'
 WHERE path = 'views/top_region.sql';
SELECT * FROM pg_temp.plan();
-- a change of layout alone is no change
UPDATE f SET body = 'CREATE VIEW ad.top_region AS SELECT region FROM ad.by_region ORDER BY total DESC LIMIT 1;'
 WHERE path = 'views/top_region.sql';
UPDATE f SET body = 'CREATE VIEW ad.north (id, amt) WITH (security_barrier = true) AS SELECT id, amount FROM ad.sales
 WHERE region = ''north'' WITH LOCAL CHECK OPTION;' WHERE path = 'views/north.sql';
SELECT * FROM pg_temp.plan();
-- but different options are
UPDATE f SET body = 'CREATE VIEW ad.north (id, amt) AS SELECT id, amount FROM ad.sales
 WHERE region = ''north'' WITH LOCAL CHECK OPTION;' WHERE path = 'views/north.sql';
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;

-- adoption of a view that differs, whose dependent function another file
-- of the same apply adopts: both recreated, not refused
DELETE FROM pgmg.pgmg_state;
CREATE OR REPLACE VIEW ad.by_region AS SELECT region, sum(amount) AS total FROM ad.sales WHERE amount > 0 GROUP BY region;
SELECT * FROM pg_temp.plan();
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT ad.region_total('north') AS north_total;
SELECT count(*) AS steps FROM pg_temp.plan();

-- a domain whose CHECK differs is not kept either
UPDATE f SET body = 'CREATE DOMAIN ad.positive AS numeric CHECK (VALUE >= 0);' WHERE path = 'types/positive.sql';
\set VERBOSITY terse
SELECT * FROM pg_temp.plan();
\set VERBOSITY default
UPDATE f SET body = 'CREATE DOMAIN ad.positive AS numeric CHECK (VALUE > 0);' WHERE path = 'types/positive.sql';

-- a composite type that differs is not kept: a table column uses it, so it
-- cannot be recreated either
UPDATE f SET body = 'CREATE TYPE ad.money_pair AS (amount numeric(12, 2), currency varchar(4) COLLATE "C");'
 WHERE path = 'types/money_pair.sql';
\set VERBOSITY terse
SELECT * FROM pg_temp.plan();
\set VERBOSITY default

-- clean up (pgmg would refuse to drop the type a table column uses)
DELETE FROM pgmg.pgmg_state;
SET client_min_messages = warning;
DROP SCHEMA ad CASCADE;
RESET client_min_messages;
