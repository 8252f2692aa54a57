/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  What pgmg reads from the system catalogs: identities (stored names
 *	  are resolved back to objects by kinds.c's resolver), fingerprints for
 *	  drift (of canonical definitions, definition.c; 0.2's are still
 *	  compared the way they were taken),
 *	  direct dependents from pg_depend, the object a catalog entry belongs
 *	  to (a view's _RETURN rule, a rowtype, an array type, an index), and
 *	  the statements that drop an object or restore its owner, privileges
 *	  (column privileges too), comments, options, column defaults and a
 *	  materialized view's indexes.
 *
 * Definitions that are printed to be run again (preserved views, indexes,
 * defaults) are printed under an empty search_path, so every name is
 * qualified and binds to the object it named.
 *
 * Objects are named by (kind, names[], args[]) as getObjectIdentityParts
 * gives them; OIDs are never stored.  Everything here reads the catalogs
 * directly (syscache, index scans) and takes no locks on user objects, so
 * plan works in read-only transactions and does not fill the lock table.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_index.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/comment.h"
#include "commands/event_trigger.h"
#include "commands/policy.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "parser/parse_type.h"
#include "rewrite/rewriteSupport.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "pgmg.h"

/* how fingerprints taken from canonical definitions start */
#define FINGERPRINT_PREFIX "d1:"

static char *legacy_fingerprint(const ObjectAddress *addr);
static void hash_catalog_row(StringInfo buf, Oid classid, Oid objid);
static void append_row_version(StringInfo buf, HeapTuple tup);
static void append_type_shape(StringInfo buf, Oid typid);
static bool internal_parent(const ObjectAddress *addr, ObjectAddress *parent);
static const char *grant_keyword(const ObjectAddress *addr);
static void append_privileges(StringInfo buf, AclMode privs);
static char *reloptions_text(Oid relid);
static Node *column_default(Oid relid, AttrNumber attnum);
static List *column_grants(const ObjectAddress *addr, Oid owner_id);
static PgmgSql *new_sql(char *text);
static Acl *read_owner_acl(const ObjectAddress *addr, Oid *owner_id);

/*
 * pgmg_object_name
 *		"kind.identity", the key of pgmg.pgmg_state.
 */
char *
pgmg_object_name(const ObjectAddress *addr)
{
	return psprintf("%s.%s", pgmg_object_kind(addr),
					getObjectIdentity(addr, false));
}

/*
 * pgmg_identify
 *		Kind, identity and identity parts (lists of char *) of an object.
 */
void
pgmg_identify(const ObjectAddress *addr, char **kind, char **identity,
			  List **names, List **args)
{
	*kind = pstrdup(pgmg_object_kind(addr));
	*identity = getObjectIdentityParts(addr, names, args, false);
}

/*
 * pgmg_fingerprint
 *		"d1:" and a SHA-256 of the object's canonical definition
 *		(definition.c): equal in every database holding the same object.
 *		keep_locks as for pgmg_definition.
 */
char *
pgmg_fingerprint(const ObjectAddress *addr, bool keep_locks)
{
	return pgmg_fingerprint_of(pgmg_definition(addr, keep_locks));
}

/*
 * pgmg_fingerprint_of
 *		The fingerprint of a canonical definition already taken.
 */
char *
pgmg_fingerprint_of(const char *definition)
{
	char		hash[PGMG_HASH_LEN];

	pgmg_hash_lines(definition, hash);
	return psprintf("%s%s", FINGERPRINT_PREFIX, hash);
}

/*
 * legacy_fingerprint
 *		The fingerprint pgmg 0.2 recorded, without a prefix: a SHA-256 over
 *		catalog rows as stored, OIDs included, so it matches only in the
 *		database it was taken in.  Still compared, so that state recorded
 *		then is not all drift; the next apply records the new kind.
 */
static char *
legacy_fingerprint(const ObjectAddress *addr)
{
	StringInfoData buf;
	char	   *hash = palloc(PGMG_HASH_LEN);

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s\n", pgmg_object_kind(addr));

	if (addr->classId == RelationRelationId)
	{
		HeapTuple	tup;
		Datum		d;
		bool		isnull;

		tup = SearchSysCache2(RULERELNAME, ObjectIdGetDatum(addr->objectId),
							  CStringGetDatum(ViewSelectRuleName));
		if (HeapTupleIsValid(tup))
		{
			d = SysCacheGetAttr(RULERELNAME, tup, Anum_pg_rewrite_ev_action, &isnull);
			if (!isnull)
				appendStringInfoString(&buf, TextDatumGetCString(d));
			ReleaseSysCache(tup);
		}
		tup = SearchSysCache1(RELOID, ObjectIdGetDatum(addr->objectId));
		if (HeapTupleIsValid(tup))
		{
			d = SysCacheGetAttr(RELOID, tup, Anum_pg_class_reloptions, &isnull);
			if (!isnull)
				appendStringInfo(&buf, "\n%s",
								 TextDatumGetCString(OidFunctionCall1(F_ARRAY_OUT, d)));
			ReleaseSysCache(tup);
		}
	}
	else
	{
		hash_catalog_row(&buf, addr->classId, addr->objectId);
		if (addr->classId == TypeRelationId)
			append_type_shape(&buf, addr->objectId);
	}

	pgmg_hash_lines(buf.data, hash);
	pfree(buf.data);
	return hash;
}

/*
 * pgmg_catalog_version
 *		Which versions of the catalog rows a fingerprint reads are current:
 *		each row's inserting transaction and place ("xmin:block:offset").
 *		Changing a row writes a new version of it, so an unchanged value
 *		means an unchanged fingerprint, found without reading (or
 *		decompressing) the rows' contents.  NULL for types, whose
 *		fingerprints read more rows than this follows.
 *
 * Rows changed in place (heap_inplace_update: pg_class statistics) keep
 * their version, but no fingerprint reads those columns.  The versions
 * start with the cluster's system identifier.  Transaction ids are unique
 * in a cluster, so a row version names one content in any of its
 * databases: a copy made from a template (the same rows) keeps the fast
 * path, a restored one (new rows) compares definitions, and a restore in
 * another cluster, whose ids may repeat ours, never takes them for its
 * own.
 */
char *
pgmg_catalog_version(const ObjectAddress *addr)
{
	StringInfoData buf;
	HeapTuple	tup;

	if (addr->classId == TypeRelationId)
		return NULL;

	initStringInfo(&buf);
	appendStringInfo(&buf, UINT64_FORMAT ";", GetSystemIdentifier());
	if (addr->classId == RelationRelationId)
	{
		tup = SearchSysCache2(RULERELNAME, ObjectIdGetDatum(addr->objectId),
							  CStringGetDatum(ViewSelectRuleName));
		if (HeapTupleIsValid(tup))
		{
			append_row_version(&buf, tup);
			ReleaseSysCache(tup);
		}
		tup = SearchSysCache1(RELOID, ObjectIdGetDatum(addr->objectId));
		if (HeapTupleIsValid(tup))
		{
			append_row_version(&buf, tup);
			ReleaseSysCache(tup);
		}
	}
	else
	{
		int			cacheid = get_object_catcache_oid(addr->classId);

		if (cacheid >= 0)
		{
			tup = SearchSysCache1(cacheid, ObjectIdGetDatum(addr->objectId));
			if (HeapTupleIsValid(tup))
			{
				append_row_version(&buf, tup);
				ReleaseSysCache(tup);
			}
		}
		else
		{
			Relation	rel = table_open(addr->classId, AccessShareLock);

			tup = get_catalog_object_by_oid(rel, get_object_attnum_oid(addr->classId),
											addr->objectId);
			if (HeapTupleIsValid(tup))
				append_row_version(&buf, tup);
			table_close(rel, AccessShareLock);
		}
	}
	return buf.data;
}

/*
 * pgmg_drifted
 *		Has a managed object (resolved) changed since pgmg recorded it?
 *		The full fingerprint is taken only when its catalog rows are not
 *		the versions recorded with it.
 */
bool
pgmg_drifted(PgmgStateObj *obj)
{
	char	   *version;
	bool		legacy;
	bool		drifted;

	/* versions.c compared them already */
	if (obj->version_matches)
		return false;
	version = pgmg_catalog_version(&obj->addr);
	if (version && obj->catalog_version && strcmp(version, obj->catalog_version) == 0)
		return false;
	legacy = strncmp(obj->fingerprint, FINGERPRINT_PREFIX, strlen(FINGERPRINT_PREFIX)) != 0;
	if (legacy)
		drifted = strcmp(legacy_fingerprint(&obj->addr), obj->fingerprint) != 0;
	else
		drifted = strcmp(pgmg_fingerprint(&obj->addr, false), obj->fingerprint) != 0;

	/*
	 * The same object, recorded the old way or from other rows (types have
	 * no version to record): rewrite it.
	 */
	obj->refresh = !drifted && (legacy || version != NULL);
	return drifted;
}

static void
append_row_version(StringInfo buf, HeapTuple tup)
{
	appendStringInfo(buf, "%u:%u:%u;", HeapTupleHeaderGetRawXmin(tup->t_data),
					 ItemPointerGetBlockNumber(&tup->t_self),
					 ItemPointerGetOffsetNumber(&tup->t_self));
}

/*
 * hash_catalog_row
 *		Append the text of every column of an object's catalog row, except
 *		its OID, owner and privileges.
 */
static void
hash_catalog_row(StringInfo buf, Oid classid, Oid objid)
{
	Relation	rel = table_open(classid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	AttrNumber	oidcol = get_object_attnum_oid(classid);
	AttrNumber	ownercol = get_object_attnum_owner(classid);
	AttrNumber	aclcol = get_object_attnum_acl(classid);
	HeapTuple	tup = get_catalog_object_by_oid(rel, oidcol, objid);
	int			i;

	if (HeapTupleIsValid(tup))
	{
		for (i = 1; i <= desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i - 1);
			bool		isnull;
			Datum		d;
			Oid			outfn;
			bool		varlena;

			if (att->attisdropped || i == oidcol || i == ownercol || i == aclcol)
				continue;
			d = heap_getattr(tup, i, desc, &isnull);
			if (isnull)
			{
				appendStringInfoString(buf, "\n-");
				continue;
			}
			getTypeOutputInfo(att->atttypid, &outfn, &varlena);
			appendStringInfo(buf, "\n%s", OidOutputFunctionCall(outfn, d));
		}
	}
	table_close(rel, AccessShareLock);
}

/*
 * append_type_shape
 *		What a type's row does not say: enum labels in order, composite
 *		attributes, domain constraints.
 */
static void
append_type_shape(StringInfo buf, Oid typid)
{
	char		typtype = get_typtype(typid);

	if (typtype == TYPTYPE_ENUM)
	{
		CatCList   *list = SearchSysCacheList1(ENUMTYPOIDNAME,
											   ObjectIdGetDatum(typid));
		int			i;

		for (i = 0; i < list->n_members; i++)
		{
			Form_pg_enum e = (Form_pg_enum) GETSTRUCT(&list->members[i]->tuple);

			/* cache lists are unordered: sort orders make the text stable */
			appendStringInfo(buf, "\n%g=%s", e->enumsortorder, NameStr(e->enumlabel));
		}
		ReleaseSysCacheList(list);
	}
	else if (typtype == TYPTYPE_COMPOSITE)
	{
		Oid			relid = typeidTypeRelid(typid);
		int			natts = pgmg_relation_natts(relid);
		HeapTuple	tup;
		int			i;

		for (i = 1; i <= natts; i++)
		{
			Form_pg_attribute att;

			tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(i));
			if (!HeapTupleIsValid(tup))
				continue;
			att = (Form_pg_attribute) GETSTRUCT(tup);
			if (!att->attisdropped)
				appendStringInfo(buf, "\n%s %s %u", NameStr(att->attname),
								 format_type_with_typemod(att->atttypid, att->atttypmod),
								 att->attcollation);
			ReleaseSysCache(tup);
		}
	}
	else if (typtype == TYPTYPE_DOMAIN)
	{
		Relation	rel = table_open(ConstraintRelationId, AccessShareLock);
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	tup;

		ScanKeyInit(&key, Anum_pg_constraint_contypid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(typid));
		scan = systable_beginscan(rel, ConstraintTypidIndexId, true, NULL, 1, &key);
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);

			hash_catalog_row(buf, ConstraintRelationId, con->oid);
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
	}
}

