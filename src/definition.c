/*-------------------------------------------------------------------------
 *
 * definition.c
 *	  The canonical definition of a managed object: text that is the same
 *	  in every database holding the same object -- a restored dump, a copy
 *	  made from a template, an upgraded cluster -- and differs when the
 *	  object does.
 *
 * The text is printed by the server's own deparsers (pg_get_viewdef,
 * pg_get_functiondef, pg_get_triggerdef, pg_get_ruledef,
 * pg_get_constraintdef, pg_get_expr) and by format_type and friends,
 * under an empty search_path, so every name is qualified.  It holds no
 * OIDs, no transaction ids, and nothing a restore renumbers (enum sort
 * orders are replaced by the order of the labels).  Owner and privileges
 * are left out: they are not drift.
 *
 * Only catalogs are read.  The deparsers lock the relations a view or a
 * BEGIN ATOMIC body reads (AccessShareLock); each definition is taken in
 * an internal subtransaction that is rolled back, so those locks are held
 * only while it is printed and a plan over thousands of views does not
 * fill the lock table.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/definition.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/genam.h"
#include "access/reloptions.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_range.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/analyze.h"
#include "parser/parse_type.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "catalog/heap.h"
#include "catalog/namespace.h"
#include "rewrite/rewriteSupport.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/ruleutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "pgmg.h"

/* what the readers pgmg_read_rolled_back runs are given, and give back */
typedef struct DescribeArgs
{
	StringInfo	buf;
	const ObjectAddress *addr;
} DescribeArgs;

typedef struct ViewArgs
{
	Node	   *query;			/* the raw query */
	List	   *aliases;		/* column names given, or NIL */
	List	   *options;		/* DefElems, check option included */
	const char *source;
	const char *kind;
	Oid			viewid;
	char	   *result;
} ViewArgs;

typedef struct DomainArgs
{
	CreateDomainStmt *stmt;
	const char *kind;
	Oid			typid;
	char	   *result;
} DomainArgs;

static void describe(StringInfo buf, const ObjectAddress *addr);
static char *composite_would_define(CompositeTypeStmt *stmt, const char *kind,
									Oid typid);
static Node *domain_value_hook(ParseState *pstate, ColumnRef *cref);
static void domain_definition(void *arg);
static void view_definition(void *arg);
static void describe_quietly(void *arg);
static char *expression_text(Node *expr);
#if PG_VERSION_NUM < 160000
static RangeTblEntry *view_entry(Oid viewid, const char *name);
#endif
static void relation_definition(StringInfo buf, Oid relid);
static void routine_definition(StringInfo buf, Oid funcid);
static void aggregate_definition(StringInfo buf, Oid funcid);
static void type_definition(StringInfo buf, Oid typid);
static void enum_labels(StringInfo buf, Oid typid);
static void composite_attributes(StringInfo buf, Oid relid);
static void domain_constraints(StringInfo buf, Oid typid);
static void policy_definition(StringInfo buf, Oid policyid);
static void operator_definition(StringInfo buf, Oid oprid);
static void cast_definition(StringInfo buf, Oid castid);
static void event_trigger_definition(StringInfo buf, Oid evtid);
static void append_text(StringInfo buf, Datum d);
static const char *proc_name(Oid funcid);
static const char *type_name(Oid typid);
static const char *collation_name(Oid collid);

/*
 * pgmg_definition
 *		The canonical text of an object, starting with its kind.  An object
 *		that no longer exists gives its kind alone.  keep_locks: the caller
 *		holds locks on what the object reads already (it just made it), so
 *		no subtransaction is needed to let the deparsers' locks go.
 */
char *
pgmg_definition(const ObjectAddress *addr, bool keep_locks)
{
	StringInfoData buf;
	DescribeArgs args;

	initStringInfo(&buf);
	if (keep_locks)
	{
		int			level = pgmg_empty_search_path();

		PushActiveSnapshot(GetTransactionSnapshot());
		describe(&buf, addr);
		PopActiveSnapshot();
		AtEOXact_GUC(false, level);
		return buf.data;
	}

	/* rolled back: the locks the deparsers take go with it */
	args.buf = &buf;
	args.addr = addr;
	(void) pgmg_read_rolled_back(describe_quietly, &args, false);
	return buf.data;
}

