#!/usr/bin/perl
# bench/bench.pl - pgmg against the physical limit, on a synthetic project.
#
# Usage: perl bench/bench.pl [--objects N] [--tables T] [--runs R] [--markdown FILE]
# libpq's environment names the server.  Databases pgmg_bench_* are created
# and dropped.  Every workload runs R times (default 5) in throwaway
# databases; min / median / max wall-clock times are printed, and the ratio
# of medians against what it is compared with, measured in the same run.
# This measures and reports; it never fails on a number.
use strict;
use warnings;
use File::Temp qw(tempdir);
use File::Copy qw(copy);
use File::Find qw(find);
use Getopt::Long;
use JSON::PP;
use Time::HiRes qw(time);

my ($objects, $tables, $runs, $markdown) = (5000, 200, 5, undef);
GetOptions('objects=i' => \$objects, 'tables=i' => \$tables, 'runs=i' => \$runs,
		   'markdown=s' => \$markdown) or die "usage\n";

my $repo = $0 =~ m{^(.*)/bench/bench\.pl$} ? $1 : '.';
my $pgmg = "$repo/bin/pgmg";
my $dir = tempdir(CLEANUP => 1);
require "$repo/bench/common.pl";
my $proj = "$dir/project";

print sh("perl $repo/bench/generate.pl $proj $objects $tables");
my ($files, $bytes) = (0, 0);
find(sub { if (/\.sql$/) { $files++; $bytes += -s $_ } }, "$proj/sql");
my %meta = map { my @f = split; ($f[0] => [@f[1 .. $#f]]) } split /\n/, sh("cat $proj/meta.txt");

# templates: tables only (with the extension), and the whole project applied
sh("dropdb --if-exists pgmg_bench_tables");
sh("createdb pgmg_bench_tables");
sh("psql -X -q -v ON_ERROR_STOP=1 -d pgmg_bench_tables -f $proj/migrations/001_tables.sql -c 'CREATE EXTENSION pgmg'");
fresh_db('pgmg_bench_applied', 'pgmg_bench_tables');
sh("PGDATABASE=pgmg_bench_applied $pgmg apply --code-dir=$proj/sql");

my @rows;

sub report {
	my ($name, $times, $base_name, $base, $target, $note) = @_;
	my ($min, $med, $max) = stats(@$times);
	my $ratio = defined $base ? $med / (stats(@$base))[1] : undef;
	push @rows, [$name, $min, $med, $max, $base_name, $ratio, $target, $note // ''];
	printf "%-44s min %7.3f s  median %7.3f s  max %7.3f s%s\n", $name, $min, $med, $max,
		defined $ratio ? sprintf('  ratio %.3f vs %s%s', $ratio, $base_name,
								 defined $target ? " (target $target)" : '') : '';
}

# the plan of the current project files against a database, as JSON
sub plan_json {
	my ($db, $args) = @_;
	return decode_json(stdout_of("PGDATABASE=$db $pgmg plan --format=json $args"))->{steps};
}

# the plan must do something, or the workload measures nothing
sub need_work {
	my ($name, $steps) = @_;
	die "bench: the plan for '$name' has no steps: the workload would measure nothing\n" unless @$steps;
}

# how many objects a plan creates (fresh or recreated)
sub recreated {
	my ($steps) = @_;
	return scalar(grep { $_->{action} eq 'create' } @$steps);
}

# a plan's steps counted by action: "1 replace", "835 drop, 835 create"
sub describe {
	my ($steps) = @_;
	my %n;
	$n{ $_->{action} }++ for @$steps;
	return join(', ', map { "$n{$_} $_" } sort keys %n);
}

# a script that runs the plan's statements with plain psql (the "hand-written" way)
sub plan_script {
	my ($steps, $path) = @_;
	open(my $fh, '>', $path) or die;
	print $fh "SET check_function_bodies = off;\n";
	print $fh "$_->{statement}\n" for @$steps;
	close($fh);
}

# the same change, from the fully applied project, made $runs times by a
# plain psql script and by pgmg apply with these arguments
sub script_vs_pgmg {
	my ($script, $args) = @_;
	my (@hand, @tool);
	for my $i (1 .. $runs) {
		fresh_db('pgmg_bench_x', 'pgmg_bench_applied');
		push @hand, timed("psql -X -q -1 -v ON_ERROR_STOP=1 -d pgmg_bench_x -f $script");
		fresh_db('pgmg_bench_x', 'pgmg_bench_applied');
		push @tool, timed("PGDATABASE=pgmg_bench_x $pgmg apply $args");
	}
	return (\@hand, \@tool);
}

# the server-side limit: the same DDL in the same order, run by the server
# itself in one DO block (one statement, one transaction, no round trips)
sh("perl $repo/bench/limit.pl $proj/ordered.sql > $dir/limit.sql");

# 1. fresh apply vs the server-side limit and psql -1 -f of the same files
# in a correct order
my (@server, @limit, @fresh);
for my $i (1 .. $runs) {
	fresh_db('pgmg_bench_x', 'pgmg_bench_tables');
	push @server, timed("psql -X -q -v ON_ERROR_STOP=1 -d pgmg_bench_x -f $dir/limit.sql");
	fresh_db('pgmg_bench_x', 'pgmg_bench_tables');
	push @limit, timed("psql -X -q -1 -v ON_ERROR_STOP=1 -d pgmg_bench_x -f $proj/ordered.sql");
	fresh_db('pgmg_bench_x', 'pgmg_bench_tables');
	push @fresh, timed("PGDATABASE=pgmg_bench_x $pgmg apply --code-dir=$proj/sql");
}
my $made = recorded('pgmg_bench_x');
die "bench: the fresh apply recorded $made objects, not $files\n" unless $made == $files;
report("server-side limit: one DO block, $files objects", \@server);
report("psql -1 -f, $files objects", \@limit, 'server-side limit', \@server);
report("fresh apply of $files objects", \@fresh, 'server-side limit', \@server, '<= 1.2');
report("fresh apply of $files objects", \@fresh, "psql -1 -f", \@limit);

# 2. no-op plan, against the upload-only floor: the same client sending the
# same files to a function that only reads them
my $floor = floor_client($repo, $dir, 'pgmg_bench_applied', "$proj/sql");
my (@noop, @floor);
for my $i (1 .. $runs) {
	push @noop, timed("PGDATABASE=pgmg_bench_applied $pgmg plan --code-dir=$proj/sql");
	push @floor, timed("PGDATABASE=pgmg_bench_applied $floor plan --code-dir=$proj/sql");
}
floor_drop('pgmg_bench_applied');
report('upload-only floor (the plan call reads the files only)', \@floor);
report('no-op plan (nothing changed)', \@noop, 'upload-only floor', \@floor, '<= 1.5');

# 3. one leaf view edited
my ($leaf, $leaf_path) = @{ $meta{leaf} };
copy("$proj/sql/$leaf_path", "$dir/leaf.orig") or die;
sh("sed -i 's/WHERE a IS NOT NULL/WHERE a IS NOT NULL AND true/; s/AS a,/AS a ,/' $proj/sql/$leaf_path");
my $leaf_plan = plan_json('pgmg_bench_applied', "--code-dir=$proj/sql");
need_work('one leaf view edited', $leaf_plan);
my @leaf;
for my $i (1 .. $runs) {
	fresh_db('pgmg_bench_x', 'pgmg_bench_applied');
	push @leaf, timed("PGDATABASE=pgmg_bench_x $pgmg apply --code-dir=$proj/sql");
}
report('one leaf view edited', \@leaf, 'fresh apply', \@fresh, '<= 0.02', describe($leaf_plan));
copy("$dir/leaf.orig", "$proj/sql/$leaf_path") or die;

# 4. the root view edited, against the plan's own statements run by psql:
# first a column retyped (the closure is recreated), then only its WHERE
# (the view is replaced in place, its dependents untouched)
my ($root, $root_path) = @{ $meta{root} };
copy("$proj/sql/$root_path", "$dir/root.orig") or die;
sh("sed -i 's/SELECT id, a,/SELECT id, a::bigint AS a,/' $proj/sql/$root_path");
my $retype_plan = plan_json('pgmg_bench_applied', "--code-dir=$proj/sql");
need_work('root view column retyped', $retype_plan);
my $k = recreated($retype_plan) - 1;
plan_script($retype_plan, "$dir/retype.sql");
my ($retype_hand, $retype_pgmg) = script_vs_pgmg("$dir/retype.sql", "--code-dir=$proj/sql");
report("hand-written drop/create of root + $k dependents", $retype_hand);
report("root view's column retyped ($k dependents)", $retype_pgmg, 'hand-written script', $retype_hand,
	   '<= 1.2', describe($retype_plan));
copy("$dir/root.orig", "$proj/sql/$root_path") or die;

sh("sed -i 's/WHERE a IS NOT NULL/WHERE a IS NOT NULL AND id > -1/' $proj/sql/$root_path");
my $root_plan = plan_json('pgmg_bench_applied', "--code-dir=$proj/sql");
need_work('root view WHERE edited', $root_plan);
plan_script($root_plan, "$dir/root.sql");
my ($root_hand, $root_pgmg) = script_vs_pgmg("$dir/root.sql", "--code-dir=$proj/sql");
report('hand-written CREATE OR REPLACE of the root view', $root_hand);
report("root view's WHERE edited ($k dependents)", $root_pgmg, 'hand-written script', $root_hand,
	   '<= 1.2', describe($root_plan));
report("root view's WHERE edited ($k dependents)", $root_pgmg, 'drop/create of the closure', $retype_hand,
	   '< 1', 'what the edit cost before in-place replacement');
copy("$dir/root.orig", "$proj/sql/$root_path") or die;

# 5. migrations on the root's table: one retyping a column every dependent
# reads (all K are recreated), one adding a column and an index (none is)
my ($table) = @{ $meta{table} };
sh("mkdir -p $dir/add && cp $proj/migrations/001_tables.sql $dir/add/");
sh("echo 'ALTER TABLE $table ALTER COLUMN a TYPE bigint;' > $proj/migrations/002_alter.sql");
sh("printf 'ALTER TABLE $table ADD COLUMN d integer;\\nCREATE INDEX ON $table (d);\\n' > $dir/add/002_add.sql");
sh("PGDATABASE=pgmg_bench_applied $pgmg baseline 001_tables.sql --migrations-dir=$proj/migrations");
for my $w (['a column retyped', "$proj/migrations", 'alter'], ['a column and an index added', "$dir/add", 'add']) {
	my ($what, $mdir, $name) = @$w;
	my $plan = plan_json('pgmg_bench_applied', "--code-dir=$proj/sql --migrations-dir=$mdir");
	need_work("migration: $what", $plan);
	my $mk = recreated($plan);
	plan_script($plan, "$dir/$name.sql");
	my ($hand, $tool) = script_vs_pgmg("$dir/$name.sql", "--code-dir=$proj/sql --migrations-dir=$mdir");
	report("hand-written migration ($what), $mk objects recreated", $hand);
	report("migration: $what ($mk objects recreated)", $tool, 'hand-written script', $hand, '<= 1.2',
		   describe($plan));
}

# 6. the client's upload of the file set, alone: the client's own upload
# functions, sending every file to a temporary table; the rows and bytes
# that arrived are checked, so that the row cannot silently measure nothing
# (the upload section, and the JSON string escaper copy_rows uses, defined
# further down)
{
	my $client = read_file($pgmg);
	my ($upload) = $client =~ /^(# -* upload\n.*?^# -* output\n)/ms or die "bench: no upload section in $pgmg\n";
	my ($escaper) = $client =~ /^(awk_json='.*?^\}')$/ms or die "bench: no awk_json in $pgmg\n";
	write_file("$dir/upload.sh", "$upload$escaper\n");
}
write_file("$dir/upload_run.sh", "nl='\n'\n. $dir/upload.sh\n{ echo 'CREATE TEMP TABLE u (grp text, path text, content text); COPY u FROM STDIN;'; copy_rows code $proj/sql || exit 1; printf '\\\\.\\n'; echo 'SELECT count(*), sum(octet_length(content)) FROM u;'; } | psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 -d pgmg_bench_applied\n");
my @upload;
for my $i (1 .. $runs) {
	my $t = time();
	my $got = sh("sh $dir/upload_run.sh");
	push @upload, time() - $t;
	die "bench: the upload sent '$got', not $files files of $bytes bytes\n" unless $got =~ /^$files $bytes$/m;
}
report("upload of $files files ($bytes bytes) by the client", \@upload, undef, undef, '< 0.5 s');

# 7. 500 sequential migrations from empty: pgmg against Sqitch
if (system('command -v sqitch >/dev/null 2>&1') == 0) {
	my $sq = "$dir/sqitch";
	sh("mkdir -p $sq/deploy $sq/revert $sq/migrations");
	open(my $conf, '>', "$sq/sqitch.conf") or die;
	print $conf "[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n";
	close($conf);
	open(my $plan, '>', "$sq/sqitch.plan") or die;
	print $plan "%syntax-version=1.0.0\n%project=bench\n\n";
	for my $i (1 .. 500) {
		my $n = sprintf('%03d', $i);
		my $ddl = "CREATE TABLE m$n (id integer PRIMARY KEY, v text);\n";
		print $plan "m$n 2026-11-22T00:00:00Z Bench <bench\@example.com> # change $n\n";
		sh("printf 'BEGIN;\\n%s\\nCOMMIT;\\n' '$ddl' > $sq/deploy/m$n.sql");
		sh("printf 'DROP TABLE m$n;\\n' > $sq/revert/m$n.sql");
		sh("printf '%s' '$ddl' > $sq/migrations/${n}_m.sql");
	}
	close($plan);
	my (@sqitch, @pgmg500);
	for my $i (1 .. $runs) {
		fresh_db('pgmg_bench_x', 'template0');
		push @sqitch, timed("cd $sq && sqitch deploy db:pg:pgmg_bench_x");
		fresh_db('pgmg_bench_x', 'template0');
		push @pgmg500, timed("PGDATABASE=pgmg_bench_x $pgmg apply --migrations-dir=$sq/migrations");
	}
	report('Sqitch: 500 migrations from empty', \@sqitch);
	report('pgmg: 500 migrations from empty', \@pgmg500, 'Sqitch', \@sqitch, 'faster (< 1)');
} else {
	print "Sqitch is not installed: the 500-migration comparison is skipped\n";
}

# where the time goes: the engine's own phases, fresh and no-op
fresh_db('pgmg_bench_x', 'pgmg_bench_tables');
my ($phase_fresh) = sh("PGDATABASE=pgmg_bench_x PGOPTIONS='-c pgmg.timing=on' $pgmg apply --code-dir=$proj/sql") =~ /timing: ([^\n]*)/;
my ($phase_noop) = sh("PGDATABASE=pgmg_bench_x PGOPTIONS='-c pgmg.timing=on' $pgmg apply --code-dir=$proj/sql") =~ /timing: ([^\n]*)/;
print "engine phases, fresh apply: $phase_fresh\n";
print "engine phases, no-op apply: $phase_noop\n";

sh("dropdb --if-exists $_") for qw(pgmg_bench_x pgmg_bench_applied pgmg_bench_tables);

if ($markdown) {
	open(my $md, '>', $markdown) or die;
	print $md "| workload | min s | median s | max s | compared with | ratio (medians) | target | note |\n";
	print $md "|---|---|---|---|---|---|---|---|\n";
	for my $r (@rows) {
		printf $md "| %s | %.3f | %.3f | %.3f | %s | %s | %s | %s |\n", $r->[0], $r->[1], $r->[2], $r->[3],
			$r->[4] // '', defined $r->[5] ? sprintf('%.3f', $r->[5]) : '', $r->[6] // '', $r->[7];
	}
	print $md "\nEngine phases, fresh apply: $phase_fresh  \nEngine phases, no-op apply: $phase_noop\n";
	close($md);
}
