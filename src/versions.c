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
 * and routines, the rows at the recorded places are fetched directly from
 * pg_rewrite, pg_class and pg_proc (a heap fetch each, under one catalog
 * snapshot, with no query and no name lookup); where each still has its
 * recorded xmin, and the object's schema, name, kind and argument types
 * still are the ones the row names, the object is the one resolving the
 * row by name would find, and its version is the recorded one: the row is
 * resolved and known not to have drifted, with no per-row lookup.  Any
 * other row (another kind, a changed, moved or renamed object, a version
 * from another cluster or none) is left unresolved, for the lookup by name
 * and the version comparison to decide as before; so this changes what a
 * plan costs, never what it says.
 *
 * Reads the catalogs as the syscache does (a catalog snapshot), so a row is
 * seen here exactly when the lookup by name would see it; takes only the
 * catalogs' AccessShareLock.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/versions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xlog.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "rewrite/rewriteSupport.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "pgmg.h"

/* a catalog row's version, as recorded */
typedef struct RowVersion
{
	TransactionId xmin;
	ItemPointerData tid;
} RowVersion;

/* an open catalog and its size, for fetching rows at recorded places */
typedef struct Catalog
{
	Relation	rel;
	BlockNumber nblocks;
} Catalog;

/* an Oid and its text (schema or type names), looked up once */
typedef struct OidName
{
	Oid			oid;
	char	   *name;
} OidName;

/* what one call needs: the catalogs, the snapshot, the names seen */
typedef struct Resolver
{
	Snapshot	snapshot;
	Catalog		class;
	Catalog		rewrite;
	Catalog		proc;
	HTAB	   *schemas;
	HTAB	   *types;
} Resolver;

static int	parse_version(const char *version, const char *prefix,
						  RowVersion *parts, int max);
static bool fetch_version(Resolver *r, Catalog *cat, RowVersion *v,
						  HeapTuple tup, Buffer *buf);
static bool relation_unchanged(Resolver *r, PgmgStateObj *obj,
							   const PgmgKind *kind, RowVersion *parts, Oid *oid);
static bool routine_unchanged(Resolver *r, PgmgStateObj *obj,
							  const PgmgKind *kind, RowVersion *part, Oid *oid);
static const char *cached_name(HTAB *names, Oid oid, bool type);
static bool same_names(Resolver *r, PgmgStateObj *obj, Oid nsp,
					   const char *name, const oidvector *args);
static HTAB *oid_names(const char *name);
static void open_catalog(Catalog *cat, Oid relid);

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
	Resolver	r;
	ListCell   *lc;

	if (objs == NIL)
		return;
	r.snapshot = RegisterSnapshot(GetCatalogSnapshot(RelationRelationId));
	open_catalog(&r.class, RelationRelationId);
	open_catalog(&r.rewrite, RewriteRelationId);
	open_catalog(&r.proc, ProcedureRelationId);
	r.schemas = oid_names("pgmg schema names");
	r.types = oid_names("pgmg type names");

	foreach(lc, objs)
	{
		PgmgStateObj *obj = lfirst(lc);
		const PgmgKind *kind = pgmg_kind_by_name(obj->kind);
		RowVersion	parts[2];
		int			n;
		Oid			oid;
		bool		same = false;

		if (kind == NULL || obj->catalog_version == NULL)
			continue;
		n = parse_version(obj->catalog_version, prefix, parts, 2);
		if (n == 2 && kind->classid == RelationRelationId &&
			(kind->subkind == RELKIND_VIEW || kind->subkind == RELKIND_MATVIEW))
			same = relation_unchanged(&r, obj, kind, parts, &oid);
		else if (n == 1 && kind->classid == ProcedureRelationId)
			same = routine_unchanged(&r, obj, kind, &parts[0], &oid);
		if (!same)
			continue;
		obj->addr.classId = kind->classid;
		obj->addr.objectId = oid;
		obj->addr.objectSubId = 0;
		obj->version_matches = true;
	}

	table_close(r.proc.rel, AccessShareLock);
	table_close(r.rewrite.rel, AccessShareLock);
	table_close(r.class.rel, AccessShareLock);
	UnregisterSnapshot(r.snapshot);
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
 * fetch_version
 *		The row at a version's place, when it is visible and still has the
 *		version's xmin: true with the row in tup and its buffer pinned in
 *		*buf (the caller releases it).
 */
