/*-------------------------------------------------------------------------
 *
 * migration.c
 *	  What a migration is, learned from its parse trees: whether it is
 *	  marked "-- pgmg:no-transaction", that it controls no transaction,
 *	  the objects it alters, renames or drops (its targets), which the
 *	  planner wraps: what depends on them is dropped before and recreated
 *	  after; what it references (parse.c's walker), so that code it needs
 *	  is created before it; and what it creates, so that references to
 *	  those names are not reported missing.
 *
 * Statements are split by parse.c's pgmg_split_statements, so positions in
 * errors mean the same in both.  Target lookups take no locks.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/migration.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "pgmg.h"

static void migration_statement(PgmgFile *file, PgmgStmt *stmt);
static PgmgTarget *add_target(PgmgFile *file, PgmgStmt *stmt, PgmgTargetKind kind,
							  Node *object, ObjectType objtype, bool breaking);
static void read_alter_table(PgmgTarget *t, AlterTableStmt *stmt);
static void add_column_change(PgmgTarget *t, const char *column, const char *change);
static bool select_creates_nothing(SelectStmt *stmt);

/*
 * pgmg_parse_migration
 *		Parse a migration: its statements, whether it is marked
 *		"-- pgmg:no-transaction" on its first line, the objects it alters,
 *		renames or drops (file->targets), and what it references
 *		(file->refs), so that code it needs is created before it.
 *
 * Transaction control is an error; so is a statement that cannot run in a
 * transaction block when the migration is not marked.
 */
void
pgmg_parse_migration(PgmgFile *file)
{
	const char *p = file->content;	/* its BOM was stripped when read */
	ListCell   *lc;

	if (file->parsed)
		return;

	if (strncmp(p, "-- pgmg:no-transaction", 22) == 0 &&
		(p[22] == '\0' || p[22] == '\n' || p[22] == '\r' || p[22] == ' ' ||
		 p[22] == '\t'))
		file->no_transaction = true;

	pgmg_split_statements(file);
	foreach(lc, file->stmts)
	{
		ErrorContextCallback errcb;
		PgmgStmt   *stmt = lfirst(lc);

		pgmg_push_file_context(&errcb, file, stmt->location, NULL);
		migration_statement(file, stmt);
		pgmg_collect_refs(file, stmt);
		error_context_stack = errcb.previous;
	}
	file->parsed = true;
}

/*
 * migration_statement
 *		Check one statement of a migration and record its targets.
 */
