#!/bin/sh
# test/client/restore.sh - a project applied in one database stays clean in
# every copy of it: pg_dump | psql, pg_dump -Fc + pg_restore, CREATE
# DATABASE ... TEMPLATE, and pg_upgrade to a second cluster.  In each copy
# plan is empty and status all ok; the first apply there takes the records
# again and changes nothing else; drift made by hand in a copy is still
# found, and only there.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql/types sql/functions sql/views sql/triggers
echo 'CREATE SCHEMA shop;' >migrations/001_schema.sql
cat >migrations/002_shop.sql <<'EOF'
CREATE TABLE shop.customers (id int PRIMARY KEY, name text NOT NULL, home shop.address);
CREATE TABLE shop.orders (
	id int PRIMARY KEY,
	customer int NOT NULL REFERENCES shop.customers,
	state shop.order_state NOT NULL DEFAULT 'new',
	amount shop.positive NOT NULL,
	placed timestamptz NOT NULL DEFAULT now(),
	touched timestamptz
);
ALTER TABLE shop.orders ENABLE ROW LEVEL SECURITY;
INSERT INTO shop.customers VALUES (1, 'Ann', ROW('1 Main St', 'Oslo')), (2, 'Bob', NULL);
INSERT INTO shop.orders (id, customer, state, amount) VALUES (1, 1, 'paid', 30), (2, 1, 'new', 12), (3, 2, 'paid', 7);
EOF
# code the tables use: a composite type, an enum, a domain with a default
# and a check calling a function
cat >sql/types/address.sql <<'EOF'
CREATE TYPE shop.address AS (street text, city text COLLATE "C");
COMMENT ON TYPE shop.address IS 'where a customer lives';
EOF
cat >sql/types/order_state.sql <<'EOF'
CREATE TYPE shop.order_state AS ENUM ('new', 'paid', 'shipped');
EOF
cat >sql/types/positive.sql <<'EOF'
CREATE DOMAIN shop.positive AS numeric(10,2) DEFAULT 1 CHECK (shop.is_positive(VALUE));
EOF
cat >sql/functions/is_positive.sql <<'EOF'
CREATE FUNCTION shop.is_positive(n numeric) RETURNS boolean
	LANGUAGE sql IMMUTABLE STRICT RETURN n > 0;
EOF
cat >sql/functions/order_total.sql <<'EOF'
CREATE FUNCTION shop.order_total(c integer) RETURNS numeric LANGUAGE sql STABLE
BEGIN ATOMIC
	SELECT coalesce(sum(o.amount), 0) FROM shop.orders o WHERE o.customer = c AND o.state <> 'new';
END;
EOF
cat >sql/functions/label.sql <<'EOF'
CREATE FUNCTION shop.label(a shop.address) RETURNS text
	LANGUAGE sql IMMUTABLE SET search_path = pg_catalog
	AS $$ SELECT coalesce(a.street || ', ' || a.city, 'unknown') $$;
GRANT EXECUTE ON FUNCTION shop.label(shop.address) TO PUBLIC;
EOF
cat >sql/functions/touch.sql <<'EOF'
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.touched := now();
	RETURN NEW;
END $$;
EOF
cat >sql/functions/max_amount.sql <<'EOF'
CREATE AGGREGATE shop.max_amount(shop.positive) (SFUNC = pg_catalog.numeric_larger, STYPE = numeric);
EOF
cat >sql/functions/near.sql <<'EOF'
CREATE FUNCTION shop.near(a numeric, b numeric) RETURNS boolean
	LANGUAGE sql IMMUTABLE RETURN abs(a - b) < 1;
CREATE OPERATOR shop.~~~ (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = shop.near);
EOF
cat >sql/views/paid.sql <<'EOF'
CREATE VIEW shop.paid AS
	SELECT o.id, o.customer, o.amount::numeric AS amount, o.placed
	  FROM shop.orders o WHERE o.state = 'paid';
