/*-------------------------------------------------------------------------
 *
 * pgmg.c
 *	  Entry points of the pgmg extension: module magic and the
 *	  SQL-callable functions pgmg.version(), pgmg.plan(), pgmg.apply(),
 *	  pgmg.baseline(), pgmg.status(), pgmg.hazards(), pgmg.check(),
 *	  pgmg.graph(), pgmg.start_migration(),
 *	  pgmg.record_migration(), pgmg.record_failure() and pgmg.repair().
 *	  The session API (pgmg.load(), pgmg.source, pgmg.test()) is in
 *	  session.c.
 *
 * Each call works in a private memory context, deleted before returning;
 * the result rows are materialized into the executor's tuplestore.  SPI is
 * connected for the whole call (pgmg's own tables and user SQL go through
 * it).  apply serializes on a transaction-scoped advisory lock with a
 * stable key and plans again under the lock, so a second concurrent apply
 * finds nothing left to do.  Every lock wait is bounded (locks.c): each
 * attempt of an apply runs in an internal subtransaction, and one that
 * times out on a lock is rolled back and, after a pause, planned and run
 * again.  The library works only on an extension of its own version.
 *
 * Every apply that commits writes its row of pgmg.pgmg_history in its own
 * transaction.  What the session's last apply attempted (when, which
 * project and files, which steps) is kept in backend memory, which a
 * rollback does not undo, for pgmg.record_failure() to record after it.
 *
 * Functions are SECURITY INVOKER and set no search_path: user files run
 * with the caller's search_path, as psql would run them, while every query
 * pgmg itself issues is schema-qualified.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/pgmg.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "pgmg.h"

PG_MODULE_MAGIC;

/* GUC: report how long each phase of plan and apply took */
bool		pgmg_timing = false;
bool		pgmg_check_references = true;

/* GUCs: what the client says of itself, for pgmg.pgmg_history */
static char *pgmg_vcs_commit = NULL;
static char *pgmg_client_host = NULL;
static char *pgmg_client_version = NULL;

/* the session's last apply, until it is recorded (TopMemoryContext) */
static struct
{
	bool		valid;
	TimestampTz started;
	char		project[NAMEDATALEN];
	char		files_hash[PGMG_HASH_LEN];
	int			steps;			/* of its last plan */
	List	   *migrations;		/* char *, run by its last plan */
}			attempt;

/* GUC: the project whose objects and migrations a call manages */
char	   *pgmg_project = NULL;

PG_FUNCTION_INFO_V1(pgmg_version);
PG_FUNCTION_INFO_V1(pgmg_plan);
PG_FUNCTION_INFO_V1(pgmg_apply);
PG_FUNCTION_INFO_V1(pgmg_baseline);
PG_FUNCTION_INFO_V1(pgmg_status_sql);
PG_FUNCTION_INFO_V1(pgmg_import_sql);
PG_FUNCTION_INFO_V1(pgmg_record_migration_sql);
PG_FUNCTION_INFO_V1(pgmg_start_migration_sql);
PG_FUNCTION_INFO_V1(pgmg_repair_sql);
PG_FUNCTION_INFO_V1(pgmg_hazards_sql);
PG_FUNCTION_INFO_V1(pgmg_record_failure_sql);
PG_FUNCTION_INFO_V1(pgmg_check_sql);
PG_FUNCTION_INFO_V1(pgmg_graph_sql);

static Datum plan_or_apply(FunctionCallInfo fcinfo, bool apply);
static void lock_and_refresh(const char *what, int timeout_ms);
static PgmgPlan *plan_locked(Jsonb *files, bool allow_out_of_order,
							 int timeout_ms, PgmgFileSet **set, bool *pushed);
static PgmgPlan *apply_with_retries(Jsonb *files, bool allow_out_of_order,
									int timeout_ms, PgmgFileSet **set,
									double *plan_ms, double *execute_ms,
									double *record_ms);
static MemoryContext begin_call(MemoryContext *oldcxt);
static void check_extension_version(void);
static bool check_project(char **newval, void **extra, GucSource source);
static void end_call(MemoryContext callcxt, MemoryContext oldcxt);
/* what pgmg.check() runs in its rolled-back subtransaction */
typedef struct CheckCall
{
	Jsonb	   *files;
	bool		allow_out_of_order;
	List	   *errors;			/* PgmgCheckError * */
} CheckCall;

static void check_rolled_back(void *arg);
static void note_attempt(PgmgFileSet *set, PgmgPlan *plan);
static int64 record_attempt(const char *outcome, const char *sqlstate,
							const char *error, const char *detail);
static void emit_steps(FunctionCallInfo fcinfo, PgmgPlan *plan);
static Datum step_cause(PgmgStep *step);
static void json_member(StringInfo buf, const char *name, const char *value);
static PgmgPlan *plan_of_args(FunctionCallInfo fcinfo);

/*
 * Module load callback: define pgmg's settings.
 */
