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
 *		does not exist, or another kind of object that goes anyway holds
 *		its name), replaced in place (compatible function, plain trigger,
 *		enum with appended values) or dropped and recreated.
 *	 3. Everything dropped takes its dependents with it, found in pg_depend
 *		by the one walk (walk_dependents; views through their _RETURN
 *		rule): managed dependents are dropped and recreated from their
 *		files, which are then run too; anything else is refused by name
 *		before anything changes.  Never CASCADE.  Steps 2 and 3 feed each
 *		other through two work lists until neither grows (close_plan).
 *	 4. Drops run dependents first; files run in the topological order of
 *		what they define and reference (order.c).  Ties go by kind, then
 *		identity (drops) or path (files), never by OID or by where
 *		pg_depend keeps a row, so the same inputs give the same plan on
 *		every database.
 *	 5. Steps: drops, then each pending migration preceded by the files it
 *		needs (what it references, with what they need; order.c), then the
 *		other files.  Before that, every hard reference no file to run
 *		defines must exist and stay, or be made by a migration; all that do
 *		not are reported at once (check_references), and so is code needed
 *		before a migration that needs what the migration makes.
 *
 * What a replaced or recreated object keeps, and which function bodies
 * may not be replaced, is decided in keep.c.
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

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "access/twophase.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "parser/parse_type.h"
#include "storage/lock.h"
#include "utils/builtins.h"
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
	PgmgCause  *cause;			/* the reason as fields */
	int			rank;			/* of its kind: a tie-breaker */
	int			index;			/* node number in order_drops */
	bool		by_migration;	/* a migration's own DROP removes it */
} DropItem;

/* a dependent with the key it is sorted by */
typedef struct SortedDependent
{
	char	   *key;
	PgmgDependent *dep;
} SortedDependent;

/* what a walk over the dependents of a migration's target does */
typedef struct TargetWalk
{
	bool		breaking;		/* dependents cannot survive the change */
	bool		replaces;		/* the target is dropped, renamed or moved */
	const char *reason;			/* why its dependents are recreated */
	PgmgCause  *cause;			/* the same, as fields */
	PgmgTarget *parts;			/* or: only dependents of these parts of a
								 * relation (part_reason) */
	Oid			relid;			/* that relation */
	List	   *attnums;		/* int: parts->columns' numbers, or 0 */
	HTAB	   *checked;		/* addr: dependents whose whole-row and *
								 * use part_reason has looked at */
} TargetWalk;

/* a managed object that reads a column a migration renames */
typedef struct RenamedReader
{
	ObjectAddress object;
	Oid			relid;
	AttrNumber	attnum;
	PgmgColumnChange *change;
	PgmgTarget *target;
} RenamedReader;

typedef struct PlanCtx PlanCtx;

/* what walk_dependents does with each dependent of root */
typedef void (*DependentVisitor) (PlanCtx *ctx, const ObjectAddress *root,
								  PgmgDependent *d, void *arg);

struct PlanCtx
{
	PgmgFileSet *files;
	List	   *state;			/* PgmgStateObj * */
	HTAB	   *managed;		/* addr -> PgmgStateObj * */
	HTAB	   *foreign;		/* addr -> PgmgStateObj * of other projects */
	HTAB	   *state_files;	/* path -> List * of PgmgStateObj * */
	HTAB	   *code_files;		/* path -> PgmgFile * */
	HTAB	   *defs_by_addr;	/* addr -> PgmgDef * (files to run) */
	HTAB	   *defs_by_key;	/* key -> PgmgDef * (files to run) */
	HTAB	   *drop_set;		/* addr -> DropItem * */
	HTAB	   *replaced;		/* addr: relations pending migrations drop,
								 * rename or move */
	HTAB	   *gone;			/* addr -> char *: what pending migrations
								 * drop, rename or move, and which does */
	HTAB	   *scanned;		/* addr: parts of dropped objects scanned */
	List	   *drops;			/* DropItem *, in discovery order */
	List	   *drop_edges;		/* pairs (before, after) of DropItem * */
	List	   *queue;			/* DropItem * whose dependents are unscanned */
	List	   *pending;		/* PgmgFile * to run, not planned yet */
	List	   *exec;			/* PgmgFile * to run */
	List	   *forget;			/* char *, deleted files */
	bool		allow_out_of_order;
	List	   *migrations;		/* PgmgFile *, pending, to run now */
	PgmgFile   *pause;			/* pending no-transaction migration */
	List	   *target_relids;	/* Oid: relations the migrations alter */
	List	   *later;			/* PgmgFile *, pending after the pause */
	List	   *preserved_relids;	/* Oid: unmanaged views preserved */
	List	   *renamed_readers;	/* RenamedReader * */
};

static void load_state(PlanCtx *ctx);
static void plan_migrations(PlanCtx *ctx);
static void wrap_target(PlanCtx *ctx, const ObjectAddress *target, bool breaking,
						bool replaces, const char *reason, PgmgCause *cause);
static void wrap_parts(PlanCtx *ctx, const ObjectAddress *rel, PgmgTarget *t);
static const char *part_reason(PlanCtx *ctx, TargetWalk *walk, PgmgDependent *d,
							   PgmgCause **cause);
static PgmgCause *migration_cause(const char *kind, const char *object,
								  PgmgTarget *t, const char *change);
static const char *target_verb(PgmgTarget *t);
static char *relation_object_name(Oid relid);
static void check_renamed_readers(PlanCtx *ctx);
static bool migration_takes_managed(PlanCtx *ctx, PgmgFile *migration,
									PgmgTarget *t, const ObjectAddress *addr);
static void preserve(PlanCtx *ctx, const ObjectAddress *addr, const char *reason,
					 PgmgCause *cause);
static bool is_view(const ObjectAddress *addr);
static void warn_lock_table(PgmgPlan *plan);
static int	drop_locks(const ObjectAddress *addr);
static int	locks_of(PgmgDef *def, PgmgAction action, List **types);
static char *drift_detail(PgmgStateObj *obj);
static PgmgStatusRow *status_row(const char *kind, const char *name,
								 const char *file, const char *state);
static void classify_files(PlanCtx *ctx);
static void schedule_changed_files(PlanCtx *ctx);
static void schedule_file(PlanCtx *ctx, PgmgFile *file, const char *reason,
						  PgmgCause *cause);
static void recreate_def(PlanCtx *ctx, PgmgDef *def, const char *reason);
static void take_name(PlanCtx *ctx, PgmgDef *def);
static DropItem *add_drop(PlanCtx *ctx, const ObjectAddress *addr,
						  const char *file, const char *reason, PgmgCause *cause);
static void close_plan(PlanCtx *ctx);
static bool recheck_replaced_views(PlanCtx *ctx);
static List *inplace_defs(PlanCtx *ctx);
static void refresh_stale_matviews(PlanCtx *ctx);
static bool adds_enum_labels(PgmgFile *f);
static void split_for_enum_labels(PlanCtx *ctx, PgmgPlan *plan);
static void plan_file(PlanCtx *ctx, PgmgFile *file);
static void check_requires(PlanCtx *ctx, PgmgFile *file);
static bool definition_unchanged(PgmgDef *def);
static void check_references(PlanCtx *ctx, List *unresolved);
static List *stale_records(PlanCtx *ctx);
static void check_needed_code(PlanCtx *ctx, List *unresolved);
static const char *created_from(PlanCtx *ctx, List *creations, int i,
								const char *key);
static const char *missing_reason(PlanCtx *ctx, PgmgFile *file, PgmgRef *ref,
								  HTAB *created);
static void visit_drop_dependent(PlanCtx *ctx, const ObjectAddress *root,
								 PgmgDependent *d, void *arg);
static void visit_target_dependent(PlanCtx *ctx, const ObjectAddress *target,
								   PgmgDependent *d, void *arg);
static void walk_dependents(PlanCtx *ctx, const ObjectAddress *root, HTAB *seen,
							DependentVisitor visit, void *arg);
static void refuse_dependent(DropItem *top, PgmgDependent *dep);
static List *order_drops(PlanCtx *ctx);
static int	compare_drops(const ListCell *a, const ListCell *b);
static List *sort_dependents(List *deps);
static int	compare_dependents(const void *a, const void *b);
static void add_steps(PlanCtx *ctx, PgmgPlan *plan, List *drops, List *files);
static void add_later_steps(PlanCtx *ctx, PgmgPlan *plan);
static void add_file_steps(PgmgPlan *plan, PgmgFile *f, const char *for_migration);
static void note_insertion(PgmgSql *sql, const char *written);

/*
 * pgmg_make_plan
 *		Compute the plan for a file set.  Reads only.
 */
PgmgPlan *
pgmg_make_plan(PgmgFileSet *files, bool allow_out_of_order)
{
	PlanCtx		ctx;
	PgmgPlan   *plan = palloc0(sizeof(PgmgPlan));
	List	   *drops;
	List	   *order;
	List	   *unresolved = NIL;

	memset(&ctx, 0, sizeof(ctx));
	ctx.files = files;
	ctx.allow_out_of_order = allow_out_of_order;
	plan->files = files;

	if (!files->has_code && !files->has_migrations)
		return plan;

	load_state(&ctx);
	if (files->has_code)
		classify_files(&ctx);
	if (files->has_migrations)
		plan_migrations(&ctx);
	if (files->has_code)
		schedule_changed_files(&ctx);
	close_plan(&ctx);
	while (recheck_replaced_views(&ctx))
		close_plan(&ctx);
	check_renamed_readers(&ctx);
	refresh_stale_matviews(&ctx);

	drops = order_drops(&ctx);
	order = pgmg_order_files(ctx.exec, ctx.migrations, &unresolved);
	check_references(&ctx, unresolved);
	check_needed_code(&ctx, unresolved);
	add_steps(&ctx, plan, drops, order);
	plan->exec_files = NIL;
	{
		ListCell   *lc;

		foreach(lc, order)
			if (!((PgmgFile *) lfirst(lc))->preserved)
				plan->exec_files = lappend(plan->exec_files, lfirst(lc));
	}
	plan->forget_files = ctx.forget;
	plan->refresh = stale_records(&ctx);
	plan->lock_relids = ctx.target_relids;
	plan->preserved_relids = ctx.preserved_relids;
	{
		ListCell   *lc;

		foreach(lc, drops)
		{
			DropItem   *d = lfirst(lc);

			/* a relation both dropped and migrated may appear twice */
			if (d->addr.classId == RelationRelationId)
				plan->lock_relids = lappend_oid(plan->lock_relids, d->addr.objectId);
		}
	}
	split_for_enum_labels(&ctx, plan);
	warn_lock_table(plan);
	return plan;
}

