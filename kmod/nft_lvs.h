/* SPDX-License-Identifier: GPL-2.0 */
/* nft_lvs.ko: declarations shared by the module's files. */
#ifndef _NFT_LVS_H
#define _NFT_LVS_H

#include <linux/netfilter.h>
#include <linux/refcount.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_tables.h>
#include <linux/rhashtable.h>
#include <linux/workqueue.h>
#include <linux/siphash.h>
#include <net/netns/generic.h>
#include <net/dst.h>
#include <nft_lvs.h>
#include "core/sched.h"
#include "core/tcpstate.h"
#include "core/synproxy.h"

/* The table families our expressions are registered for. */
#define LVS_NFAMILIES	3

extern struct nft_expr_type nft_lb_dispatch_types[LVS_NFAMILIES];
extern struct nft_expr_type nft_synproxy_lb_types[LVS_NFAMILIES];
extern struct nft_expr_type nft_fullnat_types[LVS_NFAMILIES];
/* lb-dispatch at netdev ingress: the fast path (fastpath.c). */
extern struct nft_expr_type nft_lb_dispatch_netdev_type;
unsigned int lvs_fastpath(struct net *net, struct sk_buff *skb);
/* ... and as a flowtable in a netdev table (fastpath.c). */
extern struct nf_flowtable_type lvs_flowtable_type;

/*
 * The statements' packet paths and rule set-up, shared by the nf_tables
 * expressions and the iptables targets (xt_lvs.c).
 */
struct lvs_synproxy_cfg {
	u16	mss;
	u8	wscale;
	u8	ttl;
	u32	flags;
};

extern const struct nla_policy lvs_synproxy_lb_policy[NFTA_SYNPROXY_LB_MAX + 1];
extern const struct nla_policy lvs_fullnat_policy[NFTA_FULLNAT_MAX + 1];

unsigned int lvs_dispatch_run(const struct nft_pktinfo *pkt);
int lvs_synproxy_lb_setup(struct lvs_synproxy_cfg *cfg,
			  const struct nlattr * const tb[]);
unsigned int lvs_synproxy_lb_run(const struct lvs_synproxy_cfg *cfg,
				 const struct nft_pktinfo *pkt);
struct lvs_service *lvs_fullnat_setup(const struct nft_ctx *ctx,
				      const struct nlattr * const tb[]);
void lvs_fullnat_teardown(const struct nft_ctx *ctx, struct lvs_service *svc);
unsigned int lvs_fullnat_run(struct lvs_service *svc,
			     const struct nft_pktinfo *pkt);

/* The iptables targets (xt_lvs.c). */
int lvs_xt_init(void);
void lvs_xt_exit(void);

/*
 * One nft_expr_type per family: ip, ip6 and inet only, so that a rule in
 * a netdev, bridge or arp table cannot find the expression at all (except
 * lb-dispatch, which has a netdev type of its own for the ingress hook).
 */
#define LVS_EXPR_TYPES(_name, _ops, _policy, _maxattr)			\
	{								\
		LVS_EXPR_TYPE(_name, _ops, _policy, _maxattr, NFPROTO_IPV4), \
		LVS_EXPR_TYPE(_name, _ops, _policy, _maxattr, NFPROTO_IPV6), \
		LVS_EXPR_TYPE(_name, _ops, _policy, _maxattr, NFPROTO_INET), \
	}
#define LVS_EXPR_TYPE(_name, _ops, _policy, _maxattr, _family)		\
	{								\
		.name		= _name,				\
		.ops		= _ops,					\
		.policy		= _policy,				\
		.maxattr	= _maxattr,				\
		.family		= _family,				\
		.owner		= THIS_MODULE,				\
	}

/*
 * What an IPv6 client of synproxy-lb hears less than its mss: an IPv6
 * header is 20 bytes longer than an IPv4 one and the IPv6 TOA option 12,
 * so a full segment that fits with TOA over IPv4 fits over IPv6 too.
 */
#define LVS_IPV6_MSS_LESS	32

/* Our expressions live where IPVS's hooks live: before routing, and on
 * the way out for locally originated clients of a virtual service.
 */
#define LVS_HOOKS	((1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_OUT))