/* describe() as pgmg_read_rolled_back runs it: under an empty search_path */
static void
describe_quietly(void *arg)
{
	DescribeArgs *a = arg;

	(void) set_config_option("search_path", "", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
	/* the deparsers read catalogs through SPI: let them see this apply */
	PushActiveSnapshot(GetTransactionSnapshot());
	describe(a->buf, a->addr);
	PopActiveSnapshot();
}

/*
 * pgmg_would_define
 *		The canonical definition that a CREATE VIEW or CREATE MATERIALIZED
 *		VIEW statement (source: its text) would give its view, kind being
 *		the view's kind name: its query analysed as the statement would
 *		analyse it now, under the caller's search_path, then printed as
 *		pgmg_definition prints the existing view viewid.  For CREATE TYPE
 *		... AS (...), viewid is the existing type: its attributes' types and
 *		collations are looked up as the statement would look them up.  Nothing is
 *		created, and the locks analysis takes are let go.  NULL for other
 *		statements, and when the query cannot be analysed now (it reads
 *		what does not exist yet).
 */
char *
pgmg_would_define(Node *stmt, const char *source, const char *kind, Oid viewid)
{
	ViewArgs	a = {0};

	a.source = source;
	a.kind = kind;
	a.viewid = viewid;
	if (IsA(stmt, ViewStmt))
	{
		ViewStmt   *vs = (ViewStmt *) stmt;

		a.query = vs->query;
		a.aliases = vs->aliases;
		a.options = list_copy(vs->options);
		/* DefineView stores WITH CHECK OPTION as an option */
		if (vs->withCheckOption != NO_CHECK_OPTION)
			a.options = lappend(a.options,
								makeDefElem("check_option",
											(Node *) makeString(vs->withCheckOption == LOCAL_CHECK_OPTION ?
																"local" : "cascaded"), -1));
	}
	else if (IsA(stmt, CreateTableAsStmt) &&
			 ((CreateTableAsStmt *) stmt)->objtype == OBJECT_MATVIEW)
	{
		CreateTableAsStmt *cs = (CreateTableAsStmt *) stmt;

		/* storage is not in the definition: not compared, so not kept */
		if (cs->into->accessMethod || cs->into->tableSpaceName)
			return NULL;
		a.query = cs->query;
		a.aliases = cs->into->colNames;
		a.options = cs->into->options;
	}
	else if (IsA(stmt, CompositeTypeStmt))
		return composite_would_define((CompositeTypeStmt *) stmt, kind, viewid);
	else if (IsA(stmt, CreateDomainStmt))
	{
		DomainArgs	d = {(CreateDomainStmt *) stmt, kind, viewid, NULL};
		Type		base = LookupTypeName(NULL, d.stmt->typeName, NULL, true);

		if (base == NULL)
			return NULL;
		ReleaseSysCache(base);
		return pgmg_read_rolled_back(domain_definition, &d, true) ? d.result : NULL;
	}
	else
		return NULL;

	return pgmg_read_rolled_back(view_definition, &a, true) ? a.result : NULL;
}

/*
 * view_definition
 *		pgmg_would_define for a view or materialized view, as
 *		pgmg_read_rolled_back runs it.
 */
static void
view_definition(void *arg)
{
	ViewArgs   *a = arg;
	Query	   *q = pgmg_analyse_view(a->query, a->aliases, a->source);
	Datum		reloptions;
	StringInfoData buf;

#if PG_VERSION_NUM < 160000
	/*
	 * Before PostgreSQL 16 a view's stored query also holds two entries for
	 * the view itself (OLD and NEW), and the deparser then prefixes every
	 * column with its relation: so must ours.  They are appended, where no
	 * Var points.
	 */
	q->rtable = lappend(q->rtable, view_entry(a->viewid, "old"));
	q->rtable = lappend(q->rtable, view_entry(a->viewid, "new"));
#endif

	(void) set_config_option("search_path", "", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
	initStringInfo(&buf);
	appendStringInfo(&buf, "%s\n%s;", a->kind, pg_get_querydef(q, false));
	reloptions = transformRelOptions((Datum) 0, a->options, NULL, NULL, false, false);
	if (reloptions != (Datum) 0)
		appendStringInfo(&buf, "\noptions %s",
						 TextDatumGetCString(OidFunctionCall1(F_ARRAY_OUT, reloptions)));
	a->result = buf.data;
}

/*
 * composite_would_define
 *		pgmg_would_define for a composite type; NULL when an attribute's
 *		type or collation cannot be found now.
 */
static char *
composite_would_define(CompositeTypeStmt *stmt, const char *kind, Oid typid)
{
	StringInfoData buf;
	List	   *types = NIL;
	List	   *collations = NIL;
	ListCell   *lc;
	ListCell   *tc;
	ListCell   *cc;
	int			level;

	/* resolved as CREATE TYPE resolves them: along the caller's path */
	foreach(lc, stmt->coldeflist)
	{
		ColumnDef  *cd = lfirst_node(ColumnDef, lc);
		Type		tup = LookupTypeName(NULL, cd->typeName, NULL, true);
		Oid			att;
		int32		typmod;
		Oid			coll;

		if (tup == NULL)
			return NULL;
		ReleaseSysCache(tup);
		/* it exists: its modifiers are read by its own function, as CREATE does */
		typenameTypeIdAndMod(NULL, cd->typeName, &att, &typmod);
		coll = cd->collClause ? get_collation_oid(cd->collClause->collname, true) :
			get_typcollation(att);
		if (cd->collClause && !OidIsValid(coll))
			return NULL;
		types = lappend(types, list_make2_oid(att, (Oid) typmod));
		collations = lappend_oid(collations, coll);
	}

	level = pgmg_empty_search_path();
	initStringInfo(&buf);
	appendStringInfo(&buf, "%s\n%s %c", kind, type_name(typid), TYPTYPE_COMPOSITE);
	forthree(lc, stmt->coldeflist, tc, types, cc, collations)
	{
		ColumnDef  *cd = lfirst_node(ColumnDef, lc);
		List	   *t = lfirst(tc);

		appendStringInfo(&buf, "\nattribute %s %s collate %s",
						 quote_identifier(cd->colname),
						 format_type_extended(linitial_oid(t), (int32) lsecond_oid(t),
											  FORMAT_TYPE_TYPEMOD_GIVEN |
											  FORMAT_TYPE_FORCE_QUALIFY),
						 collation_name(lfirst_oid(cc)));
	}
	AtEOXact_GUC(false, level);
	return buf.data;
}

/* what a domain's CHECK names VALUE stands for, while it is analysed */
typedef struct DomainValue
{
	Oid			typid;
	int32		typmod;
	Oid			collation;
} DomainValue;

/*
 * domain_value_hook
 *		Parser hook: VALUE in a domain's CHECK is the value being checked.
 */
static Node *
domain_value_hook(ParseState *pstate, ColumnRef *cref)
{
	DomainValue *dv = pstate->p_ref_hook_state;
	CoerceToDomainValue *v;

	if (list_length(cref->fields) != 1 || !IsA(linitial(cref->fields), String) ||
		strcmp(strVal(linitial(cref->fields)), "value") != 0)
		return NULL;
	v = makeNode(CoerceToDomainValue);
	v->typeId = dv->typid;
	v->typeMod = dv->typmod;
	v->collation = dv->collation;
	v->location = cref->location;
	return (Node *) v;
}

/*
 * domain_definition
 *		pgmg_would_define for a domain (typid the existing one), as
 *		pgmg_read_rolled_back runs it: its base
 *		type, NOT NULL, collation, default and CHECK constraints analysed as
 *		CREATE DOMAIN would analyse them, and printed as type_definition
 *		prints them.  An unnamed CHECK takes the name CREATE DOMAIN gives
 *		the first one; NULL when that is not enough to tell, or when
 *		something cannot be analysed now.
 */
static void
domain_definition(void *arg)
{
	DomainArgs *d = arg;
	Oid			base;
	int32		typmod;
	DomainValue dv;
	bool		notnull = false;
	Node	   *def = NULL;
	List	   *names = NIL;	/* of the CHECKs, with ... */
	List	   *exprs = NIL;	/* ... their analysed expressions ... */
	List	   *valid = NIL;	/* ... and whether they are validated */
	List	   *lines = NIL;
	ListCell   *nc;
	ListCell   *ec;
	ListCell   *vc;
	int			unnamed = 0;
	ListCell   *lc;
	StringInfoData buf;

	typenameTypeIdAndMod(NULL, d->stmt->typeName, &base, &typmod);
	dv.typid = base;
	dv.typmod = typmod;
	dv.collation = d->stmt->collClause ?
		get_collation_oid(d->stmt->collClause->collname, false) :
		get_typcollation(base);

	foreach(lc, d->stmt->constraints)
	{
		Constraint *c = lfirst_node(Constraint, lc);
		ParseState *pstate = make_parsestate(NULL);
		Node	   *expr;

		switch (c->contype)
		{
			case CONSTR_NOTNULL:
				notnull = true;
				break;
			case CONSTR_NULL:
				notnull = false;
				break;
			case CONSTR_DEFAULT:
				def = cookDefault(pstate, c->raw_expr, base, typmod, "", 0);
				break;
			case CONSTR_CHECK:
				pstate->p_pre_columnref_hook = domain_value_hook;
				pstate->p_ref_hook_state = &dv;
				expr = transformExpr(pstate, copyObject(c->raw_expr), EXPR_KIND_DOMAIN_CHECK);
				expr = coerce_to_boolean(pstate, expr, "CHECK");
				assign_expr_collations(pstate, expr);
				if (c->conname == NULL && unnamed++ > 0)
					elog(ERROR, "more than one unnamed CHECK");
				names = lappend(names, c->conname ? c->conname :
								psprintf("%s_check", strVal(llast(d->stmt->domainname))));
				exprs = lappend(exprs, expr);
				valid = lappend_int(valid, !c->skip_validation);
				break;
			default:
				elog(ERROR, "a domain constraint pgmg does not compare");
		}
	}

	(void) set_config_option("search_path", "", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
	initStringInfo(&buf);
	appendStringInfo(&buf, "%s\n%s %c", d->kind, type_name(d->typid), TYPTYPE_DOMAIN);
	appendStringInfo(&buf, "\nover %s not null %d collate %s",
					 format_type_extended(base, typmod,
										  FORMAT_TYPE_TYPEMOD_GIVEN |
										  FORMAT_TYPE_FORCE_QUALIFY),
					 notnull, collation_name(dv.collation));
	if (def)
		appendStringInfo(&buf, "\ndefault %s", expression_text(def));
	/* as domain_constraints prints them: by name */
	forthree(nc, names, ec, exprs, vc, valid)
		lines = lappend(lines, psprintf("\nconstraint %s CHECK (%s)%s valid %d",
										quote_identifier(lfirst(nc)),
										expression_text(lfirst(ec)),
										lfirst_int(vc) ? "" : " NOT VALID",
										lfirst_int(vc)));
	list_sort(lines, pgmg_compare_cstrings);
	foreach(lc, lines)
		appendStringInfoString(&buf, lfirst(lc));
	d->result = buf.data;
}

/* an analysed expression as pg_get_expr prints a stored one */
static char *
expression_text(Node *expr)
{
	return TextDatumGetCString(DirectFunctionCall2(pg_get_expr,
												   CStringGetTextDatum(nodeToString(expr)),
												   ObjectIdGetDatum(InvalidOid)));
}

#if PG_VERSION_NUM < 160000
/* a range table entry for the view itself, as DefineView adds them */
static RangeTblEntry *
view_entry(Oid viewid, const char *name)
{
	RangeTblEntry *rte = makeNode(RangeTblEntry);

	rte->rtekind = RTE_RELATION;
	rte->relid = viewid;
	rte->relkind = get_rel_relkind(viewid);
	rte->rellockmode = AccessShareLock;
	rte->alias = makeAlias(name, NIL);
	rte->eref = makeAlias(name, NIL);
	return rte;
}
#endif

/*
 * describe
 *		Append the canonical text of an object to buf.
 */
static void
describe(StringInfo buf, const ObjectAddress *addr)
{
	appendStringInfo(buf, "%s\n", pgmg_object_kind(addr));

	switch (addr->classId)
	{
		case RelationRelationId:
			relation_definition(buf, addr->objectId);
			break;
		case ProcedureRelationId:
			routine_definition(buf, addr->objectId);
			break;
		case TypeRelationId:
			type_definition(buf, addr->objectId);
			break;
		case TriggerRelationId:
			{
				Relation	rel = table_open(TriggerRelationId, AccessShareLock);
				HeapTuple	tup = pgmg_catalog_row(rel, TriggerOidIndexId,
											  Anum_pg_trigger_oid, addr->objectId);

				if (HeapTupleIsValid(tup))
				{
					append_text(buf, DirectFunctionCall1(pg_get_triggerdef,
														  ObjectIdGetDatum(addr->objectId)));
					appendStringInfo(buf, "\nenabled %c",
									 ((Form_pg_trigger) GETSTRUCT(tup))->tgenabled);
				}
				table_close(rel, AccessShareLock);
				break;
			}
		case RewriteRelationId:
			{
				Relation	rel = table_open(RewriteRelationId, AccessShareLock);
				HeapTuple	tup = pgmg_catalog_row(rel, RewriteOidIndexId,
											  Anum_pg_rewrite_oid, addr->objectId);

				if (HeapTupleIsValid(tup))
				{
					append_text(buf, DirectFunctionCall1(pg_get_ruledef,
														  ObjectIdGetDatum(addr->objectId)));
					appendStringInfo(buf, "\nenabled %c",
									 ((Form_pg_rewrite) GETSTRUCT(tup))->ev_enabled);
				}
				table_close(rel, AccessShareLock);
				break;
			}
		case PolicyRelationId:
			policy_definition(buf, addr->objectId);
			break;
		case OperatorRelationId:
			operator_definition(buf, addr->objectId);
			break;
		case CastRelationId:
			cast_definition(buf, addr->objectId);
			break;
		case EventTriggerRelationId:
			event_trigger_definition(buf, addr->objectId);
			break;
		default:
			elog(ERROR, "pgmg cannot describe objects of catalog %u", addr->classId);
	}
}

/*
 * relation_definition
 *		A view's or materialized view's query and options.
 */
static void
relation_definition(StringInfo buf, Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Datum		d;
	bool		isnull;

	if (!HeapTupleIsValid(tup))
		return;
	append_text(buf, DirectFunctionCall1(pg_get_viewdef, ObjectIdGetDatum(relid)));
	d = SysCacheGetAttr(RELOID, tup, Anum_pg_class_reloptions, &isnull);
	if (!isnull)
		appendStringInfo(buf, "\noptions %s",
						 TextDatumGetCString(OidFunctionCall1(F_ARRAY_OUT, d)));
	ReleaseSysCache(tup);
}

/*
 * routine_definition
 *		A function's or procedure's CREATE statement as the server prints
 *		it (signature, result, language, attributes, settings, body).
 */
static void
routine_definition(StringInfo buf, Oid funcid)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	char		prokind;

	if (!HeapTupleIsValid(tup))
		return;
	prokind = ((Form_pg_proc) GETSTRUCT(tup))->prokind;
	ReleaseSysCache(tup);
	if (prokind == PROKIND_AGGREGATE)
		aggregate_definition(buf, funcid);
	else
		append_text(buf, DirectFunctionCall1(pg_get_functiondef,
											 ObjectIdGetDatum(funcid)));
}

/*
 * aggregate_definition
 *		An aggregate's signature and what pg_aggregate says of it, every
 *		function, operator and type by name.
 */
static void
aggregate_definition(StringInfo buf, Oid funcid)
{
	HeapTuple	proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	HeapTuple	tup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(funcid));
	Form_pg_proc p;
	Form_pg_aggregate a;
	Datum		d;
	bool		isnull;

	if (!HeapTupleIsValid(proc) || !HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for aggregate %u", funcid);
	p = (Form_pg_proc) GETSTRUCT(proc);
	a = (Form_pg_aggregate) GETSTRUCT(tup);

	appendStringInfo(buf, "%s returns %s strict %d parallel %c\n",
					 proc_name(funcid), type_name(p->prorettype),
					 p->proisstrict, p->proparallel);
	appendStringInfo(buf, "kind %c direct %d trans %s %s space %d final %s %d %c combine %s serial %s deserial %s\n",
					 a->aggkind, a->aggnumdirectargs,
					 proc_name(a->aggtransfn), type_name(a->aggtranstype), a->aggtransspace,
					 proc_name(a->aggfinalfn), a->aggfinalextra, a->aggfinalmodify,
					 proc_name(a->aggcombinefn), proc_name(a->aggserialfn),
					 proc_name(a->aggdeserialfn));
	appendStringInfo(buf, "moving %s %s %s %s space %d %d %c sortop %s",
					 proc_name(a->aggmtransfn), proc_name(a->aggminvtransfn),
					 proc_name(a->aggmfinalfn), type_name(a->aggmtranstype),
					 a->aggmtransspace, a->aggmfinalextra, a->aggmfinalmodify,
					 OidIsValid(a->aggsortop) ? format_operator_qualified(a->aggsortop) : "-");
	d = SysCacheGetAttr(AGGFNOID, tup, Anum_pg_aggregate_agginitval, &isnull);
	appendStringInfo(buf, "\ninit %s", isnull ? "-" : TextDatumGetCString(d));
	d = SysCacheGetAttr(AGGFNOID, tup, Anum_pg_aggregate_aggminitval, &isnull);
	appendStringInfo(buf, "\nminit %s", isnull ? "-" : TextDatumGetCString(d));
	ReleaseSysCache(tup);
	ReleaseSysCache(proc);
}

/*
 * type_definition
 *		A type's kind and shape: enum labels in order, composite attributes,
 *		a domain's base, default and constraints, a range's subtype and
 *		functions, a base type's functions and storage.
 */
static void
type_definition(StringInfo buf, Oid typid)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	Form_pg_type t;
	Datum		d;
	bool		isnull;

	if (!HeapTupleIsValid(tup))
		return;
	t = (Form_pg_type) GETSTRUCT(tup);
	appendStringInfo(buf, "%s %c", type_name(typid), t->typtype);

	switch (t->typtype)
	{
		case TYPTYPE_ENUM:
			enum_labels(buf, typid);
			break;
		case TYPTYPE_COMPOSITE:
			composite_attributes(buf, t->typrelid);
			break;
		case TYPTYPE_DOMAIN:
			appendStringInfo(buf, "\nover %s not null %d collate %s",
							 format_type_extended(t->typbasetype, t->typtypmod,
												  FORMAT_TYPE_TYPEMOD_GIVEN |
												  FORMAT_TYPE_FORCE_QUALIFY),
							 t->typnotnull, collation_name(t->typcollation));
			d = SysCacheGetAttr(TYPEOID, tup, Anum_pg_type_typdefaultbin, &isnull);
			if (!isnull)
				appendStringInfo(buf, "\ndefault %s",
								 TextDatumGetCString(DirectFunctionCall2(pg_get_expr, d,
																		 ObjectIdGetDatum(InvalidOid))));
			domain_constraints(buf, typid);
			break;
		case TYPTYPE_RANGE:
			{
				HeapTuple	rt = SearchSysCache1(RANGETYPE, ObjectIdGetDatum(typid));

				if (HeapTupleIsValid(rt))
				{
					Form_pg_range r = (Form_pg_range) GETSTRUCT(rt);
					HeapTuple	oc = SearchSysCache1(CLAOID, ObjectIdGetDatum(r->rngsubopc));
					const char *opclass = "-";

					if (HeapTupleIsValid(oc))
					{
						Form_pg_opclass o = (Form_pg_opclass) GETSTRUCT(oc);

						opclass = quote_qualified_identifier(get_namespace_name(o->opcnamespace),
															 NameStr(o->opcname));
						ReleaseSysCache(oc);
					}
					appendStringInfo(buf, "\nsubtype %s collate %s opclass %s canonical %s diff %s multirange %s",
									 type_name(r->rngsubtype), collation_name(r->rngcollation),
									 opclass, proc_name(r->rngcanonical),
									 proc_name(r->rngsubdiff), type_name(r->rngmultitypid));
					ReleaseSysCache(rt);
				}
				break;
			}
		default:
			appendStringInfo(buf, "\nlen %d byval %d align %c storage %c category %c preferred %d delim %c elem %s collatable %d",
							 t->typlen, t->typbyval, t->typalign, t->typstorage,
							 t->typcategory, t->typispreferred, t->typdelim,
							 type_name(t->typelem), OidIsValid(t->typcollation));
			appendStringInfo(buf, "\nio %s %s %s %s %s %s %s %s",
							 proc_name(t->typinput), proc_name(t->typoutput),
							 proc_name(t->typreceive), proc_name(t->typsend),
							 proc_name(t->typmodin), proc_name(t->typmodout),
							 proc_name(t->typanalyze), proc_name(t->typsubscript));
			d = SysCacheGetAttr(TYPEOID, tup, Anum_pg_type_typdefault, &isnull);
			if (!isnull)
				appendStringInfo(buf, "\ndefault %s", TextDatumGetCString(d));
			break;
	}
	ReleaseSysCache(tup);
}

/*
 * enum_labels
 *		The labels of an enum in their order.  Sort orders themselves are
 *		left out: a restore renumbers them.
 */
static void
enum_labels(StringInfo buf, Oid typid)
{
	CatCList   *list = SearchSysCacheList1(ENUMTYPOIDNAME, ObjectIdGetDatum(typid));
	int			n = list->n_members;
	float4	   *order = palloc(sizeof(float4) * Max(n, 1));
	char	  **label = palloc(sizeof(char *) * Max(n, 1));
	int			i,
				j;

	/* cache lists are unordered; enums are short: insertion sort */
	for (i = 0; i < n; i++)
	{
		Form_pg_enum e = (Form_pg_enum) GETSTRUCT(&list->members[i]->tuple);

		for (j = i; j > 0 && order[j - 1] > e->enumsortorder; j--)
		{
			order[j] = order[j - 1];
			label[j] = label[j - 1];
		}
		order[j] = e->enumsortorder;
		label[j] = pstrdup(NameStr(e->enumlabel));
	}
	ReleaseSysCacheList(list);
	for (i = 0; i < n; i++)
		appendStringInfo(buf, "\nlabel %s", quote_literal_cstr(label[i]));
}

/*
 * composite_attributes
 *		The attributes of a composite type, in order: name, type, collation.
 */
static void
composite_attributes(StringInfo buf, Oid relid)
{
	HeapTuple	rel = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	int			natts;
	int			i;

	if (!HeapTupleIsValid(rel))
		return;
	natts = ((Form_pg_class) GETSTRUCT(rel))->relnatts;
	ReleaseSysCache(rel);
	for (i = 1; i <= natts; i++)
	{
		HeapTuple	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(i));
		Form_pg_attribute att;

		if (!HeapTupleIsValid(tup))
			continue;
		att = (Form_pg_attribute) GETSTRUCT(tup);
		if (!att->attisdropped)
			appendStringInfo(buf, "\nattribute %s %s collate %s",
							 quote_identifier(NameStr(att->attname)),
							 format_type_extended(att->atttypid, att->atttypmod,
												  FORMAT_TYPE_TYPEMOD_GIVEN |
												  FORMAT_TYPE_FORCE_QUALIFY),
							 collation_name(att->attcollation));
		ReleaseSysCache(tup);
	}
}