static bool
fetch_version(Resolver *r, Catalog *cat, RowVersion *v, HeapTuple tup, Buffer *buf)
{
	/* a place past the end (the catalog was rewritten smaller) is no row */
	if (ItemPointerGetBlockNumber(&v->tid) >= cat->nblocks)
		return false;
	tup->t_self = v->tid;
	if (!heap_fetch(cat->rel, r->snapshot, tup, buf, false))
		return false;
	if (!TransactionIdEquals(HeapTupleHeaderGetRawXmin(tup->t_data), v->xmin))
	{
		ReleaseBuffer(*buf);
		return false;
	}
	return true;
}

/*
 * relation_unchanged
 *		A view's or materialized view's rows (its _RETURN rule, then its
 *		pg_class row) are the recorded versions and it is still of the
 *		row's kind and name: true, with its OID.
 */
static bool
relation_unchanged(Resolver *r, PgmgStateObj *obj, const PgmgKind *kind,
				   RowVersion *parts, Oid *oid)
{
	HeapTupleData tup;
	Buffer		buf;
	Form_pg_rewrite rule;
	Form_pg_class c;
	Oid			ev_class;
	bool		same;

	if (!fetch_version(r, &r->rewrite, &parts[0], &tup, &buf))
		return false;
	rule = (Form_pg_rewrite) GETSTRUCT(&tup);
	ev_class = rule->ev_class;
	same = strcmp(NameStr(rule->rulename), ViewSelectRuleName) == 0;
	ReleaseBuffer(buf);
	if (!same || !fetch_version(r, &r->class, &parts[1], &tup, &buf))
		return false;
	c = (Form_pg_class) GETSTRUCT(&tup);
	*oid = c->oid;
	same = c->oid == ev_class && c->relkind == kind->subkind &&
		same_names(r, obj, c->relnamespace, NameStr(c->relname), NULL);
	ReleaseBuffer(buf);
	return same;
}

/*
 * routine_unchanged
 *		A routine's pg_proc row is the recorded version and it is still of
 *		the row's kind, name and argument types: true, with its OID.
 */
static bool
routine_unchanged(Resolver *r, PgmgStateObj *obj, const PgmgKind *kind,
				  RowVersion *part, Oid *oid)
{
	HeapTupleData tup;
	Buffer		buf;
	Form_pg_proc p;
	bool		same;

	if (!fetch_version(r, &r->proc, part, &tup, &buf))
		return false;
	p = (Form_pg_proc) GETSTRUCT(&tup);
	*oid = p->oid;
	same = p->prokind == kind->subkind &&
		same_names(r, obj, p->pronamespace, NameStr(p->proname), &p->proargtypes);
	ReleaseBuffer(buf);
	return same;
}

/*
 * cached_name
 *		A schema's name (NULL when gone), or a type's qualified name as
 *		identities print it (format_type_be_qualified), looked up once per
 *		call of pgmg_resolve_recorded.  Schemas are not named the way
 *		identities name a temporary one (pg_temp): resolving that name by
 *		name finds nothing either.
 */
static const char *
cached_name(HTAB *names, Oid oid, bool type)
{
	bool		found;
	OidName    *e = hash_search(names, &oid, HASH_ENTER, &found);

	if (!found)
		e->name = type ? format_type_be_qualified(oid) : get_namespace_name(oid);
	return e->name;
}

/*
 * same_names
 *		Are the schema, name and argument types (NULL: none) the ones the
 *		state row names (names[] = schema, name; args[] = argument types)?
 */
static bool
same_names(Resolver *r, PgmgStateObj *obj, Oid nsp, const char *name,
		   const oidvector *args)
{
	const char *schema;
	int			nargs = args ? args->dim1 : 0;
	int			i = 0;
	ListCell   *lc;

	if (list_length(obj->names) != 2 || list_length(obj->args) != nargs)
		return false;
	schema = cached_name(r->schemas, nsp, false);
	if (schema == NULL || strcmp(schema, linitial(obj->names)) != 0 ||
		strcmp(name, lsecond(obj->names)) != 0)
		return false;
	foreach(lc, obj->args)
	{
		if (strcmp(cached_name(r->types, args->values[i++], true), lfirst(lc)) != 0)
			return false;
	}
	return true;
}

/* a map from OIDs to names, in CurrentMemoryContext */
static HTAB *
oid_names(const char *name)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(OidName);
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* a catalog opened for fetching, with its size now */
static void
open_catalog(Catalog *cat, Oid relid)
{
	cat->rel = table_open(relid, AccessShareLock);
	cat->nblocks = RelationGetNumberOfBlocks(cat->rel);
}
