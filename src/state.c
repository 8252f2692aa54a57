/*-------------------------------------------------------------------------
 *
 * state.c
 *	  Reading and writing pgmg's own tables, pgmg.pgmg_state,
 *	  pgmg.pgmg_migrations and pgmg.pgmg_history, through SPI.
 *
 * The caller has called SPI_connect and switched back to its own memory
 * context: results are copied into that context.  Queries are fully
 * qualified and use OPERATOR(pg_catalog.=), so the caller's search_path
 * cannot redirect them.  Prepared plans are kept for the life of the
 * backend (the plan cache revalidates them if the extension is recreated).
 *
 * Every row belongs to a project, the setting pgmg.project: migrations and
 * deleted files are read and written for the current project only; state
 * rows of other projects are read so that the planner can refuse to take
 * their objects.
 *
 * A migration row is 'applied', or 'started': a no-transaction migration
 * the client began and has not recorded as finished, which blocks every
 * plan until pgmg.repair() resolves it.  hash_version says how a checksum
 * was taken (1: by pgmg 0.1).  A state row keeps its object's fingerprint
 * and canonical definition (definition.c) and the versions of the catalog
 * rows they were taken from; rows recorded before 0.3 have no definition.
 * A history row is written with NOTIFY pgmg in the same transaction, so
 * that listeners hear of it only if it commits.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/state.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "pgmg.h"

/* state rows written by one statement, and their columns */
#define RECORD_BATCH 1000
#define RECORD_COLUMNS 11

/* rows of pgmg.pgmg_state waiting to be written */
typedef struct RecordBatch
{
	MemoryContext cxt;			/* holds the values */
	int			n;
	Datum		values[RECORD_COLUMNS][RECORD_BATCH];	/* text */
	bool		nulls[RECORD_COLUMNS][RECORD_BATCH];
} RecordBatch;

static SPIPlanPtr delete_files_plan = NULL;
static SPIPlanPtr upsert_plan = NULL;
static SPIPlanPtr migration_plan = NULL;
static SPIPlanPtr start_plan = NULL;
static SPIPlanPtr refresh_plan = NULL;

static List *text_array_to_list(Datum d, bool isnull);
static int	state_name_cmp(const ListCell *a, const ListCell *b);
static char *text_value(HeapTuple tup, TupleDesc desc, int col);
static SPIPlanPtr prepare_kept(const char *sql, int nargs, Oid *types);
static void record_def(RecordBatch *batch, PgmgFile *file, PgmgDef *def);
static void flush_records(RecordBatch *batch);

/*
 * pgmg_load_state
 *		Every row of pgmg.pgmg_state as a PgmgStateObj, ordered by
 *		object_name, addresses not yet resolved.
 */
List *
pgmg_load_state(void)
{
	List	   *result = NIL;
	int			ret;
	uint64		i;

	ret = pgmg_spi_execute("SELECT object_name, object_hash, file, kind, identity, "
						   "obj_names, obj_args, fingerprint, decorations, catalog_version, "
						   "hash_version, project "
						   "FROM pgmg.pgmg_state", true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read pgmg.pgmg_state: %s", SPI_result_code_string(ret));

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		PgmgStateObj *obj = palloc0(sizeof(PgmgStateObj));
		bool		isnull;
		Datum		d;

		obj->object_name = text_value(tup, desc, 1);
		obj->hash = text_value(tup, desc, 2);
		obj->file = text_value(tup, desc, 3);
		obj->kind = text_value(tup, desc, 4);
		obj->identity = text_value(tup, desc, 5);
		d = SPI_getbinval(tup, desc, 6, &isnull);
		obj->names = text_array_to_list(d, isnull);
		d = SPI_getbinval(tup, desc, 7, &isnull);
		obj->args = text_array_to_list(d, isnull);
		obj->fingerprint = text_value(tup, desc, 8);
		obj->decorations = text_value(tup, desc, 9);
		obj->catalog_version = text_value(tup, desc, 10);
		d = SPI_getbinval(tup, desc, 11, &isnull);
		obj->legacy_hash = !isnull && DatumGetInt16(d) < PGMG_HASH_VERSION;
		obj->project = text_value(tup, desc, 12);
		result = lappend(result, obj);
	}
	SPI_freetuptable(SPI_tuptable);
	/* sorted here: a sort in the query copied every row once more */
	list_sort(result, state_name_cmp);
	return result;
}

