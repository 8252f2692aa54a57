/*-------------------------------------------------------------------------
 *
 * hazards.c
 *	  What a plan will cost the database it runs on: for each pending
 *	  migration, read from its parse trees and the catalog, the statements
 *	  that rewrite or scan a large table under a strong lock, build an
 *	  index without CONCURRENTLY, validate a constraint in place, or lose
 *	  data; for the plan, the large materialized views it recomputes and
 *	  the number of objects it drops and recreates.
 *
 * A table is large when its estimated rows reach pgmg.hazard_rows or its
 * heap and indexes pgmg.hazard_size; size-dependent hazards are reported
 * only for large tables, data loss only for tables that hold rows.  Sizes
 * are estimates (a partitioned table's, the sum of its partitions'): rows
 * from pg_class.reltuples scaled to the current
 * number of pages (as the planner scales them), or from the row width when
 * the table was never analysed; pages from the relation itself when its
 * AccessShareLock is free at once, else from pg_class.relpages.  Nothing
 * here waits for a lock or keeps one.
 *
 * A hazard is acknowledged by a comment "-- pgmg:allow CODE" between the
 * end of the line the previous statement ends on and the end of the line
 * its own statement ends on: it is still reported, marked allowed.
 *
 * Everything is allocated in the caller's memory context.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/hazards.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_proc.h"
#include "catalog/index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/plancat.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "pgmg.h"

/* GUCs */
int			pgmg_hazard_rows = 100000;
int			pgmg_hazard_size = 131072;	/* kB */
int			pgmg_hazard_objects = 1000;

/* the codes, as "-- pgmg:allow" names them */
static const char *const hazard_codes[] = {
	"table_rewrite", "access_exclusive", "index_build", "constraint_validation",
	"not_null_scan", "data_loss", "bulk_write", "matview_recompute",
	"many_objects", NULL
};

/* the size of a table, estimated */
typedef struct TableSize
{
	Oid			relid;
	char	   *object;			/* "table.public.t" */
	char	   *name;			/* public.t */
	double		rows;			/* -1: unknown */
	int64		bytes;			/* heap and indexes */
	bool		guessed;		/* rows from the row width: never analysed */
	bool		large;
	bool		empty;			/* no pages and no rows */
} TableSize;

/* the statement being read */
typedef struct HazardCtx
{
	List	   *hazards;		/* PgmgHazard * */
	PgmgFile   *file;
	PgmgStmt   *stmt;
	List	   *allowed;		/* char *: codes acknowledged for it */
	int			reported;		/* hazards reported for it so far */
} HazardCtx;

static void migration_hazards(HazardCtx *ctx, PgmgFile *file);
static List *allowed_codes(PgmgFile *file, int from, int to);
static void statement_hazards(HazardCtx *ctx, Node *n);
static void alter_table_hazards(HazardCtx *ctx, AlterTableStmt *stmt);
static void alter_type_hazards(HazardCtx *ctx, TableSize *t, AlterTableCmd *cmd);
static void add_column_hazards(HazardCtx *ctx, TableSize *t, ColumnDef *def);
static void constraint_hazards(HazardCtx *ctx, TableSize *t, Constraint *c,
							   const char *column);
static void plan_hazards(HazardCtx *ctx, PgmgPlan *plan);
static TableSize *table_size(Oid relid);
static TableSize *table_named(RangeVar *rv);
static TableSize *partitioned_size(Oid relid);
static void report(HazardCtx *ctx, const char *code, PgmgSeverity severity,
				   TableSize *t, int location, const char *safer,
				   const char *fmt,...) pg_attribute_printf(7, 8);
static char *size_text(TableSize *t);
static bool is_volatile(Node *expr);
static bool volatile_walker(Node *node, void *context);
static bool is_serial(TypeName *tn);
static bool option_set(List *options, const char *name);
static bool narrows(Oid oldtype, int32 oldmod, Oid newtype, int32 newmod);
static bool rewrites(Oid oldtype, int32 oldmod, Oid newtype, int32 newmod);

/*
 * pgmg_plan_hazards
 *		The hazards of a plan: of every migration it runs, in order (those
 *		after a pause included), then of the plan's own steps.
 */
