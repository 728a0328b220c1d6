/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the iptables extensions FULLNAT and SYNPROXY-LB: their options,
 * the statements they build (with libnftlvs) into the target data, and how
 * a rule prints, saves and translates back to nft.
 */
#ifndef LVS_XT_H
#define LVS_XT_H

#include <stdbool.h>
#include <stdint.h>
#include <xtables.h>
#include <nft_lvs.h>

enum lvs_xt_opt {
	/* fullnat */
	O_TO, O_VIA, O_PORTS, O_SCHED, O_TIMEOUT,
	O_TOA, O_STRIP_TS, O_RST_ON_EXPIRE, O_TOA_KIND_253,
	/* synproxy-lb */
	O_MSS, O_WSCALE, O_SACK_PERM, O_TIMESTAMP, O_TTL, O_DEFER,
};

#define LVS_XT_FULLNAT_OPTS						\
	{ .name = "to", .id = O_TO, .type = XTTYPE_STRING,		\
	  .flags = XTOPT_MAND },					\
	{ .name = "via", .id = O_VIA, .type = XTTYPE_STRING,		\
	  .flags = XTOPT_MAND },					\
	{ .name = "ports", .id = O_PORTS, .type = XTTYPE_STRING },	\
	{ .name = "sched", .id = O_SCHED, .type = XTTYPE_STRING },	\
	{ .name = "timeout", .id = O_TIMEOUT, .type = XTTYPE_STRING },	\
	{ .name = "toa", .id = O_TOA, .type = XTTYPE_NONE },		\
	{ .name = "strip-timestamps", .id = O_STRIP_TS,			\
	  .type = XTTYPE_NONE },					\
	{ .name = "rst-on-expire", .id = O_RST_ON_EXPIRE,		\
	  .type = XTTYPE_NONE },					\
	{ .name = "toa-kind-253", .id = O_TOA_KIND_253,			\
	  .type = XTTYPE_NONE }

/*
 * What the options of one rule said, until the final check builds it.
 * libxtables zeroes it for each rule; which fields were given is in the
 * option call's xflags (one bit per enum lvs_xt_opt).
 */
struct lvs_xt_rule {
	char		*to;
	char		*via;
	uint16_t	port_min, port_max;
	int		sched;
	uint32_t	timeout;	/* seconds */
	uint16_t	mss;
	int		wscale;
	int		ttl;
};

void lvs_xt_parse(struct xt_option_call *cb);
void lvs_xt_fcheck(struct xt_fcheck_call *cb);
void lvs_xt_fullnat_help(void);
void lvs_xt_print(const void *ip, const struct xt_entry_target *target,
		  int numeric);
void lvs_xt_save(const void *ip, const struct xt_entry_target *target);
int lvs_xt_xlate(struct xt_xlate *xl, const struct xt_xlate_tg_params *params);

#endif
