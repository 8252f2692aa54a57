#!/usr/bin/perl
# bench/limit.pl - the server-side limit of a set of DDL statements.
#
# Usage: perl bench/limit.pl ORDERED.sql > LIMIT.sql
# Reads a script of DDL in a correct dependency order (generate.pl's
# ordered.sql: a SET, then one object's statements after another) and
# writes one DO block that runs each statement with EXECUTE: the server
# itself runs the same DDL in the same order in one statement and one
# transaction, with no client round trips.  That is the least time any
# tool sending this DDL can take.  The statements are the elements of one
# array, run by one EXECUTE in a loop: an EXECUTE per statement would make
# PL/pgSQL keep a plan per statement, and every DDL statement's cache
# invalidation would then look at all of them (quadratic: 5.2 s instead of
# 1.8 s at 5,000).  Statements are split the way the generator writes
# them: one per line, dollar-quoted bodies included.
use strict;
use warnings;

my $tag = 'pgmg_limit_stmt';
local $/;
my $script = <>;
die "limit.pl: the script contains \$$tag\$\n" if $script =~ /\$\Q$tag\E\$/;
my @stmts = grep { /\S/ } split /;\n/, $script;
die "limit.pl: no statements read\n" unless @stmts > 1;
print "DO \$pgmg_limit\$ DECLARE s text; BEGIN\nFOREACH s IN ARRAY ARRAY[\n";
print join(",\n", map { "\$$tag\$$_\$$tag\$" } @stmts), "\n";
print "] LOOP EXECUTE s; END LOOP;\nEND \$pgmg_limit\$;\n";