List *
pgmg_plan_hazards(PgmgPlan *plan)
{
	HazardCtx	ctx = {0};
	ListCell   *lc;

	foreach(lc, plan->steps)
	{
		PgmgStep   *step = lfirst(lc);
		PgmgFile   *file = step->migration;
		ListCell   *mc;

		if (file == NULL && step->file != NULL &&
			(step->action == PGMG_ACT_PAUSE ||
			 (step->action == PGMG_ACT_LATER &&
			  strncmp(step->reason, "pending", 7) == 0)))
			foreach(mc, plan->files->migrations)
				if (strcmp(((PgmgFile *) lfirst(mc))->path, step->file) == 0)
					file = lfirst(mc);
		if (file != NULL)
			migration_hazards(&ctx, file);
	}
	plan_hazards(&ctx, plan);
	return ctx.hazards;
}

/*
 * pgmg_severity_name
 *		low, medium or high.
 */
const char *
pgmg_severity_name(PgmgSeverity severity)
{
	switch (severity)
	{
		case PGMG_SEVERITY_LOW:
			return "low";
		case PGMG_SEVERITY_MEDIUM:
			return "medium";
		case PGMG_SEVERITY_HIGH:
			return "high";
	}
	return "high";
}

/*
 * migration_hazards
 *		Read each statement of a parsed migration, with the codes its
 *		comments acknowledge.
 */
static void
migration_hazards(HazardCtx *ctx, PgmgFile *file)
{
	int			from = 0;
	ListCell   *lc;

	ctx->file = file;
	foreach(lc, file->stmts)
	{
		PgmgStmt   *stmt = lfirst(lc);
		const char *eol = strchr(file->content + stmt->location + stmt->len, '\n');
		int			to = eol ? eol - file->content : strlen(file->content);

		ctx->stmt = stmt;
		ctx->allowed = allowed_codes(file, from, to);
		ctx->reported = 0;
		statement_hazards(ctx, stmt->parsetree);
		from = to;
	}
	ctx->file = NULL;
	ctx->stmt = NULL;
}

/*
 * allowed_codes
 *		The codes named by "-- pgmg:allow CODE[, CODE...]" comments in
 *		content[from, to).  An unknown code is an error naming the line: a
 *		misspelt acknowledgement must not pass unnoticed.
 */
static List *
allowed_codes(PgmgFile *file, int from, int to)
{
	List	   *codes = NIL;
	const char *p = file->content + from;
	const char *end = file->content + to;
	static const char marker[] = "-- pgmg:allow";

	while ((p = strstr(p, marker)) != NULL && p < end)
	{
		const char *q = p + strlen(marker);

		while (*q && *q != '\n' && q < end)
		{
			const char *w;
			char	   *code;
			int			i;

			while (*q == ' ' || *q == '\t' || *q == ',')
				q++;
			w = q;
			while (*q == '_' || (*q >= 'a' && *q <= 'z'))
				q++;
			if (q == w)
				break;
			code = pnstrdup(w, q - w);
			for (i = 0; hazard_codes[i]; i++)
				if (strcmp(hazard_codes[i], code) == 0)
					break;
			if (hazard_codes[i])
				codes = lappend(codes, code);
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown hazard code \"%s\" in -- pgmg:allow, line %d of migration \"%s\"",
								code, pgmg_line_of(file->content, p - file->content),
								file->path),
						 errhint("The codes are table_rewrite, access_exclusive, index_build, constraint_validation, not_null_scan, data_loss, bulk_write, matview_recompute and many_objects.")));
		}
		p = q;
	}
	return codes;
}

/*
 * statement_hazards
 *		The hazards of one migration statement.
 */
