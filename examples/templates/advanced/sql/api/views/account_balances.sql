CREATE VIEW api.account_balances AS
SELECT a.id, a.name, (app.account_balance(a.id)).total AS balance
FROM app.accounts a;

COMMENT ON VIEW api.account_balances IS 'every account with its balance';
GRANT SELECT ON api.account_balances TO ledger_reader;
