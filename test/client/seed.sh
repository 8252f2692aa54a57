#!/bin/sh
# test/client/seed.sh - pgmg seed runs development data files in name order
# in one transaction, never recorded, never run by apply.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql seeds
printf 'migrations_dir = "migrations"\ncode_dir = "sql"\n' >pgmg.toml
echo 'CREATE TABLE users (id int PRIMARY KEY, name text); CREATE TABLE orders (id int, user_id int REFERENCES users);' >migrations/001_tables.sql
pgmg apply >/dev/null 2>&1
echo "INSERT INTO users VALUES (1, 'ann'), (2, 'bob');" >seeds/01_users.sql
echo 'INSERT INTO orders VALUES (10, 1), (11, 2);' >seeds/02_orders.sql
out=$(pgmg seed 2>&1); status=$?
is "$status" 0 "seed runs the seeds/ directory beside pgmg.toml"
is "$(sql "SELECT count(*) FROM users") $(sql "SELECT count(*) FROM orders")" "2 2" "in name order (orders need users)"
like "$out" "  01_users.sql" "listing the files"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations")" 1 "nothing is recorded"
is "$(pgmg plan --exit-code >/dev/null 2>&1; echo $?)" 0 "and apply has nothing of them to run"

sql "TRUNCATE orders, users" >/dev/null
echo 'INSERT INTO orders VALUES (12, 99);' >seeds/03_bad.sql
out=$(pgmg seed 2>&1); status=$?
is "$status" 1 "a failing seed fails"
like "$out" "Seeding failed: nothing was changed" "saying so"
like "$out" "seeds/03_bad.sql:1: ERROR:  23503" "naming the file and line of the error"
is "$(sql "SELECT count(*) FROM users")" 0 "and the files before it were rolled back too"
rm seeds/03_bad.sql

mv seeds sql/seeds
out=$(pgmg seed --seed-dir=sql/seeds 2>&1); status=$?
is "$status" 2 "a seed directory inside the code directory is refused"
like "$out" "apply would read its files" "saying why"

done_testing
