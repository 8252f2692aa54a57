/*-------------------------------------------------------------------------
 *
 * pgmg.c
 *	  Entry points of the pgmg extension: module magic and the
 *	  SQL-callable functions pgmg.version(), pgmg.plan() and pgmg.apply().
 *
 * Each call works in a private memory context, deleted before returning;
 * the result rows are materialized into the executor's tuplestore.  SPI is
 * connected for the whole call (pgmg's own tables and user SQL go through
 * it).  apply serializes on a transaction-scoped advisory lock with a
 * stable key and plans again under the lock, so a second concurrent apply
 * finds nothing left to do.
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
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "pgmg.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(pgmg_version);
PG_FUNCTION_INFO_V1(pgmg_plan);
PG_FUNCTION_INFO_V1(pgmg_apply);

static Datum plan_or_apply(FunctionCallInfo fcinfo, bool apply);
static void emit_steps(FunctionCallInfo fcinfo, PgmgPlan *plan);

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
 * pgmg.plan(files jsonb) returns the steps apply would run.  Read-only.
 */
Datum
pgmg_plan(PG_FUNCTION_ARGS)
{
	return plan_or_apply(fcinfo, false);
}

/*
 * pgmg.apply(files jsonb) runs the plan in the caller's transaction and
 * returns the steps it ran.
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
	Jsonb	   *files = PG_GETARG_JSONB_P(0);
	MemoryContext callcxt;
	MemoryContext oldcxt;
	PgmgFileSet *set;
	PgmgPlan   *plan;
	int			ret;

	if (apply)
	{
		PreventCommandIfReadOnly("pgmg.apply()");
		DirectFunctionCall1(pg_advisory_xact_lock_int8,
							Int64GetDatum(PGMG_LOCK_KEY));
	}

	InitMaterializedSRF(fcinfo, 0);

	callcxt = AllocSetContextCreate(CurrentMemoryContext, "pgmg call",
									ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(callcxt);
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	MemoryContextSwitchTo(callcxt);

	set = pgmg_read_files(files);
	plan = pgmg_make_plan(set);
	if (apply)
		pgmg_execute_plan(plan);
	emit_steps(fcinfo, plan);

	SPI_finish();
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(callcxt);
	return (Datum) 0;
}

/*
 * emit_steps
 *		One row per step: step, action, object, file, reason, statement.
 */
static void
emit_steps(FunctionCallInfo fcinfo, PgmgPlan *plan)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListCell   *lc;
	int			n = 0;

	foreach(lc, plan->steps)
	{
		PgmgStep   *step = lfirst(lc);
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};
		StringInfoData sql;
		ListCell   *sc;

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
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}
