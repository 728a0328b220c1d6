/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libnftlvs: the nftlvs expressions "lb-dispatch", "synproxy-lb" and
 * "fullnat", in the style of libnftnl's expression API.
 *
 * Values of flags and schedulers (NFT_FULLNAT_F_*, NFT_SYNPROXY_LB_F_*,
 * NFT_LVS_SCHED_*) and NFPROTO family numbers come from the uapi header,
 * installed next to this one as <libnftlvs/nft_lvs.h>.
 *
 * All integers are in host byte order in this API; the library converts
 * them to big endian on the wire.
 */
#ifndef _LIBNFTLVS_EXPR_H_
#define _LIBNFTLVS_EXPR_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nlmsghdr;
struct nlattr;
struct nftlvs_expr;

/*
 * Attribute ids. They are unique across the three expressions, so that
 * using an attribute of one expression on another is refused (EINVAL).
 */
enum nftlvs_synproxy_lb_attr {
	NFTLVS_SYNPROXY_LB_MSS = 16,	/* u16 */
	NFTLVS_SYNPROXY_LB_WSCALE,	/* u8 */
	NFTLVS_SYNPROXY_LB_TTL,		/* u8 */
	NFTLVS_SYNPROXY_LB_FLAGS,	/* u32: NFT_SYNPROXY_LB_F_* */
};

enum nftlvs_fullnat_attr {
	NFTLVS_FULLNAT_FAMILY = 32,	/* u32: NFPROTO_IPV4 / NFPROTO_IPV6 */
	NFTLVS_FULLNAT_POOL,		/* list: ..._fullnat_add_rs() */
	NFTLVS_FULLNAT_LADDRS,		/* list: ..._fullnat_add_laddr() */
	NFTLVS_FULLNAT_PORT_MIN,	/* u16 */
	NFTLVS_FULLNAT_PORT_MAX,	/* u16 */
	NFTLVS_FULLNAT_SCHED,		/* u32: NFT_LVS_SCHED_* */
	NFTLVS_FULLNAT_TIMEOUT,		/* u32: seconds */
	NFTLVS_FULLNAT_FLAGS,		/* u32: NFT_FULLNAT_F_* */
	NFTLVS_FULLNAT_POOL_SET,	/* string: set or map holding the pool */
	NFTLVS_FULLNAT_LADDRS_SET,	/* string: set holding the laddrs */
};

/* NULL with errno ENOENT if @name is not one of the three expressions. */
struct nftlvs_expr *nftlvs_expr_alloc(const char *name);
void nftlvs_expr_free(struct nftlvs_expr *e);
const char *nftlvs_expr_get_name(const struct nftlvs_expr *e);
bool nftlvs_expr_is_set(const struct nftlvs_expr *e, uint16_t attr);
/* True if both expressions would build the same payload. */
bool nftlvs_expr_cmp(const struct nftlvs_expr *a, const struct nftlvs_expr *b);

/*
 * Scalar attributes. Setters return 0, or -1 with errno EINVAL for an
 * attribute this expression does not have or a width that does not match
 * it. Values are never range-checked or clamped: the kernel judges them.
 * Getters return 0 with errno set when the attribute is unset or of
 * another width.
 */
int nftlvs_expr_set(struct nftlvs_expr *e, uint16_t attr,
		    const void *data, uint32_t len);
int nftlvs_expr_set_u8(struct nftlvs_expr *e, uint16_t attr, uint8_t v);
int nftlvs_expr_set_u16(struct nftlvs_expr *e, uint16_t attr, uint16_t v);
int nftlvs_expr_set_u32(struct nftlvs_expr *e, uint16_t attr, uint32_t v);
const void *nftlvs_expr_get(const struct nftlvs_expr *e, uint16_t attr,
			    uint32_t *len);
uint8_t nftlvs_expr_get_u8(const struct nftlvs_expr *e, uint16_t attr);
uint16_t nftlvs_expr_get_u16(const struct nftlvs_expr *e, uint16_t attr);
uint32_t nftlvs_expr_get_u32(const struct nftlvs_expr *e, uint16_t attr);

/*
 * String attributes: the names of nft sets (fullnat's POOL_SET and
 * LADDRS_SET), which the kernel looks up in the rule's table. set_str()
 * sends the string with its NUL; nftlvs_expr_set() sends exactly @len
 * bytes (for testing the kernel with names it must refuse) and get()
 * returns them. get_str() returns NULL with errno ENOENT when unset.
 * Lengths are not checked beyond E2BIG: the kernel judges them.
 *
 * fullnat takes either a list or a set for each of its pool and local
 * addresses; an expression that holds both is built as asked (the kernel
 * refuses it) but never parsed.
 */
int nftlvs_expr_set_str(struct nftlvs_expr *e, uint16_t attr,
			const char *str);
const char *nftlvs_expr_get_str(const struct nftlvs_expr *e, uint16_t attr);