static void
migration_statement(PgmgFile *file, PgmgStmt *stmt)
{
	Node	   *n = stmt->parsetree;
	const char *needs_outside = NULL;
	ListCell   *lc;

	switch (nodeTag(n))
	{
		case T_TransactionStmt:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
					 errmsg("%s is not allowed in migration \"%s\" (line %d)",
							GetCommandTagName(CreateCommandTag(n)), file->path, stmt->line),
					 errdetail("pgmg runs each migration inside the apply's transaction."),
					 errhint("Remove it; to run a statement outside a transaction, put it in its own migration whose first line is \"-- pgmg:no-transaction\".")));
			break;
		case T_IndexStmt:
			if (((IndexStmt *) n)->concurrent)
				needs_outside = "CREATE INDEX CONCURRENTLY";
			break;
		case T_ReindexStmt:
			foreach(lc, ((ReindexStmt *) n)->params)
				if (strcmp(lfirst_node(DefElem, lc)->defname, "concurrently") == 0)
					needs_outside = "REINDEX CONCURRENTLY";
			break;
		case T_AlterSystemStmt:
			needs_outside = "ALTER SYSTEM";
			break;
		case T_VacuumStmt:
			if (((VacuumStmt *) n)->is_vacuumcmd)
				needs_outside = "VACUUM";
			break;
		case T_CreatedbStmt:
		case T_DropdbStmt:
		case T_CreateTableSpaceStmt:
		case T_DropTableSpaceStmt:
			needs_outside = GetCommandTagName(CreateCommandTag(n));
			break;
		case T_DropStmt:
			{
				DropStmt   *ds = (DropStmt *) n;

				if (ds->concurrent)
					needs_outside = "DROP INDEX CONCURRENTLY";
				foreach(lc, ds->objects)
				{
					Node	   *obj = lfirst(lc);

					switch (ds->removeType)
					{
						case OBJECT_TABLE:
						case OBJECT_VIEW:
						case OBJECT_MATVIEW:
						case OBJECT_FOREIGN_TABLE:
							add_target(file, stmt, PGMG_TARGET_RELATION,
									   (Node *) makeRangeVarFromNameList((List *) obj),
									   ds->removeType, true);
							break;
						case OBJECT_TYPE:
						case OBJECT_DOMAIN:
							add_target(file, stmt, PGMG_TARGET_TYPE, obj, ds->removeType, true);
							break;
						case OBJECT_FUNCTION:
						case OBJECT_PROCEDURE:
						case OBJECT_ROUTINE:
						case OBJECT_AGGREGATE:
							add_target(file, stmt, PGMG_TARGET_FUNCTION, obj, ds->removeType, true);
							break;
						case OBJECT_SCHEMA:
							add_target(file, stmt, PGMG_TARGET_UNKNOWN, NULL, 0, true);
							break;
						default:
							break;
					}
				}
				break;
			}
		case T_AlterTableStmt:
			{
				AlterTableStmt *as = (AlterTableStmt *) n;
				bool		breaking = false;

				foreach(lc, as->cmds)
				{
					AlterTableType t = lfirst_node(AlterTableCmd, lc)->subtype;

					if (t == AT_AlterColumnType || t == AT_DropColumn)
						breaking = true;
				}
				if (as->objtype != OBJECT_INDEX && as->objtype != OBJECT_SEQUENCE)
					read_alter_table(add_target(file, stmt, PGMG_TARGET_RELATION,
												(Node *) as->relation, as->objtype,
												breaking),
									 as);
				break;
			}
		case T_RenameStmt:
			{
				RenameStmt *rs = (RenameStmt *) n;

				switch (rs->renameType)
				{
					case OBJECT_TABLE:
					case OBJECT_VIEW:
					case OBJECT_MATVIEW:
					case OBJECT_FOREIGN_TABLE:
						add_target(file, stmt, PGMG_TARGET_RELATION, (Node *) rs->relation,
								   rs->relationType, false);
						break;
					case OBJECT_COLUMN:
					case OBJECT_ATTRIBUTE:
						{
							PgmgTarget *t = add_target(file, stmt, PGMG_TARGET_RELATION,
													   (Node *) rs->relation,
													   rs->relationType, false);

							t->whole = false;
							add_column_change(t, rs->subname,
											  psprintf("renamed to %s", quote_identifier(rs->newname)));
							break;
						}
					case OBJECT_TABCONSTRAINT:
						/* what depends on a constraint follows its rename */
						add_target(file, stmt, PGMG_TARGET_RELATION, (Node *) rs->relation,
								   rs->relationType, false)->whole = false;
						break;
					case OBJECT_TYPE:
					case OBJECT_DOMAIN:
						add_target(file, stmt, PGMG_TARGET_TYPE,
								   (Node *) makeTypeNameFromNameList((List *) rs->object),
								   rs->renameType, false);
						break;
					case OBJECT_FUNCTION:
					case OBJECT_PROCEDURE:
					case OBJECT_ROUTINE:
					case OBJECT_AGGREGATE:
						add_target(file, stmt, PGMG_TARGET_FUNCTION, rs->object,
								   rs->renameType, false);
						break;
					case OBJECT_SCHEMA:
						add_target(file, stmt, PGMG_TARGET_UNKNOWN, NULL, 0, false);
						break;
					default:
						break;
				}
				break;
			}
		case T_AlterObjectSchemaStmt:
			{
				AlterObjectSchemaStmt *as = (AlterObjectSchemaStmt *) n;

				if (as->relation)
					add_target(file, stmt, PGMG_TARGET_RELATION, (Node *) as->relation,
							   as->objectType, false);
				else if (as->objectType == OBJECT_TYPE || as->objectType == OBJECT_DOMAIN)
					add_target(file, stmt, PGMG_TARGET_TYPE,
							   (Node *) makeTypeNameFromNameList((List *) as->object),
							   as->objectType, false);
				else if (as->objectType == OBJECT_FUNCTION ||
						 as->objectType == OBJECT_PROCEDURE ||
						 as->objectType == OBJECT_AGGREGATE)
					add_target(file, stmt, PGMG_TARGET_FUNCTION, as->object,
							   as->objectType, false);
				break;
			}
		case T_AlterEnumStmt:
			add_target(file, stmt, PGMG_TARGET_TYPE,
					   (Node *) makeTypeNameFromNameList(((AlterEnumStmt *) n)->typeName),
					   OBJECT_TYPE, false);
			break;
		case T_AlterTypeStmt:
			add_target(file, stmt, PGMG_TARGET_TYPE,
					   (Node *) makeTypeNameFromNameList(((AlterTypeStmt *) n)->typeName),
					   OBJECT_TYPE, false);
			break;
		case T_AlterDomainStmt:
			add_target(file, stmt, PGMG_TARGET_TYPE,
					   (Node *) makeTypeNameFromNameList(((AlterDomainStmt *) n)->typeName),
					   OBJECT_DOMAIN, false);
			break;
		case T_ViewStmt:
			/* CREATE OR REPLACE VIEW of an object a code file may manage */
			if (((ViewStmt *) n)->replace)
				add_target(file, stmt, PGMG_TARGET_RELATION,
						   (Node *) ((ViewStmt *) n)->view, OBJECT_VIEW, false);
			break;
		case T_CreateFunctionStmt:
			{
				CreateFunctionStmt *fs = (CreateFunctionStmt *) n;
				ObjectWithArgs *owa;

				if (!fs->replace)
					break;
				owa = makeNode(ObjectWithArgs);
				owa->objname = fs->funcname;
				foreach(lc, fs->parameters)
				{
					FunctionParameter *fp = lfirst(lc);

					if (fp->mode != FUNC_PARAM_OUT && fp->mode != FUNC_PARAM_TABLE)
						owa->objargs = lappend(owa->objargs, fp->argType);
				}
				add_target(file, stmt, PGMG_TARGET_FUNCTION, (Node *) owa,
						   fs->is_procedure ? OBJECT_PROCEDURE : OBJECT_FUNCTION, false);
				break;
			}
		case T_AlterFunctionStmt:
			add_target(file, stmt, PGMG_TARGET_FUNCTION,
					   (Node *) ((AlterFunctionStmt *) n)->func,
					   ((AlterFunctionStmt *) n)->objtype, false);
			break;
		case T_DoStmt:
		case T_CallStmt:
			/* what runs inside cannot be known from the parse tree */
			add_target(file, stmt, PGMG_TARGET_UNKNOWN, NULL, 0, true);
			break;
		default:
			break;
	}

	if (needs_outside && !file->no_transaction)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("%s cannot run inside a transaction (migration \"%s\", line %d)",
						needs_outside, file->path, stmt->line),
				 errhint("Make \"-- pgmg:no-transaction\" the first line of the migration; the client then runs it on its own, outside a transaction.")));
}

