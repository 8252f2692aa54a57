/*-------------------------------------------------------------------------
 *
 * parse.c
 *	  What a code file defines and what it references, learned from
 *	  PostgreSQL's own parser (raw_parser) inside the backend.
 *
 * Every statement of a code file is classified: it either defines an
 * object (CREATE VIEW, CREATE FUNCTION, CREATE TYPE, CREATE TRIGGER, ...)
 * or decorates one (GRANT, COMMENT ON, ALTER ... OWNER TO, CREATE INDEX on
 * a materialized view, ...).  Anything else is an error naming the file
 * and line: nothing is silently skipped.  Statements run later exactly as
 * written; the parse trees are only read here.
 *
 * References are collected by walking the raw trees by hand (view queries,
 * CREATE TABLE AS queries, BEGIN ATOMIC bodies, signatures, and SQL string
 * bodies; for migrations, their tables' columns, constraints, indexes and
 * their queries).  Names bind as PostgreSQL binds them: a CTE hides a
 * relation only in its own WITH statement; operators and the target types
 * of casts are references too.  References needed when the object is
 * created are "hard"; the string bodies of functions are late-bound
 * ("soft"), since pgmg creates objects with check_function_bodies off.
 * A file's leading "-- pgmg:requires" lines are read here as well.
 *
 * Catalog lookups here take no locks: they only ask whether an object of
 * that name exists.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/parse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_language.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/policy.h"
#include "commands/trigger.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_func.h"
#include "parser/parse_oper.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "rewrite/rewriteSupport.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "pgmg.h"

/* state of the reference walker */
typedef struct RefContext
{
	PgmgFile   *file;
	PgmgStmt   *stmt;			/* the statement walked */
	bool		hard;
	List	   *ctes;			/* CTE names in scope: not relations */
} RefContext;

static void read_requires(PgmgFile *file);
static void classify_statement(PgmgFile *file, PgmgStmt *stmt);
static void alter_table_statement(PgmgFile *file, PgmgStmt *stmt,
								  AlterTableStmt *as);
static PgmgDef *file_defines(PgmgFile *file, RangeVar *rv, const char *trigger);
static PgmgDef *make_def(PgmgFile *file, PgmgStmt *stmt, List *names);
static bool defines_event_trigger(PgmgFile *file, const char *name);
static void not_allowed(PgmgFile *file, PgmgStmt *stmt, const char *detail,
						const char *hint);
static void walk_column(ColumnDef *cd, RefContext *ctx);
static void object_ref(RefContext *ctx, ObjectType objtype, Node *object);
static void walk_refs(Node *node, RefContext *ctx);
static bool ref_walker(Node *node, RefContext *ctx);
static PgmgRef *add_ref(RefContext *ctx, PgmgRefKind kind, List *names,
						int location);
static WithClause **statement_with_slot(Node *node);
static WithClause *statement_with(Node *node);
static bool walk_with_scope(Node *node, RefContext *ctx);
static void walk_function_body(CreateFunctionStmt *stmt, RefContext *ctx);
static List *parse_body(PgmgFile *file, DefElem *as, const char *body);
static List *rangevar_names(RangeVar *rv);
static List *routine_arg_types(CreateFunctionStmt *stmt);
static List *aggregate_arg_types(DefineStmt *stmt);
static TypeName *defelem_type(List *definition, const char *name);
static bool function_replaceable(CreateFunctionStmt *stmt, Oid funcoid);
static bool enum_replaceable(PgmgDef *def, CreateEnumStmt *stmt, List **sql);
static char *or_replace_text(PgmgStmt *stmt);

/*
 * pgmg_parse_file
 *		Parse a code file: fill file->stmts, file->defs and file->refs.
 *
 * Errors (syntax, a statement that does not belong in a code file, a file
 * that defines nothing) name the file and line.  Statements are grouped
 * with the definition before them; statements before the first definition
 * go with the first.
 */
void
pgmg_parse_file(PgmgFile *file)
{
	ErrorContextCallback errcb;
	ListCell   *lc;
	PgmgDef    *current = NULL;
	List	   *pending = NIL;

	if (file->parsed)
		return;

	pgmg_split_statements(file);
	read_requires(file);
	foreach(lc, file->stmts)
	{
		PgmgStmt   *stmt = lfirst(lc);

		pgmg_push_file_context(&errcb, file, stmt->location, NULL);
		classify_statement(file, stmt);
		pgmg_collect_refs(file, stmt);
		error_context_stack = errcb.previous;

		if (stmt->def)
		{
			current = stmt->def;
			current->group = list_concat(pending, list_make1(stmt));
			pending = NIL;
		}
		else if (current)
			current->group = lappend(current->group, stmt);
		else
			pending = lappend(pending, stmt);
	}

	if (file->defs == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("code file \"%s\" defines no object", file->path),
				 errdetail("A code file must create at least one view, function, type or other code object."),
				 errhint("Tables and data belong in migrations.")));

	file->parsed = true;
}

/*
 * pgmg_split_statements
 *		Parse a file into file->stmts: each statement's parse tree, its exact
 *		text from its first token, and the line it starts on.  A syntax
 *		error names the file, line and column.
 */
void
pgmg_split_statements(PgmgFile *file)
{
	ErrorContextCallback errcb;
	MemoryContext parser = AllocSetContextCreate(CurrentMemoryContext,
												 "pgmg parser",
												 ALLOCSET_SMALL_SIZES);
	MemoryContext old;
	List	   *raw;
	ListCell   *lc;
	int			line = 1;
	int			scanned = 0;

	/*
	 * The parser's own buffers are not kept: the trees are copied out and
	 * its context deleted
	 */
	pgmg_push_file_context(&errcb, file, 0, NULL);
	old = MemoryContextSwitchTo(parser);
	raw = raw_parser(file->content, RAW_PARSE_DEFAULT);
	MemoryContextSwitchTo(old);
	error_context_stack = errcb.previous;

	foreach(lc, raw)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		PgmgStmt   *stmt = palloc0(sizeof(PgmgStmt));
		int			len = rs->stmt_len;

		stmt->parsetree = copyObject(rs->stmt);
		if (len == 0)
			len = strlen(file->content) - rs->stmt_location;
		/* start at the first token, after blanks and comments */
		stmt->location = pgmg_skip_blanks(file->content, rs->stmt_location,
									 rs->stmt_location + len);
		len -= stmt->location - rs->stmt_location;
		stmt->len = len;
		stmt->text = pnstrdup(file->content + stmt->location, len);
		for (; scanned < stmt->location; scanned++)
			if (file->content[scanned] == '\n')
				line++;
		stmt->line = line;
		file->stmts = lappend(file->stmts, stmt);
	}
	MemoryContextDelete(parser);
}

/*
 * pgmg_skip_blanks
 *		The offset of the first byte at or after pos that is neither white
 *		space nor inside a -- or (nested) block comment; end at most.
 */
