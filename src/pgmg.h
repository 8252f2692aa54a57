/*-------------------------------------------------------------------------
 *
 * pgmg.h
 *	  Declarations shared by the pgmg extension's source files.
 *
 * One section per .c file.  Everything here lives in the backend: the
 * engine reads the catalogs directly and uses SPI only for pgmg's own
 * tables and for running user SQL.  All structures are allocated in the
 * memory context of the current call ("pgmg call", made by pgmg.c) and die
 * with it; SPI is called through support.c, which keeps that context
 * current.
 *
 * Layering: a file calls functions of files on lower lines only, never of
 * one above or on its own line (test/client/layering.sh checks it).  The
 * GUC variables pgmg.c defines are read where they are used.
 *
 *	 pgmg.c					SQL-callable entry points, GUCs, the call context
 *	 session.c				the session API: loaded files, tests
 *	 hazards.c  picture.c	what a plan will cost the database; the
 *							objects and their edges, drawn
 *	 execute.c  locks.c		running a plan; bounded lock waits
 *	 bodies.c				function bodies checked once everything exists
 *	 plan.c  import.c		deciding the steps (the one pg_depend closure
 *							walk); a project written from a database
 *	 keep.c  order.c		what replaced objects must not lose; file order
 *	 migration.c			what a migration is and what it targets
 *	 parse.c  state.c		what files define and reference; recorded state
 *	 catalog.c  versions.c	identities, fingerprints, dependents, DDL text;
 *							state rows found unchanged, all together
 *	 definition.c  printed.c	canonical definitions: the same in every copy;
 *							CREATE statements as pg_dump prints them
 *	 columns.c				what a view's query puts out and reads
 *	 kinds.c				the table of kinds; the one resolver
 *	 files.c  graph.c		the file set and hashes; topological order
 *	 support.c				error context, timing, SPI, maps
 *
 * Phases hand data down: files.c gives the file set (PgmgFileSet), parse.c
 * fills each code file's definitions and references and migration.c each
 * migration's targets and references, plan.c decides
 * each definition's mode and the steps (PgmgPlan), execute.c runs them
 * (bodies.c checks the function bodies they made) and state.c records what
 * they made; hazards.c reads a plan for what running it will cost.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/pgmg.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGMG_H
#define PGMG_H

#include "catalog/objectaddress.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#define PGMG_VERSION "0.6"

/*
 * How checksums of files are taken (files.c): 1 is pgmg 0.1's (trailing
 * blanks dropped on every line), 2 keeps them inside literals.  State rows
 * say which one they were recorded with.
 */
#define PGMG_HASH_VERSION 2

/* pgmg.c: GUCs */
extern bool pgmg_timing;
extern bool pgmg_check_references;
extern char *pgmg_project;
extern int	pgmg_lock_timeout;	/* ms; locks.c */
extern int	pgmg_lock_retries;	/* locks.c */
extern void _PG_init(void);

/* key of the transaction-scoped advisory lock that serializes applies */
#define PGMG_LOCK_KEY INT64CONST(0x70676d6701)

/* length of a SHA-256 digest in hex, plus the terminator */
#define PGMG_HASH_LEN 65

typedef struct PgmgFile PgmgFile;
typedef struct PgmgStmt PgmgStmt;
typedef struct PgmgDef PgmgDef;
typedef struct PgmgStateObj PgmgStateObj;
typedef struct PgmgSql PgmgSql;

/*
 * Why a step runs, as fields (the plan's cause column); its reason says the
 * same in prose.  kind is one of: new, modified, drift, adopt, deleted (the
 * file), no_longer_defined, depends_on (object: what it depends on, which
 * is dropped), column (reads column of object, which migration changes),
 * whole_row and row_type (reads every column of object, one of which
 * migration changes), star (its file selects * from object, which
 * migration adds a column to), constraint (depends on constraint of
 * object, which migration drops), migration (depends on object, which
 * migration alters, drops, renames or moves: change), any_table
 * (migration runs DO or CALL).
 */
