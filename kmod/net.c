// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: connection table, counters, tunables,
 * and their /proc/net/nft_lvs/ and net.nft_lvs.* faces.
 *
 * Teardown order matters: when a namespace dies, our pernet exit runs
 * BEFORE nf_tables' own exit destroys the namespace's rules (pernet ops
 * exit in reverse registration order), but the net_generic area is freed
 * only after every exit method has run. So rule destroy callbacks may
 * still touch the plain fields of struct lvs_net (services, rs_list),
 * never anything that lvs_net_exit_ns() releases.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/random.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include "nft_lvs.h"
#include "compat.h"

unsigned int lvs_net_id __read_mostly;

/*
 * Our chains see reassembled packets (defrag hooks at -400, before raw):
 * a fragment carries no ports after the first, and a real server's large
 * UDP reply arrives in fragments, for either family.
 */
int lvs_defrag_enable(struct net *net, u8 family)
{
	int err;

	if (family == NFPROTO_IPV4 || family == NFPROTO_INET) {
		err = nf_defrag_ipv4_enable(net);
		if (err)
			return err;
	}
	if (family == NFPROTO_IPV6 || family == NFPROTO_INET) {
		err = nf_defrag_ipv6_enable(net);
		if (err) {
			if (family == NFPROTO_INET)
				nf_defrag_ipv4_disable(net);
			return err;
		}
	}
	return 0;
}

void lvs_defrag_disable(struct net *net, u8 family)
{
	if (family == NFPROTO_IPV4 || family == NFPROTO_INET)
		nf_defrag_ipv4_disable(net);
	if (family == NFPROTO_IPV6 || family == NFPROTO_INET)
		nf_defrag_ipv6_disable(net);
}

static const char *const lvs_stat_names[LVS_STAT_MAX] = {
	[LVS_STAT_CONN_NEW]		= "conn_new",
	[LVS_STAT_CONN_EXPIRED]		= "conn_expired",
	[LVS_STAT_CONN_NODEST]		= "conn_expired_nodest",
	[LVS_STAT_CONN_REUSED]		= "conn_reused",
	[LVS_STAT_CONN_EXCEEDED]	= "conn_exceeded",
	[LVS_STAT_CONN_EARLY_DROP]	= "conn_early_drop",
	[LVS_STAT_CONN_SCHED_UNREACH]	= "conn_sched_unreach",
	[LVS_STAT_CONN_NOMEM]		= "conn_nomem",
	[LVS_STAT_CONN_CLASH]		= "conn_clash",
	[LVS_STAT_LPORT_CONFLICT]	= "lport_conflict",
	[LVS_STAT_LPORT_EXHAUSTED]	= "lport_exhausted",
	[LVS_STAT_NOT_SCHEDULABLE]	= "not_schedulable",
	[LVS_STAT_PKTS_IN]		= "pkts_in",
	[LVS_STAT_PKTS_OUT]		= "pkts_out",
	[LVS_STAT_BYTES_IN]		= "bytes_in",
	[LVS_STAT_BYTES_OUT]		= "bytes_out",
	[LVS_STAT_ICMP_IN]		= "icmp_in",
	[LVS_STAT_ICMP_OUT]		= "icmp_out",
	[LVS_STAT_XMIT_NO_ROUTE]	= "xmit_no_route",
	[LVS_STAT_XMIT_FRAG_NEEDED]	= "xmit_frag_needed",
	[LVS_STAT_XMIT_ERROR]		= "xmit_error",
	[LVS_STAT_XMIT_ROUTE_LOOKUP]	= "xmit_route_lookup",
	[LVS_STAT_FASTPATH_PKTS]	= "fastpath_pkts",
	[LVS_STAT_FASTPATH_PASSED]	= "fastpath_passed",
	[LVS_STAT_TTL_EXCEEDED]		= "ttl_exceeded",
	[LVS_STAT_TOA_OK]		= "toa_ok",
	[LVS_STAT_TOA_FAIL_LEN]		= "toa_fail_len",
	[LVS_STAT_TOA_HEAD_FULL]	= "toa_head_full",
	[LVS_STAT_TOA_FAIL_MEM]		= "toa_fail_mem",
	[LVS_STAT_TOA_GSO]		= "toa_skip_gso",
	[LVS_STAT_RST_ON_EXPIRE]	= "rst_on_expire",
	[LVS_STAT_SP_SYN]		= "synproxy_syn",
	[LVS_STAT_SP_OK_ACK]		= "synproxy_ok_ack",
	[LVS_STAT_SP_BAD_ACK]		= "synproxy_bad_ack",
	[LVS_STAT_SP_NULL_ACK]		= "synproxy_null_ack",
	[LVS_STAT_SP_STRAY]		= "synproxy_stray",
	[LVS_STAT_SP_SYN_RETRY]		= "synproxy_syn_retry",
	[LVS_STAT_SP_RS_ERROR]		= "synproxy_rs_error",
	[LVS_STAT_SP_QUEUE_FULL]	= "synproxy_queue_full",
	[LVS_STAT_SP_ACKSTORM]		= "synproxy_ackstorm",
	[LVS_STAT_SP_BAD_CSUM]		= "synproxy_bad_csum",
	[LVS_STAT_VS_UNTRACKED]		= "service_untracked",
	[LVS_STAT_NO_TRANSPORT]		= "no_transport",
	[LVS_STAT_ICMP_NAT64]		= "icmp_nat64_dropped",
};

