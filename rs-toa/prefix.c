// SPDX-License-Identifier: GPL-2.0
/*
 * nftlvs-toa: trusted prefixes, from text to the keys of the tries and back.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"

static void mask(__u8 *addr, unsigned int bytes, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		if (len >= 8)
			len -= 8;
		else {
			addr[i] &= (__u8)(0xff << (8 - len));
			len = 0;
		}
	}
}

static const __u8 v4mapped[12] = { [10] = 0xff, [11] = 0xff };

int prefix_parse(const char *text, struct toa_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len;
	__u8 a6[16];

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';

	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		p->len = 32;
	} else if (inet_pton(AF_INET6, buf, a6) == 1) {
		p->family = AF_INET6;
		p->len = 128;
		memcpy(p->addr, a6, 16);
	} else {
		return -1;
	}
	if (slash) {
		if (!*slash)
			return -1;
		len = strtoul(slash, &end, 10);
		if (*end || len > p->len)
			return -1;
		p->len = len;
	}
	/*
	 * The BPF side looks IPv4 peers of dual-stack sockets up as IPv4, so
	 * a v4-mapped prefix is the IPv4 prefix it stands for.
	 */
	if (p->family == AF_INET6 && p->len >= 96 && !memcmp(a6, v4mapped, 12)) {
		p->family = AF_INET;
		p->len -= 96;
		memcpy(p->addr, a6 + 12, 4);
		memset(p->addr + 4, 0, 12);
	}
	mask(p->addr, p->family == AF_INET ? 4 : 16, p->len);
	return 0;
}

void prefix_format(const struct toa_prefix *p, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, p->len);
}

void prefix_to_key4(const struct toa_prefix *p, struct toa_trust4 *k)
{
	k->prefixlen = p->len;
	memcpy(k->addr, p->addr, 4);
}

void prefix_to_key6(const struct toa_prefix *p, struct toa_trust6 *k)
{
	k->prefixlen = p->len;
	memcpy(k->addr, p->addr, 16);
}

void prefix_from_key4(const struct toa_trust4 *k, struct toa_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->len = k->prefixlen;
	memcpy(p->addr, k->addr, 4);
}

void prefix_from_key6(const struct toa_trust6 *k, struct toa_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET6;
	p->len = k->prefixlen;
	memcpy(p->addr, k->addr, 16);
}
