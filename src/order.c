/*-------------------------------------------------------------------------
 *
 * order.c
 *	  The order code files run in: each after the files that define what
 *	  it references; and which of them a migration needs before it runs
 *	  (the code its columns, defaults, constraints, index expressions and
 *	  queries use, with what that code needs).
 *
 * pgmg_file_edges gives the same edges, over every code file, to the
 * picture (picture.c): what orders the files is what is drawn.
 *
 * Files are numbered by path before they are sorted, and the graph puts
 * the lowest number first among files that are ready together, so the same
 * files give the same order on every database.  A reference resolves as
 * the caller's search_path would resolve it when the file runs: an
 * unqualified name is looked up schema by schema, and an existing relation
 * or type met first shadows the files defining the name in later schemas.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/order.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "pgmg.h"

static void add_name(HTAB *names, char prefix, const char *schema,
					 const char *name, PgmgFile *file);
static List *resolve_ref(List *search_path, HTAB *names, PgmgRef *ref);
static bool references_file(List *search_path, HTAB *names, PgmgFile *from,
							PgmgFile *to);
static List *evaluated_files(List *search_path, HTAB *names, PgmgFile *file,
							 int nfiles);
static void needed_files(PgmgFile *migration, PgmgGraph *g, List *search_path,
						 HTAB *names, List *order);
static int	compare_file_paths(const ListCell *a, const ListCell *b);
static PgmgGraph *file_graph(List *files, List *search_path, HTAB *names,
							 List **unresolved, List **edges);
static void add_file_edge(PgmgGraph *g, List **edges, PgmgFile *before,
						  PgmgFile *after, PgmgRef *ref);
static void add_late_edges(List *search_path, HTAB *names, PgmgFile *f,
						   PgmgRef *ref, List **unresolved, List **edges);
static HTAB *defined_names(List *files);
static List *search_path_names(void);

/*
 * pgmg_order_files
 *		The files to run, each after the files defining what it references
 *		and after the files its "-- pgmg:requires" lines name.  References
 *		resolve like the caller's search_path would; the late-bound
 *		references of function bodies count only for materialized views,
 *		whose query runs at creation, and are then followed transitively.
 *		Appends to *unresolved the hard references to relations, types and
 *		functions that no file to run defines (PgmgUnresolved *): they
 *		must exist already.
 *
 *		Each of migrations (pending, in the order they run) gets in its
 *		needs the files to run that it references, with everything those
 *		need, that no migration before it needs: they are created before
 *		it (and marked early), in this order.
 */
List *
pgmg_order_files(List *exec, List *migrations, List **unresolved)
{
	List	   *search_path = search_path_names();
	HTAB	   *names;
	List	   *files;
	PgmgGraph  *g;
	List	   *cycle;
	int		   *order;
	List	   *result = NIL;
	ListCell   *lc;
	int			i;

	/* number files by path: a stable order among independent files */
	files = list_copy(exec);
	list_sort(files, compare_file_paths);
	i = 0;
	foreach(lc, files)
	{
		((PgmgFile *) lfirst(lc))->order = i++;
		((PgmgFile *) lfirst(lc))->early = false;
	}
	names = defined_names(files);
	g = file_graph(files, search_path, names, unresolved, NULL);

	order = pgmg_graph_sort(g, &cycle);
	if (order == NULL)
	{
		StringInfoData buf;
		bool		first = true;
		bool		required = false;

		initStringInfo(&buf);
		foreach(lc, cycle)
		{
			PgmgFile   *f = list_nth(files, lfirst_int(lc));

			if (f->requires)
				required = true;

			appendStringInfo(&buf, "%s%s (%s)", first ? "" : " -> ", f->path,
							 ((PgmgDef *) linitial(f->defs))->key);
			first = false;
		}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("dependency cycle between code files"),
				 errdetail("Each file needs the next one to exist first: %s.", buf.data),
				 required ?
				 errhint("Break the cycle, for example by removing a \"-- pgmg:requires\" line that closes it.") :
				 errhint("Break the cycle, for example with a LANGUAGE sql function whose string body is resolved only when it runs.")));
	}
	for (i = 0; i < list_length(files); i++)
		result = lappend(result, list_nth(files, order[i]));

	foreach(lc, migrations)
		needed_files(lfirst(lc), g, search_path, names, result);
	return result;
}

