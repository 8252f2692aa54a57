-- deploy.sql: what `pgmg deploy` runs, in one psql session, once the
-- project's files are loaded (SELECT * FROM pgmg.source shows them).
-- You decide what runs and when it commits.
BEGIN;

-- pending migrations and code changes, in dependency order
SELECT step, action, object FROM pgmg.apply();

-- the gate: each test runs in a savepoint that is rolled back; the first
-- failure aborts this transaction, so nothing above is committed
CALL pgmg.test();

-- a step only some environments take
DO $$
BEGIN
    IF current_setting('pgmg.param.env') = 'development' THEN
        INSERT INTO app.accounts (name) VALUES ('demo account')
        ON CONFLICT (name) DO NOTHING;
    END IF;
END $$;

COMMIT;