/* Global counters of a namespace (net.c shows them by these names). */
enum lvs_stat {
	LVS_STAT_CONN_NEW,		/* connections created */
	LVS_STAT_CONN_EXPIRED,		/* connections timed out */
	LVS_STAT_CONN_NODEST,		/* ended: real server left the pool */
	LVS_STAT_CONN_REUSED,		/* SYN restarted a closed connection */
	LVS_STAT_CONN_EXCEEDED,		/* refused: table full (conn_max) */
	LVS_STAT_CONN_EARLY_DROP,	/* ended to make room: never established */
	LVS_STAT_CONN_SCHED_UNREACH,	/* refused: no real server available */
	LVS_STAT_CONN_NOMEM,		/* refused: out of memory */
	LVS_STAT_CONN_CLASH,		/* another CPU created it first */
	LVS_STAT_LPORT_CONFLICT,	/* lip:lport tried but in use */
	LVS_STAT_LPORT_EXHAUSTED,	/* refused: no free lip:lport */
	LVS_STAT_NOT_SCHEDULABLE,	/* fullnat saw a non-SYN without connection */
	LVS_STAT_PKTS_IN,		/* client -> RS packets translated */
	LVS_STAT_PKTS_OUT,		/* RS -> client packets translated */
	LVS_STAT_BYTES_IN,
	LVS_STAT_BYTES_OUT,
	LVS_STAT_ICMP_IN,		/* ICMP errors translated toward the RS */
	LVS_STAT_ICMP_OUT,		/* ICMP errors translated toward the client */
	LVS_STAT_XMIT_NO_ROUTE,		/* dropped: no route after translation */
	LVS_STAT_XMIT_FRAG_NEEDED,	/* dropped: too big, ICMP sent */
	LVS_STAT_XMIT_ERROR,		/* dropped: could not make it writable etc. */
	LVS_STAT_XMIT_ROUTE_LOOKUP,	/* translated packets without a cached route */
	LVS_STAT_FASTPATH_PKTS,		/* translated at netdev ingress */
	LVS_STAT_FASTPATH_PASSED,	/* a connection's, left to prerouting by ingress */
	LVS_STAT_TTL_EXCEEDED,		/* dropped: TTL ran out, ICMP sent */
	LVS_STAT_TOA_OK,		/* TOA option added */
	LVS_STAT_TOA_FAIL_LEN,		/* TOA skipped: packet would pass the MTU */
	LVS_STAT_TOA_HEAD_FULL,		/* TOA skipped: TCP header full */
	LVS_STAT_TOA_FAIL_MEM,		/* TOA skipped: no memory */
	LVS_STAT_TOA_GSO,		/* TOA skipped: GSO packet */
	LVS_STAT_RST_ON_EXPIRE,		/* RST pairs sent for expired connections */
	LVS_STAT_SP_SYN,		/* synproxy: SYNs answered with a cookie */
	LVS_STAT_SP_OK_ACK,		/* synproxy: ACKs with a valid cookie */
	LVS_STAT_SP_BAD_ACK,		/* synproxy: ACKs with a bad cookie, dropped */
	LVS_STAT_SP_NULL_ACK,		/* synproxy defer: valid ACK without data */
	LVS_STAT_SP_STRAY,		/* synproxy: RST/FIN/other without connection */
	LVS_STAT_SP_SYN_RETRY,		/* synproxy: SYNs resent to the RS */
	LVS_STAT_SP_RS_ERROR,		/* synproxy: RS reset or never answered */
	LVS_STAT_SP_QUEUE_FULL,		/* synproxy: client packet dropped, RS not there yet */
	LVS_STAT_SP_ACKSTORM,		/* synproxy: duplicate RS ACK dropped */
	LVS_STAT_SP_BAD_CSUM,		/* synproxy: segment to answer, bad checksum */
	LVS_STAT_VS_UNTRACKED,		/* connection of a service without counters */
	LVS_STAT_NO_TRANSPORT,		/* lb-dispatch: no transport header found */
	LVS_STAT_ICMP_NAT64,		/* NAT64: ICMP error without counterpart, dropped */
	LVS_STAT_MAX
};

/* Namespace tunables (sysctl net.nft_lvs.*). */
struct lvs_cfg {
	unsigned int		conn_max;
	unsigned int		expire_nodest_conn;	/* end conns of removed servers */
	unsigned int		tcp_timeout[LB_TCP_STATE_MAX];	/* seconds */
	unsigned int		udp_timeout;			/* seconds */
};

