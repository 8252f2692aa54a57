/*-------------------------------------------------------------------------
 *
 * printed.c
 *	  CREATE statements printed from the catalog, as pg_dump writes them,
 *	  and the comparison of a file's statement with them.
 *
 * A file holding what is printed here for an existing object makes
 * exactly that object.  pgmg import writes functions, aggregates,
 * operators, casts, event triggers, range types, triggers, rules and
 * policies this way, and the planner keeps an existing object whose file
 * holds its printed statement (a file split from pg_dump's output, too).
 * Everything is printed under an empty search_path: names outside
 * pg_catalog are qualified, so the text binds to the same objects in any
 * database.  The server's deparsers print functions, triggers, rules and
 * indexes; the rest is printed from the catalog rows in pg_dump's layout
 * (option order, defaults left out).
 *
 * Statements are compared token by token with the server's own lexer:
 * blanks, comments, OR REPLACE, a final semicolon, the case of unquoted
 * words and the quoting of strings do not count; every other difference
 * does, so two statements that compare equal define the same object.
 *
 * Only catalogs are read.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/printed.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_am.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_range.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "parser/scanner.h"
#include "parser/gram.h"		/* token numbers; after scanner.h */
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "pgmg.h"

static char *bare_statement(const char *text);
static char *policy_text(Oid policyid);
static char *aggregate_text(Oid funcid);
static char *operator_text(Oid oprid);
static char *cast_text(Oid castid);
static char *event_trigger_text(Oid evtid);
static char *printed_text(const ObjectAddress *addr, bool name_multirange);
static bool default_multirange_name(Oid typid);
static char *range_text(Oid typid, bool name_multirange);
static char *type_name_only(Oid typid, Oid *nsp);
static const char *routine_name(Oid funcid);
static const char *operator_name(Oid oprid);
static const char *modify_name(char modify);
static List *statement_tokens(const char *text);

/*
 * pgmg_printed_statement
 *		The CREATE statement of an existing function, procedure, aggregate,
 *		operator, cast, event trigger, range type, trigger, rule or policy,
 *		without OR REPLACE, a final semicolon or trailing blanks; NULL for
 *		other objects.  Decorations (owner, privileges, comments, whether a
 *		trigger fires) are not part of it.
 */
char *
pgmg_printed_statement(const ObjectAddress *addr)
{
	return printed_text(addr, true);
}

/*
 * printed_text
 *		pgmg_printed_statement, a range type with its multirange's name
 *		(name_multirange) or without it.
 */
static char *
printed_text(const ObjectAddress *addr, bool name_multirange)
{
	int			level;
	char	   *printed = NULL;
	Oid			oid = addr->objectId;

	level = pgmg_empty_search_path();
	switch (addr->classId)
	{
		case ProcedureRelationId:
			if (get_func_prokind(oid) == PROKIND_AGGREGATE)
				printed = aggregate_text(oid);
			else
				printed = TextDatumGetCString(DirectFunctionCall1(pg_get_functiondef,
																  ObjectIdGetDatum(oid)));
			break;
		case TriggerRelationId:
			printed = TextDatumGetCString(DirectFunctionCall1(pg_get_triggerdef, ObjectIdGetDatum(oid)));
			break;
		case RewriteRelationId:
			printed = TextDatumGetCString(DirectFunctionCall1(pg_get_ruledef, ObjectIdGetDatum(oid)));
			break;
		case PolicyRelationId:
			printed = policy_text(oid);
			break;
		case OperatorRelationId:
			printed = operator_text(oid);
			break;
		case CastRelationId:
			printed = cast_text(oid);
			break;
		case EventTriggerRelationId:
			printed = event_trigger_text(oid);
			break;
		case TypeRelationId:
			if (get_typtype(oid) == TYPTYPE_RANGE)
				printed = range_text(oid, name_multirange);
			break;
		default:
			break;
	}
	AtEOXact_GUC(false, level);
	return printed ? bare_statement(printed) : NULL;
}

/*
 * pgmg_printed_forms
 *		Every form of an object's statement that makes exactly that object,
 *		pgmg_printed_statement's first; NIL when it is not printed.  A range
 *		type whose multirange has the default name is also written without
 *		naming it, as people write it by hand.
 */
