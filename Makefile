# Makefile for pgmg, a PGXS extension.
#
#   make && make install      build and install into the server found by pg_config
#   make installcheck         pg_regress suites (sql/*.sql against expected/*.out)
#   make test                 everything: installs dependencies, throwaway cluster,
#                             pg_regress + pgTAP + client tests; ends "N passed, N failed"
#   make demo                 installs dependencies and runs bin/pgmg on a project
#                             made from examples/templates/basic
#   make bench                benchmarks against the server-side limit (BENCH_ARGS=--runs 3 ..., --scale ...)
#
# make test and make demo work before PostgreSQL is installed: they install it.

EXTENSION = pgmg
MODULE_big = pgmg
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA = $(sort $(wildcard sql/pgmg--*.sql))
DOCS = README.md

# pg_regress suites, by feature, in sql/ with expected output in expected/
REGRESS = $(sort $(filter-out pgmg--%,$(patsubst sql/%.sql,%,$(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=pgmg

# isolation specs, in test/isolation/specs with expected output beside them
ISOLATION = $(sort $(patsubst test/isolation/specs/%.spec,%,$(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=output_iso --load-extension=pgmg

PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-sign-compare

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

.PHONY: test demo bench lint

ifneq ($(PGXS),)
include $(PGXS)
$(OBJS): src/pgmg.h
else
all installcheck install:
	@echo "pg_config not found: install postgresql-server-dev-15, or run 'make test'," >&2
	@echo "which installs what it needs." >&2
	@exit 1
endif

test:
	sh test/run-all.sh

demo:
	sh examples/demo.sh

bench:
	sh bench/run.sh $(BENCH_ARGS)

lint:
	shellcheck -x bin/pgmg test/*.sh test/client/*.sh examples/*.sh bench/*.sh .ci/run