/* Which attributes of a real server are present (struct nftlvs_rs). */
enum {
	NFTLVS_RS_ADDR		= (1 << 0),
	NFTLVS_RS_PORT		= (1 << 1),
	NFTLVS_RS_WEIGHT	= (1 << 2),
};

struct nftlvs_rs {
	uint32_t	present;	/* NFTLVS_RS_* */
	const void	*addr;		/* valid until @e changes or is freed */
	uint16_t	addr_len;	/* 4 or 16 (any length from _raw) */
	uint16_t	port;
	uint32_t	weight;
};

/*
 * fullnat pool and local addresses as lists (or as sets: the string
 * attributes above). @family is AF_INET or AF_INET6
 * (EAFNOSUPPORT otherwise). add_rs() sends the weight always and the port
 * unless it is 0 (0: keep the packet's destination port).
 * Lists are bounded only by the netlink attribute size: E2BIG when the
 * expression would no longer fit in one rule.
 */
int nftlvs_expr_fullnat_add_rs(struct nftlvs_expr *e, int family,
			       const void *addr, uint16_t port,
			       uint32_t weight);
int nftlvs_expr_fullnat_add_laddr(struct nftlvs_expr *e, int family,
				  const void *addr);
unsigned int nftlvs_expr_fullnat_rs_count(const struct nftlvs_expr *e);
int nftlvs_expr_fullnat_get_rs(const struct nftlvs_expr *e, unsigned int i,
			       struct nftlvs_rs *rs);
unsigned int nftlvs_expr_fullnat_laddr_count(const struct nftlvs_expr *e);
const void *nftlvs_expr_fullnat_get_laddr(const struct nftlvs_expr *e,
					  unsigned int i, size_t *len);

/*
 * FOR TESTING ONLY: build payloads that the kernel must refuse.
 * add_rs_raw() sends exactly the attributes in rs->present, with an
 * address of any length; add_laddr_raw() sends an address of any length;
 * test_empty() sends the NFTLVS_FULLNAT_POOL or _LADDRS nest even when it
 * holds no entries.
 */
int nftlvs_expr_fullnat_add_rs_raw(struct nftlvs_expr *e,
				   const struct nftlvs_rs *rs);
int nftlvs_expr_fullnat_add_laddr_raw(struct nftlvs_expr *e,
				      const void *addr, size_t len);
int nftlvs_expr_fullnat_test_empty(struct nftlvs_expr *e, uint16_t attr);

/* Names used by the statement syntax: schedulers and flags. */
int nftlvs_sched_lookup(const char *name);		/* -1: unknown */
const char *nftlvs_sched_name(uint32_t sched);		/* NULL: unknown */
/* Flag bits of "synproxy-lb" and "fullnat" by name; 0: unknown. */
uint32_t nftlvs_flag_lookup(const char *expr_name, const char *flag);
const char *nftlvs_flag_name(const char *expr_name, uint32_t bit);

/*
 * Netlink. build_payload() appends NFTA_EXPR_NAME and a nested
 * NFTA_EXPR_DATA to @nlh, as nftnl_expr_build_payload() does: the caller
 * wraps it in an NFTA_LIST_ELEM inside NFTA_RULE_EXPRESSIONS, and must have
 * room for payload_len() more bytes (it does not check the buffer).
 */
size_t nftlvs_expr_payload_len(const struct nftlvs_expr *e);
void nftlvs_expr_build_payload(struct nlmsghdr *nlh,
			       const struct nftlvs_expr *e);

/*
 * Parse one expression of a dumped rule from its NFTA_LIST_ELEM nest, which
 * the caller has checked to lie within its buffer (mnl_attr_ok() does).
 * NULL with errno ENOENT if the expression is not one of ours, EINVAL if it
 * is malformed or holds values out of range, ENOMEM. A set name must be
 * NUL-terminated, 1 to NFT_SET_MAXNAMELEN - 1 bytes long, and stand
 * instead of its list, never beside it.
 */
struct nftlvs_expr *nftlvs_expr_parse(const struct nlattr *elem);

/* Output types, numbered as libnftnl's NFTNL_OUTPUT_*. */
enum nftlvs_output_type {
	NFTLVS_OUTPUT_DEFAULT	= 0,	/* the nft statement, canonical */
	NFTLVS_OUTPUT_JSON	= 2,	/* nft-style JSON statement */
};

enum nftlvs_output_flags {
	NFTLVS_OF_SECONDS	= (1 << 0),	/* times in seconds (nft -T) */
};

/*
 * Like snprintf(): returns the length the full text needs, writes at most
 * @size bytes including the terminating NUL. -1 with errno EOPNOTSUPP for
 * an unknown output type.
 */
int nftlvs_expr_snprintf(char *buf, size_t size, const struct nftlvs_expr *e,
			 uint32_t type, uint32_t flags);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* _LIBNFTLVS_EXPR_H_ */
