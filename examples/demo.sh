#!/bin/sh
# examples/demo.sh - the demo command (make demo).
#
# Installs what is missing, builds and installs pgmg, starts a throwaway
# PostgreSQL 15 cluster and runs bin/pgmg plan, then apply, then plan again
# on this example project (see pgmg.toml beside this file).
set -eu
cd "$(dirname "$0")/.."
sh test/deps.sh
sh test/build.sh
if [ "${1:-}" != "--in-cluster" ]; then
	exec pg_virtualenv -v 15 sh examples/demo.sh --in-cluster
fi

PATH="$(pwd)/bin:$PATH"
cd examples
createdb pgmg_demo
PGDATABASE=pgmg_demo
export PGDATABASE
# pgmg does not run table migrations itself yet: plain psql runs them here
echo "\$ psql -f migrations/*.sql    (table migrations, run by plain psql)"
for migration in migrations/*.sql; do
	psql -X -q -v ON_ERROR_STOP=1 -f "$migration"
done
echo
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