/*
 * text_value
 *		A text column of an SPI row as a C string, or NULL; without the
 *		output function lookup SPI_getvalue makes for every value.
 */
static char *
text_value(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* list_sort comparator: PgmgStateObj by object_name, bytewise (as COLLATE "C") */
static int
state_name_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(((PgmgStateObj *) lfirst(a))->object_name,
				  ((PgmgStateObj *) lfirst(b))->object_name);
}

/*
 * pgmg_load_migrations
 *		Every row of pgmg.pgmg_migrations as a PgmgMigrationRow.
 */
List *
pgmg_load_migrations(void)
{
	List	   *result = NIL;
	int			ret;
	uint64		i;

	ret = pgmg_spi_execute("SELECT name, checksum, hash_version, "
						   "state OPERATOR(pg_catalog.=) 'started', applied_at, applied_by "
						   "FROM pgmg.pgmg_migrations "
						   "WHERE project OPERATOR(pg_catalog.=) pg_catalog.current_setting('pgmg.project') "
						   "ORDER BY name COLLATE pg_catalog.\"C\"", true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read pgmg.pgmg_migrations: %s", SPI_result_code_string(ret));
	for (i = 0; i < SPI_processed; i++)
	{
		PgmgMigrationRow *row = palloc(sizeof(PgmgMigrationRow));
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d;

		row->name = SPI_getvalue(tup, desc, 1);
		row->checksum = SPI_getvalue(tup, desc, 2);
		d = SPI_getbinval(tup, desc, 3, &isnull);
		row->legacy_hash = !isnull && DatumGetInt16(d) < PGMG_HASH_VERSION;
		d = SPI_getbinval(tup, desc, 4, &isnull);
		row->started = !isnull && DatumGetBool(d);
		row->applied_at = SPI_getvalue(tup, desc, 5);
		row->applied_by = SPI_getvalue(tup, desc, 6);
		result = lappend(result, row);
	}
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/*
 * pgmg_record_migration
 *		Record a migration as applied (or, with baseline, as applied before
 *		pgmg managed the database).  duration_ms < 0 records no duration.
 */
void
pgmg_record_migration(const char *name, const char *checksum,
					  double duration_ms, bool baseline)
{
	Oid			types[4] = {TEXTOID, TEXTOID, FLOAT8OID, BOOLOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	int			ret;

	if (migration_plan == NULL)
		migration_plan = prepare_kept("INSERT INTO pgmg.pgmg_migrations AS m "
									  "(project, name, checksum, duration_ms, baseline, hash_version) "
									  "VALUES (pg_catalog.current_setting('pgmg.project'), $1, $2, $3, $4, "
									  CppAsString2(PGMG_HASH_VERSION) ") "
									  "ON CONFLICT (project, name) DO UPDATE SET state = 'applied', "
									  "checksum = excluded.checksum, duration_ms = excluded.duration_ms, "
									  "hash_version = excluded.hash_version, applied_at = pg_catalog.now() "
									  "WHERE m.state OPERATOR(pg_catalog.=) 'started'",
									  4, types);
	values[0] = CStringGetTextDatum(name);
	values[1] = CStringGetTextDatum(checksum);
	values[2] = Float8GetDatum(duration_ms);
	if (duration_ms < 0)
		nulls[2] = 'n';
	values[3] = BoolGetDatum(baseline);
	ret = pgmg_spi_execute_plan(migration_plan, values, nulls, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not update pgmg.pgmg_migrations: %s", SPI_result_code_string(ret));
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("migration \"%s\" is already recorded as applied", name)));
}

/*
 * pgmg_start_migration
 *		Record that a migration is about to run outside a transaction: a
 *		row in state 'started', which record_migration completes.  The
 *		caller commits it before the migration runs.
 */
void
pgmg_start_migration(const char *name, const char *checksum)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	int			ret;

	if (start_plan == NULL)
		start_plan = prepare_kept("INSERT INTO pgmg.pgmg_migrations "
								  "(project, name, checksum, hash_version, state) "
								  "VALUES (pg_catalog.current_setting('pgmg.project'), $1, $2, "
								  CppAsString2(PGMG_HASH_VERSION) ", 'started') "
								  "ON CONFLICT (project, name) DO NOTHING", 2, types);
	values[0] = CStringGetTextDatum(name);
	values[1] = CStringGetTextDatum(checksum);
	ret = pgmg_spi_execute_plan(start_plan, values, NULL, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not update pgmg.pgmg_migrations: %s", SPI_result_code_string(ret));
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("migration \"%s\" is already recorded", name),
				 errhint("pgmg status shows it; a started one is resolved with pgmg repair.")));
}