static void
statement_hazards(HazardCtx *ctx, Node *n)
{
	switch (nodeTag(n))
	{
		case T_AlterTableStmt:
			alter_table_hazards(ctx, (AlterTableStmt *) n);
			break;
		case T_IndexStmt:
			{
				IndexStmt  *stmt = (IndexStmt *) n;
				TableSize  *t = table_named(stmt->relation);

				if (t && t->large && !stmt->concurrent)
					report(ctx, "index_build", PGMG_SEVERITY_HIGH, t, -1,
						   "CREATE INDEX CONCURRENTLY, in a migration of its own whose first line is -- pgmg:no-transaction",
						   "CREATE INDEX on %s builds the index while every write to the table waits",
						   t->name);
				break;
			}
		case T_DropStmt:
			{
				DropStmt   *stmt = (DropStmt *) n;
				ListCell   *lc;

				if (stmt->removeType != OBJECT_TABLE &&
					stmt->removeType != OBJECT_INDEX)
					break;
				foreach(lc, stmt->objects)
				{
					RangeVar   *rv = makeRangeVarFromNameList(lfirst(lc));
					TableSize  *t;

					if (stmt->removeType == OBJECT_TABLE)
					{
						t = table_named(rv);
						if (t && !t->empty)
							report(ctx, "data_loss", PGMG_SEVERITY_HIGH, t, -1,
								   "keep a copy first (pg_dump --table), or rename the table and drop it in a later release",
								   "DROP TABLE %s loses its rows", t->name);
					}
					else if (!stmt->concurrent)
					{
						Oid			indexid = RangeVarGetRelid(rv, NoLock, true);
						Oid			relid = OidIsValid(indexid) ?
							IndexGetRelation(indexid, true) : InvalidOid;

						t = OidIsValid(relid) ? table_size(relid) : NULL;
						if (t && t->large)
							report(ctx, "access_exclusive", PGMG_SEVERITY_LOW, t, -1,
								   "DROP INDEX CONCURRENTLY, in a migration of its own whose first line is -- pgmg:no-transaction",
								   "DROP INDEX %s takes an ACCESS EXCLUSIVE lock on %s: brief, but it waits behind every query on the table and every query after it waits too",
								   NameListToString(lfirst(lc)), t->name);
					}
				}
				break;
			}
		case T_TruncateStmt:
			{
				ListCell   *lc;

				foreach(lc, ((TruncateStmt *) n)->relations)
				{
					TableSize  *t = table_named(lfirst(lc));

					if (t && !t->empty)
						report(ctx, "data_loss", PGMG_SEVERITY_HIGH, t, -1,
							   "keep a copy first (pg_dump --table --data-only)",
							   "TRUNCATE %s loses its rows", t->name);
				}
				break;
			}
		case T_DeleteStmt:
			{
				DeleteStmt *stmt = (DeleteStmt *) n;
				TableSize  *t = table_named(stmt->relation);

				if (t == NULL || t->empty)
					break;
				if (stmt->whereClause == NULL)
					report(ctx, "data_loss", PGMG_SEVERITY_HIGH, t, -1,
						   "add a WHERE clause, or keep a copy first (pg_dump --table --data-only)",
						   "DELETE without WHERE removes every row of %s", t->name);
				else if (t->large)
					report(ctx, "bulk_write", PGMG_SEVERITY_MEDIUM, t, -1,
						   "delete in batches of a few thousand rows, outside the migration or in no-transaction migrations",
						   "DELETE on %s may lock many rows until the apply commits", t->name);
				break;
			}
		case T_UpdateStmt:
			{
				UpdateStmt *stmt = (UpdateStmt *) n;
				TableSize  *t = table_named(stmt->relation);

				if (t && t->large)
					report(ctx, "bulk_write", PGMG_SEVERITY_MEDIUM, t, -1,
						   "backfill in batches of a few thousand rows, outside the migration or in no-transaction migrations",
						   "UPDATE %s%s may write every row and keeps those it writes locked until the apply commits",
						   t->name, stmt->whereClause ? "" : " without WHERE");
				break;
			}
		case T_ClusterStmt:
			{
				TableSize  *t = table_named(((ClusterStmt *) n)->relation);

				if (t && t->large)
					report(ctx, "table_rewrite", PGMG_SEVERITY_HIGH, t, -1,
						   "pg_repack, or a scheduled maintenance window",
						   "CLUSTER rewrites %s and its indexes under an ACCESS EXCLUSIVE lock: nothing reads or writes it until the apply commits",
						   t->name);
				break;
			}
		case T_VacuumStmt:
			{
				VacuumStmt *stmt = (VacuumStmt *) n;
				ListCell   *lc;

				if (!option_set(stmt->options, "full"))
					break;
				foreach(lc, stmt->rels)
				{
					TableSize  *t = table_named(((VacuumRelation *) lfirst(lc))->relation);

					if (t && t->large)
						report(ctx, "table_rewrite", PGMG_SEVERITY_HIGH, t, -1,
							   "pg_repack, or plain VACUUM",
							   "VACUUM FULL rewrites %s and its indexes under an ACCESS EXCLUSIVE lock",
							   t->name);
				}
				break;
			}
		case T_ReindexStmt:
			{
				ReindexStmt *stmt = (ReindexStmt *) n;
				TableSize  *t = NULL;

				if (option_set(stmt->params, "concurrently") || stmt->relation == NULL)
					break;
				if (stmt->kind == REINDEX_OBJECT_TABLE)
					t = table_named(stmt->relation);
				else if (stmt->kind == REINDEX_OBJECT_INDEX)
				{
					Oid			indexid = RangeVarGetRelid(stmt->relation, NoLock, true);

					if (OidIsValid(indexid) && OidIsValid(IndexGetRelation(indexid, true)))
						t = table_size(IndexGetRelation(indexid, true));
				}
				if (t && t->large)
					report(ctx, "index_build", PGMG_SEVERITY_HIGH, t, -1,
						   "REINDEX CONCURRENTLY, in a migration of its own whose first line is -- pgmg:no-transaction",
						   "REINDEX rebuilds indexes of %s while every write to it waits", t->name);
				break;
			}
		default:
			break;
	}
}

