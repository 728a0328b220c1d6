// SPDX-License-Identifier: GPL-2.0-or-later
/* iptables FULLNAT: the "fullnat" statement as an iptables target. */
#include <stdio.h>
#include "lvs_xt.h"

static const struct xt_option_entry fullnat_opts[] = {
	LVS_XT_FULLNAT_OPTS,
	XTOPT_TABLEEND,
};

static void fullnat_help(void)
{
	printf("FULLNAT target options (raw table, PREROUTING or OUTPUT):\n");
	lvs_xt_fullnat_help();
}

static struct xtables_target fullnat_target = {
	.version	= XTABLES_VERSION,
	.name		= "FULLNAT",
	.revision	= 0,
	.family		= NFPROTO_UNSPEC,
	.size		= XT_ALIGN(sizeof(struct xt_lvs_tginfo)),
	.userspacesize	= offsetof(struct xt_lvs_tginfo, priv),
	.help		= fullnat_help,
	.x6_parse	= lvs_xt_parse,
	.x6_fcheck	= lvs_xt_fcheck,
	.x6_options	= fullnat_opts,
	.print		= lvs_xt_print,
	.save		= lvs_xt_save,
	.xlate		= lvs_xt_xlate,
	.udata_size	= sizeof(struct lvs_xt_rule),
};

static void __attribute__((constructor)) lvs_xt_register(void)
{
	xtables_register_target(&fullnat_target);
}
