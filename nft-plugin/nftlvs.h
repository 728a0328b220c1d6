/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nftlvs: a drop-in nft that also speaks the statements lb-dispatch,
 * synproxy-lb and fullnat.
 *
 * How it works (see nftlvs(8) and interpose.c):
 *  - input: our statements are found in the text (scan.c), parsed by us
 *    (parse.c) into libnftlvs expressions and replaced by a placeholder
 *    statement, `log prefix "nftlvs-NONCE-N"` (stmt.c), that stock nft
 *    compiles into one log expression;
 *  - libnftables builds the batch; our sendmsg() swaps each placeholder
 *    expression for the real one (splice.c), so a file still commits as
 *    one transaction;
 *  - our recvmsg() swaps our expressions in the kernel's answers for
 *    placeholders, and the output stream (output.c) prints them back as
 *    our statements.
 */
#ifndef _NFTLVS_H_
#define _NFTLVS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/netfilter/nf_tables.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct nftlvs_expr;

/*
 * source.c: the texts we read (files, the command line, stdin) and what
 * libnftables gets to read instead. A rewritten text has the same lines as
 * the original: a statement that spans lines becomes a placeholder followed
 * by line continuations, so only columns on those lines move.
 */
struct edit {
	size_t		orig_start, orig_end;	/* statement, original text */
	size_t		new_start, new_end;	/* placeholder, rewritten text */
	int		stmt;			/* its index (stmt.c) */
	char		*repl;			/* until src_finish() */
};

struct src {
	char		*name;		/* as nft opens it; NULL: command line */
	char		*orig;
	size_t		orig_len;
	char		*text;		/* what nft reads */
	size_t		text_len;
	bool		json;
	/* Printed instead of "NAME:LINE:COL-COL" in messages, if set. */
	char		*header;
	struct edit	*edits;
	unsigned int	nedits;
	/* Where it was included from (for "In file included from"). */
	const struct src *parent;
	size_t		incl_off, incl_len;
	struct src	*next;
};

char *read_file(const char *path, size_t *len);
struct src *src_new(const char *name, char *text, size_t len);
struct src *src_find(const char *name);
struct src *src_cmdline(void);
void src_free_all(void);
/* Replace [start, end) of the original text by @repl (edits in order). */
int src_edit(struct src *s, size_t start, size_t end, const char *repl,
	     int stmt);
int src_finish(struct src *s);
/* An offset of the rewritten text, back in the original one. */
size_t src_orig_offset(const struct src *s, size_t off, bool end);
/* The edit whose placeholder holds @off in the rewritten text, or NULL. */
const struct edit *src_edit_at(const struct src *s, size_t off);

/* Line and column (1-based) of @off in @text, and where its line starts. */
void text_pos(const char *text, size_t len, size_t off, unsigned int *line,
	      unsigned int *col, size_t *line_start);
/* Offset of @line:@col in @text (clamped to the text). */
size_t text_offset(const char *text, size_t len, unsigned int line,
		   unsigned int col);

/*
 * An error at @len bytes from @off of @s's original text, printed as nft
 * prints its own: "FILE:LINE:COL-COL: Error: MSG", the line, carets.
 */
