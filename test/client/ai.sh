#!/bin/sh
# test/client/ai.sh - pgmg ai, the description for AI coding assistants,
# stays in step with the README, the client and the envelope's schema:
# every command, exit code, directive, pgmg.toml key, envelope member and
# status they know of is in it.
set -u
# shellcheck source=test/lib.sh
. "$(dirname "$0")/../lib.sh"

ai=$(pgmg ai); status=$?
is "$status" 0 "pgmg ai exits 0"
like "$(pgmg help ai)" "Usage: pgmg ai" "and has its help"
readme=$repo_root/README.md

# missing LIST: the words of LIST (one a line) that are not in the text
missing() {
	printf '%s\n' "$1" | while IFS= read -r w; do
		[ -z "$w" ] && continue
		case "$ai" in *"$w"*) ;; *) printf '%s ' "$w" ;; esac
	done
}
commands=$(sed -n 's/^| `pgmg \([a-z]*\).*/\1/p' "$readme" | sort -u)
ok "$([ "$(printf '%s\n' "$commands" | grep -c .)" -ge 15 ]; echo $?)" "the README's command table was read ($(printf '%s\n' "$commands" | grep -c .) commands)"
is "$(missing "$commands")" "" "every command of the README's table is in pgmg ai"
codes=$(sed -n 's/^| \([0-9]\) | .*/\1/p' "$readme")
is "$(printf '%s\n' "$codes" | tr -d '\n')" "01234567" "the README's exit code table was read"
is "$(printf '%s\n' "$codes" | while read -r c; do printf '%s\n' "$ai" | grep -q "^$c [A-Za-z]" || printf '%s ' "$c"; done)" "" "every exit code is explained in pgmg ai"
directives=$(grep -o -- '-- pgmg:[a-z-]*' "$readme" "$repo_root/bin/pgmg" | sed 's/^[^:]*://' | sort -u)
ok "$([ "$(printf '%s\n' "$directives" | grep -c .)" -ge 4 ]; echo $?)" "the directives were found"
is "$(missing "$directives")" "" "every directive is in pgmg ai"
keys=$(sed -n 's/^		:\([a-z_]*\)) .*/\1/p' "$repo_root/bin/pgmg" | sort -u)
ok "$([ "$(printf '%s\n' "$keys" | grep -c .)" -ge 10 ]; echo $?)" "the client's pgmg.toml keys were read"
is "$(missing "$keys")" "" "every pgmg.toml key is in pgmg ai"
members=$(perl -MJSON::PP -e 'local $/; my $s = decode_json(<STDIN>); print join("\n", sort keys %{$s->{properties}}, @{$s->{properties}{status}{enum}}, sort keys %{$s->{"\$defs"}{error}{properties}}), "\n"' <"$repo_root/bin/pgmg.schema.json")
is "$(missing "$members")" "" "every envelope member, status and error field is in pgmg ai"
hazard_codes=$(sed -n '/^static const char \*const hazard_codes\[\]/,/};/p' "$repo_root/src/hazards.c" | grep -o '"[a-z_]*"' | tr -d '"')
ok "$([ "$(printf '%s\n' "$hazard_codes" | grep -c .)" -ge 9 ]; echo $?)" "the engine's hazard codes were read"
is "$(missing "$hazard_codes")" "" "every hazard code is in pgmg ai"
done_testing
