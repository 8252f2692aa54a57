-- the reader role sees the api, not the tables behind it
DO $$
BEGIN
    IF NOT has_table_privilege('ledger_reader', 'api.account_balances', 'SELECT') THEN
        RAISE EXCEPTION 'ledger_reader cannot read api.account_balances';
    END IF;
    IF has_table_privilege('ledger_reader', 'app.entries', 'SELECT') THEN
        RAISE EXCEPTION 'ledger_reader can read app.entries directly';
    END IF;
END $$;
