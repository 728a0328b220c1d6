/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-packet part of the connection table (conn.c has the rest): the
 * key's hash and compare, the lookup, and a connection's timeout. Inline,
 * so that every packet's lookup has its hash and compare without calls.
 * Included at the end of nft_lvs.h, after the types it needs.
 */
#ifndef _NFT_LVS_CONN_H
#define _NFT_LVS_CONN_H

#include <linux/jhash.h>
#include <linux/rhashtable.h>

/*
 * Every packet hashes and compares a tuple once. The key is 38 bytes
 * (IPv6-sized addresses, zero past an IPv4 address): the generic jhash over
 * all of it takes three rounds and memcmp walks it a byte at a time. Hash
 * what varies instead (an IPv4 tuple is three words) and compare field by
 * field. The family and protocol go into the seed, so that an IPv4 and an
 * IPv6 tuple of the same words differ.
 */
static __always_inline u32 lvs_tuple_hashfn(const void *data, u32 len, u32 seed)
{
	const struct lvs_tuple *t = data;
	u32 ports = (u32)(__force u16)t->sport << 16 | (__force u16)t->dport;

	seed ^= (u32)t->family << 8 | t->proto;
	if (t->family == NFPROTO_IPV4)
		return jhash_3words((__force u32)t->src.ip, (__force u32)t->dst.ip,
				    ports, seed);
	return jhash_1word(ports, jhash2((const u32 *)t->src.all, 8, seed));
}
/* lvs_tuple_hashfn hashes src and dst as one run of eight words. */
static_assert(offsetof(struct lvs_tuple, dst) ==
	      offsetof(struct lvs_tuple, src) + sizeof(union nf_inet_addr));

static __always_inline int lvs_tuple_cmpfn(struct rhashtable_compare_arg *arg,
					   const void *obj)
{
	const struct lvs_tuple *a = arg->key;
	const struct lvs_tuple *b = &((const struct lvs_conn_hnode *)obj)->t;

	return a->sport != b->sport || a->dport != b->dport ||
	       a->proto != b->proto || a->family != b->family ||
	       !nf_inet_addr_cmp(&a->src, &b->src) ||
	       !nf_inet_addr_cmp(&a->dst, &b->dst);
}

static const struct rhashtable_params lvs_conn_params = {
	.head_offset		= offsetof(struct lvs_conn_hnode, node),
	.key_offset		= offsetof(struct lvs_conn_hnode, t),
	.key_len		= LVS_TUPLE_KEY_LEN,
	.hashfn			= lvs_tuple_hashfn,
	.obj_cmpfn		= lvs_tuple_cmpfn,
	.min_size		= 256,
	.automatic_shrinking	= true,
};

/* The connection key @t belongs to, or NULL; under the RCU read lock. */
static __always_inline struct lvs_conn_hnode *
lvs_conn_lookup(struct lvs_net *ln, const struct lvs_tuple *t)
{
	return rhashtable_lookup(&ln->conn_tab, t, lvs_conn_params);
}

/* How long @cp lives without a packet in @state. */
static __always_inline unsigned long
lvs_conn_timeout(const struct lvs_conn *cp, u8 state)
{
	const struct lvs_service *svc = lvs_conn_svc(cp);
	const struct lvs_cfg *cfg = &svc->ln->cfg;
	unsigned int secs;

	if (cp->hn[0].t.proto == IPPROTO_UDP)
		secs = svc->timeout ?: READ_ONCE(cfg->udp_timeout);
	else if (state == LB_TCP_ESTABLISHED && svc->timeout)
		secs = svc->timeout;
	else
		secs = READ_ONCE(cfg->tcp_timeout[state]);
	return (unsigned long)secs * HZ;
}

/* A packet of @cp: its timeout starts over (see conn.c). */
static __always_inline void lvs_conn_touch(struct lvs_conn *cp)
{
	unsigned long expires = jiffies + lvs_conn_timeout(cp, cp->state);

	if (READ_ONCE(cp->expires) != expires)
		WRITE_ONCE(cp->expires, expires);
}

#endif /* _NFT_LVS_CONN_H */
