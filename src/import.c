/*-------------------------------------------------------------------------
 *
 * import.c
 *	  A project written from a live database: one code file per view,
 *	  materialized view, function, aggregate and operator name (its
 *	  overloads together), type, domain, cast, trigger, event trigger,
 *	  policy and rule of the chosen schemas, each with the
 *	  decorations the object has (owner, privileges, comments, a
 *	  materialized view's indexes and population state).
 *
 * Every statement is printed under an empty search_path, so every name is
 * qualified and the files bind to what the objects bind to now.  A
 * function's file is what pg_get_functiondef prints, which the planner
 * recognizes as unchanged, so applying the imported project to the
 * database it came from executes nothing but decorations.  Aggregates,
 * operators, casts, event triggers and range types are printed as pg_dump
 * prints them (printed.c), which the planner recognizes too.  A cast goes
 * with the first of its source type, target type and function that is in
 * the chosen schemas; an event trigger with its function.  Objects of
 * extensions, internal objects (a range type's constructors, row types of
 * tables), shell operators and pgmg's own schema are left out; base
 * types, which this does not write yet, are named in a WARNING each,
 * never skipped silently.
 *
 * Only catalogs are read.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/import.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/ruleutils.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "pgmg.h"

static void import_kind(List **files, HTAB *paths, const char *query, List *schemas);
static char *object_text(const ObjectAddress *addr);
static char *type_text(Oid typid);
static char *trigger_text(Oid trigid);
static char *event_trigger_text(Oid evtid);
static const char *firing_keyword(char enabled);
static char *file_path(HTAB *paths, const char *schema, const char *folder,
					   const char *name);
static void operator_words(StringInfo buf, const char *name);
static char *covered_objects(const ObjectAddress *addr);

/* the objects of each kind, as (classid, oid, schema, folder, name) */
#define NOT_EXTENSION(cls, col) \
	"NOT EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) '" cls "'::pg_catalog.regclass " \
	"AND d.objid OPERATOR(pg_catalog.=) " col " AND d.deptype IN ('e', 'i'))"