/*
 * pgmg_resolve_started
 *		Resolve a migration left in state 'started': applied marks it
 *		applied, otherwise its row is deleted so that it runs again.
 *		Returns false when there is no such migration.
 */
bool
pgmg_resolve_started(const char *name, bool applied)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	int			ret;

	if (!applied)
		return pgmg_forget_migration(name, true);
	values[0] = CStringGetTextDatum(name);
	ret = pgmg_spi_execute_args("UPDATE pgmg.pgmg_migrations SET state = 'applied' "
								"WHERE name OPERATOR(pg_catalog.=) $1 "
								"AND project OPERATOR(pg_catalog.=) pg_catalog.current_setting('pgmg.project') "
								"AND state OPERATOR(pg_catalog.=) 'started'",
								1, types, values, NULL, false, 0);
	if (ret != SPI_OK_UPDATE)
		elog(ERROR, "could not update pgmg.pgmg_migrations: %s", SPI_result_code_string(ret));
	return SPI_processed == 1;
}

/*
 * pgmg_forget_migration
 *		Forget a migration of the current project recorded as started (it
 *		runs again), or as applied (its file is gone, the caller checked:
 *		a file of that name runs again).
 */
bool
pgmg_forget_migration(const char *name, bool started)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	int			ret;

	values[0] = CStringGetTextDatum(name);
	values[1] = CStringGetTextDatum(started ? "started" : "applied");
	ret = pgmg_spi_execute_args("DELETE FROM pgmg.pgmg_migrations "
								"WHERE name OPERATOR(pg_catalog.=) $1 "
								"AND project OPERATOR(pg_catalog.=) pg_catalog.current_setting('pgmg.project') "
								"AND state OPERATOR(pg_catalog.=) $2",
								2, types, values, NULL, false, 0);
	if (ret != SPI_OK_DELETE)
		elog(ERROR, "could not update pgmg.pgmg_migrations: %s", SPI_result_code_string(ret));
	return SPI_processed == 1;
}

/*
 * pgmg_accept_checksum
 *		Record checksum (taken the current way) as that of an applied
 *		migration of the current project, whose file was edited after it
 *		ran.
 */
bool
pgmg_accept_checksum(const char *name, const char *checksum)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	int			ret;

	values[0] = CStringGetTextDatum(name);
	values[1] = CStringGetTextDatum(checksum);
	ret = pgmg_spi_execute_args("UPDATE pgmg.pgmg_migrations SET checksum = $2, "
								"hash_version = " CppAsString2(PGMG_HASH_VERSION) " "
								"WHERE name OPERATOR(pg_catalog.=) $1 "
								"AND project OPERATOR(pg_catalog.=) pg_catalog.current_setting('pgmg.project') "
								"AND state OPERATOR(pg_catalog.=) 'applied'",
								2, types, values, NULL, false, 0);
	if (ret != SPI_OK_UPDATE)
		elog(ERROR, "could not update pgmg.pgmg_migrations: %s", SPI_result_code_string(ret));
	return SPI_processed == 1;
}

/*
 * pgmg_record_history
 *		Write a row of pgmg.pgmg_history, with who and where from (the
 *		session's roles, client address and application_name, and what the
 *		client passed in pgmg.client_host, pgmg.client_version and
 *		pgmg.vcs_commit), and send NOTIFY pgmg with it as JSON, error cut
 *		to 1000 characters and migrations to the first 50 so that the
 *		payload stays below NOTIFY's limit.  Returns the row's id.
 */
