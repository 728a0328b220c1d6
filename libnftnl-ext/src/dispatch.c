// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lb-dispatch: the fast path for packets of known connections. It has no
 * attributes yet; uapi reserves the enum for later ones.
 */
#include <nft_lvs.h>

#include "internal.h"

static void dispatch_output(struct out *o,
			    UNUSED const struct nftlvs_expr *e,
			    UNUSED uint32_t flags)
{
	out_printf(o, "%s", NFT_LVS_EXPR_DISPATCH);
}

static void dispatch_output_json(struct out *o,
				 UNUSED const struct nftlvs_expr *e,
				 UNUSED uint32_t flags)
{
	out_printf(o, "{\"%s\": null}", NFT_LVS_EXPR_DISPATCH);
}

const struct expr_ops expr_ops_dispatch = {
	.name		= NFT_LVS_EXPR_DISPATCH,
	.alloc_len	= 0,
	.nattrs		= NFTA_LB_DISPATCH_MAX,
	.output		= dispatch_output,
	.output_json	= dispatch_output_json,
};
