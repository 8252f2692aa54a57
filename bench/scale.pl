#!/usr/bin/perl
# bench/scale.pl - how pgmg grows with the size of a project.
#
# Usage: perl bench/scale.pl [--sizes 1000,5000,20000,50000] [--runs R]
#                            [--overloads N] [--markdown FILE]
# libpq's environment names the server (a superuser: backend memory is read
# from /proc through pg_read_file).  For each size, generate.pl writes a
# project of that many code objects over size/25 tables, and in throwaway
# databases pgmg_scale_* this measures, R times (default 3), min / median:
#   - the server-side limit (bench/limit.pl: the same DDL in a correct order
#     run by the server in one DO block) and pgmg's fresh apply through the
#     client, as a ratio of medians;
#   - the backend's peak memory (VmHWM) for the limit and for one fresh
#     apply through the SQL API (pgmg.apply(files) in a psql session);
#   - a no-op plan against the upload-only floor (common.pl's
#     floor_client: the same client sending the same files to a function
#     that only reads them), and a leaf view edited minus a no-op apply
#     (the same client path, each on a fresh copy of the applied database),
#     against one hand-written DROP VIEW + CREATE VIEW of it;
#   - the lock-table entries the plan predicts against those held at the
#     end of a fresh apply.
# Then the growth exponents between consecutive sizes (log t2/t1 over
# log n2/n1).  With --overloads N (default 5000; 0 skips it), a project of N
# functions of one name, each on its own domain, fresh-applied against the
# limit.  Every workload checks that it did its work (objects recorded,
# steps planned) and dies if not.  This measures and reports; it never fails
# on a number.
use strict;
use warnings;
use File::Temp qw(tempdir);
use Getopt::Long;
use JSON::PP;

my ($sizes, $runs, $overloads, $markdown) = ('1000,5000,20000,50000', 3, 5000, undef);
GetOptions('sizes=s' => \$sizes, 'runs=i' => \$runs, 'overloads=i' => \$overloads,
		   'markdown=s' => \$markdown) or die "usage\n";

my $repo = $0 =~ m{^(.*)/bench/scale\.pl$} ? $1 : '.';
my $pgmg = "$repo/bin/pgmg";
my $dir = tempdir(CLEANUP => 1);
require "$repo/bench/common.pl";

sub median { return (stats(@_))[1]; }

sub minimum { return (stats(@_))[0]; }

# the peak resident memory of the backend, in kB, after the SQL in FILE
my $peak_sql = "SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\\s+(\\d+) kB'))[1]";
sub peak_kb {
	my ($db, $file) = @_;
	my $out = sh("psql -X -q -At -v ON_ERROR_STOP=1 -d $db -f $file -c \"$peak_sql\"");
	my ($kb) = $out =~ /(\d+)\s*$/ or die "no VmHWM in: $out\n";
	return $kb;
}

# the code files of a project as the JSON file set of the SQL API
sub files_json {
	my ($sqldir, $path) = @_;
	my %code;
	for my $f (split /\n/, sh("cd $sqldir && find . -name '*.sql' | sed 's|^\\./||'")) {
		open(my $fh, '<', "$sqldir/$f") or die;
		local $/;
		$code{$f} = <$fh>;
		close($fh);
	}
	open(my $out, '>', $path) or die;
	print $out encode_json({code => \%code});
	close($out);
	return scalar(keys %code);
}