/*
 * internal_parent
 *		The object addr is an internal part of (pg_depend deptype 'i'), if
 *		any: a range type's constructors, a cast between a range and its
 *		multirange, a TOAST table.
 */
static bool
internal_parent(const ObjectAddress *addr, ObjectAddress *parent)
{
	Relation	rel = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(addr->classId));
	ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(addr->objectId));
	scan = systable_beginscan(rel, DependDependerIndexId, true, NULL, 2, key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tup);

		if (dep->deptype == DEPENDENCY_INTERNAL)
		{
			parent->classId = dep->refclassid;
			parent->objectId = dep->refobjid;
			parent->objectSubId = 0;
			found = true;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * pgmg_owning_object
 *		The object a catalog entry belongs to: a view for its _RETURN rule or
 *		rowtype, an element type for its array type, a relation for its index
 *		or column, a table for its default or constraint.  *droppable is
 *		false when the owner is a table (or other relation pgmg never drops)
 *		or the entry is one of its parts.
 */
ObjectAddress
pgmg_owning_object(const ObjectAddress *addr, bool *droppable)
{
	ObjectAddress owner = *addr;

	*droppable = true;
	owner.objectSubId = 0;

	switch (addr->classId)
	{
		case RelationRelationId:
			{
				char		relkind = get_rel_relkind(addr->objectId);

				if (relkind == RELKIND_VIEW || relkind == RELKIND_MATVIEW)
					return owner;
				if (relkind == RELKIND_COMPOSITE_TYPE)
				{
					owner.classId = TypeRelationId;
					owner.objectId = get_rel_type_id(addr->objectId);
					return owner;
				}
				if (relkind == RELKIND_TOASTVALUE)
				{
					ObjectAddress parent;

					if (internal_parent(addr, &parent))
						return pgmg_owning_object(&parent, droppable);
				}
				if (relkind == RELKIND_INDEX || relkind == RELKIND_PARTITIONED_INDEX)
				{
					HeapTuple	tup = SearchSysCache1(INDEXRELID,
													  ObjectIdGetDatum(addr->objectId));

					if (HeapTupleIsValid(tup))
					{
						ObjectAddress rel;

						rel.classId = RelationRelationId;
						rel.objectId = ((Form_pg_index) GETSTRUCT(tup))->indrelid;
						rel.objectSubId = 0;
						ReleaseSysCache(tup);
						return pgmg_owning_object(&rel, droppable);
					}
				}
				*droppable = false;
				return owner;
			}
		case TypeRelationId:
			{
				HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(addr->objectId));
				Form_pg_type typ;
				ObjectAddress next = owner;

				if (!HeapTupleIsValid(tup))
					return owner;
				typ = (Form_pg_type) GETSTRUCT(tup);
				if (OidIsValid(typ->typrelid) &&
					get_rel_relkind(typ->typrelid) != RELKIND_COMPOSITE_TYPE)
				{
					next.classId = RelationRelationId;
					next.objectId = typ->typrelid;
				}
				else if (OidIsValid(typ->typelem) && typ->typcategory == TYPCATEGORY_ARRAY &&
						 get_array_type(typ->typelem) == addr->objectId)
					next.objectId = typ->typelem;
				else if (typ->typtype == TYPTYPE_MULTIRANGE)
					next.objectId = get_multirange_range(addr->objectId);
				ReleaseSysCache(tup);
				if (next.classId != owner.classId || next.objectId != owner.objectId)
					return pgmg_owning_object(&next, droppable);
				return owner;
			}
		case RewriteRelationId:
			{
				Relation	rel = table_open(RewriteRelationId, AccessShareLock);
				HeapTuple	tup = get_catalog_object_by_oid(rel, Anum_pg_rewrite_oid,
															addr->objectId);

				if (HeapTupleIsValid(tup))
				{
					Form_pg_rewrite rule = (Form_pg_rewrite) GETSTRUCT(tup);

					if (strcmp(NameStr(rule->rulename), ViewSelectRuleName) == 0)
					{
						owner.classId = RelationRelationId;
						owner.objectId = rule->ev_class;
						table_close(rel, AccessShareLock);
						return pgmg_owning_object(&owner, droppable);
					}
				}
				table_close(rel, AccessShareLock);
				return owner;
			}
		case AttrDefaultRelationId:
			{
				/* not in the object property table: scan its OID index */
				Relation	rel = table_open(AttrDefaultRelationId, AccessShareLock);
				ScanKeyData key;
				SysScanDesc scan;
				HeapTuple	tup;

				ScanKeyInit(&key, Anum_pg_attrdef_oid, BTEqualStrategyNumber,
							F_OIDEQ, ObjectIdGetDatum(addr->objectId));
				scan = systable_beginscan(rel, AttrDefaultOidIndexId, true, NULL, 1, &key);
				tup = systable_getnext(scan);
				if (HeapTupleIsValid(tup))
				{
					owner.classId = RelationRelationId;
					owner.objectId = ((Form_pg_attrdef) GETSTRUCT(tup))->adrelid;
				}
				systable_endscan(scan);
				table_close(rel, AccessShareLock);
				*droppable = false;
				return owner;
			}
		case ConstraintRelationId:
			{
				HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(addr->objectId));

				if (HeapTupleIsValid(tup))
				{
					Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);

					if (OidIsValid(con->contypid))
					{
						owner.classId = TypeRelationId;
						owner.objectId = con->contypid;
					}
					else
					{
						owner.classId = RelationRelationId;
						owner.objectId = con->conrelid;
						*droppable = false;
					}
					ReleaseSysCache(tup);
				}
				return owner;
			}
		default:
			{
				ObjectAddress parent;

				/* a part created with another object belongs to it */
				if (internal_parent(addr, &parent))
					return pgmg_owning_object(&parent, droppable);
				return owner;
			}
	}
}

