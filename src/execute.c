/*-------------------------------------------------------------------------
 *
 * execute.c
 *	  Running a plan: every statement through SPI, in the caller's
 *	  transaction, with an error context that names the file, line and
 *	  object; then recording the new state.
 *
 * An apply catches no errors: the first failure aborts the caller's
 * transaction, so either every step and the state update happen or none
 * does.  A check (pgmg_check_plan) runs each step in a subtransaction,
 * collects the errors and goes on; its caller rolls everything back.  An error that says something does not exist, raised by a code
 * file, also says in which order the code files ran.  While the plan runs, check_function_bodies is off (as pg_dump
 * does), so late-bound function bodies never force an order; the setting
 * is restored afterwards, and the bodies are checked once every step ran
 * (bodies.c).  Each migration runs in a settings scope of its
 * own: nothing it SETs survives it.  Each statement allocates in a scratch
 * context reset after it: nothing it allocates is needed afterwards.  The
 * state rows of every file run are written after the last step, in a few
 * statements (state.c).
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/execute.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "executor/spi.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "pgmg.h"

/* the code files run so far, for errors that may mean a missed order */
typedef struct RunOrder
{
	List	   *paths;			/* char *, in the order they ran */
	int			nfiles;			/* code files the plan runs */
} RunOrder;

/* a step a check runs, with what running steps needs */
typedef struct CheckedStep
{
	PgmgStep   *step;
	RunOrder	run;
	MemoryContext scratch;
} CheckedStep;

static void run_sql(PgmgSql *sql, const char *object, MemoryContext scratch);
static void run_step(PgmgStep *step, RunOrder *run, MemoryContext scratch);
static void run_settings(int lock_timeout_ms);
static void run_checked_step(void *arg);
static void validate_checked_bodies(void *arg);
static void run_order_context(void *arg);

/*
 * run_order_context
 *		Error context callback of a code file's create or replace step:
 *		when what it needs does not exist and the plan runs several files,
 *		say in which order pgmg ran them and how to force another.  Other
 *		errors get nothing.
 */
static void
run_order_context(void *arg)
{
	RunOrder   *run = arg;
	int			code = geterrcode();
	StringInfoData buf;
	int			n = list_length(run->paths);
	int			i;

	if (code != ERRCODE_UNDEFINED_TABLE && code != ERRCODE_UNDEFINED_FUNCTION &&
		code != ERRCODE_UNDEFINED_OBJECT && code != ERRCODE_UNDEFINED_COLUMN)
		return;
	/* with one file to run, no other order exists */
	if (run->nfiles < 2)
		return;
	initStringInfo(&buf);
	if (n > 10)
		appendStringInfo(&buf, "(%d earlier) ", n - 10);
	for (i = Max(0, n - 10); i < n; i++)
		appendStringInfo(&buf, "%s%s", i > Max(0, n - 10) ? ", " : "",
						 (char *) list_nth(run->paths, i));
	errcontext("pgmg ran the code files in this order: %s; if \"%s\" needs an object that another code file creates, add \"-- pgmg:requires <that file>\" to the comments at its top",
			   buf.data, (char *) llast(run->paths));
}

/*
 * run_sql
 *		Run one statement through SPI under the file's error context.
 */
static void
run_sql(PgmgSql *sql, const char *object, MemoryContext scratch)
{
	ErrorContextCallback cb;
	MemoryContext old;
	int			ret;

	if (sql->guard_column)
	{
		Oid			nsp = get_namespace_oid(sql->guard_schema, true);
		Oid			relid = OidIsValid(nsp) ?
			get_relname_relid(sql->guard_relname, nsp) : InvalidOid;

		if (!OidIsValid(relid) ||
			get_attnum(relid, sql->guard_column) == InvalidAttrNumber)
			return;
	}
	old = MemoryContextSwitchTo(scratch);
	pgmg_push_file_context(&cb, sql->file, sql->location, object);
	if (sql->shift_len > 0)
		pgmg_file_context_shift(&cb, sql->shift_at, sql->shift_len);
	ret = pgmg_spi_execute(sql->text, false, 0);
	if (ret < 0)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	error_context_stack = cb.previous;
	MemoryContextSwitchTo(old);
	MemoryContextReset(scratch);
}

/*
 * run_settings
 *		The settings the steps run with, until the caller's GUC nest level
 *		ends: check_function_bodies off (bodies are checked afterwards), the
 *		apply's lock timeout.
 */
