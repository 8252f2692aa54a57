/*-------------------------------------------------------------------------
 *
 * kinds.c
 *	  The kinds of objects code files define, and the one resolver that
 *	  says which catalog object a name denotes.
 *
 * Everything that depends on an object's kind reads the table below: its
 * name in pgmg's object names ("materialized_view"), its DDL keyword, its
 * catalog, how its name is formed, which reference namespaces its name
 * takes, whether it can be replaced in place, the statements that define it.  A new kind is one row here
 * plus, in parse.c, the statement that defines it and the names it
 * references.  No other file compares kind names.
 *
 * Names are resolved here only, whether they come from a parse tree (a
 * definition in a code file) or from identity parts stored in
 * pgmg.pgmg_state: both become a PgmgName, and pgmg_find looks it up.  A
 * definition's schema is its creation schema, so a file defining lower(text)
 * never finds pg_catalog.lower.  Lookups take no locks and never raise for
 * a missing object.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/kinds.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_class.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/policy.h"
#include "commands/trigger.h"
#include "nodes/makefuncs.h"
#include "parser/parse_oper.h"
#include "parser/parse_type.h"
#include "rewrite/rewriteSupport.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "pgmg.h"

#define NS_R PGMG_NS_RELATION
#define NS_T PGMG_NS_TYPE
#define NS_F PGMG_NS_ROUTINE

/*
 * The kinds, in the order plans list them when nothing else decides.
 * subkind tells kinds sharing a catalog apart: relkind, prokind or typtype
 * (TYPTYPE_DOMAIN for domains; 0 for type, which is every other typtype).
 */
static const PgmgKind kinds[] = {
	/*
	 * objtype, name, keyword, grant keyword, catalog, subkind, form,
	 * namespaces, replaceable, defining statements
	 */
	{OBJECT_TYPE, "type", "TYPE", "TYPE", TypeRelationId, 0,
	PGMG_FORM_QUALIFIED, NS_T, true,
	{T_DefineStmt, T_CompositeTypeStmt, T_CreateEnumStmt, T_CreateRangeStmt}},
	{OBJECT_DOMAIN, "domain", "DOMAIN", "DOMAIN", TypeRelationId, TYPTYPE_DOMAIN,
	PGMG_FORM_QUALIFIED, NS_T, false, {T_CreateDomainStmt}},
	{OBJECT_FUNCTION, "function", "FUNCTION", "ROUTINE", ProcedureRelationId, PROKIND_FUNCTION,
	PGMG_FORM_ROUTINE, NS_F, true, {T_CreateFunctionStmt}},
	{OBJECT_PROCEDURE, "procedure", "PROCEDURE", "ROUTINE", ProcedureRelationId, PROKIND_PROCEDURE,
	PGMG_FORM_ROUTINE, NS_F, true, {T_CreateFunctionStmt}},
	{OBJECT_AGGREGATE, "aggregate", "AGGREGATE", "ROUTINE", ProcedureRelationId, PROKIND_AGGREGATE,
	PGMG_FORM_ROUTINE, NS_F, false, {T_DefineStmt}},
	{OBJECT_OPERATOR, "operator", "OPERATOR", NULL, OperatorRelationId, 0,
	PGMG_FORM_OPERATOR, 0, false, {T_DefineStmt}},
	{OBJECT_CAST, "cast", "CAST", NULL, CastRelationId, 0,
	PGMG_FORM_CAST, 0, false, {T_CreateCastStmt}},
	{OBJECT_VIEW, "view", "VIEW", "TABLE", RelationRelationId, RELKIND_VIEW,
	PGMG_FORM_QUALIFIED, NS_R | NS_T, true, {T_ViewStmt}},
	{OBJECT_MATVIEW, "materialized_view", "MATERIALIZED VIEW", "TABLE", RelationRelationId, RELKIND_MATVIEW,
	PGMG_FORM_QUALIFIED, NS_R | NS_T, false, {T_CreateTableAsStmt}},
	{OBJECT_TRIGGER, "trigger", "TRIGGER", NULL, TriggerRelationId, 0,
	PGMG_FORM_ON_RELATION, 0, true, {T_CreateTrigStmt}},
	{OBJECT_POLICY, "policy", "POLICY", NULL, PolicyRelationId, 0,
	PGMG_FORM_ON_RELATION, 0, false, {T_CreatePolicyStmt}},
	{OBJECT_RULE, "rule", "RULE", NULL, RewriteRelationId, 0,
	PGMG_FORM_ON_RELATION, 0, false, {T_RuleStmt}},
	{OBJECT_EVENT_TRIGGER, "event_trigger", "EVENT TRIGGER", NULL, EventTriggerRelationId, 0,
	PGMG_FORM_GLOBAL, 0, false, {T_CreateEventTrigStmt}},
};