/*
 * pgmg_direct_dependents
 *		The entries of pg_depend that reference addr (any of its columns
 *		when addr->objectSubId is 0), as PgmgDependent with the owning
 *		object resolved.  Extension membership is not a dependency here.
 */
List *
pgmg_direct_dependents(const ObjectAddress *addr)
{
	List	   *result = NIL;
	Relation	rel = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(addr->classId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(addr->objectId));
	scan = systable_beginscan(rel, DependReferenceIndexId, true, NULL, 2, key);

	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tup);
		PgmgDependent *d;

		if (dep->deptype == DEPENDENCY_EXTENSION ||
			dep->deptype == DEPENDENCY_AUTO_EXTENSION)
			continue;
		if (addr->objectSubId != 0 && dep->refobjsubid != addr->objectSubId)
			continue;

		d = palloc(sizeof(PgmgDependent));
		d->part.classId = dep->classid;
		d->part.objectId = dep->objid;
		d->part.objectSubId = dep->objsubid;
		d->on = *addr;
		d->column = dep->refobjsubid;
		d->deptype = dep->deptype;
		result = lappend(result, d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	/* resolve owners after the scan: it may read other catalogs */
	{
		ListCell   *lc;

		foreach(lc, result)
		{
			PgmgDependent *d = lfirst(lc);

			d->object = pgmg_owning_object(&d->part, &d->droppable);
			/* a column of a table depending on something is a table part */
			if (d->part.classId == RelationRelationId && d->part.objectSubId != 0)
			{
				char		relkind = get_rel_relkind(d->part.objectId);

				if (relkind != RELKIND_VIEW && relkind != RELKIND_MATVIEW &&
					relkind != RELKIND_COMPOSITE_TYPE)
					d->droppable = false;
			}
		}
	}
	return result;
}

