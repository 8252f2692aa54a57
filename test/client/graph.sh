#!/bin/sh
# test/client/graph.sh - pgmg graph draws the managed objects and their
# dependencies (the engine's own edges, pgmg.graph()) as DOT that Graphviz
# renders, as Mermaid, or as JSON; --plan colours what a plan would drop,
# migrate, create or replace; --focus and --depth cut out a neighbourhood.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"
new_db

cd "$scratch" || exit 1
mkdir -p migrations sql/views sql/functions sql/types
printf 'migrations_dir = "migrations"\ncode_dir = "sql"\n' >pgmg.toml
cat >migrations/001_tables.sql <<'EOF'
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers, total numeric);
EOF
echo "CREATE TYPE order_size AS ENUM ('small', 'large');" >sql/types/order_size.sql
echo "CREATE FUNCTION size_of(total numeric) RETURNS order_size LANGUAGE sql IMMUTABLE RETURN CASE WHEN total > 100 THEN 'large'::order_size ELSE 'small'::order_size END;" >sql/functions/size_of.sql
echo 'CREATE VIEW order_sizes AS SELECT o.id, size_of(o.total) AS size FROM orders o;' >sql/views/order_sizes.sql
echo 'CREATE VIEW customer_orders AS SELECT c.name, s.size FROM customers c JOIN orders o ON o.customer_id = c.id JOIN order_sizes s ON s.id = o.id;' >sql/views/customer_orders.sql
cat >sql/functions/greeting.sql <<'EOF'
CREATE FUNCTION greeting() RETURNS text LANGUAGE sql AS $$ SELECT $q$hello "world"$q$ $$;
EOF
cat >sql/functions/order_count.sql <<'EOF'
CREATE FUNCTION order_count() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM order_sizes';
EOF
pgmg apply >/dev/null 2>&1 || echo "# apply failed"

dot_out=$(pgmg graph 2>/dev/null); status=$?
is "$status" 0 "graph exits 0"
like "$dot_out" "digraph pgmg {" "DOT by default"
like "$dot_out" '"type.public.order_size" -> "function.public.size_of(numeric)";' "the function needs its type"
like "$dot_out" '"function.public.size_of(numeric)" -> "view.public.order_sizes";' "the view needs the function"
like "$dot_out" '"view.public.order_sizes" -> "view.public.customer_orders";' "a view needs the view it reads"
like "$dot_out" '"table.public.orders" -> "view.public.order_sizes";' "and the tables it reads, drawn"
like "$dot_out" '"table.public.customers" [label="table\npublic.customers", fillcolor="#eeeeee", shape=cylinder' "tables as grey cylinders (the migrations own them)"
like "$dot_out" '"function.public.greeting()" [label="function\npublic.greeting()"];' "an object on its own"
like "$dot_out" '"view.public.order_sizes" -> "function.public.order_count()" [style=dashed, color="#aaaaaa"];' "a string body's reference: a dashed edge (it orders nothing)"
unlike "$dot_out" "fillcolor=\"#b7e1cd\"" "without --plan nothing is coloured"
printf '%s\n' "$dot_out" >graph.dot
svg=$(dot -Tsvg graph.dot 2>&1); status=$?
is "$status" 0 "Graphviz renders it (dot -Tsvg)"
like "$svg" "<title>view.public.customer_orders</title>" "with every object in the picture"
is "$(printf '%s' "$svg" | grep -c 'class="edge"')" 7 "and all 7 edges"

