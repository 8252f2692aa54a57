/*-------------------------------------------------------------------------
 *
 * session.c
 *	  The session API: a file set loaded once per session with
 *	  pgmg.load(), queried through the pgmg.source view, used by
 *	  pgmg.plan() / pgmg.apply() / pgmg.status() called without files, and
 *	  the tests it carries, run by CALL pgmg.test().
 *
 * The loaded file set is kept as one jsonb value in the temporary table
 * pg_temp.pgmg_loaded, so it is private to the session, follows the
 * transaction that loaded it (a rolled-back load is gone) and disappears
 * with the session.  It is validated when it is loaded, with the same
 * errors pgmg.plan() gives.
 *
 * Tests are the files of the "tests" group (or code files under a
 * __test__ or __tests__ directory).  Each runs in its own internal
 * subtransaction, after the _setup.sql fixtures of its directory and of
 * every ancestor directory (outermost first), and the subtransaction is
 * always rolled back: nothing a test or fixture writes survives it.  A
 * test fails by raising an error; every test runs (unless bail stops at
 * the first failure), and a call with a failure ends with an error,
 * aborting the caller's transaction.  When a test used
 * pgTAP, its finish(true) is called for it, so a failed assertion fails
 * the test.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/session.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "pgmg.h"

#define FIXTURE_NAME "_setup.sql"

PG_FUNCTION_INFO_V1(pgmg_load);
PG_FUNCTION_INFO_V1(pgmg_source);
PG_FUNCTION_INFO_V1(pgmg_test);

static Oid	loaded_relid(void);
static void emit_source_rows(ReturnSetInfo *rsinfo, List *files,
							 const char *group, bool is_test);
static bool is_fixture(PgmgFile *file);
static List *fixtures_for(List *tests, PgmgFile *test);
static void run_file(PgmgFile *file, StringInfo failures);
static void finish_pgtap(void);
static ErrorData *run_test(PgmgFile *test, List *fixtures, double *ms);
static bool do_block_position(ErrorData *edata, const char **path, int *line,
							  int *column);

/* the DO block being run, if one is: its file, where its body begins */
static struct
{
	PgmgFile   *file;
	int			body;
}			running_do;

/*
 * loaded_relid
 *		The OID of pg_temp.pgmg_loaded, or InvalidOid when this session
 *		has loaded nothing.
 */
static Oid
loaded_relid(void)
{
	return RangeVarGetRelid(makeRangeVar("pg_temp", "pgmg_loaded", -1),
							NoLock, true);
}

/*
 * pgmg_loaded_files
 *		The file set this session loaded, copied into the current memory
 *		context.  The caller is connected to SPI.  An error when nothing
 *		was loaded.
 */
Jsonb *
pgmg_loaded_files(void)
{
	bool		isnull;
	Datum		d;
	int			ret;

	if (OidIsValid(loaded_relid()))
	{
		ret = pgmg_spi_execute("SELECT files FROM pg_temp.pgmg_loaded", true, 1);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not read pg_temp.pgmg_loaded: %s",
				 SPI_result_code_string(ret));
		if (SPI_processed > 0)
		{
			d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
			return DatumGetJsonbPCopy(d);
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("no files are loaded in this session"),
			 errhint("Call pgmg.load(files) first, or pass the files as an argument.")));
	return NULL;				/* keep compiler quiet */
}

/*
 * pgmg.load(files jsonb) keeps the file set for the rest of the session,
 * replacing what was loaded before, and returns how many files it holds.
 */
