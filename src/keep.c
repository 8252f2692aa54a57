/*-------------------------------------------------------------------------
 *
 * keep.c
 *	  What a replaced or recreated object must not lose, decided while
 *	  planning: a function body whose results are stored elsewhere is not
 *	  replaced silently, a recreated view or materialized view gets back
 *	  what hangs on it (hand-made indexes, column defaults, its data), and
 *	  a materialized view reading a view replaced in place is refreshed.
 *
 * Everything here reads the catalogs through the syscache and takes no
 * lock on user objects; the statements it returns run after the object is
 * created again.  Memory is the caller's.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/keep.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_proc.h"
#include "commands/proclang.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "pgmg.h"

/* what stale_visit gathers */
typedef struct StaleWalk
{
	HTAB	   *seen;			/* addr: views and matviews reached */
	List	   *order;			/* ObjectAddress *: each after all it reads */
} StaleWalk;

static bool body_changes(PgmgDef *def);
static void stale_visit(StaleWalk *w, const ObjectAddress *from);

/*
 * pgmg_keep_attached
 *		Indexes made by hand on a managed materialized view and column
 *		defaults set by hand on a managed view are made again after it is
 *		recreated, unless the file makes them itself.
 */
void
pgmg_keep_attached(PgmgDef *def)
{
	List	   *file_indexes = NIL;
	bool		file_defaults = false;
	ListCell   *lc;

	foreach(lc, def->file->stmts)
	{
		Node	   *n = ((PgmgStmt *) lfirst(lc))->parsetree;

		if (IsA(n, IndexStmt) && ((IndexStmt *) n)->idxname)
			file_indexes = lappend(file_indexes, makeString(((IndexStmt *) n)->idxname));
		else if (IsA(n, AlterTableStmt))
		{
			ListCell   *cc;

			foreach(cc, ((AlterTableStmt *) n)->cmds)
				if (lfirst_node(AlterTableCmd, cc)->subtype == AT_ColumnDefault)
					file_defaults = true;
		}
	}
	def->restore_sql = list_concat(def->restore_sql,
								   pgmg_kept_statements(&def->addr, file_indexes,
														true, !file_defaults));
}

/*
 * pgmg_keep_populated
 *		A materialized view its file creates WITH NO DATA, refreshed since,
 *		comes back populated: a recreation forced by something else must
 *		not leave it unreadable.  The file's own REFRESH, if it has one,
 *		does that already.
 */
void
pgmg_keep_populated(PgmgDef *def)
{
	CreateTableAsStmt *cs = (CreateTableAsStmt *) def->stmt->parsetree;
	HeapTuple	tup;
	bool		populated;
	PgmgSql    *refresh;
	ListCell   *lc;

	if (!IsA(cs, CreateTableAsStmt) || !cs->into->skipData ||
		def->addr.classId != RelationRelationId)
		return;
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(def->addr.objectId));
	if (!HeapTupleIsValid(tup))
		return;
	populated = ((Form_pg_class) GETSTRUCT(tup))->relkind == RELKIND_MATVIEW &&
		((Form_pg_class) GETSTRUCT(tup))->relispopulated;
	ReleaseSysCache(tup);
	if (!populated)
		return;
	foreach(lc, def->file->stmts)
		if (IsA(((PgmgStmt *) lfirst(lc))->parsetree, RefreshMatViewStmt))
			return;
	refresh = palloc0(sizeof(PgmgSql));
	refresh->text = psprintf("REFRESH MATERIALIZED VIEW %s",
							 getObjectIdentity(&def->addr, false));
	def->restore_sql = lappend(def->restore_sql, refresh);
}

/*
 * pgmg_stale_matviews
 *		A view replaced in place keeps its dependents; a populated
 *		materialized view reading it, directly or through other views and
 *		materialized views, still holds what the old query gave.  Those
 *		materialized views (ObjectAddress *), each after every one it reads
 *		through the others, so that refreshing them in this order leaves
 *		each as it would be made again.
 */
List *
pgmg_stale_matviews(const ObjectAddress *view)
{
	StaleWalk	w = {pgmg_addr_map("pgmg views reached"), NIL};
	List	   *result = NIL;
	ListCell   *lc;

	stale_visit(&w, view);
	foreach(lc, w.order)
	{
		ObjectAddress *addr = lfirst(lc);
		HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(addr->objectId));

		if (!HeapTupleIsValid(tup))
			continue;
		if (((Form_pg_class) GETSTRUCT(tup))->relkind == RELKIND_MATVIEW &&
			((Form_pg_class) GETSTRUCT(tup))->relispopulated)
			result = lappend(result, addr);
		ReleaseSysCache(tup);
	}
	return result;
}

/*
 * stale_visit
 *		Depth first from relation from, through the views and materialized
 *		views that read it, each visited once: from goes before everything
 *		reached from it (reverse post-order), so w->order lists each one
 *		after every one it reads.  Linear in the views reached and the
 *		dependencies between them, however many paths a lattice of views
 *		has.
 */
