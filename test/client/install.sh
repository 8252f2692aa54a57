#!/bin/sh
# test/client/install.sh - what make install puts where (the client on PATH,
# its templates, bash completion), pgmg version, pgmg files and the
# psql-only recipe for a project too large for an argument, and
# pgmg new --timestamp.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

bindir=$(pg_config --bindir)
# make install (run by the test command) installed the client
ok "$([ -x "$bindir/pgmg" ] && echo 0 || echo 1)" "make install puts the client in pg_config --bindir"
is "$(readlink /usr/local/bin/pgmg)" "$bindir/pgmg" "and links it from /usr/local/bin, which is on PATH"
is "$(/usr/local/bin/pgmg --version)" "pgmg 0.6" "the installed client runs"
like "$(/usr/local/bin/pgmg templates)" "basic" "and finds the templates installed beside the extension"
like "$(grep '^PGMG_SHARE=' "$bindir/pgmg")" "$(pg_config --sharedir)/pgmg" "which make install told it about"
cmp -s "$(pg_config --sharedir)/pgmg/pgmg.schema.json" "$repo_root/bin/pgmg.schema.json"
is "$?" 0 "and the JSON Schema of --format=json beside the templates"
completion=/usr/local/share/bash-completion/completions/pgmg
ok "$([ -f "$completion" ] && echo 0 || echo 1)" "bash completion is installed"
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pgmg; printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$@" | tr '\n' ' '
}
is "$(complete_words pgmg pl)" "plan " "it completes commands"
is "$(complete_words pgmg repair 001.sql --ac)" "--accept " "and a command's options"
is "$(complete_words pgmg plan --fail-on=h)" "high " "and option values"
is "$(complete_words pgmg graph --format=m)" "mermaid " "graph's formats"
is "$(complete_words pgmg plan --format=g)" "github " "and the others'"
is "$(complete_words pgmg res)" "reset " "the newer commands"
out=$(pgmg templates describe basic); status=$?
is "$status" 0 "templates describe NAME"
like "$out" "# basic: migrations, views" "prints the template's README"
like "$out" "  migrations/001_initial_tables.sql" "and the files init would write"
pgmg templates describe no_such >/dev/null 2>&1; status=$?
is "$status" 2 "an unknown template is a usage error"
DESTDIR_ROOT=$scratch/root
make -s -C "$repo_root" install-client DESTDIR="$DESTDIR_ROOT" >/dev/null 2>&1
ok "$([ -x "$DESTDIR_ROOT$bindir/pgmg" ] && [ -d "$DESTDIR_ROOT$(pg_config --sharedir)/pgmg/templates/basic" ] && echo 0 || echo 1)" \
	"DESTDIR installs the client and templates for packaging"

# pgmg version: client and engine
out=$(pgmg version 2>&1); status=$?
is "$status" 0 "pgmg version exits 0"
like "$out" "pgmg client 0.6" "it prints the client's version"
like "$out" "pgmg engine 0.6 (not created in this database yet: pgmg apply creates it), database $PGDATABASE on" "and the engine's, with the target"
out=$(pgmg version --connection-string=postgresql://127.0.0.1:1/nowhere 2>&1); status=$?
is "$status" 5 "without a server it prints the client's and exits 5"
like "$out" "pgmg client 0.6" "having printed the client's version"

# pgmg files, and the psql-only recipe for a project larger than an argument
cd "$scratch" || exit 1
mkdir -p migrations sql/views
echo 'CREATE TABLE facts (id int PRIMARY KEY, n int);' >migrations/001_facts.sql
i=1
while [ "$i" -le 300 ]; do
	printf -- "-- %s\nCREATE VIEW fact_%03d AS SELECT id, n + %d AS n FROM facts;\n" \
		"$(printf '%0400d' 0)" "$i" "$i" >"sql/views/fact_$(printf '%03d' "$i").sql"
	i=$((i + 1))
done
printf 'migrations_dir = "migrations"\ncode_dir = "sql"\n' >pgmg.toml
pgmg files >files.json; status=$?
is "$status" 0 "pgmg files exits 0"
size=$(wc -c <files.json)
ok "$([ "$size" -gt 131072 ] && echo 0 || echo 1)" "the project is larger than an argument may be ($size bytes)"
out=$(psql -X -q -v ON_ERROR_STOP=1 -At 2>"$scratch/psql.err" <<'SQL'
\set files `cat files.json`
CREATE EXTENSION IF NOT EXISTS pgmg;
BEGIN;
SELECT count(*) FROM pgmg.apply(:'files');
COMMIT;
SQL
); status=$?
is "$status" 0 "psql alone applies it through a backquoted \\set"
is "$out" 301 "every step ran"
is "$(pgmg plan --exit-code >/dev/null 2>&1; echo $?)" 0 "and the client agrees nothing is left: the value is the client's own"
(cd / && pgmg files >/dev/null 2>&1); status=$?
is "$status" 2 "files with no project is a usage error"

# new --timestamp
out=$(pgmg new add_notes --timestamp); status=$?
is "$status" 0 "new --timestamp"
like "$out" "migrations/$(date -u +%Y%m%d)" "names the migration by the UTC date and time"
case "$out" in *_add_notes.sql) ok 0 "and the name" ;; *) ok 1 "and the name" ;; esac
printf 'migrations_dir = "migrations"\ncode_dir = "sql"\nmigration_names = "timestamp"\n' >pgmg.toml
sleep 1
out2=$(pgmg new more_notes)
like "$out2" "migrations/$(date -u +%Y%m%d)" "migration_names = \"timestamp\" in pgmg.toml does the same"
echo 'ALTER TABLE facts ADD COLUMN note text;' >"$out"
echo 'ALTER TABLE facts ADD COLUMN more text;' >"$out2"
pgmg apply >/dev/null 2>&1; status=$?
is "$status" 0 "numbered and timestamped migrations apply together"
is "$(sql "SELECT string_agg(left(name, 4), ',' ORDER BY applied_at, name) FROM pgmg.pgmg_migrations")" "001_,$(date -u +%Y),$(date -u +%Y)" \
	"numbered ones first, in numeric-aware order"

done_testing