void
_PG_init(void)
{
	DefineCustomBoolVariable("pgmg.timing",
							 "Reports how long each phase of pgmg.plan() and pgmg.apply() took.",
							 NULL,
							 &pgmg_timing,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("pgmg.check_references",
							 "Makes plan report every reference of the code files to run that will not exist.",
							 "Off: the server judges each reference when the file runs, "
							 "and the first missing one fails the apply.",
							 &pgmg_check_references,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("pgmg.lock_timeout",
							"Longest wait for one lock during pgmg.apply() (0: no limit).",
							"The lock_timeout argument of pgmg.apply() overrides it. A lock "
							"timeout is retried pgmg.lock_retries times.",
							&pgmg_lock_timeout,
							5000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pgmg.lock_retries",
							"How often pgmg.apply() starts again after a lock timeout.",
							"Each retry rolls back what the attempt did and pauses first "
							"(500 ms, doubling, at most 5 s).",
							&pgmg_lock_retries,
							3, 0, 100,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("pgmg.project",
							   "The project whose objects and migrations pgmg manages.",
							   "Projects sharing a database manage only their own objects and "
							   "migrations; an object belongs to one project.",
							   &pgmg_project,
							   "default",
							   PGC_USERSET,
							   0,
							   check_project, NULL, NULL);
	DefineCustomBoolVariable("pgmg.validate_bodies",
							 "Checks the bodies of the functions and procedures an apply creates, once everything exists.",
							 "SQL bodies with the server's validator, PL/pgSQL bodies with plpgsql_check "
							 "when the database has it. Off: a body is judged when it is first called.",
							 &pgmg_validate_bodies,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("pgmg.hazard_rows",
							"Rows from which a table is large for pgmg.hazards().",
							"Rewrites, scans and index builds are hazards on large tables only.",
							&pgmg_hazard_rows,
							100000, 0, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pgmg.hazard_size",
							"Size of heap and indexes from which a table is large for pgmg.hazards().",
							NULL,
							&pgmg_hazard_size,
							131072, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pgmg.hazard_objects",
							"Objects dropped and recreated from which a plan has the hazard many_objects (0: never).",
							NULL,
							&pgmg_hazard_objects,
							1000, 0, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("pgmg.vcs_commit",
							   "The version-control commit of the files applied, for pgmg.pgmg_history.",
							   "Set by the client (--vcs-commit, else git's HEAD).",
							   &pgmg_vcs_commit,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("pgmg.client_host",
							   "The host the client runs on, for pgmg.pgmg_history.",
							   NULL,
							   &pgmg_client_host,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("pgmg.client_version",
							   "The version of the client, for pgmg.pgmg_history.",
							   NULL,
							   &pgmg_client_version,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);
	/* no MarkGUCPrefixReserved: pgmg.param.KEY settings are the user's */
}

/*
 * lock_and_refresh
 *		Serialize on pgmg's transaction-scoped advisory lock, then look at
 *		the database as it is now: whatever an apply we waited for committed
 *		must be seen, or this one would plan work already done.  That needs
 *		a new snapshot, so READ COMMITTED is required.  Pushes an active
 *		snapshot the caller pops.  Waits at most timeout_ms for the lock
 *		(0: without limit); past that, the error names its holder.
 */
static void
lock_and_refresh(const char *what, int timeout_ms)
{
	PreventCommandIfReadOnly(what);
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("%s requires the READ COMMITTED isolation level", what),
				 errdetail("After waiting for a concurrent apply, pgmg must see what it committed."),
				 errhint("Run it in a READ COMMITTED transaction (the default).")));
	pgmg_advisory_lock(timeout_ms, what);
	AcceptInvalidationMessages();
	InvalidateCatalogSnapshot();
	PushActiveSnapshot(GetTransactionSnapshot());
}

/*
 * begin_call
 *		Switch to a private memory context for the call and connect to SPI,
 *		staying in that context; *oldcxt receives the caller's context.
 */
static MemoryContext
begin_call(MemoryContext *oldcxt)
{
	MemoryContext callcxt = AllocSetContextCreate(CurrentMemoryContext, "pgmg call",
												  ALLOCSET_DEFAULT_SIZES);

	*oldcxt = MemoryContextSwitchTo(callcxt);
	pgmg_spi_connect();
	check_extension_version();
	return callcxt;
}

/*
 * check_project
 *		A project name is a non-empty line of at most 63 bytes.
 */
static bool
check_project(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0' || strlen(*newval) > 63 ||
		strchr(*newval, '\n') != NULL)
	{
		GUC_check_errdetail("A project name is a non-empty line of at most 63 bytes.");
		return false;
	}
	return true;
}

/*
 * check_extension_version
 *		The library reads and writes pgmg's tables as its own version made
 *		them: an extension left at an older version (the library was
 *		upgraded, ALTER EXTENSION was not run) is an error saying so.  The
 *		caller is connected to SPI.
 */
static void
check_extension_version(void)
{
	int			ret;
	char	   *installed;

	ret = pgmg_spi_execute("SELECT extversion FROM pg_catalog.pg_extension "
						   "WHERE extname OPERATOR(pg_catalog.=) 'pgmg'", true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_extension: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
		return;
	installed = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (strcmp(installed, PGMG_VERSION) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension pgmg is at version %s, but its library is version %s",
						installed, PGMG_VERSION),
				 errhint("Run ALTER EXTENSION pgmg UPDATE (pgmg apply does it when the role may).")));
}

/*
 * end_call
 *		Disconnect from SPI and free everything the call allocated.
 */
static void
end_call(MemoryContext callcxt, MemoryContext oldcxt)
{
	SPI_finish();
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(callcxt);
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

/*
 * pgmg.plan(files jsonb, allow_out_of_order boolean) returns the steps apply
 * would run.  Read-only.  Null files (the default) mean the file set this
 * session loaded with pgmg.load(); so for apply and status.
 */
Datum
pgmg_plan(PG_FUNCTION_ARGS)
{
	return plan_or_apply(fcinfo, false);
}

/*
 * pgmg.apply(files jsonb, allow_out_of_order boolean, lock_timeout text)
 * runs the plan in the caller's transaction and returns the steps it ran.
 */
Datum
pgmg_apply(PG_FUNCTION_ARGS)
{
	return plan_or_apply(fcinfo, true);
}

/*
 * plan_or_apply
 *		The shared body of plan and apply.
 */
static Datum
plan_or_apply(FunctionCallInfo fcinfo, bool apply)
{
	Jsonb	   *files;
	bool		allow_out_of_order = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	int			timeout_ms = 0;
	MemoryContext callcxt;
	MemoryContext oldcxt;
	PgmgFileSet *set;
	PgmgPlan   *plan;
	TimestampTz start;
	double		read_ms;
	double		plan_ms;
	double		execute_ms = 0;
	double		record_ms = 0;

	if (apply)
	{
		attempt.valid = true;
		attempt.started = GetCurrentTimestamp();
		strlcpy(attempt.project, pgmg_project, sizeof(attempt.project));
		attempt.files_hash[0] = '\0';
		attempt.steps = 0;
		timeout_ms = pgmg_lock_timeout_ms(PG_NARGS() > 2 && !PG_ARGISNULL(2) ?
										  text_to_cstring(PG_GETARG_TEXT_PP(2)) : NULL);
		lock_and_refresh("pgmg.apply()", timeout_ms);
	}

	InitMaterializedSRF(fcinfo, 0);
	callcxt = begin_call(&oldcxt);

	start = GetCurrentTimestamp();
	files = PG_ARGISNULL(0) ? pgmg_loaded_files() : PG_GETARG_JSONB_P(0);
	if (apply)
	{
		read_ms = 0;
		plan = apply_with_retries(files, allow_out_of_order, timeout_ms, &set,
								  &plan_ms, &execute_ms, &record_ms);
		(void) record_attempt("succeeded", NULL, NULL, NULL);
	}
	else
	{
		set = pgmg_read_files(files);
		read_ms = pgmg_elapsed_ms(start);
		start = GetCurrentTimestamp();
		plan = pgmg_make_plan(set, allow_out_of_order);
		plan_ms = pgmg_elapsed_ms(start);
	}
	emit_steps(fcinfo, plan);
	if (pgmg_timing)
		ereport(NOTICE,
				(errmsg("timing: read %.1f ms, plan %.1f ms, execute %.1f ms, record %.1f ms",
						read_ms, plan_ms, execute_ms, record_ms),
				 errdetail("%d code files, %d migrations, %d steps, about %d lock-table entries; memory: %.1f MB in the call's context, %.1f MB in the transaction's.",
						   list_length(set->code), list_length(set->migrations),
						   list_length(plan->steps), plan->lock_entries,
						   MemoryContextMemAllocated(callcxt, true) / 1048576.0,
						   MemoryContextMemAllocated(TopTransactionContext, true) / 1048576.0)));

	end_call(callcxt, oldcxt);
	if (apply)
		PopActiveSnapshot();
	return (Datum) 0;
}

/*
 * plan_locked
 *		The plan of an apply.  An unmanaged view the plan preserves is
 *		restored from the text read while planning; a change committed to
 *		it while the apply waited for its lock would be reverted.  So such
 *		views are locked first (within the lock timeout) and the database
 *		planned again with a fresh snapshot, until the plan preserves
 *		nothing it has not locked.  When *pushed is set, the fresh snapshot
 *		stays pushed for the caller to pop after executing.  Every lock
 *		planning waits for is waited for within the lock timeout.
 */
static PgmgPlan *
plan_locked(Jsonb *files, bool allow_out_of_order, int timeout_ms,
			PgmgFileSet **set, bool *pushed)
{
	List	   *locked = NIL;

	/*
	 * Planning waits for locks too (analysing a view's new query opens the
	 * tables it reads): within the lock timeout, as everything else
	 */
	(void) set_config_option("lock_timeout", psprintf("%d", timeout_ms),
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	*pushed = false;
	for (;;)
	{
		PgmgPlan   *plan;
		List	   *missing;
		ListCell   *lc;

		*set = pgmg_read_files(files);
		plan = pgmg_make_plan(*set, allow_out_of_order);
		note_attempt(*set, plan);
		missing = list_difference_oid(plan->preserved_relids, locked);
		if (missing == NIL)
			return plan;
		list_sort(missing, list_oid_cmp);
		foreach(lc, missing)
			LockRelationOid(lfirst_oid(lc), AccessExclusiveLock);
		locked = list_concat(locked, missing);
		if (*pushed)
			PopActiveSnapshot();
		PushActiveSnapshot(GetTransactionSnapshot());
		*pushed = true;
	}
}

/*
 * apply_with_retries
 *		Plan and execute, each attempt in an internal subtransaction.  An
 *		attempt that times out waiting for a lock (55P03) is rolled back,
 *		so that whatever it had locked is free again, and after a pause the
 *		database is planned afresh and the apply starts over, at most
 *		pgmg.lock_retries times.  The last timeout is raised with the
 *		sessions holding locks on what the plan drops or migrates.  Any
 *		other error is raised as it is.
 *
 * The caller holds the advisory lock and is connected to SPI; the plan
 * that succeeded and its file set are returned in the caller's context.
 */
static PgmgPlan *
apply_with_retries(Jsonb *files, bool allow_out_of_order, int timeout_ms,
				   PgmgFileSet **set, double *plan_ms, double *execute_ms,
				   double *record_ms)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	int			attempt;

	for (attempt = 0;; attempt++)
	{
		PgmgPlan   *volatile plan = NULL;
		ErrorData  *volatile edata = NULL;
		bool		pushed = false;
		TimestampTz start;

		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		PG_TRY();
		{
			start = GetCurrentTimestamp();
			plan = plan_locked(files, allow_out_of_order, timeout_ms, set, &pushed);
			*plan_ms = pgmg_elapsed_ms(start);
			pgmg_execute_plan(plan, timeout_ms, execute_ms, record_ms);
			if (pushed)
				PopActiveSnapshot();
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(cxt);
			edata = CopyErrorData();
			FlushErrorState();
		}
		PG_END_TRY();

		if (edata == NULL)
		{
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
			return plan;
		}
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;

		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			ReThrowError(edata);
		if (attempt >= pgmg_lock_retries)
		{
			char	   *holders = plan ? pgmg_lock_holders(plan->lock_relids) : NULL;

			edata->message = psprintf("%s (gave up after %d attempt%s of %d ms each)",
									  edata->message, attempt + 1,
									  attempt > 0 ? "s" : "", timeout_ms);
			if (holders)
				edata->detail = psprintf("Sessions holding locks on what this apply drops or migrates: %s.",
										 holders);
			edata->hint = "Wait for them to finish, end them with pg_terminate_backend(), or allow a longer wait (pgmg.lock_timeout, --lock-timeout). Nothing was changed.";
			ReThrowError(edata);
		}
		ereport(NOTICE,
				(errmsg("lock timeout; everything this attempt did was rolled back, retrying in %d ms (attempt %d of %d)",
						pgmg_backoff_ms(attempt + 1), attempt + 2, pgmg_lock_retries + 1),
				 errdetail("%s", edata->context ? edata->context : edata->message)));
		pgmg_sleep(pgmg_backoff_ms(attempt + 1));

		/* the pause may have let others change the database: look again */
		PopActiveSnapshot();
		AcceptInvalidationMessages();
		InvalidateCatalogSnapshot();
		PushActiveSnapshot(GetTransactionSnapshot());
	}
}

/*
 * pgmg.baseline(files jsonb, upto text) records every migration of the
 * file set up to and including upto (numeric-aware order) as applied,
 * without running it: for databases that predate pgmg.  Returns the names
 * it recorded.
 */
Datum
pgmg_baseline(PG_FUNCTION_ARGS)
{
	Jsonb	   *files = PG_GETARG_JSONB_P(0);
	char	   *upto = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callcxt;
	MemoryContext oldcxt;
	PgmgFileSet *set;
	List	   *applied;
	ListCell   *lc;
	bool		found = false;

	lock_and_refresh("pgmg.baseline()", pgmg_lock_timeout);
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	callcxt = begin_call(&oldcxt);

	set = pgmg_read_files(files);
	foreach(lc, set->migrations)
		if (strcmp(((PgmgFile *) lfirst(lc))->path, upto) == 0)
			found = true;
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("migration \"%s\" is not in the migrations group", upto)));

	applied = pgmg_load_migrations();
	foreach(lc, set->migrations)
	{
		PgmgFile   *f = lfirst(lc);
		ListCell   *ac;
		bool		done = false;
		Datum		value;
		bool		isnull = false;

		if (pgmg_compare_names(f->path, upto) > 0)
			break;
		foreach(ac, applied)
			if (strcmp(((PgmgMigrationRow *) lfirst(ac))->name, f->path) == 0)
				done = true;
		if (done)
			continue;
		pgmg_record_migration(f->path, f->hash, -1, true);
		value = CStringGetTextDatum(f->path);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
	}

	end_call(callcxt, oldcxt);
	PopActiveSnapshot();
	return (Datum) 0;
}

/*
 * pgmg.status(files jsonb) returns (kind, name, file, state): each
 * migration applied, pending, changed or missing, each managed object ok,
 * modified, missing, drift or deleted, each new code file.  Read-only.
 */
Datum
pgmg_status_sql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callcxt;
	MemoryContext oldcxt;
	Jsonb	   *files;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	callcxt = begin_call(&oldcxt);
	files = PG_ARGISNULL(0) ? pgmg_loaded_files() : PG_GETARG_JSONB_P(0);
	foreach(lc, pgmg_status(pgmg_read_files(files)))
	{
		PgmgStatusRow *row = lfirst(lc);
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, row->detail == NULL};

		values[0] = CStringGetTextDatum(row->kind);
		values[1] = CStringGetTextDatum(row->name);
		values[2] = CStringGetTextDatum(row->file);
		values[3] = CStringGetTextDatum(row->state);
		if (row->detail)
			values[4] = CStringGetTextDatum(row->detail);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	end_call(callcxt, oldcxt);
	return (Datum) 0;
}

/*
 * pgmg.import(schemas text[]) returns the code files of a project written
 * from this database: (path, content, objects) for each, in path order;
 * objects lists the catalog entries the file makes, as pg_restore -l
 * names them ("classid objid", comma-separated).  NULL or
 * no argument: every schema but PostgreSQL's own, pgmg's and those of
 * extensions.  Reads only.
 */
Datum
pgmg_import_sql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callcxt;
	MemoryContext oldcxt;
	List	   *schemas = NIL;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	callcxt = begin_call(&oldcxt);
	if (!PG_ARGISNULL(0))
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;
		int			i;

		deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		for (i = 0; i < n; i++)
			if (!nulls[i])
				schemas = lappend(schemas, TextDatumGetCString(elems[i]));
		if (schemas == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pgmg.import() was given no schema"),
					 errhint("Name the schemas to import, or pass NULL for all of them.")));
	}
	foreach(lc, pgmg_import(schemas))
	{
		char	  **file = lfirst(lc);
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(file[0]);
		values[1] = CStringGetTextDatum(file[1]);
		values[2] = CStringGetTextDatum(file[2]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	end_call(callcxt, oldcxt);
	return (Datum) 0;
}

/*
 * pgmg.record_migration(name text, content text, duration_ms float8)
 * records a migration the client ran itself, outside a transaction (one
 * marked -- pgmg:no-transaction), with the checksum of its content.
 */
Datum
pgmg_record_migration_sql(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *content = text_to_cstring(PG_GETARG_TEXT_PP(1));
	double		duration = PG_ARGISNULL(2) ? -1 : PG_GETARG_FLOAT8(2);
	char		hash[PGMG_HASH_LEN];

	lock_and_refresh("pgmg.record_migration()", pgmg_lock_timeout);
	pgmg_hash_text(content, hash);
	pgmg_spi_connect();
	check_extension_version();
	pgmg_record_migration(name, hash, duration, false);
	SPI_finish();
	PopActiveSnapshot();
	PG_RETURN_VOID();
}

/*
 * pgmg.start_migration(name text, content text) records, before the
 * client runs a migration outside a transaction, that it has started.
 * The client commits this first: if it dies before record_migration, the
 * next plan says so instead of running the migration again blindly.
 */
Datum
pgmg_start_migration_sql(PG_FUNCTION_ARGS)
{
	char	   *name;
	char		hash[PGMG_HASH_LEN];

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("name and content must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	lock_and_refresh("pgmg.start_migration()", pgmg_lock_timeout);
	pgmg_hash_text(text_to_cstring(PG_GETARG_TEXT_PP(1)), hash);
	pgmg_spi_connect();
	check_extension_version();
	pgmg_start_migration(name, hash);
	SPI_finish();
	PopActiveSnapshot();
	PG_RETURN_VOID();
}

/*
 * pgmg.repair(name text, resolution text) resolves a migration left
 * started (the client died, or the migration failed, after it began
 * outside a transaction): 'applied' marks it applied, 'forget' forgets
 * the attempt so that the next apply runs it again.  Returns what it did.
 */
Datum
pgmg_repair_sql(PG_FUNCTION_ARGS)
{
	char	   *name;
	char	   *resolution;
	char	   *reason = NULL;
	PgmgMigrationRow *row = NULL;
	PgmgFile   *file = NULL;
	PgmgHistoryRow history = {0};
	char	   *done;
	ListCell   *lc;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("name and resolution must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	resolution = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
		reason = text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (strcmp(resolution, "applied") != 0 && strcmp(resolution, "forget") != 0 &&
		strcmp(resolution, "accept") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown resolution \"%s\"", resolution),
				 errhint("Use 'applied' (a started migration ran to the end), 'forget' (it runs again; or its file is deleted) or 'accept' (record its edited file's checksum).")));
	lock_and_refresh("pgmg.repair()", pgmg_lock_timeout);
	pgmg_spi_connect();
	check_extension_version();

	foreach(lc, pgmg_load_migrations())
		if (strcmp(((PgmgMigrationRow *) lfirst(lc))->name, name) == 0)
			row = lfirst(lc);
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
	{
		PgmgFileSet *set = pgmg_read_files(PG_GETARG_JSONB_P(3));

		if (!set->has_migrations)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the files passed to pgmg.repair() have no migrations"),
					 errhint("Pass the project's migrations (pgmg repair uploads them).")));
		foreach(lc, set->migrations)
			if (strcmp(((PgmgFile *) lfirst(lc))->path, name) == 0)
				file = lfirst(lc);
	}
	if (row == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("migration \"%s\" is not recorded in project \"%s\"", name, pgmg_project),
				 errdetail("Only a recorded migration can be repaired.")));

	if (row->started && strcmp(resolution, "accept") != 0)
	{
		(void) pgmg_resolve_started(name, strcmp(resolution, "applied") == 0);
		done = strcmp(resolution, "applied") == 0 ?
			psprintf("%s: marked applied", name) :
			psprintf("%s: forgotten; it runs again", name);
	}
	else
	{
		if (row->started)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("migration \"%s\" was started outside a transaction and never recorded as finished", name),
					 errhint("Check what it did, then repair it with 'applied' (it ran to the end) or 'forget' (it runs again).")));
		if (strcmp(resolution, "applied") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("migration \"%s\" is already applied", name)));
		if (PG_NARGS() < 4 || PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("repairing applied migration \"%s\" needs the project's files", name),
					 errhint("Pass them as files (pgmg repair --migrations-dir=DIR uploads them): pgmg compares the migration's file with its record.")));
		if (strcmp(resolution, "forget") == 0 && file != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("migration \"%s\" was applied and its file is still there", name),
					 errdetail("Forgetting it would run it again at the next apply."),
					 errhint("Delete or rename the file first, if it is really gone from the project.")));
		if (reason == NULL || reason[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("repairing applied migration \"%s\" needs a reason", name),
					 errhint("Say why (pgmg repair --reason=TEXT): it is written to pgmg.pgmg_history.")));
		if (strcmp(resolution, "forget") == 0)
		{
			(void) pgmg_forget_migration(name, false);
			done = psprintf("%s: forgotten (its file is deleted)", name);
		}
		else
		{
			if (file == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_FILE),
						 errmsg("migration \"%s\" has no file among the files passed", name)));
			if (pgmg_file_matches(file, row->checksum, row->legacy_hash))
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("migration \"%s\" matches its recorded checksum: there is nothing to accept", name)));
			(void) pgmg_accept_checksum(name, file->hash);
			done = psprintf("%s: checksum %s accepted (was %s)", name, file->hash, row->checksum);
		}
	}

	history.started = GetCurrentTimestamp();
	history.outcome = "repaired";
	history.migrations = list_make1(name);
	history.error = done;
	history.detail = reason;
	(void) pgmg_record_history(&history);
	SPI_finish();
	PopActiveSnapshot();
	PG_RETURN_TEXT_P(cstring_to_text(done));
}