int
pgmg_skip_blanks(const char *text, int pos, int end)
{
	while (pos < end)
	{
		if (isspace((unsigned char) text[pos]))
			pos++;
		else if (text[pos] == '-' && text[pos + 1] == '-')
		{
			while (pos < end && text[pos] != '\n')
				pos++;
		}
		else if (text[pos] == '/' && text[pos + 1] == '*')
		{
			int			depth = 1;

			pos += 2;
			while (pos < end && depth > 0)
			{
				if (text[pos] == '/' && text[pos + 1] == '*')
				{
					depth++;
					pos++;
				}
				else if (text[pos] == '*' && text[pos + 1] == '/')
				{
					depth--;
					pos++;
				}
				pos++;
			}
		}
		else
			break;
	}
	return pos;
}

/*
 * read_requires
 *		The paths named by "-- pgmg:requires path [path ...]" lines among
 *		the comments before the file's first statement: files this one
 *		runs after, whatever its references say.
 */
static void
read_requires(PgmgFile *file)
{
	const char *p = file->content;
	const char *end = p + (file->stmts ?
						   ((PgmgStmt *) linitial(file->stmts))->location :
						   strlen(p));
	const char *marker = "-- pgmg:requires";
	int			line = 1;

	while (p < end)
	{
		const char *eol = memchr(p, '\n', end - p);

		if (eol == NULL)
			eol = end;
		if (strncmp(p, marker, strlen(marker)) == 0 &&
			(p + strlen(marker) == eol || isspace((unsigned char) p[strlen(marker)])))
		{
			const char *q = p + strlen(marker);
			bool		any = false;

			while (q < eol)
			{
				const char *w;

				while (q < eol && (isspace((unsigned char) *q) || *q == ','))
					q++;
				w = q;
				while (q < eol && !isspace((unsigned char) *q) && *q != ',')
					q++;
				if (q > w)
				{
					file->requires = lappend(file->requires, pnstrdup(w, q - w));
					file->requires_lines = lappend_int(file->requires_lines, line);
					any = true;
				}
			}
			if (!any)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("\"-- pgmg:requires\" names no file in code file \"%s\" (line %d)",
								file->path, line),
						 errhint("Write the paths of the code files this one needs, e.g. \"-- pgmg:requires views/base.sql\".")));
		}
		p = eol + 1;
		line++;
	}
}

/*
 * classify_statement
 *		Decide what a statement defines or decorates; error out when it
 *		does not belong in a code file.
 */
static void
classify_statement(PgmgFile *file, PgmgStmt *stmt)
{
	Node	   *n = stmt->parsetree;

	switch (nodeTag(n))
	{
		case T_ViewStmt:
			{
				ViewStmt   *vs = (ViewStmt *) n;

				if (vs->view->relpersistence == RELPERSISTENCE_TEMP)
					not_allowed(file, stmt, "Temporary objects cannot be managed.", NULL);
				if (vs->options != NIL || vs->withCheckOption != NO_CHECK_OPTION)
					file->sets_options = true;
				make_def(file, stmt, rangevar_names(vs->view));
				break;
			}
		case T_CreateTableAsStmt:
			{
				CreateTableAsStmt *cs = (CreateTableAsStmt *) n;

				if (cs->objtype != OBJECT_MATVIEW)
					not_allowed(file, stmt, "Tables are changed by migrations.",
								"Move this statement to the migrations directory.");
				if (cs->into->options != NIL)
					file->sets_options = true;
				make_def(file, stmt, rangevar_names(cs->into->rel));
				break;
			}
		case T_CreateFunctionStmt:
			{
				CreateFunctionStmt *fs = (CreateFunctionStmt *) n;

				make_def(file, stmt, fs->funcname);
				break;
			}
		case T_DefineStmt:
			{
				DefineStmt *ds = (DefineStmt *) n;

				if (ds->kind == OBJECT_AGGREGATE && (ds->oldstyle || ds->args == NIL))
					not_allowed(file, stmt, "Old-style CREATE AGGREGATE is not supported.",
								"Write CREATE AGGREGATE name (argument types) (...).");
				if (pgmg_statement_kind(n) == NULL)
					not_allowed(file, stmt, NULL, NULL);
				make_def(file, stmt, ds->defnames);
				break;
			}
		case T_CompositeTypeStmt:
			make_def(file, stmt, rangevar_names(((CompositeTypeStmt *) n)->typevar));
			break;
		case T_CreateEnumStmt:
			make_def(file, stmt, ((CreateEnumStmt *) n)->typeName);
			break;
		case T_CreateRangeStmt:
			make_def(file, stmt, ((CreateRangeStmt *) n)->typeName);
			break;
		case T_CreateDomainStmt:
			make_def(file, stmt, ((CreateDomainStmt *) n)->domainname);
			break;
		case T_CreateTrigStmt:
			{
				CreateTrigStmt *ts = (CreateTrigStmt *) n;

				make_def(file, stmt, lappend(rangevar_names(ts->relation),
												  makeString(ts->trigname)));
				break;
			}
		case T_CreatePolicyStmt:
			{
				CreatePolicyStmt *ps = (CreatePolicyStmt *) n;

				make_def(file, stmt, lappend(rangevar_names(ps->table),
												  makeString(ps->policy_name)));
				break;
			}
		case T_RuleStmt:
			{
				RuleStmt   *rs = (RuleStmt *) n;

				make_def(file, stmt, lappend(rangevar_names(rs->relation),
												  makeString(rs->rulename)));
				break;
			}
		case T_CreateCastStmt:
			make_def(file, stmt, NIL);
			break;
		case T_CreateEventTrigStmt:
			make_def(file, stmt, list_make1(makeString(((CreateEventTrigStmt *) n)->trigname)));
			break;

			/* decorations: run with the object they follow */
		case T_GrantStmt:
			file->sets_acl = true;
			break;
		case T_CommentStmt:
			if (((CommentStmt *) n)->objtype == OBJECT_COLUMN)
				file->sets_column_comment = true;
			else
				file->sets_comment = true;
			break;
		case T_AlterOwnerStmt:
			file->sets_owner = true;
			break;
		case T_AlterFunctionStmt:
		case T_SecLabelStmt:
		case T_RefreshMatViewStmt:
		case T_AlterDomainStmt:
			break;
		case T_AlterTableStmt:
			alter_table_statement(file, stmt, (AlterTableStmt *) n);
			break;
		case T_AlterEventTrigStmt:
			if (!defines_event_trigger(file, ((AlterEventTrigStmt *) n)->trigname))
				not_allowed(file, stmt,
							"A code file may only enable or disable an event trigger it creates itself, earlier in the same file.",
							NULL);
			break;
		case T_IndexStmt:
			{
				IndexStmt  *is = (IndexStmt *) n;
				PgmgDef    *on = file_defines(file, is->relation, NULL);

				if (on == NULL || on->kind->objtype != OBJECT_MATVIEW || is->concurrent)
					not_allowed(file, stmt,
								"A code file may only index a materialized view it creates itself, earlier in the same file.",
								"Indexes on tables belong in migrations.");
				break;
			}
		case T_TransactionStmt:
			not_allowed(file, stmt,
						"pgmg runs every code file inside the caller's transaction.", NULL);
			break;
		case T_VariableSetStmt:
			not_allowed(file, stmt,
						"A setting changed by one code file would leak into the files after it.",
						"Set options on the object instead, e.g. CREATE FUNCTION ... SET search_path = ....");
			break;
		case T_AlterEnumStmt:
			not_allowed(file, stmt,
						"pgmg adds enum values itself when the CREATE TYPE statement lists them.",
						"Append the value to the CREATE TYPE ... AS ENUM list.");
			break;
		default:
			not_allowed(file, stmt, NULL,
						"Code files hold views, materialized views, functions, procedures, aggregates, types, domains, triggers, operators, casts, policies, rules and event triggers; tables, schemas, extensions and data belong in migrations.");
			break;
	}
}

