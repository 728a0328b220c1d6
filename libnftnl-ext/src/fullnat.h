/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef _NFTLVS_FULLNAT_H_
#define _NFTLVS_FULLNAT_H_

#include "internal.h"

/* A real server; addr is heap memory of addr_len bytes (or NULL). */
struct lvs_rs {
	uint8_t		*addr;
	uint16_t	addr_len;
	uint16_t	port;
	uint32_t	weight;
	uint32_t	present;	/* NFTLVS_RS_* */
};

struct lvs_laddr {
	uint8_t		*addr;
	uint16_t	len;
};

struct nftlvs_expr_fullnat {
	uint32_t		family;
	uint16_t		port_min;
	uint16_t		port_max;
	uint32_t		sched;
	uint32_t		timeout;
	uint32_t		flags;

	struct lvs_rs		*pool;
	unsigned int		npool;
	unsigned int		pool_cap;
	size_t			pool_bytes;	/* wire size of the entries */

	struct lvs_laddr	*laddrs;
	unsigned int		nladdrs;
	unsigned int		laddrs_cap;
	size_t			laddrs_bytes;

	/* Sets instead of the lists (freed with the expression). */
	struct expr_str		pool_set;
	struct expr_str		laddrs_set;
};

/* The two lists (pool.c). */
void fullnat_free_lists(struct nftlvs_expr *e);
size_t fullnat_list_len(const struct nftlvs_expr *e, uint16_t attr);
void fullnat_build_list(struct nlmsghdr *nlh, const struct nftlvs_expr *e,
			uint16_t attr);
int fullnat_parse_list(struct nftlvs_expr *e, uint16_t attr,
		       const struct nlattr *nest);
bool fullnat_cmp_lists(const struct nftlvs_expr *a,
		       const struct nftlvs_expr *b);

#endif /* _NFTLVS_FULLNAT_H_ */
