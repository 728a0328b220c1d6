/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Expressions both libnftlvs tests build (test_libnftlvs_api.c, test_libnftlvs_print.c). */
#ifndef LIBNFTLVS_FIXTURE_H
#define LIBNFTLVS_FIXTURE_H

#include "harness.h"

#include <linux/netfilter.h>

/* A set instead of either list, or of both. */
static struct nftlvs_expr *fullnat_sets(const char *pool, const char *laddrs)
{
	struct nftlvs_expr *e = nftlvs_expr_alloc(NFT_LVS_EXPR_FULLNAT);

	nftlvs_expr_set_u32(e, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV4);
	if (pool)
		nftlvs_expr_set_str(e, NFTLVS_FULLNAT_POOL_SET, pool);
	else
		add_rs(e, "10.1.0.1", 80, 1);
	if (laddrs)
		nftlvs_expr_set_str(e, NFTLVS_FULLNAT_LADDRS_SET, laddrs);
	else
		add_laddr(e, "10.1.0.254");
	return e;
}

#endif