/*
 * alter_table_statement
 *		ALTER VIEW and ALTER MATERIALIZED VIEW decorate the views of the
 *		file.  ALTER TABLE, as pg_dump writes it, is accepted only for what
 *		decorates an object this file defined before it: a view's or
 *		materialized view's owner, column defaults and options, and whether
 *		a trigger of the file fires (ENABLE [REPLICA | ALWAYS] / DISABLE
 *		TRIGGER).  Anything else changes a table, which migrations do.
 */
static void
alter_table_statement(PgmgFile *file, PgmgStmt *stmt, AlterTableStmt *as)
{
	bool		on_view = as->objtype == OBJECT_VIEW || as->objtype == OBJECT_MATVIEW;
	ListCell   *lc;

	if (!on_view && as->objtype == OBJECT_TABLE)
		on_view = file_defines(file, as->relation, NULL) != NULL;
	foreach(lc, as->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		switch (cmd->subtype)
		{
			case AT_ChangeOwner:
			case AT_ColumnDefault:
			case AT_SetRelOptions:
			case AT_ResetRelOptions:
			case AT_ReplaceRelOptions:
				if (!on_view)
					not_allowed(file, stmt, "Tables are changed by migrations; ALTER TABLE in a code file may only decorate a view or materialized view the file creates before it.",
								"Move this statement to the migrations directory, or after the CREATE VIEW it decorates.");
				if (cmd->subtype == AT_ChangeOwner)
					file->sets_owner = true;
				else if (cmd->subtype != AT_ColumnDefault)
					file->sets_options = true;
				break;
			case AT_EnableTrig:
			case AT_EnableAlwaysTrig:
			case AT_EnableReplicaTrig:
			case AT_DisableTrig:
				if (as->objtype != OBJECT_TABLE ||
					file_defines(file, as->relation, cmd->name) == NULL)
					not_allowed(file, stmt, psprintf("ALTER TABLE ... ENABLE or DISABLE TRIGGER in a code file must name a trigger the file creates before it; \"%s\" is not one.",
													 cmd->name),
								"Create the trigger in this file, or change whether it fires in a migration.");
				break;
			default:
				if (!on_view)
					not_allowed(file, stmt, "Tables are changed by migrations.",
								"Move this statement to the migrations directory.");
				break;
		}
	}
}

/*
 * file_defines
 *		The definition, in a statement of the file before this one, of the
 *		view or materialized view rv names (trigger NULL), or of the trigger
 *		of that name on the relation rv names; NULL if there is none.  An
 *		unqualified rv matches in any schema, as the search path would find
 *		the object just created.
 */
static PgmgDef *
file_defines(PgmgFile *file, RangeVar *rv, const char *trigger)
{
	ListCell   *lc;

	foreach(lc, file->defs)
	{
		PgmgDef    *d = lfirst(lc);
		PgmgName   *id = d->ident;

		if (trigger == NULL && (d->kind->namespaces & PGMG_NS_RELATION) &&
			strcmp(id->name, rv->relname) == 0 &&
			(rv->schemaname == NULL || strcmp(id->schema, rv->schemaname) == 0))
			return d;
		if (trigger && d->kind->objtype == OBJECT_TRIGGER &&
			strcmp(id->name, trigger) == 0 &&
			strcmp(id->relname, rv->relname) == 0 &&
			(rv->schemaname == NULL || id->schema == NULL ||
			 strcmp(id->schema, rv->schemaname) == 0))
			return d;
	}
	return NULL;
}

/* does the file create the event trigger of that name (so far)? */
static bool
defines_event_trigger(PgmgFile *file, const char *name)
{
	ListCell   *lc;

	foreach(lc, file->defs)
	{
		PgmgDef    *d = lfirst(lc);

		if (d->kind->objtype == OBJECT_EVENT_TRIGGER && strcmp(d->ident->name, name) == 0)
			return true;
	}
	return false;
}

/*
 * not_allowed
 *		Raise the error for a statement that does not belong in a code file.
 */
static void
not_allowed(PgmgFile *file, PgmgStmt *stmt, const char *detail,
			const char *hint)
{
	const char *tag = GetCommandTagName(CreateCommandTag(stmt->parsetree));

	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s is not allowed in code file \"%s\" (line %d)",
					tag, file->path, stmt->line),
			 detail ? errdetail_internal("%s", detail) : 0,
			 hint ? errhint("%s", hint) : 0));
}

/*
 * make_def
 *		Record the object a statement defines.  names is the object's name
 *		as written (possibly qualified); for objects on a relation
 *		(trigger, policy, rule) it is the relation's name plus the object's.
 */