#define LVS_VS_HASH_SIZE	256
#define LVS_RS_HASH_SIZE	1024

/* Per network namespace state (net.c). */
struct lvs_net {
	struct net		*net;
	atomic_t		services;	/* fullnat rules in this netns */
	atomic_t		conn_count;
	struct rhashtable	conn_tab;	/* both keys of every connection */
	u64 __percpu		*stats;		/* [LVS_STAT_MAX] */
	struct lvs_cfg		cfg;
	siphash_key_t		isn_key;
	siphash_key_t		cookie_key;
	spinlock_t		rs_lock;	/* rs_list, rs_hash */
	struct list_head	rs_list;	/* struct lvs_rs */
	struct hlist_head	rs_hash[LVS_RS_HASH_SIZE];
	spinlock_t		vs_lock;	/* vs_hash changes */
	unsigned int		vs_count;
	struct hlist_head	vs_hash[LVS_VS_HASH_SIZE];	/* struct lvs_vs */
	/* Services with set-backed lists, and what tells us of set edits. */
	struct mutex		pool_mutex;
	struct list_head	pool_watch;	/* struct lvs_service.watch */
	struct socket		*pool_sock;	/* nf_tables notifications */
	struct work_struct	pool_work;
	bool			pool_dead;	/* namespace going: no more work */
	unsigned long		pool_stale;	/* bit 0: a pick saw a stale pool */
	struct proc_dir_entry	*proc_dir;
	struct ctl_table_header	*sysctl_hdr;
	struct ctl_table	*sysctl_table;
};

/* Every packet looks its namespace's state up: inline. */
extern unsigned int lvs_net_id;

static __always_inline struct lvs_net *lvs_pernet(const struct net *net)
{
	return net_generic(net, lvs_net_id);
}

int lvs_defrag_enable(struct net *net, u8 family);
void lvs_defrag_disable(struct net *net, u8 family);
int lvs_net_init(void);
void lvs_net_exit(void);

static __always_inline void lvs_stat_inc(struct lvs_net *ln, enum lvs_stat s)
{
	this_cpu_inc(ln->stats[s]);
}

static __always_inline void lvs_stat_add(struct lvs_net *ln, enum lvs_stat s,
					 u64 v)
{
	this_cpu_add(ln->stats[s], v);
}

/*
 * A real server of a namespace, shared by every service that names it and
 * kept while any rule or connection refers to it: least-connection counts
 * and per-server counters survive ruleset reloads.
 */
struct lvs_rs {
	struct list_head	list;		/* lvs_net.rs_list, in creation order */
	struct hlist_node	hnode;		/* lvs_net.rs_hash */
	refcount_t		ref;
	u8			family;
	union nf_inet_addr	addr;
	__be16			port;
	struct lb_rs_conns	conns;		/* active / inactive */
	atomic64_t		conns_total;
	struct lvs_rs_stats __percpu *stats;
	struct lvs_net		*ln;
};

struct lvs_rs_stats {
	u64	pkts_in, pkts_out, bytes_in, bytes_out;
};

/* A virtual service (protocol, VIP, port) and its counters (vs.c). */
struct lvs_vs {
	struct hlist_node	node;		/* lvs_net.vs_hash */
	struct rcu_head		rcu;
	u8			family;
	u8			proto;
	__be16			port;
	union nf_inet_addr	addr;
	struct lb_rs_conns	conns;		/* active / inactive */
	atomic64_t		conns_total;
	struct lvs_rs_stats __percpu *stats;
};

struct lvs_tuple;
struct lvs_vs *lvs_vs_get(struct lvs_net *ln, const struct lvs_tuple *t);
void lvs_vs_purge(struct lvs_net *ln, bool all);
void lvs_vs_init(struct lvs_net *ln);

struct lvs_rs *lvs_rs_get(struct lvs_net *ln, u8 family,
			  const union nf_inet_addr *addr, __be16 port);
void lvs_rs_put(struct lvs_rs *rs);
void lvs_rs_purge(struct lvs_net *ln, bool all);
void lvs_rs_init(struct lvs_net *ln);

/*
 * One real server of one service's pool (pool.c). The pool's snapshots
 * and the connections made to it hold it; it holds its service and its
 * namespace-wide real server. A server that leaves a set-backed pool is
 * marked removed, and connections still using it see that.
 */