/*
 * pgmg.hazards(files jsonb, allow_out_of_order boolean) returns what the
 * plan of these files would cost the database: (code, severity, object,
 * file, line, rows, bytes, message, safer, allowed), in plan order.
 * Read-only, like pgmg.plan().
 */
Datum
pgmg_hazards_sql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callcxt;
	MemoryContext oldcxt;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	callcxt = begin_call(&oldcxt);
	foreach(lc, pgmg_plan_hazards(plan_of_args(fcinfo)))
	{
		PgmgHazard *h = lfirst(lc);
		Datum		values[10];
		bool		nulls[10] = {0};

		values[0] = CStringGetTextDatum(h->code);
		values[1] = CStringGetTextDatum(pgmg_severity_name(h->severity));
		nulls[2] = h->object == NULL;
		if (h->object)
			values[2] = CStringGetTextDatum(h->object);
		nulls[3] = h->file == NULL;
		if (h->file)
			values[3] = CStringGetTextDatum(h->file);
		nulls[4] = h->line <= 0;
		values[4] = Int32GetDatum(h->line);
		nulls[5] = h->rows < 0;
		values[5] = Int64GetDatum((int64) h->rows);
		nulls[6] = h->bytes < 0;
		values[6] = Int64GetDatum(h->bytes);
		values[7] = CStringGetTextDatum(h->message);
		values[8] = CStringGetTextDatum(h->safer);
		values[9] = BoolGetDatum(h->allowed);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	end_call(callcxt, oldcxt);
	return (Datum) 0;
}

