/*-------------------------------------------------------------------------
 *
 * bodies.c
 *	  Function bodies checked once everything they may use exists: the
 *	  plan creates functions with check_function_bodies off, so that no
 *	  body forces an order, and afterwards, before the state is recorded,
 *	  the bodies of the functions and procedures of every code file that
 *	  ran are checked against the database as the apply leaves it.
 *
 * Every body goes through its language's own validator (what CREATE
 * FUNCTION does with check_function_bodies on: SQL bodies are parsed and
 * analysed, PL/pgSQL bodies compiled, which checks their syntax): the
 * first that fails raises its error under its file's context.  PL/pgSQL
 * bodies are then checked by plpgsql_check when the database has that
 * extension (tables, columns, types, calls), in one query, and every error
 * found is reported together with the file and line it is on.  pgmg.validate_bodies off skips all of it.
 *
 * Runs in the caller's SPI connection; each validator runs in a scratch
 * memory context reset after it, so what it parses is not kept.  Takes no
 * locks beyond what the validators take.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/bodies.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/proclang.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "pgmg.h"

/* GUC */
bool		pgmg_validate_bodies = true;

/* a PL/pgSQL function to check */
typedef struct BodyCheck
{
	Oid			funcid;
	PgmgDef    *def;
	int			body_line;		/* the file's line where its body starts */
} BodyCheck;

static DefElem *body_clause(PgmgDef *def);
static void check_plpgsql(List *checks);
static char *plpgsql_check_schema(void);

/*
 * pgmg_validate_bodies_of
 *		Check the body of every function and procedure the given code files
 *		define.  Raises an error naming file and line for a body that would
 *		fail when called; returns normally when every body is sound.
 */
void
pgmg_validate_bodies_of(List *files)
{
	Oid			plpgsql = get_language_oid("plpgsql", true);
	List	   *checks = NIL;
	int			nest;
	MemoryContext scratch;
	MemoryContext old;
	ListCell   *fc;

	if (!pgmg_validate_bodies)
		return;
	scratch = AllocSetContextCreate(CurrentMemoryContext, "pgmg body check",
									ALLOCSET_DEFAULT_SIZES);
	nest = NewGUCNestLevel();
	(void) set_config_option("check_function_bodies", "on",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	foreach(fc, files)
	{
		PgmgFile   *file = lfirst(fc);
		ListCell   *dc;

		foreach(dc, file->defs)
		{
			PgmgDef    *def = lfirst(dc);
			ObjectAddress addr;
			HeapTuple	tup;
			HeapTuple	ltup;
			Oid			lang;
			Oid			validator;
			DefElem    *as;

			if (def->kind->objtype != OBJECT_FUNCTION &&
				def->kind->objtype != OBJECT_PROCEDURE)
				continue;
			if (pgmg_find(def->ident, &addr) != PGMG_FOUND)
				continue;
			tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(addr.objectId));
			if (!HeapTupleIsValid(tup))
				continue;
			lang = ((Form_pg_proc) GETSTRUCT(tup))->prolang;
			ReleaseSysCache(tup);
			ltup = SearchSysCache1(LANGOID, ObjectIdGetDatum(lang));
			if (!HeapTupleIsValid(ltup))
				continue;
			validator = ((Form_pg_language) GETSTRUCT(ltup))->lanvalidator;
			ReleaseSysCache(ltup);
			as = body_clause(def);
			if (OidIsValid(validator))
			{
				ErrorContextCallback cb;

				if (as)
					(void) pgmg_push_body_context(&cb, file, as, def->key);
				else
					pgmg_push_file_context(&cb, file, def->stmt->location, def->key);
				/* what the validator parses and analyses is not kept */
				old = MemoryContextSwitchTo(scratch);
				OidFunctionCall1(validator, ObjectIdGetDatum(addr.objectId));
				MemoryContextSwitchTo(old);
				MemoryContextReset(scratch);
				error_context_stack = cb.previous;
			}
			if (lang == plpgsql)
			{
				BodyCheck  *check = palloc(sizeof(BodyCheck));
				char		quote;

				check->funcid = addr.objectId;
				check->def = def;
				/* the body's line 1 is the line its literal opens on */
				check->body_line = as ?
					pgmg_line_of(file->content, pgmg_body_start(file, as, &quote)) :
					def->stmt->line;
				checks = lappend(checks, check);
			}
		}
	}
	AtEOXact_GUC(true, nest);
	MemoryContextDelete(scratch);
	if (checks != NIL)
		check_plpgsql(checks);
}

/*
 * body_clause
 *		The AS clause of a function's statement, or NULL (a BEGIN ATOMIC
 *		body, or no position known).
 */
