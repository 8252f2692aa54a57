/*-------------------------------------------------------------------------
 *
 * support.c
 *	  What every other file may use: the error context that names a file,
 *	  line and object; elapsed time; SPI calls that leave the caller's
 *	  memory context current; a catalog row by OID; reading in a
 *	  subtransaction that is rolled back; a text[] of strings.
 *
 * This file calls no other file of pgmg (see the layering in pgmg.h).
 *
 * SPI_connect and every SPI_execute* leave SPI's procedure context current
 * (SPI's own rule); the wrappers here switch back to the context that was
 * current before the call, so the engine allocates where its callers say:
 * in the call's "pgmg call" context, freed at the end of the call.  Result
 * tuples stay in SPI's memory until SPI_finish or SPI_freetuptable; values
 * copied out of them (SPI_getvalue) are allocated in the caller's context.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/support.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "utils/guc.h"

#include "pgmg.h"

/* what an error while running or parsing user SQL is about */
typedef struct FileContext
{
	PgmgFile   *file;			/* NULL for statements pgmg generated */
	int			location;		/* byte offset of the text in the file */
	const char *object;			/* object being created, or NULL */
	int			shift_at;		/* characters of the text before ... */
	int			shift_len;		/* ... characters pgmg inserted */
	char		quote;			/* the text is a literal's value: '\'' for a
								 * standard string, 'E' for an escape string */
} FileContext;

/* entries of the maps below */
typedef struct AddrKey
{
	Oid			classId;
	Oid			objectId;
} AddrKey;

typedef struct AddrEntry
{
	AddrKey		key;
	void	   *value;
} AddrEntry;

typedef struct StrEntry
{
	char	   *key;
	void	   *value;
} StrEntry;

/* where the last message raised under a file context was (file, line, column) */
static struct
{
	const char *path;
	int			line;
	int			column;
}			last_position;

static void file_error_callback(void *arg);
static uint32 str_hash(const void *key, Size keysize);
static int	str_match(const void *a, const void *b, Size keysize);

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
	ctx->shift_at = ctx->shift_len = 0;
	ctx->quote = '\0';
	cb->callback = file_error_callback;
	cb->arg = ctx;
	cb->previous = error_context_stack;
	error_context_stack = cb;
}

/*
 * pgmg_file_context_shift
 *		The text that runs under cb has len characters pgmg inserted after
 *		its first at characters (OR REPLACE): positions after them are
 *		moved back.
 */
void
pgmg_file_context_shift(ErrorContextCallback *cb, int at, int len)
{
	FileContext *ctx = (FileContext *) cb->arg;

	ctx->shift_at = at;
	ctx->shift_len = len;
}

/*
 * pgmg_file_context_literal
 *		The text parsed under cb is the value of the string literal that
 *		starts at its location: a doubled quote (and, in an escape string,
 *		a backslash escape) is one character of it.
 */
void
pgmg_file_context_literal(ErrorContextCallback *cb, bool escapes)
{
	((FileContext *) cb->arg)->quote = escapes ? 'E' : '\'';
}

/*
 * file_error_callback
 *		Turn an error position inside the text that was parsed or run into
 *		a line and column of the file.
 *
 * Positions are 1-based character offsets into the text starting at
 * ctx->location: a syntax error from raw_parser sets errposition, one from
 * SPI has already been turned into an internal position.  A parser's
 * error then shows the whole file as its query, pointing at the place.
 */