static const char *const queries[] = {
	"SELECT 'pg_class'::pg_catalog.regclass::pg_catalog.oid, c.oid, n.nspname, "
	"CASE c.relkind WHEN 'v' THEN 'views' ELSE 'materialized_views' END, c.relname::pg_catalog.text "
	"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
	"WHERE c.relkind IN ('v', 'm') AND n.nspname OPERATOR(pg_catalog.=) ANY ($1) AND " NOT_EXTENSION("pg_class", "c.oid")
	" ORDER BY 3, 5",

	"SELECT 'pg_proc'::pg_catalog.regclass::pg_catalog.oid, p.oid, n.nspname, "
	"CASE WHEN p.prokind OPERATOR(pg_catalog.=) 'a' THEN 'aggregates' WHEN p.prokind OPERATOR(pg_catalog.=) 'p' THEN 'procedures' ELSE 'functions' END, "
	"p.proname::pg_catalog.text "
	"FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace "
	"WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1) AND " NOT_EXTENSION("pg_proc", "p.oid")
	" ORDER BY 3, 5, p.oid::pg_catalog.regprocedure::pg_catalog.text COLLATE \"C\"",

	"SELECT 'pg_type'::pg_catalog.regclass::pg_catalog.oid, t.oid, n.nspname, "
	"CASE t.typtype WHEN 'd' THEN 'domains' ELSE 'types' END, t.typname::pg_catalog.text "
	"FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace "
	"WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1) AND t.typtype IN ('b', 'c', 'd', 'e', 'r') "
	"AND (t.typtype OPERATOR(pg_catalog.<>) 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c') "
	"AND NOT (t.typtype OPERATOR(pg_catalog.=) 'b' AND t.typelem OPERATOR(pg_catalog.<>) 0 AND t.typlen OPERATOR(pg_catalog.=) -1) "
	"AND " NOT_EXTENSION("pg_type", "t.oid")
	" ORDER BY 3, 5",

	"SELECT 'pg_trigger'::pg_catalog.regclass::pg_catalog.oid, g.oid, n.nspname, 'triggers', "
	"c.relname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) g.tgname "
	"FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) g.tgrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
	"WHERE NOT g.tgisinternal AND n.nspname OPERATOR(pg_catalog.=) ANY ($1) AND " NOT_EXTENSION("pg_trigger", "g.oid")
	" ORDER BY 3, 5",

	"SELECT 'pg_policy'::pg_catalog.regclass::pg_catalog.oid, p.oid, n.nspname, 'policies', "
	"c.relname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) p.polname "
	"FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.polrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
	"WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1) AND " NOT_EXTENSION("pg_policy", "p.oid")
	" ORDER BY 3, 5",

	"SELECT 'pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, r.oid, n.nspname, 'rules', "
	"c.relname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) r.rulename "
	"FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.ev_class "
	"JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
	"WHERE r.rulename OPERATOR(pg_catalog.<>) '_RETURN' AND n.nspname OPERATOR(pg_catalog.=) ANY ($1) AND "
	NOT_EXTENSION("pg_rewrite", "r.oid")
	" ORDER BY 3, 5",

	"SELECT 'pg_operator'::pg_catalog.regclass::pg_catalog.oid, o.oid, n.nspname, 'operators', o.oprname::pg_catalog.text "
	"FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace "
	"WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1) AND o.oprcode OPERATOR(pg_catalog.<>) 0 AND "
	NOT_EXTENSION("pg_operator", "o.oid")
	" ORDER BY 3, 5",

	/* a cast goes with the first of its source type, target type and function in the schemas */
	"SELECT 'pg_cast'::pg_catalog.regclass::pg_catalog.oid, c.oid, s.nspname, 'casts', "
	"st.typname OPERATOR(pg_catalog.||) '_as_' OPERATOR(pg_catalog.||) tt.typname "
	"FROM pg_catalog.pg_cast c JOIN pg_catalog.pg_type st ON st.oid OPERATOR(pg_catalog.=) c.castsource "
	"JOIN pg_catalog.pg_type tt ON tt.oid OPERATOR(pg_catalog.=) c.casttarget "
	"CROSS JOIN LATERAL (SELECT n.nspname FROM (VALUES (1, st.typnamespace), (2, tt.typnamespace), "
	"(3, (SELECT p.pronamespace FROM pg_catalog.pg_proc p WHERE p.oid OPERATOR(pg_catalog.=) c.castfunc))) v(i, ns) "
	"JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) v.ns "
	"WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1) ORDER BY v.i LIMIT 1) s "
	"WHERE c.oid OPERATOR(pg_catalog.>=) " CppAsString2(FirstNormalObjectId) " AND " NOT_EXTENSION("pg_cast", "c.oid")
	" ORDER BY 3, 5",

	/* an event trigger goes with its function's schema */
	"SELECT 'pg_event_trigger'::pg_catalog.regclass::pg_catalog.oid, e.oid, n.nspname, 'event_triggers', "
	"e.evtname::pg_catalog.text "
	"FROM pg_catalog.pg_event_trigger e JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) e.evtfoid "
	"JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace "
	"WHERE n.nspname OPERATOR(pg_catalog.=) ANY ($1) AND " NOT_EXTENSION("pg_event_trigger", "e.oid")
	" ORDER BY 3, 5",
};

/*
 * pgmg_import
 *		The code files of the schemas given (char *; NIL: every schema but
 *		PostgreSQL's own, pgmg's and those of extensions), in path order:
 *		each (path, content, objects), objects saying which catalog
 *		entries the file makes ("classid objid", comma-separated: a
 *		materialized view's indexes too), as pg_restore -l lists them.
 */
List *
pgmg_import(List *schemas)
{
	List	   *files = NIL;
	HTAB	   *paths = pgmg_str_map("pgmg import paths");
	int			i;

	if (schemas == NIL)
	{
		int			ret = pgmg_spi_execute("SELECT n.nspname FROM pg_catalog.pg_namespace n "
										   "WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgmg') "
										   "AND " NOT_EXTENSION("pg_namespace", "n.oid")
										   " ORDER BY 1", true, 0);
		uint64		r;

		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not list schemas: %s", SPI_result_code_string(ret));
		for (r = 0; r < SPI_processed; r++)
			schemas = lappend(schemas, SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));
	}
	for (i = 0; i < lengthof(queries); i++)
		import_kind(&files, paths, queries[i], schemas);
	list_sort(files, pgmg_compare_cstrings);	/* a pair starts with its path */
	return files;
}

/*
 * import_kind
 *		Add the files of the objects one query lists: one per object, but
 *		the overloads of a function in one file.
 */
