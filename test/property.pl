#!/usr/bin/perl
# test/property.pl - convergence under random edit sequences (TAP).
#
# From a seeded generator, N random edit steps (add, modify, delete views
# and functions over a few tables; views with and without a WHERE, so that
# many edits replace a view in place, and some selecting * from a table;
# now and then a migration adding a column
# whose domain and default come from code files, added in the same step)
# are applied one at a time with bin/pgmg apply.  After every apply: (a)
# plan is empty, and (b) the schema equals a fresh database built from the
# same files in one apply -- every migration with the code it needs created
# before it -- compared as pg_dump --schema-only of both without pgmg's own
# schema.
#
# Usage: perl test/property.pl [--steps N] [--seed S]
# libpq's environment names the server; databases pgmg_prop_* are created
# and dropped.  The seed is printed so a failure can be replayed.
use strict;
use warnings;
use File::Temp qw(tempdir);
use File::Path qw(make_path);
use Getopt::Long;

my $steps = 200;
my $seed = $ENV{PGMG_PROPERTY_SEED} // int(time() % 100000);
GetOptions('steps=i' => \$steps, 'seed=i' => \$seed) or die "usage\n";
srand($seed);
print "# seed $seed, $steps steps (replay: perl test/property.pl --seed $seed --steps $steps)\n";

my $repo = $0;
$repo =~ s{/test/property\.pl$}{};
$repo = '.' if $repo eq $0;
my $pgmg = "$repo/bin/pgmg";
my $dir = tempdir(CLEANUP => 1);
my $code = "$dir/sql";
my $mig = "$dir/migrations";
make_path($code, $mig);
my $base = "pgmg_prop_base_$$";
my $work = "pgmg_prop_work_$$";
my $fresh = "pgmg_prop_fresh_$$";

sub sh {
	my ($cmd) = @_;
	my $out = `$cmd 2>&1`;
	return ($? >> 8, $out);
}

sub psql {
	my ($db, $sql) = @_;
	my ($st, $out) = sh(qq{psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "$sql"});
	die "psql $db failed: $out" if $st;
	return $out;
}

# the template: three tables and the extension
sh("dropdb --if-exists $_") for ($base, $work, $fresh);
(sh("createdb $base"))[0] == 0 or die "createdb";
psql($base, 'CREATE EXTENSION pgmg');
psql($base, 'CREATE TABLE t1 (id int PRIMARY KEY, a int, b text)');
psql($base, 'CREATE TABLE t2 (id int PRIMARY KEY, c numeric)');
psql($base, 'CREATE TABLE t3 (id int PRIMARY KEY, d date)');
(sh("createdb -T $base $work"))[0] == 0 or die "createdb work";

# objects o0..o11, alternately views and functions; object i may only
# reference tables and objects j < i, so the files never form a cycle
my $nobj = 12;
my @kind = map { $_ % 3 == 2 ? 'function' : 'view' } 0 .. $nobj - 1;
my %def;	# i -> { refs => [...], text => ... } of existing files
my %colcode;	# name -> text: domains and functions migrations' columns use,
				# never changed once made
my $nmig = 0;

sub name { my ($i) = @_; return ($kind[$i] eq 'view' ? 'v' : 'f') . $i; }

sub referenced {
	my ($i) = @_;
	for my $j (keys %def) {
		return 1 if grep { $_ == $i } @{ $def{$j}{refs} };
	}
	return 0;
}

sub generate {
	my ($i) = @_;
	my @lower = grep { $_ < $i && exists $def{$_} } 0 .. $nobj - 1;
	my @views = grep { $kind[$_] eq 'view' } @lower;
	my @funcs = grep { $kind[$_] eq 'function' } @lower;
	my @refs;
	my $source;
	if (@views && rand() < 0.6) {
		my $v = $views[int(rand(@views))];
		push @refs, $v;
		$source = name($v);
	} else {
		$source = ('t1', 't2', 't3')[int(rand(3))];
	}
	if ($kind[$i] eq 'view') {
		my @cols = ('id');
		push @cols, 'id * 2 AS twice' if rand() < 0.5;
		push @cols, "'tag$i'::text AS tag" if rand() < 0.5;
		push @cols, 'id + ' . int(rand(9)) . ' AS shifted' if rand() < 0.4;
		if (@funcs && rand() < 0.5) {
			my $f = $funcs[int(rand(@funcs))];
			push @refs, $f;
			push @cols, name($f) . '(id) AS via_' . name($f);
		}
		# now and then every column of a table: a column a migration adds
		# must reach it as a fresh build would
		@cols = ('*') if $source =~ /^t/ && rand() < 0.15;
		# a WHERE changes the query, not the columns: replaced in place
		my $where = rand() < 0.4 ? ' WHERE id > ' . int(rand(5)) : '';
		my $text = 'CREATE VIEW ' . name($i) . ' AS SELECT ' . join(', ', @cols)
			. " FROM $source$where;\n";
		$text .= "COMMENT ON VIEW " . name($i) . " IS 'view $i, " . int(rand(100)) . "';\n"
			if rand() < 0.3;
		return { refs => \@refs, text => $text };
	}
	my $ret = rand() < 0.5 ? 'bigint' : 'numeric';
	my $style = int(rand(3));
	my $body;
	if ($style == 0) {
		$body = "BEGIN ATOMIC SELECT count(*)::$ret FROM $source WHERE id > p; END";
	} elsif ($style == 1) {
		$body = "RETURN (SELECT count(*)::$ret FROM $source WHERE id > p)";
	} else {
		# a string body: late-bound, its reference is not a dependency
		@refs = ();
		$body = "AS \$\$ SELECT count(*)::$ret FROM $source WHERE id > p \$\$";
	}
	return { refs => \@refs,
			 text => 'CREATE FUNCTION ' . name($i) . "(p integer) RETURNS $ret LANGUAGE sql STABLE $body;\n" };
}