List *
pgmg_printed_forms(const ObjectAddress *addr)
{
	char	   *printed = pgmg_printed_statement(addr);
	List	   *forms;

	if (printed == NULL)
		return NIL;
	forms = list_make1(printed);
	if (addr->classId == TypeRelationId && default_multirange_name(addr->objectId))
		forms = lappend(forms, printed_text(addr, false));
	return forms;
}

/*
 * default_multirange_name
 *		Has a range type's multirange the name and schema CREATE TYPE ...
 *		AS RANGE gives it when none is named ("range" in the range's name
 *		made "multirange", or "_multirange" appended)?
 */
static bool
default_multirange_name(Oid typid)
{
	HeapTuple	tup = SearchSysCache1(RANGETYPE, ObjectIdGetDatum(typid));
	Oid			nsp;
	Oid			multi_nsp;
	char	   *name;
	char	   *range;
	char	   *dflt;
	bool		result;

	if (!HeapTupleIsValid(tup))
		return false;
	name = type_name_only(typid, &nsp);
	range = strstr(name, "range");
	dflt = range ? psprintf("%.*smultirange%s", (int) (range - name), name, range + 5) :
		psprintf("%s_multirange", name);
	result = strcmp(type_name_only(((Form_pg_range) GETSTRUCT(tup))->rngmultitypid, &multi_nsp),
					dflt) == 0 && multi_nsp == nsp;
	ReleaseSysCache(tup);
	return result;
}

/*
 * pgmg_printed_index
 *		What pg_get_indexdef prints for the index of that name on relid
 *		(bare, as pgmg_printed_statement gives it), or NULL when there is
 *		none.
 */
char *
pgmg_printed_index(Oid relid, const char *name)
{
	Oid			index = get_relname_relid(name, get_rel_namespace(relid));
	int			level;
	char	   *printed;

	if (!OidIsValid(index))
		return NULL;
	level = pgmg_empty_search_path();
	printed = TextDatumGetCString(DirectFunctionCall1(pg_get_indexdef, ObjectIdGetDatum(index)));
	AtEOXact_GUC(false, level);
	return bare_statement(printed);
}

/*
 * pgmg_same_statement
 *		Do two statements have the same tokens, OR REPLACE and a final
 *		semicolon aside?
 */
bool
pgmg_same_statement(const char *a, const char *b)
{
	List	   *ta = statement_tokens(a);
	List	   *tb = statement_tokens(b);
	ListCell   *la;
	ListCell   *lb;

	if (list_length(ta) != list_length(tb))
		return false;
	forboth(la, ta, lb, tb)
		if (strcmp(lfirst(la), lfirst(lb)) != 0)
			return false;
	return true;
}

/*
 * statement_tokens
 *		The tokens of a statement as the server's lexer reads them, each
 *		as "number:value" (identifiers folded, strings unquoted), without
 *		OR REPLACE after CREATE and without trailing semicolons.
 */
static List *
statement_tokens(const char *text)
{
	core_yy_extra_type extra;
	core_yyscan_t scanner;
	core_YYSTYPE val;
	YYLTYPE		loc;
	int			tok;
	int			first = 0;
	bool		after_or = false;
	int			semicolons = 0; /* at the end, so far */
	List	   *tokens = NIL;

	scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
	while ((tok = core_yylex(&val, &loc, scanner)) != 0)
	{
		/* CREATE OR REPLACE: OR and REPLACE left out */
		if (list_length(tokens) == 1 && first == CREATE && tok == OR)
		{
			after_or = true;
			continue;
		}
		if (after_or && tok == REPLACE)
		{
			after_or = false;
			continue;
		}
		after_or = false;
		if (tokens == NIL)
			first = tok;
		semicolons = tok == ';' ? semicolons + 1 : 0;
		switch (tok)
		{
			case IDENT:
			case UIDENT:
			case FCONST:
			case SCONST:
			case USCONST:
			case BCONST:
			case XCONST:
			case Op:
				tokens = lappend(tokens, psprintf("%d:%s", tok, val.str));
				break;
			case ICONST:
			case PARAM:
				tokens = lappend(tokens, psprintf("%d:%d", tok, val.ival));
				break;
			default:
				tokens = lappend(tokens, psprintf("%d", tok));
				break;
		}
	}
	scanner_finish(scanner);
	return list_truncate(tokens, list_length(tokens) - semicolons);
}

