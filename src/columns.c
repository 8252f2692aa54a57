/*-------------------------------------------------------------------------
 *
 * columns.c
 *	  What a view's query puts out and what it reads: the analysis CREATE
 *	  VIEW would make of a file's query, whether CREATE OR REPLACE VIEW can
 *	  replace an existing view with it, and what a query reads (relations,
 *	  functions, whole rows) -- a file's new query or a view's stored one.
 *
 * CREATE OR REPLACE VIEW keeps the view (its OID, dependents, privileges,
 * comments, column defaults and triggers) when the new query's output
 * columns keep the existing ones: same names, types, typmods and
 * collations, in order, new columns only after them.  That is checked here
 * against the catalog as it is now, the way the server will check it.
 *
 * A file's query is analysed in a subtransaction that is rolled back
 * (support.c), so the ACCESS SHARE locks analysis takes go with it; the
 * existing view's columns and stored query are read from the syscaches,
 * without locks.  Nothing is created.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/columns.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteSupport.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "pgmg.h"

/* what reads_walker gathers */
typedef struct ReadsWalk
{
	List	   *rtables;		/* range tables of the enclosing queries,
								 * innermost first */
	List	   *objects;		/* ObjectAddress *: relations, functions */
	Oid			column_of;		/* a relation whose column to look for */
	AttrNumber	column;			/* that column; 0: a whole row */
	bool		found;			/* a Var of it was found */
} ReadsWalk;

/* what column_check is given, and gives back */
typedef struct ColumnArgs
{
	Node	   *query;
	List	   *aliases;
	const char *source;
	ReadsWalk	walk;
} ColumnArgs;

/* what replace_check is given, and gives back */
typedef struct ReplaceArgs
{
	ViewStmt   *stmt;
	const char *source;
	Oid			viewid;
	List	   *reads;
	char	   *why;
} ReplaceArgs;

static void replace_check(void *arg);
static void column_check(void *arg);
static bool names_walker(Node *node, void *name);
static bool reads_walker(Node *node, ReadsWalk *w);
static void add_read(ReadsWalk *w, Oid classid, Oid objid);

/*
 * pgmg_analyse_view
 *		A view's raw query (source: the statement's text) analysed as
 *		CREATE VIEW analyses it, under the caller's search_path, its output
 *		columns renamed by the aliases the statement gives.  Takes the
 *		locks analysis takes: call it in a subtransaction that is rolled
 *		back.
 */
Query *
pgmg_analyse_view(Node *query, List *aliases, const char *source)
{
	RawStmt    *raw = makeNode(RawStmt);
	Query	   *q;
	ListCell   *lc;
	ListCell   *ac;

	raw->stmt = copyObject(query);
	q = parse_analyze_fixedparams(raw, source, NULL, 0, NULL);
	ac = list_head(aliases);
	foreach(lc, q->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (tle->resjunk || ac == NULL)
			continue;
		tle->resname = pstrdup(strVal(lfirst(ac)));
		ac = lnext(aliases, ac);
	}
	return q;
}

/*
 * pgmg_relation_natts
 *		The number of columns of a relation, dropped ones included; 0 if it
 *		is gone.  No locks.
 */
int
pgmg_relation_natts(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	int			natts = 0;

	if (HeapTupleIsValid(tup))
	{
		natts = ((Form_pg_class) GETSTRUCT(tup))->relnatts;
		ReleaseSysCache(tup);
	}
	return natts;
}

/*
 * pgmg_view_replaceable
 *		Can CREATE OR REPLACE VIEW replace the view viewid with the query of
 *		stmt (source: its text)?  True when the query can be analysed now and
 *		its output columns keep the view's.  *reads receives what the query
 *		reads (ObjectAddress *: relations and functions), so that the caller
 *		can tell whether any of it changes before the view is replaced.
 *		Otherwise *why says why not, for the plan.
 */
bool
pgmg_view_replaceable(ViewStmt *stmt, const char *source, Oid viewid,
					  List **reads, char **why)
{
	ReplaceArgs r = {stmt, source, viewid, NIL, NULL};

	*reads = NIL;
	if (!pgmg_read_rolled_back(replace_check, &r, true))
	{
		*why = "its new query reads what does not exist yet, so its columns cannot be compared before the apply";
		return false;
	}
	*reads = r.reads;
	*why = r.why;
	return r.why == NULL;
}

/*
 * replace_check
 *		pgmg_view_replaceable's analysis, as pgmg_read_rolled_back runs it:
 *		the checks the server makes of a replaced view's columns, in its
 *		order.
 */
static void
replace_check(void *arg)
{
	ReplaceArgs *r = arg;
	Query	   *q = pgmg_analyse_view(r->stmt->query, r->stmt->aliases, r->source);
	int			natts = pgmg_relation_natts(r->viewid);
	AttrNumber	attnum = 0;
	ReadsWalk	w = {0};
	ListCell   *lc;

	foreach(lc, q->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Node	   *expr = (Node *) tle->expr;
		char	   *name;
		Oid			typid;
		int32		typmod;
		Oid			collid;

		if (tle->resjunk)
			continue;
		if (++attnum > natts)
			break;				/* appended: allowed */
		name = get_attname(r->viewid, attnum, false);
		get_atttypetypmodcoll(r->viewid, attnum, &typid, &typmod, &collid);
		if (strcmp(name, tle->resname) != 0)
			r->why = psprintf("its column %d, %s, would be named %s",
							  attnum, quote_identifier(name),
							  quote_identifier(tle->resname));
		else if (typid != exprType(expr) || typmod != exprTypmod(expr))
			r->why = psprintf("its column %s would change type from %s to %s",
							  quote_identifier(name),
							  format_type_with_typemod(typid, typmod),
							  format_type_with_typemod(exprType(expr), exprTypmod(expr)));
		else if (collid != exprCollation(expr))
			r->why = psprintf("its column %s would change collation",
							  quote_identifier(name));
		if (r->why)
			return;
	}
	if (attnum < natts)
	{
		r->why = psprintf("its column %s would be removed",
						  quote_identifier(get_attname(r->viewid, attnum + 1, false)));
		return;
	}
	(void) reads_walker((Node *) q, &w);
	r->reads = w.objects;
}

