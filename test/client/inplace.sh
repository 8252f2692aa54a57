#!/bin/sh
# test/client/inplace.sh - a view whose new query keeps its columns is
# replaced in place (CREATE OR REPLACE VIEW): one step, its dependents
# untouched, whatever it has kept; a view whose columns change, or whose new
# query reads what the same apply changes first, is dropped and recreated
# with its closure, and the plan says why.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql/views
cat >migrations/001_events.sql <<'SQL'
CREATE TABLE events (id int PRIMARY KEY, kind text NOT NULL, score int NOT NULL);
INSERT INTO events SELECT g, 'k' || (g % 3), g FROM generate_series(1, 50) g;
CREATE TABLE labels (kind text PRIMARY KEY, label text);
SQL
cat >sql/views/recent.sql <<'SQL'
CREATE VIEW recent AS
SELECT id, kind, score FROM events WHERE score > 10;
COMMENT ON VIEW recent IS 'events of note';
SQL
# 500 dependents: 250 read the root, 250 read one of those
i=1
while [ $i -le 500 ]; do
	if [ $i -le 250 ]; then from=recent; else from=dep_$((i - 250)); fi
	printf 'CREATE VIEW dep_%d AS SELECT id, kind FROM %s WHERE id > %d;\n' $i $from $((i % 7)) >sql/views/dep_$i.sql
	i=$((i + 1))
done

# a populated materialized view two levels down
cat >sql/views/m_kinds.sql <<'SQL'
CREATE MATERIALIZED VIEW m_kinds AS SELECT kind, count(*) AS n FROM dep_251 GROUP BY kind;
SQL

plan() { pgmg plan --migrations-dir=migrations --code-dir=sql "$@" 2>&1; }
apply() { pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1; }
steps() { printf '%s\n' "$1" | grep -cE '^[0-9]+\. '; }
cause() { pgmg plan --migrations-dir=migrations --code-dir=sql --format=json | step_cause "$1" "$2"; }
oids="SELECT md5(string_agg(relname || ':' || oid, ',' ORDER BY relname)) FROM pg_class WHERE relname LIKE 'dep\\_%'"

out=$(apply)
ok $? "the project applies"
sql "CREATE ROLE pgmg_inplace_reader" >/dev/null 2>&1
sql "GRANT SELECT ON recent TO pgmg_inplace_reader" >/dev/null
sql "ALTER VIEW recent SET (security_barrier = true)" >/dev/null
before=$(sql "$oids")
root=$(sql "SELECT 'recent'::regclass::oid")
mat=$(sql "SELECT 'm_kinds'::regclass::oid")
is "$(sql "SELECT sum(n) FROM m_kinds")" 40 "the materialized view holds what the view gives"

# the WHERE changes, the columns do not
sed -i 's/score > 10/score > 20/' sql/views/recent.sql
out=$(plan)
ok $? "plan runs after a WHERE edit"
is "$(steps "$out")" 1 "a WHERE edit is one step"
is "$(cause view.public.recent replace)" '{"in_place":true,"kind":"modified"}' "the JSON plan says it is replaced in place"
like "$out" "1. REPLACE VIEW public.recent" "and that step replaces the view in place"
unlike "$out" "DROP" "nothing is dropped"
out=$(apply)
ok $? "the apply succeeds"
like "$out" "Replaced view: public.recent" "it says it replaced the view"
is "$(sql "$oids")" "$before" "every one of the 500 dependents is the same object"
is "$(sql "SELECT 'recent'::regclass::oid")" "$root" "and so is the view"
is "$(sql "SELECT count(*) FROM dep_1")" 30 "the dependents read the new query"
is "$(sql "SELECT 'm_kinds'::regclass::oid")" "$mat" "the materialized view reading it is the same object"
is "$(sql "SELECT sum(n) FROM m_kinds")" 30 "and it was refreshed in the same step: it holds what the new query gives"
is "$(sql "SELECT has_table_privilege('pgmg_inplace_reader', 'recent', 'SELECT')")" t "a privilege granted by hand stays"
is "$(sql "SELECT obj_description('recent'::regclass, 'pg_class')")" "events of note" "the file's comment stays"
is "$(sql "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'recent'")" \
	"security_barrier=true" "an option set by hand is set again"
out=$(plan --exit-code)
is "$?" 0 "the next plan is empty"

# a column is appended
sed -i 's/SELECT id, kind, score FROM/SELECT id, kind, score, score * 2 AS double_score FROM/' sql/views/recent.sql
out=$(plan)
is "$(steps "$out")" 1 "an appended column is one step"
like "$out" "REPLACE VIEW public.recent" "a replacement"
out=$(apply)
ok $? "the apply succeeds"
is "$(sql "$oids")" "$before" "the dependents are still the same objects"
is "$(sql "SELECT max(double_score) FROM recent")" 100 "the new column is there"

# a column changes type: the view and its closure are recreated
sed -i 's/score \* 2 AS double_score/(score * 2)::bigint AS double_score/' sql/views/recent.sql
out=$(plan)
like "$out" "recreated: its column double_score would change type from integer to bigint" \
	"a type change is recreated, and the plan says which column"
is "$(steps "$out")" 1004 "the view, its 500 dependents and the materialized view are dropped and created"
is "$(cause view.public.recent create)" \
	'{"kind":"modified","not_replaced":"its column double_score would change type from integer to bigint"}' \
	"the JSON plan says why it is not replaced in place"
is "$(cause view.public.dep_1 create)" '{"kind":"depends_on","object":"view.public.recent"}' \
	"and what each dependent depends on"