/*
 * domain_constraints
 *		A domain's constraints by name: definition, and whether validated.
 */
static void
domain_constraints(StringInfo buf, Oid typid)
{
	Relation	rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *lines = NIL;
	ListCell   *lc;

	ScanKeyInit(&key, Anum_pg_constraint_contypid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(typid));
	scan = systable_beginscan(rel, ConstraintTypidIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
		Datum		def = DirectFunctionCall1(pg_get_constraintdef,
											  ObjectIdGetDatum(con->oid));

		lines = lappend(lines, psprintf("\nconstraint %s %s valid %d",
										quote_identifier(NameStr(con->conname)),
										TextDatumGetCString(def), con->convalidated));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	list_sort(lines, pgmg_compare_cstrings);
	foreach(lc, lines)
		appendStringInfoString(buf, lfirst(lc));
}

/*
 * policy_definition
 *		A policy's table, command, kind, roles (by name, sorted) and
 *		expressions.
 */
static void
policy_definition(StringInfo buf, Oid policyid)
{
	Relation	rel = table_open(PolicyRelationId, AccessShareLock);
	HeapTuple	tup = pgmg_catalog_row(rel, PolicyOidIndexId, Anum_pg_policy_oid, policyid);
	Form_pg_policy p;
	Datum		d;
	bool		isnull;
	ArrayType  *roles;
	Datum	   *elems;
	int			nelems;
	List	   *names = NIL;
	ListCell   *lc;
	int			i;

	if (!HeapTupleIsValid(tup))
	{
		table_close(rel, AccessShareLock);
		return;
	}
	p = (Form_pg_policy) GETSTRUCT(tup);
	appendStringInfo(buf, "%s on %s for %c permissive %d\nto",
					 quote_identifier(NameStr(p->polname)),
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(p->polrelid)),
												get_rel_name(p->polrelid)),
					 p->polcmd, p->polpermissive);

	d = heap_getattr(tup, Anum_pg_policy_polroles, RelationGetDescr(rel), &isnull);
	roles = DatumGetArrayTypeP(d);
	deconstruct_array(roles, OIDOID, sizeof(Oid), true, TYPALIGN_INT,
					  &elems, NULL, &nelems);
	for (i = 0; i < nelems; i++)
	{
		Oid			role = DatumGetObjectId(elems[i]);

		names = lappend(names, role == ACL_ID_PUBLIC ? pstrdup("public") :
						pstrdup(quote_identifier(GetUserNameFromId(role, false))));
	}
	list_sort(names, pgmg_compare_cstrings);
	foreach(lc, names)
		appendStringInfo(buf, " %s", (char *) lfirst(lc));

	d = heap_getattr(tup, Anum_pg_policy_polqual, RelationGetDescr(rel), &isnull);
	if (!isnull)
		appendStringInfo(buf, "\nusing %s",
						 TextDatumGetCString(DirectFunctionCall2(pg_get_expr, d,
																 ObjectIdGetDatum(p->polrelid))));
	d = heap_getattr(tup, Anum_pg_policy_polwithcheck, RelationGetDescr(rel), &isnull);
	if (!isnull)
		appendStringInfo(buf, "\ncheck %s",
						 TextDatumGetCString(DirectFunctionCall2(pg_get_expr, d,
																 ObjectIdGetDatum(p->polrelid))));
	table_close(rel, AccessShareLock);
}