/*
 * pgmg_file_edges
 *		The edges of the order among files (PgmgFileEdge *): each says that
 *		a file needs another to exist first, and which reference of it
 *		(NULL for a "-- pgmg:requires" line and for what a materialized
 *		view evaluates) says so.  Numbers the files by path, as ordering
 *		does; the files must be parsed.  Appends to *unresolved the
 *		references no file defines (PgmgUnresolved *).  Also gives the late
 *		edges, which order nothing: what a function's string body names,
 *		resolved only when it runs (late set; unresolved ones too).
 */
List *
pgmg_file_edges(List *files, List **unresolved)
{
	List	   *edges = NIL;
	List	   *sorted = list_copy(files);
	ListCell   *lc;
	int			i = 0;

	list_sort(sorted, compare_file_paths);
	foreach(lc, sorted)
		((PgmgFile *) lfirst(lc))->order = i++;
	(void) file_graph(sorted, search_path_names(), defined_names(sorted),
					  unresolved, &edges);
	return edges;
}

/*
 * search_path_names
 *		The schemas of the search path, implicit ones included, by name.
 */
static List *
search_path_names(void)
{
	List	   *names = NIL;
	ListCell   *lc;

	foreach(lc, fetch_search_path(true))
		names = lappend(names, get_namespace_name(lfirst_oid(lc)));
	return names;
}

/*
 * defined_names
 *		The files defining each name, by namespace: r(elation), t(ype),
 *		f(unction), o(perator), and c(ast) by the target type's name.  A
 *		function name maps to every file defining an overload of it.
 */
static HTAB *
defined_names(List *files)
{
	HTAB	   *names = pgmg_str_map("pgmg defined names");
	ListCell   *lc;
	ListCell   *dc;

	foreach(lc, files)
	{
		PgmgFile   *f = lfirst(lc);

		foreach(dc, f->defs)
		{
			PgmgDef    *d = lfirst(dc);
			int			ns = d->kind->namespaces;

			if (ns & PGMG_NS_RELATION)
				add_name(names, 'r', d->schema, d->name, f);
			if (ns & PGMG_NS_TYPE)
				add_name(names, 't', d->schema, d->name, f);
			if (ns & PGMG_NS_ROUTINE)
				add_name(names, 'f', d->schema, d->name, f);
			if (d->kind->objtype == OBJECT_OPERATOR)
				add_name(names, 'o', d->schema, d->name, f);
			if (d->kind->objtype == OBJECT_CAST)
			{
				TypeName   *target = lsecond(d->ident->args);

				add_name(names, 'c', NULL, strVal(llast(target->names)), f);
			}
		}
	}
	return names;
}

/*
 * file_graph
 *		The graph over files (numbered by their order field): each after
 *		the files defining what its hard references name, after what a
 *		materialized view of it evaluates, and after the files its
 *		"-- pgmg:requires" lines name.  Appends the references no file
 *		defines to *unresolved, and with edges, every edge to *edges, with
 *		the late ones (add_late_edges).
 */
