-- books an amount on an account by name and returns the new balance
CREATE FUNCTION api.book_entry(p_account text, p_amount numeric)
RETURNS numeric
LANGUAGE plpgsql
AS $$
DECLARE
    v_id bigint;
BEGIN
    SELECT id INTO v_id FROM app.accounts WHERE name = p_account;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'no account named %', p_account USING ERRCODE = 'no_data_found';
    END IF;
    INSERT INTO app.entries (account_id, amount) VALUES (v_id, p_amount);
    RETURN (app.account_balance(v_id)).total;
END;
$$;