/*
 * pgmg_status
 *		What the database holds compared with the files: one PgmgStatusRow
 *		per applied or pending migration (applied, pending, changed,
 *		missing) and per managed object or new code file (ok, modified,
 *		missing, drift, deleted, new).  A group left out of the file set is
 *		reported from the state alone.  Reads only.
 */
List *
pgmg_status(PgmgFileSet *files)
{
	List	   *rows = NIL;
	PlanCtx		ctx;
	ListCell   *lc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.files = files;
	load_state(&ctx);

	{
		HTAB	   *applied = pgmg_str_map("pgmg status migrations");

		foreach(lc, pgmg_load_migrations())
		{
			PgmgMigrationRow *m = lfirst(lc);
			PgmgFile   *f = NULL;
			ListCell   *fc;

			foreach(fc, files->migrations)
				if (strcmp(((PgmgFile *) lfirst(fc))->path, m->name) == 0)
					f = lfirst(fc);
			pgmg_str_put(applied, m->name, m);
			rows = lappend(rows, status_row("migration", m->name, m->name,
											m->started ? "started" :
											!files->has_migrations ? "applied" :
											f == NULL ? "missing" :
											!pgmg_file_matches(f, m->checksum, m->legacy_hash) ? "changed" :
											"applied"));
		}
		foreach(lc, files->migrations)
		{
			PgmgFile   *f = lfirst(lc);

			if (!pgmg_str_get(applied, f->path))
				rows = lappend(rows, status_row("migration", f->path, f->path, "pending"));
		}
	}

	foreach(lc, ctx.state)
	{
		PgmgStateObj *obj = lfirst(lc);
		PgmgFile   *f = pgmg_str_get(ctx.code_files, obj->file);
		const char *state;

		if (files->has_code && f == NULL)
			state = "deleted";
		else if (f && !pgmg_file_matches(f, obj->hash, obj->legacy_hash))
			state = "modified";
		else if (!OidIsValid(obj->addr.objectId))
			state = "missing";
		else if (pgmg_drifted(obj))
			state = "drift";
		else
			state = "ok";
		rows = lappend(rows, status_row("object", obj->object_name, obj->file, state));
		if (strcmp(state, "drift") == 0)
			((PgmgStatusRow *) llast(rows))->detail = drift_detail(obj);
	}
	foreach(lc, files->code)
	{
		PgmgFile   *f = lfirst(lc);

		if (!pgmg_str_get(ctx.state_files, f->path))
			rows = lappend(rows, status_row("file", f->path, f->path, "new"));
	}
	return rows;
}

/*
 * drift_detail
 *		What changed in a drifted object: the first line where its
 *		definition differs from the one recorded with it.
 */
static char *
drift_detail(PgmgStateObj *obj)
{
	char	   *recorded = pgmg_recorded_definition(obj->object_name);
	char	   *now = pgmg_definition(&obj->addr, false);
	char	   *r;
	char	   *n;
	int			line = 1;

	if (recorded == NULL)
		return "changed since it was recorded (by a pgmg that kept no definitions)";
	for (r = recorded, n = now; *r && *r == *n; r++, n++)
		if (*r == '\n')
			line++;
	/* back to the start of the line that differs */
	while (r > recorded && r[-1] != '\n')
	{
		r--;
		n--;
	}
	return psprintf("line %d of its definition was \"%s\", is \"%s\"", line,
					pnstrdup(r, strcspn(r, "\n")), pnstrdup(n, strcspn(n, "\n")));
}

static PgmgStatusRow *
status_row(const char *kind, const char *name, const char *file,
		   const char *state)
{
	PgmgStatusRow *row = palloc0(sizeof(PgmgStatusRow));

	row->kind = kind;
	row->name = name;
	row->file = file;
	row->state = state;
	return row;
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
		case PGMG_ACT_MIGRATE:
			return "migrate";
		case PGMG_ACT_RESTORE:
			return "restore";
		case PGMG_ACT_KEEP:
			return "keep";
		case PGMG_ACT_PAUSE:
			return "pause";
		case PGMG_ACT_LATER:
			return "later";
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
	List	   *all;
	ListCell   *lc;

	ctx->managed = pgmg_addr_map("pgmg managed objects");
	ctx->state_files = pgmg_str_map("pgmg state files");
	ctx->code_files = pgmg_str_map("pgmg code files");
	ctx->defs_by_addr = pgmg_addr_map("pgmg definitions");
	ctx->defs_by_key = pgmg_str_map("pgmg definition keys");
	ctx->drop_set = pgmg_addr_map("pgmg drops");
	ctx->replaced = pgmg_addr_map("pgmg replaced relations");
	ctx->gone = pgmg_addr_map("pgmg objects migrations remove");
	ctx->scanned = pgmg_addr_map("pgmg scanned");

	ctx->foreign = pgmg_addr_map("pgmg other projects' objects");
	ctx->state = NIL;
	all = pgmg_load_state();
	/* rows whose objects are as recorded, resolved together */
	pgmg_resolve_recorded(all);
	foreach(lc, all)
	{
		PgmgStateObj *obj = lfirst(lc);
		bool		found = obj->version_matches ||
			pgmg_resolve(obj->kind, obj->names, obj->args, &obj->addr);
		List	   *rows;

		/* another project's object: never ours to drop or take */
		if (strcmp(obj->project, pgmg_project) != 0)
		{
			if (found)
				pgmg_addr_put(ctx->foreign, &obj->addr, obj);
			continue;
		}
		ctx->state = lappend(ctx->state, obj);
		rows = pgmg_str_get(ctx->state_files, obj->file);
		if (found)
			pgmg_addr_put(ctx->managed, &obj->addr, obj);
		else
			obj->addr.objectId = InvalidOid;
		pgmg_str_put(ctx->state_files, obj->file, lappend(rows, obj));
	}
	foreach(lc, ctx->files->code)
	{
		PgmgFile   *f = lfirst(lc);

		pgmg_str_put(ctx->code_files, f->path, f);
	}
}

/*
 * classify_files
 *		New, modified, drifted, unchanged and deleted files; drop what
 *		deleted files made.
 */
static void
classify_files(PlanCtx *ctx)
{
	ListCell   *lc;
	List	   *deleted = NIL;

	foreach(lc, ctx->files->code)
	{
		PgmgFile   *f = lfirst(lc);
		List	   *rows = pgmg_str_get(ctx->state_files, f->path);
		ListCell   *rc;
		char	   *reason = NULL;
		PgmgCause  *cause = NULL;

		f->status = PGMG_FILE_UNCHANGED;
		if (rows == NIL)
		{
			f->status = PGMG_FILE_NEW;
			reason = "new";
			cause = pgmg_cause("new", NULL);
		}
		foreach(rc, rows)
		{
			PgmgStateObj *obj = lfirst(rc);

			if (!pgmg_file_matches(f, obj->hash, obj->legacy_hash))
			{
				f->status = PGMG_FILE_MODIFIED;
				reason = "modified";
				cause = pgmg_cause("modified", NULL);
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
				else if (pgmg_drifted(obj))
					reason = psprintf("drift: %s was changed outside pgmg",
									  obj->object_name);
				else
					continue;
				f->status = PGMG_FILE_DRIFT;
				cause = pgmg_cause("drift", obj->object_name);
				break;
			}
		}
		if (f->status != PGMG_FILE_UNCHANGED)
		{
			f->reason = reason;
			f->cause = cause;
		}
	}

	/* files in the state but not in the set were deleted */
	foreach(lc, pgmg_str_keys(ctx->state_files))
		if (pgmg_str_get(ctx->code_files, lfirst(lc)) == NULL)
			deleted = lappend(deleted, lfirst(lc));
	list_sort(deleted, pgmg_compare_cstrings);
	foreach(lc, deleted)
	{
		char	   *path = lfirst(lc);
		ListCell   *rc;

		ctx->forget = lappend(ctx->forget, path);
		foreach(rc, (List *) pgmg_str_get(ctx->state_files, path))
		{
			PgmgStateObj *obj = lfirst(rc);

			if (!OidIsValid(obj->addr.objectId))
				continue;

			/*
			 * Drop only what pgmg made: a state row anyone with write
			 * access to pgmg.pgmg_state could have inserted must not make
			 * an apply drop another object of that name.
			 */
			if (pgmg_drifted(obj))
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("refusing to drop %s: it is not the object pgmg recorded for the deleted file \"%s\"",
								obj->object_name, path),
						 errdetail("Its catalog definition does not match the fingerprint recorded in pgmg.pgmg_state: it was changed outside pgmg, or the state row was not written by pgmg."),
						 errhint("If it should go, drop it yourself and apply again (pgmg then forgets it); if it should stay, restore the file or delete its row from pgmg.pgmg_state.")));
			add_drop(ctx, &obj->addr, path,
					 psprintf("file %s was deleted", path), pgmg_cause("deleted", NULL));
		}
	}

}

/*
 * schedule_changed_files
 *		Run new, modified and drifted files.
 *
 * While a no-transaction migration is pending, code may depend on it or on
 * the migrations after it: only what the migrations before it drop is
 * recreated now; the rest waits for the next apply.
 */
static void
schedule_changed_files(PlanCtx *ctx)
{
	ListCell   *lc;

	if (ctx->pause)
		return;
	foreach(lc, ctx->files->code)
	{
		PgmgFile   *f = lfirst(lc);

		if (f->status != PGMG_FILE_UNCHANGED)
			schedule_file(ctx, f, f->reason, f->cause);
	}
}

/*
 * schedule_file
 *		Run a file in this plan (once): it joins the files to run and waits
 *		in ctx->pending for plan_file.
 */
static void
schedule_file(PlanCtx *ctx, PgmgFile *file, const char *reason, PgmgCause *cause)
{
	if (file->in_exec)
		return;
	file->in_exec = true;
	if (file->reason == NULL)
	{
		file->reason = pstrdup(reason);
		file->cause = cause;
	}
	if (file->status == PGMG_FILE_UNCHANGED)
		file->status = PGMG_FILE_DEPENDENT;
	ctx->exec = lappend(ctx->exec, file);
	ctx->pending = lappend(ctx->pending, file);
}

