#!/bin/sh
# test/client/access.sh - reaching the database: a password from
# password_command (a token, never printed nor written to a file) against a
# password-authenticated server; --create-db creating a missing database;
# pgmg reset dropping and creating one again with its encoding, locale and
# owner, confirmed, and refused where it must be.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql
printf 'migrations_dir = "migrations"\ncode_dir = "sql"\n' >pgmg.toml
echo 'CREATE TABLE notes (id int PRIMARY KEY, body text);' >migrations/001_notes.sql
echo 'CREATE VIEW note_bodies AS SELECT body FROM notes;' >sql/note_bodies.sql

# ---- password_command: scram over TCP, no PGPASSWORD, no .pgpass
token="tok-$$-Zq9x"
sql "CREATE ROLE pgmg_tok_$$ LOGIN SUPERUSER PASSWORD '$token'" >/dev/null
saved_password=${PGPASSWORD:-}
unset PGPASSWORD
conn="host=127.0.0.1 port=${PGPORT:-5432} user=pgmg_tok_$$ dbname=$PGDATABASE"
printf 'printf %%s %s\n' "$token" >"$scratch/token.sh"
echo 0 >"$scratch/runs"
# the script counts its runs, then prints the token
# shellcheck disable=SC2016
printf 'n=$(cat %s); echo $((n + 1)) >%s; printf %%s %s\n' "$scratch/runs" "$scratch/runs" "$token" >"$scratch/counting.sh"

out=$(PGPASSFILE=/dev/null pgmg plan --connection-string="$conn" 2>&1); status=$?
is "$status" 5 "without a password the server refuses: exit 5"
out=$(PGPASSFILE=/dev/null pgmg apply --connection-string="$conn" --password-command="sh $scratch/counting.sh" 2>&1); status=$?
is "$status" 0 "--password-command: the token it prints is the password"
like "$out" "as pgmg_tok_$$" "the apply ran as that role"
is "$(cat "$scratch/runs")" 1 "the command ran once for the whole apply (several sessions)"
all_out=$out
printf 'password_command = "sh %s"\n' "$scratch/token.sh" >>pgmg.toml
out=$(PGPASSFILE=/dev/null pgmg status --connection-string="$conn" 2>&1); status=$?
is "$status" 0 "password_command in pgmg.toml works too"
all_out="$all_out$out"
out=$(PGPASSFILE=/dev/null pgmg plan --format=json --connection-string="$conn" 2>&1); status=$?
is "$status" 0 "and with the JSON envelope"
all_out="$all_out$out"
out=$(PGPASSFILE=/dev/null pgmg plan --connection-string="$conn" --password-command="printf wrong-token" 2>&1); status=$?
is "$status" 5 "a wrong token: exit 5"
like "$out" "password authentication failed" "with the server's message"
out=$(PGPASSFILE=/dev/null pgmg plan --connection-string="$conn" --password-command="exit 3" 2>&1); status=$?
is "$status" 5 "a failing password command: exit 5"
like "$out" "the password command failed" "saying so"
out=$(PGPASSFILE=/dev/null pgmg plan --connection-string="$conn" --password-command="true" 2>&1); status=$?
is "$status" 5 "a password command printing nothing: exit 5"
like "$out" "printed nothing" "saying so"
unlike "$all_out" "$token" "the token is never printed"
PGPASSWORD=$saved_password
export PGPASSWORD
is "$(sql "SELECT count(*) FROM pgmg.pgmg_history WHERE concat_ws(' ', client_host, application_name, error, detail, vcs_commit) LIKE '%$token%'")" 0 "nor recorded in the history"
leaked=$(grep -rl -- "$token" "${TMPDIR:-/tmp}" 2>/dev/null | grep -v "^$scratch/\(token\|counting\)\.sh$\|^$scratch/pgmg.toml$" | head -n 3)
is "$leaked" "" "nor written to any file under TMPDIR, where pgmg keeps its own (but the command's)"
sed -i '/^password_command/d' pgmg.toml

# ---- --create-db
fresh="pgmg_new_$$ \"odd\""
out=$(PGDATABASE=$fresh pgmg apply 2>&1); status=$?
is "$status" 5 "without --create-db a missing database is a connection failure"
like "$out" "does not exist" "saying so"
out=$(PGDATABASE=$fresh pgmg apply --create-db 2>&1); status=$?
is "$status" 0 "apply --create-db creates the database and applies"
like "$out" "pgmg: created database $fresh (--create-db)" "saying so"
is "$(PGDATABASE=$fresh psql -X -At -c 'SELECT count(*) FROM note_bodies')" 0 "the project is in the new database"
out=$(PGDATABASE=$fresh pgmg apply --create-db 2>&1); status=$?
unlike "$out" "created database" "a second run creates nothing"
out=$(pgmg apply --create-db --connection-string="postgresql://127.0.0.1:${PGPORT:-5432}/pgmg_uri_$$?application_name=pgmg_test" 2>&1); status=$?
is "$status" 0 "--create-db with a URI connection string"
is "$(sql "SELECT count(*) FROM pg_database WHERE datname = 'pgmg_uri_$$'")" 1 "created the URI's database"
out=$(pgmg plan --create-db 2>&1); status=$?
is "$status" 2 "--create-db is refused for plan (usage)"

