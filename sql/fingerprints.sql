--
-- fingerprints: a state row's fingerprint is taken from the object's
-- canonical definition ("d1:..."); one recorded by pgmg 0.2 (catalog rows
-- as stored) is still compared the old way, is not drift when it matches,
-- and is taken again the new way by the next apply.
--
CREATE SCHEMA fp;
CREATE TABLE fp.items (id int PRIMARY KEY, price numeric NOT NULL);
CREATE TEMP TABLE f (path text PRIMARY KEY, body text NOT NULL);
INSERT INTO f VALUES
('cheap.sql', 'CREATE VIEW fp.cheap AS SELECT id FROM fp.items WHERE price < 10;'),
('dear.sql', 'CREATE VIEW fp.dear AS SELECT id FROM fp.items WHERE price > 100;');
CREATE FUNCTION pg_temp.files() RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('code', jsonb_object_agg(path, body)) FROM pg_temp.f $$;
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT object_name, fingerprint LIKE 'd1:%' AS canonical FROM pgmg.pgmg_state ORDER BY 1;

-- rows as 0.2 wrote them: a SHA-256 of the kind and the stored rule
UPDATE pgmg.pgmg_state s
   SET fingerprint = encode(sha256(convert_to(E'view\n' || r.ev_action::text, 'UTF8')), 'hex'),
       catalog_version = NULL
  FROM pg_rewrite r
 WHERE r.ev_class = ('fp.' || split_part(s.object_name, '.', 3))::regclass
   AND r.rulename = '_RETURN';
-- and one of them no longer matching: drift, found the old way too
UPDATE pgmg.pgmg_state SET fingerprint = repeat('0', 64) WHERE object_name = 'view.fp.dear';
SELECT step, action, object, reason FROM pgmg.plan(pg_temp.files());
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
RESET client_min_messages;
SELECT object_name, fingerprint LIKE 'd1:%' AS canonical, catalog_version IS NOT NULL AS versioned
  FROM pgmg.pgmg_state ORDER BY 1;
SELECT count(*) AS steps FROM pgmg.plan(pg_temp.files());

-- the same definition made again by hand (new OIDs, new rows) is not drift
DROP VIEW fp.cheap;
CREATE VIEW fp.cheap AS SELECT id FROM fp.items WHERE price < 10;
SELECT count(*) AS steps FROM pgmg.plan(pg_temp.files());
-- a different one is
CREATE OR REPLACE VIEW fp.cheap AS SELECT id FROM fp.items WHERE price < 20;
SELECT step, action, object, reason FROM pgmg.plan(pg_temp.files());

-- clean up through pgmg
SET client_min_messages = warning;
SELECT count(*) FROM pgmg.apply(pg_temp.files());
DELETE FROM f;
SELECT count(*) FROM pgmg.apply('{"code": {}}');
RESET client_min_messages;
DROP TABLE fp.items;
DROP SCHEMA fp;