struct lvs_dest {
	refcount_t		ref;
	u32			weight;		/* as last seen in the pool */
	struct lvs_rs		*rs;		/* address, port, counts */
	struct lvs_service	*svc;
	u8			removed;	/* gone from the pool */
	u8			klen;		/* bytes of key[] (set pools) */
	u32			key[5];		/* its set element's key (set pools) */
};

void lvs_dest_put(struct lvs_dest *dest);

/*
 * What the scheduler works on: one immutable snapshot of the pool, replaced
 * as a whole (RCU) when a set-backed pool changes.
 */
struct lvs_pool {
	struct rcu_head		rcu;
	unsigned int		nr;
	struct lb_sched		sched;
	void			*sched_mem;
	struct lb_rs		*lb_rs;		/* the scheduler's view of dests[] */
	struct lvs_dest		*dests[];
};

/* The local addresses, replaced as a whole when a set-backed list changes. */
struct lvs_laddrs {
	struct rcu_head		rcu;
	unsigned int		nr;
	union nf_inet_addr	addrs[];
};

/* A named nft set a service follows (poolset.c). */
struct lvs_set_ref {
	struct nft_set		*set;		/* NULL: an inline list */
	struct nft_set_binding	binding;
};

/*
 * The configuration of one fullnat statement, shared by reference so that
 * connections can outlive the rule that made them. Everything but the
 * pool and the local addresses is fixed when the rule is built; those two
 * change as a whole when they come from nft sets that are edited.
 */
struct lvs_service {
	refcount_t		ref;
	struct rcu_head		rcu;
	u8			family;		/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	u8			sched;		/* enum nft_lvs_sched */
	u16			port_min;
	u16			port_max;
	u32			timeout;	/* seconds; 0: namespace default */
	u32			flags;		/* NFT_FULLNAT_F_* */
	struct lvs_net		*ln;
	spinlock_t		sched_lock;	/* wrr picks; pool replacement */
	struct lvs_pool __rcu	*pool;
	struct lvs_laddrs __rcu	*laddrs;
	/* Set-backed lists (poolset.c), under ln->pool_mutex after init. */
	struct lvs_set_ref	pool_set;
	struct lvs_set_ref	laddrs_set;
	struct list_head	watch;		/* ln->pool_watch */
};

struct lvs_service *lvs_service_get(struct lvs_service *svc);
struct lvs_service *lvs_service_create(const struct nft_ctx *ctx,
				       const struct nlattr * const tb[]);
int lvs_service_dump(struct sk_buff *skb, const struct lvs_service *svc);
void lvs_service_put(struct lvs_service *svc);
int lvs_service_leaks(void);

/* Pools (pool.c). */
struct lvs_dest *lvs_dest_new(struct lvs_service *svc,
			      const union nf_inet_addr *addr, __be16 port,
			      u32 weight);
struct lvs_pool *lvs_pool_build(struct lvs_service *svc,
				struct lvs_dest **dests, unsigned int nr);
void lvs_pool_replace(struct lvs_service *svc, struct lvs_pool *pool,
		      const struct lvs_pool *prev, const int *from);
void lvs_pool_free(struct lvs_pool *pool);
struct lvs_laddrs *lvs_laddrs_alloc(unsigned int nr);
void lvs_laddrs_replace(struct lvs_service *svc, struct lvs_laddrs *la);
struct lvs_dest *lvs_pool_pick(struct lvs_service *svc,
			       const union nf_inet_addr *caddr, u8 cfamily,
			       __be16 cport);
void lvs_service_drop_lists(struct lvs_service *svc);

/* Set-backed pools (poolset.c). */
int lvs_poolset_bind(const struct nft_ctx *ctx, struct lvs_service *svc,
		     const struct nlattr *pool_name,
		     const struct nlattr *laddrs_name);
void lvs_poolset_activate(const struct nft_ctx *ctx, struct lvs_service *svc);
void lvs_poolset_deactivate(const struct nft_ctx *ctx,
			    struct lvs_service *svc, enum nft_trans_phase phase);
void lvs_poolset_destroy(const struct nft_ctx *ctx, struct lvs_service *svc);
void lvs_poolset_abort(const struct nft_ctx *ctx, struct lvs_service *svc);
bool lvs_poolset_live(const struct lvs_service *svc,
		      const struct lvs_dest *dest);
void lvs_poolset_net_init(struct lvs_net *ln);
void lvs_poolset_net_exit(struct lvs_net *ln);