/*
 * alter_table_hazards
 *		ALTER TABLE: each subcommand, then the lock the whole statement
 *		takes when nothing more specific was said about it.
 */
static void
alter_table_hazards(HazardCtx *ctx, AlterTableStmt *stmt)
{
	TableSize  *t;
	ListCell   *lc;

	/* a partitioned table's ALTER TABLE is OBJECT_TABLE too */
	if (stmt->objtype != OBJECT_TABLE)
		return;
	t = table_named(stmt->relation);
	if (t == NULL)
		return;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst(lc);

		switch (cmd->subtype)
		{
			case AT_AlterColumnType:
				alter_type_hazards(ctx, t, cmd);
				break;
			case AT_AddColumn:
				add_column_hazards(ctx, t, (ColumnDef *) cmd->def);
				break;
			case AT_DropColumn:
				if (!t->empty)
					report(ctx, "data_loss", PGMG_SEVERITY_HIGH, t, -1,
						   "stop reading and writing the column in one release, drop it in a later one; keep a copy of its values if they may be needed",
						   "DROP COLUMN %s loses its values in %s", cmd->name, t->name);
				break;
			case AT_SetNotNull:
				if (t->large)
					report(ctx, "not_null_scan", PGMG_SEVERITY_MEDIUM, t, -1,
						   "ADD CONSTRAINT ... CHECK (column IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later migration, then SET NOT NULL (it uses the valid constraint and skips the scan)",
						   "SET NOT NULL on %s.%s scans every row under an ACCESS EXCLUSIVE lock",
						   t->name, cmd->name);
				break;
			case AT_AddConstraint:
				constraint_hazards(ctx, t, (Constraint *) cmd->def, NULL);
				break;
			case AT_SetLogged:
			case AT_SetUnLogged:
			case AT_SetAccessMethod:
			case AT_SetTableSpace:
				if (t->large)
					report(ctx, "table_rewrite", PGMG_SEVERITY_HIGH, t, -1,
						   "a scheduled maintenance window; the table cannot be read or written while it is copied",
						   "%s copies %s and its indexes under an ACCESS EXCLUSIVE lock",
						   cmd->subtype == AT_SetLogged ? "SET LOGGED" :
						   cmd->subtype == AT_SetUnLogged ? "SET UNLOGGED" :
						   cmd->subtype == AT_SetAccessMethod ? "SET ACCESS METHOD" :
						   "SET TABLESPACE", t->name);
				break;
			default:
				break;
		}
	}

	if (ctx->reported == 0 && t->large &&
		AlterTableGetLockLevel(stmt->cmds) == AccessExclusiveLock)
		report(ctx, "access_exclusive", PGMG_SEVERITY_LOW, t, -1,
			   "keep the lock timeout short (pgmg's default is 5s), and deploy when no long query runs on the table",
			   "ALTER TABLE takes an ACCESS EXCLUSIVE lock on %s: brief, but it waits behind every query on the table and every query after it waits too",
			   t->name);
}

/*
 * alter_type_hazards
 *		ALTER COLUMN ... TYPE: a rewrite unless the new type is binary
 *		compatible and no narrower, and data loss when it is narrower.
 */
