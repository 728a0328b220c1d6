/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nftlvs: netlink attributes of the nf_tables expressions "lb-dispatch",
 * "synproxy-lb" and "fullnat". Shared by the kernel module and libnftlvs;
 * this is kernel ABI: append only, never renumber.
 *
 * All integers are big endian on the wire, as everywhere in nf_tables.
 */
#ifndef _UAPI_NFT_LVS_H
#define _UAPI_NFT_LVS_H

#include <linux/types.h>

#define NFT_LVS_EXPR_DISPATCH	"lb-dispatch"
#define NFT_LVS_EXPR_SYNPROXY	"synproxy-lb"
#define NFT_LVS_EXPR_FULLNAT	"fullnat"

/* lb-dispatch takes no attributes (yet). */
enum nft_lb_dispatch_attributes {
	NFTA_LB_DISPATCH_UNSPEC,
	__NFTA_LB_DISPATCH_MAX
};
#define NFTA_LB_DISPATCH_MAX	(__NFTA_LB_DISPATCH_MAX - 1)

/* synproxy-lb flags */
enum nft_synproxy_lb_flags {
	NFT_SYNPROXY_LB_F_SACK_PERM	= (1 << 0),
	NFT_SYNPROXY_LB_F_TIMESTAMP	= (1 << 1),
	NFT_SYNPROXY_LB_F_DEFER		= (1 << 2),
};
#define NFT_SYNPROXY_LB_F_MASK	(NFT_SYNPROXY_LB_F_SACK_PERM | \
				 NFT_SYNPROXY_LB_F_TIMESTAMP | \
				 NFT_SYNPROXY_LB_F_DEFER)

/*
 * enum nft_synproxy_lb_attributes - synproxy-lb expression attributes
 *
 * @NFTA_SYNPROXY_LB_MSS: MSS announced in the cookie SYN-ACK (NLA_BE16)
 * @NFTA_SYNPROXY_LB_WSCALE: window scale announced (NLA_U8, 0..14)
 * @NFTA_SYNPROXY_LB_TTL: TTL / hop limit of the SYN-ACK (NLA_U8, 1..255)
 * @NFTA_SYNPROXY_LB_FLAGS: NFT_SYNPROXY_LB_F_* (NLA_BE32)
 */
enum nft_synproxy_lb_attributes {
	NFTA_SYNPROXY_LB_UNSPEC,
	NFTA_SYNPROXY_LB_MSS,
	NFTA_SYNPROXY_LB_WSCALE,
	NFTA_SYNPROXY_LB_TTL,
	NFTA_SYNPROXY_LB_FLAGS,
	__NFTA_SYNPROXY_LB_MAX
};
#define NFTA_SYNPROXY_LB_MAX	(__NFTA_SYNPROXY_LB_MAX - 1)

#define NFT_SYNPROXY_LB_MSS_DEFAULT	1452
#define NFT_SYNPROXY_LB_MSS_MIN		536
#define NFT_SYNPROXY_LB_MSS_MAX		65495
#define NFT_SYNPROXY_LB_WSCALE_DEFAULT	0
#define NFT_SYNPROXY_LB_WSCALE_MAX	14
#define NFT_SYNPROXY_LB_TTL_DEFAULT	63

/* fullnat schedulers (NFTA_FULLNAT_SCHED) */
enum nft_lvs_sched {
	NFT_LVS_SCHED_RR,
	NFT_LVS_SCHED_WRR,
	NFT_LVS_SCHED_LC,
	NFT_LVS_SCHED_WLC,
	NFT_LVS_SCHED_SH,
	NFT_LVS_SCHED_MH,
	__NFT_LVS_SCHED_MAX
};
#define NFT_LVS_SCHED_MAX	(__NFT_LVS_SCHED_MAX - 1)
#define NFT_LVS_SCHED_DEFAULT	NFT_LVS_SCHED_WLC

/*
 * fullnat flags (NFTA_FULLNAT_FLAGS). TOA_KIND253 (only with TOA): an IPv6
 * client address travels in option kind 253 (Alibaba LVS v2's layout)
 * instead of 254 (DPVS's); IPv4 client addresses always use 254.
 */
enum nft_fullnat_flags {
	NFT_FULLNAT_F_TOA		= (1 << 0),
	NFT_FULLNAT_F_STRIP_TS		= (1 << 1),
	NFT_FULLNAT_F_RST_ON_EXPIRE	= (1 << 2),
	NFT_FULLNAT_F_TOA_KIND253	= (1 << 3),
};
#define NFT_FULLNAT_F_MASK	(NFT_FULLNAT_F_TOA | NFT_FULLNAT_F_STRIP_TS | \
				 NFT_FULLNAT_F_RST_ON_EXPIRE | \
				 NFT_FULLNAT_F_TOA_KIND253)

