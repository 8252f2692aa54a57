#!/bin/sh
# test/client/safety.sh - pointing pgmg at a shared database: a schema
# pgmg another role prepared, functions that try to capture the client's
# calls, a tree pgmg cannot fully read, symbolic links, concurrent first
# runs, plan on a database without the extension, and watch with a
# pending migration.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql/security
echo 'CREATE TABLE accounts (id int PRIMARY KEY, tenant text NOT NULL);' >migrations/001_accounts.sql
echo 'CREATE VIEW account_ids AS SELECT id FROM accounts;' >sql/account_ids.sql
printf '%s\n' 'ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;' >migrations/002_rls.sql
printf '%s\n' "CREATE POLICY tenant_only ON accounts AS RESTRICTIVE USING (tenant = current_user);" >sql/security/tenant_only.sql

# --- plan changes nothing, not even by creating the extension
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "plan works on a database without the extension"
like "$out" "1. Run migration: 001_accounts.sql" "and plans everything as new"
is "$(sql "SELECT count(*) FROM pg_extension WHERE extname = 'pgmg'")" 0 "without creating the extension"
is "$(sql "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgmg'")" 0 "or its schema"
out=$(pgmg status --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
like "$out" "pending    001_accounts.sql" "status too works without the extension"
is "$(sql "SELECT count(*) FROM pg_extension WHERE extname = 'pgmg'")" 0 "and creates nothing"

# --- a schema pgmg prepared by a database owner who is not a superuser
sql "CREATE ROLE pgmg_mallory_$$ LOGIN" >/dev/null
sql "ALTER DATABASE $PGDATABASE OWNER TO pgmg_mallory_$$" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 <<SQL >/dev/null 2>&1
SET ROLE pgmg_mallory_$$;
CREATE SCHEMA pgmg;
CREATE FUNCTION pgmg.plan(files text, OUT step int, OUT action text, OUT object text, OUT file text, OUT reason text, OUT statement text)
RETURNS SETOF record LANGUAGE sql AS \$\$ ALTER ROLE pgmg_mallory_$$ SUPERUSER; SELECT 1, 'x', 'x', 'x', 'x', 'x' \$\$;
SQL
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "a superuser's plan refuses a pgmg schema someone else prepared"
like "$out" 'schema "pgmg" already exists and is owned by role pgmg_mallory_' "and says whose it is"
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "so does apply"
is "$(sql "SELECT rolsuper FROM pg_roles WHERE rolname = 'pgmg_mallory_$$'")" f "the schema's owner did not become a superuser"
is "$(sql "SELECT count(*) FROM pg_extension WHERE extname = 'pgmg'")" 0 "nothing was installed"
sql "DROP SCHEMA pgmg CASCADE" >/dev/null 2>&1
sql "ALTER DATABASE $PGDATABASE OWNER TO CURRENT_USER" >/dev/null

# --- overloads in the installed schema cannot capture the client's calls
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "apply installs the extension and applies"
sql "GRANT CREATE ON SCHEMA pgmg TO pgmg_mallory_$$" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 <<SQL >/dev/null 2>&1
SET ROLE pgmg_mallory_$$;
CREATE FUNCTION pgmg.plan(files text, allow_out_of_order boolean DEFAULT false, OUT step int, OUT action text, OUT object text, OUT file text, OUT reason text, OUT statement text)
RETURNS SETOF record LANGUAGE sql AS \$\$ ALTER ROLE pgmg_mallory_$$ SUPERUSER; SELECT 1, 'x', 'x', 'x', 'x', 'x' \$\$;
CREATE FUNCTION pgmg.plan(files jsonb, OUT step int, OUT action text, OUT object text, OUT file text, OUT reason text, OUT statement text)
RETURNS SETOF record LANGUAGE sql AS \$\$ ALTER ROLE pgmg_mallory_$$ SUPERUSER; SELECT 1, 'x', 'x', 'x', 'x', 'x' \$\$;
CREATE FUNCTION pgmg.status(files text, OUT kind text, OUT name text, OUT file text, OUT state text)
RETURNS SETOF record LANGUAGE sql AS \$\$ ALTER ROLE pgmg_mallory_$$ SUPERUSER; SELECT 'x', 'x', 'x', 'x' \$\$;
CREATE FUNCTION pgmg.status(files jsonb, x int DEFAULT 0, OUT kind text, OUT name text, OUT file text, OUT state text)
RETURNS SETOF record LANGUAGE sql AS \$\$ ALTER ROLE pgmg_mallory_$$ SUPERUSER; SELECT 'x', 'x', 'x', 'x' \$\$;
CREATE FUNCTION pgmg.apply(files jsonb, allow_out_of_order boolean DEFAULT false, OUT step int, OUT action text, OUT object text, OUT file text, OUT reason text, OUT statement text)
RETURNS SETOF record LANGUAGE sql AS \$\$ ALTER ROLE pgmg_mallory_$$ SUPERUSER; SELECT 1, 'x', 'x', 'x', 'x', 'x' \$\$;
CREATE FUNCTION pgmg.baseline(files jsonb, upto unknown) RETURNS SETOF text LANGUAGE sql AS \$\$ ALTER ROLE pgmg_mallory_$$ SUPERUSER; SELECT 'x' \$\$;
CREATE FUNCTION pgmg.test(pattern unknown) RETURNS void LANGUAGE sql AS \$\$ ALTER ROLE pgmg_mallory_$$ SUPERUSER \$\$;
SQL
echo 'CREATE VIEW account_ids AS SELECT id, tenant FROM accounts;' >sql/account_ids.sql
for c in plan status apply; do
	pgmg "$c" --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1
done
pgmg baseline 002_rls.sql --migrations-dir=migrations >/dev/null 2>&1
pgmg test --migrations-dir=migrations --code-dir=sql >/dev/null 2>&1
is "$(sql "SELECT rolsuper FROM pg_roles WHERE rolname = 'pgmg_mallory_$$'")" f "plan, status, apply, baseline and test call only pgmg's own functions"
is "$(sql "SELECT pg_get_viewdef('account_ids')" | tr -d ' \n')" "SELECTaccounts.id,accounts.tenantFROMaccounts;" "and apply did its work"
sql "DROP FUNCTION pgmg.plan(text, boolean), pgmg.plan(jsonb), pgmg.status(text), pgmg.status(jsonb, int), pgmg.apply(jsonb, boolean), pgmg.baseline(jsonb, unknown), pgmg.test(unknown)" >/dev/null 2>&1

# --- a replaced function is refused
sql "CREATE OR REPLACE FUNCTION pgmg.status(files jsonb DEFAULT NULL, OUT kind text, OUT name text, OUT file text, OUT state text, OUT detail text) RETURNS SETOF record LANGUAGE sql AS \$\$ ALTER ROLE pgmg_mallory_$$ SUPERUSER; SELECT 'x', 'x', 'x', 'x', 'x' \$\$" >/dev/null
out=$(pgmg status --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 1 "a pgmg function replaced by SQL is refused"
like "$out" "is not one of pgmg's own" "with a reason"
is "$(sql "SELECT rolsuper FROM pg_roles WHERE rolname = 'pgmg_mallory_$$'")" f "and is never called"
sql "DROP EXTENSION pgmg" >/dev/null 2>&1 || sql "DROP FUNCTION pgmg.status(jsonb); DROP EXTENSION pgmg" >/dev/null
sql "DROP SCHEMA IF EXISTS pgmg CASCADE" >/dev/null 2>&1
sql "DROP VIEW IF EXISTS account_ids; DROP POLICY IF EXISTS tenant_only ON accounts; DROP TABLE IF EXISTS accounts" >/dev/null
sql "DROP OWNED BY pgmg_mallory_$$; DROP ROLE pgmg_mallory_$$" >/dev/null

# --- concurrent first applies create the extension once, and all succeed
for i in 1 2 3 4 5 6; do
	(
		pgmg apply --migrations-dir=migrations --code-dir=sql >"first$i" 2>&1
		echo "exit $?" >>"first$i"
	) &
done
wait
is "$(cat first1 first2 first3 first4 first5 first6 | grep -c '^exit 0$')" 6 "six concurrent first applies on a fresh database all exit 0"
unlike "$(cat first1 first2 first3 first4 first5 first6)" "duplicate key" "none trips over another's CREATE EXTENSION"
is "$(sql 'SELECT count(*) FROM pgmg.pgmg_migrations')" 2 "and the migrations ran once"

# --- an unreadable directory is an error before anything is sent
# (as a user other than root, whom permissions do not stop)
if [ "$(id -u)" = 0 ]; then
	chown -R postgres "$scratch"
	as_me() { runuser -u postgres -- env PATH="$PATH" PGDATABASE="$PGDATABASE" PGHOST="${PGHOST:-}" PGPORT="${PGPORT:-}" PGUSER="${PGUSER:-$(id -un)}" PGPASSWORD="${PGPASSWORD:-}" "$@"; }
else
	as_me() { "$@"; }
fi
chmod 000 sql/security
out=$(as_me pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
chmod 755 sql/security
is "$status" 1 "apply exits 1 when a code directory cannot be read"
like "$out" "cannot read every file under sql" "and says why"
is "$(sql "SELECT count(*) FROM pg_policy WHERE polname = 'tenant_only'")" 1 "the policy in the unreadable directory was not dropped"
chmod 000 sql/security
out=$(as_me pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
chmod 755 sql/security
is "$status" 1 "plan exits 1 too"
unlike "$out" "DROP" "and shows no plan"

# --- symbolic links: followed to files inside the project, refused otherwise
mv sql/account_ids.sql shared_account_ids.sql
echo 'migrations_dir = "migrations"' >pgmg.toml
echo 'code_dir = "sql"' >>pgmg.toml
ln -s ../shared_account_ids.sql sql/account_ids.sql
out=$(pgmg plan --exit-code 2>&1); status=$?
is "$status" 0 "a file replaced by a symbolic link to the same content is unchanged"
unlike "$out" "DROP" "and nothing is dropped"
ln -s /etc/hostname sql/outside.sql
out=$(pgmg apply 2>&1); status=$?
is "$status" 1 "a symbolic link leaving the project is refused"
like "$out" "sql/outside.sql: symbolic link to /etc/hostname, outside the project" "naming the link and its target"
rm sql/outside.sql
ln -s missing.sql sql/dangling.sql
out=$(pgmg apply 2>&1); status=$?
is "$status" 1 "a broken symbolic link is refused"
like "$out" "sql/dangling.sql: broken symbolic link" "naming it"
rm sql/dangling.sql
ln -s .. sql/loop
out=$(pgmg apply 2>&1); status=$?
is "$status" 1 "a symbolic link loop is refused"
like "$out" "cannot read every file under" "clearly"
rm sql/loop
is "$(sql "SELECT count(*) FROM pg_views WHERE viewname = 'account_ids'")" 1 "none of these dropped the linked view"

# --- watch applies code changes and only reports a pending migration
printf '%s\n' 'CREATE TABLE half_written (' >migrations/003_half.sql
pgmg watch >watch.out 2>&1 &
watcher=$!
for _ in $(seq 1 100); do
	grep -q 'pending' watch.out 2>/dev/null && break
	sleep 0.1
done
echo 'CREATE VIEW watched AS SELECT 1 AS one;' >sql/watched.sql
for _ in $(seq 1 100); do
	[ "$(sql "SELECT count(*) FROM pg_views WHERE viewname = 'watched'")" = 1 ] && break
	sleep 0.1
done
kill -TERM "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
is "$(sql "SELECT count(*) FROM pg_views WHERE viewname = 'watched'")" 1 "watch applied the saved code file"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations WHERE name = '003_half.sql'")" 0 "but never ran the half-written migration"
like "$(cat watch.out)" "1 migration(s) pending" "and reported it as pending"

# --- two projects in one database manage only their own objects
rm -f migrations/003_half.sql
for p in alpha beta; do
	mkdir -p "$p/migrations" "$p/sql"
	printf 'migrations_dir = "migrations"\ncode_dir = "sql"\nproject = "%s"\n' "$p" >"$p/pgmg.toml"
	echo "CREATE TABLE ${p}_t (id int);" >"$p/migrations/001_init.sql"
	echo "CREATE VIEW ${p}_v AS SELECT id FROM ${p}_t;" >"$p/sql/v.sql"
done
out=$(pgmg apply --project=alpha 2>&1); status=$?
is "$status" 0 "project alpha applies"
out=$(pgmg apply --project=beta 2>&1); status=$?
is "$status" 0 "project beta applies its own 001_init.sql and view"
unlike "$out" "Dropping" "without dropping anything of alpha's or of the default project"
is "$(sql "SELECT string_agg(project || ':' || name, ',' ORDER BY project) FROM pgmg.pgmg_migrations WHERE name = '001_init.sql'")" "alpha:001_init.sql,beta:001_init.sql" "each project records its own migration"
echo "CREATE VIEW alpha_v AS SELECT id FROM alpha_t;" >beta/sql/stolen.sql
out=$(pgmg plan --project=beta 2>&1); status=$?
is "$status" 1 "a file defining another project's object is refused"
like "$out" 'is managed by project "alpha"' "naming that project"
rm beta/sql/stolen.sql
out=$(pgmg plan --project=beta --project-name=alpha 2>&1); status=$?
is "$status" 4 "--project-name overrides pgmg.toml's project"
like "$out" 'applied migration "001_init.sql" has changed' "so beta's files are checked against alpha's state"
is "$(pgmg plan --project=alpha --exit-code >/dev/null 2>&1; echo $?)" 0 "alpha has nothing to do"

done_testing