static void
file_error_callback(void *arg)
{
	FileContext *ctx = (FileContext *) arg;
	int			pos = geterrposition();
	bool		parsed = pos > 0;
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
	if (!parsed)
		pos = getinternalerrposition();

	/* where the text starts */
	text = ctx->file->content;
	for (p = text; p < text + ctx->location && *p; p += pg_mblen(p))
	{
		if (*p == '\n')
		{
			line++;
			col = 0;
		}
		col++;
	}

	if (pos > 0)
	{
		if (ctx->shift_len > 0 && pos > ctx->shift_at)
			pos = Max(ctx->shift_at + 1, pos - ctx->shift_len);
		for (i = 1; i < pos && *p; i++)
		{
			if (ctx->quote && p[0] == '\'' && p[1] == '\'')
			{
				p++;
				col++;
			}
			else if (ctx->quote == 'E' && p[0] == '\\' && p[1])
			{
				p++;
				col++;
			}
			if (*p == '\n')
			{
				line++;
				col = 0;
			}
			col++;
			p += pg_mblen(p);
		}
		if (parsed)
		{
			errposition(0);
			internalerrquery(text);
			internalerrposition(pg_mbstrlen_with_len(text, p - text) + 1);
		}
	}

	last_position.path = ctx->file->path;
	last_position.line = line;
	last_position.column = col;
	if (ctx->object)
		errcontext("file \"%s\", line %d, column %d, %s",
				   ctx->file->path, line, col, ctx->object);
	else
		errcontext("file \"%s\", line %d, column %d", ctx->file->path, line, col);
}

/*
 * pgmg_forget_error_position
 *		Forget where the last message under a file context was.
 */
void
pgmg_forget_error_position(void)
{
	last_position.path = NULL;
}

/*
 * pgmg_error_position
 *		Where the last message raised under a file context since
 *		pgmg_forget_error_position was: false if none was.  The path lives
 *		as long as its file.
 */
bool
pgmg_error_position(const char **path, int *line, int *column)
{
	*path = last_position.path;
	*line = last_position.line;
	*column = last_position.column;
	return last_position.path != NULL;
}

/*
 * pgmg_line_of
 *		The 1-based line of a byte offset into text.
 */
int
pgmg_line_of(const char *text, int offset)
{
	int			line = 1;
	const char *p;

	for (p = text; p < text + offset && *p; p++)
		if (*p == '\n')
			line++;
	return line;
}

/*
 * pgmg_catalog_row
 *		A copy of the row of an open catalog rel whose OID column oidcol is
 *		oid, read through the index indexid (for catalogs without a syscache
 *		on their OID); NULL when there is none.
 */
HeapTuple
pgmg_catalog_row(Relation rel, Oid indexid, AttrNumber oidcol, Oid oid)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&key, oidcol, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(oid));
	scan = systable_beginscan(rel, indexid, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		tup = heap_copytuple(tup);
	systable_endscan(scan);
	return tup;
}

/*
 * pgmg_empty_search_path
 *		Set search_path to '' until AtEOXact_GUC(..., level) of the level
 *		returned: the server's deparsers then qualify every name they print.
 */
int
pgmg_empty_search_path(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("search_path", "", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/*
 * pgmg_compare_cstrings
 *		list_sort comparator for lists of C strings, byte order.
 */
int
pgmg_compare_cstrings(const ListCell *a, const ListCell *b)
{
	return strcmp((char *) lfirst(a), (char *) lfirst(b));
}

/*
 * pgmg_text_array
 *		A text[] Datum of strings (char *), in their order.
 */
Datum
pgmg_text_array(List *strings)
{
	Datum	   *items = palloc(sizeof(Datum) * Max(list_length(strings), 1));
	ListCell   *lc;
	int			n = 0;

	foreach(lc, strings)
		items[n++] = CStringGetTextDatum(lfirst(lc));
	return PointerGetDatum(construct_array(items, n, TEXTOID, -1, false, TYPALIGN_INT));
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

/*
 * pgmg_spi_connect
 *		SPI_connect, an error if it fails; the caller's memory context stays
 *		current.
 */
void
pgmg_spi_connect(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			ret;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	MemoryContextSwitchTo(cxt);
}

/*
 * The wrappers below return SPI's result code, and leave checking it to the
 * caller, which knows which result it expects.
 */

/*
 * pgmg_spi_execute
 *		SPI_execute.
 */
int
pgmg_spi_execute(const char *sql, bool read_only, long count)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			ret = SPI_execute(sql, read_only, count);

	MemoryContextSwitchTo(cxt);
	return ret;
}

/*
 * pgmg_spi_execute_args
 *		SPI_execute_with_args.
 */
int
pgmg_spi_execute_args(const char *sql, int nargs, Oid *types, Datum *values,
					  const char *nulls, bool read_only, long count)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			ret = SPI_execute_with_args(sql, nargs, types, values, nulls,
											read_only, count);

	MemoryContextSwitchTo(cxt);
	return ret;
}

/*
 * pgmg_spi_execute_plan
 *		SPI_execute_plan.
 */
int
pgmg_spi_execute_plan(SPIPlanPtr plan, Datum *values, const char *nulls,
					  bool read_only, long count)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			ret = SPI_execute_plan(plan, values, nulls, read_only, count);

	MemoryContextSwitchTo(cxt);
	return ret;
}

