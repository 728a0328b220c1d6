// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iptables SYNPROXY-LB: "synproxy-lb ... fullnat ..." in one target, since
 * an iptables rule has one: SYN cookies first, then the fullnat options.
 */
#include <stdio.h>
#include "lvs_xt.h"

static const struct xt_option_entry synproxy_lb_opts[] = {
	{ .name = "mss", .id = O_MSS, .type = XTTYPE_STRING },
	{ .name = "wscale", .id = O_WSCALE, .type = XTTYPE_STRING },
	{ .name = "sack-perm", .id = O_SACK_PERM, .type = XTTYPE_NONE },
	{ .name = "timestamp", .id = O_TIMESTAMP, .type = XTTYPE_NONE },
	{ .name = "ttl", .id = O_TTL, .type = XTTYPE_STRING },
	{ .name = "defer", .id = O_DEFER, .type = XTTYPE_NONE },
	LVS_XT_FULLNAT_OPTS,
	XTOPT_TABLEEND,
};

static void synproxy_lb_help(void)
{
	printf(
"SYNPROXY-LB target options (raw table, PREROUTING or OUTPUT):\n"
"  --mss N                MSS of the cookie SYN-ACK (536..65495, default 1452;\n"
"                         IPv6 clients hear 20 less)\n"
"  --wscale N             window scale offered (0..14, default 0)\n"
"  --sack-perm            offer SACK\n"
"  --timestamp            offer timestamps\n"
"  --ttl N                TTL / hop limit of the SYN-ACK (default 63)\n"
"  --defer                reach the server only once the client sends data\n"
"and the FULLNAT options:\n");
	lvs_xt_fullnat_help();
}

static struct xtables_target synproxy_lb_target = {
	.version	= XTABLES_VERSION,
	.name		= "SYNPROXY-LB",
	.revision	= 0,
	.family		= NFPROTO_UNSPEC,
	.size		= XT_ALIGN(sizeof(struct xt_lvs_tginfo)),
	.userspacesize	= offsetof(struct xt_lvs_tginfo, priv),
	.help		= synproxy_lb_help,
	.x6_parse	= lvs_xt_parse,
	.x6_fcheck	= lvs_xt_fcheck,
	.x6_options	= synproxy_lb_opts,
	.print		= lvs_xt_print,
	.save		= lvs_xt_save,
	.xlate		= lvs_xt_xlate,
	.udata_size	= sizeof(struct lvs_xt_rule),
};

static void __attribute__((constructor)) lvs_xt_register(void)
{
	xtables_register_target(&synproxy_lb_target);
}