static int lvs_stats_show(struct seq_file *seq, void *v)
{
	const struct lvs_net *ln = lvs_pernet(seq_file_single_net(seq));
	unsigned int i;
	int cpu;

	seq_printf(seq, "services %d\n", atomic_read(&ln->services));
	seq_printf(seq, "conns %d\n", atomic_read(&ln->conn_count));
	for (i = 0; i < LVS_STAT_MAX; i++) {
		u64 sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(ln->stats, cpu)[i];
		seq_printf(seq, "%s %llu\n", lvs_stat_names[i], sum);
	}
	return 0;
}

static void lvs_seq_addr_port(struct seq_file *seq, u8 family,
			      const union nf_inet_addr *a, __be16 port)
{
	if (family == NFPROTO_IPV4)
		seq_printf(seq, "%pI4", &a->ip);
	else
		seq_printf(seq, "[%pI6c]", &a->in6);
	if (port)
		seq_printf(seq, ":%u", ntohs(port));
}

/* "conns active inactive pkts_in pkts_out bytes_in bytes_out" of an RS or VS. */
static void lvs_seq_counters(struct seq_file *seq, const atomic64_t *total,
			     const struct lb_rs_conns *conns,
			     struct lvs_rs_stats __percpu *stats)
{
	struct lvs_rs_stats sum = {};
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct lvs_rs_stats *s = per_cpu_ptr(stats, cpu);

		sum.pkts_in += s->pkts_in;
		sum.pkts_out += s->pkts_out;
		sum.bytes_in += s->bytes_in;
		sum.bytes_out += s->bytes_out;
	}
	seq_printf(seq, " %lld %d %d %llu %llu %llu %llu\n",
		   (long long)atomic64_read(total), atomic_read(&conns->active),
		   atomic_read(&conns->inactive), sum.pkts_in, sum.pkts_out,
		   sum.bytes_in, sum.bytes_out);
}

static int lvs_rs_show(struct seq_file *seq, void *v)
{
	struct lvs_net *ln = lvs_pernet(seq_file_single_net(seq));
	const struct lvs_rs *rs;

	seq_puts(seq, "real conns active inactive pkts_in pkts_out bytes_in bytes_out\n");
	spin_lock_bh(&ln->rs_lock);
	list_for_each_entry(rs, &ln->rs_list, list) {
		lvs_seq_addr_port(seq, rs->family, &rs->addr, rs->port);
		lvs_seq_counters(seq, &rs->conns_total, &rs->conns, rs->stats);
	}
	spin_unlock_bh(&ln->rs_lock);
	return 0;
}