/*
 * bare_statement
 *		A CREATE statement without OR REPLACE, a final semicolon and
 *		trailing blanks.
 */
static char *
bare_statement(const char *text)
{
	char	   *result;
	int			len;

	if (pg_strncasecmp(text, "CREATE OR REPLACE ", 18) == 0)
		result = psprintf("CREATE %s", text + 18);
	else
		result = pstrdup(text);
	len = strlen(result);
	while (len > 0 && (result[len - 1] == ';' || isspace((unsigned char) result[len - 1])))
		result[--len] = '\0';
	return result;
}

/*
 * policy_text
 *		CREATE POLICY with its table, and its kind, command and roles when
 *		they are not the defaults, then its expressions.
 */
static char *
policy_text(Oid policyid)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(policyid)};
	int			ret;

	ret = pgmg_spi_execute_args("SELECT pg_catalog.format('CREATE POLICY %I ON %s%s%s%s%s%s;', "
								"p.polname, p.polrelid::pg_catalog.regclass, "
								"CASE WHEN NOT p.polpermissive THEN ' AS RESTRICTIVE' END, "
								"CASE p.polcmd WHEN 'r' THEN ' FOR SELECT' WHEN 'a' THEN ' FOR INSERT' "
								"WHEN 'w' THEN ' FOR UPDATE' WHEN 'd' THEN ' FOR DELETE' END, "
								"CASE WHEN p.polroles OPERATOR(pg_catalog.<>) '{0}' THEN ' TO ' OPERATOR(pg_catalog.||) "
								"(SELECT pg_catalog.string_agg(CASE WHEN r.r OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' "
								"ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.r)) END, ', ' ORDER BY r.i) "
								"FROM pg_catalog.unnest(p.polroles) WITH ORDINALITY r(r, i)) END, "
								"' USING (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(p.polqual, p.polrelid) OPERATOR(pg_catalog.||) ')', "
								"' WITH CHECK (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) OPERATOR(pg_catalog.||) ')') "
								"FROM pg_catalog.pg_policy p WHERE p.oid OPERATOR(pg_catalog.=) $1",
								1, types, values, NULL, true, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read policy %u", policyid);
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/*
 * aggregate_text
 *		CREATE AGGREGATE with every option that is not its default, in
 *		pg_dump's order.
 */
static char *
aggregate_text(Oid funcid)
{
	HeapTuple	proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	HeapTuple	tup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(funcid));
	Form_pg_proc p;
	Form_pg_aggregate a;
	StringInfoData buf;
	char		default_modify;
	Datum		d;
	bool		isnull;

	if (!HeapTupleIsValid(proc) || !HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for aggregate %u", funcid);
	p = (Form_pg_proc) GETSTRUCT(proc);
	a = (Form_pg_aggregate) GETSTRUCT(tup);
	default_modify = a->aggkind == AGGKIND_NORMAL ? AGGMODIFY_READ_ONLY : AGGMODIFY_READ_WRITE;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE AGGREGATE %s(%s) (\n    SFUNC = %s,\n    STYPE = %s",
					 quote_qualified_identifier(get_namespace_name(p->pronamespace),
												NameStr(p->proname)),
					 p->pronargs == 0 ? "*" :
					 TextDatumGetCString(DirectFunctionCall1(pg_get_function_arguments,
															 ObjectIdGetDatum(funcid))),
					 routine_name(a->aggtransfn), format_type_be(a->aggtranstype));
	if (a->aggtransspace != 0)
		appendStringInfo(&buf, ",\n    SSPACE = %d", a->aggtransspace);
	d = SysCacheGetAttr(AGGFNOID, tup, Anum_pg_aggregate_agginitval, &isnull);
	if (!isnull)
		appendStringInfo(&buf, ",\n    INITCOND = %s", quote_literal_cstr(TextDatumGetCString(d)));
	if (OidIsValid(a->aggfinalfn))
		appendStringInfo(&buf, ",\n    FINALFUNC = %s", routine_name(a->aggfinalfn));
	if (a->aggfinalextra)
		appendStringInfoString(&buf, ",\n    FINALFUNC_EXTRA");
	if (a->aggfinalmodify != default_modify)
		appendStringInfo(&buf, ",\n    FINALFUNC_MODIFY = %s", modify_name(a->aggfinalmodify));
	if (OidIsValid(a->aggcombinefn))
		appendStringInfo(&buf, ",\n    COMBINEFUNC = %s", routine_name(a->aggcombinefn));
	if (OidIsValid(a->aggserialfn))
		appendStringInfo(&buf, ",\n    SERIALFUNC = %s", routine_name(a->aggserialfn));
	if (OidIsValid(a->aggdeserialfn))
		appendStringInfo(&buf, ",\n    DESERIALFUNC = %s", routine_name(a->aggdeserialfn));
	if (OidIsValid(a->aggmtransfn))
		appendStringInfo(&buf, ",\n    MSFUNC = %s,\n    MINVFUNC = %s,\n    MSTYPE = %s",
						 routine_name(a->aggmtransfn), routine_name(a->aggminvtransfn),
						 format_type_be(a->aggmtranstype));
	if (a->aggmtransspace != 0)
		appendStringInfo(&buf, ",\n    MSSPACE = %d", a->aggmtransspace);
	d = SysCacheGetAttr(AGGFNOID, tup, Anum_pg_aggregate_aggminitval, &isnull);
	if (!isnull)
		appendStringInfo(&buf, ",\n    MINITCOND = %s", quote_literal_cstr(TextDatumGetCString(d)));
	if (OidIsValid(a->aggmfinalfn))
		appendStringInfo(&buf, ",\n    MFINALFUNC = %s", routine_name(a->aggmfinalfn));
	if (a->aggmfinalextra)
		appendStringInfoString(&buf, ",\n    MFINALFUNC_EXTRA");
	if (a->aggmfinalmodify != default_modify)
		appendStringInfo(&buf, ",\n    MFINALFUNC_MODIFY = %s", modify_name(a->aggmfinalmodify));
	if (OidIsValid(a->aggsortop))
		appendStringInfo(&buf, ",\n    SORTOP = %s", operator_name(a->aggsortop));
	if (a->aggkind == AGGKIND_HYPOTHETICAL)
		appendStringInfoString(&buf, ",\n    HYPOTHETICAL");
	if (p->proparallel == PROPARALLEL_SAFE)
		appendStringInfoString(&buf, ",\n    PARALLEL = safe");
	else if (p->proparallel == PROPARALLEL_RESTRICTED)
		appendStringInfoString(&buf, ",\n    PARALLEL = restricted");
	appendStringInfoString(&buf, "\n)");
	ReleaseSysCache(tup);
	ReleaseSysCache(proc);
	return buf.data;
}

/*
 * operator_text
 *		CREATE OPERATOR with its function, argument types, companions,
 *		flags and estimators.
 */
static char *
operator_text(Oid oprid)
{
	HeapTuple	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(oprid));
	Form_pg_operator o;
	StringInfoData buf;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator %u", oprid);
	o = (Form_pg_operator) GETSTRUCT(tup);
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE OPERATOR %s.%s (\n    FUNCTION = %s",
					 quote_identifier(get_namespace_name(o->oprnamespace)),
					 NameStr(o->oprname), routine_name(o->oprcode));
	if (OidIsValid(o->oprleft))
		appendStringInfo(&buf, ",\n    LEFTARG = %s", format_type_be(o->oprleft));
	if (OidIsValid(o->oprright))
		appendStringInfo(&buf, ",\n    RIGHTARG = %s", format_type_be(o->oprright));
	if (OidIsValid(o->oprcom))
		appendStringInfo(&buf, ",\n    COMMUTATOR = %s", operator_name(o->oprcom));
	if (OidIsValid(o->oprnegate))
		appendStringInfo(&buf, ",\n    NEGATOR = %s", operator_name(o->oprnegate));
	if (o->oprcanmerge)
		appendStringInfoString(&buf, ",\n    MERGES");
	if (o->oprcanhash)
		appendStringInfoString(&buf, ",\n    HASHES");
	if (OidIsValid(o->oprrest))
		appendStringInfo(&buf, ",\n    RESTRICT = %s", routine_name(o->oprrest));
	if (OidIsValid(o->oprjoin))
		appendStringInfo(&buf, ",\n    JOIN = %s", routine_name(o->oprjoin));
	appendStringInfoString(&buf, "\n)");
	ReleaseSysCache(tup);
	return buf.data;
}

