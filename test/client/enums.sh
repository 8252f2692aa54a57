#!/bin/sh
# test/client/enums.sh - labels appended to an enum and used in the same
# change (by a new view, by a migration) apply in one pgmg apply: the labels
# are committed first, then the rest runs; plan shows the split.  Labels
# appended alone need no split.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql/types sql/views
echo "CREATE TYPE task_state AS ENUM ('new', 'done');" >sql/types/task_state.sql
cat >migrations/001_tasks.sql <<'SQL'
CREATE TABLE tasks (id int PRIMARY KEY, state task_state NOT NULL DEFAULT 'new');
INSERT INTO tasks VALUES (1, 'done'), (2, 'new');
SQL
echo "CREATE VIEW open_tasks AS SELECT id FROM tasks WHERE state <> 'done';" >sql/views/open_tasks.sql

plan() { pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1; }
apply() { pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1; }

out=$(apply)
ok $? "the project applies"

# a label appended alone: one transaction, no pause
echo "CREATE TYPE task_state AS ENUM ('new', 'done', 'blocked');" >sql/types/task_state.sql
out=$(plan)
unlike "$out" "Commit the new enum labels" "a label appended alone needs no pause"
out=$(apply)
ok $? "it applies"
unlike "$out" "New enum labels committed" "in one transaction"

# a label appended and used at once, by a view and by a migration
echo "CREATE TYPE task_state AS ENUM ('new', 'done', 'blocked', 'archived');" >sql/types/task_state.sql
echo "CREATE VIEW archived_tasks AS SELECT id FROM tasks WHERE state = 'archived';" >sql/views/archived_tasks.sql
echo "UPDATE tasks SET state = 'archived' WHERE id = 1;" >migrations/002_archive.sql
out=$(plan)
ok $? "plan runs"
like "$out" "1. REPLACE TYPE public.task_state (from sql/types/task_state.sql)" "the labels are added first"
like "$out" "2. Commit the new enum labels" "then committed"
like "$out" "Then: run migration: 002_archive.sql" "the migration runs after"
like "$out" "Then: apply sql/views/archived_tasks.sql" "and so does the new view"
out=$(apply)
ok $? "one pgmg apply succeeds"
like "$out" "New enum labels committed; applying the rest:" "it says it committed the labels first"
is "$(sql "SELECT count(*) FROM archived_tasks")" 1 "the view and the migration used the new label"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations WHERE name = '002_archive.sql'")" 1 "the migration is recorded"
out=$(plan --exit-code 2>&1)
is "$?" 0 "the next plan is empty"

# what pgmg.plan() returns shows the pause as a row
echo "CREATE TYPE task_state AS ENUM ('new', 'done', 'blocked', 'archived', 'gone');" >sql/types/task_state.sql
echo "CREATE VIEW gone_tasks AS SELECT id FROM tasks WHERE state = 'gone';" >sql/views/gone_tasks.sql
out=$(pgmg plan --migrations-dir=migrations --code-dir=sql --format=json 2>&1)
like "$out" '"action":"pause","object":"enum labels"' "the JSON plan has the pause row"
like "$out" '"action":"later","object":"views/gone_tasks.sql"' "and the view as a later step"
apply >/dev/null
is "$(sql "SELECT count(*) FROM gone_tasks")" 0 "and the apply succeeds"
done_testing