/*
 * add_target
 *		Note an object the statement alters, renames or drops.  It can
 *		affect everything that depends on it (whole) until the caller says
 *		which parts it changes.
 */
static PgmgTarget *
add_target(PgmgFile *file, PgmgStmt *stmt, PgmgTargetKind kind, Node *object,
		   ObjectType objtype, bool breaking)
{
	PgmgTarget *t = palloc0(sizeof(PgmgTarget));

	t->kind = kind;
	t->breaking = breaking;
	t->whole = true;
	t->replaces = kind == PGMG_TARGET_UNKNOWN ||
		(kind == PGMG_TARGET_RELATION &&
		 (IsA(stmt->parsetree, DropStmt) || IsA(stmt->parsetree, AlterObjectSchemaStmt) ||
		  (IsA(stmt->parsetree, RenameStmt) &&
		   (((RenameStmt *) stmt->parsetree)->renameType == OBJECT_TABLE ||
			((RenameStmt *) stmt->parsetree)->renameType == OBJECT_FOREIGN_TABLE ||
			((RenameStmt *) stmt->parsetree)->renameType == OBJECT_VIEW ||
			((RenameStmt *) stmt->parsetree)->renameType == OBJECT_MATVIEW))));
	t->drops = IsA(stmt->parsetree, DropStmt);
	t->removes = t->drops || IsA(stmt->parsetree, AlterObjectSchemaStmt) ||
		(IsA(stmt->parsetree, RenameStmt) &&
		 ((RenameStmt *) stmt->parsetree)->renameType != OBJECT_COLUMN &&
		 ((RenameStmt *) stmt->parsetree)->renameType != OBJECT_TABCONSTRAINT &&
		 ((RenameStmt *) stmt->parsetree)->renameType != OBJECT_ATTRIBUTE);
	t->check_only = IsA(stmt->parsetree, ViewStmt) ||
		IsA(stmt->parsetree, CreateFunctionStmt) ||
		IsA(stmt->parsetree, AlterFunctionStmt);
	t->redefines = IsA(stmt->parsetree, ViewStmt) ||
		IsA(stmt->parsetree, CreateFunctionStmt) ||
		IsA(stmt->parsetree, AlterFunctionStmt) ||
		(IsA(stmt->parsetree, AlterTableStmt) &&
		 (objtype == OBJECT_VIEW || objtype == OBJECT_MATVIEW)) ||
		(IsA(stmt->parsetree, RenameStmt) &&
		 (objtype == OBJECT_VIEW || objtype == OBJECT_MATVIEW ||
		  objtype == OBJECT_FUNCTION || objtype == OBJECT_PROCEDURE)) ||
		(IsA(stmt->parsetree, AlterObjectSchemaStmt) &&
		 (objtype == OBJECT_VIEW || objtype == OBJECT_MATVIEW ||
		  objtype == OBJECT_FUNCTION || objtype == OBJECT_PROCEDURE));
	t->line = stmt->line;
	if (kind == PGMG_TARGET_RELATION)
		t->relation = (RangeVar *) object;
	else if (kind == PGMG_TARGET_TYPE)
		t->type = (TypeName *) object;
	else if (kind == PGMG_TARGET_FUNCTION)
	{
		t->function = (ObjectWithArgs *) object;
		t->function_type = objtype;
	}
	t->migration = file;
	file->targets = lappend(file->targets, t);
	return t;
}

