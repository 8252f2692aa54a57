/*-------------------------------------------------------------------------
 *
 * picture.c
 *	  The managed objects and what each needs to exist first, as the engine
 *	  orders them (pgmg.graph(), pgmg graph): one node per object a code
 *	  file defines, per table (or other relation no file defines) they
 *	  reference, per object the plan drops without recreating and per
 *	  pending migration; an edge from an object to each object its file
 *	  references (the edges pgmg_order_files orders by), and from a
 *	  migration to the code it needs created before it.  Each node carries
 *	  what the plan does to it; a table a pending migration changes is
 *	  "alter".  Late edges, apart, are what a function's string body names,
 *	  resolved only when it runs: they order nothing, but show who reads
 *	  what.
 *
 * Nodes come in file path order, a file's objects in file order, then the
 * tables in the order first referenced, then the objects only dropped and
 * the migrations in plan order; each node's
 * edges are sorted and distinct, and never point at the node itself.  The
 * same files on the same database give the same picture.  Reads only.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/picture.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"

#include "pgmg.h"

static PgmgNode *add_node(List **nodes, HTAB *by_key, const char *object,
						  const char *file);
static void add_edge(List **list, PgmgNode *from, const char *to);
static bool has_string(List *list, const char *s);
static bool names_def(PgmgRef *ref, PgmgDef *def);
static char *relation_key(RangeVar *rv);

/*
 * pgmg_plan_picture
 *		The nodes (PgmgNode *) of the objects of plan's files, with what
 *		plan does to each and their edges.  Parses every code file.
 */
List *
pgmg_plan_picture(PgmgPlan *plan)
{
	PgmgFileSet *set = plan->files;
	List	   *nodes = NIL;
	HTAB	   *by_key = pgmg_str_map("pgmg picture nodes");
	List	   *unresolved = NIL;
	ListCell   *lc;
	ListCell   *dc;

	/* the objects of every code file, named as the catalog names them */
	foreach(lc, set->code)
	{
		PgmgFile   *f = lfirst(lc);

		pgmg_parse_file(f);
		foreach(dc, f->defs)
		{
			PgmgDef    *def = lfirst(dc);

			if (!OidIsValid(def->addr.objectId) &&
				pgmg_find(def->ident, &def->addr) == PGMG_FOUND)
				def->key = pgmg_object_name(&def->addr);
			add_node(&nodes, by_key, def->key, f->path);
		}
	}

	foreach(lc, pgmg_file_edges(set->code, &unresolved))
	{
		PgmgFileEdge *e = lfirst(lc);
		bool		named = false;

		/* to the objects the reference names, else all of the file's */
		if (e->ref)
			foreach(dc, e->to->defs)
				if (names_def(e->ref, lfirst(dc)))
					named = true;
		foreach(dc, e->from->defs)
		{
			PgmgNode   *from = pgmg_str_get(by_key, ((PgmgDef *) lfirst(dc))->key);
			ListCell   *tc;

			foreach(tc, e->to->defs)
				if (!named || names_def(e->ref, lfirst(tc)))
					add_edge(from ? (e->late ? &from->late : &from->depends_on) : NULL,
							 from, ((PgmgDef *) lfirst(tc))->key);
		}
	}

	/* the relations no file defines that the files read: tables */
	foreach(lc, unresolved)
	{
		PgmgUnresolved *u = lfirst(lc);
		char	   *key;

		if (u->ref->kind != PGMG_REF_RELATION ||
			(key = relation_key(makeRangeVarFromNameList(u->ref->names))) == NULL)
			continue;
		(void) add_node(&nodes, by_key, key, NULL);
		foreach(dc, u->file->defs)
		{
			PgmgNode   *from = pgmg_str_get(by_key, ((PgmgDef *) lfirst(dc))->key);

			if (from)
				add_edge(u->ref->hard ? &from->depends_on : &from->late, from, key);
		}
	}

	/* what the plan does: a drop and a create of one object recreate it */
	foreach(lc, plan->steps)
	{
		PgmgStep   *step = lfirst(lc);
		PgmgNode   *node = pgmg_str_get(by_key, step->object);
		const char *action = pgmg_action_name(step->action);

		if (step->action == PGMG_ACT_LATER)
			continue;
		if (node == NULL)
			node = add_node(&nodes, by_key, step->object, step->file);
		if (node->action && strcmp(node->action, "drop") == 0 &&
			(step->action == PGMG_ACT_CREATE || step->action == PGMG_ACT_RESTORE))
			action = "recreate";
		node->action = action;
		/* a migration needs the code it uses created before it */
		if (step->action == PGMG_ACT_MIGRATE && step->migration)
		{
			node->migration = true;
			/* the tables it changes that the picture shows */
			foreach(dc, step->migration->targets)
			{
				PgmgTarget *t = lfirst(dc);
				char	   *key = t->relation ? relation_key(t->relation) : NULL;
				PgmgNode   *table = key ? pgmg_str_get(by_key, key) : NULL;

				if (table && table->file == NULL && table->action == NULL)
					table->action = "alter";
			}
			foreach(dc, step->migration->needs)
			{
				ListCell   *tc;

				foreach(tc, ((PgmgFile *) lfirst(dc))->defs)
					add_edge(&node->depends_on, node, ((PgmgDef *) lfirst(tc))->key);
			}
		}
	}

	foreach(lc, nodes)
	{
		PgmgNode   *node = lfirst(lc);

		List	   *late = NIL;

		/* a late edge where a hard one is says nothing more */
		foreach(dc, node->late)
			if (!has_string(node->depends_on, lfirst(dc)))
				late = lappend(late, lfirst(dc));
		node->late = late;
		list_sort(node->depends_on, pgmg_compare_cstrings);
		list_sort(node->late, pgmg_compare_cstrings);
	}
	return nodes;
}

/*
 * add_node
 *		A node for object, defined in file (or NULL), appended to *nodes;
 *		the one there already when an earlier file defines object too.
 */
static PgmgNode *
add_node(List **nodes, HTAB *by_key, const char *object, const char *file)
{
	PgmgNode   *node = pgmg_str_get(by_key, object);

	if (node)
		return node;
	node = palloc0(sizeof(PgmgNode));
	node->object = pstrdup(object);
	node->file = file ? pstrdup(file) : NULL;
	pgmg_str_put(by_key, object, node);
	*nodes = lappend(*nodes, node);
	return node;
}

/*
 * add_edge
 *		Append to to *list, the depends_on or late list of from: once, and
 *		never from itself.
 */
static void
add_edge(List **list, PgmgNode *from, const char *to)
{
	if (from == NULL || strcmp(from->object, to) == 0)
		return;
	if (!has_string(*list, to))
		*list = lappend(*list, pstrdup(to));
}

/*
 * has_string
 *		Is s in list (char *)?
 */
static bool
has_string(List *list, const char *s)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp(lfirst(lc), s) == 0)
			return true;
	return false;
}

/*
 * names_def
 *		Does ref name def (its unqualified name)?
 */
static bool
names_def(PgmgRef *ref, PgmgDef *def)
{
	return def->name && strcmp(strVal(llast(ref->names)), def->name) == 0;
}

/*
 * relation_key
 *		"kind.identity" of the relation rv names as the search path finds
 *		it, or NULL when there is none.
 */
static char *
relation_key(RangeVar *rv)
{
	ObjectAddress addr;

	addr.classId = RelationRelationId;
	addr.objectId = RangeVarGetRelid(rv, NoLock, true);
	addr.objectSubId = 0;
	return OidIsValid(addr.objectId) ? pgmg_object_name(&addr) : NULL;
}