static int lvs_vs_show(struct seq_file *seq, void *v)
{
	struct lvs_net *ln = lvs_pernet(seq_file_single_net(seq));
	const struct lvs_vs *vs;
	unsigned int i;

	seq_puts(seq, "proto virtual conns active inactive pkts_in pkts_out bytes_in bytes_out\n");
	spin_lock_bh(&ln->vs_lock);
	for (i = 0; i < LVS_VS_HASH_SIZE; i++) {
		hlist_for_each_entry(vs, &ln->vs_hash[i], node) {
			seq_puts(seq, vs->proto == IPPROTO_TCP ? "tcp " : "udp ");
			lvs_seq_addr_port(seq, vs->family, &vs->addr, vs->port);
			lvs_seq_counters(seq, &vs->conns_total, &vs->conns,
					 vs->stats);
		}
	}
	spin_unlock_bh(&ln->vs_lock);
	return 0;
}

static void lvs_conn_show_one(struct seq_file *seq, const struct lvs_conn *cp)
{
	const struct lvs_tuple *c = &cp->hn[LB_DIR_IN].t;
	const struct lvs_tuple *r = &cp->hn[LB_DIR_OUT].t;
	long left = (long)(READ_ONCE(cp->expires) - jiffies);

	seq_puts(seq, c->proto == IPPROTO_TCP ? "tcp " : "udp ");
	lvs_seq_addr_port(seq, c->family, &c->src, c->sport);
	seq_putc(seq, ' ');
	lvs_seq_addr_port(seq, c->family, &c->dst, c->dport);
	seq_putc(seq, ' ');
	lvs_seq_addr_port(seq, r->family, &r->dst, r->dport);
	seq_putc(seq, ' ');
	lvs_seq_addr_port(seq, r->family, &r->src, r->sport);
	seq_printf(seq, " %s %ld\n",
		   c->proto == IPPROTO_TCP ? lb_tcp_state_name(cp->state) : "UDP",
		   left > 0 ? DIV_ROUND_UP(left, HZ) : 0);
}

/*
 * /proc/net/nft_lvs/conns is read in pieces: the table may hold millions of
 * connections, so each read goes on where the last one stopped rather than
 * walking from the top again (or the listing being built at once). proc
 * offers per-net seq files no release hook, so the walker cannot stay
 * linked into the table between reads: it is entered and left by each
 * read, and only its place (bucket, and entries into the bucket) is kept.
 * Entries added or removed meanwhile may be missed, and a resize between
 * reads may repeat or skip some, as for any rhashtable dump.
 * Position n >= 1 is the n-th client-side entry.
 */
struct lvs_conns_iter {
	struct seq_net_private	p;
	struct rhashtable_iter	hti;
	loff_t			pos;		/* of the entry at slot/skip */
	unsigned int		slot, skip;	/* walker's place, kept by stop() */
};

/* The walker's next client-side entry; a resize (-EAGAIN) just goes on. */
static struct lvs_conn_hnode *lvs_conns_advance(struct rhashtable_iter *hti)
{
	struct lvs_conn_hnode *hn;

	do {
		hn = rhashtable_walk_next(hti);
	} while (hn && (IS_ERR(hn) || hn->t.dir != LB_DIR_IN));
	return hn;
}

