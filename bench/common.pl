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

# stdout_of CMD: its standard output alone (pgmg prints its JSON there
# and its messages on stderr); dies with both when it fails
sub stdout_of {
	my ($cmd) = @_;
	my $err = `mktemp`;
	chomp $err;
	my $out = `$cmd 2>$err`;
	my $status = $?;
	my $msg = `cat $err`;
	unlink $err;
	die "failed ($status): $cmd\n$out$msg" if $status;
	return $out;
}

# read_file PATH: its whole text
sub read_file {
	my ($path) = @_;
	open(my $fh, '<', $path) or die "$path: $!\n";
	my $text = do { local $/; <$fh> };
	close($fh);
	return $text;
}

# write_file PATH TEXT
sub write_file {
	my ($path, $text) = @_;
	open(my $fh, '>', $path) or die "$path: $!\n";
	print $fh $text;
	close($fh);
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

# floor_client REPO DIR DB SQLDIR: the upload-only floor of a no-op plan
# of the code files under SQLDIR against DB.  Writes DIR/pgmg-floor, a copy
# of the client whose plan query calls pgmg_bench.floor() instead of
# pgmg.plan(): the same client, the same psql session, checks and upload
# of the same files, and a function that only reads each file it is sent.
# The function fails unless it got every file with all its bytes, and the
# copy is refused unless exactly one query was replaced, so the floor
# cannot silently measure something else.  Returns the copy's path; drop
# the function with floor_drop DB.
sub floor_client {
	my ($repo, $dir, $db, $sqldir) = @_;
	my ($files, $bytes) = (0, 0);
	for my $f (split /\n/, sh("cd $sqldir && find . -name '*.sql'")) {
		$files++;
		$bytes += -s "$sqldir/$f";
	}
	die "bench: no code files under $sqldir\n" unless $files;
	my $text = read_file("$repo/bin/pgmg");
	my $n = ($text =~ s/(SELECT step, action, object, COALESCE\(file, ''\), reason FROM )pgmg\.plan\(/$1pgmg_bench.floor(/g);
	die "bench: the client's plan query was found $n times, not once: the floor would measure something else\n" unless $n == 1;
	write_file("$dir/pgmg-floor", $text);
	chmod 0755, "$dir/pgmg-floor";
	write_file("$dir/floor.sql", join('', "CREATE SCHEMA pgmg_bench;\n",
		"CREATE FUNCTION pgmg_bench.floor(files jsonb, allow boolean) RETURNS TABLE (step integer, action text, object text, file text, reason text)\n",
		"LANGUAGE plpgsql AS \$\$ DECLARE n bigint; b bigint; BEGIN\n",
		"SELECT count(*), sum(octet_length(e.value)) INTO n, b FROM jsonb_each_text(files->'code') e;\n",
		"IF n IS DISTINCT FROM $files OR b IS DISTINCT FROM $bytes THEN RAISE EXCEPTION 'floor: read % files of % bytes, not $files of $bytes', n, b; END IF;\n",
		"END \$\$;\n"));
	sh("psql -X -q -v ON_ERROR_STOP=1 -d $db -f $dir/floor.sql");
	return "$dir/pgmg-floor";
}

# floor_drop DB: the floor's function gone again
sub floor_drop {
	my ($db) = @_;
	sh("psql -X -q -v ON_ERROR_STOP=1 -d $db -c 'DROP FUNCTION pgmg_bench.floor(jsonb, boolean)' -c 'DROP SCHEMA pgmg_bench'");
}

# stats TIMES: (min, median, max)
sub stats {
	my @s = sort { $a <=> $b } @_;
	return ($s[0], $s[int(@s / 2)], $s[-1]);
}

1;