typedef struct PgmgCause
{
	const char *kind;
	const char *object;			/* "kind.identity" it is about, or NULL */
	const char *column;			/* column: the column of object */
	const char *constraint;		/* constraint: its name */
	const char *change;			/* what migration does: retyped, dropped,
								 * renamed to x; alters, drops, ... */
	const char *migration;		/* the migration causing it, or NULL */
	int			line;			/* its line there */
} PgmgCause;

/*
 * support.c: error context, timing, SPI that keeps the caller's context
 */
extern void pgmg_push_file_context(ErrorContextCallback *cb, PgmgFile *file,
								   int location, const char *object);
extern void pgmg_file_context_shift(ErrorContextCallback *cb, int at, int len);
extern void pgmg_file_context_literal(ErrorContextCallback *cb, bool escapes);
extern int	pgmg_line_of(const char *text, int offset);
extern void pgmg_forget_error_position(void);
extern bool pgmg_error_position(const char **path, int *line, int *column);
extern int	pgmg_compare_cstrings(const ListCell *a, const ListCell *b);
extern HeapTuple pgmg_catalog_row(Relation rel, Oid indexid, AttrNumber oidcol, Oid oid);
extern ErrorData *pgmg_subtransaction(void (*fn) (void *), void *arg, bool keep);
extern bool pgmg_read_rolled_back(void (*fn) (void *), void *arg, bool swallow);
extern int	pgmg_empty_search_path(void);
extern double pgmg_elapsed_ms(TimestampTz start);
extern Datum pgmg_text_array(List *strings);
extern void pgmg_spi_connect(void);
extern int	pgmg_spi_execute(const char *sql, bool read_only, long count);
extern int	pgmg_spi_execute_args(const char *sql, int nargs, Oid *types,
								  Datum *values, const char *nulls,
								  bool read_only, long count);
extern int	pgmg_spi_execute_plan(SPIPlanPtr plan, Datum *values,
								  const char *nulls, bool read_only, long count);
extern HTAB *pgmg_addr_map(const char *name);
extern void *pgmg_addr_get(HTAB *h, const ObjectAddress *addr);
extern void pgmg_addr_put(HTAB *h, const ObjectAddress *addr, void *value);
extern HTAB *pgmg_str_map(const char *name);
extern void *pgmg_str_get(HTAB *h, const char *key);
extern void pgmg_str_put(HTAB *h, const char *key, void *value);
extern List *pgmg_str_keys(HTAB *h);

/*
 * files.c: the file set passed to pgmg.plan() / pgmg.apply()
 */

/* where a code file stands relative to the recorded state */
typedef enum PgmgFileStatus
{
	PGMG_FILE_UNCHANGED,
	PGMG_FILE_NEW,
	PGMG_FILE_MODIFIED,
	PGMG_FILE_DRIFT,			/* unchanged, but its objects drifted */
	PGMG_FILE_DEPENDENT			/* unchanged, recreated for a dependency */
} PgmgFileStatus;

struct PgmgFile
{
	char	   *path;			/* relative path, exactly as given */
	char	   *content;		/* file text, exactly as given */
	char		hash[PGMG_HASH_LEN];	/* SHA-256 of the normalised text */
	char		legacy_hash[PGMG_HASH_LEN]; /* 0.1's hash, when asked for */
	bool		is_code;		/* code file (else a migration) */

	/* code files, filled by the planner */
	PgmgFileStatus status;
	char	   *reason;			/* why it is (re)executed, for the plan */
	PgmgCause  *cause;			/* the same, as fields */
	bool		parsed;
	List	   *stmts;			/* PgmgStmt *, in file order */
	List	   *defs;			/* PgmgDef *, in file order */
	List	   *refs;			/* PgmgRef *, names the file references */
	List	   *range_names;	/* char *, relation names and aliases its
								 * queries read from */
	bool		sets_acl;		/* has GRANT/REVOKE */
	bool		sets_comment;	/* has COMMENT ON (not a column) */
	bool		sets_column_comment;	/* has COMMENT ON COLUMN */
	bool		sets_owner;		/* has ... OWNER TO */
	bool		sets_options;	/* sets view options (WITH, ALTER ... SET) */
	bool		uses_star;		/* a query of it selects * (or x.*) */
	bool		in_exec;		/* will be executed by this plan */
	int			order;			/* position in the execution order */
	bool		preserved;		/* generated: restores an unmanaged view */
	List	   *requires;		/* char *, paths its "-- pgmg:requires" name */
	List	   *needs;			/* migrations: PgmgFile * of code to create
								 * before it, in order */
	bool		early;			/* code: created before a migration */
	List	   *requires_lines;	/* int, the line each of those is on */