static PgmgGraph *
file_graph(List *files, List *search_path, HTAB *names, List **unresolved,
		   List **edges)
{
	HTAB	   *paths = pgmg_str_map("pgmg file paths");
	PgmgGraph  *g = pgmg_graph_create(list_length(files));
	ListCell   *lc;
	ListCell   *dc;
	ListCell   *fc;

	foreach(lc, files)
		pgmg_str_put(paths, ((PgmgFile *) lfirst(lc))->path, lfirst(lc));

	foreach(lc, files)
	{
		PgmgFile   *f = lfirst(lc);
		bool		has_matview = false;

		foreach(dc, f->defs)
			if (((PgmgDef *) lfirst(dc))->kind->objtype == OBJECT_MATVIEW)
				has_matview = true;

		foreach(dc, f->refs)
		{
			PgmgRef    *ref = lfirst(dc);
			List	   *defined;

			if (!ref->hard)
			{
				if (edges)
					add_late_edges(search_path, names, f, ref, unresolved, edges);
				continue;
			}
			defined = resolve_ref(search_path, names, ref);
			if (defined == NIL && ref->kind <= PGMG_REF_FUNCTION)
			{
				PgmgUnresolved *u = palloc(sizeof(PgmgUnresolved));

				u->file = f;
				u->ref = ref;
				*unresolved = lappend(*unresolved, u);
			}
			foreach(fc, defined)
			{
				PgmgFile   *dep = lfirst(fc);

				/*
				 * A cast is known by its target type only, so a file whose
				 * function a cast uses would otherwise need that cast.
				 */
				if (ref->kind == PGMG_REF_CAST &&
					references_file(search_path, names, dep, f))
					continue;
				add_file_edge(g, edges, dep, f, ref);
			}
		}

		/* a materialized view runs what it calls, and what that calls */
		if (has_matview)
			foreach(fc, evaluated_files(search_path, names, f, list_length(files)))
				add_file_edge(g, edges, lfirst(fc), f, NULL);

		foreach(dc, f->requires)
		{
			PgmgFile   *dep = pgmg_str_get(paths, lfirst(dc));

			if (dep)
				add_file_edge(g, edges, dep, f, NULL);
		}
	}
	return g;
}

/*
 * add_file_edge
 *		before must exist before after; with edges, remember it there.
 */
static void
add_file_edge(PgmgGraph *g, List **edges, PgmgFile *before, PgmgFile *after,
			  PgmgRef *ref)
{
	pgmg_graph_add_edge(g, before->order, after->order);
	if (edges && before != after)
	{
		PgmgFileEdge *e = palloc(sizeof(PgmgFileEdge));

		e->from = after;
		e->to = before;
		e->ref = ref;
		e->late = false;
		*edges = lappend(*edges, e);
	}
}

/*
 * add_late_edges
 *		For the picture: a late (soft) reference of f, to the files that
 *		define what it names, or, when none does, to *unresolved (a table,
 *		say).  These edges order nothing.
 */
static void
add_late_edges(List *search_path, HTAB *names, PgmgFile *f, PgmgRef *ref,
			   List **unresolved, List **edges)
{
	List	   *defined = resolve_ref(search_path, names, ref);
	ListCell   *lc;

	if (defined == NIL && ref->kind <= PGMG_REF_FUNCTION)
	{
		PgmgUnresolved *u = palloc(sizeof(PgmgUnresolved));

		u->file = f;
		u->ref = ref;
		*unresolved = lappend(*unresolved, u);
	}
	foreach(lc, defined)
	{
		PgmgFileEdge *e;

		if (lfirst(lc) == f)
			continue;
		e = palloc(sizeof(PgmgFileEdge));
		e->from = f;
		e->to = lfirst(lc);
		e->ref = ref;
		e->late = true;
		*edges = lappend(*edges, e);
	}
}

/*
 * needed_files
 *		Set migration->needs: the files to run (in their order) that it
 *		references, with every file they come after, except those an
 *		earlier migration needs already.
 */
static void
needed_files(PgmgFile *migration, PgmgGraph *g, List *search_path, HTAB *names,
			 List *order)
{
	int			n = list_length(order);
	bool	   *needed = palloc0(sizeof(bool) * Max(n, 1));
	List	   *stack = NIL;
	ListCell   *lc;
	ListCell   *fc;

	foreach(lc, migration->refs)
	{
		PgmgRef    *ref = lfirst(lc);

		if (!ref->hard)
			continue;
		foreach(fc, resolve_ref(search_path, names, ref))
		{
			PgmgFile   *f = lfirst(fc);

			if (!f->early && !needed[f->order])
			{
				needed[f->order] = true;
				stack = lappend_int(stack, f->order);
			}
		}
	}
	while (stack != NIL)
	{
		int			node = llast_int(stack);

		stack = list_delete_last(stack);
		foreach(lc, pgmg_graph_predecessors(g, node))
		{
			int			before = lfirst_int(lc);

			if (!needed[before])
			{
				needed[before] = true;
				stack = lappend_int(stack, before);
			}
		}
	}

	migration->needs = NIL;
	foreach(lc, order)
	{
		PgmgFile   *f = lfirst(lc);

		if (needed[f->order] && !f->early)
		{
			f->early = true;
			migration->needs = lappend(migration->needs, f);
		}
	}
}

