// SPDX-License-Identifier: GPL-2.0
/*
 * nft_lvs: FULLNAT load balancing and SYNPROXY for nf_tables.
 * Module entry: per-namespace state, then the expression types, the
 * iptables targets and the netdev flowtable type.
 */
#include <linux/module.h>
#include "nft_lvs.h"

static struct nft_expr_type *const lvs_types[] = {
	nft_lb_dispatch_types,
	nft_synproxy_lb_types,
	nft_fullnat_types,
};

#define LVS_NR_TYPES	(ARRAY_SIZE(lvs_types) * LVS_NFAMILIES)

static struct nft_expr_type *lvs_type(unsigned int i)
{
	return &lvs_types[i / LVS_NFAMILIES][i % LVS_NFAMILIES];
}

static int __init nft_lvs_module_init(void)
{
	unsigned int i;
	int err;

	err = lvs_conn_kmem_init();
	if (err < 0)
		return err;
	err = lvs_net_init();
	if (err < 0)
		goto err_kmem;

	for (i = 0; i < LVS_NR_TYPES; i++) {
		err = nft_register_expr(lvs_type(i));
		if (err < 0)
			goto err_unregister;
	}
	err = nft_register_expr(&nft_lb_dispatch_netdev_type);
	if (err < 0)
		goto err_unregister;
	err = lvs_xt_init();
	if (err < 0)
		goto err_netdev;
	nft_register_flowtable_type(&lvs_flowtable_type);
	return 0;

err_netdev:
	nft_unregister_expr(&nft_lb_dispatch_netdev_type);
err_unregister:
	while (i-- > 0)
		nft_unregister_expr(lvs_type(i));
	lvs_net_exit();
err_kmem:
	lvs_conn_kmem_exit();
	return err;
}

static void __exit nft_lvs_module_exit(void)
{
	unsigned int i = LVS_NR_TYPES;

	nft_unregister_flowtable_type(&lvs_flowtable_type);
	lvs_xt_exit();
	nft_unregister_expr(&nft_lb_dispatch_netdev_type);
	while (i-- > 0)
		nft_unregister_expr(lvs_type(i));
	lvs_net_exit();
	/* Connection and service frees are RCU callbacks in this module. */
	rcu_barrier();
	lvs_conn_kmem_exit();
	/* No rule can hold a service any more: anything left is a leak. */
	WARN(lvs_service_leaks(), "nft_lvs: %d services leaked\n",
	     lvs_service_leaks());
}

module_init(nft_lvs_module_init);
module_exit(nft_lvs_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nftables FULLNAT load balancing and SYNPROXY (lb-dispatch, synproxy-lb, fullnat; iptables LB-DISPATCH, SYNPROXY-LB, FULLNAT)");