/* Connections (conn.c). */
struct lvs_tuple {
	union nf_inet_addr	src;
	union nf_inet_addr	dst;
	__be16			sport;
	__be16			dport;
	u8			proto;
	u8			family;
	/* The key ends here; what follows is not compared. */
	u8			dir;		/* in a connection: enum lb_dir */
	u8			pad;
};

/* Tuples are compared up to and including family. */
#define LVS_TUPLE_KEY_LEN	offsetof(struct lvs_tuple, dir)

struct lvs_conn_hnode {
	struct rhash_head	node;
	struct lvs_tuple	t;		/* as received in this direction */
};

/*
 * A connection costs its object plus about two rhashtable buckets, so the
 * object is kept small (see the static_assert in conn.c): the real
 * server, and through it the service (namespace, established timeout),
 * come from the pool member it holds, and the RCU head reuses the timer's memory, which is dead by then
 * (a dead connection's timer is never armed again).
 */
struct lvs_conn {
	struct lvs_conn_hnode	hn[2];		/* [LB_DIR_IN] client side, [LB_DIR_OUT] RS side */
	spinlock_t		lock;		/* state changes, timer arming, dead, routes */
	u8			state;		/* enum lb_tcp_state; UDP: ESTABLISHED */
	u8			flags;		/* NFT_FULLNAT_F_* of the service, LVS_CONN_F_DEAD */
	unsigned long		expires;	/* jiffies; packets push it forward */
	u32			seq_delta;	/* client seq + delta = seq the RS sees */
	u32			rs_isn1;	/* RS ISN + 1: client acks it before data */
	u32			in_end;		/* next client seq (client space) */
	u32			out_end;	/* next RS seq (RS space) */
	struct lvs_synproxy	*sp;		/* NULL unless opened by synproxy-lb */
	union {
		struct timer_list timer;	/* while alive */
		struct rcu_head	rcu;		/* once dead: freeing */
	};
	struct lvs_dest		*dest;		/* held: the RS, and the service (ln, timeout) */
	struct lvs_vs		*vs;		/* NULL: not counted per service */
	/*
	 * The output route of packets received in each direction, held, and
	 * its validity cookie (IPv6's routing tree serial): see
	 * lvs_conn_route(). Replaced under the lock by whichever CPU finds
	 * it stale, released when the connection is freed.
	 */
	struct dst_entry	*dst[2];
	u32			dst_cookie[2];
};

/* Set under cp->lock by whoever ends the connection (owns the kill). */
#define LVS_CONN_F_DEAD		0x80
/* Set under cp->lock: the server of a UDP flow answered. */
#define LVS_CONN_F_REPLIED	0x40

static inline struct lvs_rs *lvs_conn_rs(const struct lvs_conn *cp)
{
	return cp->dest->rs;
}

static inline struct lvs_service *lvs_conn_svc(const struct lvs_conn *cp)
{
	return cp->dest->svc;
}

static inline struct lvs_net *lvs_conn_ln(const struct lvs_conn *cp)
{
	return cp->dest->svc->ln;
}

/* The lockless peek at LVS_CONN_F_DEAD. */
static inline bool lvs_conn_dead(const struct lvs_conn *cp)
{
	return READ_ONCE(cp->flags) & LVS_CONN_F_DEAD;
}

/*
 * What a connection opened behind a SYN cookie needs on top: the second
 * sequence delta, window scale and timestamp translation, and until the
 * RS answers, the client's packets and the SYN to repeat.
 */
struct lvs_synproxy {
	u32			syn_delta;	/* cookie ISN - RS ISN */
	u32			ts_delta;	/* our SYN-ACK tsval - RS's tsval */
	u32			ts_in_delta;	/* our clock - the client's tsval */
	u32			syn_tsval;	/* of our SYN to the RS */
	u32			cookie_isn;	/* the ISN the client saw */
	u32			client_isn;
	u16			client_mss;
	u16			client_win;
	u8			client_wscale;	/* SYNCOOKIE_WSCALE_NONE: none */
	u8			our_wscale;	/* announced to the client */
	struct synproxy_scales	ws;
	u8			syn_tries;	/* SYNs sent to the RS */
	bool			sack;		/* negotiated with the client */
	bool			ts;		/* negotiated with the client */
	bool			rs_answered;	/* RS SYN-ACK seen (under cp->lock) */
	bool			forwarded;	/* queued packets came in at prerouting */
	struct ackstorm		storm;
	struct sk_buff_head	queue;		/* client packets until the RS answers */
};