/*
 * plan_of_args
 *		The plan of a reading SQL function's arguments: files (null: the
 *		files pgmg.load() keeps) and allow_out_of_order.
 */
static PgmgPlan *
plan_of_args(FunctionCallInfo fcinfo)
{
	Jsonb	   *files = PG_ARGISNULL(0) ? pgmg_loaded_files() : PG_GETARG_JSONB_P(0);

	return pgmg_make_plan(pgmg_read_files(files),
						  !PG_ARGISNULL(1) && PG_GETARG_BOOL(1));
}

/*
 * pgmg.graph(files jsonb, allow_out_of_order boolean) returns a row per
 * managed object, table they read, dropped object and pending migration:
 * what the plan does to it, what it needs to exist first and what its
 * string bodies name (picture.c).  Reads only.
 */
Datum
pgmg_graph_sql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callcxt;
	MemoryContext oldcxt;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	callcxt = begin_call(&oldcxt);
	foreach(lc, pgmg_plan_picture(plan_of_args(fcinfo)))
	{
		PgmgNode   *node = lfirst(lc);
		Datum		values[5];
		bool		nulls[5] = {0};

		values[0] = CStringGetTextDatum(node->object);
		nulls[1] = node->file == NULL;
		if (node->file)
			values[1] = CStringGetTextDatum(node->file);
		nulls[2] = node->action == NULL;
		if (node->action)
			values[2] = CStringGetTextDatum(node->action);
		values[3] = pgmg_text_array(node->depends_on);
		values[4] = pgmg_text_array(node->late);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	end_call(callcxt, oldcxt);
	return (Datum) 0;
}