static PgmgDef *
make_def(PgmgFile *file, PgmgStmt *stmt, List *names)
{
	PgmgDef    *def = palloc0(sizeof(PgmgDef));
	PgmgName   *ident = palloc0(sizeof(PgmgName));
	Node	   *n = stmt->parsetree;

	def->file = file;
	def->stmt = stmt;
	def->kind = ident->kind = pgmg_statement_kind(n);
	def->ident = ident;
	stmt->def = def;

	switch (def->kind->form)
	{
		case PGMG_FORM_ON_RELATION:
			{
				List	   *relnames = list_truncate(list_copy(names), list_length(names) - 1);

				ident->name = strVal(llast(names));
				ident->relname = strVal(llast(relnames));
				if (list_length(relnames) >= 2)
					ident->schema = strVal(list_nth(relnames, list_length(relnames) - 2));
				def->schema = pgmg_creation_schema(relnames);
				break;
			}
		case PGMG_FORM_CAST:
			{
				CreateCastStmt *cs = (CreateCastStmt *) n;

				ident->args = list_make2(cs->sourcetype, cs->targettype);
				def->schema = "pg_catalog";
				break;
			}
		case PGMG_FORM_GLOBAL:
			ident->name = strVal(linitial(names));
			def->schema = "";
			break;
		case PGMG_FORM_QUALIFIED:
		case PGMG_FORM_ROUTINE:
		case PGMG_FORM_OPERATOR:
			ident->name = strVal(llast(names));
			ident->schema = def->schema = pgmg_creation_schema(names);
			if (IsA(n, CreateFunctionStmt))
				ident->args = routine_arg_types((CreateFunctionStmt *) n);
			else if (def->kind->objtype == OBJECT_AGGREGATE)
				ident->args = aggregate_arg_types((DefineStmt *) n);
			else if (def->kind->objtype == OBJECT_OPERATOR)
			{
				DefineStmt *ds = (DefineStmt *) n;

				ident->args = list_make2(defelem_type(ds->definition, "leftarg"),
										 defelem_type(ds->definition, "rightarg"));
			}
			break;
	}
	def->key = pgmg_name_key(ident);
	if (ident->schema && (strcmp(ident->schema, "pg_catalog") == 0 ||
						  strcmp(ident->schema, "information_schema") == 0 ||
						  strcmp(ident->schema, "pg_toast") == 0))
		ereport(ERROR,
				(errcode(ERRCODE_RESERVED_NAME),
				 errmsg("code file \"%s\" defines %s in system schema \"%s\" (line %d)",
						file->path, def->key, ident->schema, stmt->line),
				 errdetail("pgmg never creates, replaces or drops objects of PostgreSQL itself."),
				 errhint("Create the object in a schema of your own.")));
	if (def->kind->form == PGMG_FORM_CAST)
		def->name = psprintf("%s AS %s", pgmg_type_text(linitial(ident->args)),
							 pgmg_type_text(lsecond(ident->args)));
	else
		def->name = ident->name;
	def->addr.classId = InvalidOid;
	def->addr.objectId = InvalidOid;
	file->defs = lappend(file->defs, def);
	return def;
}

/*
 * rangevar_names
 *		A RangeVar as a list of String nodes ([schema,] name).
 */
static List *
rangevar_names(RangeVar *rv)
{
	List	   *names = NIL;

	if (rv->schemaname)
		names = lappend(names, makeString(rv->schemaname));
	return lappend(names, makeString(rv->relname));
}

/*
 * routine_arg_types
 *		The TypeNames that identify a function or procedure: its input
 *		arguments, as in its identity.
 */
static List *
routine_arg_types(CreateFunctionStmt *stmt)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, stmt->parameters)
	{
		FunctionParameter *p = lfirst_node(FunctionParameter, lc);

		if (p->mode == FUNC_PARAM_TABLE || p->mode == FUNC_PARAM_OUT)
			continue;
		result = lappend(result, p->argType);
	}
	return result;
}

/*
 * aggregate_arg_types
 *		The argument TypeNames of a new-style CREATE AGGREGATE.
 */
static List *
aggregate_arg_types(DefineStmt *stmt)
{
	List	   *result = NIL;
	ListCell   *lc;

	if (stmt->args == NIL || linitial(stmt->args) == NULL)
		return NIL;
	foreach(lc, (List *) linitial(stmt->args))
		result = lappend(result, lfirst_node(FunctionParameter, lc)->argType);
	return result;
}

/*
 * defelem_type
 *		The TypeName argument of the named option of a DefineStmt, or NULL.
 */
static TypeName *
defelem_type(List *definition, const char *name)
{
	ListCell   *lc;

	foreach(lc, definition)
	{
		DefElem    *de = lfirst_node(DefElem, lc);

		if (strcmp(de->defname, name) == 0 && de->arg && IsA(de->arg, TypeName))
			return (TypeName *) de->arg;
	}
	return NULL;
}

/*
 * pgmg_refuse_other_kind
 *		Raise the error for a definition whose name an object of another
 *		kind holds (addr): a table where a view is defined, a view's row
 *		type where a type is, a procedure with a function's signature.
 */
void
pgmg_refuse_other_kind(PgmgDef *def, const ObjectAddress *addr)
{
	if (addr->classId == RelationRelationId)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("code file \"%s\" defines %s %s, but a relation of another kind has that name",
						def->file->path, def->kind->name, def->key),
				 errhint("Drop or rename the existing relation in a migration.")));
	if (addr->classId == TypeRelationId)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("code file \"%s\" defines %s %s, but another kind of type has that name",
						def->file->path, def->kind->name, def->key)));
	ereport(ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("code file \"%s\" defines %s, but %s has that signature",
					def->file->path, def->key, pgmg_object_name(addr)),
			 errdetail("The object is defined on line %d.", def->stmt->line),
			 errhint("Drop the existing object in a migration, or give the definition another name.")));
}

/*
 * pgmg_def_replaceable
 *		Can the existing object of def be replaced without dropping it?
 *
 * True for functions and procedures whose signature, parameter names and
 * result are unchanged (CREATE OR REPLACE keeps their OID, so triggers,
 * defaults and other dependents stay), for plain triggers (CREATE OR
 * REPLACE TRIGGER), for enums whose new list only appends values
 * (ALTER TYPE ... ADD VALUE), and for views whose new query keeps their
 * columns (CREATE OR REPLACE VIEW; columns.c decides; def->reads receives
 * what the query reads, def->not_replaced why it cannot be).  *sql
 * receives the statements that replace the defining statement (char *).
 * def->addr must be set.
 */
bool
pgmg_def_replaceable(PgmgDef *def, List **sql)
{
	Node	   *n = def->stmt->parsetree;

	*sql = NIL;
	if (!def->kind->replaceable)
		return false;
	if (IsA(n, CreateFunctionStmt))
	{
		if (!function_replaceable((CreateFunctionStmt *) n, def->addr.objectId))
			return false;
		*sql = list_make1(or_replace_text(def->stmt));
		return true;
	}
	if (IsA(n, CreateTrigStmt))
	{
		if (((CreateTrigStmt *) n)->isconstraint)
			return false;
		*sql = list_make1(or_replace_text(def->stmt));
		return true;
	}
	if (IsA(n, CreateEnumStmt))
		return enum_replaceable(def, (CreateEnumStmt *) n, sql);
	if (IsA(n, ViewStmt))
	{
		if (!pgmg_view_replaceable((ViewStmt *) n, def->stmt->text, def->addr.objectId,
								   &def->reads, &def->not_replaced))
			return false;
		*sql = list_make1(or_replace_text(def->stmt));
		return true;
	}
	return false;
}

/*
 * or_replace_text
 *		The statement with OR REPLACE after its leading CREATE, unless it
 *		already says so.
 */
static char *
or_replace_text(PgmgStmt *stmt)
{
	Node	   *n = stmt->parsetree;
	bool		replace = IsA(n, CreateFunctionStmt) ? ((CreateFunctionStmt *) n)->replace :
		IsA(n, ViewStmt) ? ((ViewStmt *) n)->replace : ((CreateTrigStmt *) n)->replace;

	if (replace || pg_strncasecmp(stmt->text, "create", 6) != 0)
		return stmt->text;
	return psprintf("%.6s OR REPLACE%s", stmt->text, stmt->text + 6);
}