	/* migrations, filled by pgmg_parse_migration */
	bool		no_transaction; /* first line is -- pgmg:no-transaction */
	List	   *targets;		/* PgmgTarget * */
};

typedef struct PgmgFileSet
{
	bool		has_code;		/* "code" key present: code is managed */
	bool		has_migrations; /* "migrations" key present */
	List	   *code;			/* PgmgFile *, sorted by path */
	List	   *migrations;		/* PgmgFile *, sorted numeric-aware */
	List	   *tests;			/* PgmgFile *, sorted by path; never planned */
} PgmgFileSet;

extern PgmgFileSet *pgmg_read_files(Jsonb *files);
extern void pgmg_hash_text(const char *text, char *out);
extern void pgmg_hash_lines(const char *text, char *out);
extern void pgmg_files_hash(PgmgFileSet *set, char *out);
extern bool pgmg_file_matches(PgmgFile *file, const char *checksum,
							  bool legacy);
extern const char *pgmg_legacy_hash(PgmgFile *file);
extern int	pgmg_compare_names(const char *a, const char *b);

/*
 * kinds.c: the kinds code files define, and the one resolver
 */

/* how a kind's objects are named */
typedef enum PgmgNameForm
{
	PGMG_FORM_QUALIFIED,		/* schema.name: views, types */
	PGMG_FORM_ROUTINE,			/* schema.name(argument types) */
	PGMG_FORM_OPERATOR,			/* schema.op(left, right) */
	PGMG_FORM_ON_RELATION,		/* name ON schema.relation */
	PGMG_FORM_CAST,				/* (source AS target) */
	PGMG_FORM_GLOBAL			/* name, in no schema */
} PgmgNameForm;

/* the reference namespaces a kind's name takes (bits) */
#define PGMG_NS_RELATION	0x01
#define PGMG_NS_TYPE		0x02
#define PGMG_NS_ROUTINE		0x04

typedef struct PgmgKind
{
	ObjectType	objtype;		/* core's name for the kind */
	const char *name;			/* in object names: "materialized_view" */
	const char *keyword;		/* in DDL: "MATERIALIZED VIEW" */
	const char *grant_keyword;	/* GRANT ... ON <this>; NULL: no privileges */
	Oid			classid;		/* the catalog of its objects */
	char		subkind;		/* relkind, prokind or typtype; 0: any */
	PgmgNameForm form;
	int			namespaces;		/* PGMG_NS_* */
	bool		replaceable;	/* may be replaced without dropping */
	NodeTag		tags[4];		/* the statements that define it */
} PgmgKind;

/* what a name denotes, whether written in a file or stored in state */
typedef struct PgmgName
{
	const PgmgKind *kind;
	char	   *schema;			/* of the object, or of its relation (NULL:
								 * the relation is found along the search
								 * path); NULL for casts, event triggers */
	char	   *relname;		/* PGMG_FORM_ON_RELATION */
	char	   *name;			/* NULL for casts */
	List	   *args;			/* TypeName * (NULL: NONE): routines,
								 * operators (left, right), casts (source,
								 * target) */
} PgmgName;

typedef enum PgmgFound
{
	PGMG_MISSING,
	PGMG_FOUND,
	PGMG_OTHER_KIND				/* the name is taken by another kind */
} PgmgFound;