/*
 * pgmg.record_failure(sqlstate text, message text, detail text) records a
 * failed apply in pgmg.pgmg_history after its rollback, with what this
 * session remembers of its last attempt (none: the row has only what is
 * passed), and sends NOTIFY pgmg.  Returns the row's id.
 */
Datum
pgmg_record_failure_sql(PG_FUNCTION_ARGS)
{
	int64		id;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the message of a failed apply must not be null")));
	PreventCommandIfReadOnly("pgmg.record_failure()");
	pgmg_spi_connect();
	check_extension_version();
	if (!attempt.valid)
	{
		attempt.started = GetCurrentTimestamp();
		strlcpy(attempt.project, pgmg_project, sizeof(attempt.project));
		attempt.files_hash[0] = '\0';
		attempt.steps = 0;
		list_free_deep(attempt.migrations);
		attempt.migrations = NIL;
	}
	id = record_attempt("failed",
						PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0)),
						text_to_cstring(PG_GETARG_TEXT_PP(1)),
						PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2)));
	SPI_finish();
	PG_RETURN_INT64(id);
}

/*
 * pgmg.check(files jsonb, allow_out_of_order boolean) runs the plan of the
 * files as apply would, every step in a subtransaction of its own, then
 * rolls all of it back, and returns every step that failed: (step, object,
 * file, line, column, sqlstate, message, detail, hint).  No row: the apply
 * would succeed.  It takes the locks apply takes, within the lock timeout,
 * and cannot run where nothing may be written.
 */