static inline struct lvs_conn *lvs_hnode_conn(struct lvs_conn_hnode *hn)
{
	return container_of(hn - hn->t.dir, struct lvs_conn, hn[0]);
}

int lvs_conn_table_init(struct lvs_net *ln);
void lvs_conn_table_exit(struct lvs_net *ln);
struct lvs_conn *lvs_conn_create(struct lvs_net *ln, struct lvs_service *svc,
				 const struct lvs_tuple *t, u32 client_isn,
				 struct lvs_synproxy *sp, int *reason);
void lvs_conn_set_state(struct lvs_conn *cp, u8 state);
int lvs_conn_kmem_init(void);
void lvs_conn_kmem_exit(void);

void lvs_conn_reuse(struct lvs_conn *cp, u32 client_isn);
bool lvs_conn_kill(struct lvs_conn *cp);
void lvs_conn_replied(struct lvs_conn *cp);
void lvs_conn_end_nodest(struct lvs_conn *cp);

/* expire_nodest_conn is on and @cp's real server has left its pool. */
static inline bool lvs_conn_nodest(const struct lvs_conn *cp,
				   const struct lvs_net *ln)
{
	return unlikely(READ_ONCE(cp->dest->removed)) &&
	       READ_ONCE(ln->cfg.expire_nodest_conn);
}

/* May @dest be given a new connection: still in its pool, weight > 0? */
static inline bool lvs_dest_takes_new(const struct lvs_dest *dest)
{
	return !READ_ONCE(dest->removed) && READ_ONCE(dest->weight);
}

/* SYNPROXY (synproxy.c). */
#define LVS_SYNPROXY_QUEUE_MAX		4	/* the client's ACK and 3 more */
#define LVS_SYNPROXY_SYN_RETRIES	3
#define LVS_SYNPROXY_ACKSTORM		10

/* A cookie ACK synproxy-lb validated, handed to the fullnat after it. */
struct lvs_synproxy_pass {
	const struct sk_buff	*skb;
	u32			seq, ack;
	struct syn_opts		client;
	u16			win;
	u8			our_wscale;
};

void lvs_synproxy_pass_set(const struct lvs_synproxy_pass *pass);
bool lvs_synproxy_take(const struct sk_buff *skb, const struct tcphdr *th,
		       struct lvs_synproxy_pass *pass);
struct lvs_synproxy *lvs_synproxy_alloc(const struct lvs_synproxy_pass *pass,
					bool forwarded);
void lvs_synproxy_start(struct lvs_conn *cp, struct sk_buff *skb);
void lvs_synproxy_free(struct lvs_synproxy *sp);
enum { LVS_SP_XLATE, LVS_SP_DONE, LVS_SP_GONE };
bool lvs_synproxy_fast_ok(struct lvs_conn *cp, u8 dir,
			  const struct tcphdr *th, unsigned int payload,
			  bool *drop);
int lvs_synproxy_dispatch(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
			  const struct nft_pktinfo *pkt, unsigned int *verdict);
bool lvs_synproxy_csum_ok(struct lvs_net *ln, struct sk_buff *skb,
			  const struct nft_pktinfo *pkt, u8 family);
bool lvs_synproxy_retry(struct lvs_conn *cp);
void lvs_synproxy_resend(struct lvs_conn *cp);
void lvs_synproxy_gone(struct lvs_conn *cp);
u32 lvs_synproxy_clock(void);
u32 lvs_syncookie_mac(const struct lvs_net *ln, const struct lvs_tuple *t,
		      u32 client_isn, u32 period, u8 data);

/* The network layer of either family (l3.c). */
/* The length of an address of @family in the netlink attributes and sets. */
static inline unsigned int lvs_addr_len(u8 family)
{
	return family == NFPROTO_IPV4 ? sizeof(struct in_addr) :
					sizeof(struct in6_addr);
}

enum lvs_l3_error {
	LVS_L3_HOP_EXPIRED,
	LVS_L3_TOO_BIG,
};

struct dst_entry *lvs_route(struct net *net, const struct sk_buff *skb,
			    u8 family, const union nf_inet_addr *daddr,
			    const union nf_inet_addr *saddr);
