#!/bin/sh
# test/client/commands.sh - init, new, status, watch, --format json,
# per-command help, awkward file names, non-UTF-8 and NUL bytes, and
# uploading 5,000 files.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1

# init and new
out=$(pgmg init 2>&1); status=$?
is "$status" 0 "init exits 0"
ok "$([ -f pgmg.toml ] && [ -d migrations ] && [ -d sql ]; echo $?)" "init writes pgmg.toml, migrations/ and sql/"
pgmg init >/dev/null 2>&1; status=$?
is "$status" 1 "init refuses to overwrite pgmg.toml"
is "$(pgmg new 'Create Items!')" "$scratch/migrations/001_create_items.sql" "new numbers the first migration 001 and cleans the name"
touch migrations/009_nine.sql
is "$(pgmg new next)" "$scratch/migrations/010_next.sql" "new numbers after the highest (numeric, not text order)"
pgmg new >/dev/null 2>&1; status=$?
is "$status" 2 "new without a name is a usage error"
for c in plan apply status watch init new baseline deploy test templates repair; do
	out=$(pgmg "$c" --help 2>&1); status=$?
	ok "$([ "$status" = 0 ] && case "$out" in "Usage: pgmg $c"*) true ;; *) false ;; esac; echo $?)" "$c --help"
done
rm migrations/009_nine.sql migrations/010_next.sql

# status, and JSON from plan, apply and status
echo 'CREATE TABLE items (id int PRIMARY KEY, name text);' >migrations/001_create_items.sql
echo 'CREATE VIEW item_names AS SELECT name FROM items;' >sql/item_names.sql
out=$(pgmg status 2>&1)
like "$out" "pending    001_create_items.sql" "status lists a pending migration"
like "$out" "new        item_names.sql" "status lists a new code file"
json=$(pgmg plan --format=json | json_part steps)
is "$(sql "SELECT jsonb_array_length('$json'::jsonb)")" 2 "plan --format=json has the steps"
json=$(pgmg apply --format json 2>/dev/null | json_part steps)
is "$(sql "SELECT string_agg(e->>'action', ',') FROM jsonb_array_elements('$json'::jsonb) e")" "migrate,create" "apply --format json lists what ran"
json=$(pgmg status --format=json | json_part items)
is "$(sql "SELECT string_agg(e->>'state', ',' ORDER BY e->>'name') FROM jsonb_array_elements('$json'::jsonb) e")" "applied,ok" "status --format=json"
sql 'DROP VIEW item_names' >/dev/null
like "$(pgmg status)" "missing    view.public.item_names" "status reports a missing object"
sql 'CREATE VIEW item_names AS SELECT name || name AS name FROM items' >/dev/null
like "$(pgmg status)" "drift      view.public.item_names" "status reports drift"
echo 'CREATE VIEW item_names AS SELECT upper(name) AS name FROM items;' >sql/item_names.sql
like "$(pgmg status)" "modified   view.public.item_names" "status reports a modified file"
pgmg apply >/dev/null 2>&1
pgmg plan --format=bogus >/dev/null 2>&1; status=$?
is "$status" 2 "an unknown --format is a usage error"

# file names with spaces, quotes and non-ASCII
mkdir -p "sql/odd dir"
echo 'CREATE VIEW odd_one AS SELECT 1 AS one;' >"sql/odd dir/it's é.sql"
pgmg apply >/dev/null 2>&1; status=$?
is "$status" 0 "a file named with spaces, a quote and non-ASCII applies"
is "$(sql "SELECT file FROM pgmg.pgmg_state WHERE object_name = 'view.public.odd_one'")" "odd dir/it's é.sql" "its path is recorded exactly"

