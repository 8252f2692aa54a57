/*-------------------------------------------------------------------------
 *
 * plan.c
 *	  The planner: from the file set, the recorded state and the catalogs,
 *	  the ordered steps that bring the database to what the files say.
 *
 * For code files:
 *	 1. A file is new (no state rows), modified (hash differs), drifted
 *		(unchanged, but an object it made is missing or its catalog
 *		fingerprint changed), unchanged, or deleted (state rows, no file).
 *	 2. Files to run are parsed; each object they define is created (it
 *		does not exist), replaced in place (compatible function, plain
 *		trigger, enum with appended values) or dropped and recreated.
 *	 3. Everything dropped takes its dependents with it, found in pg_depend
 *		(views through their _RETURN rule): managed dependents are dropped
 *		and recreated from their files, which are then run too; anything
 *		else is refused by name before anything changes.  Never CASCADE.
 *	 4. Drops run dependents first; files run in the topological order of
 *		what they define and reference.
 *
 * The planner only reads: it works in a read-only transaction.  All
 * memory is in the caller's context.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "pgmg.h"

/* an object the plan drops */
typedef struct DropItem
{
	ObjectAddress addr;
	char	   *object;			/* "kind.identity" */
	char	   *file;			/* managing file, or NULL */
	char	   *reason;
	int			index;
} DropItem;

/* a catalog entry waiting to have its dependents scanned */
typedef struct QueueItem
{
	ObjectAddress addr;
	DropItem   *top;			/* the dropped object it belongs to */
} QueueItem;

/* hash entries */
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

typedef struct PlanCtx
{
	PgmgFileSet *files;
	List	   *state;			/* PgmgStateObj * */
	HTAB	   *managed;		/* addr -> PgmgStateObj * */
	HTAB	   *state_files;	/* path -> List * of PgmgStateObj * */
	HTAB	   *code_files;		/* path -> PgmgFile * */
	HTAB	   *defs_by_addr;	/* addr -> PgmgDef * (files to run) */
	HTAB	   *defs_by_key;	/* key -> PgmgDef * (files to run) */
	HTAB	   *drop_set;		/* addr -> DropItem * */
	HTAB	   *visited;		/* addr -> QueueItem * scanned or queued */
	List	   *drops;			/* DropItem *, in discovery order */
	List	   *drop_edges;		/* pairs (before, after) of DropItem * */
	List	   *queue;			/* QueueItem * */
	List	   *exec;			/* PgmgFile * to run */
	List	   *forget;			/* char *, deleted files */
	List	   *search_path;	/* char *, schema names, implicit included */
} PlanCtx;

static HTAB *addr_map(const char *name);
static void *addr_get(HTAB *h, const ObjectAddress *addr);
static void addr_put(HTAB *h, const ObjectAddress *addr, void *value);
static HTAB *str_map(const char *name);
static void *str_get(HTAB *h, const char *key);
static void str_put(HTAB *h, const char *key, void *value);
static uint32 str_hash(const void *key, Size keysize);
static int	str_match(const void *a, const void *b, Size keysize);

static void load_state(PlanCtx *ctx);
static void classify_files(PlanCtx *ctx);
static void schedule_file(PlanCtx *ctx, PgmgFile *file, const char *reason);
static void recreate_def(PlanCtx *ctx, PgmgDef *def, const char *reason);
static DropItem *add_drop(PlanCtx *ctx, const ObjectAddress *addr,
						  const char *file, const char *reason);
static void close_drops(PlanCtx *ctx);
static void refuse_dependent(DropItem *top, PgmgDependent *dep);
static List *order_drops(PlanCtx *ctx);
static List *order_files(PlanCtx *ctx);
static PgmgFile *resolve_ref(PlanCtx *ctx, HTAB *names, PgmgRef *ref);
static void add_steps(PlanCtx *ctx, PgmgPlan *plan, List *drops, List *files);
static int	compare_file_paths(const ListCell *a, const ListCell *b);
static int	compare_strings(const ListCell *a, const ListCell *b);

/*
 * pgmg_make_plan
 *		Compute the plan for a file set.  Reads only.
 */