/*
 * read_alter_table
 *		Which parts of its relation an ALTER TABLE changes in a way that
 *		what depends on them may not survive: the columns it retypes or
 *		drops, the constraints it drops.  Subcommands that no dependent can
 *		notice (adding columns, constraints, indexes or defaults, NOT NULL,
 *		statistics, storage, options, triggers and rules switched, owner,
 *		identity, partitions, inheritance, logged or not) change no part;
 *		one not known here makes the whole relation the target.  Adding a
 *		column is noted: a view that reads the relation with * would have
 *		it when made again from its file.
 */
static void
read_alter_table(PgmgTarget *t, AlterTableStmt *stmt)
{
	ListCell   *lc;

	t->whole = false;
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		switch (cmd->subtype)
		{
			case AT_AlterColumnType:
				add_column_change(t, cmd->name, "retyped");
				break;
			case AT_DropColumn:
				add_column_change(t, cmd->name, "dropped");
				break;
			case AT_DropConstraint:
				t->constraints = lappend(t->constraints, cmd->name);
				break;
			case AT_AddColumn:
				t->adds_columns = true;
				break;
			case AT_ColumnDefault:
			case AT_DropNotNull:
			case AT_SetNotNull:
			case AT_DropExpression:
			case AT_SetStatistics:
			case AT_SetOptions:
			case AT_ResetOptions:
			case AT_SetStorage:
			case AT_SetCompression:
			case AT_AddIndex:
			case AT_AddConstraint:
			case AT_AlterConstraint:
			case AT_ValidateConstraint:
			case AT_AddIndexConstraint:
			case AT_AlterColumnGenericOptions:
			case AT_ChangeOwner:
			case AT_ClusterOn:
			case AT_DropCluster:
			case AT_SetLogged:
			case AT_SetUnLogged:
			case AT_SetAccessMethod:
			case AT_SetTableSpace:
			case AT_SetRelOptions:
			case AT_ResetRelOptions:
			case AT_EnableTrig:
			case AT_EnableAlwaysTrig:
			case AT_EnableReplicaTrig:
			case AT_DisableTrig:
			case AT_EnableTrigAll:
			case AT_DisableTrigAll:
			case AT_EnableTrigUser:
			case AT_DisableTrigUser:
			case AT_EnableRule:
			case AT_EnableAlwaysRule:
			case AT_EnableReplicaRule:
			case AT_DisableRule:
			case AT_AddInherit:
			case AT_DropInherit:
			case AT_ReplicaIdentity:
			case AT_EnableRowSecurity:
			case AT_DisableRowSecurity:
			case AT_ForceRowSecurity:
			case AT_NoForceRowSecurity:
			case AT_GenericOptions:
			case AT_AttachPartition:
			case AT_DetachPartition:
			case AT_DetachPartitionFinalize:
			case AT_AddIdentity:
			case AT_SetIdentity:
			case AT_DropIdentity:
				break;
			default:
				t->whole = true;
				break;
		}
	}
}