/*
 * pgmg_drop_statement
 *		DROP for one object, never CASCADE.
 */
char *
pgmg_drop_statement(const ObjectAddress *addr)
{
	return psprintf("DROP %s", pgmg_ddl_reference(addr));
}

static const char *
grant_keyword(const ObjectAddress *addr)
{
	const PgmgKind *kind = pgmg_kind_of(addr);

	return kind ? kind->grant_keyword : NULL;
}

/* GRANT and REVOKE name the object without the kind keyword of its DDL */
static const char *
grant_target(const ObjectAddress *addr, const char *ref)
{
	return ref + strlen(pgmg_kind_of(addr)->keyword) + 1;
}

static void
append_privileges(StringInfo buf, AclMode privs)
{
	static const struct
	{
		AclMode		bit;
		const char *name;
	}			names[] =
	{
		{ACL_SELECT, "SELECT"}, {ACL_INSERT, "INSERT"}, {ACL_UPDATE, "UPDATE"},
		{ACL_DELETE, "DELETE"}, {ACL_TRUNCATE, "TRUNCATE"},
		{ACL_REFERENCES, "REFERENCES"}, {ACL_TRIGGER, "TRIGGER"},
		{ACL_EXECUTE, "EXECUTE"}, {ACL_USAGE, "USAGE"}
	};
	int			i;
	bool		first = true;

	for (i = 0; i < lengthof(names); i++)
	{
		if (privs & names[i].bit)
		{
			appendStringInfo(buf, "%s%s", first ? "" : ", ", names[i].name);
			first = false;
		}
	}
}