/*
 * cast_text
 *		CREATE CAST with its method and context.
 */
static char *
cast_text(Oid castid)
{
	Relation	rel = table_open(CastRelationId, AccessShareLock);
	HeapTuple	tup = pgmg_catalog_row(rel, CastOidIndexId, Anum_pg_cast_oid, castid);
	StringInfoData buf;
	Form_pg_cast c;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "could not find cast %u", castid);
	c = (Form_pg_cast) GETSTRUCT(tup);

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE CAST (%s AS %s) ",
					 format_type_be(c->castsource), format_type_be(c->casttarget));
	if (c->castmethod == COERCION_METHOD_FUNCTION)
	{
		HeapTuple	proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(c->castfunc));
		Form_pg_proc p;
		int			i;

		if (!HeapTupleIsValid(proc))
			elog(ERROR, "cache lookup failed for function %u", c->castfunc);
		p = (Form_pg_proc) GETSTRUCT(proc);
		appendStringInfo(&buf, "WITH FUNCTION %s(",
						 quote_qualified_identifier(get_namespace_name(p->pronamespace),
													NameStr(p->proname)));
		for (i = 0; i < p->pronargs; i++)
			appendStringInfo(&buf, "%s%s", i ? ", " : "",
							 format_type_be(p->proargtypes.values[i]));
		appendStringInfoChar(&buf, ')');
		ReleaseSysCache(proc);
	}
	else if (c->castmethod == COERCION_METHOD_INOUT)
		appendStringInfoString(&buf, "WITH INOUT");
	else
		appendStringInfoString(&buf, "WITHOUT FUNCTION");
	if (c->castcontext == COERCION_CODE_ASSIGNMENT)
		appendStringInfoString(&buf, " AS ASSIGNMENT");
	else if (c->castcontext == COERCION_CODE_IMPLICIT)
		appendStringInfoString(&buf, " AS IMPLICIT");
	table_close(rel, AccessShareLock);
	return buf.data;
}