Datum
pgmg_load(PG_FUNCTION_ARGS)
{
	Jsonb	   *files = PG_GETARG_JSONB_P(0);
	PgmgFileSet *set = pgmg_read_files(files);
	Oid			argtypes[1] = {JSONBOID};
	Datum		args[1];
	int			ret;

	pgmg_spi_connect();
	if (!OidIsValid(loaded_relid()))
	{
		ret = pgmg_spi_execute("CREATE TEMPORARY TABLE pgmg_loaded ("
							   "files pg_catalog.jsonb NOT NULL, "
							   "loaded_at pg_catalog.timestamptz NOT NULL "
							   "DEFAULT pg_catalog.now())", false, 0);
		if (ret != SPI_OK_UTILITY)
			elog(ERROR, "could not create pg_temp.pgmg_loaded: %s",
				 SPI_result_code_string(ret));
	}
	ret = pgmg_spi_execute("DELETE FROM pg_temp.pgmg_loaded", false, 0);
	if (ret != SPI_OK_DELETE)
		elog(ERROR, "could not empty pg_temp.pgmg_loaded: %s", SPI_result_code_string(ret));
	args[0] = JsonbPGetDatum(files);
	ret = pgmg_spi_execute_args("INSERT INTO pg_temp.pgmg_loaded (files) VALUES ($1)",
								1, argtypes, args, NULL, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not fill pg_temp.pgmg_loaded: %s", SPI_result_code_string(ret));
	SPI_finish();

	PG_RETURN_INT32(list_length(set->code) + list_length(set->migrations) +
					list_length(set->tests));
}

/*
 * pgmg.source_files() returns one row per loaded file: path, group, name,
 * directory, extension, content, size, checksum, is_test.  The view
 * pgmg.source selects from it.
 */
Datum
pgmg_source(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PgmgFileSet *set;

	InitMaterializedSRF(fcinfo, 0);
	pgmg_spi_connect();
	set = pgmg_read_files(pgmg_loaded_files());
	SPI_finish();

	emit_source_rows(rsinfo, set->migrations, "migrations", false);
	emit_source_rows(rsinfo, set->code, "code", false);
	emit_source_rows(rsinfo, set->tests, "tests", true);
	PG_RETURN_VOID();
}

static void
emit_source_rows(ReturnSetInfo *rsinfo, List *files, const char *group,
				 bool is_test)
{
	ListCell   *lc;

	foreach(lc, files)
	{
		PgmgFile   *file = lfirst(lc);
		const char *slash = strrchr(file->path, '/');
		const char *name = slash ? slash + 1 : file->path;
		const char *dot = strrchr(name, '.');
		Datum		values[9];
		bool		nulls[9] = {0};

		values[0] = CStringGetTextDatum(file->path);
		values[1] = CStringGetTextDatum(group);
		values[2] = CStringGetTextDatum(name);
		values[3] = CStringGetTextDatum(slash ? pnstrdup(file->path, slash - file->path) : "");
		values[4] = CStringGetTextDatum(dot ? dot + 1 : "");
		values[5] = CStringGetTextDatum(file->content);
		values[6] = Int64GetDatum((int64) strlen(file->content));
		values[7] = CStringGetTextDatum(file->hash);
		values[8] = BoolGetDatum(is_test);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * is_fixture
 *		Is the file a _setup.sql fixture rather than a test?
 */
static bool
is_fixture(PgmgFile *file)
{
	const char *slash = strrchr(file->path, '/');

	return strcmp(slash ? slash + 1 : file->path, FIXTURE_NAME) == 0;
}

/*
 * fixtures_for
 *		The fixtures a test runs after: _setup.sql of the root of the tests
 *		group and of every directory on the way to the test, outermost
 *		first.
 */
static List *
fixtures_for(List *tests, PgmgFile *test)
{
	List	   *result = NIL;
	const char *p = test->path;

	for (;;)
	{
		char	   *want = psprintf("%.*s%s", (int) (p - test->path),
									test->path, FIXTURE_NAME);
		ListCell   *lc;

		foreach(lc, tests)
			if (strcmp(((PgmgFile *) lfirst(lc))->path, want) == 0)
				result = lappend(result, lfirst(lc));
		p = strchr(p, '/');
		if (p == NULL)
			break;
		p++;
	}
	return result;
}

/*
 * run_file
 *		Run a test or fixture statement by statement, under an error
 *		context that names its file and line.  Rows a statement returns
 *		that start with "not ok" (pgTAP's failed assertions) are appended
 *		to failures.
 */
static void
run_file(PgmgFile *file, StringInfo failures)
{
	char		quote;
	ErrorContextCallback cb;
	List	   *raw;
	ListCell   *lc;

	pgmg_push_file_context(&cb, file, 0, NULL);
	raw = raw_parser(file->content, RAW_PARSE_DEFAULT);
	error_context_stack = cb.previous;

	foreach(lc, raw)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		int			start = rs->stmt_location;
		int			end = rs->stmt_len ? start + rs->stmt_len :
			(int) strlen(file->content);
		uint64		i;
		int			ret;

		start = pgmg_skip_blanks(file->content, start, end);
		/* a DO block's errors count lines from its body */
		running_do.file = NULL;
		if (IsA(rs->stmt, DoStmt))
		{
			ListCell   *ac;

			foreach(ac, ((DoStmt *) rs->stmt)->args)
				if (strcmp(((DefElem *) lfirst(ac))->defname, "as") == 0 &&
					((DefElem *) lfirst(ac))->location >= 0)
				{
					running_do.file = file;
					running_do.body = pgmg_literal_start(file, ((DefElem *) lfirst(ac))->location,
														 &quote);
				}
		}
		pgmg_push_file_context(&cb, file, start, NULL);
		ret = pgmg_spi_execute(pnstrdup(file->content + start, end - start), false, 0);
		if (ret == SPI_ERROR_TRANSACTION)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
					 errmsg("a test may not control transactions"),
					 errdetail("Each test runs in a savepoint that pgmg rolls back.")));
		if (ret < 0)
			elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
		error_context_stack = cb.previous;
		running_do.file = NULL;

		if (SPI_tuptable == NULL || SPI_tuptable->tupdesc->natts != 1 ||
			SPI_gettypeid(SPI_tuptable->tupdesc, 1) != TEXTOID)
			continue;
		for (i = 0; i < SPI_processed; i++)
		{
			char	   *row = SPI_getvalue(SPI_tuptable->vals[i],
										   SPI_tuptable->tupdesc, 1);

			if (row && strncmp(row, "not ok", 6) == 0)
				appendStringInfo(failures, "%s%s", failures->len ? "\n" : "", row);
		}
	}
}