/*
 * read_owner_acl
 *		An object's owner (InvalidOid when its kind has none) and a copy of
 *		its ACL (NULL when it has the default privileges).
 */
static Acl *
read_owner_acl(const ObjectAddress *addr, Oid *owner_id)
{
	Relation	rel = table_open(addr->classId, AccessShareLock);
	AttrNumber	ownercol = get_object_attnum_owner(addr->classId);
	AttrNumber	aclcol = get_object_attnum_acl(addr->classId);
	HeapTuple	tup;
	Acl		   *acl = NULL;

	*owner_id = InvalidOid;
	tup = get_catalog_object_by_oid(rel, get_object_attnum_oid(addr->classId),
									addr->objectId);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d;

		if (ownercol != InvalidAttrNumber)
		{
			d = heap_getattr(tup, ownercol, RelationGetDescr(rel), &isnull);
			if (!isnull)
				*owner_id = DatumGetObjectId(d);
		}
		if (aclcol != InvalidAttrNumber)
		{
			d = heap_getattr(tup, aclcol, RelationGetDescr(rel), &isnull);
			if (!isnull)
				acl = DatumGetAclPCopy(d);
		}
	}
	table_close(rel, AccessShareLock);
	return acl;
}

static PgmgSql *
new_sql(char *text)
{
	PgmgSql    *sql = palloc0(sizeof(PgmgSql));

	sql->text = text;
	return sql;
}

/*
 * pgmg_preserve_text
 *		SQL that recreates an unmanaged view or materialized view exactly as
 *		it is now: definition, options, population state, indexes, owner,
 *		privileges and comments.  Read before the object is dropped.
 */
