#!/bin/sh
# test/client/bodies.sh - function bodies are checked after an apply, once
# everything they use exists: SQL bodies by the server's validator, and
# PL/pgSQL bodies by plpgsql_check when the database has it; an error names
# file and line and the apply changes nothing; pgmg.toml can opt out.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql/functions
echo 'CREATE TABLE accounts (id int PRIMARY KEY, balance numeric NOT NULL DEFAULT 0);' >migrations/001_accounts.sql
# a SQL function over a view another file creates, and over a table of the
# same apply's migration: the order of files does not matter to the check
cat >sql/functions/a_total.sql <<'EOF2'
CREATE FUNCTION total_balance() RETURNS numeric LANGUAGE sql STABLE
AS $$ SELECT sum(balance) FROM rich_accounts $$;
EOF2
echo 'CREATE VIEW rich_accounts AS SELECT * FROM accounts WHERE balance > 1000;' >sql/z_rich.sql
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "a SQL body over objects created later in the same apply passes"

# a SQL body reading a table that does not exist fails the apply
cat >sql/functions/broken.sql <<'EOF2'
-- counts the audit rows
CREATE FUNCTION audit_count() RETURNS bigint LANGUAGE sql
AS $$ SELECT count(*) FROM audit_log $$;
EOF2
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "a SQL body reading a missing table fails the apply"
like "$out" 'ERROR:  42P01: relation "audit_log" does not exist' "with the server's error"
like "$out" 'file "functions/broken.sql", line 3, column 28' "naming the file, line and column of the table"
is "$(sql "SELECT to_regprocedure('audit_count()') IS NULL")" t "and nothing was created"

# PL/pgSQL without plpgsql_check: only its syntax can be judged
rm sql/functions/broken.sql
cat >sql/functions/pay.sql <<'EOF2'
CREATE FUNCTION pay(p_id int, p_amount numeric) RETURNS void LANGUAGE plpgsql
AS $$
BEGIN
	UPDATE accounts SET balance = balance - p_amount WHERE id = p_id;
	INSERT INTO payments (account, amount) VALUES (p_id, p_amount);
END
$$;
EOF2
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "without plpgsql_check a PL/pgSQL body reading a missing table is created"
sql "DROP FUNCTION pay(int, numeric); DELETE FROM pgmg.pgmg_state WHERE file = 'functions/pay.sql'" >/dev/null

# with plpgsql_check, every error of every body is reported at once
sql "CREATE EXTENSION plpgsql_check" >/dev/null
cat >sql/functions/refund.sql <<'EOF2'
CREATE FUNCTION refund(p_id int) RETURNS void LANGUAGE plpgsql
AS $$
BEGIN
	UPDATE accounts SET balance = balance + 1 WHERE id = p_id;
	DELETE FROM refunds_pending WHERE account = p_id;
END
$$;
EOF2
cat >sql/functions/touch.sql <<'EOF2'
CREATE FUNCTION touch_account() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
	NEW.no_such_column := now();
	RETURN NEW;
END
$$;

CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts
	FOR EACH ROW EXECUTE FUNCTION touch_account();
EOF2
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "with plpgsql_check the apply fails"
like "$out" "3 errors in PL/pgSQL function bodies: they would fail when called" "counting every error"
like "$out" '"functions/pay.sql" line 5: function.public.pay(integer,numeric): relation "payments" does not exist' "each with file, line and function"
like "$out" '"functions/refund.sql" line 5: function.public.refund(integer): relation "refunds_pending" does not exist' "in every file"
like "$out" '"functions/touch.sql" line 4: function.public.touch_account()' "a trigger function checked against its table"
is "$(sql "SELECT count(*) FROM pg_proc WHERE proname IN ('pay', 'refund', 'touch_account')")" 0 "nothing was created"

# fixed, they apply
sql "CREATE TABLE payments (account int, amount numeric); CREATE TABLE refunds_pending (account int)" >/dev/null
sed -i 's/NEW.no_such_column := now();/NEW.balance := NEW.balance;/' sql/functions/touch.sql
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "sound bodies apply"

# a project may opt out in pgmg.toml
printf 'migrations_dir = "migrations"\ncode_dir = "sql"\nvalidate_bodies = false\n' >pgmg.toml
printf 'CREATE FUNCTION audit_count() RETURNS bigint LANGUAGE sql\nAS $$ SELECT count(*) FROM audit_log $$;\n' >sql/functions/broken.sql
out=$(pgmg apply 2>&1); status=$?
is "$status" 0 "validate_bodies = false skips the check"
is "$(sql "SELECT to_regprocedure('audit_count()') IS NOT NULL")" t "and the function is created as the server allows"
printf 'validate_bodies = "no"\n' >pgmg.toml
out=$(pgmg plan 2>&1); status=$?
is "$status" 1 "validate_bodies takes true or false only"

done_testing
