/*-------------------------------------------------------------------------
 *
 * files.c
 *	  The file set: reading the jsonb argument of pgmg.plan()/pgmg.apply(),
 *	  validating it, hashing files and ordering migrations.
 *
 * The argument is {"migrations": {path: text, ...}, "code": {path: text},
 * "tests": {path: text}}.  A missing group means "not managed by this
 * call"; an empty object means "managed, and there are no files".  A code
 * path with a __test__ or __tests__ directory component is a test, never
 * code: it moves to the tests group.  Every malformed input is an error
 * raised before anything is read from or written to the database.
 *
 * A leading UTF-8 byte order mark is removed from every file as it is read:
 * it is neither run nor hashed.
 *
 * Hashes are SHA-256 of the normalised text: a UTF-8 byte order mark,
 * carriage returns before line feeds and trailing whitespace on every line
 * and at the end do not count, so a checkout on another platform does not
 * look like a change; but trailing whitespace on a line that ends inside a
 * string literal, quoted identifier or dollar-quoted body is part of a
 * value and counts.  Checksums recorded by 0.1, which dropped it there
 * too, still match (pgmg_file_matches).
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/files.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "common/cryptohash.h"
#include "common/sha2.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "pgmg.h"

static List *read_group(JsonbValue *group, const char *name, bool is_code);
static void strip_bom(char *text);
static int	bom_length(const char *text);
static bool *value_line_ends(const char *text);
static void hash_normalised(const char *text, char *out, bool keep_values);
static bool is_test_path(const char *path);
static void check_path(const char *group, const char *path);
static int	compare_files_by_path(const ListCell *a, const ListCell *b);
static int	compare_files_numeric(const ListCell *a, const ListCell *b);

/*
 * pgmg_read_files
 *		Validate the jsonb file set and return it as PgmgFile structures,
 *		code files sorted by path, migrations in numeric-aware name order.
 *
 * Allocates in CurrentMemoryContext.  Raises an error for anything that is
 * not exactly the documented shape.
 */
PgmgFileSet *
pgmg_read_files(Jsonb *files)
{
	PgmgFileSet *set = palloc0(sizeof(PgmgFileSet));
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (files == NULL || !JB_ROOT_IS_OBJECT(files) || JB_ROOT_IS_SCALAR(files))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("files must be a JSON object"),
				 errhint("Pass {\"migrations\": {\"001_x.sql\": \"...\"}, \"code\": {\"views/a.sql\": \"...\"}}.")));

	it = JsonbIteratorInit(&files->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
		{
			if (strcmp(key, "code") == 0)
			{
				set->has_code = true;
				set->code = read_group(&v, key, true);
			}
			else if (strcmp(key, "migrations") == 0)
			{
				set->has_migrations = true;
				set->migrations = read_group(&v, key, false);
			}
			else if (strcmp(key, "tests") == 0)
				set->tests = list_concat(set->tests, read_group(&v, key, false));
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown file group \"%s\"", key),
						 errdetail("The groups are \"migrations\", \"code\" and \"tests\".")));
		}
	}

	/* tests kept among the code files are tests all the same */
	if (set->code != NIL)
	{
		List	   *code = NIL;
		ListCell   *lc;

		foreach(lc, set->code)
		{
			PgmgFile   *file = lfirst(lc);

			if (is_test_path(file->path))
			{
				file->is_code = false;
				set->tests = lappend(set->tests, file);
			}
			else
				code = lappend(code, file);
		}
		set->code = code;
	}

	list_sort(set->code, compare_files_by_path);
	list_sort(set->tests, compare_files_by_path);
	list_sort(set->migrations, compare_files_numeric);
	return set;
}

/*
 * read_group
 *		Read one group ({path: text, ...}) into a list of PgmgFile.
 */