char *
pgmg_preserve_text(const ObjectAddress *addr)
{
	StringInfoData buf;
	char		relkind = get_rel_relkind(addr->objectId);
	char	   *def;
	int			len;
	HeapTuple	tup;
	char	   *options;
	bool		populated = true;
	ListCell   *lc;
	int			nest;

	/* qualify every name, as pg_dump does, so the text binds as it did */
	nest = pgmg_empty_search_path();
	def = TextDatumGetCString(DirectFunctionCall2(pg_get_viewdef_ext,
												  ObjectIdGetDatum(addr->objectId),
												  BoolGetDatum(false)));
	len = strlen(def);
	while (len > 0 && (def[len - 1] == ';' || isspace((unsigned char) def[len - 1])))
		def[--len] = '\0';

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(addr->objectId));
	if (HeapTupleIsValid(tup))
	{
		populated = ((Form_pg_class) GETSTRUCT(tup))->relispopulated;
		ReleaseSysCache(tup);
	}
	options = reloptions_text(addr->objectId);

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE %s %s%s%s%s AS\n%s",
					 relkind == RELKIND_MATVIEW ? "MATERIALIZED VIEW" : "VIEW",
					 getObjectIdentity(addr, false),
					 options ? " WITH (" : "", options ? options : "", options ? ")" : "",
					 def);
	if (relkind == RELKIND_MATVIEW)
		appendStringInfo(&buf, "\nWITH %sDATA", populated ? "" : "NO ");
	appendStringInfoString(&buf, ";\n");

	AtEOXact_GUC(true, nest);

	/* a materialized view's indexes and column defaults, then the rest */
	foreach(lc, pgmg_kept_statements(addr, NIL, true, true))
		appendStringInfo(&buf, "%s;\n", ((PgmgSql *) lfirst(lc))->text);
	foreach(lc, pgmg_restore_statements(addr, true, true, true, true, false))
		appendStringInfo(&buf, "%s;\n", ((PgmgSql *) lfirst(lc))->text);
	return buf.data;
}

/*
 * pgmg_reset_statements
 *		Statements that take an object's comment (comment) and privileges
 *		(acl) back to what a new object has, so that a file's own COMMENT
 *		and GRANT statements, run again, leave exactly what they say.
 */
List *
pgmg_reset_statements(const ObjectAddress *addr, bool acl, bool comment)
{
	List	   *result = NIL;
	char	   *ref = pgmg_ddl_reference(addr);
	Oid			owner_id;
	Acl		   *current = read_owner_acl(addr, &owner_id);

	if (comment)
		result = lappend(result, new_sql(psprintf("COMMENT ON %s IS NULL", ref)));
	if (acl && grant_keyword(addr))
	{
		const char *target = grant_target(addr, ref);
		int			i;

		result = lappend(result,
						 new_sql(psprintf("REVOKE ALL ON %s %s FROM PUBLIC",
										  grant_keyword(addr), target)));
		for (i = 0; current && i < ACL_NUM(current); i++)
		{
			Oid			grantee = ACL_DAT(current)[i].ai_grantee;

			if (grantee == ACL_ID_PUBLIC || grantee == owner_id)
				continue;
			result = lappend(result,
							 new_sql(psprintf("REVOKE ALL ON %s %s FROM %s",
											  grant_keyword(addr), target,
											  quote_identifier(GetUserNameFromId(grantee, false)))));
		}
		/* a new routine is executable, a new type usable, by PUBLIC */
		if (addr->classId == ProcedureRelationId)
			result = lappend(result,
							 new_sql(psprintf("GRANT EXECUTE ON ROUTINE %s TO PUBLIC", target)));
		else if (addr->classId == TypeRelationId)
			result = lappend(result,
							 new_sql(psprintf("GRANT USAGE ON %s %s TO PUBLIC",
											  grant_keyword(addr), target)));
	}
	return result;
}

/*
 * pgmg_restore_statements
 *		Statements (PgmgSql *) that give a recreated object back the owner,
 *		privileges and comments the existing one has now.  Called before the
 *		object is dropped; the flags say which to restore.
 */