static TypeName *identity_type(const char *text);

/*
 * pgmg_kind_by_name
 *		The kind named as in pgmg's object names; NULL when unknown.
 */
const PgmgKind *
pgmg_kind_by_name(const char *name)
{
	int			i;

	for (i = 0; i < lengthof(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/*
 * pgmg_statement_kind
 *		The kind a defining statement creates; NULL when it creates none
 *		(CREATE TABLE AS, a statement that only decorates).  Statements
 *		shared by kinds say which one: a routine whether it is a procedure,
 *		DefineStmt and CREATE ... AS their object type.
 */
const PgmgKind *
pgmg_statement_kind(Node *stmt)
{
	NodeTag		tag = nodeTag(stmt);
	int			objtype = -1;
	int			i;
	int			t;

	if (IsA(stmt, CreateFunctionStmt))
		objtype = ((CreateFunctionStmt *) stmt)->is_procedure ?
			OBJECT_PROCEDURE : OBJECT_FUNCTION;
	else if (IsA(stmt, DefineStmt))
		objtype = ((DefineStmt *) stmt)->kind;
	else if (IsA(stmt, CreateTableAsStmt))
		objtype = ((CreateTableAsStmt *) stmt)->objtype;

	for (i = 0; i < lengthof(kinds); i++)
		for (t = 0; t < lengthof(kinds[i].tags) && kinds[i].tags[t] != 0; t++)
			if (kinds[i].tags[t] == tag &&
				(objtype < 0 || (int) kinds[i].objtype == objtype))
				return &kinds[i];
	return NULL;
}

/*
 * pgmg_kind_rank
 *		The kind's position in the table: a stable tie-breaker for orders.
 */
int
pgmg_kind_rank(const PgmgKind *kind)
{
	return kind ? (int) (kind - kinds) : lengthof(kinds);
}

/*
 * pgmg_kind_of
 *		The kind of an existing object; NULL when it is not one pgmg defines
 *		(a table, an index, a table's row type, ...).
 */
const PgmgKind *
pgmg_kind_of(const ObjectAddress *addr)
{
	char		subkind = 0;
	int			i;

	switch (addr->classId)
	{
		case RelationRelationId:
			subkind = get_rel_relkind(addr->objectId);
			break;
		case ProcedureRelationId:
			subkind = get_func_prokind(addr->objectId);
			if (subkind == PROKIND_WINDOW)
				subkind = PROKIND_FUNCTION;
			break;
		case TypeRelationId:
			{
				Oid			relid = typeidTypeRelid(addr->objectId);

				if (OidIsValid(relid) &&
					get_rel_relkind(relid) != RELKIND_COMPOSITE_TYPE)
					return NULL;	/* a table's or a view's row type */
				subkind = get_typtype(addr->objectId) == TYPTYPE_DOMAIN ?
					TYPTYPE_DOMAIN : 0;
				break;
			}
		default:
			break;
	}
	for (i = 0; i < lengthof(kinds); i++)
		if (kinds[i].classid == addr->classId && kinds[i].subkind == subkind)
			return &kinds[i];
	return NULL;
}

/*
 * pgmg_object_kind
 *		The kind of any object as pgmg names it: a kind's name, else core's
 *		description of the object's type with blanks as underscores
 *		("table", "index", "sequence", ...).
 */
const char *
pgmg_object_kind(const ObjectAddress *addr)
{
	const PgmgKind *kind = pgmg_kind_of(addr);
	char	   *desc;
	char	   *p;

	if (kind)
		return kind->name;
	if (addr->classId == TypeRelationId)
		return "type";
	if (addr->classId == RelationRelationId)
	{
		switch (get_rel_relkind(addr->objectId))
		{
			case RELKIND_COMPOSITE_TYPE:
				return "type";
			case RELKIND_SEQUENCE:
				return "sequence";
			case RELKIND_INDEX:
			case RELKIND_PARTITIONED_INDEX:
				return "index";
			case RELKIND_FOREIGN_TABLE:
				return "foreign_table";
			default:
				return "table";
		}
	}
	desc = getObjectTypeDescription(addr, false);
	for (p = desc; *p; p++)
		if (*p == ' ')
			*p = '_';
	return desc;
}

/*
 * pgmg_type_oid
 *		The type a TypeName names, along the search path when unqualified,
 *		or InvalidOid when it does not exist (yet).
 */
Oid
pgmg_type_oid(TypeName *tn)
{
	return LookupTypeNameOid(NULL, tn, true);
}

/*
 * pgmg_type_text
 *		A TypeName as getObjectIdentity prints it when the type exists, else
 *		qualified as written (with the creation schema when unqualified).
 */
char *
pgmg_type_text(TypeName *tn)
{
	Oid			oid = pgmg_type_oid(tn);
	char	   *text;

	if (OidIsValid(oid))
		return format_type_be_qualified(oid);
	text = quote_qualified_identifier(pgmg_creation_schema(tn->names),
									  strVal(llast(tn->names)));
	if (tn->arrayBounds != NIL)
		text = psprintf("%s[]", text);
	return text;
}

/*
 * pgmg_creation_schema
 *		The schema an object named by names (String nodes) is created in:
 *		the explicit schema, else the first schema of the search path.
 */
char *
pgmg_creation_schema(List *names)
{
	ListCell   *lc;

	if (list_length(names) >= 2)
		return strVal(list_nth(names, list_length(names) - 2));
	foreach(lc, fetch_search_path(false))
	{
		Oid			nsp = lfirst_oid(lc);

		if (!isTempNamespace(nsp))
			return get_namespace_name(nsp);
	}
	return "";
}

/*
 * pgmg_name_key
 *		"kind.identity" of a name before its object exists: what
 *		getObjectIdentity will print, as far as the name can tell.
 */
char *
pgmg_name_key(const PgmgName *name)
{
	StringInfoData key;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&key);
	appendStringInfo(&key, "%s.", name->kind->name);
	switch (name->kind->form)
	{
		case PGMG_FORM_QUALIFIED:
			appendStringInfoString(&key, quote_qualified_identifier(name->schema, name->name));
			break;
		case PGMG_FORM_ROUTINE:
		case PGMG_FORM_OPERATOR:
			if (name->kind->form == PGMG_FORM_OPERATOR)
				appendStringInfo(&key, "%s.%s", quote_identifier(name->schema), name->name);
			else
				appendStringInfoString(&key, quote_qualified_identifier(name->schema, name->name));
			appendStringInfoChar(&key, '(');
			foreach(lc, name->args)
			{
				TypeName   *tn = lfirst(lc);

				appendStringInfo(&key, "%s%s", first ? "" : ",",
								 tn ? pgmg_type_text(tn) : "NONE");
				first = false;
			}
			appendStringInfoChar(&key, ')');
			break;
		case PGMG_FORM_ON_RELATION:
			appendStringInfo(&key, "%s on %s", quote_identifier(name->name),
							 quote_qualified_identifier(name->schema ? name->schema :
														pgmg_creation_schema(NIL),
														name->relname));
			break;
		case PGMG_FORM_CAST:
			appendStringInfo(&key, "(%s AS %s)",
							 pgmg_type_text(linitial(name->args)),
							 pgmg_type_text(lsecond(name->args)));
			break;
		case PGMG_FORM_GLOBAL:
			appendStringInfoString(&key, quote_identifier(name->name));
			break;
	}
	return key.data;
}

/*
 * pgmg_name_from_identity
 *		The name of a stored object: kind and the identity parts that
 *		getObjectIdentityParts gave when it was recorded.  NULL when the
 *		parts do not have the kind's shape.
 */
PgmgName *
pgmg_name_from_identity(const PgmgKind *kind, List *names, List *args)
{
	PgmgName   *name = palloc0(sizeof(PgmgName));
	int			nnames = list_length(names);
	ListCell   *lc;

	name->kind = kind;
	switch (kind->form)
	{
		case PGMG_FORM_QUALIFIED:
			if (kind->classid == TypeRelationId)
			{
				TypeName   *tn;

				/* a type's identity is one qualified type name */
				if (nnames != 1)
					return NULL;
				tn = identity_type(linitial(names));
				if (tn == NULL || list_length(tn->names) != 2)
					return NULL;
				name->schema = strVal(linitial(tn->names));
				name->name = strVal(lsecond(tn->names));
				break;
			}
			if (nnames != 2)
				return NULL;
			name->schema = linitial(names);
			name->name = lsecond(names);
			break;
		case PGMG_FORM_ROUTINE:
		case PGMG_FORM_OPERATOR:
			if (nnames != 2)
				return NULL;
			name->schema = linitial(names);
			name->name = lsecond(names);
			/* a prefix operator's identity lists its right argument only */
			if (kind->form == PGMG_FORM_OPERATOR && list_length(args) == 1)
				name->args = list_make1(NULL);
			foreach(lc, args)
				name->args = lappend(name->args, identity_type(lfirst(lc)));
			break;
		case PGMG_FORM_ON_RELATION:
			if (nnames != 3)
				return NULL;
			name->schema = linitial(names);
			name->relname = lsecond(names);
			name->name = lthird(names);
			break;
		case PGMG_FORM_CAST:
			if (nnames != 1 || list_length(args) != 1)
				return NULL;
			name->args = list_make2(identity_type(linitial(names)),
									identity_type(linitial(args)));
			break;
		case PGMG_FORM_GLOBAL:
			if (nnames != 1)
				return NULL;
			name->name = linitial(names);
			break;
	}
	return name;
}

/*
 * identity_type
 *		A type name as format_type_be_qualified prints it, as a TypeName.
 */
static TypeName *
identity_type(const char *text)
{
#if PG_VERSION_NUM >= 160000
	return typeStringToTypeName(text, NULL);
#else
	return typeStringToTypeName(text);
#endif
}

/*
 * pgmg_find
 *		The object a name denotes, without locks.
 *
 * PGMG_FOUND fills addr.  PGMG_OTHER_KIND means the name is taken by an
 * object of another kind (a table where a view is defined, a procedure
 * with a function's signature); addr then holds that object.  An argument
 * type that does not exist means the object does not either.
 */
PgmgFound
pgmg_find(const PgmgName *name, ObjectAddress *addr)
{
	const PgmgKind *kind = name->kind;
	Oid			oid = InvalidOid;
	Oid			nsp = InvalidOid;
	const PgmgKind *actual;

	addr->classId = kind->classid;
	addr->objectId = InvalidOid;
	addr->objectSubId = 0;

	if (name->schema && !OidIsValid(nsp = get_namespace_oid(name->schema, true)))
		return PGMG_MISSING;

	switch (kind->form)
	{
		case PGMG_FORM_QUALIFIED:
			if (kind->classid == RelationRelationId)
				oid = get_relname_relid(name->name, nsp);
			else
				oid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									  CStringGetDatum(name->name),
									  ObjectIdGetDatum(nsp));
			break;
		case PGMG_FORM_ROUTINE:
			{
				int			nargs = list_length(name->args);
				Oid		   *types = palloc0(sizeof(Oid) * (nargs + 1));
				int			i = 0;
				ListCell   *lc;

				foreach(lc, name->args)
				{
					if (lfirst(lc) == NULL ||
						!OidIsValid(types[i++] = pgmg_type_oid(lfirst(lc))))
						return PGMG_MISSING;
				}
				oid = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
									  CStringGetDatum(name->name),
									  PointerGetDatum(buildoidvector(types, nargs)),
									  ObjectIdGetDatum(nsp));
				break;
			}
		case PGMG_FORM_OPERATOR:
			{
				TypeName   *l = list_length(name->args) == 2 ? linitial(name->args) : NULL;
				TypeName   *r = list_length(name->args) >= 1 ? llast(name->args) : NULL;
				Oid			lo = l ? pgmg_type_oid(l) : InvalidOid;
				Oid			ro = r ? pgmg_type_oid(r) : InvalidOid;

				if ((l && !OidIsValid(lo)) || (r && !OidIsValid(ro)))
					return PGMG_MISSING;
				oid = OpernameGetOprid(list_make2(makeString(name->schema),
												  makeString(name->name)),
									   lo, ro);
				break;
			}
		case PGMG_FORM_ON_RELATION:
			{
				Oid			relid;

				if (name->schema)
					relid = get_relname_relid(name->relname, nsp);
				else
					relid = RelnameGetRelid(name->relname);
				if (!OidIsValid(relid))
					return PGMG_MISSING;
				if (kind->classid == TriggerRelationId)
					oid = get_trigger_oid(relid, name->name, true);
				else if (kind->classid == PolicyRelationId)
					oid = get_relation_policy_oid(relid, name->name, true);
				else
					oid = get_rewrite_oid(relid, name->name, true);
				break;
			}
		case PGMG_FORM_CAST:
			{
				Oid			s = pgmg_type_oid(linitial(name->args));
				Oid			t = pgmg_type_oid(lsecond(name->args));

				if (OidIsValid(s) && OidIsValid(t))
					oid = get_cast_oid(s, t, true);
				break;
			}
		case PGMG_FORM_GLOBAL:
			oid = get_event_trigger_oid(name->name, true);
			break;
	}

	addr->objectId = oid;
	if (!OidIsValid(oid))
		return PGMG_MISSING;
	actual = pgmg_kind_of(addr);
	return actual == kind ? PGMG_FOUND : PGMG_OTHER_KIND;
}