extern const PgmgKind *pgmg_kind_by_name(const char *name);
extern const PgmgKind *pgmg_statement_kind(Node *stmt);
extern const PgmgKind *pgmg_kind_of(const ObjectAddress *addr);
extern int	pgmg_kind_rank(const PgmgKind *kind);
extern const char *pgmg_object_kind(const ObjectAddress *addr);
extern Oid	pgmg_type_oid(TypeName *tn);
extern char *pgmg_type_text(TypeName *tn);
extern char *pgmg_creation_schema(List *names);
extern char *pgmg_name_key(const PgmgName *name);
extern PgmgName *pgmg_name_from_identity(const PgmgKind *kind, List *names,
										 List *args);
extern PgmgFound pgmg_find(const PgmgName *name, ObjectAddress *addr);
extern bool pgmg_resolve(const char *kind, List *names, List *args,
						 ObjectAddress *addr);
extern char *pgmg_ddl_reference(const ObjectAddress *addr);

/*
 * parse.c: what a code file defines and references
 */

/*
 * a name a file references; hard references must exist at creation.
 * pgmg_ref_namespace and pgmg_ref_kind_name index tables by this enum:
 * keep the order.
 */
typedef enum PgmgRefKind
{
	PGMG_REF_RELATION,
	PGMG_REF_TYPE,
	PGMG_REF_FUNCTION,
	PGMG_REF_OPERATOR,
	PGMG_REF_CAST				/* names: the target type's unqualified name */
} PgmgRefKind;

typedef struct PgmgRef
{
	PgmgRefKind kind;
	List	   *names;			/* String nodes, possibly qualified */
	bool		hard;			/* needed at creation time */
	char	   *column_of;		/* f(x): x, which f may be a column of */
	int			location;		/* byte offset in the file (hard references;
								 * else the statement's) */
} PgmgRef;

struct PgmgStmt
{
	Node	   *parsetree;
	int			location;		/* byte offset of the statement in the file */
	int			len;			/* byte length */
	int			line;			/* 1-based line where it starts */
	char	   *text;			/* the statement, byte for byte */
	PgmgDef    *def;			/* object it creates, or NULL */
};

/* what to do with a defined object */
typedef enum PgmgDefMode
{
	PGMG_DEF_NONE,				/* unchanged file, not executed */
	PGMG_DEF_CREATE,			/* does not exist: run as written */
	PGMG_DEF_INPLACE,			/* exists: replace without dropping */
	PGMG_DEF_RECREATE			/* exists: drop, then run as written */
} PgmgDefMode;

struct PgmgDef
{
	PgmgFile   *file;
	PgmgStmt   *stmt;			/* the defining statement */
	List	   *group;			/* PgmgStmt *: statements run with it */
	const PgmgKind *kind;
	PgmgName   *ident;			/* what it is named: resolved by pgmg_find */
	char	   *schema;			/* creation schema, resolved */
	char	   *name;			/* unqualified object name */
	char	   *key;			/* "kind.identity": from the name as written
								 * (parse.c), replaced by the catalog's
								 * identity once plan.c finds the object */

	/* planning */
	ObjectAddress addr;			/* existing object, or InvalidOid */
	PgmgStateObj *managed;		/* state row of the existing object */
	PgmgDefMode mode;
	char	   *reason;
	PgmgCause  *cause;			/* the reason as fields */
	List	   *inplace_sql;	/* replacement statements for INPLACE */
	List	   *reads;			/* ObjectAddress *: what a view replaced in
								 * place reads (it must not change first) */
	char	   *not_replaced;	/* why a view cannot be replaced in place */
	List	   *restore_sql;	/* PgmgSql *: owner/ACL/comment restoration */
	List	   *reset_sql;		/* PgmgSql *: undo what the old file set */
};

/* an object a migration alters, renames or drops */
typedef enum PgmgTargetKind
{
	PGMG_TARGET_RELATION,
	PGMG_TARGET_TYPE,
	PGMG_TARGET_FUNCTION,
	PGMG_TARGET_UNKNOWN			/* DO, CALL: every table */
} PgmgTargetKind;

/* a column a migration retypes, drops or renames */
typedef struct PgmgColumnChange
{
	char	   *column;
	const char *change;			/* "retyped", "dropped", "renamed to x" */
} PgmgColumnChange;