/*
 * add_name
 *		Record that file defines name (in schema; casts have none) in the
 *		namespace prefix names.
 */
static void
add_name(HTAB *names, char prefix, const char *schema, const char *name,
		 PgmgFile *file)
{
	char	   *key = schema ? psprintf("%c:%s.%s", prefix, schema, name) :
		psprintf("%c:%s", prefix, name);
	List	   *defined = pgmg_str_get(names, key);

	if (!list_member_ptr(defined, file))
		pgmg_str_put(names, key, lappend(defined, file));
}

/*
 * resolve_ref
 *		The files (to run) that define what ref names; NIL if none.  An
 *		unqualified name is looked up schema by schema along the search
 *		path; an existing relation or type found first shadows later ones.
 */
static List *
resolve_ref(List *search_path, HTAB *names, PgmgRef *ref)
{
	char		prefix = pgmg_ref_namespace(ref->kind);
	int			n = list_length(ref->names);
	const char *name = strVal(llast(ref->names));
	ListCell   *lc;

	if (prefix == 'c')
		return pgmg_str_get(names, psprintf("c:%s", name));
	if (n >= 2)
		return pgmg_str_get(names, psprintf("%c:%s.%s", prefix,
									   strVal(list_nth(ref->names, n - 2)), name));

	foreach(lc, search_path)
	{
		const char *schema = lfirst(lc);
		List	   *defined = pgmg_str_get(names, psprintf("%c:%s.%s", prefix, schema, name));
		Oid			nsp;

		if (defined)
			return defined;
		if (prefix != 'r' && prefix != 't')
			continue;
		nsp = get_namespace_oid(schema, true);
		if (!OidIsValid(nsp))
			continue;
		if (prefix == 'r' && OidIsValid(get_relname_relid(name, nsp)))
			return NIL;
		if (prefix == 't' &&
			OidIsValid(GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									   CStringGetDatum(name), ObjectIdGetDatum(nsp))))
			return NIL;
	}
	return NIL;
}

/*
 * references_file
 *		Does a hard reference of from resolve to a definition in to?
 */
static bool
references_file(List *search_path, HTAB *names, PgmgFile *from, PgmgFile *to)
{
	ListCell   *lc;

	foreach(lc, from->refs)
	{
		PgmgRef    *ref = lfirst(lc);

		if (ref->hard && ref->kind != PGMG_REF_CAST &&
			list_member_ptr(resolve_ref(search_path, names, ref), to))
			return true;
	}
	return false;
}

/*
 * evaluated_files
 *		The files (to run) whose objects creating file's objects evaluates:
 *		what file references, what their function bodies and queries
 *		reference in turn, and so on.  file itself is not in the list.
 */
static List *
evaluated_files(List *search_path, HTAB *names, PgmgFile *file, int nfiles)
{
	List	   *reached = list_make1(file);
	bool	   *seen = palloc0(sizeof(bool) * nfiles);
	ListCell   *lc;
	ListCell   *rc;
	ListCell   *fc;

	seen[file->order] = true;
	/* reached grows while it is walked: breadth first */
	foreach(lc, reached)
	{
		PgmgFile   *f = lfirst(lc);

		foreach(rc, f->refs)
			foreach(fc, resolve_ref(search_path, names, lfirst(rc)))
			{
				PgmgFile   *next = lfirst(fc);

				if (!seen[next->order])
				{
					seen[next->order] = true;
					reached = lappend(reached, next);
				}
			}
	}
	pfree(seen);
	return list_delete_first(reached);
}

static int
compare_file_paths(const ListCell *a, const ListCell *b)
{
	return strcmp(((PgmgFile *) lfirst(a))->path, ((PgmgFile *) lfirst(b))->path);
}