out=$(apply)
ok $? "the apply succeeds"

# a column is removed: the view and all its dependents are recreated
sed -i 's/SELECT id, kind, score, (score \* 2)::bigint AS double_score FROM/SELECT id, kind FROM/' sql/views/recent.sql
out=$(plan)
like "$out" "recreated: its column score would be removed" "a removed column is named"
is "$(printf '%s\n' "$out" | grep -c 'DROP VIEW')" 501 "the view and its 500 dependents are dropped"
out=$(apply)
ok $? "the apply succeeds"
is "$(sql "SELECT count(*) FROM pg_views WHERE viewname LIKE 'dep\\_%'")" 500 "all 500 are back"
is "$(sql "SELECT has_table_privilege('pgmg_inplace_reader', 'recent', 'SELECT')")" t "the recreated view has its privilege"

# a column is renamed: recreated
sed -i 's/SELECT id, kind FROM/SELECT id AS event_id, kind FROM/' sql/views/recent.sql
out=$(plan)
like "$out" "recreated: its column 1, id, would be named event_id" "a renamed column is named"
sed -i 's/SELECT id AS event_id, kind FROM/SELECT id, kind FROM/' sql/views/recent.sql
out=$(plan --exit-code)
is "$?" 0 "renamed back, the plan is empty"

# the new query reads a view the same apply replaces in place: replaced too
cat >sql/views/kinds.sql <<'SQL'
CREATE VIEW kinds AS SELECT DISTINCT kind FROM events;
SQL
cat >sql/views/tags.sql <<'SQL'
CREATE VIEW tags AS SELECT DISTINCT 't' || kind AS tag FROM events;
SQL
out=$(apply)
ok $? "two more root views are added"
before=$(sql "$oids")
cat >sql/views/kinds.sql <<'SQL'
CREATE VIEW kinds AS SELECT DISTINCT kind, 1 AS n FROM events ORDER BY kind;
SQL
sed -i 's/WHERE score > 20/WHERE score > 20 AND kind IN (SELECT kind FROM kinds)/' sql/views/recent.sql
out=$(plan)
like "$out" "REPLACE VIEW public.kinds" "the other view is replaced in place (a column appended)"
like "$out" "REPLACE VIEW public.recent" "and so is this one, which now reads it: nothing it reads is dropped"
is "$(steps "$out")" 2 "two steps"
out=$(apply)
ok $? "the apply succeeds"
is "$(sql "$oids")" "$before" "the dependents stay"

# the new query reads a view the same apply recreates: recreated too
cat >sql/views/tags.sql <<'SQL'
CREATE VIEW tags AS SELECT DISTINCT ('t' || kind)::varchar AS tag FROM events;
SQL
sed -i 's/score > 20 AND/score > 25 AND kind NOT IN (SELECT tag FROM tags) AND/' sql/views/recent.sql
out=$(plan)
like "$out" "its new query reads view.public.tags, which this apply drops and recreates" \
	"a view reading a view that is recreated first is recreated too, and the plan says why"
out=$(apply)
ok $? "the apply succeeds"
is "$(sql "SELECT count(*) FROM dep_1")" 25 "the dependents read the new query"

# the new query reads a table a pending migration alters
cat >migrations/002_labels.sql <<'SQL'
ALTER TABLE labels ALTER COLUMN label TYPE varchar(40);
SQL
sed -i 's/score > 25 AND/score > 26 AND kind NOT IN (SELECT label FROM labels) AND/' sql/views/recent.sql
out=$(plan)
like "$out" "its new query reads table.public.labels, which a pending migration alters" \
	"a view reading a table a migration alters is recreated"
out=$(apply)
ok $? "the apply succeeds"
out=$(plan --exit-code)
is "$?" 0 "the next plan is empty"

# a lattice: under two views, 24 layers of two materialized views, each
# reading both of the layer above (2^24 paths from the top), and one more
# at the bottom.  Replacing the top view in place refreshes every one of
# them, each after both it reads: found once per view, not once per path.
echo 'CREATE VIEW lat_0_a AS SELECT id, score FROM events WHERE score > 5;' >sql/views/lat_0_a.sql
echo 'CREATE VIEW lat_0_b AS SELECT id, score FROM events;' >sql/views/lat_0_b.sql
i=1
while [ $i -le 24 ]; do
	for x in a b; do
		printf 'CREATE MATERIALIZED VIEW lat_%d_%s AS SELECT p.id, p.score FROM lat_%d_a p JOIN lat_%d_b q USING (id);\n' \
			$i $x $((i - 1)) $((i - 1)) >sql/views/lat_${i}_$x.sql
	done
	i=$((i + 1))
done
echo 'CREATE MATERIALIZED VIEW lat_sum AS SELECT count(*) AS n FROM lat_24_a;' >sql/views/lat_sum.sql
out=$(apply)
ok $? "the lattice applies"
is "$(sql "SELECT n FROM lat_sum")" 45 "its last materialized view holds what the views give"
sed -i 's/score > 5/score > 15/' sql/views/lat_0_a.sql
out=$(plan)
is "$(steps "$out")" 1 "replacing the top of the lattice is one step"
is "$(pgmg plan --migrations-dir=migrations --code-dir=sql --format=json | grep -o 'REFRESH MATERIALIZED VIEW' | wc -l)" 49 \
	"which refreshes the 49 materialized views below"
out=$(apply)
ok $? "and it succeeds"
is "$(sql "SELECT n FROM lat_sum")" 35 "the materialized view at the bottom was refreshed after all above it"
done_testing