# one project: template with its tables, the limit, pgmg, memory
sub fresh_apply_rows {
	my ($label, $proj, $n) = @_;
	sh("dropdb --if-exists pgmg_scale_tables");
	sh("createdb pgmg_scale_tables");
	sh("psql -X -q -v ON_ERROR_STOP=1 -d pgmg_scale_tables -f $proj/migrations/001_tables.sql -c 'CREATE EXTENSION pgmg'");
	sh("perl $repo/bench/limit.pl $proj/ordered.sql > $proj/limit.sql");
	my (@limit, @fresh);
	for my $i (1 .. $runs) {
		fresh_db('pgmg_scale_x', 'pgmg_scale_tables');
		push @limit, timed("psql -X -q -v ON_ERROR_STOP=1 -d pgmg_scale_x -f $proj/limit.sql");
		fresh_db('pgmg_scale_x', 'pgmg_scale_tables');
		push @fresh, timed("PGDATABASE=pgmg_scale_x $pgmg apply --code-dir=$proj/sql");
		my $made = recorded('pgmg_scale_x');
		die "scale: $label: the fresh apply recorded $made objects, not $n\n" unless $made == $n;
	}
	fresh_db('pgmg_scale_x', 'pgmg_scale_tables');
	my $limit_kb = peak_kb('pgmg_scale_x', "$proj/limit.sql");
	my $files = files_json("$proj/sql", "$proj/files.json");
	open(my $sql, '>', "$proj/apply.sql") or die;
	print $sql "\\set files `cat $proj/files.json`\nSET client_min_messages = warning;\nSELECT count(*) FROM pgmg.apply(:'files');\n";
	close($sql);
	fresh_db('pgmg_scale_x', 'pgmg_scale_tables');
	my $pgmg_kb = peak_kb('pgmg_scale_x', "$proj/apply.sql");
	die "scale: $label: the SQL API apply recorded too few objects\n" unless recorded('pgmg_scale_x') == $files;

	# lock-table entries: what the plan counts against the distinct objects
	# the apply's transaction holds locks on at its end (fast-path locks
	# take no entry)
	open($sql, '>', "$proj/locks.sql") or die;
	print $sql "\\set files `cat $proj/files.json`\nSET pgmg.timing = on;\nBEGIN;\n",
		"SELECT count(*) FROM pgmg.apply(:'files') \\g /dev/null\n",
		"SELECT count(DISTINCT (locktype, database, relation, page, tuple, virtualxid, transactionid::text, classid, objid, objsubid)) ",
		"FROM pg_catalog.pg_locks WHERE pid = pg_catalog.pg_backend_pid() AND NOT fastpath;\nROLLBACK;\n";
	close($sql);
	fresh_db('pgmg_scale_x', 'pgmg_scale_tables');
	my $out = sh("psql -X -q -At -v ON_ERROR_STOP=1 -d pgmg_scale_x -f $proj/locks.sql");
	my ($predicted) = $out =~ /about (\d+) lock-table entries/ or die "scale: $label: no lock prediction in: $out\n";
	my ($held) = $out =~ /^(\d+)\s*$/m or die "scale: $label: no lock count in: $out\n";
	return (\@limit, \@fresh, $limit_kb, $pgmg_kb, $predicted, $held);
}