void src_error(const struct src *s, size_t off, size_t len,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Where our own errors go: stderr unless set (unit tests). */
extern FILE *nftlvs_errfp;
FILE *err_out(void);
void src_print_located(FILE *f, const struct src *s, size_t off, size_t len,
		       const char *kind, const char *msg);

/* lex.c: tokens of nft's syntax, as far as we need them. */
enum tok_type {
	T_EOF,
	T_NEWLINE,
	T_SEMI,
	T_WORD,		/* identifiers, numbers, addresses, times */
	T_STRING,	/* "quoted" */
	T_VAR,		/* $name */
	T_LBRACE,
	T_RBRACE,
	T_LBRACK,
	T_RBRACK,
	T_COMMA,
	T_COLON,
	T_DASH,
	T_OTHER,	/* any other character */
};

struct token {
	enum tok_type	type;
	const char	*s;		/* text (not terminated) */
	size_t		len;
	size_t		off;		/* location in the source */
	size_t		loc_len;
};

struct lexer {
	const char	*buf;
	size_t		len;
	size_t		pos;
	/* Tokens of a variable's value carry the location of "$name". */
	bool		expansion;
	size_t		loc_off, loc_len;
};

void lex_init(struct lexer *lx, const char *buf, size_t len);
void lex_next(struct lexer *lx, struct token *t);
bool tok_is(const struct token *t, const char *word);

/*
 * Tokens for our parser: from the text, or from the value of a variable
 * that the parser expanded (those carry the location of "$name").
 */
#define TSRC_DEPTH_MAX	16
struct tsrc {
	const struct src	*src;		/* for error messages */
	struct lexer		lx[TSRC_DEPTH_MAX + 1];
	unsigned int		depth;
	struct token		peek;
	bool			peeked;
	size_t			end;	/* end of what has been taken */
};

void ts_init(struct tsrc *ts, const struct src *src, size_t pos);
const struct token *ts_peek(struct tsrc *ts);
void ts_next(struct tsrc *ts, struct token *t);
/* Continue with the value of variable @var; -1 if it is unknown. */
int ts_expand(struct tsrc *ts, const struct token *var);
/* How the parser names a token in "unexpected X". */
void tok_describe(const struct token *t, char *buf, size_t size);

/* defs.c: nft's define/redefine/undefine, with table/chain scopes. */
void defs_push(void);
void defs_pop(void);
int defs_set(const char *name, size_t nlen, const char *value, size_t vlen,
	     bool redefine);
void defs_unset(const char *name, size_t nlen);
const char *defs_get(const char *name, size_t nlen);
void defs_free_all(void);

/* stmt.c: our statements, known by index; placeholders name the index. */
struct stmt {
	struct nftlvs_expr	*expr;		/* NULL: could not be read */
	char			name[16];
	int			kernel_err;	/* errno the kernel answered */
	bool			reported;	/* ... and we explained it */
	uint16_t		family;		/* NFPROTO_* of that rule */
	char			table[NFT_TABLE_MAXNAMELEN];	/* ... its table */
};

int stmt_add(struct nftlvs_expr *e, const char *name);	/* -1: no memory */
struct stmt *stmt_get(unsigned int idx);
unsigned int stmt_count(void);
void stmt_free_all(void);
void marker_init(void);
/* The log prefix that stands for statement @idx. */
int marker_format(char *buf, size_t size, unsigned int idx);
/* Index of the marker @s (@len bytes, no quotes), or -1. */
int marker_parse(const char *s, size_t len);
/* "nftlvs-NONCE-", to find markers in text. */
const char *marker_prefix(void);
int placeholder_text(char *buf, size_t size, unsigned int idx);
int placeholder_json(char *buf, size_t size, unsigned int idx);

/* Where a statement stands: what its parser needs to know of the rule. */
struct stmt_place {
	int		family;		/* NFPROTO_* of the table */
	const char	*table;		/* its name; "" if not known */
	int		match_af;	/* AF_* the rule's ip/ip6 matches imply */
};

/*
 * A statement's named sets (fullnat's `to @NAME`, `via @NAME`) and where
 * the input names them, for the checks of sets.c. Index 0 is the pool,
 * 1 the local addresses; len 0: a list there.
 */
struct set_use {
	const struct src	*src;
	int			stmt;		/* index (stmt.c) */
	int			family;		/* NFPROTO_* of the table */
	char			table[NFT_TABLE_MAXNAMELEN];
	int			af;		/* AF_* the addresses imply; 0 */
	int			match_af;	/* AF_* the rule's matches imply */
	size_t			off[2], len[2];
};

/* parse.c: one of our statements, from its keyword on. */
struct tsrc;
struct nftlvs_expr *parse_stmt(struct tsrc *ts, const struct token *kw,
			       const struct stmt_place *at,
			       struct set_use *use);
bool is_stmt_keyword(const struct token *t);

/*
 * sets.c: named sets as pools and local addresses. What a set holds, as
 * far as fullnat cares: its key's fields and a map's data as nft's
 * datatype numbers (0: not known, for typeof expressions we do not know).
 */
#define SET_FIELDS_MAX	8
struct set_shape {
	bool		map;
	bool		interval;
	bool		object;		/* a map to stateful objects */
	unsigned int	nkey;
	uint32_t	key[SET_FIELDS_MAX];
	uint32_t	data;
	char		desc[192];	/* "type ipv4_addr : mark", as declared */
};

/* Building a shape from declared names: type, typeof and flags words. */
void shape_type(struct set_shape *sh, const char *name, size_t len, bool data);
void shape_typeof(struct set_shape *sh, const char *expr, size_t len,
		  bool data);
void shape_flag(struct set_shape *sh, const char *flag, size_t len);
void shape_desc(struct set_shape *sh, const char *text, size_t len);
/* A set or map that the input declares (the newest declaration wins). */
int sets_declare(int family, const char *table, const char *name,
		 size_t nlen, const struct set_shape *sh);
/* A statement's sets: checked at once, or once the whole input is read. */
void sets_check(const struct set_use *use);
void sets_defer(const struct set_use *use);
void sets_resolve(void);
void sets_forget(void);
/*
 * A set as the kernel has it: 1 and its shape, 0 if there is none, -1 if
 * the kernel cannot be asked. NULL (the default): never asked.
 */
typedef int (*sets_kernel_fn)(int family, const char *table,
			      const char *name, struct set_shape *sh);
extern sets_kernel_fn sets_kernel;
int sets_kernel_query(int family, const char *table, const char *name,
		      struct set_shape *sh);
/*
 * The kernel's ENOENT or EPROTOTYPE for statement @st, said by set name
 * after @prefix in @msg; false if its sets do not explain it.
 */
bool sets_explain(const struct stmt *st, const char *prefix, char *msg,
		  size_t size);

/* scan.c: find, parse and replace our statements in a text. */
struct scan_opts {
	const char	**include_paths;
	unsigned int	ninclude_paths;
};
extern struct scan_opts scan_opts;
/* Scan @s (and what it includes); errors go to stderr. -1 on errors. */
int scan_src(struct src *s);
/*
 * Read a file, register it, scan it (JSON when nftlvs_json_input and it
 * looks like JSON). *err: 0, EINVAL when a statement was refused (already
 * reported), errno of reading (NULL returned: nft will report it).
 */
struct src *scan_file(const char *path, int *err);
struct src *scan_file_in(const char *path, const struct src *parent,
			 size_t incl_off, size_t incl_len, int kind,
			 int family, const char *table,
			 unsigned int include_depth, int *err);

/* json.c: the same for nft's JSON input. */
int json_scan_src(struct src *s);

/* splice.c: netlink messages, both ways. */
struct splice_msg;
/*
 * A batch about to be sent: a copy with each placeholder in NEWRULE
 * messages replaced by its expression, in *@out (malloc'ed; NULL when
 * nothing had to change). -1 with errno on failure.
 */
int splice_batch(const void *buf, size_t len, void **out, size_t *out_len);
/* order.c: JSON input gets tables, then chains, first in each run of creations. */
int splice_chains_first(void *buf, size_t len);
/*
 * Messages received from the kernel, rewritten in place (@buf has @size
 * bytes of room): our expressions become placeholders, errors about
 * spliced messages are translated. Returns the new length, or -1.
 */
ssize_t splice_recv(void *buf, size_t len, size_t size);
void splice_forget(void);
/*
 * One NFT_MSG_GET* request (@msg) for the object named @name (attribute
 * @name_attr) of table @table (attribute @table_attr), on a socket of our
 * own; @cb gets each reply. 0 once the kernel has answered, the errno of
 * its refusal, -1 when it could not be asked.
 */
struct nlmsghdr;
int kernel_get(uint16_t msg, int family, uint16_t table_attr,
	       const char *table, uint16_t name_attr, const char *name,
	       int (*cb)(const struct nlmsghdr *nlh, void *data), void *data);

/* output.c */
FILE *output_open(FILE *out, bool json, bool numeric_time);
void output_close(FILE *f);
/* Text with placeholders replaced by our statements. */
void write_plain(FILE *f, const char *line, size_t len);

/* errors.c: nft's error text, pointed back at the user's text. */
void errors_print(FILE *f, const char *text);

/* lvsproc.c: nftlvs list stats | list connections */
int lvsproc_list(const char *what, bool json, FILE *out);

/* interpose.c */
void interpose_enable(bool on);

/* Errors of the current run (ours, found before nft ran). */
extern unsigned int nftlvs_errors;
extern bool nftlvs_json_input;

#endif /* _NFTLVS_H_ */
