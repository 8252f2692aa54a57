#!/usr/bin/perl
# bench/generate.pl - write a synthetic pgmg project for the benchmarks.
#
# Usage: perl bench/generate.pl DIR [OBJECTS] [TABLES]
# Writes DIR/migrations/001_tables.sql (TABLES tables) and DIR/sql/ with
# OBJECTS code objects: composite and enum types, views in chains and
# diamonds, BEGIN ATOMIC, RETURN, string-body SQL and plpgsql functions,
# trigger functions and triggers.  File names are random with respect to
# dependency order.  Also writes DIR/ordered.sql: every code file in a
# correct dependency order, the input of the physical limit (psql -1 -f),
# and DIR/meta.txt: a leaf view, a root view and the table under it.
use strict;
use warnings;
use File::Path qw(make_path);

my ($dir, $objects, $tables) = @ARGV;
die "usage: generate.pl DIR [OBJECTS] [TABLES]\n" unless $dir;
$objects //= 5000;
$tables //= 200;
srand(42);
make_path("$dir/migrations", "$dir/sql");

open(my $m, '>', "$dir/migrations/001_tables.sql") or die;
for my $t (1 .. $tables) {
	print $m "CREATE TABLE t$t (id integer PRIMARY KEY, a integer, b text, c numeric);\n";
}
close($m);

my @order;          # [path, text] in dependency order
my @views;          # view names
my %children;       # view -> number of views built on it
my %root_of;        # view -> table at its root
my ($ntypes, $ntrig) = (int($objects * 0.02), int($objects * 0.04));
my $nfuncs = int($objects * 0.36);
my $nviews = $objects - $ntypes - 2 * $ntrig - $nfuncs;

sub emit {
	my ($name, $text) = @_;
	push @order, [sprintf('%s/%08x_%s.sql', (qw(views funcs misc))[int(rand(3))], int(rand(2**31)), $name), $text];
}

for my $i (1 .. $ntypes) {
	if ($i % 2) {
		emit("ty$i", "CREATE TYPE ty$i AS (x integer, y text);\n");
	} else {
		emit("ty$i", "CREATE TYPE ty$i AS ENUM ('a', 'b', 'c');\n");
	}
}
for my $i (1 .. $ntrig) {
	my $t = 1 + ($i - 1) % $tables;
	emit("trgf$i", "CREATE FUNCTION trgf$i() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.a := coalesce(NEW.a, $i); RETURN NEW; END \$\$;\n");
	emit("trg$i", "CREATE TRIGGER trg$i BEFORE INSERT ON t$t FOR EACH ROW EXECUTE FUNCTION trgf$i();\n");
}

# views and functions interleaved, each on tables or earlier views
my ($v, $f) = (0, 0);
while ($v < $nviews || $f < $nfuncs) {
	if ($v < $nviews && ($f >= $nfuncs || rand() < $nviews / ($nviews + $nfuncs))) {
		$v++;
		my $name = "v$v";
		my $r = rand();
		my $text;
		if (@views < 20 || $r < 0.15) {
			my $t = 1 + int(rand($tables));
			$text = "CREATE VIEW $name AS SELECT id, a, b, c FROM t$t WHERE a IS NOT NULL;\n";
			$root_of{$name} = "t$t";
		} elsif ($r < 0.30) {
			my $l = $views[int(rand(@views))];
			my $rr = $views[int(rand(@views))];
			$text = "CREATE VIEW $name AS SELECT l.id, l.a, r.b, l.c FROM $l l JOIN $rr r USING (id);\n";
			$children{$l}++; $children{$rr}++;
			$root_of{$name} = $root_of{$l};
		} else {
			# chains favour recent views, so they grow deep
			my $p = $views[@views - 1 - int(rand(rand() < 0.7 ? 10 : @views))];
			$text = "CREATE VIEW $name AS SELECT id, a + 1 AS a, b, c FROM $p;\n";
			$children{$p}++;
			$root_of{$name} = $root_of{$p};
		}
		push @views, $name;
		emit($name, $text);
	} else {
		$f++;
		my $src = (@views && rand() < 0.6) ? $views[int(rand(@views))] : "t" . (1 + int(rand($tables)));
		my $kind = $f % 4;
		my $text;
		if ($kind == 0) {
			$text = "CREATE FUNCTION fn$f(p integer) RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(*) FROM $src WHERE id > p; END;\n";
			$children{$src}++ if $src =~ /^v/;
		} elsif ($kind == 1) {
			$text = "CREATE FUNCTION fn$f(p integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN p * $f;\n";
		} elsif ($kind == 2) {
			$text = "CREATE FUNCTION fn$f(p integer) RETURNS bigint LANGUAGE sql STABLE AS \$\$ SELECT count(*) FROM $src WHERE id > p \$\$;\n";
		} else {
			$text = "CREATE FUNCTION fn$f(p integer) RETURNS integer LANGUAGE plpgsql AS \$\$ BEGIN RETURN p + (SELECT count(*) FROM $src)::integer; END \$\$;\n";
		}
		emit("fn$f", $text);
	}
}

open(my $all, '>', "$dir/ordered.sql") or die;
print $all "SET check_function_bodies = off;\n";
for my $o (@order) {
	my ($path, $text) = @$o;
	make_path("$dir/sql/" . ($path =~ m{^(.*)/} ? $1 : ''));
	open(my $fh, '>', "$dir/sql/$path") or die "$path: $!";
	print $fh $text;
	close($fh);
	print $all $text;
}
close($all);

# a leaf view (nothing on it) and the root view with the most dependents
my ($leaf) = grep { !$children{$_} } reverse @views;
my %path_of = map { my ($n) = $_->[0] =~ /_(\w+)\.sql$/; ($n => $_->[0]) } @order;
my ($root) = sort { ($children{$b} // 0) <=> ($children{$a} // 0) } grep { $root_of{$_} && $path_of{$_} } @views[0 .. 19];
open(my $meta, '>', "$dir/meta.txt") or die;
print $meta "leaf $leaf $path_of{$leaf}\nroot $root $path_of{$root}\ntable $root_of{$root}\n";
close($meta);
printf "%d code files (%d views, %d functions, %d types, %d trigger functions and triggers) over %d tables\n",
	scalar(@order), $nviews, $nfuncs, $ntypes, $ntrig, $tables;
