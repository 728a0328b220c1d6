/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lvsrule: add and list rules holding nftlvs expressions (test tool). */
#ifndef _LVSRULE_H_
#define _LVSRULE_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct nlmsghdr;
struct nftlvs_expr;
struct nftnl_expr;

/* One expression of a rule: ours, or a stock one libnftnl builds. */
struct rule_expr {
	struct nftlvs_expr	*lvs;
	struct nftnl_expr	*stock;
};

struct rule {
	struct rule_expr	*exprs;
	unsigned int		nexprs;
};

struct add_req {
	uint16_t		family;
	const char		*table;
	const char		*chain;
	struct rule		*rules;
	unsigned int		nrules;
};

/* lvsrule-args.c: the command line of "add". Exits 2 on bad usage. */
void usage_error(const char *token, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
uint16_t parse_family(const char *s);
const char *family_name(uint16_t family);
void parse_rules(struct add_req *req, int argc, char **argv);
void free_rules(struct add_req *req);

/* lvsrule-print.c: one line per rule message. */
struct print_opts {
	bool		raw;		/* ours as NAME{attr=value,...} */
	bool		handle;		/* "handle N: " prefix */
	bool		location;	/* "FAMILY TABLE CHAIN: " prefix */
	const char	*table;		/* print only rules of table/chain */
	const char	*chain;
};

/* 1 printed, 0 filtered out, -1 printed but an expression was malformed. */
int print_rule(FILE *out, const struct nlmsghdr *nlh,
	       const struct print_opts *opts);

#endif /* _LVSRULE_H_ */
