DO $$
DECLARE
    b app.balance;
BEGIN
    b := app.account_balance((SELECT id FROM app.accounts WHERE name = 'alice'));
    IF (b.credits, b.debits, b.total) IS DISTINCT FROM (100::numeric, 30::numeric, 70::numeric) THEN
        RAISE EXCEPTION 'alice: expected 100 / 30 / 70, got % / % / %', b.credits, b.debits, b.total;
    END IF;
    IF (SELECT balance FROM api.account_balances WHERE name = 'bob') <> 0 THEN
        RAISE EXCEPTION 'bob should have a zero balance';
    END IF;
END $$;
