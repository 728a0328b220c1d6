/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nftlvs-toa: what the BPF programs (toa.bpf.c) and the loader (nftlvs-toa.c)
 * share: the option layouts, the per-socket record, the trust keys and the
 * counters. Plain fixed-width types only, so both compilers agree on it.
 */
#ifndef NFTLVS_TOA_H
#define NFTLVS_TOA_H

#include <linux/types.h>

/* The load balancer's TCP option (kmod/core/tcpopt.h has the writer's side). */
#define TOA_KIND		254	/* {be16 port, be32 addr} or {be16 port, in6_addr} */
#define TOA_KIND6		253	/* {be16 port, in6_addr} (IPv6 client) */
#define TOA_LEN4		8
#define TOA_LEN6		20

/* Address families as the kernel numbers them (no libc in BPF programs). */
#define TOA_AF_INET		2
#define TOA_AF_INET6		10

/* What the sockops program keeps for a connection that carried a trusted TOA. */
struct toa_peer {
	__u8	family;		/* TOA_AF_INET or TOA_AF_INET6 */
	__u8	pad;
	__be16	port;
	__be32	addr[4];	/* addr[0] for TOA_AF_INET */
};

/* Keys of the trusted-prefix tries (BPF_MAP_TYPE_LPM_TRIE). */
struct toa_trust4 {
	__u32	prefixlen;
	__u8	addr[4];
};

struct toa_trust6 {
	__u32	prefixlen;
	__u8	addr[16];
};

/* Slots of the per-CPU counter array. */
enum toa_counter {
	TOA_SEEN,		/* completing segments that carried a TOA kind */
	TOA_USED,		/* ... trusted and well-formed: the socket got the address */
	TOA_UNTRUSTED,		/* ... well-formed, from a peer outside the trusted prefixes */
	TOA_MALFORMED,		/* ... bad length, truncated, repeated: ignored */
	TOA_V6_ON_V4,		/* used, but an IPv4 socket cannot show the IPv6 client */
	TOA_NOMEM,		/* trusted, but no socket storage could be had */
	TOA_NCOUNTERS
};

#endif