/*
 * plan_file
 *		Decide, for each object a file to run defines, whether it is
 *		created, replaced in place or dropped and recreated; drop what the
 *		file made before and does not define any more.
 */
static void
plan_file(PlanCtx *ctx, PgmgFile *file)
{
	ListCell   *lc;
	List	   *kept = NIL;

	pgmg_parse_file(file);
	check_requires(ctx, file);

	foreach(lc, file->defs)
	{
		PgmgDef    *def = lfirst(lc);
		PgmgDef    *other;

		def->reason = file->reason;
		def->cause = file->cause;
		if (pgmg_find(def->ident, &def->addr) == PGMG_OTHER_KIND)
			take_name(ctx, def);
		if (OidIsValid(def->addr.objectId))
		{
			PgmgStateObj *theirs = pgmg_addr_get(ctx->foreign, &def->addr);

			def->key = pgmg_object_name(&def->addr);
			if (theirs)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("%s, defined in \"%s\", is managed by project \"%s\"",
								def->key, file->path, theirs->project),
						 errdetail("Project \"%s\" manages it from its file \"%s\"; this is project \"%s\".",
								   theirs->project, theirs->file, pgmg_project),
						 errhint("Each object belongs to one project: remove the file from one of them.")));
			def->managed = pgmg_addr_get(ctx->managed, &def->addr);
			kept = lappend(kept, &def->addr);
			if (def->managed == NULL)
			{
				def->reason = "adopt";
				def->cause = pgmg_cause("adopt", NULL);
			}
			else if (strcmp(def->managed->file, file->path) != 0)
			{
				PgmgFile   *owner = pgmg_str_get(ctx->code_files, def->managed->file);

				/* defined by another file that still exists and is unchanged */
				if (owner && owner->status != PGMG_FILE_MODIFIED)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_OBJECT),
							 errmsg("%s is defined in both \"%s\" and \"%s\"",
									def->key, owner->path, file->path),
							 errhint("Keep each object in exactly one code file.")));
			}
		}

		other = pgmg_str_get(ctx->defs_by_key, def->key);
		if (other)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("%s is defined in both \"%s\" and \"%s\"",
							def->key, other->file->path, file->path),
					 errdetail("Line %d of \"%s\" and line %d of \"%s\".",
							   other->stmt->line, other->file->path,
							   def->stmt->line, file->path),
					 errhint("Keep each object in exactly one code file.")));
		pgmg_str_put(ctx->defs_by_key, def->key, def);

		if (!OidIsValid(def->addr.objectId))
		{
			def->mode = PGMG_DEF_CREATE;
			continue;
		}
		pgmg_addr_put(ctx->defs_by_addr, &def->addr, def);
		if (pgmg_addr_get(ctx->drop_set, &def->addr))
			recreate_def(ctx, def, NULL);
		else if (definition_unchanged(def) ||
				 pgmg_def_replaceable(def, &def->inplace_sql))
		{
			const char *old = def->managed ? def->managed->decorations : "";

			/* the file's statements set again what its old version set */
			def->mode = PGMG_DEF_INPLACE;
			if (def->addr.classId == ProcedureRelationId && def->inplace_sql != NIL)
				pgmg_refuse_stale_results(def);
			def->reset_sql = pgmg_reset_statements(&def->addr,
												   strchr(old, 'a') != NULL,
												   strchr(old, 'c') != NULL);

			/*
			 * CREATE OR REPLACE VIEW sets the options the statement gives:
			 * those set by hand are set again.
			 */
			if (def->kind->objtype == OBJECT_VIEW && def->inplace_sql != NIL &&
				!file->sets_options && !strchr(old, 'r'))
				def->restore_sql = pgmg_restore_statements(&def->addr, false, false,
														   false, false, true);
		}
		else
		{
			if (def->not_replaced)
				def->reason = psprintf("%s; recreated: %s", def->reason, def->not_replaced);
			recreate_def(ctx, def, def->reason);
		}
	}

	/* objects the file made before but does not define any more */
	foreach(lc, (List *) pgmg_str_get(ctx->state_files, file->path))
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
					 psprintf("no longer defined in %s", file->path),
					 pgmg_cause("no_longer_defined", NULL));
	}
}

/*
 * definition_unchanged
 *		Is the existing object of def already what its statement would make
 *		it?  A view, materialized view, composite type or domain: compared
 *		by canonical definition; the kinds printed.c prints: when the
 *		statement has the tokens of a printed form of the object (a file
 *		that pgmg import wrote, or one split from pg_dump's output).  Then
 *		it is kept: neither dropped nor
 *		recreated (its dependents untouched, a materialized view's data
 *		kept); only the file's decorations run, and its indexes (each named)
 *		are made again.
 */
static bool
definition_unchanged(PgmgDef *def)
{
	char	   *would;
	List	   *forms;
	ListCell   *lc;

	/* a kind that is printed: the file holds one of its printed forms */
	forms = pgmg_printed_forms(&def->addr);
	foreach(lc, forms)
		if (pgmg_same_statement(lfirst(lc), def->stmt->text))
			return true;
	if (forms != NIL)
		return false;

	if (def->kind->objtype != OBJECT_VIEW && def->kind->objtype != OBJECT_MATVIEW &&
		!IsA(def->stmt->parsetree, CompositeTypeStmt) &&
		!IsA(def->stmt->parsetree, CreateDomainStmt))
		return false;
	/* a kept materialized view's indexes are made again by name */
	foreach(lc, def->group)
	{
		Node	   *n = ((PgmgStmt *) lfirst(lc))->parsetree;

		if (IsA(n, IndexStmt) && ((IndexStmt *) n)->idxname == NULL)
			return false;
	}
	would = pgmg_would_define(def->stmt->parsetree, def->stmt->text,
							  pgmg_object_kind(&def->addr), def->addr.objectId);
	return would && strcmp(would, pgmg_definition(&def->addr, false)) == 0;
}

/*
 * check_requires
 *		Each path a file's "-- pgmg:requires" lines name must be another
 *		code file of the project.
 */
static void
check_requires(PlanCtx *ctx, PgmgFile *file)
{
	ListCell   *lc;
	ListCell   *nc;

	forboth(lc, file->requires, nc, file->requires_lines)
	{
		const char *path = lfirst(lc);

		if (strcmp(path, file->path) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("code file \"%s\" requires itself (line %d)",
							file->path, lfirst_int(nc))));
		if (pgmg_str_get(ctx->code_files, path) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("code file \"%s\" requires \"%s\", which is not a code file of this project (line %d)",
							file->path, path, lfirst_int(nc)),
					 errhint("Paths are relative to the code directory, as in the plan: \"-- pgmg:requires views/base.sql\".")));
	}
}

/*
 * check_references
 *		Every hard reference of a file to run that no file to run defines
 *		must name an object that exists and that the plan and its
 *		migrations leave in place, or one a migration creates.  Reports all
 *		that do not in one error, before anything runs.  When a pending
 *		migration does what its parse trees do not tell (DO, CALL, CREATE
 *		EXTENSION, ...) nothing can be said about what will exist, and
 *		nothing is reported; nor when pgmg.check_references is off.
 */
static void
check_references(PlanCtx *ctx, List *unresolved)
{
	HTAB	   *created = pgmg_str_map("pgmg names migrations create");
	List	   *pending = list_concat(list_copy(ctx->migrations), ctx->later);
	StringInfoData detail;
	PgmgUnresolved *first = NULL;
	const char *first_why = NULL;
	int			n = 0;
	ListCell   *lc;

	if (!pgmg_check_references)
		return;
	if (ctx->pause)
		pending = lappend(pending, ctx->pause);
	foreach(lc, pending)
		if (!pgmg_migration_creates(lfirst(lc), created))
			return;

	initStringInfo(&detail);
	foreach(lc, unresolved)
	{
		PgmgUnresolved *u = lfirst(lc);
		const char *why;

		if (u->file->preserved)
			continue;
		why = missing_reason(ctx, u->file, u->ref, created);
		if (why == NULL)
			continue;
		if (first == NULL)
		{
			first = u;
			first_why = why;
		}
		appendStringInfo(&detail, "%s\"%s\" line %d: %s \"%s\" %s.",
						 n > 0 ? "\n" : "", u->file->path,
						 pgmg_line_of(u->file->content, u->ref->location),
						 pgmg_ref_kind_name(u->ref->kind),
						 NameListToString(u->ref->names), why);
		n++;
	}
	if (n == 0)
		return;
	ereport(ERROR,
			(errcode(first->ref->kind == PGMG_REF_RELATION ? ERRCODE_UNDEFINED_TABLE :
					 first->ref->kind == PGMG_REF_FUNCTION ? ERRCODE_UNDEFINED_FUNCTION :
					 ERRCODE_UNDEFINED_OBJECT),
			 n == 1 ?
			 errmsg("code file \"%s\" references %s \"%s\", which %s (line %d)",
					first->file->path, pgmg_ref_kind_name(first->ref->kind),
					NameListToString(first->ref->names), first_why,
					pgmg_line_of(first->file->content, first->ref->location)) :
			 errmsg("%d references in code files name objects that will not exist when they run", n),
			 n == 1 ? 0 : errdetail_internal("%s", detail.data),
			 errhint("Define what is referenced in a code file or a migration, or change what references it; nothing was changed.")));
}

/*
 * stale_records
 *		The state rows found equal to their objects though recorded from
 *		other catalog rows (a restored or upgraded copy) or the old way, of
 *		files that do not run: apply rewrites them, so the next plan finds
 *		them unchanged without comparing definitions.
 */
static List *
stale_records(PlanCtx *ctx)
{
	HTAB	   *running = pgmg_str_map("pgmg files to run");
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, ctx->exec)
		pgmg_str_put(running, ((PgmgFile *) lfirst(lc))->path, lfirst(lc));
	foreach(lc, ctx->state)
	{
		PgmgStateObj *obj = lfirst(lc);

		if (obj->refresh && !obj->dropping && OidIsValid(obj->addr.objectId) &&
			pgmg_str_get(running, obj->file) == NULL)
			result = lappend(result, obj);
	}
	return result;
}

/*
 * check_needed_code
 *		Code created before a migration that needs it must not need what
 *		that migration, or a later one, creates: that is a cycle, reported
 *		naming the migrations, the file and the object.
 */