int64
pgmg_record_history(PgmgHistoryRow *row)
{
	Oid			types[12] = {TEXTOID, TIMESTAMPTZOID, TEXTOID, INT4OID, TEXTARRAYOID,
	TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[12];
	char		nulls[12];
	const char *texts[12] = {row->project, NULL, NULL, NULL, NULL,
		row->files_hash, row->sqlstate, row->error, row->detail,
		GetConfigOption("pgmg.client_host", true, false),
		GetConfigOption("pgmg.client_version", true, false),
	GetConfigOption("pgmg.vcs_commit", true, false)};
	bool		isnull;
	int			ret;
	int			i;

	/* the text columns: NULL where there is none (an empty setting) */
	memset(nulls, ' ', sizeof(nulls));
	for (i = 0; i < 12; i++)
		if (texts[i] && texts[i][0] != '\0')
			values[i] = CStringGetTextDatum(texts[i]);
		else if (i == 0 || i >= 5)
			nulls[i] = 'n';
	values[1] = TimestampTzGetDatum(row->started);
	values[2] = CStringGetTextDatum(row->outcome);
	values[3] = Int32GetDatum(row->steps);
	values[4] = pgmg_text_array(row->migrations);
	ret = pgmg_spi_execute_args("WITH h AS (INSERT INTO pgmg.pgmg_history "
								"(project, started_at, outcome, steps, migrations, files_hash, "
								"sqlstate, error, detail, duration_ms, library_version, client_host, "
								"client_version, vcs_commit) "
								"VALUES (COALESCE($1, pg_catalog.current_setting('pgmg.project')), $2, $3, $4, $5, "
								"$6, $7, $8, $9, "
								"pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) $2) OPERATOR(pg_catalog.*) 1000, "
								"'" PGMG_VERSION "', $10, $11, $12) "
								"RETURNING *) "
								"SELECT h.id, pg_catalog.pg_notify('pgmg', pg_catalog.json_strip_nulls(pg_catalog.json_build_object("
								"'event', h.outcome, 'id', h.id, 'project', h.project, "
								"'started_at', h.started_at, 'finished_at', h.finished_at, "
								"'duration_ms', pg_catalog.round(h.duration_ms::pg_catalog.numeric, 1), "
								"'steps', h.steps, 'migrations', h.migrations[1:50], "
								"'role', h.role, 'files_hash', h.files_hash, 'vcs_commit', h.vcs_commit, "
								"'sqlstate', h.sqlstate, 'error', pg_catalog.left(h.error, 1000)))::pg_catalog.text) "
								"FROM h",
								12, types, values, nulls, false, 0);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not write pgmg.pgmg_history: %s", SPI_result_code_string(ret));
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * pgmg_record_files
 *		After an apply's code files ran: the state rows of the files in
 *		forget (deleted) are gone, and those of each file in files are
 *		exactly the objects it defines now, with their identity parts and
 *		fresh fingerprints.
 *
 * Every object the parse says a file defines must exist now; one that
 * does not means the file created something else than it appears to (for
 * example, it changed search_path), which is an error naming it.  Rows are
 * written RECORD_BATCH at a time, one statement each: a statement per
 * object cost a tenth of a fresh apply.
 */
void
pgmg_record_files(List *files, List *forget)
{
	Oid			types[1] = {TEXTARRAYOID};
	Datum		paths;
	RecordBatch *batch;
	MemoryContext scratch;
	List	   *all = list_copy(forget);
	ListCell   *lc;
	int			ret;

	foreach(lc, files)
		all = lappend(all, ((PgmgFile *) lfirst(lc))->path);
	if (all == NIL)
		return;
	if (delete_files_plan == NULL)
		delete_files_plan = prepare_kept("DELETE FROM pgmg.pgmg_state "
										 "WHERE file OPERATOR(pg_catalog.=) ANY ($1) "
										 "AND project OPERATOR(pg_catalog.=) pg_catalog.current_setting('pgmg.project')",
										 1, types);
	paths = pgmg_text_array(all);
	ret = pgmg_spi_execute_plan(delete_files_plan, &paths, NULL, false, 0);
	if (ret != SPI_OK_DELETE)
		elog(ERROR, "could not update pgmg.pgmg_state: %s", SPI_result_code_string(ret));

	batch = palloc0(sizeof(RecordBatch));
	batch->cxt = AllocSetContextCreate(CurrentMemoryContext, "pgmg record batch",
									  ALLOCSET_DEFAULT_SIZES);
	scratch = AllocSetContextCreate(CurrentMemoryContext, "pgmg record scratch",
									ALLOCSET_DEFAULT_SIZES);
	foreach(lc, files)
	{
		PgmgFile   *file = lfirst(lc);
		ListCell   *dc;

		foreach(dc, file->defs)
		{
			MemoryContext old = MemoryContextSwitchTo(scratch);

			record_def(batch, file, lfirst(dc));
			MemoryContextSwitchTo(old);
			MemoryContextReset(scratch);
			if (batch->n == RECORD_BATCH)
				flush_records(batch);
		}
	}
	flush_records(batch);
	MemoryContextDelete(batch->cxt);
	MemoryContextDelete(scratch);
}

/*
 * record_def
 *		The state row of one object a file defines, added to the batch.
 */
static void
record_def(RecordBatch *batch, PgmgFile *file, PgmgDef *def)
{
	ObjectAddress addr;
	char	   *kind;
	char	   *identity;
	List	   *names;
	List	   *args;
	char	   *definition;
	char	   *version;
	const char *row[RECORD_COLUMNS];
	int			i;

	/*
	 * Replaced in place, the object is the one the plan resolved; created or
	 * recreated, it is new: found by the name the plan resolved.
	 */
	if (def->mode == PGMG_DEF_INPLACE && OidIsValid(def->addr.objectId))
		addr = def->addr;
	else if (pgmg_find(def->ident, &addr) != PGMG_FOUND)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("code file \"%s\" did not create %s", file->path, def->key),
				 errdetail("The file ran without error, but the object it defines on line %d is not in the catalog under that name.",
						   def->stmt->line),
				 errhint("Qualify the object's name with its schema.")));
	pgmg_identify(&addr, &kind, &identity, &names, &args);
	definition = pgmg_definition(&addr, true);
	version = pgmg_catalog_version(&addr);

	row[0] = psprintf("%s.%s", kind, identity);
	row[1] = file->hash;
	row[2] = file->path;
	row[3] = kind;
	row[4] = identity;
	row[5] = DatumGetCString(OidFunctionCall1(F_ARRAY_OUT, pgmg_text_array(names)));
	row[6] = DatumGetCString(OidFunctionCall1(F_ARRAY_OUT, pgmg_text_array(args)));
	row[7] = pgmg_fingerprint_of(definition);
	row[8] = pgmg_file_decorations(file);
	row[9] = version;
	row[10] = definition;

	MemoryContextSwitchTo(batch->cxt);
	for (i = 0; i < RECORD_COLUMNS; i++)
	{
		batch->values[i][batch->n] = row[i] ? CStringGetTextDatum(row[i]) : (Datum) 0;
		batch->nulls[i][batch->n] = row[i] == NULL;
	}
	batch->n++;
}