/*
 * pgmg_reads_whole_row
 *		Does the stored query of view or materialized view viewid use a
 *		whole row of relation relid (t.* as one value, row_to_json(t))?
 *		Such a view reads every column of it, though pg_depend records no
 *		column.  True when the query cannot be read.
 */
bool
pgmg_reads_whole_row(Oid viewid, Oid relid)
{
	HeapTuple	tup;
	Datum		action;
	bool		isnull;
	List	   *queries;
	ReadsWalk	w = {0};
	ListCell   *lc;

	tup = SearchSysCache2(RULERELNAME, ObjectIdGetDatum(viewid),
						  CStringGetDatum(ViewSelectRuleName));
	if (!HeapTupleIsValid(tup))
		return true;
	action = SysCacheGetAttr(RULERELNAME, tup, Anum_pg_rewrite_ev_action, &isnull);
	if (isnull)
	{
		ReleaseSysCache(tup);
		return true;
	}
	queries = (List *) stringToNode(TextDatumGetCString(action));
	ReleaseSysCache(tup);

	w.column_of = relid;
	foreach(lc, queries)
		(void) reads_walker(lfirst(lc), &w);
	return w.found;
}

/*
 * pgmg_query_reads_column
 *		Does a view's raw query (source: its statement's text), analysed
 *		now, read column attnum of relation relid?  False when it cannot
 *		be analysed now.
 */
bool
pgmg_query_reads_column(Node *query, List *aliases, const char *source,
						Oid relid, AttrNumber attnum)
{
	ColumnArgs	c = {query, aliases, source, {0}};

	c.walk.column_of = relid;
	c.walk.column = attnum;
	return pgmg_read_rolled_back(column_check, &c, true) && c.walk.found;
}

/*
 * pgmg_query_names_column
 *		Does a raw query name a column called name (c, t.c), as opposed to
 *		reaching it through *?
 */
bool
pgmg_query_names_column(Node *query, const char *name)
{
	return names_walker(query, (void *) name);
}

static bool
names_walker(Node *node, void *name)
{
	if (node == NULL)
		return false;
	if (IsA(node, ColumnRef))
	{
		Node	   *last = llast(((ColumnRef *) node)->fields);

		return IsA(last, String) && strcmp(strVal(last), (const char *) name) == 0;
	}
	return raw_expression_tree_walker(node, names_walker, name);
}

/* pgmg_query_reads_column's analysis, as pgmg_read_rolled_back runs it */
static void
column_check(void *arg)
{
	ColumnArgs *c = arg;

	(void) reads_walker((Node *) pgmg_analyse_view(c->query, c->aliases, c->source),
						&c->walk);
}

/*
 * reads_walker
 *		Walk a query tree: every relation in a range table and every
 *		function called goes to w->objects; a Var of column w->column of
 *		relation w->column_of (0: a whole-row Var) sets w->found.
 */
static bool
reads_walker(Node *node, ReadsWalk *w)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *q = (Query *) node;
		ListCell   *lc;
		bool		result;

		foreach(lc, q->rtable)
		{
			RangeTblEntry *rte = lfirst(lc);

			if (rte->rtekind == RTE_RELATION)
				add_read(w, RelationRelationId, rte->relid);
		}
		w->rtables = lcons(q->rtable, w->rtables);
		result = query_tree_walker(q, reads_walker, (void *) w, 0);
		w->rtables = list_delete_first(w->rtables);
		return result;
	}
	if (IsA(node, Var))
	{
		Var		   *v = (Var *) node;
		List	   *rtable;

		if (v->varattno != w->column || !OidIsValid(w->column_of) ||
			v->varlevelsup >= list_length(w->rtables))
			return false;
		rtable = list_nth(w->rtables, v->varlevelsup);
		if (v->varno >= 1 && v->varno <= list_length(rtable) &&
			rt_fetch(v->varno, rtable)->rtekind == RTE_RELATION &&
			rt_fetch(v->varno, rtable)->relid == w->column_of)
			w->found = true;
		return false;
	}
	if (IsA(node, FuncExpr))
		add_read(w, ProcedureRelationId, ((FuncExpr *) node)->funcid);
	else if (IsA(node, Aggref))
		add_read(w, ProcedureRelationId, ((Aggref *) node)->aggfnoid);
	else if (IsA(node, WindowFunc))
		add_read(w, ProcedureRelationId, ((WindowFunc *) node)->winfnoid);
	return expression_tree_walker(node, reads_walker, (void *) w);
}

static void
add_read(ReadsWalk *w, Oid classid, Oid objid)
{
	ObjectAddress *addr = palloc(sizeof(ObjectAddress));

	ObjectAddressSet(*addr, classid, objid);
	w->objects = lappend(w->objects, addr);
}
