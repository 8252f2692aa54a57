#!/bin/sh
# test/client/security.sh - the client's own SQL is immune to a search_path
# that puts a hostile schema before pg_catalog.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql
echo 'CREATE TABLE hj.t (id int);' >migrations/001_t.sql
echo 'CREATE VIEW hj.v AS SELECT id FROM hj.t;' >sql/v.sql
sql 'CREATE EXTENSION pgmg' >/dev/null
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE SCHEMA hj;
CREATE SCHEMA evil;
CREATE DOMAIN evil.text AS integer;
CREATE FUNCTION evil.count(anyelement) RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked count'; END $$;
CREATE FUNCTION evil.max(anyelement) RETURNS anyelement LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked max'; END $$;
CREATE FUNCTION evil.eq(pg_catalog.text, pg_catalog.text) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked ='; END $$;
CREATE OPERATOR evil.= (leftarg = pg_catalog.text, rightarg = pg_catalog.text, function = evil.eq);
CREATE FUNCTION evil.row_to_json(record) RETURNS json LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked row_to_json'; END $$;
SQL
PGOPTIONS='-c search_path=evil,public,pg_catalog'
export PGOPTIONS

out=$(pgmg plan --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "plan works under a hostile search_path"
unlike "$out" "hijacked" "and calls none of the hostile functions"
like "$out" "1. Run migration: 001_t.sql" "and plans the work"
out=$(pgmg apply --migrations-dir=migrations --code-dir=sql 2>&1); status=$?
is "$status" 0 "apply works under a hostile search_path"
unlike "$out" "hijacked" "and calls none of them"
like "$out" "Created view: hj.v" "and does the work"
out=$(pgmg status --migrations-dir=migrations --code-dir=sql --format=json 2>&1); status=$?
is "$status" 0 "status --format=json works too"
unlike "$out" "hijacked" "without calling them"
like "$out" '"state":"ok"' "and reports the view"
# the checks below run with the default search_path
unset PGOPTIONS
is "$(sql "SELECT count(*) FROM pgmg.pgmg_state")" 1 "the view is managed"

done_testing