static List *
read_group(JsonbValue *group, const char *name, bool is_code)
{
	List	   *result = NIL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *path = NULL;

	if (group->type != jbvBinary ||
		!JsonContainerIsObject(group->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("file group \"%s\" must be a JSON object of path: text", name)));

	it = JsonbIteratorInit(group->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			path = pnstrdup(v.val.string.val, v.val.string.len);
			check_path(name, path);
		}
		else if (tok == WJB_VALUE)
		{
			PgmgFile   *file;

			if (v.type != jbvString)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("content of file \"%s\" must be a JSON string", path)));

			file = palloc0(sizeof(PgmgFile));
			file->path = path;
			file->content = pnstrdup(v.val.string.val, v.val.string.len);
			strip_bom(file->content);
			file->is_code = is_code;
			pgmg_hash_text(file->content, file->hash);
			result = lappend(result, file);
		}
	}
	return result;
}

/*
 * strip_bom
 *		Remove a leading UTF-8 byte order mark in place: editors on some
 *		platforms write one, and the server's parser would take it for part
 *		of the first token.
 */
static void
strip_bom(char *text)
{
	int			len = bom_length(text);

	if (len > 0)
		memmove(text, text + len, strlen(text + len) + 1);
}

/*
 * bom_length
 *		3 when text starts with a UTF-8 byte order mark, else 0.
 */
static int
bom_length(const char *text)
{
	return ((unsigned char) text[0] == 0xEF && (unsigned char) text[1] == 0xBB &&
			(unsigned char) text[2] == 0xBF) ? 3 : 0;
}

/*
 * is_test_path
 *		Has the path a directory component named __test__ or __tests__?
 */
static bool
is_test_path(const char *path)
{
	const char *p = path;

	while (*p)
	{
		size_t		len = strcspn(p, "/");

		if (p[len] == '/' &&
			((len == 8 && strncmp(p, "__test__", 8) == 0) ||
			 (len == 9 && strncmp(p, "__tests__", 9) == 0)))
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

/*
 * check_path
 *		A path is relative, non-empty and stays inside its directory.
 */
static void
check_path(const char *group, const char *path)
{
	const char *p = path;

	if (*path == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("empty file path in group \"%s\"", group)));
	if (*path == '/' || *path == '\\')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("file path \"%s\" must be relative", path)));

	/* no ".." component */
	while (*p)
	{
		const char *end = p + strcspn(p, "/\\");

		if (end - p == 2 && p[0] == '.' && p[1] == '.')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("file path \"%s\" escapes its directory", path),
					 errdetail("Paths may not contain \"..\" components.")));
		p = (*end) ? end + 1 : end;
	}
}

/*
 * pgmg_hash_text
 *		SHA-256 of a file's normalised text, as 64 hex digits, into out.
 *
 * Line endings (a carriage return before a line feed), trailing blanks of
 * a line and blank lines at the end do not count, but only where they are
 * not part of a value: a line that ends inside a string literal, a quoted
 * identifier or a dollar-quoted body keeps its trailing blanks, since four
 * spaces added there change what the SQL does.  Comments are not values.
 */
void
pgmg_hash_text(const char *text, char *out)
{
	hash_normalised(text, out, true);
}

/*
 * pgmg_files_hash
 *		SHA-256 of a file set: of a line "group<TAB>path<TAB>checksum" for
 *		each code file and migration, in order.  Two applies of the same
 *		files have the same one; tests do not count.
 */
void
pgmg_files_hash(PgmgFileSet *set, char *out)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, set->code)
		appendStringInfo(&buf, "code\t%s\t%s\n", ((PgmgFile *) lfirst(lc))->path,
						 ((PgmgFile *) lfirst(lc))->hash);
	foreach(lc, set->migrations)
		appendStringInfo(&buf, "migrations\t%s\t%s\n", ((PgmgFile *) lfirst(lc))->path,
						 ((PgmgFile *) lfirst(lc))->hash);
	pgmg_hash_text(buf.data, out);
	pfree(buf.data);
}