/*
 * event_trigger_text
 *		CREATE EVENT TRIGGER with its event, tags and function.
 */
static char *
event_trigger_text(Oid evtid)
{
	HeapTuple	tup = SearchSysCache1(EVENTTRIGGEROID, ObjectIdGetDatum(evtid));
	Form_pg_event_trigger e;
	StringInfoData buf;
	Datum		d;
	bool		isnull;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for event trigger %u", evtid);
	e = (Form_pg_event_trigger) GETSTRUCT(tup);
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE EVENT TRIGGER %s ON %s",
					 quote_identifier(NameStr(e->evtname)),
					 quote_identifier(NameStr(e->evtevent)));
	d = SysCacheGetAttr(EVENTTRIGGEROID, tup, Anum_pg_event_trigger_evttags, &isnull);
	if (!isnull)
	{
		Datum	   *tags;
		int			ntags;
		int			i;

		deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
						  &tags, NULL, &ntags);
		appendStringInfoString(&buf, "\n         WHEN TAG IN (");
		for (i = 0; i < ntags; i++)
			appendStringInfo(&buf, "%s%s", i ? ", " : "",
							 quote_literal_cstr(TextDatumGetCString(tags[i])));
		appendStringInfoChar(&buf, ')');
	}
	appendStringInfo(&buf, "\n   EXECUTE FUNCTION %s()",
					 quote_qualified_identifier(get_namespace_name(get_func_namespace(e->evtfoid)),
												get_func_name(e->evtfoid)));
	ReleaseSysCache(tup);
	return buf.data;
}