static void
run_settings(int lock_timeout_ms)
{
	(void) set_config_option("check_function_bodies", "off",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("lock_timeout", psprintf("%d", lock_timeout_ms),
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/*
 * run_step
 *		Run one step's statements; a migration is recorded as applied.
 */
static void
run_step(PgmgStep *step, RunOrder *run, MemoryContext scratch)
{
	TimestampTz start = GetCurrentTimestamp();
	char	   *what = psprintf("%s %s", pgmg_action_name(step->action), step->object);
	ListCell   *sc;

	if (step->action == PGMG_ACT_MIGRATE)
	{
		/*
		 * A migration's settings are its own: whatever it SETs (pg_dump's
		 * header sets search_path and client_min_messages) is undone before
		 * the next step, as an aborted subtransaction would undo it, so the
		 * rest of the apply runs as planned.
		 */
		int			scope = NewGUCNestLevel();

		foreach(sc, step->sql)
			run_sql(lfirst(sc), what, scratch);
		AtEOXact_GUC(false, scope);
		pgmg_record_migration(step->migration->path, step->migration->hash,
							  pgmg_elapsed_ms(start), false);
	}
	else if (step->file &&
			 (step->action == PGMG_ACT_CREATE || step->action == PGMG_ACT_REPLACE ||
			  step->action == PGMG_ACT_KEEP))
	{
		ErrorContextCallback cb;

		if (run->paths == NIL || strcmp(llast(run->paths), step->file) != 0)
			run->paths = lappend(run->paths, step->file);
		cb.callback = run_order_context;
		cb.arg = run;
		cb.previous = error_context_stack;
		error_context_stack = &cb;
		foreach(sc, step->sql)
			run_sql(lfirst(sc), what, scratch);
		error_context_stack = cb.previous;
	}
	else
		foreach(sc, step->sql)
			run_sql(lfirst(sc), what, scratch);
}

/*
 * pgmg_execute_plan
 *		Run every step, raising a NOTICE as each completes, then record the
 *		state of every file that ran and forget deleted files.
 *
 * The caller holds the advisory lock, is connected to SPI and owns the
 * transaction.
 */
void
pgmg_execute_plan(PgmgPlan *plan, int lock_timeout_ms,
				  double *execute_ms, double *record_ms)
{
	TimestampTz phase = GetCurrentTimestamp();
	int			nest = NewGUCNestLevel();
	int			nsteps = 0;
	int			i = 0;
	RunOrder	run = {NIL, list_length(plan->exec_files)};
	ListCell   *lc;
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext,
												  "pgmg statement",
												  ALLOCSET_DEFAULT_SIZES);

	/* the steps of this apply: later ones are only shown */
	foreach(lc, plan->steps)
		if (((PgmgStep *) lfirst(lc))->action != PGMG_ACT_LATER)
			nsteps++;

	run_settings(lock_timeout_ms);

	/* records of objects that stay, taken again before anything changes */
	foreach(lc, plan->refresh)
		pgmg_refresh_record(lfirst(lc));

	foreach(lc, plan->steps)
	{
		PgmgStep   *step = lfirst(lc);

		i++;
		/*
		 * The client runs no-transaction migrations itself; what follows
		 * one is only shown, and runs in the next apply.
		 */
		if (step->action == PGMG_ACT_PAUSE || step->action == PGMG_ACT_LATER)
			continue;
		run_step(step, &run, scratch);
		ereport(NOTICE,
				(errmsg("step %d/%d: %s %s", i, nsteps,
						pgmg_action_name(step->action), step->object),
				 step->file ? errdetail("file \"%s\": %s", step->file, step->reason) :
				 errdetail("%s", step->reason)));
	}

	/* the bodies, now that everything they may use exists */
	pgmg_validate_bodies_of(plan->exec_files);

	*execute_ms = pgmg_elapsed_ms(phase);
	phase = GetCurrentTimestamp();
	pgmg_record_files(plan->exec_files, plan->forget_files);
	*record_ms = pgmg_elapsed_ms(phase);

	AtEOXact_GUC(true, nest);
}

/*
 * pgmg_check_plan
 *		Run every step as pgmg_execute_plan would, each in a subtransaction
 *		of its own, and then check the bodies: an error is caught, its
 *		subtransaction rolled back, and the run goes on, so that every
 *		failing step is found in one run.  Returns the errors
 *		(PgmgCheckError *), in step order; a step that fails because an
 *		earlier one did is reported too.  Records no state.  The caller
 *		rolls back everything that ran.
 */
List *
pgmg_check_plan(PgmgPlan *plan, int lock_timeout_ms)
{
	int			nest = NewGUCNestLevel();
	CheckedStep checked = {NULL, {NIL, list_length(plan->exec_files)}, NULL};
	List	   *errors = NIL;
	ErrorData  *edata;
	int			i = 0;
	ListCell   *lc;

	checked.scratch = AllocSetContextCreate(CurrentMemoryContext, "pgmg statement",
											ALLOCSET_DEFAULT_SIZES);
	run_settings(lock_timeout_ms);
	foreach(lc, plan->steps)
	{
		checked.step = lfirst(lc);
		i++;
		if (checked.step->action == PGMG_ACT_PAUSE ||
			checked.step->action == PGMG_ACT_LATER)
			continue;
		pgmg_forget_error_position();
		edata = pgmg_subtransaction(run_checked_step, &checked, true);
		if (edata)
			errors = lappend(errors, pgmg_check_error(edata, i, checked.step->object));
	}
	pgmg_forget_error_position();
	edata = pgmg_subtransaction(validate_checked_bodies, plan->exec_files, true);
	if (edata)
		errors = lappend(errors, pgmg_check_error(edata, 0, "function bodies"));

	AtEOXact_GUC(true, nest);
	return errors;
}

/*
 * pgmg_check_error
 *		A step's error as a PgmgCheckError, with the file position its
 *		context gave (pgmg_error_position).
 */
PgmgCheckError *
pgmg_check_error(ErrorData *edata, int step, const char *object)
{
	PgmgCheckError *e = palloc0(sizeof(PgmgCheckError));

	e->step = step;
	e->object = object;
	e->sqlstate = pstrdup(unpack_sql_state(edata->sqlerrcode));
	e->message = edata->message;
	e->detail = edata->detail;
	e->hint = edata->hint;
	(void) pgmg_error_position(&e->file, &e->line, &e->column);
	return e;
}

/* pgmg_subtransaction callbacks of a check */
static void
run_checked_step(void *arg)
{
	CheckedStep *checked = arg;

	run_step(checked->step, &checked->run, checked->scratch);
}

static void
validate_checked_bodies(void *arg)
{
	pgmg_validate_bodies_of((List *) arg);
}