static void
check_needed_code(PlanCtx *ctx, List *unresolved)
{
	List	   *creations = NIL;
	ListCell   *mc;
	ListCell   *uc;
	int			i;

	/* per migration: the names it creates; NULL when that cannot be known */
	foreach(mc, ctx->migrations)
	{
		HTAB	   *created = pgmg_str_map("pgmg names a migration creates");

		creations = lappend(creations,
							pgmg_migration_creates(lfirst(mc), created) ? created : NULL);
	}

	i = 0;
	foreach(mc, ctx->migrations)
	{
		PgmgFile   *m = lfirst(mc);
		ListCell   *fc;

		/* the schemas a needed file creates its objects in */
		foreach(fc, m->needs)
		{
			PgmgFile   *f = lfirst(fc);
			ListCell   *dc;

			foreach(dc, f->defs)
			{
				PgmgDef    *def = lfirst(dc);
				const char *creator;

				if (def->schema == NULL || def->schema[0] == '\0' ||
					OidIsValid(get_namespace_oid(def->schema, true)))
					continue;
				creator = created_from(ctx, creations, i, psprintf("s:%s", def->schema));
				if (creator)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
							 errmsg("migration \"%s\" needs code file \"%s\", whose schema \"%s\" migration \"%s\" creates",
									m->path, f->path, def->schema, creator),
							 errdetail("Code a migration uses (column types, defaults, constraints, index expressions, what it queries or calls) is created before it, and its schema must exist by then."),
							 errhint("Create schema \"%s\" in a migration of its own that runs first.",
									 def->schema)));
			}
		}

		foreach(uc, unresolved)
		{
			PgmgUnresolved *u = lfirst(uc);
			const char *creator;

			if (!list_member_ptr(m->needs, u->file))
				continue;
			creator = created_from(ctx, creations, i, pgmg_created_key(u->ref));
			if (creator && pgmg_ref_lookup(u->ref) == NIL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("migration \"%s\" needs code file \"%s\", which needs %s \"%s\" that migration \"%s\" creates",
								m->path, u->file->path, pgmg_ref_kind_name(u->ref->kind),
								NameListToString(u->ref->names), creator),
						 errdetail("Code a migration uses (column types, defaults, constraints, index expressions, what it queries or calls) is created before it; this code needs what the migration makes (line %d of \"%s\"), so neither can go first.",
								   pgmg_line_of(u->file->content, u->ref->location),
								   u->file->path),
						 errhint("Create what the code needs in an earlier migration, or move the object into the migration.")));
		}
		i++;
	}
}

/*
 * created_from
 *		The first of the pending migrations from the i-th on that creates
 *		key (as pgmg_migration_creates names it), or NULL.
 */
static const char *
created_from(PlanCtx *ctx, List *creations, int i, const char *key)
{
	int			j;

	for (j = i; j < list_length(ctx->migrations); j++)
	{
		HTAB	   *created = list_nth(creations, j);

		if (created && pgmg_str_get(created, key))
			return ((PgmgFile *) list_nth(ctx->migrations, j))->path;
	}
	return NULL;
}

/*
 * missing_reason
 *		Why what ref (of file) names, which no file to run defines, will
 *		not exist when the file runs, or NULL when it will.
 */
static const char *
missing_reason(PlanCtx *ctx, PgmgFile *file, PgmgRef *ref, HTAB *created)
{
	List	   *found;
	const char *why = NULL;
	ListCell   *lc;

	if (pgmg_str_get(created, pgmg_created_key(ref)))
		return NULL;
	found = pgmg_ref_lookup(ref);
	if (found == NIL && ref->column_of)
		foreach(lc, file->range_names)
			if (strcmp(lfirst(lc), ref->column_of) == 0)
				return NULL;	/* x.f written f(x): a column */
	if (found == NIL)
		return "does not exist, and no code file or pending migration creates it";

	/* one function of that name that stays is enough */
	foreach(lc, found)
	{
		ObjectAddress *addr = lfirst(lc);
		DropItem   *item = pgmg_addr_get(ctx->drop_set, addr);
		const char *gone = pgmg_addr_get(ctx->gone, addr);

		if (item)
			why = psprintf("is dropped by this plan (%s)", item->reason);
		else if (gone)
			why = psprintf("will not exist: %s", gone);
		else
			return NULL;
	}
	return why;
}

/*
 * take_name
 *		The name def defines is held by an object of another kind.  That is
 *		a change of kind, planned as a drop and a create, when the old object
 *		goes anyway: a pending migration drops, renames or moves it (a table
 *		renamed and replaced by a view of its old name), or it is this
 *		project's and its file now defines something else or is gone (a view
 *		turned into a materialized view, a function into a procedure); the
 *		drop itself is planned where the file's or the deleted file's old
 *		objects are.  Anything else is an error naming the file.
 */
static void
take_name(PlanCtx *ctx, PgmgDef *def)
{
	PgmgStateObj *managed = pgmg_addr_get(ctx->managed, &def->addr);

	if (!pgmg_addr_get(ctx->replaced, &def->addr) &&
		!(managed && (strcmp(managed->file, def->file->path) == 0 ||
					  pgmg_str_get(ctx->code_files, managed->file) == NULL)))
		pgmg_refuse_other_kind(def, &def->addr);
	def->reason = psprintf("%s (was %s)", def->reason, pgmg_object_kind(&def->addr));
	def->addr.objectId = InvalidOid;
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
											   !def->file->sets_owner && !strchr(old, 'o'),
											   !def->file->sets_options && !strchr(old, 'r'));
	pgmg_keep_populated(def);
	pgmg_keep_attached(def);
	if (reason)
		add_drop(ctx, &def->addr, def->file->path, reason, def->cause);
}

/*
 * add_drop
 *		Put an object in the drop set (once) and queue it for the dependent
 *		scan.  A managed object's file is scheduled to run, so that the
 *		object comes back.
 */
static DropItem *
add_drop(PlanCtx *ctx, const ObjectAddress *addr, const char *file,
		 const char *reason, PgmgCause *cause)
{
	DropItem   *item = pgmg_addr_get(ctx->drop_set, addr);
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
	item->cause = cause;
	item->rank = pgmg_kind_rank(pgmg_kind_of(addr));
	ctx->drops = lappend(ctx->drops, item);
	pgmg_addr_put(ctx->drop_set, addr, item);

	ctx->queue = lappend(ctx->queue, item);

	/* bring it back from its file, unless that file is gone */
	managed = pgmg_addr_get(ctx->managed, addr);
	if (managed && !ctx->files->has_code)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be dropped and recreated (%s), but the code group was not passed",
						item->object, reason),
				 errhint("Pass the code directory too (--code-dir), so that pgmg can recreate it from its file.")));
	if (managed)
	{
		PgmgFile   *f = pgmg_str_get(ctx->code_files, managed->file);

		if (f && !f->in_exec)
			schedule_file(ctx, f, reason, cause);
	}
	def = pgmg_addr_get(ctx->defs_by_addr, addr);
	if (def && def->mode != PGMG_DEF_RECREATE)
		recreate_def(ctx, def, NULL);
	return item;
}

/*
 * plan_migrations
 *		Check applied migrations against their files, pick the pending ones
 *		(numeric-aware name order), and put what they alter, rename or drop
 *		under wrapping.  Stops at the first no-transaction migration.
 */