/*
 * operator_definition
 *		An operator's name, arguments, result, function, estimators and
 *		companions, all by name.
 */
static void
operator_definition(StringInfo buf, Oid oprid)
{
	HeapTuple	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(oprid));
	Form_pg_operator o;

	if (!HeapTupleIsValid(tup))
		return;
	o = (Form_pg_operator) GETSTRUCT(tup);
	appendStringInfo(buf, "%s kind %c left %s right %s result %s\nfunction %s restrict %s join %s\ncommutator %s negator %s merges %d hashes %d",
					 format_operator_qualified(oprid), o->oprkind,
					 type_name(o->oprleft), type_name(o->oprright), type_name(o->oprresult),
					 proc_name(o->oprcode), proc_name(o->oprrest), proc_name(o->oprjoin),
					 OidIsValid(o->oprcom) ? format_operator_qualified(o->oprcom) : "-",
					 OidIsValid(o->oprnegate) ? format_operator_qualified(o->oprnegate) : "-",
					 o->oprcanmerge, o->oprcanhash);
	ReleaseSysCache(tup);
}

/*
 * cast_definition
 *		A cast's types, function, context and method.
 */
static void
cast_definition(StringInfo buf, Oid castid)
{
	Relation	rel = table_open(CastRelationId, AccessShareLock);
	HeapTuple	tup = pgmg_catalog_row(rel, CastOidIndexId, Anum_pg_cast_oid, castid);

	if (HeapTupleIsValid(tup))
	{
		Form_pg_cast c = (Form_pg_cast) GETSTRUCT(tup);

		appendStringInfo(buf, "%s as %s with %s context %c method %c",
						 type_name(c->castsource), type_name(c->casttarget),
						 proc_name(c->castfunc), c->castcontext, c->castmethod);
	}
	table_close(rel, AccessShareLock);
}