/*
 * pgmg_hash_lines
 *		SHA-256 with trailing blanks dropped from every line, whatever the
 *		line holds: for catalog text, and for files hashed by pgmg 0.1, whose
 *		recorded checksums were taken this way.
 */
void
pgmg_hash_lines(const char *text, char *out)
{
	hash_normalised(text, out, false);
}

/*
 * pgmg_file_matches
 *		Does the file's content match a recorded checksum?  A legacy
 *		checksum, recorded by pgmg 0.1, dropped trailing blanks inside
 *		literals too, and is compared with the file's hash taken that way.
 */
bool
pgmg_file_matches(PgmgFile *file, const char *checksum, bool legacy)
{
	if (legacy)
		return strcmp(pgmg_legacy_hash(file), checksum) == 0;
	return strcmp(file->hash, checksum) == 0;
}

/*
 * pgmg_legacy_hash
 *		The file's checksum as pgmg 0.1 took it, computed on first use.
 */
const char *
pgmg_legacy_hash(PgmgFile *file)
{
	if (file->legacy_hash[0] == '\0')
		pgmg_hash_lines(file->content, file->legacy_hash);
	return file->legacy_hash;
}

/*
 * value_line_ends
 *		For each line of text, whether its end lies inside a value: a
 *		string literal ('...', E'...'), a quoted identifier or a
 *		dollar-quoted body.  Returns a palloc'd array with one entry per
 *		line (lines are counted by line feeds, plus one).
 */
static bool *
value_line_ends(const char *text)
{
	int			nlines = 1;
	const char *p;
	bool	   *inside;
	int			line = 0;
	char		quote = 0;		/* ', " or $ while inside a value */
	bool		escapes = false;	/* E'...': backslash escapes */
	const char *tag = NULL;		/* dollar quote's tag, with both $ */
	int			taglen = 0;
	int			comment = 0;	/* nesting depth of block comments */
	bool		line_comment = false;

	for (p = text; *p; p++)
		if (*p == '\n')
			nlines++;
	inside = palloc0(sizeof(bool) * nlines);

	for (p = text; *p; p++)
	{
		char		c = *p;

		if (c == '\n')
		{
			inside[line++] = quote != 0;
			line_comment = false;
			continue;
		}
		if (line_comment)
			continue;
		if (comment > 0)
		{
			if (c == '*' && p[1] == '/')
				comment--, p++;
			else if (c == '/' && p[1] == '*')
				comment++, p++;
			continue;
		}
		if (quote == '\'')
		{
			if (escapes && c == '\\' && p[1] && p[1] != '\n')
				p++;
			else if (c == '\'' && p[1] == '\'')
				p++;
			else if (c == '\'')
				quote = 0;
			continue;
		}
		if (quote == '"')
		{
			if (c == '"')
				quote = 0;
			continue;
		}
		if (quote == '$')
		{
			if (c == '$' && strncmp(p, tag, taglen) == 0)
			{
				p += taglen - 1;
				quote = 0;
			}
			continue;
		}

		/* outside any value */
		if (c == '-' && p[1] == '-')
			line_comment = true;
		else if (c == '/' && p[1] == '*')
			comment = 1, p++;
		else if (c == '\'')
		{
			quote = '\'';
			escapes = p > text && (p[-1] == 'E' || p[-1] == 'e') &&
				(p - 1 == text || !(isalnum((unsigned char) p[-2]) || p[-2] == '_' ||
									IS_HIGHBIT_SET(p[-2])));
		}
		else if (c == '"')
			quote = '"';
		else if (c == '$' && !(p > text && (isalnum((unsigned char) p[-1]) ||
											p[-1] == '_' || p[-1] == '$' ||
											IS_HIGHBIT_SET(p[-1]))))
		{
			const char *q = p + 1;

			if (!isdigit((unsigned char) *q))
			{
				while (isalnum((unsigned char) *q) || *q == '_' || IS_HIGHBIT_SET(*q))
					q++;
				if (*q == '$')
				{
					tag = p;
					taglen = q - p + 1;
					quote = '$';
					p = q;
				}
			}
		}
	}
	inside[line] = quote != 0;
	return inside;
}