static void
plan_migrations(PlanCtx *ctx)
{
	List	   *applied = pgmg_load_migrations();
	HTAB	   *by_name = pgmg_str_map("pgmg applied migrations");
	HTAB	   *files = pgmg_str_map("pgmg migration files");
	HTAB	   *gone = pgmg_str_map("pgmg migrations without files");
	HTAB	   *gone_legacy = pgmg_str_map("pgmg 0.1 migrations without files");
	const char *newest = NULL;
	ListCell   *lc;

	foreach(lc, ctx->files->migrations)
		pgmg_str_put(files, ((PgmgFile *) lfirst(lc))->path, lfirst(lc));

	foreach(lc, applied)
	{
		PgmgMigrationRow *row = lfirst(lc);
		PgmgFile   *f = pgmg_str_get(files, row->name);

		pgmg_str_put(by_name, row->name, row);
		if (row->started)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("migration \"%s\" was started outside a transaction and never recorded as finished",
							row->name),
					 errdetail("%s began it at %s (-- pgmg:no-transaction); the client died, or the migration failed, before it was recorded, so it may have run in part.",
							   row->applied_by, row->applied_at),
					 errhint("Check what it did. If it ran to the end, run pgmg repair %s --applied (SELECT pgmg.repair('%s', 'applied')); if it did nothing, or you undid it, run pgmg repair %s --forget and it runs again.",
							 row->name, row->name, row->name)));
		if (newest == NULL || pgmg_compare_names(row->name, newest) > 0)
			newest = row->name;
		if (f == NULL)
		{
			ereport(WARNING,
					(errmsg("applied migration \"%s\" is not in the migrations directory",
							row->name),
					 errdetail("pgmg.pgmg_migrations records it as applied."),
					 errhint("If it was deleted on purpose, pgmg repair %s --forget --reason=TEXT forgets it.",
							 row->name)));
			pgmg_str_put(row->legacy_hash ? gone_legacy : gone, row->checksum, row);
		}
		else if (!pgmg_file_matches(f, row->checksum, row->legacy_hash))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("applied migration \"%s\" has changed since it was applied", row->name),
					 errdetail("Recorded checksum %s; the file's checksum is now %s.",
							   row->checksum, f->hash),
					 errhint("Never edit an applied migration: restore it and add a new one. Line endings, a byte order mark and trailing whitespace outside string literals do not count as changes. If the edit changes nothing that ran (a comment, say), record the new checksum: pgmg repair %s --accept --reason=TEXT.",
							 row->name)));
	}

	foreach(lc, ctx->files->migrations)
	{
		PgmgFile   *f = lfirst(lc);
		ListCell   *tc;

		if (pgmg_str_get(by_name, f->path))
			continue;
		pgmg_parse_migration(f);
		if (f->stmts == NIL)
		{
			/* recorded, it could never be written: it would have changed */
			ereport(WARNING,
					(errcode(ERRCODE_WARNING),
					 errmsg("migration \"%s\" has no statements: it is not applied and not recorded",
							f->path),
					 errhint("Write its statements, or delete it.")));
			continue;
		}
		if (pgmg_str_get(gone, f->hash) ||
			(hash_get_num_entries(gone_legacy) > 0 &&
			 pgmg_str_get(gone_legacy, pgmg_legacy_hash(f))))
		{
			PgmgMigrationRow *was = pgmg_str_get(gone, f->hash) ?
				pgmg_str_get(gone, f->hash) : pgmg_str_get(gone_legacy, pgmg_legacy_hash(f));

			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("pending migration \"%s\" is applied migration \"%s\" renamed",
							f->path, was->name),
					 errdetail("Its checksum %s is that of \"%s\", which was applied and whose file is gone; running it would run the same migration twice.",
							   f->hash, was->name),
					 errhint("Rename it back to \"%s\". If it is a new migration that happens to be identical, make it differ (a comment will do).",
							 was->name)));
		}
		if (newest && pgmg_compare_names(f->path, newest) < 0 && !ctx->allow_out_of_order)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pending migration \"%s\" sorts before the newest applied migration \"%s\"",
							f->path, newest),
					 errhint("Rename it to sort after \"%s\", or allow out-of-order migrations (allow_out_of_order => true, pgmg apply --allow-out-of-order).",
							 newest)));
		pgmg_parse_migration(f);
		if (ctx->pause)
		{
			/* shown in the plan; the apply after the pause runs it */
			ctx->later = lappend(ctx->later, f);
			continue;
		}
		if (f->no_transaction)
		{
			ctx->pause = f;
			continue;
		}
		ctx->migrations = lappend(ctx->migrations, f);

		foreach(tc, f->targets)
		{
			PgmgTarget *t = lfirst(tc);
			ObjectAddress addr;

			if (t->kind == PGMG_TARGET_UNKNOWN)
			{
				/* every table outside the system schemas */
				Relation	rel = table_open(RelationRelationId, AccessShareLock);
				TableScanDesc scan = table_beginscan_catalog(rel, 0, NULL);
				HeapTuple	tup;
				List	   *tables = NIL;
				ListCell   *rc;

				while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
				{
					Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);

					if ((c->relkind == RELKIND_RELATION ||
						 c->relkind == RELKIND_PARTITIONED_TABLE ||
						 c->relkind == RELKIND_FOREIGN_TABLE) &&
						!IsCatalogNamespace(c->relnamespace) &&
						!IsToastNamespace(c->relnamespace) &&
						c->relnamespace != get_namespace_oid("information_schema", true) &&
						c->relnamespace != get_namespace_oid("pgmg", true))
						tables = lappend_oid(tables, c->oid);
				}
				table_endscan(scan);
				table_close(rel, AccessShareLock);
				foreach(rc, tables)
				{
					addr.classId = RelationRelationId;
					addr.objectId = lfirst_oid(rc);
					addr.objectSubId = 0;
					wrap_target(ctx, &addr, true, true,
								psprintf("depends on %s, and migration %s runs %s (line %d), which may alter any table",
										 pgmg_object_name(&addr), f->path,
										 target_verb(t), t->line),
								migration_cause("any_table", pgmg_object_name(&addr), t,
												target_verb(t)));
				}
				ctx->target_relids = list_concat_unique_oid(ctx->target_relids, tables);
			}
			else if (pgmg_resolve_target(t, &addr))
			{
				if (t->replaces && addr.classId == RelationRelationId)
					pgmg_addr_put(ctx->replaced, &addr, t);
				if (t->removes)
					pgmg_addr_put(ctx->gone, &addr,
								  psprintf("migration \"%s\" %s it (line %d)", f->path,
										   t->drops ? "drops" : "renames or moves", t->line));
				if (migration_takes_managed(ctx, f, t, &addr) || t->check_only)
					continue;
				if (t->whole || addr.classId != RelationRelationId)
					wrap_target(ctx, &addr, t->breaking, t->replaces,
								psprintf("depends on %s, which migration %s %s (line %d)",
										 pgmg_object_name(&addr), f->path,
										 target_verb(t), t->line),
								migration_cause("migration", pgmg_object_name(&addr), t,
												target_verb(t)));
				else
					wrap_parts(ctx, &addr, t);
				if (addr.classId == RelationRelationId)
					ctx->target_relids = list_append_unique_oid(ctx->target_relids,
																addr.objectId);
			}
		}
	}
}

/*
 * migration_takes_managed
 *		A migration statement on an object a code file manages.  The code
 *		file is the truth, so a migration may not redefine such an object
 *		(CREATE OR REPLACE, ALTER, rename, move): that is an error naming
 *		both files.  It may drop one whose file is deleted in the same
 *		change: then the migration's DROP is what drops it, pgmg plans no
 *		drop of its own and forgets it; one whose file is still there is an
 *		error.  Returns true when the target needs no further wrapping.
 */
static bool
migration_takes_managed(PlanCtx *ctx, PgmgFile *migration, PgmgTarget *t,
						const ObjectAddress *addr)
{
	PgmgStateObj *managed = pgmg_addr_get(ctx->managed, addr);
	DropItem   *item;

	if (managed == NULL || (!t->drops && !t->redefines))
		return false;
	if (t->drops && ctx->files->has_code &&
		pgmg_str_get(ctx->code_files, managed->file) == NULL &&
		(item = pgmg_addr_get(ctx->drop_set, addr)) != NULL)
	{
		item->by_migration = true;
		item->reason = psprintf("file %s was deleted; migration %s drops it",
								managed->file, migration->path);
		item->cause = migration_cause("deleted", NULL, t, "drops");
		return true;
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("migration \"%s\" %s %s, which code file \"%s\" defines",
					migration->path, t->drops ? "drops" : "redefines",
					managed->object_name, managed->file),
			 errdetail("Line %d of \"%s\". The code file is the truth for the objects it defines.",
					   t->line, migration->path),
			 t->drops ?
			 errhint("Delete \"%s\" in the same change (pgmg then drops the object, or lets this migration drop it), or keep the object and remove the DROP.",
					 managed->file) :
			 errhint("Change \"%s\" instead; pgmg replaces or recreates the object from it.",
					 managed->file)));
	return true;				/* not reached */
}

/*
 * wrap_target
 *		A migration alters target: its managed dependents (normal
 *		dependencies, through its internal parts such as a rowtype) are
 *		dropped before the migrations and recreated after; unmanaged views
 *		that cannot survive the change are preserved.  Other unmanaged
 *		dependents are left to PostgreSQL, since the target is not dropped.
 */
static void
wrap_target(PlanCtx *ctx, const ObjectAddress *target, bool breaking,
			bool replaces, const char *reason, PgmgCause *cause)
{
	TargetWalk	walk = {breaking, replaces, reason, cause};

	walk_dependents(ctx, target, pgmg_addr_map("pgmg target parts"),
					visit_target_dependent, &walk);
}

/*
 * wrap_parts
 *		A migration changes only some parts of relation rel (t says which):
 *		wrap what depends on those parts -- the columns it retypes, drops
 *		or renames, and what reads them as part of a whole row or through
 *		the row type; what depends on the constraints it drops; views that
 *		read it with * when it adds a column.  Nothing else is touched.
 */
static void
wrap_parts(PlanCtx *ctx, const ObjectAddress *rel, PgmgTarget *t)
{
	TargetWalk	walk = {t->breaking, false, NULL, NULL, t, rel->objectId, NIL,
	pgmg_addr_map("pgmg whole-row readers")};
	ListCell   *lc;

	foreach(lc, t->columns)
		walk.attnums = lappend_int(walk.attnums,
								   get_attnum(rel->objectId,
											  ((PgmgColumnChange *) lfirst(lc))->column));
	if (t->columns != NIL || t->adds_columns)
		walk_dependents(ctx, rel, pgmg_addr_map("pgmg target parts"),
						visit_target_dependent, &walk);

	foreach(lc, t->constraints)
	{
		ObjectAddress con;

		ObjectAddressSet(con, ConstraintRelationId,
						 get_relation_constraint_oid(rel->objectId, lfirst(lc), true));
		if (OidIsValid(con.objectId))
		{
			PgmgCause  *cause = migration_cause("constraint", pgmg_object_name(rel), t,
												"drops");

			cause->constraint = lfirst(lc);
			wrap_target(ctx, &con, true, false,
						psprintf("depends on constraint %s of %s, which migration %s drops (line %d)",
								 quote_identifier(lfirst(lc)), pgmg_object_name(rel),
								 t->migration->path, t->line),
						cause);
		}
	}
}

/*
 * part_reason
 *		Why dependent d of a relation is affected by the parts walk->parts
 *		changes (and in *cause, as fields), or NULL when it is not.
 */
static const char *
part_reason(PlanCtx *ctx, TargetWalk *walk, PgmgDependent *d, PgmgCause **cause)
{
	PgmgTarget *t = walk->parts;
	const char *rel = pgmg_object_name(&d->on);
	ListCell   *cc;
	ListCell   *ac;
	PgmgColumnChange *first = t->columns ? linitial(t->columns) : NULL;

	if (d->on.classId != RelationRelationId || d->on.objectId != walk->relid)
	{
		/* through the row type, which has every column; not other parts */
		if (first == NULL || d->on.classId != TypeRelationId)
			return NULL;
		*cause = migration_cause("row_type", relation_object_name(walk->relid), t,
								 first->change);
		(*cause)->column = first->column;
		return psprintf("depends on the row type of %s, whose column %s is %s by migration %s (line %d)",
						relation_object_name(walk->relid),
						quote_identifier(first->column), first->change,
						t->migration->path, t->line);
	}
	forboth(cc, t->columns, ac, walk->attnums)
	{
		PgmgColumnChange *c = lfirst(cc);

		if (d->column == 0 || d->column != lfirst_int(ac))
			continue;
		if (strncmp(c->change, "renamed", 7) == 0)
		{
			RenamedReader *r = palloc(sizeof(RenamedReader));

			r->object = d->object;
			r->relid = walk->relid;
			r->attnum = d->column;
			r->change = c;
			r->target = t;
			ctx->renamed_readers = lappend(ctx->renamed_readers, r);
		}
		*cause = migration_cause("column", rel, t, c->change);
		(*cause)->column = c->column;
		return psprintf("reads %s.%s, %s by migration %s (line %d)",
						rel, quote_identifier(c->column), c->change,
						t->migration->path, t->line);
	}
	/*
	 * The relation as a whole: a whole row, or * in the file.  pg_depend
	 * records a column read, or the relation when no column is: not the
	 * whole row besides columns, so each view's query is looked at once.
	 */
	if (pgmg_addr_get(walk->checked, &d->object))
		return NULL;
	pgmg_addr_put(walk->checked, &d->object, walk);
	if (first && ((d->column == 0 && !is_view(&d->object)) ||
				  (is_view(&d->object) &&
				   pgmg_reads_whole_row(d->object.objectId, walk->relid))))
	{
		*cause = migration_cause("whole_row", rel, t, first->change);
		(*cause)->column = first->column;
		return psprintf("reads whole rows of %s, whose column %s is %s by migration %s (line %d)",
						rel, quote_identifier(first->column), first->change,
						t->migration->path, t->line);
	}
	if (t->adds_columns && is_view(&d->object))
	{
		PgmgStateObj *managed = pgmg_addr_get(ctx->managed, &d->object);
		PgmgFile   *f = managed ? pgmg_str_get(ctx->code_files, managed->file) : NULL;

		if (f)
			pgmg_parse_file(f);
		if (f && f->uses_star)
		{
			*cause = migration_cause("star", rel, t, "adds a column");
			return psprintf("its file selects * and migration %s adds a column to %s (line %d)",
							t->migration->path, rel, t->line);
		}
	}
	return NULL;
}