/*
 * event_trigger_definition
 *		An event trigger's event, function, tags and whether it fires.
 */
static void
event_trigger_definition(StringInfo buf, Oid evtid)
{
	HeapTuple	tup = SearchSysCache1(EVENTTRIGGEROID, ObjectIdGetDatum(evtid));
	Form_pg_event_trigger e;
	Datum		d;
	bool		isnull;

	if (!HeapTupleIsValid(tup))
		return;
	e = (Form_pg_event_trigger) GETSTRUCT(tup);
	appendStringInfo(buf, "%s on %s execute %s enabled %c",
					 quote_identifier(NameStr(e->evtname)), NameStr(e->evtevent),
					 proc_name(e->evtfoid), e->evtenabled);
	d = SysCacheGetAttr(EVENTTRIGGEROID, tup, Anum_pg_event_trigger_evttags, &isnull);
	if (!isnull)
		appendStringInfo(buf, "\ntags %s",
						 TextDatumGetCString(OidFunctionCall1(F_ARRAY_OUT, d)));
	ReleaseSysCache(tup);
}

static void
append_text(StringInfo buf, Datum d)
{
	appendStringInfoString(buf, TextDatumGetCString(d));
}

/* a function by qualified name and argument types; "-" for none */
static const char *
proc_name(Oid funcid)
{
	return OidIsValid(funcid) ? format_procedure_qualified(funcid) : "-";
}

/* a type by qualified name; "-" for none */
static const char *
type_name(Oid typid)
{
	return OidIsValid(typid) ? format_type_be_qualified(typid) : "-";
}

/* a collation by qualified name; "-" for none */
static const char *
collation_name(Oid collid)
{
	HeapTuple	tup;
	const char *name;

	if (!OidIsValid(collid))
		return "-";
	tup = SearchSysCache1(COLLOID, ObjectIdGetDatum(collid));
	if (!HeapTupleIsValid(tup))
		return "-";
	name = quote_qualified_identifier(get_namespace_name(((Form_pg_collation) GETSTRUCT(tup))->collnamespace),
									  NameStr(((Form_pg_collation) GETSTRUCT(tup))->collname));
	ReleaseSysCache(tup);
	return name;
}