/*
 * function_replaceable
 *		Same kind, parameters (modes, types, names), result and no fewer
 *		defaults: what CREATE OR REPLACE FUNCTION accepts.
 */
static bool
function_replaceable(CreateFunctionStmt *stmt, Oid funcoid)
{
	HeapTuple	tup;
	Form_pg_proc proc;
	Oid		   *old_types;
	char	  **old_names;
	char	   *old_modes;
	int			old_n;
	int			i = 0;
	int			ndefaults = 0;
	int			nout = 0;
	Oid			out_type = InvalidOid;
	Oid			rettype;
	bool		retset = false;
	bool		result = true;
	ListCell   *lc;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcoid));
	if (!HeapTupleIsValid(tup))
		return false;
	proc = (Form_pg_proc) GETSTRUCT(tup);

	if (proc->prokind != (stmt->is_procedure ? PROKIND_PROCEDURE : PROKIND_FUNCTION))
	{
		ReleaseSysCache(tup);
		return false;
	}

	old_n = get_func_arg_info(tup, &old_types, &old_names, &old_modes);
	if (old_n != list_length(stmt->parameters))
		result = false;

	foreach(lc, stmt->parameters)
	{
		FunctionParameter *p = lfirst_node(FunctionParameter, lc);
		char		mode = (p->mode == FUNC_PARAM_DEFAULT) ? FUNC_PARAM_IN : p->mode;
		char		old_mode = old_modes ? old_modes[i] : FUNC_PARAM_IN;
		const char *old_name = (old_names && old_names[i]) ? old_names[i] : "";
		Oid			t;

		if (!result)
			break;
		t = pgmg_type_oid(p->argType);
		if (mode != old_mode || t != old_types[i] ||
			strcmp(p->name ? p->name : "", old_name) != 0)
			result = false;
		if (p->defexpr)
			ndefaults++;
		if (mode == FUNC_PARAM_OUT || mode == FUNC_PARAM_INOUT ||
			mode == FUNC_PARAM_TABLE)
		{
			nout++;
			out_type = t;
		}
		i++;
	}

	if (result && ndefaults < proc->pronargdefaults)
		result = false;

	if (result && !stmt->is_procedure)
	{
		if (stmt->returnType)
		{
			rettype = pgmg_type_oid(stmt->returnType);
			retset = stmt->returnType->setof;
		}
		else
			rettype = (nout == 1) ? out_type : RECORDOID;
		if (rettype != proc->prorettype || retset != proc->proretset)
			result = false;
	}

	ReleaseSysCache(tup);
	return result;
}

/*
 * enum_replaceable
 *		True when the enum's current labels are a prefix of the new list;
 *		*sql gets one ALTER TYPE ... ADD VALUE per appended label.
 */
static bool
enum_replaceable(PgmgDef *def, CreateEnumStmt *stmt, List **sql)
{
	CatCList   *list;
	int			nold;
	char	  **old;
	float4	   *order;
	int			i,
				j;
	ListCell   *lc;
	char	   *typname;

	if (get_typtype(def->addr.objectId) != TYPTYPE_ENUM)
		return false;

	list = SearchSysCacheList1(ENUMTYPOIDNAME, ObjectIdGetDatum(def->addr.objectId));
	nold = list->n_members;
	old = palloc(sizeof(char *) * (nold + 1));
	order = palloc(sizeof(float4) * (nold + 1));
	for (i = 0; i < nold; i++)
	{
		Form_pg_enum e = (Form_pg_enum) GETSTRUCT(&list->members[i]->tuple);

		/* insertion sort by enumsortorder; enums are short */
		for (j = i; j > 0 && order[j - 1] > e->enumsortorder; j--)
		{
			order[j] = order[j - 1];
			old[j] = old[j - 1];
		}
		order[j] = e->enumsortorder;
		old[j] = pstrdup(NameStr(e->enumlabel));
	}
	ReleaseSysCacheList(list);

	if (list_length(stmt->vals) < nold)
		return false;
	i = 0;
	typname = format_type_be_qualified(def->addr.objectId);
	foreach(lc, stmt->vals)
	{
		char	   *label = strVal(lfirst(lc));

		if (i < nold)
		{
			if (strcmp(label, old[i]) != 0)
				return false;
		}
		else
			*sql = lappend(*sql, psprintf("ALTER TYPE %s ADD VALUE %s",
										  typname, quote_literal_cstr(label)));
		i++;
	}
	return true;
}

/* ---------------------------------------------------------------- refs */

/*
 * pgmg_collect_refs
 *		Add the names a statement references to file->refs: of a code
 *		file's statement, and of a migration's (the types, defaults,
 *		constraints and index expressions of the tables it makes or
 *		changes, and what its queries and data changes read or call).
 */
