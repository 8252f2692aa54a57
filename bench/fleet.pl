#!/usr/bin/perl
# bench/fleet.pl - one project applied to a fleet of tenant databases,
# --jobs 1 against --jobs 2 and --jobs 4, on the same machine in one run.
#
# Usage: perl bench/fleet.pl [--tenants N] [--objects N] [--tables T] [--runs R]
#                            [--markdown FILE]
# libpq's environment names the server.  Databases pgmg_fleet_* are created
# and dropped.  Each run creates N empty tenant databases (not timed), then
# times "pgmg apply --targets=tenants --jobs=J" over them; after every run
# each tenant must hold every object, or the benchmark fails: a run that
# did no work measures nothing.  Prints min / median / max wall-clock
# seconds and the ratio of medians to --jobs 1.  Never fails on a number.
use strict;
use warnings;
use File::Spec;
use File::Temp qw(tempdir);
use Getopt::Long;

my ($tenants, $objects, $tables, $runs, $markdown) = (100, 500, 20, 3, undef);
GetOptions('tenants=i' => \$tenants, 'objects=i' => \$objects, 'tables=i' => \$tables,
		   'runs=i' => \$runs, 'markdown=s' => \$markdown) or die "usage\n";

my $repo = $0 =~ m{^(.*)/bench/fleet\.pl$} ? $1 : '.';
# absolute: the fleet runs from the project directory
my $pgmg = File::Spec->rel2abs("$repo/bin/pgmg");
my $dir = tempdir(CLEANUP => 1);
require "$repo/bench/common.pl";
my $proj = "$dir/project";
print sh("perl $repo/bench/generate.pl $proj $objects $tables");
open(my $t, '>', "$proj/pgmg.toml") or die;
print $t qq{migrations_dir = "migrations"\ncode_dir = "sql"\n\n[targets.tenants]\nserver = "dbname=postgres"\n},
	qq{query = "SELECT datname FROM pg_database WHERE datname LIKE 'pgmg_fleet_t%' ORDER BY 1"\n};
close($t);

# make_tenants: N empty tenant databases; drop_tenants: none
sub make_tenants {
	for my $i (1 .. $tenants) {
		my $name = sprintf('pgmg_fleet_t%04d', $i);
		sh("dropdb --if-exists $name");
		sh("createdb -T template0 $name");
	}
}
sub drop_tenants {
	sh("dropdb --if-exists " . sprintf('pgmg_fleet_t%04d', $_)) for 1 .. $tenants;
}
# the number of objects one apply records: measured once, in one tenant
sh("dropdb --if-exists pgmg_fleet_probe");
sh("createdb -T template0 pgmg_fleet_probe");
sh("cd $proj && PGDATABASE=pgmg_fleet_probe $pgmg apply");
my $expected = recorded('pgmg_fleet_probe');
sh("dropdb pgmg_fleet_probe");
die "fleet: the project records no objects\n" unless $expected > 0;

my %times;
for my $run (1 .. $runs) {
	for my $jobs (1, 2, 4) {
		make_tenants();
		my $s = timed("cd $proj && $pgmg apply --targets=tenants --jobs=$jobs");
		# every tenant did the work
		my $short = sh("psql -X -At -d postgres -c \"SELECT count(*) FROM pg_database WHERE datname LIKE 'pgmg_fleet_t%'\"") + 0;
		die "fleet: $short tenant databases, not $tenants\n" unless $short == $tenants;
		for my $i (1 .. $tenants) {
			my $got = recorded(sprintf('pgmg_fleet_t%04d', $i));
			die "fleet: tenant $i records $got objects, not $expected (jobs $jobs)\n" unless $got == $expected;
		}
		push @{$times{$jobs}}, $s;
		printf "run %d, --jobs %d: %.2f s\n", $run, $jobs, $s;
	}
}
drop_tenants();

my @lines = (sprintf("Fleet: %d tenant databases x %d objects (%d tables), %d run(s), %d CPU(s)",
					 $tenants, $expected, $tables, $runs, `nproc` + 0),
			 '', '| --jobs | min s | median s | max s | median / --jobs 1 |', '|---|---|---|---|---|');
my $base = (stats(@{$times{1}}))[1];
for my $jobs (1, 2, 4) {
	my ($min, $med, $max) = stats(@{$times{$jobs}});
	push @lines, sprintf('| %d | %.2f | %.2f | %.2f | %.2f |', $jobs, $min, $med, $max, $med / $base);
}
print join("\n", @lines), "\n";
if ($markdown) {
	open(my $md, '>', $markdown) or die;
	print $md join("\n", @lines), "\n";
	close($md);
}