static void
alter_type_hazards(HazardCtx *ctx, TableSize *t, AlterTableCmd *cmd)
{
	ColumnDef  *def = (ColumnDef *) cmd->def;
	HeapTuple	att;
	Type		newtup;
	Oid			oldtype;
	int32		oldmod;
	Oid			newtype;
	int32		newmod;

	att = SearchSysCacheAttName(t->relid, cmd->name);
	if (!HeapTupleIsValid(att))
		return;					/* the server will say */
	oldtype = ((Form_pg_attribute) GETSTRUCT(att))->atttypid;
	oldmod = ((Form_pg_attribute) GETSTRUCT(att))->atttypmod;
	ReleaseSysCache(att);
	newtup = LookupTypeName(NULL, def->typeName, &newmod, true);
	if (newtup == NULL)
		return;
	newtype = typeTypeId(newtup);
	ReleaseSysCache(newtup);

	if (!t->empty && narrows(oldtype, oldmod, newtype, newmod))
		report(ctx, "data_loss", PGMG_SEVERITY_HIGH, t, def->location,
			   "add a new column of the new type, backfill and check it, then switch to it",
			   "ALTER COLUMN %s TYPE %s narrows it from %s: values that do not fit fail the apply or are rounded",
			   cmd->name, format_type_with_typemod(newtype, newmod),
			   format_type_with_typemod(oldtype, oldmod));
	if (t->large && (def->raw_default != NULL ||
					 rewrites(oldtype, oldmod, newtype, newmod)))
		report(ctx, "table_rewrite", PGMG_SEVERITY_HIGH, t, def->location,
			   "add a new column of the new type, backfill it in batches, then switch to it and drop the old one",
			   "ALTER COLUMN %s TYPE %s rewrites %s and its indexes under an ACCESS EXCLUSIVE lock: nothing reads or writes it until the apply commits",
			   cmd->name, format_type_with_typemod(newtype, newmod), t->name);
}

/*
 * add_column_hazards
 *		ADD COLUMN: a rewrite when its default is volatile (or it is serial,
 *		an identity or a stored generated column); its constraints.
 */
static void
add_column_hazards(HazardCtx *ctx, TableSize *t, ColumnDef *def)
{
	const char *why = NULL;
	ListCell   *lc;

	if (def->raw_default && is_volatile(def->raw_default))
		why = "its default is volatile, so every row gets its own value";
	else if (def->identity)
		why = "an identity column fills every row from its sequence";
	else if (is_serial(def->typeName))
		why = "a serial column fills every row from its sequence";
	foreach(lc, def->constraints)
	{
		Constraint *c = lfirst(lc);

		if (c->contype == CONSTR_GENERATED)
			why = "a stored generated column is computed for every row";
		else if (c->contype == CONSTR_IDENTITY)
			why = "an identity column fills every row from its sequence";
		else if (c->contype == CONSTR_DEFAULT && is_volatile(c->raw_expr))
			why = "its default is volatile, so every row gets its own value";
		else
			constraint_hazards(ctx, t, c, def->colname);
	}
	if (why && t->large)
		report(ctx, "table_rewrite", PGMG_SEVERITY_HIGH, t, def->location,
			   "add the column without a default (or with a constant one), backfill it in batches, then set the default",
			   "ADD COLUMN %s rewrites %s and its indexes under an ACCESS EXCLUSIVE lock: %s",
			   def->colname, t->name, why);
}

/*
 * constraint_hazards
 *		A constraint added to an existing table: validated by a scan unless
 *		NOT VALID; PRIMARY KEY, UNIQUE and EXCLUDE build an index unless
 *		USING INDEX.
 */
static void
constraint_hazards(HazardCtx *ctx, TableSize *t, Constraint *c, const char *column)
{
	const char *what = c->conname ? c->conname : column ? column : "";

	if (!t->large)
		return;
	switch (c->contype)
	{
		case CONSTR_CHECK:
		case CONSTR_FOREIGN:
			if (c->skip_validation)
				break;
			report(ctx, "constraint_validation", PGMG_SEVERITY_MEDIUM, t, c->location,
				   "add it NOT VALID, then VALIDATE CONSTRAINT in a later migration (that takes a lock that lets reads and writes through)",
				   "%s constraint %s is validated against every row of %s while %s",
				   c->contype == CONSTR_CHECK ? "CHECK" : "FOREIGN KEY", what, t->name,
				   c->contype == CONSTR_CHECK ?
				   "nothing reads or writes the table (ACCESS EXCLUSIVE)" :
				   "writes to it and to the table it references wait");
			break;
		case CONSTR_PRIMARY:
		case CONSTR_UNIQUE:
		case CONSTR_EXCLUSION:
			if (c->indexname)
				break;
			report(ctx, "index_build", PGMG_SEVERITY_HIGH, t, c->location,
				   "CREATE UNIQUE INDEX CONCURRENTLY in a -- pgmg:no-transaction migration, then ADD CONSTRAINT ... USING INDEX",
				   "%s %s builds its index on %s under an ACCESS EXCLUSIVE lock",
				   c->contype == CONSTR_PRIMARY ? "PRIMARY KEY" :
				   c->contype == CONSTR_UNIQUE ? "UNIQUE" : "EXCLUDE",
				   what, t->name);
			break;
		default:
			break;
	}
}