# bytes that are not UTF-8, and NUL bytes, are refused naming the file
printf 'CREATE VIEW latin AS SELECT \047caf\351\047 AS word;\n' >sql/latin1.sql
out=$(pgmg plan 2>&1); status=$?
is "$status" 1 "a non-UTF-8 file is an error"
like "$out" "sql/latin1.sql: not valid UTF-8" "naming the file"
rm sql/latin1.sql
printf 'CREATE VIEW nul AS SELECT 1;\000\n' >sql/nul.sql
out=$(pgmg plan 2>&1); status=$?
is "$status" 1 "a file with a NUL byte is an error"
like "$out" "sql/nul.sql: file contains a NUL byte" "naming the file"
rm sql/nul.sql

# watch: a save is in the database within 2 s; a broken save is reported
# and watching goes on; SIGTERM stops it with exit 0
pgmg watch >watch.out 2>&1 &
watcher=$!
sleep 2
echo 'CREATE VIEW item_names AS SELECT name, 7 AS lucky FROM items;' >sql/item_names.sql
seen=1
for i in 1 2 3 4 5 6 7 8; do
	sleep 0.25
	if [ "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'item_names' AND column_name = 'lucky'")" = 1 ]; then
		seen=0
		echo "# applied $((i * 250)) ms after the save"
		break
	fi
done
ok "$seen" "watch applies a saved file within 2 s"
echo 'CREATE VIEW item_names AS SELECT FROM FROM items;' >sql/item_names.sql
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	sleep 0.25
	grep -q 'watch: the apply failed' watch.out && break
done
like "$(cat watch.out)" 'syntax error at or near "FROM"' "a broken save prints the error"
echo 'CREATE VIEW item_names AS SELECT name, 8 AS lucky FROM items;' >sql/item_names.sql
seen=1
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	sleep 0.25
	if [ "$(sql "SELECT pg_get_viewdef('item_names') LIKE '%8 AS lucky%'")" = t ]; then
		seen=0
		break
	fi
done
ok "$seen" "and the next good save applies"
kill -TERM "$watcher"
wait "$watcher"
is "$?" 0 "watch exits 0 when stopped"

# pgmg.toml paths are relative to the file, from any subdirectory; a flag
# overrides them
mkdir -p deep/er other
echo 'CREATE VIEW other_view AS SELECT 2 AS two;' >other/other_view.sql
out=$(cd deep/er && pgmg plan 2>&1)
like "$out" "PLAN: nothing to do." "pgmg.toml is found from a subdirectory and its paths resolve against it"
out=$(cd deep/er && pgmg plan --code-dir="$scratch/other" 2>&1)
like "$out" "other_view.sql (new)" "--code-dir overrides code_dir from pgmg.toml"
like "$out" "DROP VIEW public.item_names" "so the files of pgmg.toml's code_dir are not in this call's set"
out=$(NO_COLOR=1 script -q -c "pgmg apply --code-dir=sql" /dev/null 2>&1 | tr -d '\r')
unlike "$out" "$(printf '\033')" "NO_COLOR turns colour off even on a terminal"
out=$(script -q -c "pgmg plan --code-dir=sql" /dev/null >/dev/null 2>&1; echo 'CREATE VIEW tty_view AS SELECT 3 AS three;' >sql/tty_view.sql; script -q -c "pgmg apply --code-dir=sql" /dev/null 2>&1)
like "$out" "✓ Created view: public.tty_view" "on a terminal apply uses glyphs"
like "$out" "$(printf '\033')[32m" "and colour"

# 5,000 files upload (and plan) quickly
mkdir many
i=0
while [ "$i" -lt 5000 ]; do
	i=$((i + 1))
	printf 'CREATE FUNCTION f%d(a integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN a + %d;\n' "$i" "$i" >"many/f$i.sql"
done
start=$(date +%s%N)
out=$(pgmg plan --code-dir=many 2>&1); status=$?
ms=$((($(date +%s%N) - start) / 1000000))
echo "# plan of 5000 new files (upload, parse, plan): $ms ms"
is "$status" 0 "plan of 5,000 files succeeds"
like "$out" "5000. CREATE FUNCTION public.f" "and lists all 5,000"
ok "$([ "$ms" -lt 3000 ]; echo $?)" "uploading and planning 5,000 files takes under 3 s ($ms ms)"

done_testing