typedef struct PgmgTarget
{
	PgmgTargetKind kind;
	RangeVar   *relation;
	TypeName   *type;
	ObjectWithArgs *function;
	ObjectType	function_type;
	bool		breaking;		/* dependents cannot survive it (drop, type) */
	bool		replaces;		/* the relation itself is dropped, renamed or
								 * moved: what hangs on it (triggers,
								 * policies, rules) goes with it */
	bool		drops;			/* a DROP of the object itself */
	bool		removes;		/* the object leaves its name: dropped,
								 * renamed or moved to another schema */
	bool		redefines;		/* CREATE OR REPLACE or ALTER of the object
								 * itself (a view, a function) */
	bool		check_only;		/* only checked against managed objects:
								 * its dependents survive it */
	bool		whole;			/* may affect every dependent; else only
								 * those of the parts below */
	List	   *columns;		/* PgmgColumnChange *, of a relation */
	List	   *constraints;	/* char *: constraints it drops */
	bool		adds_columns;	/* ADD COLUMN: views reading it with * */
	PgmgFile   *migration;		/* the migration, for reasons */
	int			line;
} PgmgTarget;

extern void pgmg_parse_file(PgmgFile *file);
extern void pgmg_split_statements(PgmgFile *file);
extern int	pgmg_skip_blanks(const char *text, int pos, int end);
extern void pgmg_refuse_other_kind(PgmgDef *def, const ObjectAddress *addr) pg_attribute_noreturn();
extern bool pgmg_def_replaceable(PgmgDef *def, List **sql);
extern void pgmg_collect_refs(PgmgFile *file, PgmgStmt *stmt);
extern int	pgmg_push_body_context(ErrorContextCallback *cb, PgmgFile *file,
								   DefElem *as, const char *object);
extern int	pgmg_body_start(PgmgFile *file, DefElem *as, char *quote);
extern int	pgmg_literal_start(PgmgFile *file, int at, char *quote);
extern const char *pgmg_ref_kind_name(PgmgRefKind kind);
extern char pgmg_ref_namespace(PgmgRefKind kind);
extern List *pgmg_ref_lookup(PgmgRef *ref);

/*
 * migration.c: what a migration is and what it targets
 */
extern void pgmg_parse_migration(PgmgFile *file);
extern bool pgmg_resolve_target(PgmgTarget *target, ObjectAddress *addr);
extern bool pgmg_migration_creates(PgmgFile *file, HTAB *names);
extern char *pgmg_created_key(PgmgRef *ref);

/*
 * catalog.c: identities, fingerprints, dependents, privileges
 */

/* one catalog object found dependent on an object being dropped */
typedef struct PgmgDependent
{
	ObjectAddress object;		/* the top-level object */
	ObjectAddress part;			/* the catalog entry that depends */
	ObjectAddress on;			/* the dropped object it depends on */
	int32		column;			/* pg_depend.refobjsubid: the column of
								 * "on" it depends on, or 0 */
	char		deptype;		/* pg_depend.deptype */
	bool		droppable;		/* false: a table part (default, column) */
} PgmgDependent;

extern char *pgmg_object_name(const ObjectAddress *addr);
extern void pgmg_identify(const ObjectAddress *addr, char **kind,
						  char **identity, List **names, List **args);
extern char *pgmg_fingerprint(const ObjectAddress *addr, bool keep_locks);
extern char *pgmg_fingerprint_of(const char *definition);

/*
 * definition.c: canonical definitions
 */
extern char *pgmg_definition(const ObjectAddress *addr, bool keep_locks);
extern char *pgmg_would_define(Node *stmt, const char *source, const char *kind,
							   Oid viewid);
extern char *pgmg_catalog_version(const ObjectAddress *addr);
extern bool pgmg_drifted(PgmgStateObj *obj);
extern ObjectAddress pgmg_owning_object(const ObjectAddress *addr,
										bool *droppable);
