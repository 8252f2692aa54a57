#!/bin/sh
# examples/demo.sh - the demo command (make demo).
#
# Installs what is missing, builds and installs pgmg, starts a throwaway
# PostgreSQL 15 cluster, creates a project from the basic template
# (examples/templates/basic) with pgmg init, and runs bin/pgmg plan, then
# apply, then plan again, then its tests; then plans and applies a new
# migration that changes a column views depend on.
set -eu
cd "$(dirname "$0")/.."
sh test/deps.sh
sh test/build.sh
if [ "${1:-}" != "--in-cluster" ]; then
	exec pg_virtualenv -v 15 sh examples/demo.sh --in-cluster
fi

PATH="$(pwd)/bin:$PATH"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "\$ pgmg init demo --template basic"
(cd "$scratch" && pgmg init demo --template basic)
cd "$scratch/demo"
echo
createdb pgmg_demo
PGDATABASE=pgmg_demo
export PGDATABASE
echo "\$ pgmg plan"
pgmg plan
echo
echo "\$ pgmg apply"
pgmg apply
echo
echo "\$ pgmg plan"
pgmg plan
echo
echo "\$ psql -c 'SELECT * FROM get_user_summary(1)'"
psql -X -q -c "INSERT INTO users (name) VALUES ('ann')"
psql -X -c "SELECT * FROM get_user_summary(1)"
echo
echo "\$ pgmg test"
pgmg test

# a new migration changes a column that views depend on
echo 'ALTER TABLE users ALTER COLUMN name TYPE varchar(200);' >migrations/004_widen_user_name.sql
echo
echo "\$ echo 'ALTER TABLE users ALTER COLUMN name TYPE varchar(200);' > migrations/004_widen_user_name.sql"
echo "\$ pgmg plan"
pgmg plan
echo
echo "\$ pgmg apply"
pgmg apply
