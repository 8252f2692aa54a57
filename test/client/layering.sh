#!/bin/sh
# test/client/layering.sh - the source files call each other as the
# layering in src/pgmg.h says, and kinds are compared in kinds.c only.
#
# Reads the layering table from the header comment of src/pgmg.h, finds the
# functions each src/*.c defines, and fails for every call from a file to a
# file on its own line or above it.  No database is needed.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"

out=$(perl - "$repo_root/src" <<'PERL'
use strict;
use warnings;
my $src = shift;
open(my $h, '<', "$src/pgmg.h") or die "pgmg.h: $!";
my ($in, $rank, %rank) = (0, 0);
while (<$h>)
{
	$in = 1 if /Layering:/;
	next unless $in;
	last if $in && m{^\s*\*/};
	if (/^ \*\t ((?:\w+\.c\s*)+)\t/)
	{
		$rank++;
		$rank{$_} = $rank for split ' ', $1;
	}
}
my (%defined, %text);
for my $path (glob "$src/*.c")
{
	my ($file) = $path =~ m{([^/]+)$};
	local $/;
	open(my $f, '<', $path) or die "$path: $!";
	my $t = <$f>;
	$t =~ s{/\*.*?\*/}{}gs;
	$text{$file} = $t;
	print "unranked $file\n" unless $rank{$file};
	$defined{$1} = $file while $t =~ /^(?!static)\w[^\n;]*\n(pgmg_\w+)\(/mg;
}
for my $file (sort keys %text)
{
	for my $fn (sort keys %defined)
	{
		my $owner = $defined{$fn};
		next if $owner eq $file || $text{$file} !~ /\b$fn\b/;
		print "$file calls $fn of $owner\n"
			unless ($rank{$owner} // 0) > ($rank{$file} // 0);
	}
	if ($file ne 'kinds.c')
	{
		print "$file compares kind names\n" if $text{$file} =~ /strcmp\(.*kind/;
	}
}
printf "ranked %d files, %d functions\n", scalar(keys %rank), scalar(keys %defined);
PERL
)
like "$out" "ranked" "the layering table and the functions were read"
case "$out" in *"ranked "[12][0-9]" files"*) ok 0 "every file is in the table" ;; *) ok 1 "every file is in the table" ;; esac
bad=$(printf '%s\n' "$out" | grep -v '^ranked')
is "$bad" "" "no file calls a file on its own line or above, none compares kind names outside kinds.c"
done_testing
