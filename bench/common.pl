# bench/common.pl - what bench.pl and scale.pl both use: running commands,
# timing them, throwaway databases, objects recorded, and min / median / max.
# Every command's output is returned; a command that fails stops the
# benchmark with its output, so no workload can silently do nothing.
use strict;
use warnings;
use Time::HiRes qw(time);

# sh CMD: its output (stdout and stderr); dies when it fails
sub sh {
	my ($cmd) = @_;
	my $out = `$cmd 2>&1`;
	die "failed ($?): $cmd\n$out" if $?;
	return $out;
}

# timed CMD: the wall-clock seconds it took
sub timed {
	my ($cmd) = @_;
	my $t = time();
	sh($cmd);
	return time() - $t;
}

# fresh_db NAME TEMPLATE: database NAME, a new copy of TEMPLATE
sub fresh_db {
	my ($name, $template) = @_;
	sh("dropdb --if-exists $name");
	sh("createdb -T $template $name");
}

# recorded DB: how many objects pgmg records as managed in DB
sub recorded {
	my ($db) = @_;
	return sh("psql -X -At -d $db -c 'SELECT count(*) FROM pgmg.pgmg_state'") + 0;
}

# stats TIMES: (min, median, max)
sub stats {
	my @s = sort { $a <=> $b } @_;
	return ($s[0], $s[int(@s / 2)], $s[-1]);
}

1;
