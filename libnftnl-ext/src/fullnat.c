// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fullnat: opens a connection for a new flow to a virtual service.
 *
 *	fullnat to POOL via LADDRS [ports LO-HI] [sched SCHED]
 *		[timeout TIME] [flags FLAG[,FLAG...]]
 *
 * POOL and LADDRS are lists, or @NAME: a set of the rule's table (the
 * POOL_SET and LADDRS_SET strings) that the kernel reads and follows.
 * The lists live in pool.c; this file has the scalars, the checks of a
 * parsed expression and the output.
 */
#include <errno.h>
#include <string.h>
#include <linux/netfilter.h>
#include <nft_lvs.h>

#include "fullnat.h"

_Static_assert(NFTLVS_FULLNAT_LADDRS_SET - NFTLVS_FULLNAT_FAMILY + 1 ==
	       NFTA_FULLNAT_MAX, "attribute ids follow the uapi enum");

#define FN_IDX(attr)	((attr) - NFTLVS_FULLNAT_FAMILY)

static const uint8_t fullnat_attr_len[] = {
	[FN_IDX(NFTLVS_FULLNAT_FAMILY)]		= 4,
	[FN_IDX(NFTLVS_FULLNAT_POOL)]		= 0,
	[FN_IDX(NFTLVS_FULLNAT_LADDRS)]		= 0,
	[FN_IDX(NFTLVS_FULLNAT_PORT_MIN)]	= 2,
	[FN_IDX(NFTLVS_FULLNAT_PORT_MAX)]	= 2,
	[FN_IDX(NFTLVS_FULLNAT_SCHED)]		= 4,
	[FN_IDX(NFTLVS_FULLNAT_TIMEOUT)]	= 4,
	[FN_IDX(NFTLVS_FULLNAT_FLAGS)]		= 4,
	[FN_IDX(NFTLVS_FULLNAT_POOL_SET)]	= ATTR_STRING,
	[FN_IDX(NFTLVS_FULLNAT_LADDRS_SET)]	= ATTR_STRING,
};

static const char *const fullnat_flag_names[] = {
	"toa", "strip-timestamps", "rst-on-expire", "toa-kind-253",
};

static const char *const sched_names[] = {
	[NFT_LVS_SCHED_RR]	= "rr",
	[NFT_LVS_SCHED_WRR]	= "wrr",
	[NFT_LVS_SCHED_LC]	= "lc",
	[NFT_LVS_SCHED_WLC]	= "wlc",
	[NFT_LVS_SCHED_SH]	= "sh",
	[NFT_LVS_SCHED_MH]	= "mh",
};
_Static_assert(ARRAY_SIZE(sched_names) == __NFT_LVS_SCHED_MAX,
	       "a name for every scheduler");

EXPORT_SYMBOL(nftlvs_sched_lookup);
int nftlvs_sched_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; name && i < ARRAY_SIZE(sched_names); i++) {
		if (!strcmp(sched_names[i], name))
			return i;
	}
	return -1;
}

EXPORT_SYMBOL(nftlvs_sched_name);
const char *nftlvs_sched_name(uint32_t sched)
{
	return sched < ARRAY_SIZE(sched_names) ? sched_names[sched] : NULL;
}

static void *fullnat_field(const struct nftlvs_expr *e, uint16_t attr)
{
	struct nftlvs_expr_fullnat *fn = nftlvs_expr_data(e);

	switch (attr) {
	case NFTLVS_FULLNAT_FAMILY:
		return &fn->family;
	case NFTLVS_FULLNAT_PORT_MIN:
		return &fn->port_min;
	case NFTLVS_FULLNAT_PORT_MAX:
		return &fn->port_max;
	case NFTLVS_FULLNAT_SCHED:
		return &fn->sched;
	case NFTLVS_FULLNAT_TIMEOUT:
		return &fn->timeout;
	case NFTLVS_FULLNAT_FLAGS:
		return &fn->flags;
	case NFTLVS_FULLNAT_POOL_SET:
		return &fn->pool_set;
	case NFTLVS_FULLNAT_LADDRS_SET:
		return &fn->laddrs_set;
	}
	return NULL;
}

