CREATE TYPE app.balance AS (
    account_id bigint,
    credits numeric,
    debits numeric,
    total numeric
);