void
pgmg_collect_refs(PgmgFile *file, PgmgStmt *stmt)
{
	RefContext	ctx;
	Node	   *n = stmt->parsetree;
	ListCell   *lc;

	ctx.file = file;
	ctx.stmt = stmt;
	ctx.hard = true;
	ctx.ctes = NIL;

	switch (nodeTag(n))
	{
		case T_ViewStmt:
			walk_refs(((ViewStmt *) n)->query, &ctx);
			break;
		case T_CreateTableAsStmt:
			walk_refs(((CreateTableAsStmt *) n)->query, &ctx);
			break;
		case T_CreateFunctionStmt:
			{
				CreateFunctionStmt *fs = (CreateFunctionStmt *) n;

				foreach(lc, fs->parameters)
				{
					FunctionParameter *p = lfirst_node(FunctionParameter, lc);

					walk_refs((Node *) p->argType, &ctx);
					walk_refs(p->defexpr, &ctx);
				}
				walk_refs((Node *) fs->returnType, &ctx);
				walk_function_body(fs, &ctx);
				break;
			}
		case T_DefineStmt:
			{
				DefineStmt *ds = (DefineStmt *) n;

				foreach(lc, aggregate_arg_types(ds))
					walk_refs(lfirst(lc), &ctx);
				foreach(lc, ds->definition)
				{
					DefElem    *de = lfirst_node(DefElem, lc);

					/* keywords that the grammar reads as type names */
					if (de->arg == NULL || !IsA(de->arg, TypeName) ||
						strcmp(de->defname, "finalfunc_modify") == 0 ||
						strcmp(de->defname, "mfinalfunc_modify") == 0 ||
						strcmp(de->defname, "parallel") == 0)
						continue;
					if (strstr(de->defname, "func") || strcmp(de->defname, "function") == 0 ||
						strcmp(de->defname, "procedure") == 0 ||
						strcmp(de->defname, "restrict") == 0 || strcmp(de->defname, "join") == 0)
						add_ref(&ctx, PGMG_REF_FUNCTION, ((TypeName *) de->arg)->names,
								((TypeName *) de->arg)->location);
					else
						walk_refs(de->arg, &ctx);
				}
				break;
			}
		case T_CompositeTypeStmt:
			walk_refs((Node *) ((CompositeTypeStmt *) n)->coldeflist, &ctx);
			break;
		case T_CreateRangeStmt:
			foreach(lc, ((CreateRangeStmt *) n)->params)
			{
				DefElem    *de = lfirst_node(DefElem, lc);

				if (de->arg && IsA(de->arg, TypeName))
				{
					/* the operator class, collation and multirange name are not looked for */
					if (strcmp(de->defname, "subtype") == 0)
						walk_refs(de->arg, &ctx);
					else if (strcmp(de->defname, "canonical") == 0 ||
							 strcmp(de->defname, "subtype_diff") == 0)
						add_ref(&ctx, PGMG_REF_FUNCTION, ((TypeName *) de->arg)->names,
								((TypeName *) de->arg)->location);
				}
			}
			break;
		case T_CreateDomainStmt:
			{
				CreateDomainStmt *ds = (CreateDomainStmt *) n;

				walk_refs((Node *) ds->typeName, &ctx);
				foreach(lc, ds->constraints)
				{
					Constraint *c = lfirst_node(Constraint, lc);

					walk_refs(c->raw_expr, &ctx);
				}
				break;
			}
		case T_CreateTrigStmt:
			{
				CreateTrigStmt *ts = (CreateTrigStmt *) n;

				add_ref(&ctx, PGMG_REF_RELATION, rangevar_names(ts->relation),
						ts->relation->location);
				add_ref(&ctx, PGMG_REF_FUNCTION, ts->funcname, -1);
				walk_refs(ts->whenClause, &ctx);
				break;
			}
		case T_CreatePolicyStmt:
			{
				CreatePolicyStmt *ps = (CreatePolicyStmt *) n;

				add_ref(&ctx, PGMG_REF_RELATION, rangevar_names(ps->table),
						ps->table->location);
				walk_refs(ps->qual, &ctx);
				walk_refs(ps->with_check, &ctx);
				break;
			}
		case T_RuleStmt:
			{
				RuleStmt   *rs = (RuleStmt *) n;

				add_ref(&ctx, PGMG_REF_RELATION, rangevar_names(rs->relation),
						rs->relation->location);
				walk_refs(rs->whereClause, &ctx);
				foreach(lc, rs->actions)
				{
					Node	   *a = lfirst(lc);

					if (IsA(a, SelectStmt) || IsA(a, InsertStmt) ||
						IsA(a, UpdateStmt) || IsA(a, DeleteStmt))
						walk_refs(a, &ctx);
				}
				break;
			}
		case T_CreateCastStmt:
			{
				CreateCastStmt *cs = (CreateCastStmt *) n;

				walk_refs((Node *) cs->sourcetype, &ctx);
				walk_refs((Node *) cs->targettype, &ctx);
				if (cs->func)
					add_ref(&ctx, PGMG_REF_FUNCTION, cs->func->objname, -1);
				break;
			}
		case T_CreateEventTrigStmt:
			add_ref(&ctx, PGMG_REF_FUNCTION, ((CreateEventTrigStmt *) n)->funcname, -1);
			break;
		case T_IndexStmt:
			foreach(lc, ((IndexStmt *) n)->indexParams)
				walk_refs(lfirst_node(IndexElem, lc)->expr, &ctx);
			walk_refs(((IndexStmt *) n)->whereClause, &ctx);
			break;
		case T_AlterTableStmt:
			/* a column default is evaluated by every insert: needed now */
			foreach(lc, ((AlterTableStmt *) n)->cmds)
			{
				AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

				if (cmd->def == NULL)
					continue;
				if (IsA(cmd->def, ColumnDef))
					walk_column((ColumnDef *) cmd->def, &ctx);
				else if (IsA(cmd->def, Constraint))
					walk_refs(((Constraint *) cmd->def)->raw_expr, &ctx);
				else if (cmd->subtype == AT_ColumnDefault)
					walk_refs(cmd->def, &ctx);
			}
			break;
		case T_CreateStmt:
		case T_CreateForeignTableStmt:
			{
				CreateStmt *cs = (CreateStmt *) n;

				foreach(lc, cs->tableElts)
				{
					Node	   *e = lfirst(lc);

					if (IsA(e, ColumnDef))
						walk_column((ColumnDef *) e, &ctx);
					else if (IsA(e, Constraint))
						walk_refs(((Constraint *) e)->raw_expr, &ctx);
				}
				walk_refs((Node *) cs->ofTypename, &ctx);
				break;
			}
		case T_SelectStmt:
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
			walk_refs(n, &ctx);
			break;
		case T_GrantStmt:
			{
				GrantStmt  *gs = (GrantStmt *) n;

				if (gs->targtype != ACL_TARGET_OBJECT)
					break;
				foreach(lc, gs->objects)
					object_ref(&ctx, gs->objtype, lfirst(lc));
				break;
			}
		case T_CommentStmt:
			object_ref(&ctx, ((CommentStmt *) n)->objtype, ((CommentStmt *) n)->object);
			break;
		case T_CreateOpClassStmt:
			{
				CreateOpClassStmt *os = (CreateOpClassStmt *) n;

				walk_refs((Node *) os->datatype, &ctx);
				foreach(lc, os->items)
				{
					CreateOpClassItem *item = lfirst_node(CreateOpClassItem, lc);

					if (item->itemtype == OPCLASS_ITEM_OPERATOR)
						add_ref(&ctx, PGMG_REF_OPERATOR, item->name->objname, -1);
					else if (item->itemtype == OPCLASS_ITEM_FUNCTION)
						add_ref(&ctx, PGMG_REF_FUNCTION, item->name->objname, -1);
					else
						walk_refs((Node *) item->storedtype, &ctx);
				}
				break;
			}
		default:
			break;
	}
}

/*
 * object_ref
 *		A reference to the object a GRANT or COMMENT names: a relation, a
 *		routine or a type (others are not code pgmg orders by).
 */
static void
object_ref(RefContext *ctx, ObjectType objtype, Node *object)
{
	switch (objtype)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
			if (IsA(object, RangeVar))
				add_ref(ctx, PGMG_REF_RELATION, rangevar_names((RangeVar *) object),
						((RangeVar *) object)->location);
			else if (IsA(object, List))
				add_ref(ctx, PGMG_REF_RELATION, (List *) object, -1);
			break;
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
		case OBJECT_AGGREGATE:
			add_ref(ctx, PGMG_REF_FUNCTION, castNode(ObjectWithArgs, object)->objname, -1);
			break;
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			if (IsA(object, TypeName))
				add_ref(ctx, PGMG_REF_TYPE, ((TypeName *) object)->names,
						((TypeName *) object)->location);
			else if (IsA(object, List))
				add_ref(ctx, PGMG_REF_TYPE, (List *) object, -1);
			break;
		default:
			break;
	}
}

/*
 * walk_column
 *		References of a column definition: its type, and the expressions of
 *		its default, generated value and constraints (ALTER COLUMN TYPE's
 *		USING expression is its raw_default).
 */
