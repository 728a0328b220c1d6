// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lvsrule: one line per rule. Our expressions print as nft statements
 * (through libnftlvs) or, with -r, as a raw dump of every attribute the
 * kernel sent: that dump must not depend on libnftlvs accepting them.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftlvs/expr.h>
#include <nft_lvs.h>

#include "lvsrule.h"

enum raw_kind {
	RAW_U8,
	RAW_BE16,
	RAW_BE32,
	RAW_HEX32,
	RAW_STRING,
	RAW_POOL,
	RAW_LADDRS,
};

struct raw_attr {
	const char	*name;
	enum raw_kind	kind;
};

static const struct raw_attr synproxy_raw[NFTA_SYNPROXY_LB_MAX + 1] = {
	[NFTA_SYNPROXY_LB_MSS]		= { "mss",	RAW_BE16 },
	[NFTA_SYNPROXY_LB_WSCALE]	= { "wscale",	RAW_U8 },
	[NFTA_SYNPROXY_LB_TTL]		= { "ttl",	RAW_U8 },
	[NFTA_SYNPROXY_LB_FLAGS]	= { "flags",	RAW_HEX32 },
};

static const struct raw_attr fullnat_raw[NFTA_FULLNAT_MAX + 1] = {
	[NFTA_FULLNAT_FAMILY]	= { "family",	RAW_BE32 },
	[NFTA_FULLNAT_POOL]	= { "pool",	RAW_POOL },
	[NFTA_FULLNAT_LADDRS]	= { "laddrs",	RAW_LADDRS },
	[NFTA_FULLNAT_PORT_MIN]	= { "port-min",	RAW_BE16 },
	[NFTA_FULLNAT_PORT_MAX]	= { "port-max",	RAW_BE16 },
	[NFTA_FULLNAT_SCHED]	= { "sched",	RAW_BE32 },
	[NFTA_FULLNAT_TIMEOUT]	= { "timeout",	RAW_BE32 },
	[NFTA_FULLNAT_FLAGS]	= { "flags",	RAW_HEX32 },
	[NFTA_FULLNAT_POOL_SET]	= { "pool-set",	RAW_STRING },
	[NFTA_FULLNAT_LADDRS_SET] = { "laddrs-set", RAW_STRING },
};

static const struct {
	const char		*name;
	const struct raw_attr	*attrs;
	uint16_t		max;
} raw_exprs[] = {
	{ NFT_LVS_EXPR_DISPATCH, NULL,		0 },
	{ NFT_LVS_EXPR_SYNPROXY, synproxy_raw,	NFTA_SYNPROXY_LB_MAX },
	{ NFT_LVS_EXPR_FULLNAT,	 fullnat_raw,	NFTA_FULLNAT_MAX },
};

static void print_hex(FILE *out, const struct nlattr *attr)
{
	const uint8_t *p = mnl_attr_get_payload(attr);
	uint16_t i;

	fprintf(out, "hex:");
	for (i = 0; i < mnl_attr_get_payload_len(attr); i++)
		fprintf(out, "%02x", p[i]);
}

/* By length, as lvsrule add takes it; IPv6 bracketed before a port. */
static void print_addr(FILE *out, const struct nlattr *attr, bool bracket)
{
	char str[INET6_ADDRSTRLEN];
	uint16_t len = mnl_attr_get_payload_len(attr);

	if (len != 4 && len != 16) {
		print_hex(out, attr);
		return;
	}
	inet_ntop(len == 4 ? AF_INET : AF_INET6, mnl_attr_get_payload(attr),
		  str, sizeof(str));
	fprintf(out, len == 16 && bracket ? "[%s]" : "%s", str);
}

static bool print_scalar(FILE *out, const struct nlattr *attr,
			 enum raw_kind kind)
{
	uint16_t len = mnl_attr_get_payload_len(attr);
	const void *p = mnl_attr_get_payload(attr);
	uint16_t v16;
	uint32_t v32;

	switch (kind) {
	case RAW_U8:
		if (len != 1)
			return false;
		fprintf(out, "%u", *(const uint8_t *)p);
		return true;
	case RAW_BE16:
		if (len != 2)
			return false;
		memcpy(&v16, p, 2);
		fprintf(out, "%u", ntohs(v16));
		return true;
	case RAW_BE32:
	case RAW_HEX32:
		if (len != 4)
			return false;
		memcpy(&v32, p, 4);
		fprintf(out, kind == RAW_BE32 ? "%u" : "0x%x", ntohl(v32));
		return true;
	case RAW_STRING:
		/* As given to pool-set=: plain if it is one, else hex:. */
		if (!len || memchr(p, '\0', len) != (const char *)p + len - 1 ||
		    strcspn(p, ",}=") != len - 1U || !strncmp(p, "hex:", 4))
			return false;
		fputs(p, out);
		return true;
	default:
		return false;
	}
}

