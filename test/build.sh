#!/bin/sh
# test/build.sh - build pgmg and install it into the PostgreSQL 15 server.
set -eu
cd "$(dirname "$0")/.."
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
export PG_CONFIG
make -s PG_CONFIG="$PG_CONFIG" >/dev/null
if [ "$(id -u)" -eq 0 ]; then
	make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
else
	sudo make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
fi