static void
walk_column(ColumnDef *cd, RefContext *ctx)
{
	ListCell   *lc;

	walk_refs((Node *) cd->typeName, ctx);
	walk_refs(cd->raw_default, ctx);
	foreach(lc, cd->constraints)
		walk_refs(lfirst_node(Constraint, lc)->raw_expr, ctx);
}

/*
 * walk_function_body
 *		References of a function body: BEGIN ATOMIC and RETURN bodies are
 *		hard (PostgreSQL resolves them at creation); a LANGUAGE sql string
 *		body is parsed too, for soft references.
 */
static void
walk_function_body(CreateFunctionStmt *stmt, RefContext *ctx)
{
	ListCell   *lc;
	char	   *language = NULL;
	char	   *body = NULL;
	DefElem    *as = NULL;

	if (stmt->sql_body)
	{
		/* BEGIN ATOMIC: a one-element list holding the list of statements */
		if (IsA(stmt->sql_body, List))
		{
			foreach(lc, (List *) linitial((List *) stmt->sql_body))
			{
				Node	   *s = lfirst(lc);

				if (!IsA(s, SelectStmt) && !IsA(s, InsertStmt) &&
					!IsA(s, UpdateStmt) && !IsA(s, DeleteStmt) &&
					!IsA(s, MergeStmt))
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("%s is not allowed in the BEGIN ATOMIC body of a function in code file \"%s\"",
									GetCommandTagName(CreateCommandTag(s)), ctx->file->path),
							 errdetail("A function body written without quotes holds only SELECT, INSERT, UPDATE, DELETE and MERGE statements."),
							 errhint("Move the statement to a migration, or write the body as a string.")));
			}
		}
		walk_refs(stmt->sql_body, ctx);
		return;
	}

	foreach(lc, stmt->options)
	{
		DefElem    *de = lfirst_node(DefElem, lc);

		if (strcmp(de->defname, "language") == 0)
			language = strVal(de->arg);
		else if (strcmp(de->defname, "as") == 0 && IsA(de->arg, List))
		{
			body = strVal(linitial((List *) de->arg));
			as = de;
		}
	}
	if (body && language && pg_strcasecmp(language, "sql") == 0)
	{
		bool		saved = ctx->hard;
		List	   *raw;

		raw = parse_body(ctx->file, as, body);
		ctx->hard = false;
		foreach(lc, raw)
		{
			Node	   *s = lfirst_node(RawStmt, lc)->stmt;

			if (IsA(s, SelectStmt) || IsA(s, InsertStmt) ||
				IsA(s, UpdateStmt) || IsA(s, DeleteStmt))
				walk_refs(s, ctx);
		}
		ctx->hard = saved;
	}
}

/*
 * pgmg_push_body_context
 *		Push an error context for the body of a function, whose AS clause
 *		is as: positions count from where the literal's value starts
 *		($tag$...$tag$, '...' or E'...').  Returns that offset.
 */
int
pgmg_push_body_context(ErrorContextCallback *cb, PgmgFile *file, DefElem *as,
					   const char *object)
{
	char		quote;
	int			start = pgmg_body_start(file, as, &quote);

	pgmg_push_file_context(cb, file, start, object);
	if (quote)
		pgmg_file_context_literal(cb, quote == 'E');
	return start;
}

/*
 * pgmg_body_start
 *		Where the body of a function whose AS clause is as begins in the
 *		file: after AS and the literal's opening quote (pgmg_literal_start).
 */
int
pgmg_body_start(PgmgFile *file, DefElem *as, char *quote)
{
	int			len = strlen(file->content);

	return pgmg_literal_start(file,
							  pgmg_skip_blanks(file->content,
											   Min(as->location + 2, len), len),
							  quote);
}

/*
 * pgmg_literal_start
 *		Where the value of the string literal at offset at of the file
 *		begins: after $tag$, ' or E'.  *quote is '\0' for a dollar-quoted
 *		one, '\'' for a standard string, 'E' for an escape string.
 */
int
pgmg_literal_start(PgmgFile *file, int at, char *quote)
{
	const char *content = file->content;

	*quote = '\0';
	if (content[at] == '$')
	{
		const char *tag_end = strchr(content + at + 1, '$');

		return tag_end ? tag_end - content + 1 : at;
	}
	if ((content[at] == 'E' || content[at] == 'e') && content[at + 1] == '\'')
	{
		*quote = 'E';
		return at + 2;
	}
	if (content[at] == '\'')
	{
		*quote = '\'';
		return at + 1;
	}
	return at;
}

/*
 * parse_body
 *		Parse the string body of a LANGUAGE sql function.  A syntax error
 *		in it is reported at its place in the file: the error context of
 *		the statement (the top of the stack while a file is parsed) is
 *		stood in for by one that starts where the literal's value starts.
 */
static List *
parse_body(PgmgFile *file, DefElem *as, const char *body)
{
	ErrorContextCallback *statement = error_context_stack;
	ErrorContextCallback cb;
	List	   *raw;

	pgmg_push_body_context(&cb, file, as, NULL);
	cb.previous = statement->previous;
	raw = raw_parser(body, RAW_PARSE_DEFAULT);
	error_context_stack = statement;
	return raw;
}

static void
walk_refs(Node *node, RefContext *ctx)
{
	(void) ref_walker(node, ctx);
}

/*
 * ref_walker
 *		raw_expression_tree_walker callback: records relations, functions,
 *		types, operators and the target types of casts; a CTE's name, where
 *		it is in scope, is not a relation.
 */
