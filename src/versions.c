/*-------------------------------------------------------------------------
 *
 * versions.c
 *	  State rows whose objects are as pgmg recorded them, found in a few
 *	  set-based catalog reads instead of one name lookup and one version
 *	  lookup per row.
 *
 * A state row records the versions of the catalog rows its fingerprint was
 * taken from (catalog.c's pgmg_catalog_version: the cluster's system
 * identifier, then xmin, block and offset of each row).  A row version
 * names one content in this cluster: the row at that place with that xmin
 * is the row pgmg recorded, unchanged.  So for views, materialized views
 * and routines, the rows at the recorded places are read with one TID scan
 * per catalog (pg_class, pg_rewrite, pg_proc); where each still has its
 * recorded xmin, and the object's schema, name, kind and argument types
 * still are the ones the row names, the object is the one resolving the
 * row by name would find, and its version is the recorded one: the row is
 * resolved and known not to have drifted, with no per-row lookup.  Any
 * other row (another kind, a changed, moved or renamed object, a version
 * from another cluster or none) is left unresolved, for the lookup by name
 * and the version comparison to decide as before; so this changes what a
 * plan costs, never what it says.
 *
 * Reads catalogs through SPI in the caller's connection; takes only the
 * catalogs' AccessShareLock.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/versions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/transam.h"
#include "access/xlog.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "rewrite/rewriteSupport.h"
#include "storage/itemptr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "pgmg.h"

/* a catalog row's version, as recorded */
typedef struct RowVersion
{
	TransactionId xmin;
	ItemPointerData tid;
} RowVersion;

/* a catalog row read at a recorded place */
typedef struct PlacedRow
{
	ItemPointerData tid;		/* hash key */
	TransactionId xmin;
	Oid			oid;			/* pg_class, pg_proc: the object; pg_rewrite:
								 * ev_class */
	char		subkind;		/* relkind or prokind */
	Oid			nsp;
	char	   *name;			/* relname, proname or rulename */
	oidvector  *args;			/* pg_proc: proargtypes */
} PlacedRow;

/* the objects a kind has here */
typedef enum VersionCatalog
{
	VC_CLASS,
	VC_REWRITE,
	VC_PROC,
	VC_COUNT
} VersionCatalog;

/* an Oid and its text (schema or type names), looked up once */
typedef struct OidName
{
	Oid			oid;
	char	   *name;
} OidName;

static int	parse_version(const char *version, const char *prefix,
						  RowVersion *parts, int max);
static HTAB *read_placed(VersionCatalog which, List *tids);
static int	tid_cmp(const ListCell *a, const ListCell *b);
static PlacedRow *placed(HTAB *rows, RowVersion *v);
static const char *cached_name(HTAB *names, Oid oid, bool type);
static bool same_names(PgmgStateObj *obj, HTAB *schemas, HTAB *types,
					   PlacedRow *row);

/*
 * pgmg_resolve_recorded
 *		Resolve every state row of objs (PgmgStateObj *) whose object's
 *		catalog rows are the versions it recorded: its addr is set and its
 *		version_matches flag.  Other rows are left as they are.
 */