PgmgPlan *
pgmg_make_plan(PgmgFileSet *files)
{
	PlanCtx		ctx;
	PgmgPlan   *plan = palloc0(sizeof(PgmgPlan));
	List	   *drops;
	List	   *order;

	memset(&ctx, 0, sizeof(ctx));
	ctx.files = files;
	plan->files = files;

	if (files->migrations != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table migrations are not supported by this version of pgmg"),
				 errdetail("The file set has %d migration file(s), starting with \"%s\".",
						   list_length(files->migrations),
						   ((PgmgFile *) linitial(files->migrations))->path),
				 errhint("Run migrations separately and pass only the \"code\" group.")));

	if (!files->has_code)
		return plan;

	load_state(&ctx);
	classify_files(&ctx);
	close_drops(&ctx);

	drops = order_drops(&ctx);
	order = order_files(&ctx);
	add_steps(&ctx, plan, drops, order);
	plan->exec_files = order;
	plan->forget_files = ctx.forget;
	return plan;
}

const char *
pgmg_action_name(PgmgAction action)
{
	switch (action)
	{
		case PGMG_ACT_DROP:
			return "drop";
		case PGMG_ACT_CREATE:
			return "create";
		case PGMG_ACT_REPLACE:
			return "replace";
	}
	return "?";
}

/*
 * load_state
 *		Read pgmg.pgmg_state and resolve every row to its catalog object.
 */
static void
load_state(PlanCtx *ctx)
{
	ListCell   *lc;

	ctx->managed = addr_map("pgmg managed objects");
	ctx->state_files = str_map("pgmg state files");
	ctx->code_files = str_map("pgmg code files");
	ctx->defs_by_addr = addr_map("pgmg definitions");
	ctx->defs_by_key = str_map("pgmg definition keys");
	ctx->drop_set = addr_map("pgmg drops");
	ctx->visited = addr_map("pgmg visited");

	ctx->state = pgmg_load_state();
	foreach(lc, ctx->state)
	{
		PgmgStateObj *obj = lfirst(lc);
		List	   *rows = str_get(ctx->state_files, obj->file);

		if (pgmg_resolve(obj->kind, obj->names, obj->args, &obj->addr))
			addr_put(ctx->managed, &obj->addr, obj);
		else
			obj->addr.objectId = InvalidOid;
		str_put(ctx->state_files, obj->file, lappend(rows, obj));
	}
	foreach(lc, ctx->files->code)
	{
		PgmgFile   *f = lfirst(lc);

		str_put(ctx->code_files, f->path, f);
	}
}

/*
 * classify_files
 *		New, modified, drifted, unchanged and deleted files; schedule the
 *		ones that must run and drop what deleted files made.
 */
static void
classify_files(PlanCtx *ctx)
{
	ListCell   *lc;
	HASH_SEQ_STATUS seq;
	StrEntry   *e;
	List	   *deleted = NIL;

	foreach(lc, ctx->files->code)
	{
		PgmgFile   *f = lfirst(lc);
		List	   *rows = str_get(ctx->state_files, f->path);
		ListCell   *rc;
		char	   *reason = NULL;

		f->status = PGMG_FILE_UNCHANGED;
		if (rows == NIL)
		{
			f->status = PGMG_FILE_NEW;
			reason = "new";
		}
		foreach(rc, rows)
		{
			PgmgStateObj *obj = lfirst(rc);

			if (strcmp(obj->hash, f->hash) != 0)
			{
				f->status = PGMG_FILE_MODIFIED;
				reason = "modified";
				break;
			}
		}
		if (f->status == PGMG_FILE_UNCHANGED)
		{
			foreach(rc, rows)
			{
				PgmgStateObj *obj = lfirst(rc);

				if (!OidIsValid(obj->addr.objectId))
					reason = psprintf("drift: %s is missing", obj->object_name);
				else if (strcmp(pgmg_fingerprint(&obj->addr), obj->fingerprint) != 0)
					reason = psprintf("drift: %s was changed outside pgmg",
									  obj->object_name);
				else
					continue;
				f->status = PGMG_FILE_DRIFT;
				break;
			}
		}
		if (f->status != PGMG_FILE_UNCHANGED)
			f->reason = reason;
	}

	/* files in the state but not in the set were deleted */
	hash_seq_init(&seq, ctx->state_files);
	while ((e = hash_seq_search(&seq)) != NULL)
		if (str_get(ctx->code_files, e->key) == NULL)
			deleted = lappend(deleted, e->key);
	list_sort(deleted, compare_strings);
	foreach(lc, deleted)
	{
		char	   *path = lfirst(lc);
		ListCell   *rc;

		ctx->forget = lappend(ctx->forget, path);
		foreach(rc, (List *) str_get(ctx->state_files, path))
		{
			PgmgStateObj *obj = lfirst(rc);

			if (OidIsValid(obj->addr.objectId))
				add_drop(ctx, &obj->addr, path,
						 psprintf("file %s was deleted", path));
		}
	}

	foreach(lc, ctx->files->code)
	{
		PgmgFile   *f = lfirst(lc);

		if (f->status != PGMG_FILE_UNCHANGED)
			schedule_file(ctx, f, f->reason);
	}
}