void lvs_l3_addrs(const void *nh, u8 family, union nf_inet_addr *saddr,
		  union nf_inet_addr *daddr);
int lvs_l3_convert(struct sk_buff *skb, unsigned int *thoff, u8 to, u8 proto,
		   const union nf_inet_addr *saddr,
		   const union nf_inet_addr *daddr);
bool lvs_l3_hop_expired(const struct sk_buff *skb, u8 family);
bool lvs_l3_too_big(const struct sk_buff *skb, u8 family, unsigned int mtu);
void lvs_l3_icmp_reply(struct sk_buff *skb, u8 family, enum lvs_l3_error err,
		       unsigned int mtu);
struct dst_entry *lvs_conn_route_lookup(struct lvs_conn *cp, u8 dir,
					const struct sk_buff *skb,
					struct net *net, bool *held);
void lvs_conn_route_release(struct lvs_conn *cp);
unsigned int lvs_xmit(struct sk_buff *skb, struct dst_entry *dst,
		      struct net *net, u8 family);

/* Translation (xlate.c, xlate.h) and ICMP errors about connections (icmp.c). */

/* The connection key of a TCP/UDP packet of either family (every packet's). */
static __always_inline int lvs_tuple_from_skb(struct sk_buff *skb,
					      unsigned int thoff, u8 proto,
					      u8 family, struct lvs_tuple *t)
{
	__be16 _ports[2];
	const __be16 *ports;

	ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
	if (!ports)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	if (family == NFPROTO_IPV6) {
		t->src.in6 = ipv6_hdr(skb)->saddr;
		t->dst.in6 = ipv6_hdr(skb)->daddr;
	} else {
		t->src.ip = ip_hdr(skb)->saddr;
		t->dst.ip = ip_hdr(skb)->daddr;
	}
	t->sport = ports[0];
	t->dport = ports[1];
	t->proto = proto;
	t->family = family;
	return 0;
}
bool lvs_dispatch(struct lvs_net *ln, struct sk_buff *skb,
		  const struct nft_pktinfo *pkt, const struct lvs_tuple *t,
		  unsigned int *verdict);
void lvs_toa_insert(struct lvs_conn *cp, struct sk_buff *skb,
		    unsigned int thoff, unsigned int mtu);
unsigned int lvs_xlate(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
		       unsigned int thoff, struct net *net, bool forwarded);

/*
 * The next hop's MTU for @cp's packets received in @dir on @dst, as their
 * sender sees it: across families the IP header changes size (an IPv6
 * sender may send 20 bytes more than the IPv4 link carries).
 */
static inline unsigned int lvs_xlate_mtu(const struct lvs_conn *cp, u8 dir,
					  const struct dst_entry *dst,
					  unsigned int thoff)
{
	u8 family = cp->hn[!dir].t.family;
	unsigned int mtu = dst_mtu(dst);

	if (cp->hn[dir].t.family != family)
		mtu = mtu + thoff - (family == NFPROTO_IPV6 ?
				     sizeof(struct ipv6hdr) : sizeof(struct iphdr));
	return mtu;
}

unsigned int lvs_xlate_pkt(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
			   const struct nft_pktinfo *pkt);
unsigned int lvs_xlate_held(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
			    struct net *net, bool forwarded);
struct sk_buff *lvs_tcp_build(const struct lvs_tuple *t, u32 seq, u32 ack,
			      u8 flags, u16 win, const u8 *opts,
			      unsigned int optlen, u8 ttl);
void lvs_tcp_send(struct net *net, struct sk_buff *skb);
void lvs_send_rst(struct net *net, const struct lvs_tuple *t, u32 seq);
void lvs_icmp_fix_quote(__be16 *ports, u8 proto, const struct lvs_conn *cp,
			u8 dir, bool quotes_ack);
unsigned int lvs_icmp64(struct sk_buff *skb, struct net *net,
			struct lvs_conn *cp, const struct lvs_conn_hnode *hn,
			unsigned int thoff, unsigned int ioff, unsigned int l4off,
			u8 proto, bool forwarded);
unsigned int lvs_icmp(struct lvs_net *ln, struct sk_buff *skb,
		      const struct nft_pktinfo *pkt, bool *handled);

/* The connection table's per-packet part, inline (conn.h). */
#include "conn.h"

#endif /* _NFT_LVS_H */