/*
 * migration_cause
 *		A cause of kind about object, which target t of a migration changes
 *		(change: how).
 */
static PgmgCause *
migration_cause(const char *kind, const char *object, PgmgTarget *t,
				const char *change)
{
	PgmgCause  *cause = pgmg_cause(kind, object);

	cause->change = change;
	cause->migration = t->migration->path;
	cause->line = t->line;
	return cause;
}

/*
 * pgmg_cause
 *		A new cause of kind, about object (or NULL).
 */
PgmgCause *
pgmg_cause(const char *kind, const char *object)
{
	PgmgCause  *cause = palloc0(sizeof(PgmgCause));

	cause->kind = kind;
	cause->object = object;
	return cause;
}

/*
 * target_verb
 *		What a migration statement does to its target, for reasons.
 */
static const char *
target_verb(PgmgTarget *t)
{
	if (t->kind == PGMG_TARGET_UNKNOWN)
		return "DO or CALL";
	if (t->drops)
		return "drops";
	if (t->removes)
		return "renames or moves";
	return "alters";
}

/* "kind.identity" of a relation */
static char *
relation_object_name(Oid relid)
{
	ObjectAddress addr;

	ObjectAddressSet(addr, RelationRelationId, relid);
	return pgmg_object_name(&addr);
}

/*
 * check_renamed_readers
 *		A view recreated because it reads a column a migration renames is
 *		made again from its file after the migration.  PostgreSQL would
 *		follow the rename, but a file that still names the old column fails
 *		then, and so does a fresh build from the files: an error now,
 *		naming the file.  The file's query is analysed against the catalog
 *		before the migration, where the old name still resolves; it must
 *		also name the column (not reach it through *).
 */
static void
check_renamed_readers(PlanCtx *ctx)
{
	ListCell   *lc;

	foreach(lc, ctx->renamed_readers)
	{
		RenamedReader *r = lfirst(lc);
		PgmgDef    *def = pgmg_addr_get(ctx->defs_by_addr, &r->object);
		Node	   *n;
		Node	   *query = NULL;
		List	   *aliases = NIL;

		if (def == NULL)
			continue;
		n = def->stmt->parsetree;
		if (IsA(n, ViewStmt))
		{
			query = ((ViewStmt *) n)->query;
			aliases = ((ViewStmt *) n)->aliases;
		}
		else if (IsA(n, CreateTableAsStmt))
		{
			query = ((CreateTableAsStmt *) n)->query;
			aliases = ((CreateTableAsStmt *) n)->into->colNames;
		}
		if (query == NULL || !pgmg_query_names_column(query, r->change->column) ||
			!pgmg_query_reads_column(query, aliases, def->stmt->text, r->relid, r->attnum))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("%s, defined in \"%s\" at line %d, still reads column %s of %s, which migration \"%s\" %s (line %d)",
						def->key, def->file->path, def->stmt->line,
						quote_identifier(r->change->column),
						relation_object_name(r->relid),
						r->target->migration->path, r->change->change, r->target->line),
				 errdetail("It is made again from its file after the migration, where that name no longer exists; a fresh build from the files would fail the same way."),
				 errhint("Change \"%s\" to read the new name in the same change.",
						 def->file->path)));
	}
}

/*
 * visit_target_dependent
 *		What happens to one dependent of an object a migration changes.
 */
static void
visit_target_dependent(PlanCtx *ctx, const ObjectAddress *target,
					   PgmgDependent *d, void *arg)
{
	TargetWalk *walk = arg;
	PgmgStateObj *managed;
	const char *reason = walk->reason;
	PgmgCause  *cause = walk->cause;

	if (pgmg_addr_get(ctx->drop_set, &d->object))
		return;
	if (walk->parts && (reason = part_reason(ctx, walk, d, &cause)) == NULL)
		return;
	managed = pgmg_addr_get(ctx->managed, &d->object);

	/*
	 * A trigger, policy or rule of a table the migration drops, renames or
	 * moves would go with it (or stay on the renamed table): drop it first
	 * and make it again from its file after.
	 */
	if (walk->replaces && d->deptype == DEPENDENCY_AUTO && managed &&
		d->object.classId != RelationRelationId)
	{
		add_drop(ctx, &d->object, managed->file,
				 psprintf("depends on %s, which a migration drops, renames or moves",
						  pgmg_object_name(target)),
				 cause);
		return;
	}
	if (d->deptype != DEPENDENCY_NORMAL)
		return;
	if (managed)
		add_drop(ctx, &d->object, managed->file, reason, cause);
	else if (walk->breaking && is_view(&d->object))
		preserve(ctx, &d->object, reason, cause);
}

/*
 * walk_dependents
 *		The one walk over pg_depend: hand every dependent of root to visit.
 *
 * The walk looks through root's own parts: a catalog entry internal to root
 * (its rule, row type, array type, index, TOAST table) or one whose owning
 * object is root itself is not a dependent; its own dependents are root's.
 * Each part is scanned once (seen, shared by walks that must not scan a part
 * twice).  Dependents are visited in a stable order (sort_dependents).
 */
static void
walk_dependents(PlanCtx *ctx, const ObjectAddress *root, HTAB *seen,
				DependentVisitor visit, void *arg)
{
	ObjectAddress *start = palloc(sizeof(ObjectAddress));
	List	   *queue = list_make1(start);

	*start = *root;
	start->objectSubId = 0;
	pgmg_addr_put(seen, start, start);
	while (queue != NIL)
	{
		ObjectAddress *a = linitial(queue);
		ListCell   *lc;

		queue = list_delete_first(queue);
		foreach(lc, sort_dependents(pgmg_direct_dependents(a)))
		{
			PgmgDependent *d = lfirst(lc);

			if (d->deptype == DEPENDENCY_INTERNAL ||
				(d->object.classId == root->classId &&
				 d->object.objectId == root->objectId))
			{
				if (!pgmg_addr_get(seen, &d->part))
				{
					ObjectAddress *part = palloc(sizeof(ObjectAddress));

					*part = d->part;
					part->objectSubId = 0;
					pgmg_addr_put(seen, part, part);
					queue = lappend(queue, part);
				}
				continue;
			}
			visit(ctx, root, d, arg);
		}
	}
}

/*
 * preserve
 *		Drop an unmanaged view or materialized view and restore it exactly
 *		afterwards: its definition, options, indexes, owner, privileges and
 *		comments become a generated file that runs in dependency order with
 *		the code files.  It stays unmanaged.
 */
static void
preserve(PlanCtx *ctx, const ObjectAddress *addr, const char *reason,
		 PgmgCause *cause)
{
	PgmgFile   *f;
	PgmgDef    *def;

	if (pgmg_addr_get(ctx->drop_set, addr))
		return;
	ctx->preserved_relids = lappend_oid(ctx->preserved_relids, addr->objectId);
	f = palloc0(sizeof(PgmgFile));
	f->content = pgmg_preserve_text(addr);
	f->is_code = true;
	f->preserved = true;
	f->in_exec = true;
	f->reason = pstrdup(reason);
	f->cause = cause;
	f->status = PGMG_FILE_DEPENDENT;
	add_drop(ctx, addr, NULL, psprintf("%s (preserved: restored afterwards)", reason),
			 cause);
	f->path = psprintf("(preserved %s)", pgmg_object_name(addr));
	pgmg_parse_file(f);
	def = linitial(f->defs);
	def->addr = *addr;
	def->key = pgmg_object_name(addr);
	def->mode = PGMG_DEF_RECREATE;
	def->reason = f->reason;
	def->cause = f->cause;
	ctx->exec = lappend(ctx->exec, f);
}

static bool
is_view(const ObjectAddress *addr)
{
	char		relkind;

	if (addr->classId != RelationRelationId)
		return false;
	relkind = get_rel_relkind(addr->objectId);
	return relkind == RELKIND_VIEW || relkind == RELKIND_MATVIEW;
}

/*
 * warn_lock_table
 *		Every object dropped or created holds a lock until commit: warn when
 *		a plan needs more entries than the shared lock table can hold.  The
 *		count is of distinct objects locked, as PostgreSQL 15 locks them
 *		(measured in bench/scale.pl): a view, materialized view or composite
 *		type made or dropped locks itself and its row type; a trigger, its
 *		table and its function; a function, the existing types of its
 *		arguments and result that are not built in (each type once);
 *		anything else, itself.  A few more are pgmg's own.
 */
static void
warn_lock_table(PgmgPlan *plan)
{
	int			limit = max_locks_per_xact * (MaxBackends + max_prepared_xacts);
	int			objects = 0;
	int			n = 16;
	HTAB	   *types = pgmg_addr_map("pgmg types locked");
	ListCell   *lc;

	foreach(lc, plan->steps)
	{
		PgmgStep   *step = lfirst(lc);
		ListCell   *tc;

		if (step->action != PGMG_ACT_DROP && step->action != PGMG_ACT_CREATE &&
			step->action != PGMG_ACT_RESTORE && step->action != PGMG_ACT_REPLACE)
			continue;
		objects++;
		n += step->locks;
		foreach(tc, step->lock_types)
		{
			ObjectAddress type;

			ObjectAddressSet(type, TypeRelationId, lfirst_oid(tc));
			if (pgmg_addr_get(types, &type) == NULL)
			{
				pgmg_addr_put(types, &type, step);
				n++;
			}
		}
	}
	plan->lock_entries = n;
	if (n > limit)
		ereport(WARNING,
				(errmsg("this plan drops or creates %d objects, taking about %d entries of the lock table, which holds %d",
						objects, n, limit),
				 errdetail("Every object dropped or created stays locked until the transaction ends; the lock table holds max_locks_per_transaction * (max_connections + background processes + max_prepared_transactions) locks, shared by all sessions."),
				 errhint("Raise max_locks_per_transaction (now %d) and restart the server, or apply the change in smaller steps.",
						 max_locks_per_xact)));
}