/* A port attribute, or its default when absent. */
static uint16_t fullnat_port(const struct nftlvs_expr *e, uint16_t attr,
			     uint16_t def)
{
	return expr_attr_set(e, attr) ? expr_scalar(e, attr) : def;
}

/*
 * Every address is as long as the family says; without a family attribute
 * (allowed here, the table may imply it) as long as the first one. Sets
 * hold no addresses here: the kernel checks their type.
 */
static bool fullnat_families_ok(const struct nftlvs_expr_fullnat *fn,
				bool family_set)
{
	size_t len = fn->npool ? fn->pool[0].addr_len :
		     fn->nladdrs ? fn->laddrs[0].len : 0;
	unsigned int i;

	if (family_set) {
		if (fn->family != NFPROTO_IPV4 && fn->family != NFPROTO_IPV6)
			return false;
		len = fn->family == NFPROTO_IPV4 ? 4 : 16;
	}
	for (i = 0; i < fn->npool; i++) {
		if (fn->pool[i].addr_len != len)
			return false;
	}
	for (i = 0; i < fn->nladdrs; i++) {
		if (fn->laddrs[i].len != len)
			return false;
	}
	return true;
}

/* A list with entries, or a set, never both (an empty nest counts). */
static bool fullnat_list_or_set(const struct nftlvs_expr *e, uint16_t list,
				unsigned int n, uint16_t set)
{
	if (expr_attr_set(e, set))
		return !expr_attr_set(e, list);
	return n > 0;
}

