/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows about kernel API differences.
 *
 * Debian's 6.1.y carries 6.12-era nf_tables callback signatures from some
 * point release on, so LINUX_VERSION_CODE cannot tell which form a kernel
 * has. Instead we look at the type of the nft_expr_ops member and pick the
 * matching wrapper at compile time. Expression files write one plain
 * function and name it through LVS_DUMP_OP() / LVS_VALIDATE_OP().
 */
#ifndef _NFT_LVS_COMPAT_H
#define _NFT_LVS_COMPAT_H

#include <net/netfilter/nf_tables.h>

#define LVS_OPS_MEMBER_IS(member, type) \
	__builtin_types_compatible_p(typeof(((struct nft_expr_ops *)0)->member), type)

/* dump(skb, expr, bool reset): upstream 6.2, Debian 6.1.191+ */
typedef int (*lvs_dump_reset_t)(struct sk_buff *, const struct nft_expr *, bool);

#define LVS_DEFINE_DUMP(fn)						\
static int __maybe_unused fn##__reset(struct sk_buff *skb,		\
				      const struct nft_expr *expr,	\
				      bool reset)			\
{									\
	return fn(skb, expr);						\
}									\
static int __maybe_unused fn##__plain(struct sk_buff *skb,		\
				      const struct nft_expr *expr)	\
{									\
	return fn(skb, expr);						\
}

#define LVS_DUMP_OP(fn)							\
	__builtin_choose_expr(LVS_OPS_MEMBER_IS(dump, lvs_dump_reset_t),\
			      fn##__reset, fn##__plain)

/* validate(ctx, expr) without data: upstream 6.12, Debian 6.1.184+ */
typedef int (*lvs_validate_nodata_t)(const struct nft_ctx *, const struct nft_expr *);

#define LVS_DEFINE_VALIDATE(fn)						\
static int __maybe_unused fn##__nodata(const struct nft_ctx *ctx,	\
				       const struct nft_expr *expr)	\
{									\
	return fn(ctx, expr);						\
}									\
static int __maybe_unused fn##__data(const struct nft_ctx *ctx,		\
				     const struct nft_expr *expr,	\
				     const struct nft_data **data)	\
{									\
	return fn(ctx, expr);						\
}

#define LVS_VALIDATE_OP(fn)						\
	__builtin_choose_expr(LVS_OPS_MEMBER_IS(validate, lvs_validate_nodata_t), \
			      fn##__nodata, fn##__data)

/*
 * inet_proto_csum_replace_by_diff() gained a "bool ipv6" argument (Debian
 * 6.1.19x has it, earlier 6.1.y do not). The call through the matching
 * pointer type is chosen at compile time; the other branch is dead code.
 */
#include <net/checksum.h>
typedef void (*lvs_csum_diff5_t)(__sum16 *, struct sk_buff *, __wsum, bool, bool);
typedef void (*lvs_csum_diff4_t)(__sum16 *, struct sk_buff *, __wsum, bool);

static inline void lvs_csum_replace_by_diff(__sum16 *sum, struct sk_buff *skb,
					    __wsum diff, bool pseudohdr,
					    bool ipv6)
{
	void *fn = inet_proto_csum_replace_by_diff;

	if (__builtin_types_compatible_p(typeof(&inet_proto_csum_replace_by_diff),
					 lvs_csum_diff5_t))
		((lvs_csum_diff5_t)fn)(sum, skb, diff, pseudohdr, ipv6);
	else
		((lvs_csum_diff4_t)fn)(sum, skb, diff, pseudohdr);
}

/* GSO helpers moved out of skbuff.h into their own header in 6.5. */
#if __has_include(<net/gso.h>)
#include <net/gso.h>
#endif

/*
 * Per-namespace sysctl tables: sentinel-terminated register_net_sysctl()
 * until 6.5, register_net_sysctl_sz() with a size after (where the old
 * name became a macro). @n counts the entries without the sentinel.
 */
#include <net/net_namespace.h>
#ifdef register_net_sysctl
#define lvs_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
#define lvs_register_net_sysctl(net, path, table, n) \
	register_net_sysctl(net, path, table)
#endif


/*
 * Set API (set-backed pools, poolset.c).
 *
 * ops->lookup returned bool with the element through an argument before
 * 6.12.48 (Debian's 6.1 still does); it returns the element since.
 */
typedef bool (*lvs_set_lookup_bool_t)(const struct net *, const struct nft_set *,
				      const u32 *, const struct nft_set_ext **);
typedef const struct nft_set_ext *(*lvs_set_lookup_ext_t)(const struct net *,
							  const struct nft_set *,
							  const u32 *);

static inline const struct nft_set_ext *
lvs_set_lookup(const struct net *net, const struct nft_set *set, const u32 *key)
{
	void *fn = set->ops->lookup;

	if (__builtin_types_compatible_p(typeof(((struct nft_set_ops *)0)->lookup),
					 lvs_set_lookup_bool_t)) {
		const struct nft_set_ext *ext = NULL;

		return ((lvs_set_lookup_bool_t)fn)(net, set, key, &ext) ? ext : NULL;
	}
	return ((lvs_set_lookup_ext_t)fn)(net, set, key);
}

/*
 * Walk callbacks got the element as struct nft_set_elem (its ->priv) until
 * 6.7, as struct nft_elem_priv since. Our callback takes the element's
 * private pointer either way: LVS_DEFINE_WALK(fn) makes both wrappers and
 * LVS_WALK_FN(fn) names the one this kernel's nft_set_iter.fn wants.
 */
struct nft_elem_priv;
struct nft_set_elem;
typedef int (*lvs_walk_priv_t)(const struct nft_ctx *, struct nft_set *,
			       const struct nft_set_iter *, struct nft_elem_priv *);

#define LVS_DEFINE_WALK(cb)						\
static int __maybe_unused cb##__priv(const struct nft_ctx *ctx,		\
				     struct nft_set *set,		\
				     const struct nft_set_iter *iter,	\
				     struct nft_elem_priv *priv)	\
{									\
	return cb(set, iter, (void *)priv);				\
}									\
static int __maybe_unused cb##__elem(const struct nft_ctx *ctx,		\
				     struct nft_set *set,		\
				     const struct nft_set_iter *iter,	\
				     struct nft_set_elem *elem)		\
{									\
	return cb(set, iter, (void *)elem->priv);			\
}

#define LVS_WALK_FN(cb)							\
	__builtin_choose_expr(__builtin_types_compatible_p(		\
		typeof(((struct nft_set_iter *)0)->fn), lvs_walk_priv_t),\
		(void *)cb##__priv, (void *)cb##__elem)

#endif /* _NFT_LVS_COMPAT_H */
