// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * synproxy-lb: the SYN-cookie front of a virtual service.
 *
 *	synproxy-lb [mss N] [wscale N] [sack-perm] [timestamp] [ttl N] [defer]
 */
#include <errno.h>
#include <nft_lvs.h>

#include "internal.h"

struct nftlvs_expr_synproxy_lb {
	uint16_t	mss;
	uint8_t		wscale;
	uint8_t		ttl;
	uint32_t	flags;
};

_Static_assert(NFTLVS_SYNPROXY_LB_FLAGS - NFTLVS_SYNPROXY_LB_MSS + 1 ==
	       NFTA_SYNPROXY_LB_MAX, "attribute ids follow the uapi enum");

static const uint8_t synproxy_lb_attr_len[] = {
	[NFTLVS_SYNPROXY_LB_MSS - NFTLVS_SYNPROXY_LB_MSS]	= 2,
	[NFTLVS_SYNPROXY_LB_WSCALE - NFTLVS_SYNPROXY_LB_MSS]	= 1,
	[NFTLVS_SYNPROXY_LB_TTL - NFTLVS_SYNPROXY_LB_MSS]	= 1,
	[NFTLVS_SYNPROXY_LB_FLAGS - NFTLVS_SYNPROXY_LB_MSS]	= 4,
};

static const char *const synproxy_lb_flag_names[] = {
	"sack-perm", "timestamp", "defer",
};

static void *synproxy_lb_field(const struct nftlvs_expr *e, uint16_t attr)
{
	struct nftlvs_expr_synproxy_lb *sp = nftlvs_expr_data(e);

	switch (attr) {
	case NFTLVS_SYNPROXY_LB_MSS:
		return &sp->mss;
	case NFTLVS_SYNPROXY_LB_WSCALE:
		return &sp->wscale;
	case NFTLVS_SYNPROXY_LB_TTL:
		return &sp->ttl;
	case NFTLVS_SYNPROXY_LB_FLAGS:
		return &sp->flags;
	}
	return NULL;
}

/* The kernel's limits: what it accepts, it dumps back. */
static int synproxy_lb_validate(const struct nftlvs_expr *e)
{
	struct nftlvs_expr_synproxy_lb *sp = nftlvs_expr_data(e);

	if ((expr_attr_set(e, NFTLVS_SYNPROXY_LB_MSS) &&
	     (sp->mss < NFT_SYNPROXY_LB_MSS_MIN ||
	      sp->mss > NFT_SYNPROXY_LB_MSS_MAX)) ||
	    (expr_attr_set(e, NFTLVS_SYNPROXY_LB_WSCALE) &&
	     sp->wscale > NFT_SYNPROXY_LB_WSCALE_MAX) ||
	    (expr_attr_set(e, NFTLVS_SYNPROXY_LB_TTL) && !sp->ttl) ||
	    (sp->flags & ~NFT_SYNPROXY_LB_F_MASK)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* An attribute worth printing: set, and not the kernel's default. */
static bool synproxy_lb_shown(const struct nftlvs_expr *e, uint16_t attr,
			      uint32_t def)
{
	return expr_attr_set(e, attr) && expr_scalar(e, attr) != def;
}

static void synproxy_lb_output(struct out *o, const struct nftlvs_expr *e,
			       UNUSED uint32_t flags)
{
	struct nftlvs_expr_synproxy_lb *sp = nftlvs_expr_data(e);
	uint32_t f = expr_scalar(e, NFTLVS_SYNPROXY_LB_FLAGS);

	out_printf(o, "%s", NFT_LVS_EXPR_SYNPROXY);
	if (synproxy_lb_shown(e, NFTLVS_SYNPROXY_LB_MSS,
			      NFT_SYNPROXY_LB_MSS_DEFAULT))
		out_printf(o, " mss %u", sp->mss);
	if (synproxy_lb_shown(e, NFTLVS_SYNPROXY_LB_WSCALE,
			      NFT_SYNPROXY_LB_WSCALE_DEFAULT))
		out_printf(o, " wscale %u", sp->wscale);
	if (f & NFT_SYNPROXY_LB_F_SACK_PERM)
		out_printf(o, " sack-perm");
	if (f & NFT_SYNPROXY_LB_F_TIMESTAMP)
		out_printf(o, " timestamp");
	if (synproxy_lb_shown(e, NFTLVS_SYNPROXY_LB_TTL,
			      NFT_SYNPROXY_LB_TTL_DEFAULT))
		out_printf(o, " ttl %u", sp->ttl);
	if (f & NFT_SYNPROXY_LB_F_DEFER)
		out_printf(o, " defer");
	/* Bits without a keyword come only from the API; do not hide them. */
	if (f & ~NFT_SYNPROXY_LB_F_MASK)
		out_printf(o, " flags 0x%x", f & ~NFT_SYNPROXY_LB_F_MASK);
}

static void synproxy_lb_output_json(struct out *o, const struct nftlvs_expr *e,
				    UNUSED uint32_t flags)
{
	struct nftlvs_expr_synproxy_lb *sp = nftlvs_expr_data(e);
	uint32_t f = expr_scalar(e, NFTLVS_SYNPROXY_LB_FLAGS);
	bool opened = false;

	out_printf(o, "{\"%s\": ", NFT_LVS_EXPR_SYNPROXY);
	if (synproxy_lb_shown(e, NFTLVS_SYNPROXY_LB_MSS,
			      NFT_SYNPROXY_LB_MSS_DEFAULT)) {
		out_json_key(o, &opened, "mss");
		out_printf(o, "%u", sp->mss);
	}
	if (synproxy_lb_shown(e, NFTLVS_SYNPROXY_LB_WSCALE,
			      NFT_SYNPROXY_LB_WSCALE_DEFAULT)) {
		out_json_key(o, &opened, "wscale");
		out_printf(o, "%u", sp->wscale);
	}
	if (synproxy_lb_shown(e, NFTLVS_SYNPROXY_LB_TTL,
			      NFT_SYNPROXY_LB_TTL_DEFAULT)) {
		out_json_key(o, &opened, "ttl");
		out_printf(o, "%u", sp->ttl);
	}
	if (f) {
		out_json_key(o, &opened, "flags");
		out_printf(o, "[");
		out_flags(o, synproxy_lb_flag_names,
			  ARRAY_SIZE(synproxy_lb_flag_names), f, NULL, true);
		out_printf(o, "]");
	}
	out_json_end(o, opened);
	out_printf(o, "}");
}

const struct expr_ops expr_ops_synproxy_lb = {
	.name		= NFT_LVS_EXPR_SYNPROXY,
	.alloc_len	= sizeof(struct nftlvs_expr_synproxy_lb),
	.attr_first	= NFTLVS_SYNPROXY_LB_MSS,
	.nattrs		= NFTA_SYNPROXY_LB_MAX,
	.attr_len	= synproxy_lb_attr_len,
	.flag_names	= synproxy_lb_flag_names,
	.nflags		= ARRAY_SIZE(synproxy_lb_flag_names),
	.field		= synproxy_lb_field,
	.validate	= synproxy_lb_validate,
	.output		= synproxy_lb_output,
	.output_json	= synproxy_lb_output_json,
};