static bool
ref_walker(Node *node, RefContext *ctx)
{
	if (node == NULL)
		return false;

	switch (nodeTag(node))
	{
		case T_RangeVar:
			{
				RangeVar   *rv = (RangeVar *) node;
				ListCell   *lc;

				/* what f(x) may take a column of */
				ctx->file->range_names = lappend(ctx->file->range_names,
												 rv->alias ? rv->alias->aliasname : rv->relname);
				if (rv->schemaname == NULL)
					foreach(lc, ctx->ctes)
						if (strcmp(strVal(lfirst(lc)), rv->relname) == 0)
							return false;
				add_ref(ctx, PGMG_REF_RELATION, rangevar_names(rv), rv->location);
				return false;
			}
		case T_ColumnRef:
			if (IsA(llast(((ColumnRef *) node)->fields), A_Star))
				ctx->file->uses_star = true;
			break;
		case T_FuncCall:
			{
				FuncCall   *fc = (FuncCall *) node;
				PgmgRef    *ref = add_ref(ctx, PGMG_REF_FUNCTION, fc->funcname,
										  fc->location);

				/* f(x) may be x.f, a column in functional notation */
				if (ref && list_length(fc->funcname) == 1 && list_length(fc->args) == 1 &&
					IsA(linitial(fc->args), ColumnRef) && fc->agg_order == NIL &&
					!fc->agg_star && fc->over == NULL)
				{
					List	   *fields = ((ColumnRef *) linitial(fc->args))->fields;

					if (list_length(fields) == 1 && IsA(linitial(fields), String))
						ref->column_of = strVal(linitial(fields));
				}
				break;
			}
		case T_TypeName:
			{
				TypeName   *tn = (TypeName *) node;

				if (tn->names == NIL)
					break;
				if (tn->pct_type)
					add_ref(ctx, PGMG_REF_RELATION,
							list_truncate(list_copy(tn->names),
										  list_length(tn->names) - 1),
							tn->location);
				else
					add_ref(ctx, PGMG_REF_TYPE, tn->names, tn->location);
				break;
			}
		case T_A_Expr:
			{
				A_Expr	   *e = (A_Expr *) node;

				if (e->kind == AEXPR_OP || e->kind == AEXPR_OP_ANY ||
					e->kind == AEXPR_OP_ALL)
					add_ref(ctx, PGMG_REF_OPERATOR, e->name, e->location);
				break;
			}
		case T_SortBy:
			add_ref(ctx, PGMG_REF_OPERATOR, ((SortBy *) node)->useOp,
					((SortBy *) node)->location);
			break;
		case T_TypeCast:
			{
				TypeName   *tn = ((TypeCast *) node)->typeName;

				if (tn && tn->names != NIL && !tn->pct_type)
					add_ref(ctx, PGMG_REF_CAST, list_make1(llast(tn->names)),
						((TypeCast *) node)->location);
				break;
			}
		case T_SelectStmt:
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
		case T_MergeStmt:
			if (statement_with(node) != NULL)
				return walk_with_scope(node, ctx);
			break;
		case T_ReturnStmt:
			return ref_walker(((ReturnStmt *) node)->returnval, ctx);
		default:
			break;
	}
	return raw_expression_tree_walker(node, ref_walker, (void *) ctx);
}

/*
 * statement_with_slot, statement_with
 *		Where a statement that may start with WITH keeps its WITH clause,
 *		and the clause.
 */
static WithClause **
statement_with_slot(Node *node)
{
	switch (nodeTag(node))
	{
		case T_SelectStmt:
			return &((SelectStmt *) node)->withClause;
		case T_InsertStmt:
			return &((InsertStmt *) node)->withClause;
		case T_UpdateStmt:
			return &((UpdateStmt *) node)->withClause;
		case T_DeleteStmt:
			return &((DeleteStmt *) node)->withClause;
		case T_MergeStmt:
			return &((MergeStmt *) node)->withClause;
		default:
			return NULL;
	}
}

static WithClause *
statement_with(Node *node)
{
	WithClause **slot = statement_with_slot(node);

	return slot ? *slot : NULL;
}

/*
 * walk_with_scope
 *		Walk a statement with a WITH clause the way PostgreSQL binds its
 *		names: a CTE's name hides relations of that name in the CTEs after
 *		it (in all of them, itself included, under WITH RECURSIVE) and in
 *		the rest of the statement, and nowhere else.  The WITH clause is
 *		detached while the rest is walked, then put back.
 */
static bool
walk_with_scope(Node *node, RefContext *ctx)
{
	WithClause **slot = statement_with_slot(node);
	WithClause *with = *slot;
	int			outer = list_length(ctx->ctes);
	ListCell   *lc;

	if (with->recursive)
		foreach(lc, with->ctes)
			ctx->ctes = lappend(ctx->ctes,
								makeString(lfirst_node(CommonTableExpr, lc)->ctename));
	foreach(lc, with->ctes)
	{
		CommonTableExpr *cte = lfirst_node(CommonTableExpr, lc);

		walk_refs(cte->ctequery, ctx);
		if (!with->recursive)
			ctx->ctes = lappend(ctx->ctes, makeString(cte->ctename));
	}

	*slot = NULL;
	(void) raw_expression_tree_walker(node, ref_walker, (void *) ctx);
	*slot = with;
	ctx->ctes = list_truncate(ctx->ctes, outer);
	return false;
}

/*
 * add_ref
 *		Record a reference, at a location of the statement's parse tree (-1:
 *		the statement); names in pg_catalog are never ours.  Returns the
 *		reference recorded, or NULL.
 */
static PgmgRef *
add_ref(RefContext *ctx, PgmgRefKind kind, List *names, int location)
{
	PgmgRef    *ref;

	if (names == NIL)
		return NULL;
	if (list_length(names) >= 2 &&
		strcmp(strVal(list_nth(names, list_length(names) - 2)), "pg_catalog") == 0)
		return NULL;
	ref = palloc(sizeof(PgmgRef));
	ref->kind = kind;
	ref->names = names;
	ref->hard = ctx->hard;
	ref->column_of = NULL;
	/* a string body's positions are the body's, not the file's */
	ref->location = (ctx->hard && location >= 0) ? location : ctx->stmt->location;
	ctx->file->refs = lappend(ctx->file->refs, ref);
	return ref;
}

/*
 * pgmg_ref_namespace
 *		The letter of the namespace a reference's name is looked up in, as
 *		order.c and migration.c key names: r(elation), t(ype), f(unction),
 *		o(perator), c(ast, by its target type).
 */
char
pgmg_ref_namespace(PgmgRefKind kind)
{
	static const char letters[] = {'r', 't', 'f', 'o', 'c'};

	return letters[kind];
}

/*
 * pgmg_ref_kind_name
 *		What a reference names, for messages.
 */
const char *
pgmg_ref_kind_name(PgmgRefKind kind)
{
	static const char *const names[] = {"relation", "type", "function",
	"operator", "cast to"};

	return names[kind];
}

/*
 * pgmg_ref_lookup
 *		The existing objects a relation, type or function reference can
 *		mean (ObjectAddress *), found as the caller's search_path finds
 *		them: one relation or type, every function of that name.  No locks.
 */
List *
pgmg_ref_lookup(PgmgRef *ref)
{
	List	   *result = NIL;
	ObjectAddress *addr;
	Oid			oid = InvalidOid;
	Oid			classid = InvalidOid;
	FuncCandidateList c;

	switch (ref->kind)
	{
		case PGMG_REF_RELATION:
			classid = RelationRelationId;
			oid = RangeVarGetRelid(makeRangeVarFromNameList(ref->names), NoLock, true);
			break;
		case PGMG_REF_TYPE:
			classid = TypeRelationId;
			oid = LookupTypeNameOid(NULL, makeTypeNameFromNameList(ref->names), true);
			break;
		case PGMG_REF_FUNCTION:
			for (c = FuncnameGetCandidates(ref->names, -1, NIL, false, false, false, true);
				 c; c = c->next)
			{
				addr = palloc(sizeof(ObjectAddress));
				ObjectAddressSet(*addr, ProcedureRelationId, c->oid);
				result = lappend(result, addr);
			}
			return result;
		default:
			return NIL;
	}
	if (!OidIsValid(oid))
		return NIL;
	addr = palloc(sizeof(ObjectAddress));
	ObjectAddressSet(*addr, classid, oid);
	return list_make1(addr);
}