/*
 * range_text
 *		CREATE TYPE ... AS RANGE with its subtype, its multirange type's
 *		name (name_multirange), and the operator class, collation and
 *		functions that are not the subtype's defaults.
 */
static char *
range_text(Oid typid, bool name_multirange)
{
	HeapTuple	tup = SearchSysCache1(RANGETYPE, ObjectIdGetDatum(typid));
	Form_pg_range r;
	StringInfoData buf;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for range type %u", typid);
	r = (Form_pg_range) GETSTRUCT(tup);
	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE TYPE %s AS RANGE (\n    subtype = %s",
					 format_type_be_qualified(typid), format_type_be(r->rngsubtype));
	if (name_multirange)
		appendStringInfo(&buf, ",\n    multirange_type_name = %s",
						 format_type_be_qualified(r->rngmultitypid));
	if (r->rngsubopc != GetDefaultOpClass(r->rngsubtype, BTREE_AM_OID))
	{
		HeapTuple	oc = SearchSysCache1(CLAOID, ObjectIdGetDatum(r->rngsubopc));

		if (!HeapTupleIsValid(oc))
			elog(ERROR, "cache lookup failed for operator class %u", r->rngsubopc);
		appendStringInfo(&buf, ",\n    subtype_opclass = %s",
						 quote_qualified_identifier(get_namespace_name(((Form_pg_opclass) GETSTRUCT(oc))->opcnamespace),
													NameStr(((Form_pg_opclass) GETSTRUCT(oc))->opcname)));
		ReleaseSysCache(oc);
	}
	if (OidIsValid(r->rngcollation) && r->rngcollation != get_typcollation(r->rngsubtype))
	{
		HeapTuple	co = SearchSysCache1(COLLOID, ObjectIdGetDatum(r->rngcollation));

		if (!HeapTupleIsValid(co))
			elog(ERROR, "cache lookup failed for collation %u", r->rngcollation);
		appendStringInfo(&buf, ",\n    collation = %s",
						 quote_qualified_identifier(get_namespace_name(((Form_pg_collation) GETSTRUCT(co))->collnamespace),
													NameStr(((Form_pg_collation) GETSTRUCT(co))->collname)));
		ReleaseSysCache(co);
	}
	if (OidIsValid(r->rngcanonical))
		appendStringInfo(&buf, ",\n    canonical = %s", routine_name(r->rngcanonical));
	if (OidIsValid(r->rngsubdiff))
		appendStringInfo(&buf, ",\n    subtype_diff = %s", routine_name(r->rngsubdiff));
	appendStringInfoString(&buf, "\n)");
	ReleaseSysCache(tup);
	return buf.data;
}

/* a type's own name, unqualified, and its schema */
static char *
type_name_only(Oid typid, Oid *nsp)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	char	   *name;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for type %u", typid);
	name = pstrdup(NameStr(((Form_pg_type) GETSTRUCT(tup))->typname));
	*nsp = ((Form_pg_type) GETSTRUCT(tup))->typnamespace;
	ReleaseSysCache(tup);
	return name;
}

/* a function by name, qualified unless visible (as regproc prints it) */
static const char *
routine_name(Oid funcid)
{
	return DatumGetCString(DirectFunctionCall1(regprocout, ObjectIdGetDatum(funcid)));
}

/* an operator as OPERATOR(schema.name) */
static const char *
operator_name(Oid oprid)
{
	HeapTuple	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(oprid));
	char	   *name;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator %u", oprid);
	name = psprintf("OPERATOR(%s.%s)",
					quote_identifier(get_namespace_name(((Form_pg_operator) GETSTRUCT(tup))->oprnamespace)),
					NameStr(((Form_pg_operator) GETSTRUCT(tup))->oprname));
	ReleaseSysCache(tup);
	return name;
}

/* the keyword of a final function's modify mode */
static const char *
modify_name(char modify)
{
	switch (modify)
	{
		case AGGMODIFY_READ_ONLY:
			return "READ_ONLY";
		case AGGMODIFY_SHAREABLE:
			return "SHAREABLE";
		default:
			return "READ_WRITE";
	}
}