List *
pgmg_restore_statements(const ObjectAddress *addr, bool acl, bool comment,
						bool column_comments, bool owner, bool options)
{
	List	   *result = NIL;
	Oid			owner_id;
	Acl		   *current = read_owner_acl(addr, &owner_id);
	char	   *ref = pgmg_ddl_reference(addr);

	if (owner && OidIsValid(owner_id) && owner_id != GetUserId())
		result = lappend(result,
						 new_sql(psprintf("ALTER %s OWNER TO %s", ref,
										  quote_identifier(GetUserNameFromId(owner_id, false)))));

	if (acl && current && grant_keyword(addr))
	{
		Acl		   *a = current;
		AclItem    *items = ACL_DAT(a);
		int			i;
		const char *target = grant_target(addr, ref);

		result = lappend(result,
						 new_sql(psprintf("REVOKE ALL ON %s %s FROM PUBLIC",
										  grant_keyword(addr), target)));
		for (i = 0; i < ACL_NUM(a); i++)
		{
			StringInfoData buf;
			AclMode		privs = ACLITEM_GET_PRIVS(items[i]);
			AclMode		goptions = ACLITEM_GET_GOPTIONS(items[i]);
			const char *grantee;

			if (items[i].ai_grantee == owner_id)
				continue;
			grantee = items[i].ai_grantee == ACL_ID_PUBLIC ? "PUBLIC" :
				quote_identifier(GetUserNameFromId(items[i].ai_grantee, false));
			if (privs & ~goptions)
			{
				initStringInfo(&buf);
				appendStringInfoString(&buf, "GRANT ");
				append_privileges(&buf, privs & ~goptions);
				appendStringInfo(&buf, " ON %s %s TO %s", grant_keyword(addr), target, grantee);
				result = lappend(result, new_sql(buf.data));
			}
			if (goptions)
			{
				initStringInfo(&buf);
				appendStringInfoString(&buf, "GRANT ");
				append_privileges(&buf, goptions);
				appendStringInfo(&buf, " ON %s %s TO %s WITH GRANT OPTION",
								 grant_keyword(addr), target, grantee);
				result = lappend(result, new_sql(buf.data));
			}
		}
	}

	if (comment)
	{
		char	   *c = GetComment(addr->objectId, addr->classId, 0);

		if (c)
			result = lappend(result,
							 new_sql(psprintf("COMMENT ON %s IS %s", ref,
											  quote_literal_cstr(c))));
	}
	/* a view's columns, a composite type's attributes */
	if (column_comments &&
		(addr->classId == RelationRelationId ||
		 (addr->classId == TypeRelationId && get_typtype(addr->objectId) == TYPTYPE_COMPOSITE)))
	{
		Oid			relid = addr->classId == RelationRelationId ? addr->objectId :
			get_typ_typrelid(addr->objectId);
		int			natts = pgmg_relation_natts(relid);
		int			i;

		for (i = 1; i <= natts; i++)
		{
			char	   *c = GetComment(relid, RelationRelationId, i);
			char	   *attname;
			PgmgSql    *sql;

			if (c == NULL)
				continue;
			attname = get_attname(relid, i, false);
			sql = new_sql(psprintf("COMMENT ON COLUMN %s.%s IS %s",
								   getObjectIdentity(addr, false),
								   quote_identifier(attname),
								   quote_literal_cstr(c)));
			/* the recreated view may not have the column any more */
			sql->guard_schema = get_namespace_name(get_rel_namespace(relid));
			sql->guard_relname = get_rel_name(relid);
			sql->guard_column = attname;
			result = lappend(result, sql);
		}
	}
	if (acl && addr->classId == RelationRelationId)
		result = list_concat(result, column_grants(addr, owner_id));
	if (options && addr->classId == RelationRelationId)
	{
		char	   *opts = reloptions_text(addr->objectId);

		/* security_invoker, security_barrier, check_option set by hand */
		if (opts)
			result = lappend(result, new_sql(psprintf("ALTER %s SET (%s)", ref, opts)));
	}
	return result;
}

/*
 * pgmg_kept_statements
 *		What hangs on a view or materialized view without being part of its
 *		definition, so that dropping it would silently lose it: the indexes
 *		of a materialized view (those named in file_indexes excepted: the
 *		file creates them) and, with defaults, column defaults set with
 *		ALTER VIEW ... ALTER COLUMN ... SET DEFAULT.  Statements to make
 *		them again after the object is recreated, each default guarded by
 *		its column still being there.  Printed with an empty search_path,
 *		so that they bind as they did.
 */
List *
pgmg_kept_statements(const ObjectAddress *addr, List *file_indexes,
					 bool indexes, bool defaults)
{
	List	   *result = NIL;
	int			nest;
	ListCell   *lc;

	if (addr->classId != RelationRelationId)
		return NIL;
	nest = pgmg_empty_search_path();
	if (indexes && get_rel_relkind(addr->objectId) == RELKIND_MATVIEW)
	{
		List	   *oids = NIL;
		Relation	rel = table_open(IndexRelationId, AccessShareLock);
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	itup;

		ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(addr->objectId));
		scan = systable_beginscan(rel, IndexIndrelidIndexId, true, NULL, 1, &key);
		while (HeapTupleIsValid(itup = systable_getnext(scan)))
			oids = lappend_oid(oids, ((Form_pg_index) GETSTRUCT(itup))->indexrelid);
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
		list_sort(oids, list_oid_cmp);
		foreach(lc, oids)
		{
			char	   *name = get_rel_name(lfirst_oid(lc));
			ListCell   *fc;
			bool		in_file = false;

			foreach(fc, file_indexes)
				if (strcmp(strVal(lfirst(fc)), name) == 0)
					in_file = true;
			if (!in_file)
				result = lappend(result,
								 new_sql(TextDatumGetCString(DirectFunctionCall1(pg_get_indexdef,
																				 ObjectIdGetDatum(lfirst_oid(lc))))));
		}
	}
	if (defaults)
	{
		int			natts = pgmg_relation_natts(addr->objectId);
		int			attnum;

		for (attnum = 1; attnum <= natts; attnum++)
		{
			HeapTuple	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(addr->objectId),
											  Int16GetDatum(attnum));
			Form_pg_attribute att;
			Node	   *expr;
			char	   *attname;
			PgmgSql    *sql;

			if (!HeapTupleIsValid(tup))
				continue;
			att = (Form_pg_attribute) GETSTRUCT(tup);
			if (!att->atthasdef || att->attisdropped)
			{
				ReleaseSysCache(tup);
				continue;
			}
			attname = pstrdup(NameStr(att->attname));
			ReleaseSysCache(tup);
			/* read from pg_attrdef: planning takes no lock on the view */
			expr = column_default(addr->objectId, attnum);
			if (expr == NULL)
				continue;
			sql = new_sql(psprintf("ALTER %s ALTER COLUMN %s SET DEFAULT %s",
								   pgmg_ddl_reference(addr), quote_identifier(attname),
								   deparse_expression(expr, NIL, false, false)));
			sql->guard_schema = get_namespace_name(get_rel_namespace(addr->objectId));
			sql->guard_relname = get_rel_name(addr->objectId);
			sql->guard_column = attname;
			result = lappend(result, sql);
		}
	}
	AtEOXact_GUC(true, nest);
	return result;
}