/* The kernel's rules: what it accepts, it dumps back. */
static int fullnat_validate(const struct nftlvs_expr *e)
{
	struct nftlvs_expr_fullnat *fn = nftlvs_expr_data(e);
	uint16_t lo = fullnat_port(e, NFTLVS_FULLNAT_PORT_MIN,
				   NFT_FULLNAT_PORT_MIN_DEFAULT);
	uint16_t hi = fullnat_port(e, NFTLVS_FULLNAT_PORT_MAX,
				   NFT_FULLNAT_PORT_MAX_DEFAULT);

	if (!fullnat_list_or_set(e, NFTLVS_FULLNAT_POOL, fn->npool,
				 NFTLVS_FULLNAT_POOL_SET) ||
	    !fullnat_list_or_set(e, NFTLVS_FULLNAT_LADDRS, fn->nladdrs,
				 NFTLVS_FULLNAT_LADDRS_SET) ||
	    !fullnat_families_ok(fn, expr_attr_set(e, NFTLVS_FULLNAT_FAMILY)) ||
	    !lo || !hi || lo > hi ||
	    fn->sched > NFT_LVS_SCHED_MAX ||
	    (expr_attr_set(e, NFTLVS_FULLNAT_TIMEOUT) &&
	     (!fn->timeout || fn->timeout > NFT_FULLNAT_TIMEOUT_MAX)) ||
	    (fn->flags & ~NFT_FULLNAT_F_MASK)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static void fullnat_free(struct nftlvs_expr *e)
{
	fullnat_free_lists(e);
}

/* The port range, if it is not the default one. */
static bool fullnat_ports(const struct nftlvs_expr *e, uint16_t *lo,
			  uint16_t *hi)
{
	*lo = fullnat_port(e, NFTLVS_FULLNAT_PORT_MIN,
			   NFT_FULLNAT_PORT_MIN_DEFAULT);
	*hi = fullnat_port(e, NFTLVS_FULLNAT_PORT_MAX,
			   NFT_FULLNAT_PORT_MAX_DEFAULT);
	return *lo != NFT_FULLNAT_PORT_MIN_DEFAULT ||
	       *hi != NFT_FULLNAT_PORT_MAX_DEFAULT;
}

static bool fullnat_sched_shown(const struct nftlvs_expr *e)
{
	return expr_attr_set(e, NFTLVS_FULLNAT_SCHED) &&
	       expr_scalar(e, NFTLVS_FULLNAT_SCHED) != NFT_LVS_SCHED_DEFAULT;
}

static bool rs_weight_shown(const struct lvs_rs *r)
{
	return r->present & NFTLVS_RS_WEIGHT &&
	       r->weight != NFT_LVS_WEIGHT_DEFAULT;
}

static void rs_output(struct out *o, const struct lvs_rs *r)
{
	bool port = r->present & NFTLVS_RS_PORT;

	if (r->present & NFTLVS_RS_ADDR)
		out_addr(o, r->addr, r->addr_len, port);
	if (port)
		out_printf(o, ":%u", r->port);
	if (rs_weight_shown(r))
		out_printf(o, " weight %u", r->weight);
}

/*
 * A set as nft refers to one, @NAME. The list is shown too if it is
 * there (only a built expression can hold both: shown, never loadable).
 */
static bool fullnat_output_set(struct out *o, const struct nftlvs_expr *e,
			       uint16_t set, uint16_t list)
{
	if (!expr_attr_set(e, set))
		return true;
	out_printf(o, " @%s", nftlvs_expr_get_str(e, set));
	return expr_attr_set(e, list);
}

static void fullnat_output_lists(struct out *o, const struct nftlvs_expr *e)
{
	struct nftlvs_expr_fullnat *fn = nftlvs_expr_data(e);
	unsigned int i;

	out_printf(o, " to");
	if (fullnat_output_set(o, e, NFTLVS_FULLNAT_POOL_SET,
			       NFTLVS_FULLNAT_POOL)) {
		out_printf(o, " {");
		for (i = 0; i < fn->npool; i++) {
			out_printf(o, i ? ", " : " ");
			rs_output(o, &fn->pool[i]);
		}
		out_printf(o, " }");
	}
	out_printf(o, " via");
	if (fullnat_output_set(o, e, NFTLVS_FULLNAT_LADDRS_SET,
			       NFTLVS_FULLNAT_LADDRS)) {
		out_printf(o, " {");
		for (i = 0; i < fn->nladdrs; i++) {
			out_printf(o, i ? ", " : " ");
			out_addr(o, fn->laddrs[i].addr, fn->laddrs[i].len,
				 false);
		}
		out_printf(o, " }");
	}
}

static void fullnat_output(struct out *o, const struct nftlvs_expr *e,
			   uint32_t flags)
{
	struct nftlvs_expr_fullnat *fn = nftlvs_expr_data(e);
	const char *sched;
	uint16_t lo, hi;

	out_printf(o, "%s", NFT_LVS_EXPR_FULLNAT);
	fullnat_output_lists(o, e);
	if (fullnat_ports(e, &lo, &hi))
		out_printf(o, " ports %u-%u", lo, hi);
	if (fullnat_sched_shown(e)) {
		sched = nftlvs_sched_name(fn->sched);
		if (sched)
			out_printf(o, " sched %s", sched);
		else
			out_printf(o, " sched %u", fn->sched);
	}
	if (expr_attr_set(e, NFTLVS_FULLNAT_TIMEOUT)) {
		out_printf(o, " timeout ");
		out_time(o, fn->timeout, flags);
	}
	if (fn->flags) {
		out_printf(o, " flags ");
		out_flags(o, fullnat_flag_names, ARRAY_SIZE(fullnat_flag_names),
			  fn->flags, ",", false);
	}
}

static void rs_output_json(struct out *o, const struct lvs_rs *r)
{
	out_printf(o, "{\"addr\": \"");
	if (r->present & NFTLVS_RS_ADDR)
		out_addr(o, r->addr, r->addr_len, false);
	out_printf(o, "\"");
	if (r->present & NFTLVS_RS_PORT)
		out_printf(o, ", \"port\": %u", r->port);
	if (rs_weight_shown(r))
		out_printf(o, ", \"weight\": %u", r->weight);
	out_printf(o, "}");
}

/* "@NAME", as nft's JSON refers to a set; the list too, as in text. */
static bool fullnat_output_set_json(struct out *o, const struct nftlvs_expr *e,
				    const char *key, uint16_t set,
				    uint16_t list)
{
	if (!expr_attr_set(e, set))
		return true;
	out_printf(o, "\"%s\": \"@", key);
	out_json_escaped(o, nftlvs_expr_get_str(e, set));
	out_printf(o, "\"");
	if (!expr_attr_set(e, list))
		return false;
	out_printf(o, ", ");
	return true;
}

static void fullnat_output_lists_json(struct out *o,
				      const struct nftlvs_expr *e)
{
	struct nftlvs_expr_fullnat *fn = nftlvs_expr_data(e);
	unsigned int i;

	if (fullnat_output_set_json(o, e, "to", NFTLVS_FULLNAT_POOL_SET,
				    NFTLVS_FULLNAT_POOL)) {
		out_printf(o, "\"to\": [");
		for (i = 0; i < fn->npool; i++) {
			out_printf(o, i ? ", " : "");
			rs_output_json(o, &fn->pool[i]);
		}
		out_printf(o, "]");
	}
	out_printf(o, ", ");
	if (fullnat_output_set_json(o, e, "via", NFTLVS_FULLNAT_LADDRS_SET,
				    NFTLVS_FULLNAT_LADDRS)) {
		out_printf(o, "\"via\": [");
		for (i = 0; i < fn->nladdrs; i++) {
			out_printf(o, i ? ", \"" : "\"");
			out_addr(o, fn->laddrs[i].addr, fn->laddrs[i].len,
				 false);
			out_printf(o, "\"");
		}
		out_printf(o, "]");
	}
}

/*
 * Like nft's JSON: ports as a range expression, times in seconds, flags
 * always an array (also for one flag, so consumers need one code path).
 */
static void fullnat_output_json(struct out *o, const struct nftlvs_expr *e,
				UNUSED uint32_t flags)
{
	struct nftlvs_expr_fullnat *fn = nftlvs_expr_data(e);
	const char *sched;
	uint16_t lo, hi;

	out_printf(o, "{\"%s\": {", NFT_LVS_EXPR_FULLNAT);
	fullnat_output_lists_json(o, e);
	if (fullnat_ports(e, &lo, &hi))
		out_printf(o, ", \"ports\": {\"range\": [%u, %u]}", lo, hi);
	if (fullnat_sched_shown(e)) {
		sched = nftlvs_sched_name(fn->sched);
		if (sched)
			out_printf(o, ", \"sched\": \"%s\"", sched);
		else
			out_printf(o, ", \"sched\": %u", fn->sched);
	}
	if (expr_attr_set(e, NFTLVS_FULLNAT_TIMEOUT))
		out_printf(o, ", \"timeout\": %u", fn->timeout);
	if (fn->flags) {
		out_printf(o, ", \"flags\": [");
		out_flags(o, fullnat_flag_names, ARRAY_SIZE(fullnat_flag_names),
			  fn->flags, NULL, true);
		out_printf(o, "]");
	}
	out_printf(o, "}}");
}

const struct expr_ops expr_ops_fullnat = {
	.name		= NFT_LVS_EXPR_FULLNAT,
	.alloc_len	= sizeof(struct nftlvs_expr_fullnat),
	.attr_first	= NFTLVS_FULLNAT_FAMILY,
	.nattrs		= NFTA_FULLNAT_MAX,
	.attr_len	= fullnat_attr_len,
	.flag_names	= fullnat_flag_names,
	.nflags		= ARRAY_SIZE(fullnat_flag_names),
	.field		= fullnat_field,
	.free		= fullnat_free,
	.list_len	= fullnat_list_len,
	.build_list	= fullnat_build_list,
	.parse_list	= fullnat_parse_list,
	.cmp_lists	= fullnat_cmp_lists,
	.validate	= fullnat_validate,
	.output		= fullnat_output,
	.output_json	= fullnat_output_json,
};