/*
 * drop_locks
 *		The lock-table entries dropping addr takes (warn_lock_table): a
 *		relation or a composite type, two (with its row type or relation).
 */
static int
drop_locks(const ObjectAddress *addr)
{
	if (addr->classId == RelationRelationId ||
		(addr->classId == TypeRelationId && OidIsValid(get_typ_typrelid(addr->objectId))))
		return 2;
	return 1;
}

/*
 * locks_of
 *		The lock-table entries making or replacing def takes (warn_lock_table).
 */
static int
locks_of(PgmgDef *def, PgmgAction action, List **types)
{
	switch (nodeTag(def->stmt->parsetree))
	{
		case T_CreateFunctionStmt:
			{
				CreateFunctionStmt *f = (CreateFunctionStmt *) def->stmt->parsetree;
				List	   *names = f->returnType ? list_make1(f->returnType) : NIL;
				ListCell   *lc;

				/* the types of its arguments and result that are not built in */
				foreach(lc, f->parameters)
					names = lappend(names, ((FunctionParameter *) lfirst(lc))->argType);
				foreach(lc, names)
				{
					TypeName   *tn = lfirst(lc);
					Oid			typid = tn->pct_type ? InvalidOid :
						LookupTypeNameOid(NULL, tn, true);

					if (typid >= FirstNormalObjectId)
						*types = lappend_oid(*types, typid);
				}
				return 0;
			}
		case T_ViewStmt:
		case T_CreateTableAsStmt:
		case T_CompositeTypeStmt:
			return action == PGMG_ACT_REPLACE ? 1 : 2;
		case T_CreateTrigStmt:
			return 2;
		default:
			return 1;
	}
}

/*
 * close_plan
 *		Reach the fixpoint: a file to run may drop objects (recreated, or no
 *		longer defined), and a dropped object takes its dependents, whose
 *		files then run too.  Files wait in ctx->pending, dropped objects in
 *		ctx->queue; neither step calls the other, each only adds to the
 *		lists, so every file is planned once and every dropped object's
 *		dependents are walked once.  Managed dependents join the drop set;
 *		an unmanaged view is preserved; anything else makes the plan fail,
 *		naming it.
 */
static void
close_plan(PlanCtx *ctx)
{
	while (ctx->pending != NIL || ctx->queue != NIL)
	{
		if (ctx->pending != NIL)
		{
			PgmgFile   *file = linitial(ctx->pending);

			ctx->pending = list_delete_first(ctx->pending);
			plan_file(ctx, file);
		}
		else
		{
			DropItem   *top = linitial(ctx->queue);

			ctx->queue = list_delete_first(ctx->queue);
			walk_dependents(ctx, &top->addr, ctx->scanned, visit_drop_dependent, top);
		}
	}
}

/*
 * recheck_replaced_views
 *		A view to be replaced in place was compared with its new query as
 *		the catalog is now.  When that query reads something this plan
 *		drops (and recreates), or a relation a migration alters, the
 *		columns may come out otherwise when it runs: drop and recreate the
 *		view instead.  True when a view was moved to the drop set, so that
 *		the plan must be closed again.
 */
static bool
recheck_replaced_views(PlanCtx *ctx)
{
	bool		changed = false;
	ListCell   *dc;

	foreach(dc, inplace_defs(ctx))
	{
		PgmgDef    *def = lfirst(dc);
		ListCell   *rc;

		foreach(rc, def->reads)
		{
			ObjectAddress *read = lfirst(rc);
			const char *what = NULL;

			if (pgmg_addr_get(ctx->drop_set, read))
				what = "this apply drops and recreates";
			else if (read->classId == RelationRelationId &&
					 list_member_oid(ctx->target_relids, read->objectId))
				what = "a pending migration alters";
			if (what == NULL)
				continue;
			def->not_replaced = psprintf("its new query reads %s, which %s",
										 pgmg_object_name(read), what);
			def->reason = psprintf("%s; recreated: %s", def->reason, def->not_replaced);
			recreate_def(ctx, def, def->reason);
			changed = true;
			break;
		}
	}
	return changed;
}

/*
 * inplace_defs
 *		The objects of the files to run that are replaced in place (or kept
 *		as they are), in file order.
 */
static List *
inplace_defs(PlanCtx *ctx)
{
	List	   *result = NIL;
	ListCell   *fc;
	ListCell   *dc;

	foreach(fc, ctx->exec)
		foreach(dc, ((PgmgFile *) lfirst(fc))->defs)
			if (((PgmgDef *) lfirst(dc))->mode == PGMG_DEF_INPLACE)
				result = lappend(result, lfirst(dc));
	return result;
}

/*
 * refresh_stale_matviews
 *		After a view is replaced in place, the populated materialized views
 *		that read it and are not recreated anyway are refreshed, in the
 *		same step: their rows then are what the new query gives, as if they
 *		had been made again, and their OIDs, indexes and dependents stay.
 */
static void
refresh_stale_matviews(PlanCtx *ctx)
{
	ListCell   *dc;

	foreach(dc, inplace_defs(ctx))
	{
		PgmgDef    *def = lfirst(dc);
		ListCell   *mc;

		if (def->kind->objtype != OBJECT_VIEW || def->inplace_sql == NIL)
			continue;
		foreach(mc, pgmg_stale_matviews(&def->addr))
		{
			ObjectAddress *m = lfirst(mc);
			PgmgSql    *sql;

			if (pgmg_addr_get(ctx->drop_set, m))
				continue;
			sql = palloc0(sizeof(PgmgSql));
			sql->text = psprintf("REFRESH MATERIALIZED VIEW %s",
								 getObjectIdentity(m, false));
			def->restore_sql = lappend(def->restore_sql, sql);
		}
	}
}

/*
 * visit_drop_dependent
 *		A dependent of a dropped object: dropped too (and recreated from its
 *		file), preserved (an unmanaged view), or the reason the plan fails.
 */
static void
visit_drop_dependent(PlanCtx *ctx, const ObjectAddress *root,
					 PgmgDependent *d, void *arg)
{
	DropItem   *top = arg;
	DropItem   *dep_item;

	if (!d->droppable)
		refuse_dependent(top, d);

	dep_item = pgmg_addr_get(ctx->drop_set, &d->object);
	if (dep_item == NULL)
	{
		PgmgStateObj *managed = pgmg_addr_get(ctx->managed, &d->object);
		PgmgDef    *adopted = pgmg_addr_get(ctx->defs_by_addr, &d->object);

		/* not managed yet, but a file of this apply defines it: recreated */
		PgmgCause  *cause = pgmg_cause("depends_on", top->object);

		if (managed == NULL && adopted)
			dep_item = add_drop(ctx, &d->object, adopted->file->path,
								psprintf("depends on %s", top->object), cause);
		else if (managed == NULL && is_view(&d->object))
		{
			preserve(ctx, &d->object, psprintf("depends on %s", top->object), cause);
			dep_item = pgmg_addr_get(ctx->drop_set, &d->object);
		}
		else if (managed == NULL)
			refuse_dependent(top, d);
		else
			dep_item = add_drop(ctx, &d->object, managed->file,
								psprintf("depends on %s", top->object), cause);
	}
	/* the dependent goes first */
	ctx->drop_edges = lappend(ctx->drop_edges, dep_item);
	ctx->drop_edges = lappend(ctx->drop_edges, top);
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
	List	   *drops = list_copy(ctx->drops);
	List	   *cycle;
	int		   *order;
	List	   *result = NIL;
	ListCell   *lc;
	int			i = 0;

	/* number by kind and identity: ties go the same way on every database */
	list_sort(drops, compare_drops);
	foreach(lc, drops)
		((DropItem *) lfirst(lc))->index = i++;

	for (lc = list_head(ctx->drop_edges); lc; lc = lnext(ctx->drop_edges, lc))
	{
		DropItem   *before = lfirst(lc);

		lc = lnext(ctx->drop_edges, lc);
		pgmg_graph_add_edge(g, before->index, ((DropItem *) lfirst(lc))->index);
	}
	order = pgmg_graph_sort(g, &cycle);
	if (order == NULL)
		elog(ERROR, "pg_depend has a dependency cycle among objects to drop");
	for (i = 0; i < list_length(drops); i++)
		result = lappend(result, list_nth(drops, order[i]));
	return result;
}

/* drop items by kind (in the order of the table of kinds), then identity */
static int
compare_drops(const ListCell *a, const ListCell *b)
{
	DropItem   *x = lfirst(a);
	DropItem   *y = lfirst(b);

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->object, y->object);
}

/*
 * sort_dependents
 *		Dependents in an order that does not depend on where pg_depend keeps
 *		their rows: by the dependent object's name, then by the part that
 *		depends.  What is found first decides which reason a drop gives.
 */
static List *
sort_dependents(List *deps)
{
	int			n = list_length(deps);
	SortedDependent *items;
	List	   *result = NIL;
	int			i = 0;
	ListCell   *lc;

	if (n < 2)
		return deps;
	items = palloc(sizeof(SortedDependent) * n);
	foreach(lc, deps)
	{
		PgmgDependent *d = lfirst(lc);
		bool		whole = d->part.classId == d->object.classId &&
			d->part.objectId == d->object.objectId;

		items[i].dep = d;
		items[i].key = psprintf("%s\x01%u\x01%s", pgmg_object_name(&d->object),
								d->part.classId,
								whole ? "" : getObjectIdentity(&d->part, false));
		i++;
	}
	qsort(items, n, sizeof(SortedDependent), compare_dependents);
	for (i = 0; i < n; i++)
		result = lappend(result, items[i].dep);
	return result;
}