/*
 * schedule_file
 *		Parse a file that will run and decide, for each object it defines,
 *		whether it is created, replaced in place, or dropped and recreated.
 *		Objects its old version made that it no longer defines are dropped.
 */
static void
schedule_file(PlanCtx *ctx, PgmgFile *file, const char *reason)
{
	ListCell   *lc;
	List	   *kept = NIL;

	if (file->in_exec)
		return;
	file->in_exec = true;
	if (file->reason == NULL)
		file->reason = pstrdup(reason);
	if (file->status == PGMG_FILE_UNCHANGED)
		file->status = PGMG_FILE_DEPENDENT;
	ctx->exec = lappend(ctx->exec, file);
	pgmg_parse_file(file);

	foreach(lc, file->defs)
	{
		PgmgDef    *def = lfirst(lc);
		PgmgDef    *other;

		def->reason = file->reason;
		if (pgmg_lookup_def(def, &def->addr))
		{
			def->key = pgmg_object_name(&def->addr);
			def->managed = addr_get(ctx->managed, &def->addr);
			kept = lappend(kept, &def->addr);
			if (def->managed == NULL)
				def->reason = "adopt";
			else if (strcmp(def->managed->file, file->path) != 0)
			{
				PgmgFile   *owner = str_get(ctx->code_files, def->managed->file);

				/* defined by another file that still exists and is unchanged */
				if (owner && owner->status != PGMG_FILE_MODIFIED)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_OBJECT),
							 errmsg("%s is defined in both \"%s\" and \"%s\"",
									def->key, owner->path, file->path),
							 errhint("Keep each object in exactly one code file.")));
			}
		}

		other = str_get(ctx->defs_by_key, def->key);
		if (other)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("%s is defined in both \"%s\" and \"%s\"",
							def->key, other->file->path, file->path),
					 errdetail("Line %d of \"%s\" and line %d of \"%s\".",
							   other->stmt->line, other->file->path,
							   def->stmt->line, file->path),
					 errhint("Keep each object in exactly one code file.")));
		str_put(ctx->defs_by_key, def->key, def);

		if (!OidIsValid(def->addr.objectId))
		{
			def->mode = PGMG_DEF_CREATE;
			continue;
		}
		addr_put(ctx->defs_by_addr, &def->addr, def);
		if (addr_get(ctx->drop_set, &def->addr))
			recreate_def(ctx, def, NULL);
		else if (pgmg_def_replaceable(def, &def->inplace_sql))
		{
			const char *old = def->managed ? def->managed->decorations : "";

			/* the file's statements set again what its old version set */
			def->mode = PGMG_DEF_INPLACE;
			def->reset_sql = pgmg_reset_statements(&def->addr,
												   strchr(old, 'a') != NULL,
												   strchr(old, 'c') != NULL);
		}
		else
			recreate_def(ctx, def, def->reason);
	}

	/* objects the file made before but does not define any more */
	foreach(lc, (List *) str_get(ctx->state_files, file->path))
	{
		PgmgStateObj *obj = lfirst(lc);
		ListCell   *kc;
		bool		found = false;

		if (!OidIsValid(obj->addr.objectId))
			continue;
		foreach(kc, kept)
		{
			ObjectAddress *a = lfirst(kc);

			if (a->classId == obj->addr.classId && a->objectId == obj->addr.objectId)
				found = true;
		}
		if (!found)
			add_drop(ctx, &obj->addr, file->path,
					 psprintf("no longer defined in %s", file->path));
	}
}

/*
 * recreate_def
 *		An existing object must be dropped and created again from its file:
 *		remember its owner, privileges and comments (those the file does not
 *		set itself) and put it in the drop set.
 */