/*
 * flush_records
 *		Write the batch's rows in one INSERT ... ON CONFLICT and empty it.
 *		A row not written is an object another project manages: an error
 *		naming it and its file.
 */
static void
flush_records(RecordBatch *batch)
{
	Oid			types[RECORD_COLUMNS];
	Datum		arrays[RECORD_COLUMNS];
	int			dims[1] = {batch->n};
	int			lbs[1] = {1};
	uint64		written;
	int			ret;
	int			i;

	if (batch->n == 0)
		return;
	for (i = 0; i < RECORD_COLUMNS; i++)
	{
		types[i] = TEXTARRAYOID;
		arrays[i] = PointerGetDatum(construct_md_array(batch->values[i], batch->nulls[i],
													   1, dims, lbs, TEXTOID, -1,
													   false, TYPALIGN_INT));
	}
	if (upsert_plan == NULL)
		upsert_plan = prepare_kept("INSERT INTO pgmg.pgmg_state AS s (object_name, object_hash, "
								   "file, kind, identity, obj_names, obj_args, fingerprint, "
								   "decorations, catalog_version, definition, hash_version, project) "
								   "SELECT u.n, u.h, u.f, u.k, u.i, u.names::pg_catalog.text[], "
								   "u.args::pg_catalog.text[], u.fp, u.d, u.v, u.def, "
								   CppAsString2(PGMG_HASH_VERSION) ", pg_catalog.current_setting('pgmg.project') "
								   "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3), "
								   "pg_catalog.unnest($4), pg_catalog.unnest($5), pg_catalog.unnest($6), "
								   "pg_catalog.unnest($7), pg_catalog.unnest($8), pg_catalog.unnest($9), "
								   "pg_catalog.unnest($10), pg_catalog.unnest($11)) "
								   "AS u(n, h, f, k, i, names, args, fp, d, v, def) "
								   "ON CONFLICT (object_name) DO UPDATE SET "
								   "object_hash = excluded.object_hash, file = excluded.file, "
								   "kind = excluded.kind, identity = excluded.identity, "
								   "obj_names = excluded.obj_names, obj_args = excluded.obj_args, "
								   "fingerprint = excluded.fingerprint, "
								   "decorations = excluded.decorations, "
								   "catalog_version = excluded.catalog_version, "
								   "definition = excluded.definition, "
								   "hash_version = excluded.hash_version, "
								   "last_applied = pg_catalog.now() "
								   "WHERE s.project OPERATOR(pg_catalog.=) excluded.project",
								   RECORD_COLUMNS, types);
	ret = pgmg_spi_execute_plan(upsert_plan, arrays, NULL, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not update pgmg.pgmg_state: %s", SPI_result_code_string(ret));
	written = SPI_processed;
	if (written != (uint64) batch->n)
	{
		Datum		args[2] = {arrays[0], arrays[2]};
		Oid			argtypes[2] = {TEXTARRAYOID, TEXTARRAYOID};

		ret = pgmg_spi_execute_args("SELECT u.n, u.f FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS u(n, f) "
									"JOIN pgmg.pgmg_state s ON s.object_name OPERATOR(pg_catalog.=) u.n "
									"WHERE s.project OPERATOR(pg_catalog.<>) pg_catalog.current_setting('pgmg.project') "
									"LIMIT 1",
									2, argtypes, args, NULL, true, 0);
		if (ret == SPI_OK_SELECT && SPI_processed == 1)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("%s, defined in \"%s\", is managed by another project",
							SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
							SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2)),
					 errhint("Each object belongs to one project (pgmg.project, project in pgmg.toml).")));
		elog(ERROR, "could not update pgmg.pgmg_state: " UINT64_FORMAT " of %d rows written",
			 written, batch->n);
	}
	MemoryContextReset(batch->cxt);
	batch->n = 0;
}