/*
 * plan_hazards
 *		The plan's own: large materialized views it recomputes (recreated
 *		populated, or refreshed after an in-place replacement), and how many
 *		objects it drops.
 */
static void
plan_hazards(HazardCtx *ctx, PgmgPlan *plan)
{
	int			drops = 0;
	ListCell   *lc;

	ctx->allowed = NIL;
	ctx->reported = 0;
	ctx->file = NULL;
	foreach(lc, plan->steps)
	{
		PgmgStep   *step = lfirst(lc);
		List	   *recomputed = NIL;
		ListCell   *sc;

		if (step->action == PGMG_ACT_DROP)
		{
			drops++;
			if (strncmp(step->object, "materialized_view.", 18) == 0)
				recomputed = list_make1(makeRangeVarFromNameList(stringToQualifiedNameList(step->object + 18)));
		}
		else
			foreach(sc, step->sql)
			{
				PgmgSql    *sql = lfirst(sc);

				if (strncmp(sql->text, "REFRESH MATERIALIZED VIEW ", 26) == 0)
					recomputed = lappend(recomputed,
										 ((RefreshMatViewStmt *) linitial_node(RawStmt, raw_parser(sql->text, RAW_PARSE_DEFAULT))->stmt)->relation);
			}
		foreach(sc, recomputed)
		{
			TableSize  *t = table_named(lfirst(sc));

			if (t == NULL || !t->large)
				continue;
			report(ctx, "matview_recompute", PGMG_SEVERITY_MEDIUM, t, -1,
				   "check that the plan must recreate it; the recompute holds an ACCESS EXCLUSIVE lock on it until the apply commits",
				   "materialized view %s is recomputed (%s)", t->name,
				   step->action == PGMG_ACT_DROP ? "dropped and created again" : "refreshed");
			((PgmgHazard *) llast(ctx->hazards))->file = step->file;
		}
	}
	if (drops >= pgmg_hazard_objects && pgmg_hazard_objects > 0)
	{
		PgmgHazard *h = palloc0(sizeof(PgmgHazard));

		h->code = "many_objects";
		h->severity = PGMG_SEVERITY_MEDIUM;
		h->rows = -1;
		h->bytes = -1;
		h->message = psprintf("this plan drops and recreates %d objects; every one is locked until the apply commits",
							  drops);
		h->safer = "split the migration, or check why so much depends on what it changes (pgmg plan lists each reason)";
		ctx->hazards = lappend(ctx->hazards, h);
	}
}

/*
 * table_size
 *		The estimated size of a table (or materialized view), or NULL if it
 *		has none.
 */
static TableSize *
table_size(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Form_pg_class form;
	TableSize  *t;
	BlockNumber pages;
	ObjectAddress addr;
	List	   *indexes = NIL;
	ListCell   *lc;

	if (!HeapTupleIsValid(tup))
		return NULL;
	form = (Form_pg_class) GETSTRUCT(tup);
	if (form->relkind == RELKIND_PARTITIONED_TABLE)
	{
		ReleaseSysCache(tup);
		return partitioned_size(relid);
	}
	if (form->relkind != RELKIND_RELATION && form->relkind != RELKIND_MATVIEW)
	{
		ReleaseSysCache(tup);
		return NULL;
	}
	t = palloc0(sizeof(TableSize));
	t->relid = relid;
	ObjectAddressSet(addr, RelationRelationId, relid);
	t->object = pgmg_object_name(&addr);
	t->name = quote_qualified_identifier(get_namespace_name(form->relnamespace),
										 NameStr(form->relname));
	pages = form->relpages;

	/* the real number of pages, if that needs no wait */
	if (ConditionalLockRelationOid(relid, AccessShareLock))
	{
		Relation	rel = relation_open(relid, NoLock);

		pages = RelationGetNumberOfBlocks(rel);
		indexes = RelationGetIndexList(rel);
		relation_close(rel, NoLock);
		UnlockRelationOid(relid, AccessShareLock);
	}

	if (form->reltuples >= 0 && form->relpages > 0)
		t->rows = form->reltuples / form->relpages * pages;
	else if (form->reltuples >= 0 && pages == 0)
		t->rows = form->reltuples;
	else if (pages > 0)
	{
		int32		width = get_relation_data_width(relid, NULL);
		double		per_page = (BLCKSZ - SizeOfPageHeaderData) /
			(double) (width + MAXALIGN(SizeofHeapTupleHeader) + sizeof(ItemIdData));

		t->rows = floor(per_page) * pages;
		t->guessed = true;
	}
	else
		t->rows = 0;
	t->bytes = (int64) pages * BLCKSZ;
	foreach(lc, indexes)
	{
		HeapTuple	itup = SearchSysCache1(RELOID, ObjectIdGetDatum(lfirst_oid(lc)));

		if (HeapTupleIsValid(itup))
		{
			t->bytes += (int64) ((Form_pg_class) GETSTRUCT(itup))->relpages * BLCKSZ;
			ReleaseSysCache(itup);
		}
	}
	ReleaseSysCache(tup);
	t->empty = pages == 0 && t->rows <= 0;
	t->large = t->rows >= pgmg_hazard_rows ||
		t->bytes >= (int64) pgmg_hazard_size * 1024;
	return t;
}