static void
recreate_def(PlanCtx *ctx, PgmgDef *def, const char *reason)
{
	const char *old = def->managed ? def->managed->decorations : "";

	if (def->mode == PGMG_DEF_RECREATE)
		return;
	def->mode = PGMG_DEF_RECREATE;
	def->inplace_sql = NIL;
	def->reset_sql = NIL;

	/*
	 * Keep what was set by hand; what the file sets, or its previous version
	 * set, follows the file.
	 */
	def->restore_sql = pgmg_restore_statements(&def->addr,
											   !def->file->sets_acl && !strchr(old, 'a'),
											   !def->file->sets_comment && !strchr(old, 'c'),
											   !def->file->sets_column_comment && !strchr(old, 'k'),
											   !def->file->sets_owner && !strchr(old, 'o'));
	if (reason)
		add_drop(ctx, &def->addr, def->file->path, reason);
}

/*
 * add_drop
 *		Put an object in the drop set (once) and queue it for the dependent
 *		scan.  A managed object's file is scheduled to run, so that the
 *		object comes back.
 */
static DropItem *
add_drop(PlanCtx *ctx, const ObjectAddress *addr, const char *file,
		 const char *reason)
{
	DropItem   *item = addr_get(ctx->drop_set, addr);
	QueueItem  *q;
	PgmgStateObj *managed;
	PgmgDef    *def;

	if (item)
		return item;

	item = palloc0(sizeof(DropItem));
	item->addr = *addr;
	item->addr.objectSubId = 0;
	item->object = pgmg_object_name(addr);
	item->file = file ? pstrdup(file) : NULL;
	item->reason = pstrdup(reason);
	item->index = list_length(ctx->drops);
	ctx->drops = lappend(ctx->drops, item);
	addr_put(ctx->drop_set, addr, item);

	q = palloc(sizeof(QueueItem));
	q->addr = item->addr;
	q->top = item;
	ctx->queue = lappend(ctx->queue, q);
	addr_put(ctx->visited, addr, q);

	/* bring it back from its file, unless that file is gone */
	managed = addr_get(ctx->managed, addr);
	if (managed)
	{
		PgmgFile   *f = str_get(ctx->code_files, managed->file);

		if (f && !f->in_exec)
			schedule_file(ctx, f, reason);
	}
	def = addr_get(ctx->defs_by_addr, addr);
	if (def && def->mode != PGMG_DEF_RECREATE)
		recreate_def(ctx, def, NULL);
	return item;
}

/*
 * close_drops
 *		Follow pg_depend from everything in the drop set until no new
 *		dependents appear.  Managed dependents join the drop set (and their
 *		files run again); anything else makes the plan fail, naming it.
 */
static void
close_drops(PlanCtx *ctx)
{
	while (ctx->queue != NIL)
	{
		QueueItem  *q = linitial(ctx->queue);
		List	   *deps;
		ListCell   *lc;

		ctx->queue = list_delete_first(ctx->queue);
		deps = pgmg_direct_dependents(&q->addr);
		foreach(lc, deps)
		{
			PgmgDependent *d = lfirst(lc);
			DropItem   *dep_item;

			/*
			 * A part of the object being dropped (its rule, rowtype, array
			 * type, index, TOAST table: anything internal to it): look at
			 * the part's own dependents.
			 */
			if (d->deptype == DEPENDENCY_INTERNAL ||
				(d->object.classId == q->top->addr.classId &&
				 d->object.objectId == q->top->addr.objectId))
			{
				if (!addr_get(ctx->visited, &d->part))
				{
					QueueItem  *part = palloc(sizeof(QueueItem));

					part->addr = d->part;
					part->addr.objectSubId = 0;
					part->top = q->top;
					addr_put(ctx->visited, &d->part, part);
					ctx->queue = lappend(ctx->queue, part);
				}
				continue;
			}
			if (!d->droppable)
				refuse_dependent(q->top, d);

			dep_item = addr_get(ctx->drop_set, &d->object);
			if (dep_item == NULL)
			{
				PgmgStateObj *managed = addr_get(ctx->managed, &d->object);

				if (managed == NULL)
					refuse_dependent(q->top, d);
				dep_item = add_drop(ctx, &d->object, managed->file,
									psprintf("depends on %s", q->top->object));
			}
			/* the dependent goes first */
			ctx->drop_edges = lappend(ctx->drop_edges, dep_item);
			ctx->drop_edges = lappend(ctx->drop_edges, q->top);
		}
	}
}

/*
 * refuse_dependent
 *		Error out: dropping top would take dep with it, and pgmg cannot
 *		bring dep back.
 */
