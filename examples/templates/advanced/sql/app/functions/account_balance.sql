-- credits, debits and total of one account
CREATE FUNCTION app.account_balance(p_account_id bigint)
RETURNS app.balance
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT ROW(
        p_account_id,
        COALESCE(SUM(e.amount) FILTER (WHERE e.amount > 0), 0),
        COALESCE(-SUM(e.amount) FILTER (WHERE e.amount < 0), 0),
        COALESCE(SUM(e.amount), 0)
    )::app.balance
    FROM app.entries e
    WHERE e.account_id = p_account_id;
END;
