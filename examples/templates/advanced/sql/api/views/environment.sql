CREATE VIEW api.environment AS
SELECT value AS name
FROM app.settings
WHERE key = 'environment';

GRANT SELECT ON api.environment TO ledger_reader;