Datum
pgmg_check_sql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		allow_out_of_order = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	MemoryContext callcxt;
	MemoryContext oldcxt;
	Jsonb	   *files;
	CheckCall	check;
	ErrorData  *edata;
	List	   *errors;
	ListCell   *lc;

	if (RecoveryInProgress() || XactReadOnly)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot check the plan in a read-only session"),
				 errdetail("pgmg.check() runs the apply and rolls it back; %s cannot run it.",
						   RecoveryInProgress() ? "a hot standby" : "a read-only transaction"),
				 errhint("Check on the primary; pgmg.plan() and pgmg.hazards() work here.")));
	lock_and_refresh("pgmg.check()", pgmg_lock_timeout);
	InitMaterializedSRF(fcinfo, 0);
	callcxt = begin_call(&oldcxt);
	files = PG_ARGISNULL(0) ? pgmg_loaded_files() : PG_GETARG_JSONB_P(0);

	/* everything below is rolled back */
	check.files = files;
	check.allow_out_of_order = allow_out_of_order;
	check.errors = NIL;
	edata = pgmg_subtransaction(check_rolled_back, &check, false);
	/* the plan itself failed: that is the one error */
	errors = edata ? list_make1(pgmg_check_error(edata, 0, "plan")) : check.errors;

	foreach(lc, errors)
	{
		PgmgCheckError *e = lfirst(lc);
		Datum		values[9];
		bool		nulls[9] = {0};
		const char *texts[9] = {NULL, e->object, e->file, NULL, NULL, e->sqlstate,
		e->message, e->detail, e->hint};
		int			i;

		for (i = 0; i < 9; i++)
			if (texts[i])
				values[i] = CStringGetTextDatum(texts[i]);
			else
				nulls[i] = true;
		nulls[0] = e->step == 0;
		values[0] = Int32GetDatum(e->step);
		nulls[3] = nulls[4] = e->file == NULL;
		values[3] = Int32GetDatum(e->line);
		values[4] = Int32GetDatum(e->column);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	end_call(callcxt, oldcxt);
	PopActiveSnapshot();
	return (Datum) 0;
}

