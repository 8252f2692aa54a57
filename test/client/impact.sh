#!/bin/sh
# test/client/impact.sh - a migration recreates only what reads what it
# changes: the views reading a column it retypes, drops or renames (and
# what depends on them), views reading whole rows of the table, views whose
# file selects * when it adds a column; nothing for subcommands no
# dependent can notice.  A populated materialized view it does not affect
# keeps its data; one it recreates is populated again.  A file that still
# names a renamed column is an error in plan.  A DO block keeps the
# conservative rule.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql/views
{
	printf 'CREATE TABLE wide (id int PRIMARY KEY'
	i=1
	while [ $i -le 20 ]; do printf ', c%d int NOT NULL DEFAULT %d' $i $i; i=$((i + 1)); done
	printf ');\n'
	printf 'INSERT INTO wide (id) SELECT generate_series(1, 100);\n'
} >migrations/001_wide.sql
i=1
while [ $i -le 20 ]; do
	printf 'CREATE VIEW v%d AS SELECT id, c%d FROM wide;\n' $i $i >sql/views/v$i.sql
	i=$((i + 1))
done
echo 'CREATE VIEW v7_top AS SELECT id, c7 * 2 AS c7x FROM v7;' >sql/views/v7_top.sql
echo 'CREATE VIEW v_star AS SELECT * FROM wide;' >sql/views/v_star.sql
echo 'CREATE VIEW v_row AS SELECT w.id, row_to_json(w) AS j FROM wide w;' >sql/views/v_row.sql
echo 'CREATE VIEW v_grp AS SELECT id, c1 FROM wide GROUP BY id;' >sql/views/v_grp.sql
cat >sql/views/m3.sql <<'SQL'
CREATE MATERIALIZED VIEW m3 AS SELECT id, c3 FROM wide;
CREATE UNIQUE INDEX m3_id ON m3 (id);
SQL
echo 'CREATE MATERIALIZED VIEW m5 AS SELECT id, c5 FROM wide;' >sql/views/m5.sql

plan() { pgmg plan --migrations-dir=migrations --code-dir=sql "$@" 2>&1; }
apply() { pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1; }
# the cause of OBJECT's ACTION step in the JSON plan
cause() { pgmg plan --migrations-dir=migrations --code-dir=sql --format=json | step_cause "$1" "$2"; }
# the OID of each view, to see which were made again
views() {
	sql "SELECT string_agg(relname || '=' || oid, ' ' ORDER BY relname) FROM pg_class
		WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm')"
}
# the names whose OID differs between two views() outputs
changed() {
	printf '%s\n' "$1" | tr ' ' '\n' >"$scratch/a"
	printf '%s\n' "$2" | tr ' ' '\n' >"$scratch/b"
	grep -vxF -f "$scratch/a" "$scratch/b" | sed 's/=.*//' | tr '\n' ' ' | sed 's/ $//'
}

out=$(apply)
ok $? "the project applies"
# rows the materialized views have not seen: recomputing them would count them
sql "INSERT INTO wide (id) SELECT generate_series(101, 110)" >/dev/null

# subcommands no dependent can notice, and a column added
cat >migrations/002_harmless.sql <<'SQL'
ALTER TABLE wide ADD COLUMN c21 int, ADD CONSTRAINT c1_positive CHECK (c1 > 0);
ALTER TABLE wide ALTER COLUMN c2 DROP NOT NULL, ALTER COLUMN c4 SET DEFAULT 40;
ALTER TABLE wide ALTER COLUMN c5 SET STATISTICS 500;
CREATE INDEX wide_c6 ON wide (c6);
COMMENT ON COLUMN wide.c8 IS 'the eighth';
SQL
before=$(views)
out=$(plan)
ok $? "plan runs"
like "$out" "views/v_star.sql (its file selects * and migration 002_harmless.sql adds a column to table.public.wide (line 1))" \
	"the view whose file selects * is recreated, and the plan says why"
is "$(printf '%s\n' "$out" | grep -c '^[0-9]*\. DROP')" 1 "it is the only object dropped"
is "$(cause view.public.v_star create)" \
	'{"change":"adds a column","kind":"star","line":1,"migration":"002_harmless.sql","object":"table.public.wide"}' \
	"the JSON plan carries the cause as fields"
out=$(apply)
ok $? "the apply succeeds"
is "$(changed "$before" "$(views)")" "v_star" "only v_star was made again"
is "$(sql "SELECT count(*) FROM m3")" 100 "the materialized view kept its data (it did not see the new rows)"
is "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'v_star' AND column_name = 'c21'")" 1 \
	"v_star has the new column, as a fresh build would"
out=$(plan --exit-code)
is "$?" 0 "the next plan is empty"