/*
 * pgmg_refresh_record
 *		Rewrite the fingerprint and catalog version of a managed object
 *		that is unchanged but was recorded from other catalog rows (in the
 *		database a copy was made from) or the old way.
 */
void
pgmg_refresh_record(PgmgStateObj *obj)
{
	Oid			types[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = "    ";
	char	   *version = pgmg_catalog_version(&obj->addr);
	char	   *definition = pgmg_definition(&obj->addr, false);
	int			ret;

	if (refresh_plan == NULL)
		refresh_plan = prepare_kept("UPDATE pgmg.pgmg_state SET fingerprint = $2, "
									"catalog_version = $3, definition = $4 "
									"WHERE object_name OPERATOR(pg_catalog.=) $1",
									4, types);
	values[0] = CStringGetTextDatum(obj->object_name);
	values[1] = CStringGetTextDatum(pgmg_fingerprint_of(definition));
	values[3] = CStringGetTextDatum(definition);
	if (version)
		values[2] = CStringGetTextDatum(version);
	else
		nulls[2] = 'n';
	ret = pgmg_spi_execute_plan(refresh_plan, values, nulls, false, 0);
	if (ret != SPI_OK_UPDATE)
		elog(ERROR, "could not update pgmg.pgmg_state: %s", SPI_result_code_string(ret));
}

/*
 * pgmg_recorded_definition
 *		The canonical definition recorded with a managed object, or NULL
 *		(recorded before pgmg kept definitions).
 */
char *
pgmg_recorded_definition(const char *object_name)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char	   *result = NULL;
	int			ret;

	values[0] = CStringGetTextDatum(object_name);
	ret = pgmg_spi_execute_args("SELECT definition FROM pgmg.pgmg_state "
								"WHERE object_name OPERATOR(pg_catalog.=) $1",
								1, types, values, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read pgmg.pgmg_state: %s", SPI_result_code_string(ret));
	if (SPI_processed == 1)
		result = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/*
 * pgmg_file_decorations
 *		Which decorations a file sets itself, as stored in pgmg_state:
 *		a(cl), c(omment), k (column comments), o(wner).
 */
char *
pgmg_file_decorations(PgmgFile *file)
{
	return psprintf("%s%s%s%s%s", file->sets_acl ? "a" : "",
					file->sets_comment ? "c" : "",
					file->sets_column_comment ? "k" : "",
					file->sets_owner ? "o" : "",
					file->sets_options ? "r" : "");
}

static SPIPlanPtr
prepare_kept(const char *sql, int nargs, Oid *types)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

	MemoryContextSwitchTo(cxt);
	if (plan == NULL)
		elog(ERROR, "could not prepare \"%s\": %s", sql,
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "could not keep plan for \"%s\"", sql);
	return plan;
}

static List *
text_array_to_list(Datum d, bool isnull)
{
	List	   *result = NIL;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	if (isnull)
		return NIL;
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (i = 0; i < n; i++)
		result = lappend(result, nulls[i] ? NULL : TextDatumGetCString(elems[i]));
	return result;
}