static void *lvs_conns_start(struct seq_file *seq, loff_t *pos)
{
	struct lvs_conns_iter *it = seq->private;
	struct lvs_conn_hnode *hn = NULL;
	loff_t n;

	rhashtable_walk_enter(&lvs_pernet(seq_file_net(seq))->conn_tab,
			      &it->hti);
	if (*pos && *pos == it->pos) {
		/* The next read: back to the entry the last one stopped at. */
		it->hti.slot = it->slot;
		it->hti.skip = it->skip;
		rhashtable_walk_start(&it->hti);
		hn = rhashtable_walk_peek(&it->hti);
		if (hn && (IS_ERR(hn) || hn->t.dir != LB_DIR_IN))
			hn = lvs_conns_advance(&it->hti);
		return hn;
	}
	/* The first read, or a seek: walk from the top. */
	rhashtable_walk_start(&it->hti);
	it->pos = *pos;
	if (!*pos)
		return SEQ_START_TOKEN;
	for (n = 0; n < *pos; n++) {
		hn = lvs_conns_advance(&it->hti);
		if (!hn)
			break;
	}
	return hn;
}

static void *lvs_conns_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct lvs_conns_iter *it = seq->private;

	it->pos = ++*pos;
	return lvs_conns_advance(&it->hti);
}

static void lvs_conns_stop(struct seq_file *seq, void *v)
{
	struct lvs_conns_iter *it = seq->private;

	it->slot = it->hti.slot;
	it->skip = it->hti.skip;
	rhashtable_walk_stop(&it->hti);
	rhashtable_walk_exit(&it->hti);
}

static int lvs_conns_show(struct seq_file *seq, void *v)
{
	if (v == SEQ_START_TOKEN)
		seq_puts(seq, "proto client virtual local real state expires\n");
	else
		lvs_conn_show_one(seq, lvs_hnode_conn(v));
	return 0;
}

static const struct seq_operations lvs_conns_seq_ops = {
	.start	= lvs_conns_start,
	.next	= lvs_conns_next,
	.stop	= lvs_conns_stop,
	.show	= lvs_conns_show,
};