static void
add_column_change(PgmgTarget *t, const char *column, const char *change)
{
	PgmgColumnChange *c = palloc(sizeof(PgmgColumnChange));

	c->column = pstrdup(column);
	c->change = change;
	t->columns = lappend(t->columns, c);
}

/*
 * pgmg_resolve_target
 *		The existing object a target names, if any; a composite type named
 *		as a relation is its pg_type entry.  No locks.
 */
bool
pgmg_resolve_target(PgmgTarget *target, ObjectAddress *addr)
{
	addr->objectSubId = 0;
	addr->objectId = InvalidOid;
	switch (target->kind)
	{
		case PGMG_TARGET_RELATION:
			addr->classId = RelationRelationId;
			addr->objectId = RangeVarGetRelid(target->relation, NoLock, true);
			if (OidIsValid(addr->objectId) &&
				get_rel_relkind(addr->objectId) == RELKIND_COMPOSITE_TYPE)
			{
				addr->classId = TypeRelationId;
				addr->objectId = get_rel_type_id(addr->objectId);
			}
			break;
		case PGMG_TARGET_TYPE:
			addr->classId = TypeRelationId;
			addr->objectId = pgmg_type_oid(target->type);
			break;
		case PGMG_TARGET_FUNCTION:
			addr->classId = ProcedureRelationId;
			addr->objectId = LookupFuncWithArgs(target->function_type,
												target->function, true);
			break;
		case PGMG_TARGET_UNKNOWN:
			break;
	}
	return OidIsValid(addr->objectId);
}

/*
 * pgmg_migration_creates
 *		Add to names ("r:name", "t:name", "f:name", unqualified; "s:name"
 *		for schemas) what a parsed migration creates or gives a name to:
 *		schemas, relations and their row types, types, functions, and the
 *		new names of what it renames or moves.  False when it runs something whose effects its parse
 *		trees do not tell (DO, CALL, CREATE EXTENSION, a SELECT of a
 *		function of ours, ...): then anything may exist after it.
 */