/* Attributes of a nest by type; 0 if it does not parse as attributes. */
static int nest_table(const struct nlattr *nest, const struct nlattr **tb,
		      uint16_t max)
{
	const char *end = (const char *)mnl_attr_get_payload(nest) +
			  mnl_attr_get_payload_len(nest);
	const struct nlattr *pos;

	mnl_attr_for_each_nested(pos, nest) {
		if (mnl_attr_get_type(pos) > max)
			return 0;
		tb[mnl_attr_get_type(pos)] = pos;
	}
	return (const char *)pos >= end;
}

/* ADDR[:PORT][@WEIGHT], the syntax of lvsrule add's pool=. */
static void print_rs(FILE *out, const struct nlattr *elem)
{
	const struct nlattr *tb[NFTA_LVS_RS_MAX + 1] = {};
	const struct nlattr *port, *weight;

	if (mnl_attr_get_type(elem) != NFTA_LVS_LIST_ELEM ||
	    !nest_table(elem, tb, NFTA_LVS_RS_MAX)) {
		fprintf(out, "?%u:", mnl_attr_get_type(elem));
		print_hex(out, elem);
		return;
	}
	port = tb[NFTA_LVS_RS_PORT];
	weight = tb[NFTA_LVS_RS_WEIGHT];
	if (tb[NFTA_LVS_RS_ADDR])
		print_addr(out, tb[NFTA_LVS_RS_ADDR], port);
	if (port) {
		fputc(':', out);
		if (!print_scalar(out, port, RAW_BE16))
			print_hex(out, port);
	}
	if (weight) {
		fputc('@', out);
		if (!print_scalar(out, weight, RAW_BE32))
			print_hex(out, weight);
	}
}

static void print_list(FILE *out, const struct nlattr *nest, bool pool)
{
	const char *end = (const char *)mnl_attr_get_payload(nest) +
			  mnl_attr_get_payload_len(nest);
	const struct nlattr *elem;
	const char *sep = "";

	fputc('[', out);
	mnl_attr_for_each_nested(elem, nest) {
		fputs(sep, out);
		sep = ",";
		if (pool) {
			print_rs(out, elem);
		} else if (mnl_attr_get_type(elem) == NFTA_LVS_LIST_ELEM) {
			print_addr(out, elem, false);
		} else {
			fprintf(out, "?%u:", mnl_attr_get_type(elem));
			print_hex(out, elem);
		}
	}
	if ((const char *)elem < end)
		fprintf(out, "%s?truncated", sep);
	fputc(']', out);
}

static int cmp_type(const void *a, const void *b)
{
	const struct nlattr *const *x = a, *const *y = b;

	return (int)mnl_attr_get_type(*x) - (int)mnl_attr_get_type(*y);
}

#define RAW_ATTRS_MAX	64

/* NAME{attr=value,...} in type order; unknown types as attrN=hex:... */
static void print_raw(FILE *out, const char *name, const struct nlattr *data)
{
	const struct nlattr *attrs[RAW_ATTRS_MAX], *pos;
	const struct raw_attr *desc = NULL;
	unsigned int i, n = 0;
	uint16_t type, max = 0;

	for (i = 0; i < sizeof(raw_exprs) / sizeof(raw_exprs[0]); i++) {
		if (!strcmp(raw_exprs[i].name, name)) {
			desc = raw_exprs[i].attrs;
			max = raw_exprs[i].max;
		}
	}
	if (data) {
		mnl_attr_for_each_nested(pos, data) {
			if (n < RAW_ATTRS_MAX)
				attrs[n++] = pos;
		}
	}
	/* A stable order that does not depend on how the kernel dumps. */
	qsort(attrs, n, sizeof(attrs[0]), cmp_type);

	fprintf(out, "%s{", name);
	for (i = 0; i < n; i++) {
		type = mnl_attr_get_type(attrs[i]);
		fputs(i ? "," : "", out);
		if (!desc || !type || type > max) {
			fprintf(out, "attr%u=", type);
			print_hex(out, attrs[i]);
			continue;
		}
		fprintf(out, "%s=", desc[type].name);
		if (desc[type].kind >= RAW_POOL)
			print_list(out, attrs[i], desc[type].kind == RAW_POOL);
		else if (!print_scalar(out, attrs[i], desc[type].kind))
			print_hex(out, attrs[i]);
	}
	fputc('}', out);
}