/*
 * hash_normalised
 *		The hash of pgmg_hash_text (values kept whole) or of pgmg_hash_lines.
 *
 * Hashes line by line, without copying: a line's end is hashed only once
 * some text follows it, so blank lines at the end do not count.  A line
 * ending inside a value loses only the carriage return of its line end.
 */
static void
hash_normalised(const char *text, char *out, bool keep_values)
{
	const char *p = text;
	pg_cryptohash_ctx *ctx;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	int			newlines = 0;	/* line ends not yet hashed */
	bool		ok = true;
	bool	   *inside = NULL;
	int			line = 0;

	/* text that did not come through pgmg_read_files may still hold one */
	p += bom_length(p);
	if (keep_values)
		inside = value_line_ends(p);

	ctx = pg_cryptohash_create(PG_SHA256);
	ok = pg_cryptohash_init(ctx) >= 0;
	while (*p && ok)
	{
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		const char *last = end;

		if (inside && inside[line])
		{
			if (last > p && last[-1] == '\r')
				last--;
		}
		else
			while (last > p && (last[-1] == ' ' || last[-1] == '\t' ||
								last[-1] == '\r'))
				last--;
		if (last > p)
		{
			for (; newlines > 0 && ok; newlines--)
				ok = pg_cryptohash_update(ctx, (const uint8 *) "\n", 1) >= 0;
			ok = ok && pg_cryptohash_update(ctx, (const uint8 *) p, last - p) >= 0;
		}
		newlines++;
		line++;
		p = eol ? eol + 1 : end;
	}
	if (!ok || pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	if (inside)
		pfree(inside);

	/* not sprintf per byte, which was most of hashing a small file */
	hex_encode((const char *) digest, PG_SHA256_DIGEST_LENGTH, out);
	out[PGMG_HASH_LEN - 1] = '\0';
}

/*
 * pgmg_compare_names
 *		Numeric-aware comparison: runs of digits compare by value, so
 *		"2_x.sql" sorts before "10_x.sql".  Ties fall back to strcmp.
 */
int
pgmg_compare_names(const char *a, const char *b)
{
	const char *pa = a;
	const char *pb = b;

	while (*pa && *pb)
	{
		if (isdigit((unsigned char) *pa) && isdigit((unsigned char) *pb))
		{
			const char *sa = pa;
			const char *sb = pb;
			size_t		la,
						lb;
			int			c;

			while (*sa == '0' && isdigit((unsigned char) sa[1]))
				sa++;
			while (*sb == '0' && isdigit((unsigned char) sb[1]))
				sb++;
			pa = sa;
			pb = sb;
			while (isdigit((unsigned char) *pa))
				pa++;
			while (isdigit((unsigned char) *pb))
				pb++;
			la = pa - sa;
			lb = pb - sb;
			if (la != lb)
				return (la < lb) ? -1 : 1;
			c = strncmp(sa, sb, la);
			if (c != 0)
				return c;
		}
		else
		{
			if (*pa != *pb)
				return ((unsigned char) *pa < (unsigned char) *pb) ? -1 : 1;
			pa++;
			pb++;
		}
	}
	if (*pa || *pb)
		return *pa ? 1 : -1;
	return strcmp(a, b);
}

static int
compare_files_by_path(const ListCell *a, const ListCell *b)
{
	return strcmp(((PgmgFile *) lfirst(a))->path,
				  ((PgmgFile *) lfirst(b))->path);
}

static int
compare_files_numeric(const ListCell *a, const ListCell *b)
{
	return pgmg_compare_names(((PgmgFile *) lfirst(a))->path,
							  ((PgmgFile *) lfirst(b))->path);
}