/*
 * pgmg_resolve
 *		Find the object that stored identity parts name, without locks.
 *
 * Returns false when it does not exist (any more), or when the name is
 * now taken by an object of another kind.
 */
bool
pgmg_resolve(const char *kind, List *names, List *args, ObjectAddress *addr)
{
	const PgmgKind *k = pgmg_kind_by_name(kind);
	PgmgName   *name = k ? pgmg_name_from_identity(k, names, args) : NULL;

	addr->classId = k ? k->classid : InvalidOid;
	addr->objectId = InvalidOid;
	addr->objectSubId = 0;
	return name != NULL && pgmg_find(name, addr) == PGMG_FOUND;
}

/*
 * pgmg_ddl_reference
 *		How DDL names an existing object of a pgmg kind: "VIEW public.v",
 *		"FUNCTION public.f(integer)", "TRIGGER t ON public.tab", ...
 */
char *
pgmg_ddl_reference(const ObjectAddress *addr)
{
	const PgmgKind *kind = pgmg_kind_of(addr);
	List	   *names;
	List	   *args;
	char	   *identity;

	if (kind == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("pgmg cannot drop or recreate %s",
						getObjectDescription(addr, false))));
	identity = getObjectIdentityParts(addr, &names, &args, false);
	switch (kind->form)
	{
		case PGMG_FORM_ON_RELATION:
			return psprintf("%s %s ON %s", kind->keyword,
							quote_identifier(lthird(names)),
							quote_qualified_identifier(linitial(names), lsecond(names)));
		case PGMG_FORM_OPERATOR:
			return psprintf("OPERATOR %s.%s (%s, %s)",
							quote_identifier(linitial(names)), (char *) lsecond(names),
							list_length(args) == 2 ? (char *) linitial(args) : "NONE",
							(char *) llast(args));
		default:
			return psprintf("%s %s", kind->keyword, identity);
	}
}