/*
 * enum nft_fullnat_attributes - fullnat expression attributes
 *
 * @NFTA_FULLNAT_FAMILY: address family of pool and local addresses
 *	(NLA_BE32: NFPROTO_IPV4 or NFPROTO_IPV6); must match an ip/ip6
 *	table, mandatory in inet tables
 * @NFTA_FULLNAT_POOL: real servers (NLA_NESTED: NFTA_LVS_LIST_ELEM of
 *	nested enum nft_lvs_rs_attributes), 1..NFT_FULLNAT_POOL_MAX
 * @NFTA_FULLNAT_LADDRS: local addresses (NLA_NESTED: NFTA_LVS_LIST_ELEM
 *	of NLA_BINARY addresses, 4 or 16 bytes), 1..NFT_FULLNAT_LADDRS_MAX
 * @NFTA_FULLNAT_PORT_MIN: first local port (NLA_BE16, 1..65535)
 * @NFTA_FULLNAT_PORT_MAX: last local port (NLA_BE16, >= PORT_MIN)
 * @NFTA_FULLNAT_SCHED: enum nft_lvs_sched (NLA_BE32)
 * @NFTA_FULLNAT_TIMEOUT: established-state timeout in seconds (NLA_BE32,
 *	1..NFT_FULLNAT_TIMEOUT_MAX; absent: the namespace default)
 * @NFTA_FULLNAT_FLAGS: NFT_FULLNAT_F_* (NLA_BE32)
 * @NFTA_FULLNAT_POOL_SET: name of a named set or map of the rule's table
 *	holding the real servers (NLA_STRING, < NFT_SET_MAXNAMELEN); instead
 *	of NFTA_FULLNAT_POOL. Shapes: a set of ADDR or ADDR . inet_service
 *	(weight 1), a map of those to mark (the data is the weight, 0 drains,
 *	above NFT_LVS_WEIGHT_MAX counts as NFT_LVS_WEIGHT_MAX).
 * @NFTA_FULLNAT_LADDRS_SET: name of a named set of local addresses
 *	(NLA_STRING); instead of NFTA_FULLNAT_LADDRS
 */
enum nft_fullnat_attributes {
	NFTA_FULLNAT_UNSPEC,
	NFTA_FULLNAT_FAMILY,
	NFTA_FULLNAT_POOL,
	NFTA_FULLNAT_LADDRS,
	NFTA_FULLNAT_PORT_MIN,
	NFTA_FULLNAT_PORT_MAX,
	NFTA_FULLNAT_SCHED,
	NFTA_FULLNAT_TIMEOUT,
	NFTA_FULLNAT_FLAGS,
	NFTA_FULLNAT_POOL_SET,
	NFTA_FULLNAT_LADDRS_SET,
	__NFTA_FULLNAT_MAX
};
#define NFTA_FULLNAT_MAX	(__NFTA_FULLNAT_MAX - 1)

/* Element of the NFTA_FULLNAT_POOL and NFTA_FULLNAT_LADDRS lists. */
#define NFTA_LVS_LIST_ELEM	1

/*
 * enum nft_lvs_rs_attributes - one real server of a fullnat pool
 *
 * @NFTA_LVS_RS_ADDR: address (NLA_BINARY, 4 or 16 bytes, per family)
 * @NFTA_LVS_RS_PORT: port (NLA_BE16, 1..65535); absent: keep the
 *	packet's destination port
 * @NFTA_LVS_RS_WEIGHT: weight (NLA_BE32, 0..NFT_LVS_WEIGHT_MAX; absent: 1;
 *	0 drains: no new connections)
 */
enum nft_lvs_rs_attributes {
	NFTA_LVS_RS_UNSPEC,
	NFTA_LVS_RS_ADDR,
	NFTA_LVS_RS_PORT,
	NFTA_LVS_RS_WEIGHT,
	__NFTA_LVS_RS_MAX
};
#define NFTA_LVS_RS_MAX		(__NFTA_LVS_RS_MAX - 1)

/*
 * List limits keep the largest fullnat statement (IPv6: 40 bytes per real
 * server, 20 per local address) inside one 32 KiB netlink dump buffer, the
 * most a rule dump can use: a rule that does not fit would vanish from
 * listings. Larger pools belong in an nft set (NFTA_FULLNAT_POOL_SET),
 * which has no such limit: NFT_FULLNAT_SET_POOL_MAX servers.
 */
#define NFT_FULLNAT_POOL_MAX		512
#define NFT_FULLNAT_LADDRS_MAX		256
#define NFT_FULLNAT_SET_POOL_MAX	65535
#define NFT_FULLNAT_SET_LADDRS_MAX	4096
#define NFT_FULLNAT_PORT_MIN_DEFAULT	5000
#define NFT_FULLNAT_PORT_MAX_DEFAULT	65535
#define NFT_FULLNAT_TIMEOUT_MAX		(30 * 24 * 3600)
#define NFT_LVS_WEIGHT_DEFAULT		1
#define NFT_LVS_WEIGHT_MAX		65535

/*
 * iptables targets FULLNAT and SYNPROXY-LB (revision 0; LB-DISPATCH has no
 * data). A target's data has a fixed size, so each statement travels as nft
 * sends it, zero-padded: one NFTA_LVS_LIST_ELEM nest holding NFTA_EXPR_NAME
 * ("fullnat", "synproxy-lb") and NFTA_EXPR_DATA. The kernel parses it with
 * the statement's own policy. FULLNAT leaves @synproxy zeroed. The size
 * leaves room for matches in nf_tables' 4 KiB limit on a rule's data
 * (iptables-nft): about 100 IPv4 or 75 IPv6 real servers fit in @fullnat;
 * larger pools belong in nft sets.
 */
#define XT_LVS_SYNPROXY_SIZE		64
#define XT_LVS_FULLNAT_SIZE		3072

struct xt_lvs_priv;

struct xt_lvs_tginfo {
	__u8	synproxy[XT_LVS_SYNPROXY_SIZE];
	__u8	fullnat[XT_LVS_FULLNAT_SIZE];

	/* Used internally by the kernel */
	struct xt_lvs_priv	*priv __attribute__((aligned(8)));
};

#endif /* _UAPI_NFT_LVS_H */