/*
 * check_rolled_back
 *		pgmg_subtransaction callback of pgmg.check(): plan, and run the plan
 *		step by step, collecting the errors.
 */
static void
check_rolled_back(void *arg)
{
	CheckCall  *check = arg;

	check->errors = pgmg_check_plan(pgmg_make_plan(pgmg_read_files(check->files),
												   check->allow_out_of_order),
									pgmg_lock_timeout);
}

/*
 * note_attempt
 *		Remember what an apply's plan would do, for its history row.
 */
static void
note_attempt(PgmgFileSet *set, PgmgPlan *plan)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
	ListCell   *lc;

	pgmg_files_hash(set, attempt.files_hash);
	list_free_deep(attempt.migrations);
	attempt.migrations = NIL;
	attempt.steps = 0;
	foreach(lc, plan->steps)
	{
		PgmgStep   *step = lfirst(lc);

		if (step->action == PGMG_ACT_MIGRATE)
			attempt.migrations = lappend(attempt.migrations, pstrdup(step->object));
		if (step->action != PGMG_ACT_LATER && step->action != PGMG_ACT_PAUSE)
			attempt.steps++;
	}
	MemoryContextSwitchTo(old);
}

/*
 * record_attempt
 *		Write the session's last attempt to pgmg.pgmg_history with its
 *		outcome, and forget it.  The caller is connected to SPI.
 */