static void
import_kind(List **files, HTAB *paths, const char *query, List *schemas)
{
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1];
	HTAB	   *by_name = pgmg_str_map("pgmg import names");
	List	   *rows = NIL;
	ListCell   *lc;
	int			ret;
	uint64		r;

	values[0] = pgmg_text_array(schemas);
	ret = pgmg_spi_execute_args(query, 1, types, values, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not list objects to import: %s", SPI_result_code_string(ret));
	for (r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		ObjectAddress *addr = palloc(sizeof(ObjectAddress));
		char	  **row = palloc(sizeof(char *) * 3);

		addr->classId = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		addr->objectId = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		addr->objectSubId = 0;
		row[0] = SPI_getvalue(tup, desc, 3);
		row[1] = SPI_getvalue(tup, desc, 4);
		row[2] = SPI_getvalue(tup, desc, 5);
		rows = lappend(rows, list_make2(addr, row));
	}

	foreach(lc, rows)
	{
		ObjectAddress *addr = linitial(lfirst(lc));
		char	  **row = lsecond(lfirst(lc));
		char	   *text = object_text(addr);
		char	   *key;
		char	  **file;

		if (text == NULL)
		{
			ereport(WARNING,
					(errmsg("pgmg import does not write %s yet", pgmg_object_name(addr)),
					 errhint("Write its code file by hand, or keep it in a migration.")));
			continue;
		}
		key = psprintf("%s/%s/%s", row[0], row[1], row[2]);
		file = pgmg_str_get(by_name, key);
		if (file)
		{
			/* another overload: same file */
			file[1] = psprintf("%s\n%s", file[1], text);
			file[2] = psprintf("%s,%s", file[2], covered_objects(addr));
			continue;
		}
		file = palloc(sizeof(char *) * 3);
		file[0] = file_path(paths, row[0], row[1], row[2]);
		file[1] = text;
		file[2] = covered_objects(addr);
		pgmg_str_put(by_name, key, file);
		*files = lappend(*files, file);
	}
}

/*
 * object_text
 *		The statements of an object's code file; NULL for kinds not
 *		written yet.
 */
static char *
object_text(const ObjectAddress *addr)
{
	StringInfoData buf;
	int			level;
	ListCell   *lc;
	char	   *def = NULL;

	if (addr->classId == RelationRelationId)
		return pgmg_preserve_text(addr);

	level = pgmg_empty_search_path();
	switch (addr->classId)
	{
		case TypeRelationId:
			def = type_text(addr->objectId);
			break;
		case TriggerRelationId:
			def = trigger_text(addr->objectId);
			break;
		case EventTriggerRelationId:
			def = event_trigger_text(addr->objectId);
			break;
		default:
			def = pgmg_printed_statement(addr);
			if (def)
				def = psprintf("%s;\n", def);
			break;
	}
	AtEOXact_GUC(false, level);
	if (def == NULL)
		return NULL;

	initStringInfo(&buf);
	appendStringInfoString(&buf, def);
	foreach(lc, pgmg_restore_statements(addr, true, true, true, true, false))
		appendStringInfo(&buf, "%s;\n", ((PgmgSql *) lfirst(lc))->text);
	return buf.data;
}

/*
 * trigger_text
 *		CREATE TRIGGER as the server prints it, and whether it fires.
 */
static char *
trigger_text(Oid trigid)
{
	Relation	rel = table_open(TriggerRelationId, AccessShareLock);
	HeapTuple	tup = pgmg_catalog_row(rel, TriggerOidIndexId, Anum_pg_trigger_oid, trigid);
	char	   *def;

	def = psprintf("%s;\n", pgmg_printed_statement(&(ObjectAddress) {TriggerRelationId, trigid, 0}));
	if (HeapTupleIsValid(tup))
	{
		Form_pg_trigger t = (Form_pg_trigger) GETSTRUCT(tup);

		if (t->tgenabled != TRIGGER_FIRES_ON_ORIGIN)
			def = psprintf("%sALTER TABLE %s %s TRIGGER %s;\n", def,
						   quote_qualified_identifier(get_namespace_name(get_rel_namespace(t->tgrelid)),
													  get_rel_name(t->tgrelid)),
						   firing_keyword(t->tgenabled), quote_identifier(NameStr(t->tgname)));
	}
	table_close(rel, AccessShareLock);
	return def;
}

/* how ALTER ... TRIGGER says when a trigger or event trigger fires */
static const char *
firing_keyword(char enabled)
{
	switch (enabled)
	{
		case TRIGGER_DISABLED:
			return "DISABLE";
		case TRIGGER_FIRES_ALWAYS:
			return "ENABLE ALWAYS";
		case TRIGGER_FIRES_ON_REPLICA:
			return "ENABLE REPLICA";
		default:
			return "ENABLE";
	}
}

