// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iptables LB-DISPATCH: the "lb-dispatch" statement, the fast path of the
 * packets of existing connections (both directions, ICMP errors too).
 */
#include <stdio.h>
#include <xtables.h>

static void lb_dispatch_help(void)
{
	printf("LB-DISPATCH takes no options (raw table, PREROUTING or OUTPUT).\n");
}

static int lb_dispatch_xlate(struct xt_xlate *xl,
			     const struct xt_xlate_tg_params *params)
{
	xt_xlate_add(xl, "lb-dispatch");
	return 1;
}

static struct xtables_target lb_dispatch_target = {
	.version	= XTABLES_VERSION,
	.name		= "LB-DISPATCH",
	.revision	= 0,
	.family		= NFPROTO_UNSPEC,
	.size		= XT_ALIGN(0),
	.userspacesize	= 0,
	.help		= lb_dispatch_help,
	.xlate		= lb_dispatch_xlate,
};

static void __attribute__((constructor)) lvs_xt_register(void)
{
	xtables_register_target(&lb_dispatch_target);
}