/*
 * column_default
 *		The default expression of a column, read from pg_attrdef, or NULL.
 */
static Node *
column_default(Oid relid, AttrNumber attnum)
{
	Relation	rel = table_open(AttrDefaultRelationId, AccessShareLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	Node	   *expr = NULL;

	ScanKeyInit(&key[0], Anum_pg_attrdef_adrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&key[1], Anum_pg_attrdef_adnum, BTEqualStrategyNumber,
				F_INT2EQ, Int16GetDatum(attnum));
	scan = systable_beginscan(rel, AttrDefaultIndexId, true, NULL, 2, key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_pg_attrdef_adbin,
									 RelationGetDescr(rel), &isnull);

		if (!isnull)
			expr = stringToNode(TextDatumGetCString(d));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return expr;
}

/*
 * reloptions_text
 *		A relation's options as "a=1, b=x" for WITH (...) or SET (...), or
 *		NULL when it has none.
 */
static char *
reloptions_text(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	char	   *result = NULL;
	bool		isnull;
	Datum		d;

	if (!HeapTupleIsValid(tup))
		return NULL;
	d = SysCacheGetAttr(RELOID, tup, Anum_pg_class_reloptions, &isnull);
	if (!isnull)
	{
		Datum	   *elems;
		int			n;
		int			i;
		StringInfoData opts;

		deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, NULL, &n);
		initStringInfo(&opts);
		for (i = 0; i < n; i++)
			appendStringInfo(&opts, "%s%s", i ? ", " : "", TextDatumGetCString(elems[i]));
		result = opts.data;
	}
	ReleaseSysCache(tup);
	return result;
}

/*
 * column_grants
 *		GRANT statements that give a recreated view or materialized view
 *		back its column privileges (pg_attribute.attacl), each guarded by
 *		the column still being there.
 */
static List *
column_grants(const ObjectAddress *addr, Oid owner_id)
{
	List	   *result = NIL;
	int			natts = pgmg_relation_natts(addr->objectId);
	int			attnum;

	for (attnum = 1; attnum <= natts; attnum++)
	{
		HeapTuple	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(addr->objectId),
										  Int16GetDatum(attnum));
		Datum		d;
		bool		isnull;
		Acl		   *acl;
		char	   *attname;
		int			i;

		if (!HeapTupleIsValid(tup))
			continue;
		d = SysCacheGetAttr(ATTNUM, tup, Anum_pg_attribute_attacl, &isnull);
		if (isnull || ((Form_pg_attribute) GETSTRUCT(tup))->attisdropped)
		{
			ReleaseSysCache(tup);
			continue;
		}
		acl = DatumGetAclPCopy(d);
		attname = pstrdup(NameStr(((Form_pg_attribute) GETSTRUCT(tup))->attname));
		ReleaseSysCache(tup);

		for (i = 0; i < ACL_NUM(acl); i++)
		{
			AclItem    *item = &ACL_DAT(acl)[i];
			AclMode		privs = ACLITEM_GET_PRIVS(*item);
			AclMode		goptions = ACLITEM_GET_GOPTIONS(*item);
			StringInfoData buf;
			PgmgSql    *sql;

			if (item->ai_grantee == owner_id || privs == 0)
				continue;
			initStringInfo(&buf);
			appendStringInfoString(&buf, "GRANT ");
			append_privileges(&buf, privs);
			appendStringInfo(&buf, " (%s) ON TABLE %s TO %s%s", quote_identifier(attname),
							 getObjectIdentity(addr, false),
							 item->ai_grantee == ACL_ID_PUBLIC ? "PUBLIC" :
							 quote_identifier(GetUserNameFromId(item->ai_grantee, false)),
							 goptions == privs ? " WITH GRANT OPTION" : "");
			sql = new_sql(buf.data);
			sql->guard_schema = get_namespace_name(get_rel_namespace(addr->objectId));
			sql->guard_relname = get_rel_name(addr->objectId);
			sql->guard_column = attname;
			result = lappend(result, sql);
		}
	}
	return result;
}