my @rows;
my @sizes = split /,/, $sizes;
for my $n (@sizes) {
	my $proj = "$dir/p$n";
	sh("perl $repo/bench/generate.pl $proj $n " . int($n / 25));
	my $files = () = sh("cd $proj/sql && find . -name '*.sql'") =~ /\n/g;
	my ($limit, $fresh, $limit_kb, $pgmg_kb, $predicted, $held) = fresh_apply_rows("$n objects", $proj, $files);

	# no-op plan and a leaf edit, from the applied project (not from
	# pgmg_scale_x: the lock count rolled its apply back); its plan must be
	# empty, or the no-op rows would measure something else
	fresh_db('pgmg_scale_applied', 'pgmg_scale_tables');
	sh("PGDATABASE=pgmg_scale_applied $pgmg apply --code-dir=$proj/sql");
	die "scale: the applied project records too few objects\n" unless recorded('pgmg_scale_applied') == $files;
	sh("PGDATABASE=pgmg_scale_applied $pgmg plan --exit-code --code-dir=$proj/sql");
	my (@noop, @leaf, @hand);
	my ($leaf, $leaf_path) = @{ { map { my @f = split; ($f[0] => [@f[1 .. $#f]]) } split /\n/, sh("cat $proj/meta.txt") }->{leaf} };
	my $orig = sh("cat $proj/sql/$leaf_path");
	my $edited = $orig;
	$edited =~ s/WHERE a IS NOT NULL/WHERE a IS NOT NULL AND id > -1/ or
		$edited =~ s/;\s*$/ WHERE id > -1;\n/ or die "scale: cannot edit the leaf $leaf\n";
	my (@noop_apply, @floor);
	my $floor = floor_client($repo, $proj, 'pgmg_scale_applied', "$proj/sql");
	for my $i (1 .. $runs) {
		push @noop, timed("PGDATABASE=pgmg_scale_applied $pgmg plan --code-dir=$proj/sql");
		push @floor, timed("PGDATABASE=pgmg_scale_applied $floor plan --code-dir=$proj/sql");
	}
	floor_drop('pgmg_scale_applied');
	write_file("$proj/sql/$leaf_path", $edited);
	my $plan = decode_json(stdout_of("PGDATABASE=pgmg_scale_applied $pgmg plan --format=json --code-dir=$proj/sql"))->{steps};
	die "scale: the leaf edit planned no step\n" unless @$plan;
	open(my $hs, '>', "$proj/hand.sql") or die;
	print $hs "DROP VIEW $leaf;\n$edited";
	close($hs);
	# the no-op apply and the leaf edit each on a fresh copy, one after the
	# other, so that the difference is the edit's own cost
	for my $i (1 .. $runs) {
		write_file("$proj/sql/$leaf_path", $orig);
		fresh_db('pgmg_scale_y', 'pgmg_scale_applied');
		push @noop_apply, timed("PGDATABASE=pgmg_scale_y $pgmg apply --code-dir=$proj/sql");
		write_file("$proj/sql/$leaf_path", $edited);
		fresh_db('pgmg_scale_y', 'pgmg_scale_applied');
		push @leaf, timed("PGDATABASE=pgmg_scale_y $pgmg apply --code-dir=$proj/sql");
		fresh_db('pgmg_scale_y', 'pgmg_scale_applied');
		push @hand, timed("psql -X -q -1 -v ON_ERROR_STOP=1 -d pgmg_scale_y -f $proj/hand.sql");
	}
	write_file("$proj/sql/$leaf_path", $orig);
	push @rows, {label => $files, n => $files, limit => $limit, fresh => $fresh, limit_kb => $limit_kb,
				 pgmg_kb => $pgmg_kb, predicted => $predicted, held => $held, noop => \@noop, floor => \@floor, noop_apply => \@noop_apply, leaf => \@leaf, hand => \@hand,
				 leaf_steps => scalar(@$plan)};
	printf "%6d objects: locks predicted %d, held %d (%.3f); limit %.3f s, fresh %.3f s (%.2fx); memory %d / %d kB (%.2fx); no-op plan %.3f s vs upload-only floor %.3f s (%.2fx); leaf edit - no-op apply %.3f s vs hand-written %.3f s (%.2fx)\n",
		$files, $predicted, $held, $predicted / $held, median(@$limit), median(@$fresh),
		median(@$fresh) / median(@$limit), $pgmg_kb, $limit_kb, $pgmg_kb / $limit_kb, median(@noop),
		median(@floor), median(@noop) / median(@floor),
		median(@leaf) - median(@noop_apply), median(@hand), (median(@leaf) - median(@noop_apply)) / median(@hand);
	sh("dropdb --if-exists $_") for qw(pgmg_scale_x pgmg_scale_y pgmg_scale_applied);
}

# growth exponents between consecutive sizes
my @growth;
for my $i (1 .. $#rows) {
	my ($a, $b) = @rows[$i - 1, $i];
	my $ln = log($b->{n} / $a->{n});
	push @growth, sprintf('%d -> %d: fresh apply %.2f, limit %.2f, no-op plan %.2f',
						  $a->{n}, $b->{n}, log(median(@{ $b->{fresh} }) / median(@{ $a->{fresh} })) / $ln,
						  log(median(@{ $b->{limit} }) / median(@{ $a->{limit} })) / $ln,
						  log(median(@{ $b->{noop} }) / median(@{ $a->{noop} })) / $ln);
	print "growth $growth[-1]\n";
}

# many overloads of one name
my $over;
if ($overloads > 0) {
	my $proj = "$dir/overloads";
	sh("mkdir -p $proj/migrations $proj/sql");
	open(my $m, '>', "$proj/migrations/001_tables.sql") or die;
	open(my $o, '>', "$proj/ordered.sql") or die;
	print $m "CREATE DOMAIN d$_ AS integer;\n" for 1 .. $overloads;
	print $o "SET check_function_bodies = off;\n";
	for my $i (1 .. $overloads) {
		my $text = "CREATE FUNCTION ov(p d$i) RETURNS integer LANGUAGE sql IMMUTABLE RETURN p + $i;\n";
		open(my $f, '>', "$proj/sql/ov_$i.sql") or die;
		print $f $text;
		close($f);
		print $o $text;
	}
	close($m);
	close($o);
	my ($limit, $fresh, $limit_kb, $pgmg_kb, $predicted, $held) = fresh_apply_rows("$overloads overloads", $proj, $overloads);
	$over = {label => "$overloads overloads of one name", n => $overloads, limit => $limit, fresh => $fresh,
			 limit_kb => $limit_kb, pgmg_kb => $pgmg_kb, predicted => $predicted, held => $held};
	printf "%d overloads of one name: limit %.3f s, fresh %.3f s (%.2fx); memory %d / %d kB (%.2fx)\n",
		$overloads, median(@$limit), median(@$fresh), median(@$fresh) / median(@$limit),
		$pgmg_kb, $limit_kb, $pgmg_kb / $limit_kb;
}
sh("dropdb --if-exists $_") for qw(pgmg_scale_x pgmg_scale_tables);

if ($markdown) {
	open(my $md, '>', $markdown) or die;
	print $md "| objects | server-side limit s | fresh apply s | ratio (target <= 1.2) | backend peak kB, limit / pgmg | ratio (target <= 1.5) | no-op plan s | upload-only floor s | ratio (target <= 1.5) | leaf edit - no-op apply s | hand-written DROP+CREATE s | ratio (target <= 2) |\n";
	print $md "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
	for my $r (@rows, $over ? ($over) : ()) {
		my $leafpart = $r->{noop} ?
			sprintf('%.3f [%.3f] | %.3f [%.3f] | %.2f | %.3f | %.3f | %.2f', median(@{ $r->{noop} }), minimum(@{ $r->{noop} }),
					median(@{ $r->{floor} }), minimum(@{ $r->{floor} }), median(@{ $r->{noop} }) / median(@{ $r->{floor} }),
					median(@{ $r->{leaf} }) - median(@{ $r->{noop_apply} }), median(@{ $r->{hand} }),
					(median(@{ $r->{leaf} }) - median(@{ $r->{noop_apply} })) / median(@{ $r->{hand} })) :
			' | | | | | ';
		printf $md "| %s | %.3f [%.3f] | %.3f [%.3f] | %.2f | %d / %d | %.2f | %s |\n",
			$r->{label},
			median(@{ $r->{limit} }), minimum(@{ $r->{limit} }), median(@{ $r->{fresh} }), minimum(@{ $r->{fresh} }),
			median(@{ $r->{fresh} }) / median(@{ $r->{limit} }), $r->{limit_kb}, $r->{pgmg_kb},
			$r->{pgmg_kb} / $r->{limit_kb}, $leafpart;
	}
	print $md "\nGrowth exponents: " . join('; ', @growth) . "\n" if @growth;
	print $md "\nLock-table entries at the end of a fresh apply, predicted by the plan / held (distinct objects in pg_locks, fast path left out), target within 5%: " .
		join('; ', map { sprintf('%s: %d / %d (%.3f)', $_->{label}, $_->{predicted}, $_->{held}, $_->{predicted} / $_->{held}) } (@rows, $over ? ($over) : ())) . "\n";
	close($md);
}
