/*-------------------------------------------------------------------------
 *
 * order.c
 *	  The order code files run in: each after the files that define what
 *	  it references.
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

static PgmgFile *resolve_ref(List *search_path, HTAB *names, PgmgRef *ref);
static int	compare_file_paths(const ListCell *a, const ListCell *b);

/*
 * pgmg_order_files
 *		The files to run, each after the files defining what it references.
 *		References resolve like the caller's search_path would; the
 *		late-bound references of a function body count only for
 *		materialized views, whose query runs at creation.
 */
List *
pgmg_order_files(List *exec)
{
	HTAB	   *names = pgmg_str_map("pgmg defined names");
	List	   *search_path = NIL;
	List	   *files;
	PgmgGraph  *g;
	List	   *cycle;
	int		   *order;
	List	   *result = NIL;
	ListCell   *lc;
	ListCell   *dc;
	int			i;

	/* number files by path: a stable order among independent files */
	files = list_copy(exec);
	list_sort(files, compare_file_paths);
	i = 0;
	foreach(lc, files)
		((PgmgFile *) lfirst(lc))->order = i++;

	foreach(lc, fetch_search_path(true))
		search_path = lappend(search_path, get_namespace_name(lfirst_oid(lc)));

	/* the names each file defines, by namespace: r(elation), t(ype), f(unction) */
	foreach(lc, files)
	{
		PgmgFile   *f = lfirst(lc);

		foreach(dc, f->defs)
		{
			PgmgDef    *d = lfirst(dc);
			int			ns = d->kind->namespaces;

			if (ns & PGMG_NS_RELATION)
				pgmg_str_put(names, psprintf("r:%s.%s", d->schema, d->name), f);
			if (ns & PGMG_NS_TYPE)
				pgmg_str_put(names, psprintf("t:%s.%s", d->schema, d->name), f);
			if (ns & PGMG_NS_ROUTINE)
				pgmg_str_put(names, psprintf("f:%s.%s", d->schema, d->name), f);
		}
	}

	g = pgmg_graph_create(list_length(files));
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
			PgmgFile   *dep;

			if (!ref->hard)
				continue;
			dep = resolve_ref(search_path, names, ref);
			if (dep == NULL)
				continue;
			pgmg_graph_add_edge(g, dep->order, f->order);

			/* a materialized view runs the functions it calls */
			if (has_matview && ref->kind == PGMG_REF_FUNCTION)
			{
				ListCell   *sc;

				foreach(sc, dep->refs)
				{
					PgmgFile   *inner = resolve_ref(search_path, names, lfirst(sc));

					if (inner)
						pgmg_graph_add_edge(g, inner->order, f->order);
				}
			}
		}
	}

	order = pgmg_graph_sort(g, &cycle);
	if (order == NULL)
	{
		StringInfoData buf;
		bool		first = true;

		initStringInfo(&buf);
		foreach(lc, cycle)
		{
			PgmgFile   *f = list_nth(files, lfirst_int(lc));

			appendStringInfo(&buf, "%s%s (%s)", first ? "" : " -> ", f->path,
							 ((PgmgDef *) linitial(f->defs))->key);
			first = false;
		}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("dependency cycle between code files"),
				 errdetail("Each file needs the next one to exist first: %s.", buf.data),
				 errhint("Break the cycle, for example with a LANGUAGE sql function whose string body is resolved only when it runs.")));
	}
	for (i = 0; i < list_length(files); i++)
		result = lappend(result, list_nth(files, order[i]));
	return result;
}

/*
 * resolve_ref
 *		The file (to run) that defines what ref names, or NULL.  An
 *		unqualified name is looked up schema by schema along the search
 *		path; an existing relation or type found first shadows later ones.
 */
static PgmgFile *
resolve_ref(List *search_path, HTAB *names, PgmgRef *ref)
{
	char		prefix = ref->kind == PGMG_REF_RELATION ? 'r' :
		ref->kind == PGMG_REF_TYPE ? 't' : 'f';
	int			n = list_length(ref->names);
	const char *name = strVal(llast(ref->names));
	ListCell   *lc;

	if (n >= 2)
		return pgmg_str_get(names, psprintf("%c:%s.%s", prefix,
									   strVal(list_nth(ref->names, n - 2)), name));

	foreach(lc, search_path)
	{
		const char *schema = lfirst(lc);
		PgmgFile   *f = pgmg_str_get(names, psprintf("%c:%s.%s", prefix, schema, name));
		Oid			nsp;

		if (f)
			return f;
		if (prefix == 'f')
			continue;
		nsp = get_namespace_oid(schema, true);
		if (!OidIsValid(nsp))
			continue;
		if (prefix == 'r' && OidIsValid(get_relname_relid(name, nsp)))
			return NULL;
		if (prefix == 't' &&
			OidIsValid(GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									   CStringGetDatum(name), ObjectIdGetDatum(nsp))))
			return NULL;
	}
	return NULL;
}

static int
compare_file_paths(const ListCell *a, const ListCell *b)
{
	return strcmp(((PgmgFile *) lfirst(a))->path, ((PgmgFile *) lfirst(b))->path);
}