static void
refuse_dependent(DropItem *top, PgmgDependent *dep)
{
	char	   *what = getObjectDescription(&dep->part, false);

	if (top->addr.classId == TypeRelationId && !dep->droppable &&
		dep->part.classId == RelationRelationId && dep->part.objectSubId != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot recreate %s because %s uses it", top->object, what),
				 errdetail("Dropping and recreating a type that a table column uses would destroy the column's data (%s).",
						   top->reason),
				 errhint("Change the type with a migration.")));
	if (!dep->droppable)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop %s because %s depends on it", top->object, what),
				 errdetail("pgmg must drop %s (%s) and cannot recreate %s.",
						   top->object, top->reason, what),
				 errhint("Remove the dependency in a migration first.")));
	{
		char	   *name = pgmg_object_name(&dep->object);

		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop %s because %s depends on it", top->object, name),
				 errdetail("pgmg must drop %s (%s), and %s is not managed by pgmg, so it could not be recreated.",
						   top->object, top->reason, name),
				 errhint("Add a code file that defines it, or drop it in a migration.")));
	}
}

/*
 * order_drops
 *		Drop items with every dependent before what it depends on.
 */
static List *
order_drops(PlanCtx *ctx)
{
	PgmgGraph  *g = pgmg_graph_create(list_length(ctx->drops));
	List	   *cycle;
	int		   *order;
	List	   *result = NIL;
	ListCell   *lc;
	int			i;

	for (lc = list_head(ctx->drop_edges); lc; lc = lnext(ctx->drop_edges, lc))
	{
		DropItem   *before = lfirst(lc);

		lc = lnext(ctx->drop_edges, lc);
		pgmg_graph_add_edge(g, before->index, ((DropItem *) lfirst(lc))->index);
	}
	order = pgmg_graph_sort(g, &cycle);
	if (order == NULL)
		elog(ERROR, "pg_depend has a dependency cycle among objects to drop");
	for (i = 0; i < list_length(ctx->drops); i++)
		result = lappend(result, list_nth(ctx->drops, order[i]));
	return result;
}

/*
 * order_files
 *		The files to run, each after the files defining what it references.
 *		References resolve like the caller's search_path would; the
 *		late-bound references of a function body count only for
 *		materialized views, whose query runs at creation.
 */