ALTER VIEW shop.paid SET (security_barrier = true);
COMMENT ON VIEW shop.paid IS 'paid orders';
EOF
cat >sql/views/totals.sql <<'EOF'
CREATE VIEW shop.totals AS
	SELECT c.name, shop.label(c.home) AS home, shop.order_total(c.id) AS total,
	       (SELECT count(*) FROM shop.paid p WHERE p.customer = c.id AND p.amount OPERATOR(shop.~~~) 30) AS near_30
	  FROM shop.customers c;
EOF
cat >sql/views/daily.sql <<'EOF'
CREATE MATERIALIZED VIEW shop.daily AS
	SELECT date_trunc('day', placed) AS day, shop.max_amount(amount) AS biggest, count(*) AS n
	  FROM shop.orders GROUP BY 1;
CREATE UNIQUE INDEX daily_day ON shop.daily (day);
EOF
cat >sql/triggers/touch_orders.sql <<'EOF'
CREATE TRIGGER touch_orders BEFORE UPDATE ON shop.orders
	FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION shop.touch();
ALTER TABLE shop.orders DISABLE TRIGGER touch_orders;
EOF
cat >sql/triggers/own_orders.sql <<'EOF'
CREATE POLICY own_orders ON shop.orders FOR SELECT TO PUBLIC USING (customer > 0 AND state <> 'shipped');
EOF
# pm COMMAND [OPTION...]: the client on this project
pm() {
	cmd=$1
	shift
	pgmg "$cmd" --migrations-dir=migrations --code-dir=sql "$@"
}

out=$(pm apply 2>&1)
ok $? "the project applies"
is "$(sql 'SELECT count(*) FROM pgmg.pgmg_state')" 15 "15 objects are managed"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_state WHERE fingerprint NOT LIKE 'd1:%'")" 0 "every fingerprint is a canonical one"

# check: in database $1, plan is empty and status all ok
clean_in() {
	out=$(PGDATABASE=$1 pm plan --exit-code 2>&1)
	is "$?" 0 "$2: plan finds nothing to do"
	like "$out" "nothing to do" "$2: and says so"
	out=$(PGDATABASE=$1 pm status 2>&1)
	unlike "$out" "drift" "$2: status reports no drift"
	unlike "$out" "modified" "$2: nor a modified file"
	is "$(PGDATABASE=$1 psql -X -At -c "SELECT count(*) FROM pgmg.status('$(files_json)') WHERE state <> 'ok' AND state <> 'applied'")" 0 "$2: pgmg.status() says ok for all"
}
# the file set as pgmg.status() takes it
files_json() {
	perl -MJSON::PP -e '
		my (%code, %mig);
		for my $f (glob("sql/*/*.sql")) { local $/; open(my $h, "<", $f) or die; (my $k = $f) =~ s{^sql/}{}; $code{$k} = <$h>; }
		for my $f (glob("migrations/*.sql")) { local $/; open(my $h, "<", $f) or die; (my $k = $f) =~ s{^migrations/}{}; $mig{$k} = <$h>; }
		my $j = JSON::PP->new->canonical->encode({code => \%code, migrations => \%mig});
		$j =~ s/\x27/\x27\x27/g;
		print $j;'
}
clean_in "$PGDATABASE" "the database itself"

# copies
copy1="${PGDATABASE}_sql"
copy2="${PGDATABASE}_fc"
copy3="${PGDATABASE}_tpl"
drop_copies() {
	for copy in "$copy1" "$copy2" "$copy3"; do
		PGDATABASE=postgres dropdb --if-exists "$copy" >/dev/null 2>&1
	done
}
trap 'drop_copies; cleanup' EXIT
createdb "$copy1" && pg_dump "$PGDATABASE" | psql -X -q -v ON_ERROR_STOP=1 -d "$copy1" >/dev/null 2>&1
ok $? "pg_dump | psql makes a copy"
pg_dump -Fc -f "$scratch/dump.fc" "$PGDATABASE" && createdb "$copy2" && pg_restore -d "$copy2" "$scratch/dump.fc" >/dev/null 2>&1
ok $? "pg_dump -Fc + pg_restore makes a copy"
createdb -T "$PGDATABASE" "$copy3"
ok $? "CREATE DATABASE ... TEMPLATE makes a copy"
clean_in "$copy1" "pg_dump | psql"
clean_in "$copy2" "pg_restore"
clean_in "$copy3" "template copy"

