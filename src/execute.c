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
 * own: nothing it SETs survives it.
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
#include "mb/pg_wchar.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/lsyscache.h"

#include "pgmg.h"

/* what an error while running or parsing user SQL is about */
typedef struct FileContext
{
	PgmgFile   *file;			/* NULL for statements pgmg generated */
	int			location;		/* byte offset of the text in the file */
	const char *object;			/* object being created, or NULL */
} FileContext;

static void file_error_callback(void *arg);
static void run_sql(PgmgSql *sql, const char *object);

/*
 * pgmg_push_file_context
 *		Push an error context callback saying which file, line and object
 *		an error is about.  cb must live until it is popped by the caller
 *		(error_context_stack = cb->previous).
 */
void
pgmg_push_file_context(ErrorContextCallback *cb, PgmgFile *file, int location,
					   const char *object)
{
	FileContext *ctx = palloc(sizeof(FileContext));

	ctx->file = file;
	ctx->location = location;
	ctx->object = object;
	cb->callback = file_error_callback;
	cb->arg = ctx;
	cb->previous = error_context_stack;
	error_context_stack = cb;
}

/*
 * file_error_callback
 *		Turn an error position inside the text that was parsed or run into
 *		a line and column of the file.
 *
 * Positions are 1-based character offsets into the text starting at
 * ctx->location: a syntax error from raw_parser sets errposition, one from
 * SPI has already been turned into an internal position.
 */
static void
file_error_callback(void *arg)
{
	FileContext *ctx = (FileContext *) arg;
	int			pos = geterrposition();
	const char *text;
	const char *p;
	int			line = 1;
	int			col = 1;
	int			i;

	if (ctx->file == NULL || ctx->file->preserved)
	{
		if (ctx->object)
			errcontext("while pgmg ran: %s", ctx->object);
		return;
	}

	if (pos > 0)
	{
		/* raw_parser on the whole file: show the file as the query */
		errposition(0);
		internalerrposition(pos);
		internalerrquery(ctx->file->content);
	}
	else
		pos = getinternalerrposition();

	text = ctx->file->content;
	for (p = text; p < text + ctx->location && *p; p++)
		if (*p == '\n')
			line++;
	if (pos > 0)
	{
		p = text + ctx->location;
		for (i = 1; i < pos && *p; i++)
		{
			if (*p == '\n')
			{
				line++;
				col = 0;
			}
			col++;
			p += pg_mblen(p);
		}
	}

	if (ctx->object)
		errcontext("file \"%s\", line %d, column %d, %s",
				   ctx->file->path, line, col, ctx->object);
	else
		errcontext("file \"%s\", line %d, column %d", ctx->file->path, line, col);
}

/*
 * run_sql
 *		Run one statement through SPI under the file's error context.
 */
static void
run_sql(PgmgSql *sql, const char *object)
{
	ErrorContextCallback cb;
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
	pgmg_push_file_context(&cb, sql->file, sql->location, object);
	ret = SPI_execute(sql->text, false, 0);
	if (ret < 0)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	error_context_stack = cb.previous;
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
				run_sql(lfirst(sc), what);
			AtEOXact_GUC(false, scope);
			pgmg_record_migration(step->migration->path, step->migration->hash,
								  pgmg_elapsed_ms(start), false);
		}
		else
			foreach(sc, step->sql)
				run_sql(lfirst(sc), what);
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
		pgmg_record_file(lfirst(lc));
	*record_ms = pgmg_elapsed_ms(phase);

	AtEOXact_GUC(true, nest);
}

/*
 * pgmg_elapsed_ms
 *		Milliseconds since start.
 */
double
pgmg_elapsed_ms(TimestampTz start)
{
	long		secs;
	int			usecs;

	TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
	return secs * 1000.0 + usecs / 1000.0;
}