bool
pgmg_migration_creates(PgmgFile *file, HTAB *names)
{
	ListCell   *lc;

	foreach(lc, file->stmts)
	{
		Node	   *n = ((PgmgStmt *) lfirst(lc))->parsetree;
		const char *rel = NULL;
		const char *type = NULL;
		const char *func = NULL;

		switch (nodeTag(n))
		{
			case T_CreateStmt:
			case T_CreateForeignTableStmt:
				rel = type = ((CreateStmt *) n)->relation->relname;
				break;
			case T_CreateTableAsStmt:
				rel = type = ((CreateTableAsStmt *) n)->into->rel->relname;
				break;
			case T_ViewStmt:
				rel = type = ((ViewStmt *) n)->view->relname;
				break;
			case T_CreateSeqStmt:
				rel = ((CreateSeqStmt *) n)->sequence->relname;
				break;
			case T_CompositeTypeStmt:
				type = ((CompositeTypeStmt *) n)->typevar->relname;
				break;
			case T_CreateEnumStmt:
				type = strVal(llast(((CreateEnumStmt *) n)->typeName));
				break;
			case T_CreateRangeStmt:
				/* a range type also makes its constructor functions */
				type = func = strVal(llast(((CreateRangeStmt *) n)->typeName));
				break;
			case T_CreateDomainStmt:
				type = strVal(llast(((CreateDomainStmt *) n)->domainname));
				break;
			case T_DefineStmt:
				if (((DefineStmt *) n)->kind == OBJECT_TYPE)
					type = strVal(llast(((DefineStmt *) n)->defnames));
				else if (((DefineStmt *) n)->kind == OBJECT_AGGREGATE)
					func = strVal(llast(((DefineStmt *) n)->defnames));
				break;
			case T_CreateFunctionStmt:
				func = strVal(llast(((CreateFunctionStmt *) n)->funcname));
				break;
			case T_RenameStmt:
				rel = type = func = ((RenameStmt *) n)->newname;
				break;
			case T_AlterObjectSchemaStmt:
				{
					AlterObjectSchemaStmt *as = (AlterObjectSchemaStmt *) n;

					if (as->relation)
						rel = type = as->relation->relname;
					else if (as->object && IsA(as->object, List))
						type = strVal(llast((List *) as->object));
					else if (as->object && IsA(as->object, ObjectWithArgs))
						func = strVal(llast(((ObjectWithArgs *) as->object)->objname));
					break;
				}
			case T_CreateSchemaStmt:
				if (((CreateSchemaStmt *) n)->schemaElts != NIL)
					return false;
				if (((CreateSchemaStmt *) n)->schemaname)
					pgmg_str_put(names, psprintf("s:%s", ((CreateSchemaStmt *) n)->schemaname), file);
				break;
			case T_SelectStmt:
				if (!select_creates_nothing((SelectStmt *) n))
					return false;
				break;
			case T_DoStmt:
			case T_CallStmt:
			case T_CreateExtensionStmt:
			case T_AlterExtensionStmt:
			case T_AlterExtensionContentsStmt:
			case T_ImportForeignSchemaStmt:
			case T_ExecuteStmt:
				return false;
			default:
				break;
		}
		if (rel)
			pgmg_str_put(names, psprintf("r:%s", rel), file);
		if (type)
			pgmg_str_put(names, psprintf("t:%s", type), file);
		if (func)
			pgmg_str_put(names, psprintf("f:%s", func), file);
	}
	return true;
}

/*
 * select_creates_nothing
 *		A SELECT that only calls PostgreSQL's own functions, or the setting
 *		and sequence functions pg_dump writes, creates nothing.
 */
static bool
select_creates_nothing(SelectStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->targetList)
	{
		ResTarget  *rt = lfirst_node(ResTarget, lc);
		FuncCall   *fc;
		const char *name;

		if (rt->val == NULL || !IsA(rt->val, FuncCall))
			return rt->val == NULL || IsA(rt->val, A_Const);
		fc = (FuncCall *) rt->val;
		name = strVal(llast(fc->funcname));
		if (list_length(fc->funcname) >= 2 &&
			strcmp(strVal(list_nth(fc->funcname, list_length(fc->funcname) - 2)),
				   "pg_catalog") != 0)
			return false;
		if (list_length(fc->funcname) == 1 &&
			strcmp(name, "set_config") != 0 && strcmp(name, "setval") != 0 &&
			strcmp(name, "nextval") != 0)
			return false;
	}
	return stmt->fromClause == NIL;
}

/*
 * pgmg_created_key
 *		The key under which pgmg_migration_creates records the name a
 *		relation, type or function reference names.
 */
char *
pgmg_created_key(PgmgRef *ref)
{
	Assert(ref->kind <= PGMG_REF_FUNCTION);
	return psprintf("%c:%s", pgmg_ref_namespace(ref->kind), strVal(llast(ref->names)));
}