# ---- reset
sql "CREATE ROLE pgmg_owner_$$" >/dev/null
sql "CREATE DATABASE pgmg_reset_$$ OWNER pgmg_owner_$$ TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'" >/dev/null
target=pgmg_reset_$$
PGDATABASE=$target pgmg apply >/dev/null 2>&1
settings() { sql "SELECT pg_encoding_to_char(encoding), datcollate, datctype, pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$target'"; }
before=$(settings)
out=$(PGDATABASE=$target pgmg reset </dev/null 2>&1); status=$?
is "$status" 2 "reset without a terminal and without --force: usage error"
is "$(PGDATABASE=$target psql -X -At -c "SELECT count(*) FROM notes")" 0 "and nothing was dropped"
if command -v script >/dev/null 2>&1; then
	out=$(printf 'not_it\n' | PGDATABASE=$target script -qec "pgmg reset" /dev/null 2>&1); status=$?
	is "$status" 4 "on a terminal, a wrong name typed: refused"
	like "$out" "Type the database name to confirm" "after asking for the name"
	is "$(PGDATABASE=$target psql -X -At -c "SELECT count(*) FROM notes")" 0 "nothing was dropped"
	out=$(printf '%s\n' "$target" | PGDATABASE=$target script -qec "pgmg reset" /dev/null 2>&1); status=$?
	is "$status" 0 "the name typed: reset"
	is "$(PGDATABASE=$target psql -X -At -c "SELECT count(*) FROM pg_class WHERE relname = 'notes'")" 0 "the database is empty"
	PGDATABASE=$target pgmg apply >/dev/null 2>&1
fi
out=$(PGDATABASE=$target pgmg reset --force 2>&1); status=$?
is "$status" 0 "reset --force"
like "$out" "dropped and created again, empty" "says what it did"
is "$(PGDATABASE=$target psql -X -At -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgmg'")" 0 "nothing is left, not even pgmg's state"
is "$(settings)" "$before" "encoding, collation, ctype and owner are kept"
PGDATABASE=$target pgmg apply >/dev/null 2>&1
is "$(PGDATABASE=$target psql -X -At -c "SELECT count(*) FROM note_bodies")" 0 "and apply builds it again"

# another session in it: the drop fails, nothing is dropped
PGDATABASE=$target psql -X -q -c "SELECT pg_sleep(6)" >/dev/null 2>&1 &
sleeper=$!
i=0
while [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = '$target'")" = 0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
out=$(PGDATABASE=$target pgmg reset --force 2>&1); status=$?
is "$status" 1 "another session connected: reset fails"
like "$out" "other sessions are connected to $target" "saying why"
is "$(PGDATABASE=$target psql -X -At -c "SELECT count(*) FROM note_bodies")" 0 "and nothing was dropped"
kill "$sleeper" 2>/dev/null
wait "$sleeper" 2>/dev/null

# refusals
for db in postgres template1; do
	out=$(PGDATABASE=$db pgmg reset --force 2>&1); status=$?
	is "$status" 4 "reset refuses $db"
done
sql "CREATE DATABASE pgmg_tmpl_$$ IS_TEMPLATE true" >/dev/null
out=$(PGDATABASE=pgmg_tmpl_$$ pgmg reset --force 2>&1); status=$?
is "$status" 4 "reset refuses a template database"
like "$out" "it is a template database" "saying so"
sql "CREATE ROLE pgmg_weak_$$ LOGIN PASSWORD 'weak'" >/dev/null
out=$(PGPASSWORD=weak PGUSER=pgmg_weak_$$ PGDATABASE=$target pgmg reset --force 2>&1); status=$?
is "$status" 4 "a role that may not create databases: refused"
like "$out" "nothing was dropped" "before dropping anything"
is "$(PGDATABASE=$target psql -X -At -c "SELECT count(*) FROM note_bodies")" 0 "the database is still there"

PGDATABASE=postgres dropdb "$fresh"
for d in pgmg_uri_$$ pgmg_reset_$$; do PGDATABASE=postgres dropdb "$d"; done
sql "ALTER DATABASE pgmg_tmpl_$$ IS_TEMPLATE false" >/dev/null
PGDATABASE=postgres dropdb pgmg_tmpl_$$
sql "DROP ROLE pgmg_owner_$$" >/dev/null
sql "DROP ROLE pgmg_weak_$$" >/dev/null
sql "DROP OWNED BY pgmg_tok_$$" >/dev/null
sql "DROP ROLE pgmg_tok_$$" >/dev/null
done_testing