static int
compare_dependents(const void *a, const void *b)
{
	return strcmp(((const SortedDependent *) a)->key,
				  ((const SortedDependent *) b)->key);
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
		PgmgStep   *step;
		PgmgSql    *sql;

		if (item->by_migration)
			continue;
		step = palloc0(sizeof(PgmgStep));
		sql = palloc0(sizeof(PgmgSql));
		step->action = PGMG_ACT_DROP;
		step->object = item->object;
		step->file = item->file;
		step->reason = item->reason;
		step->cause = item->cause;
		step->locks = drop_locks(&item->addr);
		sql->text = pgmg_drop_statement(&item->addr);
		step->sql = list_make1(sql);
		plan->steps = lappend(plan->steps, step);
	}

	foreach(lc, ctx->migrations)
	{
		PgmgFile   *f = lfirst(lc);
		PgmgStep   *step = palloc0(sizeof(PgmgStep));
		ListCell   *sc;

		/* the code it needs first */
		foreach(sc, f->needs)
			add_file_steps(plan, lfirst(sc), f->path);

		step->action = PGMG_ACT_MIGRATE;
		step->object = f->path;
		step->file = f->path;
		step->reason = "pending";
		step->migration = f;
		foreach(sc, f->stmts)
		{
			PgmgStmt   *stmt = lfirst(sc);
			PgmgSql    *sql = palloc0(sizeof(PgmgSql));

			sql->text = stmt->text;
			sql->file = f;
			sql->location = stmt->location;
			step->sql = lappend(step->sql, sql);
		}
		plan->steps = lappend(plan->steps, step);
	}

	foreach(lc, files)
		if (!((PgmgFile *) lfirst(lc))->early)
			add_file_steps(plan, lfirst(lc), NULL);

	if (ctx->pause)
	{
		PgmgStep   *step = palloc0(sizeof(PgmgStep));
		PgmgSql    *sql = palloc0(sizeof(PgmgSql));

		step->action = PGMG_ACT_PAUSE;
		step->object = ctx->pause->path;
		step->file = ctx->pause->path;
		step->reason = "marked -- pgmg:no-transaction: runs on its own, outside a transaction; apply again afterwards";
		sql->text = ctx->pause->content;
		step->sql = list_make1(sql);
		plan->steps = lappend(plan->steps, step);
		add_later_steps(ctx, plan);
	}
}

/*
 * add_file_steps
 *		The steps creating or replacing what a code file defines; when a
 *		migration needs them (for_migration), the reasons say so.
 */
static void
add_file_steps(PgmgPlan *plan, PgmgFile *f, const char *for_migration)
{
	ListCell   *dc;

	foreach(dc, f->defs)
	{
		PgmgDef    *def = lfirst(dc);
		PgmgStep   *step = palloc0(sizeof(PgmgStep));
		ListCell   *sc;

		step->action = def->mode != PGMG_DEF_INPLACE ? PGMG_ACT_CREATE :
			def->inplace_sql != NIL ? PGMG_ACT_REPLACE : PGMG_ACT_KEEP;
		if (f->preserved)
			step->action = PGMG_ACT_RESTORE;
		step->object = def->key;
		step->file = f->preserved ? NULL : f->path;
		step->reason = def->reason;
		step->cause = def->cause;
		if (step->action != PGMG_ACT_KEEP)
			step->locks = locks_of(def, step->action, &step->lock_types);
		if (step->action == PGMG_ACT_CREATE)
			step->not_replaced = def->not_replaced;
		step->needed_by = for_migration;
		if (step->action == PGMG_ACT_KEEP)
			step->reason = def->managed ?
				psprintf("%s; its definition is unchanged", def->reason) :
				"adopt: identical to its file";
		if (for_migration)
			step->reason = psprintf("%s; migration %s needs it", step->reason, for_migration);
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
					note_insertion(sql, stmt->text);
					step->sql = lappend(step->sql, sql);
				}
			}
			else
			{
				PgmgSql    *sql = palloc0(sizeof(PgmgSql));

				/*
				 * A kept materialized view: its index is made again, unless
				 * the statement is what the server prints for the index
				 * there.
				 */
				if (step->action == PGMG_ACT_KEEP && IsA(stmt->parsetree, IndexStmt))
				{
					PgmgSql    *drop = palloc0(sizeof(PgmgSql));
					char	   *printed = pgmg_printed_index(def->addr.objectId,
															 ((IndexStmt *) stmt->parsetree)->idxname);

					if (printed && pgmg_same_statement(printed, stmt->text))
						continue;

					drop->text = psprintf("DROP INDEX IF EXISTS %s",
										  quote_qualified_identifier(get_namespace_name(get_rel_namespace(def->addr.objectId)),
																	 ((IndexStmt *) stmt->parsetree)->idxname));
					step->sql = lappend(step->sql, drop);
				}
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

/*
 * adds_enum_labels
 *		Is f a file to run that defines only enums, adding labels to at
 *		least one (ALTER TYPE ... ADD VALUE)?
 */
static bool
adds_enum_labels(PgmgFile *f)
{
	bool		adds = false;
	ListCell   *lc;

	if (f->preserved || f->defs == NIL)
		return false;
	foreach(lc, f->defs)
	{
		PgmgDef    *def = lfirst(lc);

		if (!IsA(def->stmt->parsetree, CreateEnumStmt) || def->mode != PGMG_DEF_INPLACE)
			return false;
		if (def->inplace_sql != NIL)
			adds = true;
	}
	return adds;
}

/*
 * split_for_enum_labels
 *		A label added to an enum cannot be used until its transaction
 *		commits (55P04 unsafe use of new value).  When anything else is to
 *		run besides the files adding labels, this apply runs only those
 *		files and stops at a pause ("enum labels"); the next apply, which
 *		the client starts at once, plans and runs the rest, shown here as
 *		later steps.  Nothing else is dropped, migrated or recorded now.
 */
static void
split_for_enum_labels(PlanCtx *ctx, PgmgPlan *plan)
{
	List	   *enums = NIL;
	List	   *steps = NIL;
	bool		others = false;
	PgmgStep   *pause;
	ListCell   *lc;

	foreach(lc, plan->exec_files)
		if (adds_enum_labels(lfirst(lc)))
			enums = lappend(enums, lfirst(lc));
	if (enums == NIL)
		return;
	foreach(lc, plan->steps)
	{
		PgmgStep   *step = lfirst(lc);
		bool		ours = false;
		ListCell   *ec;

		if (step->action == PGMG_ACT_REPLACE || step->action == PGMG_ACT_KEEP)
			foreach(ec, enums)
				if (strcmp(((PgmgFile *) lfirst(ec))->path, step->file) == 0)
					ours = true;
		if (ours)
			steps = lappend(steps, step);
		else
			others = true;
	}
	if (!others)
		return;

	pause = palloc0(sizeof(PgmgStep));
	pause->action = PGMG_ACT_PAUSE;
	pause->object = "enum labels";
	pause->reason = "new enum labels are committed before anything uses them (55P04): apply again afterwards";
	plan->steps = lappend(steps, pause);
	foreach(lc, ctx->migrations)
	{
		PgmgStep   *step = palloc0(sizeof(PgmgStep));

		step->action = PGMG_ACT_LATER;
		step->object = step->file = ((PgmgFile *) lfirst(lc))->path;
		step->reason = "pending: runs in the apply after the new enum labels commit";
		plan->steps = lappend(plan->steps, step);
	}
	foreach(lc, plan->exec_files)
	{
		PgmgFile   *f = lfirst(lc);
		PgmgStep   *step;

		if (list_member_ptr(enums, f))
			continue;
		step = palloc0(sizeof(PgmgStep));
		step->action = PGMG_ACT_LATER;
		step->object = step->file = f->path;
		step->reason = psprintf("%s: applied after the new enum labels commit", f->reason);
		plan->steps = lappend(plan->steps, step);
	}
	if (ctx->pause)
	{
		PgmgStep   *step = palloc0(sizeof(PgmgStep));

		step->action = PGMG_ACT_LATER;
		step->object = step->file = ctx->pause->path;
		step->reason = "pending: runs after the new enum labels commit, on its own outside a transaction";
		plan->steps = lappend(plan->steps, step);
	}
	plan->exec_files = enums;
	plan->forget_files = NIL;
	plan->refresh = NIL;
	plan->lock_relids = NIL;
	plan->preserved_relids = NIL;
}

/*
 * add_later_steps
 *		After a pause, what the applies after it will run, so that the plan
 *		shows the whole run: each later migration, then each changed code
 *		file.  Their exact steps depend on what the paused migration does,
 *		so they are shown as "later" steps, which no apply executes.
 */
static void
add_later_steps(PlanCtx *ctx, PgmgPlan *plan)
{
	const char *after = ctx->pause->path;
	ListCell   *lc;

	foreach(lc, ctx->later)
	{
		PgmgFile   *f = lfirst(lc);
		PgmgStep   *step = palloc0(sizeof(PgmgStep));

		step->action = PGMG_ACT_LATER;
		step->object = f->path;
		step->file = f->path;
		step->reason = f->no_transaction ?
			psprintf("pending: runs after %s, on its own outside a transaction", after) :
			psprintf("pending: runs in the apply after %s", after);
		plan->steps = lappend(plan->steps, step);
	}
	if (!ctx->files->has_code)
		return;
	foreach(lc, ctx->files->code)
	{
		PgmgFile   *f = lfirst(lc);
		PgmgStep   *step;

		if (f->status == PGMG_FILE_UNCHANGED || f->in_exec)
			continue;
		step = palloc0(sizeof(PgmgStep));
		step->action = PGMG_ACT_LATER;
		step->object = f->path;
		step->file = f->path;
		step->reason = psprintf("%s: applied after %s", f->reason, after);
		plan->steps = lappend(plan->steps, step);
	}
}

/*
 * note_insertion
 *		When sql->text is the statement as written with text inserted in
 *		one place (OR REPLACE after CREATE), record where, so that error
 *		positions point into the file.
 */
static void
note_insertion(PgmgSql *sql, const char *written)
{
	size_t		run_len = strlen(sql->text);
	size_t		len = strlen(written);
	size_t		at = 0;

	if (run_len <= len)
		return;
	while (at < len && sql->text[at] == written[at])
		at++;
	if (strcmp(sql->text + at + (run_len - len), written + at) != 0)
		return;
	sql->shift_at = pg_mbstrlen_with_len(written, at);
	sql->shift_len = pg_mbstrlen_with_len(sql->text + at, run_len - len);
}
