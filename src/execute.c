/*-------------------------------------------------------------------------
 *
 * execute.c
 *	  Running a plan: every statement through SPI, in the caller's
 *	  transaction, with an error context that names the file, line and
 *	  object; then recording the new state.
 *
 * Nothing here catches errors: the first failure aborts the caller's
 * transaction, so either every step and the state update happen or none
 * does.  While the plan runs, check_function_bodies is off (as pg_dump
 * does), so late-bound function bodies never force an order; the setting
 * is restored afterwards.  Each migration runs in a settings scope of its
 * own: nothing it SETs survives it.  Each statement, and the recording of
 * each file, allocates in a scratch context reset after it: nothing they
 * allocate is needed afterwards.
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

static void run_sql(PgmgSql *sql, const char *object, MemoryContext scratch);

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
	ret = pgmg_spi_execute(sql->text, false, 0);
	if (ret < 0)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	error_context_stack = cb.previous;
	MemoryContextSwitchTo(old);
	MemoryContextReset(scratch);
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
	ListCell   *lc;
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext,
												  "pgmg statement",
												  ALLOCSET_DEFAULT_SIZES);

	/* the steps of this apply: later ones are only shown */
	foreach(lc, plan->steps)
		if (((PgmgStep *) lfirst(lc))->action != PGMG_ACT_LATER)
			nsteps++;

	(void) set_config_option("check_function_bodies", "off",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("lock_timeout", psprintf("%d", lock_timeout_ms),
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	foreach(lc, plan->steps)
	{
		PgmgStep   *step = lfirst(lc);
		ListCell   *sc;
		TimestampTz start = GetCurrentTimestamp();
		char	   *what;

		i++;
		/*
		 * The client runs no-transaction migrations itself; what follows
		 * one is only shown, and runs in the next apply.
		 */
		if (step->action == PGMG_ACT_PAUSE || step->action == PGMG_ACT_LATER)
			continue;
		what = psprintf("%s %s", pgmg_action_name(step->action), step->object);
		if (step->action == PGMG_ACT_MIGRATE)
		{
			/*
			 * A migration's settings are its own: whatever it SETs (pg_dump's
			 * header sets search_path and client_min_messages) is undone
			 * before the next step, as an aborted subtransaction would undo
			 * it, so the rest of the apply runs as planned.
			 */
			int			scope = NewGUCNestLevel();

			foreach(sc, step->sql)
				run_sql(lfirst(sc), what, scratch);
			AtEOXact_GUC(false, scope);
			pgmg_record_migration(step->migration->path, step->migration->hash,
								  pgmg_elapsed_ms(start), false);
		}
		else
			foreach(sc, step->sql)
				run_sql(lfirst(sc), what, scratch);
		ereport(NOTICE,
				(errmsg("step %d/%d: %s %s", i, nsteps,
						pgmg_action_name(step->action), step->object),
				 step->file ? errdetail("file \"%s\": %s", step->file, step->reason) :
				 errdetail("%s", step->reason)));
	}

	*execute_ms = pgmg_elapsed_ms(phase);
	phase = GetCurrentTimestamp();
	foreach(lc, plan->forget_files)
		pgmg_forget_file(lfirst(lc));
	foreach(lc, plan->exec_files)
	{
		MemoryContext old = MemoryContextSwitchTo(scratch);

		pgmg_record_file(lfirst(lc));
		MemoryContextSwitchTo(old);
		MemoryContextReset(scratch);
	}
	*record_ms = pgmg_elapsed_ms(phase);

	AtEOXact_GUC(true, nest);
}
