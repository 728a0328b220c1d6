/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The statement parser's insides, shared by parse.c and parse_fullnat.c. */
#ifndef _NFTLVS_PARSE_H_
#define _NFTLVS_PARSE_H_

#include "nftlvs.h"

struct pctx {
	struct tsrc	*ts;
	int		family;		/* NFPROTO_* of the table; 0: unknown */
	const struct stmt_place	*at;
	struct set_use	*use;		/* the statement's named sets */
	char		stmt[16];	/* the statement's keyword */
	bool		failed;
};

extern const char *const synproxy_lb_options[];
extern const char *const fullnat_options[];

void perr(struct pctx *p, const struct token *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void perr_unexpected(struct pctx *p, const struct token *t,
		     const char *expecting);
bool pvalue(struct pctx *p, struct token *t);
bool pvalue_nl(struct pctx *p, struct token *t);
bool pnum_text(const char *s, size_t len, unsigned long *v);
bool pnum(struct pctx *p, const char *what, unsigned long min,
	  unsigned long max, unsigned long *v);
/* A misspelled option right after the statement ("shed" for "sched"). */
bool pcheck_misspelled(struct pctx *p, const char *const *options);
bool parse_fullnat(struct pctx *p, const struct token *kw,
		   struct nftlvs_expr *e);

#endif /* _NFTLVS_PARSE_H_ */
