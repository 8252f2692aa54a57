/*-------------------------------------------------------------------------
 *
 * pgmg.c
 *	  Entry points of the pgmg extension: module magic, GUCs and the
 *	  SQL-callable functions.
 *
 * Every SQL-callable function of the extension is declared here; the work
 * is done in the other files.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/pgmg.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "pgmg.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(pgmg_version);

/*
 * Module load callback.
 */
void
_PG_init(void)
{
}

/*
 * pgmg.version() returns the version of the loaded library, which may
 * differ from the installed extension version after an upgrade.
 */
Datum
pgmg_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(PGMG_VERSION));
}