/*
 * partitioned_size
 *		A partitioned table's size: the sum of its leaf partitions' (what
 *		ALTER TABLE on it rewrites or scans), each as table_size says.
 */
static TableSize *
partitioned_size(Oid relid)
{
	TableSize  *t = palloc0(sizeof(TableSize));
	ObjectAddress addr;
	ListCell   *lc;

	t->relid = relid;
	ObjectAddressSet(addr, RelationRelationId, relid);
	t->object = pgmg_object_name(&addr);
	t->name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
										 get_rel_name(relid));
	foreach(lc, find_all_inheritors(relid, NoLock, NULL))
	{
		TableSize  *part;

		if (lfirst_oid(lc) == relid ||
			get_rel_relkind(lfirst_oid(lc)) != RELKIND_RELATION ||
			(part = table_size(lfirst_oid(lc))) == NULL)
			continue;
		t->rows += part->rows;
		t->bytes += part->bytes;
		t->guessed |= part->guessed;
	}
	t->empty = t->bytes == 0 && t->rows <= 0;
	t->large = t->rows >= pgmg_hazard_rows ||
		t->bytes >= (int64) pgmg_hazard_size * 1024;
	return t;
}

/*
 * table_named
 *		table_size of a relation named in a statement, or NULL if there is
 *		none of that name now (one the migrations create is empty).
 */
static TableSize *
table_named(RangeVar *rv)
{
	Oid			relid;

	if (rv == NULL)
		return NULL;
	relid = RangeVarGetRelid(rv, NoLock, true);
	return OidIsValid(relid) ? table_size(relid) : NULL;
}

/*
 * report
 *		Add a hazard of the current statement (location: a byte offset of
 *		the part it is about, or -1 for the statement), marked allowed when
 *		its comments acknowledge the code.
 */
static void
report(HazardCtx *ctx, const char *code, PgmgSeverity severity, TableSize *t,
	   int location, const char *safer, const char *fmt,...)
{
	PgmgHazard *h = palloc0(sizeof(PgmgHazard));
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	appendStringInfo(&buf, " (%s)", size_text(t));

	h->code = code;
	h->severity = severity;
	h->object = t->object;
	h->rows = t->rows;
	h->bytes = t->bytes;
	h->message = buf.data;
	h->safer = safer;
	if (ctx->file)
	{
		h->file = ctx->file->path;
		h->line = location >= 0 ? pgmg_line_of(ctx->file->content, location) :
			ctx->stmt->line;
	}
	foreach(lc, ctx->allowed)
		if (strcmp(lfirst(lc), code) == 0)
			h->allowed = true;
	ctx->hazards = lappend(ctx->hazards, h);
	ctx->reported++;
}

/*
 * size_text
 *		"about 1000000 rows, 42 MB with indexes"; "up to" when the rows are
 *		guessed from the row width
 */
static char *
size_text(TableSize *t)
{
	char	   *pretty = text_to_cstring(DatumGetTextPP(
													   DirectFunctionCall1(pg_size_pretty,
																		   Int64GetDatum(t->bytes))));

	return psprintf("%s %.0f rows%s, %s with indexes", t->guessed ? "up to" : "about",
					t->rows, t->guessed ? " (never analysed)" : "", pretty);
}

/*
 * is_volatile
 *		Whether a raw default expression calls a function any of whose
 *		overloads of that name and argument count is volatile (the exact one
 *		is not known before analysis).
 */
static bool
is_volatile(Node *expr)
{
	return volatile_walker(expr, NULL);
}