void
pgmg_resolve_recorded(List *objs)
{
	char	   *prefix = psprintf(UINT64_FORMAT ";", GetSystemIdentifier());
	List	   *tids[VC_COUNT] = {NIL, NIL, NIL};
	RowVersion *parts;
	int		   *nparts;
	HTAB	   *rows[VC_COUNT];
	HTAB	   *schemas;
	HTAB	   *types;
	HASHCTL		ctl;
	ListCell   *lc;
	int			i = 0;
	int			v;

	if (objs == NIL)
		return;
	parts = palloc(sizeof(RowVersion) * 2 * list_length(objs));
	nparts = palloc(sizeof(int) * list_length(objs));

	/* the places each row's version names, by catalog */
	foreach(lc, objs)
	{
		PgmgStateObj *obj = lfirst(lc);
		const PgmgKind *kind = pgmg_kind_by_name(obj->kind);
		RowVersion *mine = &parts[2 * i];
		int			n = obj->catalog_version && kind ?
			parse_version(obj->catalog_version, prefix, mine, 2) : -1;

		nparts[i++] = -1;
		if (n == 2 && kind->classid == RelationRelationId &&
			(kind->subkind == RELKIND_VIEW || kind->subkind == RELKIND_MATVIEW))
		{
			tids[VC_REWRITE] = lappend(tids[VC_REWRITE], &mine[0].tid);
			tids[VC_CLASS] = lappend(tids[VC_CLASS], &mine[1].tid);
			nparts[i - 1] = 2;
		}
		else if (n == 1 && kind->classid == ProcedureRelationId)
		{
			tids[VC_PROC] = lappend(tids[VC_PROC], &mine[0].tid);
			nparts[i - 1] = 1;
		}
	}
	for (v = 0; v < VC_COUNT; v++)
		rows[v] = read_placed(v, tids[v]);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(OidName);
	ctl.hcxt = CurrentMemoryContext;
	schemas = hash_create("pgmg schema names", 16, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	types = hash_create("pgmg type names", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	i = 0;
	foreach(lc, objs)
	{
		PgmgStateObj *obj = lfirst(lc);
		RowVersion *mine = &parts[2 * i];
		int			n = nparts[i++];
		const PgmgKind *kind;
		PlacedRow  *row;

		if (n < 0)
			continue;
		kind = pgmg_kind_by_name(obj->kind);
		if (n == 2)
		{
			PlacedRow  *rule = placed(rows[VC_REWRITE], &mine[0]);

			row = placed(rows[VC_CLASS], &mine[1]);
			if (rule == NULL || row == NULL || rule->oid != row->oid ||
				strcmp(rule->name, ViewSelectRuleName) != 0)
				continue;
		}
		else
			row = placed(rows[VC_PROC], &mine[0]);
		if (row == NULL || row->subkind != kind->subkind ||
			!same_names(obj, schemas, types, row))
			continue;
		obj->addr.classId = kind->classid;
		obj->addr.objectId = row->oid;
		obj->addr.objectSubId = 0;
		obj->version_matches = true;
	}
}

/*
 * parse_version
 *		The row versions of a recorded catalog version that starts with
 *		prefix (this cluster's system identifier), at most max; -1 when it
 *		is another cluster's, malformed or longer.
 */
static int
parse_version(const char *version, const char *prefix, RowVersion *parts, int max)
{
	const char *p = version;
	int			n = 0;
	size_t		len = strlen(prefix);

	if (strncmp(p, prefix, len) != 0)
		return -1;
	p += len;
	while (*p)
	{
		unsigned int xmin;
		unsigned int blk;
		unsigned int off;
		int			used;

		if (n == max ||
			sscanf(p, "%u:%u:%u;%n", &xmin, &blk, &off, &used) != 3 || used <= 0 ||
			off > PG_UINT16_MAX)
			return -1;
		parts[n].xmin = (TransactionId) xmin;
		ItemPointerSet(&parts[n].tid, (BlockNumber) blk, (OffsetNumber) off);
		n++;
		p += used;
	}
	return n;
}

/*
 * read_placed
 *		The rows of one catalog at the given places (ItemPointer *), in one
 *		TID scan, keyed by place.
 */
static HTAB *
read_placed(VersionCatalog which, List *tids)
{
	static const char *const queries[VC_COUNT] = {
		"SELECT c.ctid, c.xmin, c.oid, c.relkind, c.relnamespace, c.relname, NULL::pg_catalog.oidvector "
		"FROM pg_catalog.pg_class c WHERE c.ctid OPERATOR(pg_catalog.=) ANY ($1)",
		"SELECT r.ctid, r.xmin, r.ev_class, NULL::pg_catalog.\"char\", NULL::pg_catalog.oid, r.rulename, NULL::pg_catalog.oidvector "
		"FROM pg_catalog.pg_rewrite r WHERE r.ctid OPERATOR(pg_catalog.=) ANY ($1)",
		"SELECT p.ctid, p.xmin, p.oid, p.prokind, p.pronamespace, p.proname, p.proargtypes "
		"FROM pg_catalog.pg_proc p WHERE p.ctid OPERATOR(pg_catalog.=) ANY ($1)",
	};
	HASHCTL		ctl;
	HTAB	   *rows;
	Datum	   *items;
	Datum		arg;
	Oid			argtype = TIDARRAYOID;
	SPIPlanPtr	plan;
	MemoryContext cxt;
	int			n = 0;
	uint64		r;
	ListCell   *lc;
	int			ret;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(ItemPointerData);
	ctl.entrysize = sizeof(PlacedRow);
	ctl.hcxt = CurrentMemoryContext;
	rows = hash_create("pgmg placed rows", Max(list_length(tids), 16), &ctl,
					   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	if (tids == NIL)
		return rows;

	/* in block order: the TID scan sorts them again, quickly when sorted */
	list_sort(tids, tid_cmp);
	items = palloc(sizeof(Datum) * list_length(tids));
	foreach(lc, tids)
		items[n++] = PointerGetDatum(lfirst(lc));
	arg = PointerGetDatum(construct_array(items, n, TIDOID, sizeof(ItemPointerData),
										  false, TYPALIGN_SHORT));

	/*
	 * A generic plan: planned for the array's values, the planner estimates
	 * the selectivity of every element (a tenth of the whole read at 20,000
	 * rows) and then scans the catalog whole anyway
	 */
	cxt = CurrentMemoryContext;
	plan = SPI_prepare_cursor(queries[which], 1, &argtype, CURSOR_OPT_GENERIC_PLAN);
	MemoryContextSwitchTo(cxt);
	if (plan == NULL)
		elog(ERROR, "could not prepare a read of catalog rows: %s",
			 SPI_result_code_string(SPI_result));
	ret = pgmg_spi_execute_plan(plan, &arg, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read catalog rows at recorded places: %s",
			 SPI_result_code_string(ret));
	for (r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		ItemPointer tid;
		PlacedRow  *row;
		bool		isnull;
		bool		found;
		Datum		d;

		tid = (ItemPointer) DatumGetPointer(SPI_getbinval(tup, desc, 1, &isnull));
		row = hash_search(rows, tid, HASH_ENTER, &found);
		row->xmin = DatumGetTransactionId(SPI_getbinval(tup, desc, 2, &isnull));
		row->oid = DatumGetObjectId(SPI_getbinval(tup, desc, 3, &isnull));
		d = SPI_getbinval(tup, desc, 4, &isnull);
		row->subkind = isnull ? '\0' : DatumGetChar(d);
		d = SPI_getbinval(tup, desc, 5, &isnull);
		row->nsp = isnull ? InvalidOid : DatumGetObjectId(d);
		row->name = pstrdup(NameStr(*DatumGetName(SPI_getbinval(tup, desc, 6, &isnull))));
		d = SPI_getbinval(tup, desc, 7, &isnull);
		row->args = isnull ? NULL : (oidvector *) PG_DETOAST_DATUM_COPY(d);
	}
	SPI_freetuptable(SPI_tuptable);
	SPI_freeplan(plan);
	return rows;
}

/* list_sort comparator: ItemPointer by block, then offset */
static int
tid_cmp(const ListCell *a, const ListCell *b)
{
	return ItemPointerCompare(lfirst(a), lfirst(b));
}

/*
 * placed
 *		The row read at a version's place, when it still has its xmin.
 */
static PlacedRow *
placed(HTAB *rows, RowVersion *v)
{
	PlacedRow  *row = hash_search(rows, &v->tid, HASH_FIND, NULL);

	return row && TransactionIdEquals(row->xmin, v->xmin) ? row : NULL;
}

/*
 * cached_name
 *		A schema's name, or a type's qualified name as identities print it,
 *		looked up once per call of pgmg_resolve_recorded; NULL when gone.
 */
static const char *
cached_name(HTAB *names, Oid oid, bool type)
{
	bool		found;
	OidName    *e = hash_search(names, &oid, HASH_ENTER, &found);

	if (!found)
		e->name = type ? format_type_extended(oid, -1, FORMAT_TYPE_FORCE_QUALIFY |
											  FORMAT_TYPE_INVALID_AS_NULL) :
			get_namespace_name(oid);
	return e->name;
}

/*
 * same_names
 *		Are the row's schema, name and argument types the ones the state
 *		row names (names[] = schema, name; args[] = argument types)?
 */
static bool
same_names(PgmgStateObj *obj, HTAB *schemas, HTAB *types, PlacedRow *row)
{
	const char *schema;
	int			nargs = row->args ? row->args->dim1 : 0;
	int			i = 0;
	ListCell   *lc;

	if (list_length(obj->names) != 2 || list_length(obj->args) != nargs)
		return false;
	schema = cached_name(schemas, row->nsp, false);
	if (schema == NULL || strcmp(schema, linitial(obj->names)) != 0 ||
		strcmp(row->name, lsecond(obj->names)) != 0)
		return false;
	foreach(lc, obj->args)
	{
		const char *type = cached_name(types, row->args->values[i++], true);

		if (type == NULL || strcmp(type, lfirst(lc)) != 0)
			return false;
	}
	return true;
}