/*
 * event_trigger_text
 *		CREATE EVENT TRIGGER, and whether it fires.
 */
static char *
event_trigger_text(Oid evtid)
{
	HeapTuple	tup = SearchSysCache1(EVENTTRIGGEROID, ObjectIdGetDatum(evtid));
	char	   *def;
	char		enabled;

	if (!HeapTupleIsValid(tup))
		return NULL;
	enabled = ((Form_pg_event_trigger) GETSTRUCT(tup))->evtenabled;
	def = psprintf("%s;\n", pgmg_printed_statement(&(ObjectAddress) {EventTriggerRelationId, evtid, 0}));
	if (enabled != TRIGGER_FIRES_ON_ORIGIN)
		def = psprintf("%sALTER EVENT TRIGGER %s %s;\n", def,
					   quote_identifier(NameStr(((Form_pg_event_trigger) GETSTRUCT(tup))->evtname)),
					   firing_keyword(enabled));
	ReleaseSysCache(tup);
	return def;
}

/*
 * type_text
 *		CREATE TYPE for an enum, a composite or a range type, CREATE
 *		DOMAIN for a domain; NULL for base types (not written yet).
 */
static char *
type_text(Oid typid)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	Form_pg_type t;
	StringInfoData buf;
	char	   *name;

	if (!HeapTupleIsValid(tup))
		return NULL;
	t = (Form_pg_type) GETSTRUCT(tup);
	name = format_type_be_qualified(typid);
	initStringInfo(&buf);
	switch (t->typtype)
	{
		case TYPTYPE_ENUM:
			{
				int			ret;
				uint64		r;
				Oid			types[1] = {OIDOID};
				Datum		values[1] = {ObjectIdGetDatum(typid)};

				ret = pgmg_spi_execute_args("SELECT pg_catalog.quote_literal(enumlabel) FROM pg_catalog.pg_enum "
											"WHERE enumtypid OPERATOR(pg_catalog.=) $1 ORDER BY enumsortorder",
											1, types, values, NULL, true, 0);
				if (ret != SPI_OK_SELECT)
					elog(ERROR, "could not read enum labels: %s", SPI_result_code_string(ret));
				appendStringInfo(&buf, "CREATE TYPE %s AS ENUM (", name);
				for (r = 0; r < SPI_processed; r++)
					appendStringInfo(&buf, "%s%s", r ? ", " : "",
									 SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));
				appendStringInfoString(&buf, ");\n");
				break;
			}
		case TYPTYPE_COMPOSITE:
			{
				HeapTuple	rt = SearchSysCache1(RELOID, ObjectIdGetDatum(t->typrelid));
				int			natts = 0;
				int			i;
				bool		first = true;

				if (HeapTupleIsValid(rt))
				{
					natts = ((Form_pg_class) GETSTRUCT(rt))->relnatts;
					ReleaseSysCache(rt);
				}

				appendStringInfo(&buf, "CREATE TYPE %s AS (", name);
				for (i = 1; i <= natts; i++)
				{
					HeapTuple	at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(t->typrelid),
													 Int16GetDatum(i));
					Form_pg_attribute a;

					if (!HeapTupleIsValid(at))
						continue;
					a = (Form_pg_attribute) GETSTRUCT(at);
					if (!a->attisdropped)
					{
						appendStringInfo(&buf, "%s\n\t%s %s", first ? "" : ",",
										 quote_identifier(NameStr(a->attname)),
										 format_type_extended(a->atttypid, a->atttypmod,
															  FORMAT_TYPE_TYPEMOD_GIVEN |
															  FORMAT_TYPE_FORCE_QUALIFY));
						if (OidIsValid(a->attcollation) &&
							a->attcollation != get_typcollation(a->atttypid))
							appendStringInfo(&buf, " COLLATE %s", generate_collation_name(a->attcollation));
						first = false;
					}
					ReleaseSysCache(at);
				}
				appendStringInfoString(&buf, "\n);\n");
				break;
			}
		case TYPTYPE_DOMAIN:
			{
				Datum		d;
				bool		isnull;
				int			ret;
				uint64		r;
				Oid			types[1] = {OIDOID};
				Datum		values[1] = {ObjectIdGetDatum(typid)};

				appendStringInfo(&buf, "CREATE DOMAIN %s AS %s", name,
								 format_type_extended(t->typbasetype, t->typtypmod,
													  FORMAT_TYPE_TYPEMOD_GIVEN |
													  FORMAT_TYPE_FORCE_QUALIFY));
				if (OidIsValid(t->typcollation) &&
					t->typcollation != get_typcollation(t->typbasetype))
					appendStringInfo(&buf, " COLLATE %s", generate_collation_name(t->typcollation));
				d = SysCacheGetAttr(TYPEOID, tup, Anum_pg_type_typdefaultbin, &isnull);
				if (!isnull)
					appendStringInfo(&buf, "\n\tDEFAULT %s",
									 TextDatumGetCString(DirectFunctionCall2(pg_get_expr, d,
																			 ObjectIdGetDatum(InvalidOid))));
				if (t->typnotnull)
					appendStringInfoString(&buf, "\n\tNOT NULL");
				ret = pgmg_spi_execute_args("SELECT pg_catalog.quote_ident(conname), pg_catalog.pg_get_constraintdef(oid) "
											"FROM pg_catalog.pg_constraint WHERE contypid OPERATOR(pg_catalog.=) $1 "
											"ORDER BY conname COLLATE \"C\"", 1, types, values, NULL, true, 0);
				if (ret != SPI_OK_SELECT)
					elog(ERROR, "could not read domain constraints: %s", SPI_result_code_string(ret));
				for (r = 0; r < SPI_processed; r++)
					appendStringInfo(&buf, "\n\tCONSTRAINT %s %s",
									 SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1),
									 SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2));
				appendStringInfoString(&buf, ";\n");
				break;
			}
		case TYPTYPE_RANGE:
			appendStringInfo(&buf, "%s;\n",
							 pgmg_printed_statement(&(ObjectAddress) {TypeRelationId, typid, 0}));
			break;
		default:
			ReleaseSysCache(tup);
			return NULL;
	}
	ReleaseSysCache(tup);
	return buf.data;
}

