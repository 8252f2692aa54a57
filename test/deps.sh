#!/bin/sh
# test/deps.sh - install what building and testing pgmg needs, if missing.
#
# Idempotent: does nothing when everything is present.  Needs root or sudo
# for apt-get.  Used by test/run-all.sh, examples/demo.sh and bench/run.sh.
set -eu

PACKAGES="postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap
libtap-parser-sourcehandler-pgtap-perl postgresql-common make gcc pgbouncer
postgresql-15-plpgsql-check graphviz python3-jsonschema"

missing=""
for pkg in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $pkg"
	fi
done
# Mermaid's own parser, for test/client/graph.sh, where npm is installed
# and its registry reachable: in a cache outside the repository; without
# it the test checks the Mermaid text's structure only
mermaid_dir=${XDG_CACHE_HOME:-$HOME/.cache}/pgmg-test/mermaid
if command -v npm >/dev/null 2>&1 && [ ! -d "$mermaid_dir/node_modules/mermaid" ]; then
	mkdir -p "$mermaid_dir"
	(cd "$mermaid_dir" && timeout 300 npm install --silent --no-audit --no-fund mermaid@10.9 jsdom@29 >/dev/null 2>&1) ||
		echo "deps: could not install Mermaid's parser with npm; graph.sh checks the Mermaid text's structure only" >&2
fi

[ -n "$missing" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "deps: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "deps: installing$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