/*
 * Maps in CurrentMemoryContext: from object addresses (class and OID; the
 * sub-id is ignored) and from strings (copied) to pointers.  A get of a
 * missing key is NULL.
 */
HTAB *
pgmg_addr_map(const char *name)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(AddrKey);
	ctl.entrysize = sizeof(AddrEntry);
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

void *
pgmg_addr_get(HTAB *h, const ObjectAddress *addr)
{
	AddrKey		key;
	AddrEntry  *e;

	key.classId = addr->classId;
	key.objectId = addr->objectId;
	e = hash_search(h, &key, HASH_FIND, NULL);
	return e ? e->value : NULL;
}

void
pgmg_addr_put(HTAB *h, const ObjectAddress *addr, void *value)
{
	AddrKey		key;
	AddrEntry  *e;

	key.classId = addr->classId;
	key.objectId = addr->objectId;
	e = hash_search(h, &key, HASH_ENTER, NULL);
	e->value = value;
}

static uint32
str_hash(const void *key, Size keysize)
{
	const char *s = *(char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
str_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

HTAB *
pgmg_str_map(const char *name)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(StrEntry);
	ctl.hash = str_hash;
	ctl.match = str_match;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 256, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

void *
pgmg_str_get(HTAB *h, const char *key)
{
	StrEntry   *e = hash_search(h, &key, HASH_FIND, NULL);

	return e ? e->value : NULL;
}

void
pgmg_str_put(HTAB *h, const char *key, void *value)
{
	bool		found;
	StrEntry   *e = hash_search(h, &key, HASH_ENTER, &found);

	if (!found)
		e->key = pstrdup(key);
	e->value = value;
}

/* the keys of a string map, in no particular order */
List *
pgmg_str_keys(HTAB *h)
{
	HASH_SEQ_STATUS seq;
	StrEntry   *e;
	List	   *keys = NIL;

	hash_seq_init(&seq, h);
	while ((e = hash_seq_search(&seq)) != NULL)
		keys = lappend(keys, e->key);
	return keys;
}

/*
 * pgmg_subtransaction
 *		Run fn(arg) in an internal subtransaction, which is then committed
 *		(keep) or rolled back, so that what it did, the locks it took and
 *		the settings it made stay or go with it; what it allocates in the
 *		caller's memory context stays.  Returns NULL, or the error fn
 *		raised, copied into the caller's context, its subtransaction rolled
 *		back.
 */
ErrorData *
pgmg_subtransaction(void (*fn) (void *), void *arg, bool keep)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller);
	PG_TRY();
	{
		fn(arg);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(caller);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();

	if (keep && edata == NULL)
		ReleaseCurrentSubTransaction();
	else
		RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(caller);
	CurrentResourceOwner = owner;
	return edata;
}

/*
 * pgmg_read_rolled_back
 *		Run fn(arg) in an internal subtransaction that is then rolled back
 *		(pgmg_subtransaction).  An error is raised again, or, when swallow,
 *		gives false (a cancel is always raised again).
 */
bool
pgmg_read_rolled_back(void (*fn) (void *), void *arg, bool swallow)
{
	ErrorData  *edata = pgmg_subtransaction(fn, arg, false);

	if (edata == NULL)
		return true;
	if (!swallow || edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
		edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
		ReThrowError(edata);
	FreeErrorData(edata);
	return false;
}