/*
 * finish_pgtap
 *		If the test planned pgTAP assertions, have pgTAP check them: its
 *		finish(true) raises when an assertion failed or the plan was not
 *		met.
 */
static void
finish_pgtap(void)
{
	char	   *schema;
	int			ret;

	if (!OidIsValid(RangeVarGetRelid(makeRangeVar("pg_temp", "__tcache__", -1),
									 NoLock, true)))
		return;
	ret = pgmg_spi_execute("SELECT n.nspname FROM pg_catalog.pg_extension e "
						   "JOIN pg_catalog.pg_namespace n "
						   "ON n.oid OPERATOR(pg_catalog.=) e.extnamespace "
						   "WHERE e.extname OPERATOR(pg_catalog.=) 'pgtap'", true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not find pgTAP: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		return;
	schema = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	ret = pgmg_spi_execute(psprintf("SELECT %s.finish(true)", quote_identifier(schema)),
						   false, 0);
	if (ret < 0)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
}

/*
 * run_test
 *		Run one test and its fixtures in a subtransaction that is always
 *		rolled back; *ms is how long it took.  Returns NULL when it passed,
 *		else its error (with, for a pgTAP test, its failed assertions as
 *		detail).
 */
static ErrorData *
run_test(PgmgFile *test, List *fixtures, double *ms)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	TimestampTz start = GetCurrentTimestamp();
	ErrorData  *edata = NULL;
	StringInfoData failures;
	ListCell   *lc;

	initStringInfo(&failures);

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		foreach(lc, fixtures)
			run_file(lfirst(lc), &failures);
		run_file(test, &failures);
		finish_pgtap();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;

	*ms = pgmg_elapsed_ms(start);
	if (edata && edata->detail == NULL && failures.len > 0)
		edata->detail = failures.data;
	return edata;
}

/*
 * do_block_position
 *		Where in its file an error raised inside a DO block of a test is:
 *		PL/pgSQL's context says the line in the block's body ("inline_code_block
 *		line N"), which counts from the line its literal opens on; the column
 *		is that of the line's first character that is not blank.
 */