static DefElem *
body_clause(PgmgDef *def)
{
	ListCell   *lc;

	if (IsA(def->stmt->parsetree, CreateFunctionStmt))
		foreach(lc, ((CreateFunctionStmt *) def->stmt->parsetree)->options)
		{
			DefElem    *opt = lfirst(lc);

			if (strcmp(opt->defname, "as") == 0 && opt->location >= 0)
				return opt;
		}
	return NULL;
}

/*
 * check_plpgsql
 *		Run plpgsql_check on every function of checks in one query, when
 *		the database has it; one error lists every error it finds.  A
 *		trigger function is checked against the first table whose trigger
 *		calls it (none yet: not checked); event trigger functions are not.
 */
static void
check_plpgsql(List *checks)
{
	char	   *schema = plpgsql_check_schema();
	Datum	   *oids;
	Oid			types[1] = {OIDARRAYOID};
	Datum		values[1];
	StringInfoData detail;
	int			i = 0;
	uint64		n;
	ListCell   *lc;
	int			ret;

	if (schema == NULL)
		return;
	oids = palloc(sizeof(Datum) * list_length(checks));
	foreach(lc, checks)
		oids[i++] = ObjectIdGetDatum(((BodyCheck *) lfirst(lc))->funcid);
	values[0] = PointerGetDatum(construct_array(oids, i, OIDOID, sizeof(Oid), true,
												TYPALIGN_INT));
	ret = pgmg_spi_execute_args(psprintf("SELECT f.i, c.lineno, c.sqlstate, c.message, c.detail, c.hint "
										 "FROM (SELECT u.fn, u.i, COALESCE((SELECT t.tgrelid FROM pg_catalog.pg_trigger t "
										 "WHERE t.tgfoid OPERATOR(pg_catalog.=) u.fn ORDER BY t.oid LIMIT 1), 0) AS rel, "
										 "p.prorettype "
										 "FROM pg_catalog.unnest($1) WITH ORDINALITY AS u(fn, i) "
										 "JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) u.fn "
										 "OFFSET 0) f "
										 "CROSS JOIN LATERAL %s.plpgsql_check_function_tb(f.fn::pg_catalog.regprocedure, "
										 "f.rel::pg_catalog.regclass, fatal_errors => false, other_warnings => false, "
										 "performance_warnings => false, extra_warnings => false) c "
										 "WHERE c.level OPERATOR(pg_catalog.=) 'error' "
										 "AND (f.prorettype OPERATOR(pg_catalog.<>) 'pg_catalog.trigger'::pg_catalog.regtype "
										 "OR f.rel OPERATOR(pg_catalog.<>) 0) "
										 "AND f.prorettype OPERATOR(pg_catalog.<>) 'pg_catalog.event_trigger'::pg_catalog.regtype "
										 "ORDER BY f.i, c.lineno",
										 quote_identifier(schema)),
								1, types, values, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not run plpgsql_check: %s", SPI_result_code_string(ret));
	n = SPI_processed;
	if (n == 0)
		return;

	initStringInfo(&detail);
	for (i = 0; i < (int) n; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		which = DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull));
		BodyCheck  *check = list_nth(checks, (int) which - 1);
		Datum		lineno = SPI_getbinval(row, desc, 2, &isnull);
		int			line = isnull ? check->def->stmt->line :
			check->body_line + DatumGetInt32(lineno) - 1;
		char	   *hint = SPI_getvalue(row, desc, 6);

		appendStringInfo(&detail, "%s\"%s\" line %d: %s: %s%s%s",
						 i > 0 ? "\n" : "", check->def->file->path, line,
						 check->def->key, SPI_getvalue(row, desc, 4),
						 hint ? " (" : "", hint ? psprintf("%s)", hint) : "");
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
			 errmsg_plural("%d error in a PL/pgSQL function body: it would fail when called",
						   "%d errors in PL/pgSQL function bodies: they would fail when called",
						   (unsigned long) n, (int) n),
			 errdetail("%s", detail.data),
			 errhint("plpgsql_check found them after everything this apply creates existed. Fix the bodies, or set pgmg.validate_bodies off (validate_bodies = false in pgmg.toml) to skip the check; nothing was changed.")));
}

/*
 * plpgsql_check_schema
 *		The schema the database's plpgsql_check extension is in, or NULL
 *		when it has none.
 */
static char *
plpgsql_check_schema(void)
{
	int			ret = pgmg_spi_execute("SELECT n.nspname FROM pg_catalog.pg_extension e "
									   "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace "
									   "WHERE e.extname OPERATOR(pg_catalog.=) 'plpgsql_check'",
									   true, 1);

	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_extension: %s", SPI_result_code_string(ret));
	return SPI_processed == 1 ?
		SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : NULL;
}