sub write_files {
	unlink glob("$code/*.sql");
	for my $i (keys %def) {
		# file names sort against the dependency order on purpose
		my $path = sprintf('%s/%02d_%s.sql', $code, 99 - $i, name($i));
		open(my $fh, '>', $path) or die "$path: $!";
		print $fh $def{$i}{text};
		close($fh);
	}
	for my $name (keys %colcode) {
		my $path = "$code/col_$name.sql";
		open(my $fh, '>', $path) or die "$path: $!";
		print $fh $colcode{$name};
		close($fh);
	}
}

# a migration adding a column of domain dK with default cfK(); the domain's
# CHECK calls cfK too, so the migration needs both files, in that order
sub add_migration {
	my $k = int(rand(3));
	$colcode{"d$k"} //= "CREATE DOMAIN d$k AS integer CHECK (VALUE >= -cf$k());\n";
	$colcode{"cf$k"} //= "CREATE FUNCTION cf$k() RETURNS integer LANGUAGE sql IMMUTABLE RETURN $k;\n";
	$nmig++;
	my $t = ('t1', 't2', 't3')[int(rand(3))];
	my $path = sprintf('%s/%03d_add_c%d.sql', $mig, $nmig, $nmig);
	open(my $fh, '>', $path) or die "$path: $!";
	print $fh "ALTER TABLE $t ADD COLUMN c$nmig d$k DEFAULT cf$k();\n";
	close($fh);
	return "migration $nmig adds $t.c$nmig (d$k, cf$k)";
}

sub dump_schema {
	my ($db) = @_;
	my ($st, $out) = sh("pg_dump --schema-only --no-owner -N pgmg -d $db");
	die "pg_dump $db failed: $out" if $st;
	$out =~ s/^--.*\n//mg;
	$out =~ s/^\\(un)?restrict .*\n//mg;
	return $out;
}

my $n = 0;
my $failed = 0;
for my $step (1 .. $steps) {
	my $i = int(rand($nobj));
	my $what;
	if (rand() < 0.1) {
		$what = add_migration();
	} elsif (!exists $def{$i}) {
		$def{$i} = generate($i);
		$what = 'add ' . name($i);
	} elsif (rand() < 0.25 && !referenced($i)) {
		delete $def{$i};
		$what = 'delete ' . name($i);
	} else {
		# keep the names others reference working: a modified object keeps
		# its kind; dependents only ever use id and the (p integer) form
		$def{$i} = generate($i);
		$what = 'modify ' . name($i);
	}
	write_files();

	my $dirs = "--code-dir=$code --migrations-dir=$mig";
	my ($st, $out) = sh("PGDATABASE=$work $pgmg apply $dirs");
	my ($pst, $plan) = sh("PGDATABASE=$work $pgmg plan $dirs --exit-code");
	sh("dropdb --if-exists $fresh");
	(sh("createdb -T $base $fresh"))[0] == 0 or die "createdb fresh";
	my ($fst, $fout) = sh("PGDATABASE=$fresh $pgmg apply $dirs");
	my ($dw, $df) = (dump_schema($work), dump_schema($fresh));
	my $same = $st == 0 && $fst == 0 && $dw eq $df;

	$n++;
	if ($st == 0 && $pst == 0 && $same) {
		print "ok $n - step $step: $what converges\n";
	} else {
		$failed++;
		print "not ok $n - step $step: $what converges\n";
		print map { "#   $_\n" } split /\n/, "apply:\n$out\nplan:\n$plan\nfresh apply:\n$fout";
		if ($dw ne $df) {
			open(my $a, '>', "$dir/work.sql") or die; print $a $dw; close($a);
			open(my $b, '>', "$dir/fresh.sql") or die; print $b $df; close($b);
			my (undef, $diff) = sh("diff -u $dir/work.sql $dir/fresh.sql");
			print map { "#   $_\n" } split /\n/, "schema diff (incremental vs fresh):\n$diff";
		}
		last;
	}
}

sh("dropdb --if-exists $_") for ($work, $fresh, $base);
# a run that never added a migration did not test what it says
if ($nmig == 0 && $steps >= 50) {
	$n++;
	$failed++;
	print "not ok $n - the run added no migration\n";
}
print "1..$n\n";
exit($failed ? 1 : 0);