/*
 * file_path
 *		schema/folder/name.sql with name made safe for a file name, unique
 *		among the paths given so far.
 */
static char *
file_path(HTAB *paths, const char *schema, const char *folder, const char *name)
{
	StringInfoData buf;
	char	   *base;
	char	   *path;
	char	   *p;
	int			n = 1;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s/%s/", schema, folder);
	if (strcmp(folder, "operators") == 0)
		operator_words(&buf, name);
	else
		appendStringInfoString(&buf, name);
	for (p = buf.data; *p; p++)
		if (!isalnum((unsigned char) *p) && *p != '_' && *p != '.' && *p != '/' && *p != '-')
			*p = '_';
	base = buf.data;
	path = psprintf("%s.sql", base);
	while (pgmg_str_get(paths, path))
		path = psprintf("%s_%d.sql", base, ++n);
	pgmg_str_put(paths, path, path);
	return path;
}

/*
 * operator_words
 *		An operator's name in words, for a file name: "===" as eq_eq_eq.
 */
static void
operator_words(StringInfo buf, const char *name)
{
	static const char *const words[][2] = {
		{"=", "eq"}, {"<", "lt"}, {">", "gt"}, {"!", "not"}, {"~", "tilde"},
		{"+", "plus"}, {"-", "minus"}, {"*", "star"}, {"/", "slash"},
		{"%", "percent"}, {"^", "caret"}, {"&", "amp"}, {"|", "bar"},
		{"`", "backtick"}, {"?", "question"}, {"#", "hash"}, {"@", "at"},
	};
	const char *p;
	int			i;

	for (p = name; *p; p++)
	{
		const char *word = "op";

		for (i = 0; i < lengthof(words); i++)
			if (*p == words[i][0][0])
				word = words[i][1];
		appendStringInfo(buf, "%s%s", p == name ? "" : "_", word);
	}
}

/*
 * covered_objects
 *		"classid objid" of an object, and of a materialized view's indexes.
 */
static char *
covered_objects(const ObjectAddress *addr)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%u %u", addr->classId, addr->objectId);
	if (addr->classId == RelationRelationId &&
		get_rel_relkind(addr->objectId) == RELKIND_MATVIEW)
	{
		Oid			types[1] = {OIDOID};
		Datum		values[1] = {ObjectIdGetDatum(addr->objectId)};
		int			ret;
		uint64		r;

		ret = pgmg_spi_execute_args("SELECT indexrelid FROM pg_catalog.pg_index "
									"WHERE indrelid OPERATOR(pg_catalog.=) $1 ORDER BY 1",
									1, types, values, NULL, true, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "could not read indexes: %s", SPI_result_code_string(ret));
		for (r = 0; r < SPI_processed; r++)
			appendStringInfo(&buf, ",%u %s", RelationRelationId,
							 SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));
	}
	return buf.data;
}
