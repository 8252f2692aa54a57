/*-------------------------------------------------------------------------
 *
 * locks.c
 *	  Bounded waiting: pgmg's own advisory lock taken within the lock
 *	  timeout, the timeout in force for an apply, and the sessions that
 *	  hold what pgmg waited for, named in the error.
 *
 * pgmg never waits without bound.  An apply's lock timeout is its
 * lock_timeout argument, else the setting pgmg.lock_timeout (5s by
 * default); 0 means wait as long as it takes.  The wait for the advisory
 * lock that serializes applies obeys the same timeout.  A lock timeout inside the apply is
 * retried (pgmg.lock_retries times, with doubling pauses) by the caller,
 * which rolls the attempt back first: while pgmg pauses it holds no lock
 * but its advisory one, so the readers it queued behind get through.
 *
 * Everything here runs in the caller's memory context; the lookups of
 * lock holders connect to SPI themselves and copy their result out.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/locks.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "pgmg.h"

/* GUCs */
int			pgmg_lock_timeout = 5000;
int			pgmg_lock_retries = 3;

static char *describe_sessions(const char *where, int nargs, Oid *types,
							   Datum *values);

/*
 * pgmg_lock_timeout_ms
 *		The lock timeout of a call, in milliseconds: the argument (a
 *		duration as lock_timeout takes it, '5s', '500ms', '0') when given,
 *		else pgmg.lock_timeout.
 */
int
pgmg_lock_timeout_ms(const char *arg)
{
	int			ms;
	const char *hint = NULL;

	if (arg == NULL)
		return pgmg_lock_timeout;
	if (!parse_int(arg, &ms, GUC_UNIT_MS, &hint) || ms < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid lock timeout \"%s\"", arg),
				 hint ? errhint("%s", hint) :
				 errhint("Give a duration such as '5s' or '500ms', or 0 to wait without limit.")));
	return ms;
}

/*
 * pgmg_advisory_lock
 *		Take pgmg's transaction-scoped advisory lock, waiting at most
 *		timeout_ms (0: without limit); past the timeout the error names the
 *		session holding it.  what names the caller for the message.
 *
 * The wait is an ordinary queued lock wait (concurrent applies go in
 * turn, and only applies ever ask for this lock, so nobody queues behind
 * it), run in an internal subtransaction with lock_timeout set, so that a
 * timeout can be caught and explained.  The lock taken in the
 * subtransaction passes to the caller's transaction when it commits.
 */
void
pgmg_advisory_lock(int timeout_ms, const char *what)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	bool		timed_out = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		(void) set_config_option("lock_timeout", psprintf("%d", timeout_ms),
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		(void) DirectFunctionCall1(pg_advisory_xact_lock_int8,
								   Int64GetDatum(PGMG_LOCK_KEY));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			PG_RE_THROW();
		FlushErrorState();
		timed_out = true;
	}
	PG_END_TRY();

	if (!timed_out)
	{
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		return;
	}
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;

	{
		Oid			types[2] = {OIDOID, OIDOID};
		Datum		values[2];
		char	   *holders;

		values[0] = ObjectIdGetDatum((Oid) ((uint64) PGMG_LOCK_KEY >> 32));
		values[1] = ObjectIdGetDatum((Oid) ((uint64) PGMG_LOCK_KEY & 0xFFFFFFFF));
		holders = describe_sessions("l.locktype OPERATOR(pg_catalog.=) 'advisory'"
									" AND l.classid OPERATOR(pg_catalog.=) $1"
									" AND l.objid OPERATOR(pg_catalog.=) $2"
									" AND l.objsubid OPERATOR(pg_catalog.=) 1",
									2, types, values);
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("%s could not take pgmg's apply lock within %d ms", what, timeout_ms),
				 holders ? errdetail("It is held by %s.", holders) :
				 errdetail("The session holding it has just released it."),
				 errhint("Another apply is running, or a session holds pgmg's advisory lock. Wait for it, end it with pg_terminate_backend(), or allow a longer wait (pgmg.lock_timeout, --lock-timeout).")));
	}
}

/*
 * pgmg_lock_holders
 *		The other sessions holding a lock on any of the relations relids,
 *		described one after the other ("process 123 (user u, application
 *		psql, idle in transaction since ...): SELECT ..."), or NULL when
 *		none does.
 */
char *
pgmg_lock_holders(List *relids)
{
	Oid			types[1] = {OIDARRAYOID};
	Datum		values[1];
	Datum	   *elems;
	ListCell   *lc;
	int			n = 0;

	if (relids == NIL)
		return NULL;
	elems = palloc(sizeof(Datum) * list_length(relids));
	foreach(lc, relids)
		elems[n++] = ObjectIdGetDatum(lfirst_oid(lc));
	values[0] = PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid),
												true, TYPALIGN_INT));
	return describe_sessions("l.locktype OPERATOR(pg_catalog.=) 'relation'"
							 " AND l.relation OPERATOR(pg_catalog.=) ANY ($1)",
							 1, types, values);
}

/*
 * pgmg_backoff_ms
 *		The pause before retry number attempt (1, 2, ...): 500 ms, doubling,
 *		at most 5 s.
 */
int
pgmg_backoff_ms(int attempt)
{
	return Min(500 << Min(attempt - 1, 4), 5000);
}

/*
 * pgmg_sleep
 *		Sleep ms milliseconds; interruptible.
 */
void
pgmg_sleep(int ms)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 ms, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/*
 * describe_sessions
 *		The sessions, other than this one, holding a granted lock of this
 *		database that matches the condition where on pg_locks l (with
 *		parameters $1..), as one sentence fragment; NULL when there is none.
 */
static char *
describe_sessions(const char *where, int nargs, Oid *types, Datum *values)
{
	StringInfoData sql;
	StringInfoData out;
	MemoryContext cxt = CurrentMemoryContext;
	int			ret;
	uint64		i;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT a.pid, COALESCE(a.usename::pg_catalog.text, '?'),"
					 " COALESCE(a.application_name, ''), COALESCE(a.state, '?'),"
					 " COALESCE(pg_catalog.to_char(COALESCE(a.xact_start, a.backend_start), 'YYYY-MM-DD HH24:MI:SS TZ'), '?'),"
					 " COALESCE(pg_catalog.left(pg_catalog.regexp_replace(a.query, '\\s+', ' ', 'g'), 200), '')"
					 " FROM pg_catalog.pg_stat_activity a"
					 " WHERE a.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()"
					 " AND a.pid OPERATOR(pg_catalog.=) ANY (SELECT l.pid FROM pg_catalog.pg_locks l"
					 " WHERE l.granted AND (l.database IS NULL OR l.database OPERATOR(pg_catalog.=)"
					 " (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()))"
					 " AND %s)"
					 " ORDER BY a.pid", where);

	pgmg_spi_connect();
	ret = pgmg_spi_execute_args(sql.data, nargs, types, values, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(ret));

	initStringInfo(&out);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		appendStringInfo(&out, "%sprocess %s (user %s, application \"%s\", %s, transaction started %s): %s",
						 i > 0 ? "; " : "",
						 SPI_getvalue(tup, desc, 1), SPI_getvalue(tup, desc, 2),
						 SPI_getvalue(tup, desc, 3), SPI_getvalue(tup, desc, 4),
						 SPI_getvalue(tup, desc, 5), SPI_getvalue(tup, desc, 6));
	}
	SPI_finish();
	MemoryContextSwitchTo(cxt);
	return out.len > 0 ? out.data : NULL;
}