static int64
record_attempt(const char *outcome, const char *sqlstate, const char *error,
			   const char *detail)
{
	PgmgHistoryRow row = {0};
	int64		id;

	row.project = attempt.project;
	row.started = attempt.started;
	row.outcome = outcome;
	row.steps = attempt.steps;
	row.migrations = attempt.migrations;
	row.files_hash = attempt.files_hash[0] ? attempt.files_hash : NULL;
	row.sqlstate = sqlstate;
	row.error = error;
	row.detail = detail;
	id = pgmg_record_history(&row);
	attempt.valid = false;
	return id;
}

/*
 * emit_steps
 *		One row per step: step, action, object, file, reason, statement,
 *		cause.
 */
static void
emit_steps(FunctionCallInfo fcinfo, PgmgPlan *plan)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext,
												  "pgmg step row",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	ListCell   *lc;
	int			n = 0;

	foreach(lc, plan->steps)
	{
		PgmgStep   *step = lfirst(lc);
		Datum		values[7];
		bool		nulls[7] = {false, false, false, false, false, false, false};
		StringInfoData sql;
		ListCell   *sc;

		/* the tuplestore copies the row: its values are not kept */
		old = MemoryContextSwitchTo(scratch);
		initStringInfo(&sql);
		foreach(sc, step->sql)
			appendStringInfo(&sql, "%s%s;", sql.len ? "\n" : "",
							 ((PgmgSql *) lfirst(sc))->text);

		values[0] = Int32GetDatum(++n);
		values[1] = CStringGetTextDatum(pgmg_action_name(step->action));
		values[2] = CStringGetTextDatum(step->object);
		if (step->file)
			values[3] = CStringGetTextDatum(step->file);
		else
			nulls[3] = true;
		values[4] = CStringGetTextDatum(step->reason ? step->reason : "");
		values[5] = CStringGetTextDatum(sql.data);
		values[6] = step_cause(step);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
		MemoryContextReset(scratch);
	}
	MemoryContextDelete(scratch);
}

/*
 * step_cause
 *		The cause column of a step: its PgmgCause as a JSON object, members
 *		without a value left out, with what the step itself tells (replaced
 *		in place, why not, needed first by a migration).
 */
static Datum
step_cause(PgmgStep *step)
{
	PgmgCause  *c = step->cause;
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	json_member(&buf, "kind", c ? c->kind :
				step->action == PGMG_ACT_MIGRATE ? "pending" :
				pgmg_action_name(step->action));
	if (c)
	{
		json_member(&buf, "object", c->object);
		json_member(&buf, "column", c->column);
		json_member(&buf, "constraint", c->constraint);
		json_member(&buf, "change", c->change);
		json_member(&buf, "migration", c->migration);
		if (c->migration)
			appendStringInfo(&buf, ", \"line\": %d", c->line);
	}
	if (step->action == PGMG_ACT_REPLACE)
		appendStringInfoString(&buf, ", \"in_place\": true");
	else if (step->action == PGMG_ACT_KEEP)
		appendStringInfoString(&buf, ", \"unchanged\": true");
	json_member(&buf, "not_replaced", step->not_replaced);
	json_member(&buf, "needed_by", step->needed_by);
	appendStringInfoChar(&buf, '}');
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/* ", name: value" (no comma first), when value is not NULL */
static void
json_member(StringInfo buf, const char *name, const char *value)
{
	if (value == NULL)
		return;
	if (buf->len > 1)
		appendStringInfoString(buf, ", ");
	escape_json(buf, name);
	appendStringInfoString(buf, ": ");
	escape_json(buf, value);
}