extern List *pgmg_direct_dependents(const ObjectAddress *addr);
extern char *pgmg_drop_statement(const ObjectAddress *addr);
extern List *pgmg_restore_statements(const ObjectAddress *addr, bool acl,
									 bool comment, bool column_comments,
									 bool owner, bool options);
extern List *pgmg_reset_statements(const ObjectAddress *addr, bool acl,
								   bool comment);
extern char *pgmg_preserve_text(const ObjectAddress *addr);
extern List *pgmg_kept_statements(const ObjectAddress *addr, List *file_indexes,
								  bool indexes, bool defaults);

/*
 * columns.c: what a view's query puts out and reads
 */
extern int	pgmg_relation_natts(Oid relid);
extern Query *pgmg_analyse_view(Node *query, List *aliases, const char *source);
extern bool pgmg_view_replaceable(ViewStmt *stmt, const char *source, Oid viewid,
								  List **reads, char **why);
extern bool pgmg_reads_whole_row(Oid viewid, Oid relid);
extern bool pgmg_query_reads_column(Node *query, List *aliases, const char *source,
									Oid relid, AttrNumber attnum);
extern bool pgmg_query_names_column(Node *query, const char *name);

/*
 * printed.c: CREATE statements printed from the catalog
 */
extern char *pgmg_printed_statement(const ObjectAddress *addr);
extern List *pgmg_printed_forms(const ObjectAddress *addr);
extern char *pgmg_printed_index(Oid relid, const char *name);
extern bool pgmg_same_statement(const char *a, const char *b);

/*
 * keep.c: what replaced and recreated objects must not lose
 */
extern void pgmg_refuse_stale_results(PgmgDef *def);
extern void pgmg_keep_populated(PgmgDef *def);
extern void pgmg_keep_attached(PgmgDef *def);
extern List *pgmg_stale_matviews(const ObjectAddress *view);

/*
 * graph.c: ordering
 */
typedef struct PgmgGraph PgmgGraph;

extern PgmgGraph *pgmg_graph_create(int nnodes);
extern void pgmg_graph_add_edge(PgmgGraph *graph, int before, int after);
extern List *pgmg_graph_predecessors(PgmgGraph *graph, int node);
extern int *pgmg_graph_sort(PgmgGraph *graph, List **cycle);

/*
 * order.c: the order code files run in
 */
/* a hard reference no file to run defines */
typedef struct PgmgUnresolved
{
	PgmgFile   *file;
	PgmgRef    *ref;
} PgmgUnresolved;

extern List *pgmg_order_files(List *files, List *migrations,
							   List **unresolved);

/*
 * from needs to exist before it (ref: which reference says so, or NULL);
 * late: only names it in a body resolved when it runs (orders nothing)
 */
typedef struct PgmgFileEdge
{
	PgmgFile   *from;
	PgmgFile   *to;
	PgmgRef    *ref;
	bool		late;
} PgmgFileEdge;

extern List *pgmg_file_edges(List *files, List **unresolved);

/*
 * picture.c: the managed objects and their dependencies, for pgmg.graph()
 */
typedef struct PgmgNode
{
	char	   *object;			/* "kind.identity", or a migration's name */
	char	   *file;			/* its file, or NULL */
	const char *action;			/* what the plan does to it (drop, create,
								 * recreate, replace, keep, restore,
								 * migrate, pause), or NULL: nothing */
	bool		migration;		/* a pending migration */
	List	   *depends_on;		/* char *: objects it needs first, sorted */
	List	   *late;			/* char *: objects its string bodies name,
								 * resolved when they run; sorted */
} PgmgNode;

/*
 * state.c: pgmg.pgmg_state and pgmg.pgmg_migrations
 */