# the first apply in a copy executes nothing but takes the records again
out=$(PGDATABASE=$copy1 pm apply 2>&1)
ok $? "apply in the restored copy succeeds"
like "$out" "Nothing to do." "and has nothing to run"
is "$(PGDATABASE=$copy1 psql -X -At -c "SELECT catalog_version LIKE '%;' || r.xmin || ':%' FROM pgmg.pgmg_state, pg_rewrite r WHERE object_name = 'view.shop.paid' AND ev_class = 'shop.paid'::regclass")" t \
	"the records name the copy's own catalog rows now"
is "$(PGDATABASE=$copy1 psql -X -At -c "SELECT count(*) FROM shop.daily")" 1 "the materialized view kept its data"
clean_in "$copy1" "pg_dump | psql, after an apply"

# drift made by hand in one copy is found there, and only there
PGDATABASE=$copy2 psql -X -q -c "CREATE OR REPLACE VIEW shop.paid AS SELECT o.id, o.customer, o.amount::numeric AS amount, o.placed FROM shop.orders o WHERE o.state = 'shipped'" >/dev/null
PGDATABASE=$copy2 psql -X -q -c "CREATE OR REPLACE FUNCTION shop.near(a numeric, b numeric) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN abs(a - b) < 2" >/dev/null
out=$(PGDATABASE=$copy2 pm plan 2>&1)
like "$out" "views/paid.sql (drift" "a view changed by hand in a copy is drift"
like "$out" "functions/near.sql (drift" "so is a function"
unlike "$out" "views/daily.sql (drift" "the others are not"
clean_in "$copy3" "the other copies"

# pg_upgrade to a second cluster of the same version
bindir=/usr/lib/postgresql/15/bin
up=$(mktemp -d)
[ "$(id -u)" != 0 ] || chown postgres "$up"
trap 'server_stop "$up/old"; server_stop "$up/new"; rm -rf "$up"; drop_copies; cleanup' EXIT
as_postgres "$bindir/initdb" -D "$up/old" -A trust >"$up/initdb.log" 2>&1 &&
	as_postgres "$bindir/initdb" -D "$up/new" -A trust >>"$up/initdb.log" 2>&1
ok $? "two clusters for pg_upgrade"
conn=$(server_start "$up/old") || bail_out "the cluster to upgrade did not start"
psql -X -q -d "$(printf '%s' "$conn" | sed 's/dbname=[^ ]*/dbname=postgres/')" -c "CREATE DATABASE $PGDATABASE" >/dev/null
pg_dump "$PGDATABASE" | psql -X -q -v ON_ERROR_STOP=1 -d "$conn" >/dev/null 2>&1
ok $? "the project is copied into the old cluster"
out=$(pm apply --connection-string="$conn" 2>&1)
ok $? "and applied there (taking its records)"
as_postgres pg_ctl -D "$up/old" -m fast -w stop >/dev/null 2>&1
# pg_upgrade writes its logs in the current directory
if [ "$(id -u)" = 0 ]; then
	(cd "$up" && runuser -u postgres -- "$bindir/pg_upgrade" -b "$bindir" -B "$bindir" \
		-d "$up/old" -D "$up/new" -s "$up" -p 5498 -P 5499 >"$up/upgrade.log" 2>&1)
else
	(cd "$up" && "$bindir/pg_upgrade" -b "$bindir" -B "$bindir" \
		-d "$up/old" -D "$up/new" -s "$up" -p 5498 -P 5499 >"$up/upgrade.log" 2>&1)
fi
status=$?
ok "$status" "pg_upgrade upgrades the cluster"
[ "$status" = 0 ] || sed 's/^/# /' "$up/upgrade.log" | tail -20
conn=$(server_start "$up/new") || bail_out "the upgraded cluster did not start"
out=$(pm plan --exit-code --connection-string="$conn" 2>&1)
is "$?" 0 "after pg_upgrade: plan finds nothing to do"
like "$out" "nothing to do" "after pg_upgrade: and says so"
out=$(pm status --connection-string="$conn" 2>&1)
unlike "$out" "drift" "after pg_upgrade: status reports no drift"
server_stop "$up/new"

done_testing
