#!/bin/sh
# test/client/property.sh - convergence under 200 random edit steps, through
# bin/pgmg and real psql (test/property.pl does the work and speaks TAP).
# PGMG_PROPERTY_SEED and PGMG_PROPERTY_STEPS change the run; the seed is
# printed either way.
set -u
exec perl "$(dirname "$0")/../property.pl" \
	--seed "${PGMG_PROPERTY_SEED:-1}" --steps "${PGMG_PROPERTY_STEPS:-200}"
