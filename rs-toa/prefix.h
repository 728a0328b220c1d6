/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NFTLVS_TOA_PREFIX_H
#define NFTLVS_TOA_PREFIX_H

#include <stddef.h>
#include "toa.h"

struct toa_prefix {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned int	len;
	__u8		addr[16];	/* host bits cleared */
};

/*
 * "10.1.0.0/24", "2001:db8:1::/64", or an address alone (one host).
 * ::ffff:a.b.c.d/96+n is taken as a.b.c.d/n. Returns 0, or -1 if invalid.
 */
int prefix_parse(const char *text, struct toa_prefix *p);
void prefix_format(const struct toa_prefix *p, char *buf, size_t size);

void prefix_to_key4(const struct toa_prefix *p, struct toa_trust4 *k);
void prefix_to_key6(const struct toa_prefix *p, struct toa_trust6 *k);
void prefix_from_key4(const struct toa_trust4 *k, struct toa_prefix *p);
void prefix_from_key6(const struct toa_trust6 *k, struct toa_prefix *p);

#endif