# one column retyped
cat >migrations/003_c7.sql <<'SQL'
ALTER TABLE wide ALTER COLUMN c7 TYPE bigint;
SQL
before=$(views)
out=$(plan)
like "$out" "views/v7.sql (reads table.public.wide.c7, retyped by migration 003_c7.sql (line 1))" \
	"the view reading the column is recreated, and the plan names table, column and migration"
like "$out" "view.public.v7_top (depends on view.public.v7" "and so is its dependent"
like "$out" "views/v_row.sql (reads whole rows of table.public.wide, whose column c7 is retyped" \
	"a view reading whole rows counts as reading the column"
is "$(cause view.public.v7 drop)" \
	'{"change":"retyped","column":"c7","kind":"column","line":1,"migration":"003_c7.sql","object":"table.public.wide"}' \
	"the JSON cause names table, column, change, migration and line"
is "$(cause view.public.v7_top create)" '{"kind":"depends_on","object":"view.public.v7"}' \
	"a dependent's cause names what it depends on"
is "$(cause view.public.v_row create)" \
	'{"change":"retyped","column":"c7","kind":"whole_row","line":1,"migration":"003_c7.sql","object":"table.public.wide"}' \
	"a whole-row reader's cause says so"
is "$(cause 003_c7.sql migrate)" '{"kind":"pending"}' "a migration's cause is pending"
out=$(apply)
ok $? "the apply succeeds"
is "$(changed "$before" "$(views)")" "v7 v7_top v_row v_star" "only those, and the * view, were made again"
is "$(sql "SELECT data_type FROM information_schema.columns WHERE table_name = 'v7' AND column_name = 'c7'")" bigint \
	"the recreated view has the new type"

# one column dropped, with the file changes that go with it
cat >migrations/004_c3.sql <<'SQL'
ALTER TABLE wide DROP COLUMN c3;
SQL
rm sql/views/v3.sql
cat >sql/views/m3.sql <<'SQL'
CREATE MATERIALIZED VIEW m3 AS SELECT id, c4 FROM wide;
CREATE UNIQUE INDEX m3_id ON m3 (id);
SQL
before=$(views)
out=$(plan)
ok $? "plan runs"
out=$(apply)
ok $? "the apply succeeds"
is "$(changed "$before" "$(views)")" "m3 v_row v_star" "only the changed materialized view and the views reading every column were made again"
is "$(sql "SELECT relispopulated FROM pg_class WHERE relname = 'm3'")" t "the recreated materialized view is populated"
is "$(sql "SELECT count(*) FROM m3")" 110 "with every row"
is "$(sql "SELECT count(*) FROM m5")" 100 "the other materialized view kept its data"

# a constraint dropped: what depends on it
cat >migrations/005_check.sql <<'SQL'
ALTER TABLE wide DROP CONSTRAINT c1_positive;
SQL
before=$(views)
out=$(apply)
ok $? "dropping a constraint nothing depends on applies"
is "$(changed "$before" "$(views)")" "" "and makes nothing again"

# a column renamed under a view whose file still names it
cat >migrations/006_c9.sql <<'SQL'
ALTER TABLE wide RENAME COLUMN c9 TO c9_renamed;
SQL
out=$(plan); status=$?
[ $status -ne 0 ]
ok $? "plan refuses a rename under a file that still names the column"
like "$out" "view.public.v9, defined in \"views/v9.sql\" at line 1, still reads column c9 of table.public.wide, which migration \"006_c9.sql\" renamed to c9_renamed (line 1)" \
	"the error names the view, its file and line, the column and the migration"
like "$out" "42703" "with SQLSTATE 42703"
before=$(views)
out=$(apply); status=$?
[ $status -ne 0 ]
ok $? "apply refuses it too"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations WHERE name = '006_c9.sql'")" 0 "and runs nothing"
echo 'CREATE VIEW v9 AS SELECT id, c9_renamed AS c9 FROM wide;' >sql/views/v9.sql
out=$(apply)
ok $? "with the file changed in the same change, the apply succeeds"
is "$(changed "$before" "$(views)")" "v9 v_row v_star" "only the view reading the column (and the ones reading every column) was made again"

# a migration pgmg cannot read keeps the conservative rule
cat >migrations/007_do.sql <<'SQL'
DO $$ BEGIN EXECUTE 'ALTER TABLE wide ADD COLUMN c22 int'; END $$;
SQL
out=$(plan)
like "$out" "view.public.v1 (depends on table.public.wide, and migration 007_do.sql runs DO or CALL (line 1), which may alter any table)" \
	"a DO block recreates every view on the table, saying why"
is "$(cause view.public.v1 drop)" \
	'{"change":"DO or CALL","kind":"any_table","line":1,"migration":"007_do.sql","object":"table.public.wide"}' \
	"and the cause in fields"
out=$(apply)
ok $? "the apply succeeds"
out=$(plan --exit-code)
is "$?" 0 "the next plan is empty"
done_testing
