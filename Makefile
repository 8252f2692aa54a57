# Makefile for pgmg, a PGXS extension.
#
#   make && make install      build and install into the server found by pg_config;
#                             the client into pg_config --bindir, linked from
#                             $(PREFIX)/bin (/usr/local/bin), its templates under
#                             pg_config --sharedir (with the JSON Schema of
#                             --format=json), bash completion under
#                             $(PREFIX)/share/bash-completion/completions
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
PREFIX ?= /usr/local

.PHONY: test demo bench lint install-client uninstall-client

ifneq ($(PGXS),)
include $(PGXS)
$(OBJS): src/pgmg.h

# the client: told where its templates are, on PATH through $(PREFIX)/bin
install: install-client
install-client:
	$(MKDIR_P) '$(DESTDIR)$(bindir)' '$(DESTDIR)$(datadir)/pgmg' \
		'$(DESTDIR)$(PREFIX)/bin' '$(DESTDIR)$(PREFIX)/share/bash-completion/completions'
	sed "s|^PGMG_SHARE=.*|PGMG_SHARE='$(datadir)/pgmg'|" bin/pgmg >'$(DESTDIR)$(bindir)/pgmg'
	chmod 755 '$(DESTDIR)$(bindir)/pgmg'
	rm -rf '$(DESTDIR)$(datadir)/pgmg/templates'
	cp -R examples/templates '$(DESTDIR)$(datadir)/pgmg/templates'
	ln -sf '$(bindir)/pgmg' '$(DESTDIR)$(PREFIX)/bin/pgmg'
	$(INSTALL_DATA) bin/pgmg.bash-completion '$(DESTDIR)$(PREFIX)/share/bash-completion/completions/pgmg'
	$(INSTALL_DATA) bin/pgmg.schema.json '$(DESTDIR)$(datadir)/pgmg/pgmg.schema.json'

uninstall: uninstall-client
uninstall-client:
	rm -f '$(DESTDIR)$(bindir)/pgmg' '$(DESTDIR)$(PREFIX)/bin/pgmg' \
		'$(DESTDIR)$(PREFIX)/share/bash-completion/completions/pgmg'
	rm -rf '$(DESTDIR)$(datadir)/pgmg'
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
	shellcheck bin/pgmg.bash-completion