struct PgmgStateObj
{
	char	   *object_name;
	char	   *hash;
	char	   *file;
	char	   *kind;
	char	   *identity;
	List	   *names;			/* char * */
	List	   *args;			/* char * */
	char	   *fingerprint;
	char	   *catalog_version;	/* rows the fingerprint was taken from */
	char	   *decorations;	/* letters: a(cl) c(omment) k o(wner) r(eloptions) */
	bool		legacy_hash;	/* hash recorded by pgmg 0.1 */
	char	   *project;		/* the project managing it */
	ObjectAddress addr;			/* resolved now; InvalidOid if missing */
	bool		dropping;		/* will be dropped by the plan */
	bool		refresh;		/* not drifted, but recorded from other
								 * catalog rows or the old way */
	bool		version_matches;	/* resolved by versions.c: its catalog
									 * rows are the recorded versions */
};

/* a row of pgmg.pgmg_migrations */
typedef struct PgmgMigrationRow
{
	char	   *name;
	char	   *checksum;
	bool		legacy_hash;	/* checksum recorded by pgmg 0.1 */
	bool		started;		/* begun outside a transaction, not finished */
	char	   *applied_at;
	char	   *applied_by;
} PgmgMigrationRow;

/* a row of pgmg.pgmg_history to write */
typedef struct PgmgHistoryRow
{
	const char *project;		/* NULL: pgmg.project */
	TimestampTz started;
	const char *outcome;		/* succeeded, failed, repaired */
	int			steps;
	List	   *migrations;		/* char * */
	const char *files_hash;		/* or NULL */
	const char *sqlstate;		/* or NULL */
	const char *error;			/* or NULL */
	const char *detail;			/* or NULL */
} PgmgHistoryRow;

extern List *pgmg_load_state(void);
extern List *pgmg_load_migrations(void);
extern void pgmg_record_migration(const char *name, const char *checksum,
								  double duration_ms, bool baseline);
extern void pgmg_start_migration(const char *name, const char *checksum);
extern bool pgmg_resolve_started(const char *name, bool applied);
extern bool pgmg_forget_migration(const char *name, bool started);
extern bool pgmg_accept_checksum(const char *name, const char *checksum);
extern int64 pgmg_record_history(PgmgHistoryRow *row);
extern void pgmg_record_files(List *files, List *forget);
extern void pgmg_refresh_record(PgmgStateObj *obj);
extern char *pgmg_recorded_definition(const char *object_name);
extern char *pgmg_file_decorations(PgmgFile *file);

/* versions.c: state rows whose catalog rows are the recorded versions */
extern void pgmg_resolve_recorded(List *objs);

/*
 * plan.c: the ordered steps
 */
typedef enum PgmgAction
{
	PGMG_ACT_DROP,
	PGMG_ACT_MIGRATE,
	PGMG_ACT_CREATE,
	PGMG_ACT_REPLACE,
	PGMG_ACT_RESTORE,			/* an unmanaged view pgmg preserved */
	PGMG_ACT_KEEP,				/* the object is as the file defines it: only
								 * the file's decorations run */
	PGMG_ACT_PAUSE,				/* a no-transaction migration: the client's */
	PGMG_ACT_LATER				/* shown only: runs in an apply after a pause */
} PgmgAction;

/* one statement to run, with where it came from */
struct PgmgSql
{
	char	   *text;
	PgmgFile   *file;			/* NULL for generated statements */
	int			location;		/* byte offset in the file */
	int			shift_at;		/* text has shift_len characters the file */
	int			shift_len;		/* has not, after shift_at (OR REPLACE) */
	char	   *guard_schema;	/* with guard_column: run only if the */
	char	   *guard_relname;	/* relation, found by name when the */
	char	   *guard_column;	/* statement runs, still has that column */
};

typedef struct PgmgStep
{
	PgmgAction	action;
	char	   *object;			/* "kind.identity" */
	char	   *file;
	char	   *reason;
	PgmgCause  *cause;			/* the reason as fields, or NULL: the
								 * action says it (migrate, pause, later) */
	const char *not_replaced;	/* a view recreated: why not in place */
	const char *needed_by;		/* the migration that needs it first */
	int			locks;			/* lock-table entries it takes, about */
	List	   *lock_types;		/* Oid: types it locks (counted once) */
	List	   *sql;			/* PgmgSql * */
	PgmgFile   *migration;		/* PGMG_ACT_MIGRATE: the file, to record */
} PgmgStep;