static bool
do_block_position(ErrorData *edata, const char **path, int *line, int *column)
{
	const char *at;
	const char *p;
	int			n;

	if (running_do.file == NULL || edata->context == NULL ||
		(at = strstr(edata->context, "inline_code_block line ")) == NULL ||
		sscanf(at, "inline_code_block line %d", &n) != 1)
		return false;
	*path = running_do.file->path;
	*line = pgmg_line_of(running_do.file->content, running_do.body) + n - 1;
	/* the first character of that line that is not blank */
	p = running_do.file->content;
	for (n = 1; *p && n < *line; p++)
		if (*p == '\n')
			n++;
	for (*column = 1; *p == ' ' || *p == '\t'; p++)
		(*column)++;
	return true;
}

/*
 * CALL pgmg.test(pattern text, bail boolean) runs the loaded tests whose
 * path matches the regular expression pattern (every test when it is
 * null), in path order.  A NOTICE says how many will run, then one per
 * test: passed, failed (with its error as detail) or, after the first
 * failure with bail, not run.  Every test runs; if any failed, the call
 * ends with an error counting them (bail: the first failure's error), so
 * that a deploy.sql gated on the tests stops.  A pattern that matches no
 * test is an error.
 */
Datum
pgmg_test(PG_FUNCTION_ARGS)
{
	text	   *pattern = PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0);
	bool		bail = PG_NARGS() > 1 && !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "pgmg test",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	PgmgFileSet *set;
	List	   *chosen = NIL;
	StringInfoData failed_paths;
	ErrorData  *first = NULL;
	ListCell   *lc;
	int			passed = 0;
	int			failed = 0;

	pgmg_spi_connect();
	MemoryContextSwitchTo(cxt);
	set = pgmg_read_files(pgmg_loaded_files());
	initStringInfo(&failed_paths);

	foreach(lc, set->tests)
	{
		PgmgFile   *test = lfirst(lc);

		if (is_fixture(test))
			continue;
		if (pattern &&
			!DatumGetBool(DirectFunctionCall2Coll(textregexeq, C_COLLATION_OID,
												  CStringGetTextDatum(test->path),
												  PointerGetDatum(pattern))))
			continue;
		chosen = lappend(chosen, test);
	}
	if (chosen == NIL && pattern)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no test matches the pattern \"%s\"", text_to_cstring(pattern)),
				 errhint("The pattern is a regular expression matched against the paths of the tests in pgmg.source.")));
	ereport(NOTICE,
			(errmsg("%d %s to run", list_length(chosen),
					list_length(chosen) == 1 ? "test" : "tests")));

	foreach(lc, chosen)
	{
		PgmgFile   *test = lfirst(lc);
		double		ms;
		ErrorData  *edata;
		const char *where;
		int			line;
		int			column;

		if (bail && first)
		{
			ereport(NOTICE, (errmsg("test not run: %s", test->path)));
			continue;
		}
		pgmg_forget_error_position();
		edata = run_test(test, fixtures_for(set->tests, test), &ms);
		if (edata == NULL)
		{
			passed++;
			ereport(NOTICE,
					(errmsg("test passed: %s", test->path),
					 errdetail("%.1f ms", ms)));
			continue;
		}
		failed++;
		appendStringInfo(&failed_paths, "%s%s", failed > 1 ? ", " : "", test->path);
		/* a notice's context is not shown by default: the place goes in the detail */
		if (do_block_position(edata, &where, &line, &column) ||
			pgmg_error_position(&where, &line, &column))
			where = psprintf(" (at %s:%d:%d)", where, line, column);
		else
			where = "";
		ereport(NOTICE,
				(errcode(edata->sqlerrcode),
				 errmsg("test failed: %s", test->path),
				 errdetail("%s%s%s%s", edata->message, where,
						   edata->detail ? "\n" : "", edata->detail ? edata->detail : "")));
		edata->message = psprintf("test \"%s\" failed: %s", test->path, edata->message);
		if (first == NULL)
			first = edata;
	}

	if (first && bail)
		ReThrowError(first);
	if (failed > 0)
		ereport(ERROR,
				(errcode(first->sqlerrcode),
				 errmsg("%d of %d tests failed", failed, list_length(chosen)),
				 errdetail("Failed: %s. The first: %s", failed_paths.data, first->message)));
	ereport(NOTICE,
			(errmsg("%d %s passed", passed, passed == 1 ? "test" : "tests")));

	SPI_finish();
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(cxt);
	PG_RETURN_VOID();
}