static List *
order_files(PlanCtx *ctx)
{
	HTAB	   *names = str_map("pgmg defined names");
	List	   *files;
	PgmgGraph  *g;
	List	   *cycle;
	int		   *order;
	List	   *result = NIL;
	ListCell   *lc;
	ListCell   *dc;
	int			i;

	/* number files by path: a stable order among independent files */
	files = list_copy(ctx->exec);
	list_sort(files, compare_file_paths);
	i = 0;
	foreach(lc, files)
		((PgmgFile *) lfirst(lc))->order = i++;

	{
		List	   *path = fetch_search_path(true);

		foreach(lc, path)
			ctx->search_path = lappend(ctx->search_path,
									   get_namespace_name(lfirst_oid(lc)));
	}

	/* the names each file defines, by namespace: r(elation), t(ype), f(unction) */
	foreach(lc, files)
	{
		PgmgFile   *f = lfirst(lc);

		foreach(dc, f->defs)
		{
			PgmgDef    *d = lfirst(dc);
			const char *k = d->kind;

			if (strcmp(k, "view") == 0 || strcmp(k, "materialized_view") == 0)
			{
				str_put(names, psprintf("r:%s.%s", d->schema, d->name), f);
				str_put(names, psprintf("t:%s.%s", d->schema, d->name), f);
			}
			else if (strcmp(k, "type") == 0 || strcmp(k, "domain") == 0)
				str_put(names, psprintf("t:%s.%s", d->schema, d->name), f);
			else if (strcmp(k, "function") == 0 || strcmp(k, "procedure") == 0 ||
					 strcmp(k, "aggregate") == 0)
				str_put(names, psprintf("f:%s.%s", d->schema, d->name), f);
		}
	}

	g = pgmg_graph_create(list_length(files));
	foreach(lc, files)
	{
		PgmgFile   *f = lfirst(lc);
		bool		has_matview = false;

		foreach(dc, f->defs)
			if (strcmp(((PgmgDef *) lfirst(dc))->kind, "materialized_view") == 0)
				has_matview = true;

		foreach(dc, f->refs)
		{
			PgmgRef    *ref = lfirst(dc);
			PgmgFile   *dep;

			if (!ref->hard)
				continue;
			dep = resolve_ref(ctx, names, ref);
			if (dep == NULL)
				continue;
			pgmg_graph_add_edge(g, dep->order, f->order);

			/* a materialized view runs the functions it calls */
			if (has_matview && ref->kind == PGMG_REF_FUNCTION)
			{
				ListCell   *sc;

				foreach(sc, dep->refs)
				{
					PgmgFile   *inner = resolve_ref(ctx, names, lfirst(sc));

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
resolve_ref(PlanCtx *ctx, HTAB *names, PgmgRef *ref)
{
	char		prefix = ref->kind == PGMG_REF_RELATION ? 'r' :
		ref->kind == PGMG_REF_TYPE ? 't' : 'f';
	int			n = list_length(ref->names);
	const char *name = strVal(llast(ref->names));
	ListCell   *lc;

	if (n >= 2)
		return str_get(names, psprintf("%c:%s.%s", prefix,
									   strVal(list_nth(ref->names, n - 2)), name));

	foreach(lc, ctx->search_path)
	{
		const char *schema = lfirst(lc);
		PgmgFile   *f = str_get(names, psprintf("%c:%s.%s", prefix, schema, name));
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

/*
 * add_steps
 *		Turn the ordered drops and files into plan steps.
 */
static void
add_steps(PlanCtx *ctx, PgmgPlan *plan, List *drops, List *files)
{
	ListCell   *lc;

	foreach(lc, drops)
	{
		DropItem   *item = lfirst(lc);
		PgmgStep   *step = palloc0(sizeof(PgmgStep));
		PgmgSql    *sql = palloc0(sizeof(PgmgSql));

		step->action = PGMG_ACT_DROP;
		step->object = item->object;
		step->file = item->file;
		step->reason = item->reason;
		sql->text = pgmg_drop_statement(&item->addr);
		step->sql = list_make1(sql);
		plan->steps = lappend(plan->steps, step);
	}

	foreach(lc, files)
	{
		PgmgFile   *f = lfirst(lc);
		ListCell   *dc;

		foreach(dc, f->defs)
		{
			PgmgDef    *def = lfirst(dc);
			PgmgStep   *step = palloc0(sizeof(PgmgStep));
			ListCell   *sc;

			step->action = def->mode == PGMG_DEF_INPLACE ? PGMG_ACT_REPLACE : PGMG_ACT_CREATE;
			step->object = def->key;
			step->file = f->path;
			step->reason = def->reason;
			step->sql = list_copy(def->reset_sql);
			foreach(sc, def->group)
			{
				PgmgStmt   *stmt = lfirst(sc);

				if (stmt == def->stmt && def->mode == PGMG_DEF_INPLACE)
				{
					ListCell   *ic;

					foreach(ic, def->inplace_sql)
					{
						PgmgSql    *sql = palloc0(sizeof(PgmgSql));

						sql->text = lfirst(ic);
						sql->file = f;
						sql->location = stmt->location;
						step->sql = lappend(step->sql, sql);
					}
				}
				else
				{
					PgmgSql    *sql = palloc0(sizeof(PgmgSql));

					sql->text = stmt->text;
					sql->file = f;
					sql->location = stmt->location;
					step->sql = lappend(step->sql, sql);
				}
			}
			step->sql = list_concat(step->sql, def->restore_sql);
			plan->steps = lappend(plan->steps, step);
		}
	}
}

static int
compare_file_paths(const ListCell *a, const ListCell *b)
{
	return strcmp(((PgmgFile *) lfirst(a))->path, ((PgmgFile *) lfirst(b))->path);
}

static int
compare_strings(const ListCell *a, const ListCell *b)
{
	return strcmp((char *) lfirst(a), (char *) lfirst(b));
}

/* ---------------------------------------------------------------- maps */

static HTAB *
addr_map(const char *name)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(AddrKey);
	ctl.entrysize = sizeof(AddrEntry);
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static void *
addr_get(HTAB *h, const ObjectAddress *addr)
{
	AddrKey		key;
	AddrEntry  *e;

	key.classId = addr->classId;
	key.objectId = addr->objectId;
	e = hash_search(h, &key, HASH_FIND, NULL);
	return e ? e->value : NULL;
}

static void
addr_put(HTAB *h, const ObjectAddress *addr, void *value)
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

static HTAB *
str_map(const char *name)
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

static void *
str_get(HTAB *h, const char *key)
{
	StrEntry   *e = hash_search(h, &key, HASH_FIND, NULL);

	return e ? e->value : NULL;
}

static void
str_put(HTAB *h, const char *key, void *value)
{
	bool		found;
	StrEntry   *e = hash_search(h, &key, HASH_ENTER, &found);

	if (!found)
		e->key = pstrdup(key);
	e->value = value;
}