static bool
volatile_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		FuncCall   *fc = (FuncCall *) node;
		FuncCandidateList c;

		for (c = FuncnameGetCandidates(fc->funcname, list_length(fc->args), NIL,
									   true, true, false, true);
			 c; c = c->next)
			if (func_volatile(c->oid) == PROVOLATILE_VOLATILE)
				return true;
	}
	return raw_expression_tree_walker(node, volatile_walker, context);
}

/*
 * option_set
 *		Whether a statement's options (DefElem *) turn name on, the last
 *		mention winning, as the server reads them.
 */
static bool
option_set(List *options, const char *name)
{
	bool		on = false;
	ListCell   *lc;

	foreach(lc, options)
		if (strcmp(((DefElem *) lfirst(lc))->defname, name) == 0)
			on = defGetBoolean(lfirst(lc));
	return on;
}

/*
 * is_serial
 *		Whether a column's type is one of the serial pseudo-types.
 */
static bool
is_serial(TypeName *tn)
{
	const char *name;

	if (tn == NULL || list_length(tn->names) != 1 || tn->arrayBounds)
		return false;
	name = strVal(linitial(tn->names));
	return strcmp(name, "serial") == 0 || strcmp(name, "bigserial") == 0 ||
		strcmp(name, "smallserial") == 0 || strcmp(name, "serial2") == 0 ||
		strcmp(name, "serial4") == 0 || strcmp(name, "serial8") == 0;
}

/*
 * narrows
 *		Whether a column's new type may not hold every value of the old one:
 *		a smaller length or precision of the same type, a smaller integer
 *		or float, a number made an integer, text given a length, a time
 *		stamp made a date or a time.
 */
static bool
narrows(Oid oldtype, int32 oldmod, Oid newtype, int32 newmod)
{
	char		oldcat;
	char		newcat;
	bool		pref;

	if (oldtype == newtype)
	{
		if (newmod < 0)
			return false;
		if (oldmod < 0)
			return true;
		if (oldtype == NUMERICOID)
			return ((newmod - VARHDRSZ) >> 16) - ((newmod - VARHDRSZ) & 0xffff) <
				((oldmod - VARHDRSZ) >> 16) - ((oldmod - VARHDRSZ) & 0xffff) ||
				((newmod - VARHDRSZ) & 0xffff) < ((oldmod - VARHDRSZ) & 0xffff);
		return newmod < oldmod;
	}
	get_type_category_preferred(oldtype, &oldcat, &pref);
	get_type_category_preferred(newtype, &newcat, &pref);
	if (oldcat == TYPCATEGORY_NUMERIC && newcat == TYPCATEGORY_NUMERIC)
	{
		bool		oldint = oldtype == INT2OID || oldtype == INT4OID || oldtype == INT8OID;
		bool		newint = newtype == INT2OID || newtype == INT4OID || newtype == INT8OID;

		if (newint && !oldint)
			return true;
		if (newint && oldint)
			return get_typlen(newtype) < get_typlen(oldtype);
		if (newtype == FLOAT4OID && oldtype != INT2OID)
			return true;
		return newtype == NUMERICOID && newmod >= 0;
	}
	if (oldcat == TYPCATEGORY_STRING && newcat == TYPCATEGORY_STRING)
		return newmod >= 0 && (oldmod < 0 || newmod < oldmod);
	if (oldcat == TYPCATEGORY_DATETIME && newcat == TYPCATEGORY_DATETIME)
		return (oldtype == TIMESTAMPOID || oldtype == TIMESTAMPTZOID) &&
			(newtype == DATEOID || newtype == TIMEOID || newtype == TIMETZOID);
	return false;
}

/*
 * rewrites
 *		Whether ALTER COLUMN ... TYPE (without USING) rewrites the table:
 *		not when the type stays and its length or precision only grows (or
 *		is dropped), or when the new type is binary compatible and takes no
 *		length.
 */
static bool
rewrites(Oid oldtype, int32 oldmod, Oid newtype, int32 newmod)
{
	if (oldtype == newtype)
	{
		if (newmod < 0 || newmod == oldmod)
			return false;
		if (oldmod < 0)
			return true;
		if (oldtype == NUMERICOID)
			return ((newmod - VARHDRSZ) & 0xffff) != ((oldmod - VARHDRSZ) & 0xffff) ||
				newmod < oldmod;
		return newmod < oldmod;
	}
	return !(IsBinaryCoercible(oldtype, newtype) && newmod < 0);
}
