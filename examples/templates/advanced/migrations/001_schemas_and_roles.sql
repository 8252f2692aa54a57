-- schemas, and a role that may read the api schema (roles are shared by
-- every database of the cluster, so it is created only when missing)
CREATE SCHEMA app;
CREATE SCHEMA api;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger_reader') THEN
        CREATE ROLE ledger_reader NOLOGIN;
    END IF;
END $$;

GRANT USAGE ON SCHEMA api TO ledger_reader;
