--
-- session: pgmg.load() keeps a file set for the session; pgmg.source and
-- pgmg.plan_view show it; plan, apply and status use it without
-- arguments; CALL pgmg.test() runs its tests in rolled-back savepoints.
--
CREATE SCHEMA sess;
SET search_path = sess, public;
\set VERBOSITY terse

-- nothing loaded yet
SELECT * FROM pgmg.plan();
SELECT count(*) FROM pgmg.source;
CALL pgmg.test();

-- a bad file set is refused by load as by plan, and keeps nothing
SELECT pgmg.load('{"code": {"../x.sql": "SELECT 1"}}');
SELECT pgmg.load('[]');
SELECT count(*) FROM pgmg.source;

CREATE TEMP TABLE files AS SELECT $j${
  "migrations": {"001_items.sql": "CREATE TABLE sess.items (id int PRIMARY KEY, qty int NOT NULL);\n"},
  "code": {
    "views/stock.sql": "CREATE VIEW sess.stock AS SELECT sum(qty) AS total FROM sess.items;\n",
    "views/__test__/test_in_code.sql": "SELECT 1;\n"
  },
  "tests": {
    "__tests__/_setup.sql": "INSERT INTO sess.items VALUES (1, 5);\nINSERT INTO sess.log (msg) VALUES ('root fixture');\n",
    "__tests__/stock/_setup.sql": "INSERT INTO sess.items VALUES (2, 7);\nINSERT INTO sess.log (msg) VALUES ('stock fixture');\n",
    "__tests__/stock/test_total.sql": "-- both fixtures ran, outermost first\nDO $$\nBEGIN\n  IF (SELECT total FROM sess.stock) <> 12 THEN\n    RAISE EXCEPTION 'total %', (SELECT total FROM sess.stock);\n  END IF;\n  IF (SELECT string_agg(msg, ',' ORDER BY n) FROM sess.log) <> 'root fixture,stock fixture' THEN\n    RAISE EXCEPTION 'fixture order %', (SELECT string_agg(msg, ',' ORDER BY n) FROM sess.log);\n  END IF;\nEND $$;\nINSERT INTO sess.items VALUES (3, 100);\n",
    "__tests__/stock/test_writes_invisible.sql": "-- what the test before wrote is gone\nDO $$\nBEGIN\n  IF EXISTS (SELECT FROM sess.items WHERE id = 3) THEN\n    RAISE EXCEPTION 'a previous test leaked its data';\n  END IF;\nEND $$;\n",
    "__tests__/test_root.sql": "DO $$\nBEGIN\n  IF (SELECT count(*) FROM sess.items) <> 1 THEN\n    RAISE EXCEPTION 'the stock fixture ran for a test outside its directory';\n  END IF;\nEND $$;\n"
  }
}$j$::jsonb AS j;
CREATE TABLE sess.log (n serial, msg text);

SELECT pgmg.load(j) FROM files;

-- the files, byte for byte; a __test__ file among the code is a test
SELECT path, "group", name, directory, extension, size, is_test,
       checksum ~ '^[0-9a-f]{64}$' AS sha256
  FROM pgmg.source ORDER BY "group", path;
SELECT count(*) AS same_content
  FROM pgmg.source s, files,
       LATERAL jsonb_each_text(coalesce(j->s."group", '{}') || coalesce(j->'code', '{}')) e
 WHERE e.key = s.path AND e.value = s.content;

-- plan_view is pgmg.plan() of the loaded files, and plan(files) agrees
SELECT step, action, object, file FROM pgmg.plan_view;
SELECT (SELECT array_agg(p::text ORDER BY step) FROM pgmg.plan_view p) =
       (SELECT array_agg(p::text ORDER BY step) FROM pgmg.plan((SELECT j FROM files)) p) AS same_plan;
SELECT kind, name, state FROM pgmg.status() ORDER BY kind, name;

-- a load rolled back is gone; the earlier one stays
BEGIN;
SELECT pgmg.load('{"code": {}}');
SELECT count(*) FROM pgmg.source;
ROLLBACK;
SELECT count(*) FROM pgmg.source;

-- apply and test in one transaction: the tests see the applied objects,
-- each runs after its fixtures and leaves nothing behind
BEGIN;
SELECT step, action, object FROM pgmg.apply();
CALL pgmg.test();
SELECT count(*) AS items_left, (SELECT count(*) FROM sess.log) AS log_left FROM sess.items;
CALL pgmg.test('writes');
CALL pgmg.test('no such test');
ROLLBACK;

-- a failing test is reported with its path and line, the other tests
-- still run, and the call then aborts the transaction counting failures
SELECT pgmg.load(j || '{"tests": {"__tests__/test_fails.sql": "SELECT 1;\n\nSELECT 1 / 0;\n"}}') FROM files;
BEGIN;
SELECT count(*) FROM pgmg.apply();
\set VERBOSITY default
CALL pgmg.test('test_fails');
\set VERBOSITY terse
SELECT 1;
ROLLBACK;
BEGIN;
SELECT count(*) FROM pgmg.apply();
CALL pgmg.test();
ROLLBACK;
-- bail: the first failure aborts it, and the rest are reported as not run
BEGIN;
SELECT count(*) FROM pgmg.apply();
CALL pgmg.test(bail => true);
ROLLBACK;
SELECT count(*) AS objects_after_rollback FROM pgmg.pgmg_state;

-- a test may not end the transaction; a bad pattern is a clear error
SELECT pgmg.load('{"tests": {"t/test_commit.sql": "COMMIT;"}}');
CALL pgmg.test();
CALL pgmg.test('(');

DROP SCHEMA sess CASCADE;