static bool is_ours(const char *name)
{
	return !strcmp(name, NFT_LVS_EXPR_DISPATCH) ||
	       !strcmp(name, NFT_LVS_EXPR_SYNPROXY) ||
	       !strcmp(name, NFT_LVS_EXPR_FULLNAT);
}

/* The statement text; false if libnftlvs refuses the expression. */
static bool print_text(FILE *out, const struct nlattr *elem)
{
	struct nftlvs_expr *e = nftlvs_expr_parse(elem);
	char *buf;
	int len;

	if (!e)
		return false;
	len = nftlvs_expr_snprintf(NULL, 0, e, NFTLVS_OUTPUT_DEFAULT, 0);
	buf = malloc(len + 1);
	if (buf) {
		nftlvs_expr_snprintf(buf, len + 1, e, NFTLVS_OUTPUT_DEFAULT, 0);
		fputs(buf, out);
	}
	free(buf);
	nftlvs_expr_free(e);
	return buf != NULL;
}

/* One expression; false if it is ours and malformed. */
static bool print_expr(FILE *out, const struct nlattr *elem,
		       const struct print_opts *opts)
{
	const struct nlattr *tb[NFTA_EXPR_MAX + 1] = {};
	const struct nlattr *name;

	if (!nest_table(elem, tb, NFTA_EXPR_MAX) || !tb[NFTA_EXPR_NAME] ||
	    mnl_attr_validate(tb[NFTA_EXPR_NAME], MNL_TYPE_NUL_STRING) < 0) {
		fprintf(out, "[?]");
		return false;
	}
	name = tb[NFTA_EXPR_NAME];
	if (!is_ours(mnl_attr_get_str(name))) {
		fprintf(out, "[%s]", mnl_attr_get_str(name));
		return true;
	}
	if (opts->raw) {
		print_raw(out, mnl_attr_get_str(name), tb[NFTA_EXPR_DATA]);
		return true;
	}
	if (print_text(out, elem))
		return true;
	fprintf(out, "[%s:malformed]", mnl_attr_get_str(name));
	return false;
}

static int rule_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) <= NFTA_RULE_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static bool str_attr_is(const struct nlattr *attr, const char *s)
{
	return attr && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0 &&
	       !strcmp(mnl_attr_get_str(attr), s);
}

static const char *attr_str(const struct nlattr *attr)
{
	if (!attr || mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return "?";
	return mnl_attr_get_str(attr);
}

static void print_prefix(FILE *out, const struct nlmsghdr *nlh,
			 const struct nlattr **tb,
			 const struct print_opts *opts)
{
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const char *family = family_name(nfg->nfgen_family);

	if (opts->location) {
		if (family)
			fprintf(out, "%s ", family);
		else
			fprintf(out, "%u ", nfg->nfgen_family);
		fprintf(out, "%s %s: ", attr_str(tb[NFTA_RULE_TABLE]),
			attr_str(tb[NFTA_RULE_CHAIN]));
	}
	if (opts->handle && tb[NFTA_RULE_HANDLE] &&
	    mnl_attr_validate(tb[NFTA_RULE_HANDLE], MNL_TYPE_U64) == 0)
		fprintf(out, "handle %" PRIu64 ": ",
			be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE])));
}

int print_rule(FILE *out, const struct nlmsghdr *nlh,
	       const struct print_opts *opts)
{
	const struct nlattr *tb[NFTA_RULE_MAX + 1] = {};
	const struct nlattr *elem;
	const char *sep = "";
	int ret = 1;

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), rule_attr_cb,
			   tb) < 0)
		return -1;
	if ((opts->table && !str_attr_is(tb[NFTA_RULE_TABLE], opts->table)) ||
	    (opts->chain && !str_attr_is(tb[NFTA_RULE_CHAIN], opts->chain)))
		return 0;
	print_prefix(out, nlh, tb, opts);
	if (tb[NFTA_RULE_EXPRESSIONS]) {
		mnl_attr_for_each_nested(elem, tb[NFTA_RULE_EXPRESSIONS]) {
			fputs(sep, out);
			sep = " ";
			if (!print_expr(out, elem, opts))
				ret = -1;
		}
	}
	fputc('\n', out);
	return ret;
}