static void
stale_visit(StaleWalk *w, const ObjectAddress *from)
{
	ObjectAddress *addr = palloc(sizeof(ObjectAddress));
	ListCell   *lc;

	check_stack_depth();
	foreach(lc, pgmg_direct_dependents(from))
	{
		PgmgDependent *d = lfirst(lc);
		char		relkind;

		if (d->object.classId != RelationRelationId ||
			d->object.objectId == from->objectId ||
			pgmg_addr_get(w->seen, &d->object))
			continue;
		relkind = get_rel_relkind(d->object.objectId);
		if (relkind != RELKIND_VIEW && relkind != RELKIND_MATVIEW)
			continue;
		pgmg_addr_put(w->seen, &d->object, w);
		stale_visit(w, &d->object);
	}
	*addr = *from;
	w->order = lcons(addr, w->order);
}

/*
 * pgmg_refuse_stale_results
 *		A function replaced in place keeps its dependents; where they store
 *		what it computed (an index expression or predicate, a CHECK
 *		constraint, a stored generated column), a new body leaves them
 *		silently wrong: index scans and sequential scans disagree, rows
 *		violate the constraint, generated values are stale.  Refuse, naming
 *		them, unless the body is unchanged or the file says
 *		"-- pgmg:allow-body-change".
 */
void
pgmg_refuse_stale_results(PgmgDef *def)
{
	StringInfoData stores;
	ListCell   *lc;

	if (strstr(def->file->content, "-- pgmg:allow-body-change") != NULL)
		return;

	initStringInfo(&stores);
	foreach(lc, pgmg_direct_dependents(&def->addr))
	{
		PgmgDependent *d = lfirst(lc);
		char	   *what = NULL;

		if (d->part.classId == RelationRelationId)
		{
			char		relkind = get_rel_relkind(d->part.objectId);

			if (relkind == RELKIND_INDEX || relkind == RELKIND_PARTITIONED_INDEX)
				what = getObjectDescription(&d->part, false);
		}
		else if (d->part.classId == ConstraintRelationId)
		{
			HeapTuple	tup = SearchSysCache1(CONSTROID,
											  ObjectIdGetDatum(d->part.objectId));

			if (HeapTupleIsValid(tup))
			{
				if (((Form_pg_constraint) GETSTRUCT(tup))->contype == CONSTRAINT_CHECK)
					what = getObjectDescription(&d->part, false);
				ReleaseSysCache(tup);
			}
		}
		else if (d->part.classId == AttrDefaultRelationId)
		{
			ObjectAddress column = GetAttrDefaultColumnAddress(d->part.objectId);

			if (OidIsValid(column.objectId) &&
				get_attgenerated(column.objectId, column.objectSubId) == ATTRIBUTE_GENERATED_STORED)
				what = psprintf("generated column %s of table %s",
								quote_identifier(get_attname(column.objectId, column.objectSubId, false)),
								quote_qualified_identifier(get_namespace_name(get_rel_namespace(column.objectId)),
														   get_rel_name(column.objectId)));
		}
		if (what)
			appendStringInfo(&stores, "%s%s", stores.len ? ", " : "", what);
	}
	if (stores.len == 0 || !body_changes(def))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
			 errmsg("cannot replace the body of %s: %s store%s its results",
					def->key, stores.data, strchr(stores.data, ',') ? "" : "s"),
			 errdetail("Results already stored would silently go stale: index scans and sequential scans would disagree, rows would violate the constraint, generated values would be wrong."),
			 errhint("Change it with a migration that also rebuilds what stores its results (REINDEX, drop and add the constraint, UPDATE the generated column), or add the line \"-- pgmg:allow-body-change\" to \"%s\" to replace it anyway.",
					 def->file->path)));
}

/*
 * body_changes
 *		Does the function's new definition change its body?  A string body
 *		is compared with prosrc; a BEGIN ATOMIC body or another language
 *		counts as a change.
 */
static bool
body_changes(PgmgDef *def)
{
	CreateFunctionStmt *stmt = (CreateFunctionStmt *) def->stmt->parsetree;
	HeapTuple	tup;
	Form_pg_proc proc;
	char	   *prosrc;
	char	   *language = NULL;
	char	   *body = NULL;
	bool		changed;
	bool		isnull;
	ListCell   *lc;

	if (!IsA(stmt, CreateFunctionStmt) || stmt->sql_body != NULL)
		return true;
	foreach(lc, stmt->options)
	{
		DefElem    *opt = lfirst(lc);

		if (strcmp(opt->defname, "as") == 0 && IsA(opt->arg, List))
			body = strVal(linitial((List *) opt->arg));
		else if (strcmp(opt->defname, "language") == 0)
			language = strVal(opt->arg);
	}
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(def->addr.objectId));
	if (!HeapTupleIsValid(tup))
		return true;
	proc = (Form_pg_proc) GETSTRUCT(tup);
	prosrc = TextDatumGetCString(SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull));
	changed = body == NULL || language == NULL || strcmp(prosrc, body) != 0 ||
		proc->prolang != get_language_oid(language, true);
	ReleaseSysCache(tup);
	return changed;
}