# mermaid: structure (no Mermaid parser installs here without a browser)
mm=$(pgmg graph --format=mermaid 2>/dev/null); status=$?
is "$status" 0 "--format=mermaid exits 0"
check=$(printf '%s\n' "$mm" | awk '
	NR == 1 { if ($0 != "flowchart LR") bad = bad " header"; next }
	/^  n[0-9]+(\[\("|\[")/ {
		id = $1; sub(/[\[].*$/, "", id)
		if (id in node) bad = bad " duplicate:" id
		node[id] = 1
		label = $0; sub(/^  n[0-9]+\[\(?"/, "", label); sub(/"\)?\]$/, "", label)
		if (label ~ /"/) bad = bad " quote-in-label:" id
		next
	}
	/^  n[0-9]+ (-->|-\.->) n[0-9]+$/ { if (!($1 in node) || !($3 in node)) bad = bad " dangling:" $0; edges++; next }
	/^  classDef [a-z]+ fill:#[0-9a-f]+$/ { next }
	/^  class [n0-9,]+ [a-z]+$/ { next }
	{ bad = bad " line:" $0 }
	END { print (bad == "" ? "ok " edges : "bad" bad) }')
is "$check" "ok 7" "the Mermaid text is well formed: declared nodes, 7 edges between them"
like "$mm" '["function<br/>public.greeting()"]' "labels quoted"
# and Mermaid's own parser, where test/deps.sh could install it
mermaid_dir=${XDG_CACHE_HOME:-$HOME/.cache}/pgmg-test/mermaid
if command -v node >/dev/null 2>&1 && [ -d "$mermaid_dir/node_modules/mermaid" ]; then
	is "$(printf '%s\n' "$mm" | node "$repo_root/test/client/mermaid_parse.mjs" "$mermaid_dir" 2>&1)" parsed "Mermaid's parser reads it"
	is "$(printf 'flowchart LR\n  n1["a"b"]\n' | node "$repo_root/test/client/mermaid_parse.mjs" "$mermaid_dir" >/dev/null 2>&1; echo $?)" 1 "(and refuses a broken label: the check can fail)"
else
	ok 0 "# SKIP Mermaid's parser is not installed here (no npm or no registry): structure checked only"
	ok 0 "# SKIP"
fi

# --plan: what a plan would do, coloured
echo 'ALTER TABLE customers ADD COLUMN note text;' >migrations/002_note.sql
echo 'CREATE VIEW order_sizes AS SELECT o.id, size_of(o.total) AS size, o.total FROM orders o;' >sql/views/order_sizes.sql
rm sql/functions/greeting.sql
planned=$(pgmg graph --plan 2>/dev/null); status=$?
is "$status" 0 "graph --plan exits 0"
like "$planned" '"view.public.order_sizes" [label="view\npublic.order_sizes\n(replace)", fillcolor="#c6dafc"]' "a view replaced in place, blue"
like "$planned" '"function.public.greeting()" [label="function\npublic.greeting()\n(drop)", fillcolor="#f4c7c3", style="rounded,filled,dashed"]' "a deleted file's object dropped, red and dashed"
like "$planned" '"002_note.sql" [label="002_note.sql\n(migrate)", fillcolor="#d9d2e9", shape=note]' "the pending migration"
like "$planned" '"table.public.customers" [label="table\npublic.customers\n(alter)", fillcolor="#d9d2e9", shape=cylinder' "the table it alters"
printf '%s\n' "$planned" | dot -Tsvg >/dev/null 2>&1
is "$?" 0 "and Graphviz renders the plan's picture"
if command -v node >/dev/null 2>&1 && [ -d "$mermaid_dir/node_modules/mermaid" ]; then
	is "$(pgmg graph --plan --format=mermaid 2>/dev/null | node "$repo_root/test/client/mermaid_parse.mjs" "$mermaid_dir" 2>&1)" parsed "and Mermaid's parser reads the plan's, classes and all"
else
	ok 0 "# SKIP Mermaid's parser is not installed here"
fi
json=$(pgmg plan --format=json 2>/dev/null)
is "$(printf '%s' "$json" | perl -MJSON::PP -e 'my $e = decode_json(join("", <STDIN>)); my %a = map { $_->{object} => $_->{action} // "-" } @{$e->{nodes}}; print join(",", map { "$_=$a{$_}" } sort keys %a)')" \
	"002_note.sql=migrate,function.public.greeting()=drop,function.public.order_count()=-,function.public.size_of(numeric)=-,table.public.customers=alter,table.public.orders=-,type.public.order_size=-,view.public.customer_orders=-,view.public.order_sizes=replace" \
	"the plan's JSON has the same nodes, with what the plan does to each"

# --focus and --depth
near=$(pgmg graph --focus=order_sizes --depth=1 2>/dev/null)
is "$(printf '%s\n' "$near" | grep -c '\[label=')" 5 "--focus order_sizes --depth 1: it, the function it calls, its table, the view and the function reading it"
unlike "$near" "customers" "and nothing further"
is "$(pgmg graph --focus=view.public.order_sizes --depth=0 2>/dev/null | grep -c '\[label=')" 1 "--depth 0: the object alone"
is "$(pgmg graph --focus=views/customer_orders.sql --depth=9 2>/dev/null | grep -c '\[label=')" 7 "focus by file, deep: everything connected to it"
out=$(pgmg graph --focus=nothing_here 2>&1); status=$?
is "$status" 2 "a focus matching nothing is a usage error"
like "$out" "no object or file matches --focus nothing_here" "saying so"
out=$(pgmg graph --depth=x 2>&1); status=$?
is "$status" 2 "a bad --depth is a usage error"
out=$(pgmg plan --format=dot 2>&1); status=$?
is "$status" 2 "--format=dot belongs to graph"

# the SQL API, in a read-only transaction, changes nothing
files=$(pgmg files)
out=$(psql -X -q -At -v ON_ERROR_STOP=1 -v files="$files" <<'EOF'
BEGIN READ ONLY;
SELECT object || '|' || COALESCE(action, '') || '|' || array_to_string(depends_on, ',') || '|' || array_to_string(late_references, ',') FROM pgmg.graph(:'files') WHERE object LIKE 'view.%' OR object LIKE '%order_count%' ORDER BY object;
COMMIT;
EOF
)
is "$out" "function.public.order_count()|||view.public.order_sizes
view.public.customer_orders||table.public.customers,table.public.orders,view.public.order_sizes|
view.public.order_sizes|replace|function.public.size_of(numeric),table.public.orders|" "pgmg.graph() works read-only, with sorted edges, late ones apart"
is "$(sql "SELECT count(*) FROM pgmg.pgmg_migrations")" 1 "nothing was applied"

done_testing