typedef struct PgmgPlan
{
	PgmgFileSet *files;
	List	   *steps;			/* PgmgStep * */
	List	   *exec_files;		/* PgmgFile *, code files executed */
	List	   *forget_files;	/* char *, deleted code files */
	List	   *refresh;		/* PgmgStateObj * of files not run whose
								 * records are rewritten (not drift) */
	List	   *lock_relids;	/* Oid: relations it drops or migrates */
	List	   *preserved_relids;	/* Oid: unmanaged views it preserves */
	int			lock_entries;	/* lock-table entries it takes, about */
} PgmgPlan;

/* a row of pgmg.status() */
typedef struct PgmgStatusRow
{
	const char *kind;			/* migration, object, file */
	const char *name;
	const char *file;
	const char *state;
	const char *detail;			/* drift: what changed; else NULL */
} PgmgStatusRow;

extern PgmgPlan *pgmg_make_plan(PgmgFileSet *files, bool allow_out_of_order);
extern PgmgCause *pgmg_cause(const char *kind, const char *object);

/*
 * import.c: a project written from a database
 */
extern List *pgmg_import(List *schemas);
extern List *pgmg_status(PgmgFileSet *files);
extern const char *pgmg_action_name(PgmgAction action);

/*
 * hazards.c: what a plan will cost the database it runs on
 */
typedef enum PgmgSeverity
{
	PGMG_SEVERITY_LOW,
	PGMG_SEVERITY_MEDIUM,
	PGMG_SEVERITY_HIGH
} PgmgSeverity;

/*
 * one hazard: code is one of table_rewrite, access_exclusive, index_build,
 * constraint_validation, not_null_scan, data_loss, bulk_write,
 * matview_recompute, many_objects
 */
typedef struct PgmgHazard
{
	const char *code;
	PgmgSeverity severity;
	char	   *object;			/* "kind.identity" it is about, or NULL */
	const char *file;			/* the migration (or code file), or NULL */
	int			line;			/* there; 0: none */
	double		rows;			/* estimated rows of object; -1: none */
	int64		bytes;			/* its heap and indexes; -1: none */
	char	   *message;
	const char *safer;			/* the safer pattern */
	bool		allowed;		/* acknowledged by -- pgmg:allow CODE */
} PgmgHazard;

extern int	pgmg_hazard_rows;
extern int	pgmg_hazard_size;	/* kB */
extern int	pgmg_hazard_objects;
extern List *pgmg_plan_hazards(PgmgPlan *plan);

extern List *pgmg_plan_picture(PgmgPlan *plan);
extern const char *pgmg_severity_name(PgmgSeverity severity);

/*
 * session.c: the loaded file set and its tests
 */
extern Jsonb *pgmg_loaded_files(void);

/*
 * locks.c: bounded waits and the sessions that pgmg waited for
 */
extern int	pgmg_lock_timeout_ms(const char *arg);
extern void pgmg_advisory_lock(int timeout_ms, const char *what);
extern char *pgmg_lock_holders(List *relids);
extern int	pgmg_backoff_ms(int attempt);
extern void pgmg_sleep(int ms);

/*
 * bodies.c: function bodies checked after the plan ran
 */
extern bool pgmg_validate_bodies;
extern void pgmg_validate_bodies_of(List *files);

/*
 * execute.c: running a plan
 */
/* a step that failed in a check */
typedef struct PgmgCheckError
{
	int			step;			/* in the plan; 0: the body check */
	const char *object;
	const char *file;			/* where in which file, or NULL */
	int			line;
	int			column;
	char	   *sqlstate;
	char	   *message;
	char	   *detail;
	char	   *hint;
} PgmgCheckError;

extern void pgmg_execute_plan(PgmgPlan *plan, int lock_timeout_ms,
							  double *execute_ms, double *record_ms);
extern List *pgmg_check_plan(PgmgPlan *plan, int lock_timeout_ms);
extern PgmgCheckError *pgmg_check_error(ErrorData *edata, int step,
										const char *object);

#endif							/* PGMG_H */