static int lvs_proc_init(struct net *net, struct lvs_net *ln)
{
	ln->proc_dir = proc_net_mkdir(net, "nft_lvs", net->proc_net);
	if (!ln->proc_dir)
		return -ENOMEM;
	if (!proc_create_net_single("stats", 0444, ln->proc_dir,
				    lvs_stats_show, NULL) ||
	    !proc_create_net("conns", 0444, ln->proc_dir, &lvs_conns_seq_ops,
			     sizeof(struct lvs_conns_iter)) ||
	    !proc_create_net_single("real", 0444, ln->proc_dir,
				    lvs_rs_show, NULL) ||
	    !proc_create_net_single("services", 0444, ln->proc_dir,
				    lvs_vs_show, NULL)) {
		remove_proc_subtree("nft_lvs", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

static unsigned int lvs_timeout_max = NFT_FULLNAT_TIMEOUT_MAX;
static unsigned int lvs_one = 1;

#define LVS_SYSCTL(_name, _field) {					\
	.procname	= _name,					\
	.data		= &((struct lvs_cfg *)0)->_field,		\
	.maxlen		= sizeof(unsigned int),				\
	.mode		= 0644,						\
	.proc_handler	= proc_douintvec_minmax,			\
	.extra1		= &lvs_one,					\
	.extra2		= &lvs_timeout_max,				\
}

/* .data holds offsets into struct lvs_cfg until a namespace binds them. */
static struct ctl_table lvs_sysctl_template[] = {
	{
		.procname	= "conn_max",
		.data		= &((struct lvs_cfg *)0)->conn_max,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= proc_douintvec,
	},
	LVS_SYSCTL("timeout_syn_sent", tcp_timeout[LB_TCP_SYN_SENT]),
	LVS_SYSCTL("timeout_syn_recv", tcp_timeout[LB_TCP_SYN_RECV]),
	LVS_SYSCTL("timeout_established", tcp_timeout[LB_TCP_ESTABLISHED]),
	LVS_SYSCTL("timeout_fin_wait", tcp_timeout[LB_TCP_FIN_WAIT]),
	LVS_SYSCTL("timeout_close_wait", tcp_timeout[LB_TCP_CLOSE_WAIT]),
	LVS_SYSCTL("timeout_last_ack", tcp_timeout[LB_TCP_LAST_ACK]),
	LVS_SYSCTL("timeout_time_wait", tcp_timeout[LB_TCP_TIME_WAIT]),
	LVS_SYSCTL("timeout_close", tcp_timeout[LB_TCP_CLOSE]),
	LVS_SYSCTL("timeout_udp", udp_timeout),
	{
		.procname	= "expire_nodest_conn",
		.data		= &((struct lvs_cfg *)0)->expire_nodest_conn,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= proc_douintvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{ }
};

static int lvs_sysctl_init(struct net *net, struct lvs_net *ln)
{
	unsigned int n = ARRAY_SIZE(lvs_sysctl_template) - 1, i;
	struct ctl_table *table;

	table = kmemdup(lvs_sysctl_template, sizeof(lvs_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		table[i].data = (char *)&ln->cfg + (uintptr_t)table[i].data;
	/* Tunables are the namespace owner's: read-only in other user ns. */
	if (net->user_ns != &init_user_ns)
		for (i = 0; i < n; i++)
			table[i].mode = 0444;
	ln->sysctl_hdr = lvs_register_net_sysctl(net, "net/nft_lvs", table, n);
	if (!ln->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	ln->sysctl_table = table;
	return 0;
}

static void lvs_sysctl_exit(struct lvs_net *ln)
{
	unregister_net_sysctl_table(ln->sysctl_hdr);
	kfree(ln->sysctl_table);
}

static void lvs_cfg_defaults(struct lvs_cfg *cfg)
{
	static const unsigned int tcp[LB_TCP_STATE_MAX] = LB_TCP_TIMEOUTS_DEFAULT;

	cfg->conn_max = 1 << 20;
	memcpy(cfg->tcp_timeout, tcp, sizeof(tcp));
	cfg->udp_timeout = LB_UDP_TIMEOUT_DEFAULT;
}

static int __net_init lvs_net_init_ns(struct net *net)
{
	struct lvs_net *ln = lvs_pernet(net);
	int err;

	ln->net = net;
	atomic_set(&ln->services, 0);
	lvs_rs_init(ln);
	lvs_vs_init(ln);
	lvs_poolset_net_init(ln);
	lvs_cfg_defaults(&ln->cfg);
	get_random_bytes(&ln->isn_key, sizeof(ln->isn_key));
	get_random_bytes(&ln->cookie_key, sizeof(ln->cookie_key));

	ln->stats = __alloc_percpu_gfp(LVS_STAT_MAX * sizeof(u64),
				       sizeof(u64), GFP_KERNEL_ACCOUNT);
	if (!ln->stats)
		return -ENOMEM;
	err = lvs_conn_table_init(ln);
	if (err)
		goto err_stats;
	err = lvs_proc_init(net, ln);
	if (err)
		goto err_table;
	err = lvs_sysctl_init(net, ln);
	if (err)
		goto err_proc;
	return 0;

err_proc:
	remove_proc_subtree("nft_lvs", net->proc_net);
err_table:
	lvs_conn_table_exit(ln);
err_stats:
	free_percpu(ln->stats);
	return err;
}

static void __net_exit lvs_net_exit_ns(struct net *net)
{
	struct lvs_net *ln = lvs_pernet(net);

	lvs_sysctl_exit(ln);
	remove_proc_subtree("nft_lvs", net->proc_net);
	lvs_poolset_net_exit(ln);
	lvs_conn_table_exit(ln);
	lvs_vs_purge(ln, true);
	lvs_rs_purge(ln, true);
	rcu_barrier();
	free_percpu(ln->stats);
}

static struct pernet_operations lvs_net_ops = {
	.init	= lvs_net_init_ns,
	.exit	= lvs_net_exit_ns,
	.id	= &lvs_net_id,
	.size	= sizeof(struct lvs_net),
};

int lvs_net_init(void)
{
	return register_pernet_subsys(&lvs_net_ops);
}

void lvs_net_exit(void)
{
	unregister_pernet_subsys(&lvs_net_ops);
}
