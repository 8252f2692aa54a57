#!/bin/sh
# bench/run.sh - the benchmark command (make bench).
#
# Installs what is missing, builds and installs pgmg, starts a throwaway
# PostgreSQL 15 cluster and runs bench/bench.pl in it.  Arguments go to
# bench.pl (--objects N, --tables T, --runs R, --markdown FILE); with
# --scale first, to bench/scale.pl instead (--sizes N,..., --runs R,
# --overloads N, --markdown FILE), the scaling sweep; with --fleet first, to
# bench/fleet.pl (--tenants N, --objects N, --runs R, --markdown FILE), one
# project over many tenant databases, --jobs 1, 2 and 4.
set -eu
cd "$(dirname "$0")/.."
sh test/deps.sh
# Sqitch, for the 500-migration comparison
if ! command -v sqitch >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq sqitch libdbd-pg-perl >/dev/null
fi
sh test/build.sh
PATH="$(pwd)/bin:/usr/lib/postgresql/15/bin:$PATH"
export PATH
if [ "${1:-}" = --fleet ]; then
	shift
	exec pg_virtualenv -v 15 perl bench/fleet.pl "$@"
fi
if [ "${1:-}" = --scale ]; then
	shift
	exec pg_virtualenv -v 15 -o max_locks_per_transaction=1024 perl bench/scale.pl "$@"
fi
exec pg_virtualenv -v 15 perl bench/bench.pl "$@"
