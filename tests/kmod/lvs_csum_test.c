// SPDX-License-Identifier: GPL-2.0
/*
 * lvs_csum_test: a test-only module that lets the suite exercise the
 * checksum state veth never produces.
 *
 * At IPv4 and IPv6 prerouting, before any nf_tables chain (our statements sit at
 * priority raw), every non-GSO packet received on a device named in
 * "devices" is turned into CHECKSUM_COMPLETE with a correct skb->csum, the
 * state a NIC that sums whole frames delivers. At postrouting, every
 * non-GSO TCP/UDP packet leaving through such a device has its IP (IPv4)
 * and L4 checksum recomputed in software and compared (fragments are left
 * alone); mismatches are counted
 * in "bad", and a COMPLETE skb whose skb->csum no longer matches its bytes
 * is counted in "bad_complete".
 *
 * The counters are read-only module parameters under
 * /sys/module/lvs_csum_test/parameters/.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/netdevice.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/string.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

static char devices[128] = "cli0,rsbr";
module_param_string(devices, devices, sizeof(devices), 0644);
MODULE_PARM_DESC(devices, "comma-separated device names to act on");

static atomic_long_t converted, verified, verified6, bad, bad_complete, skipped_gso;

static int counter_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(kp->arg));
}

static const struct kernel_param_ops counter_ops = {
	.get = counter_get,
};

module_param_cb(converted, &counter_ops, &converted, 0444);
module_param_cb(verified, &counter_ops, &verified, 0444);
module_param_cb(verified6, &counter_ops, &verified6, 0444);
module_param_cb(bad, &counter_ops, &bad, 0444);
module_param_cb(bad_complete, &counter_ops, &bad_complete, 0444);
module_param_cb(skipped_gso, &counter_ops, &skipped_gso, 0444);

static bool watched(const struct net_device *dev)
{
	size_t n = strlen(dev->name);
	const char *p = devices;

	while (*p) {
		size_t len = strcspn(p, ",\n");

		if (len == n && !strncmp(p, dev->name, n))
			return true;
		p += len;
		p += strspn(p, ",\n");
	}
	return false;
}

static unsigned int make_complete(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	if (!state->in || !watched(state->in))
		return NF_ACCEPT;
	if (skb_is_gso(skb)) {
		atomic_long_inc(&skipped_gso);
		return NF_ACCEPT;
	}
	/* A sender's partial sum must be finished first, as a NIC would. */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		return NF_DROP;
	/* At prerouting skb->data is the IP header; a NIC sums from there. */
	skb->csum = skb_checksum(skb, 0, skb->len, 0);
	skb->ip_summed = CHECKSUM_COMPLETE;
	atomic_long_inc(&converted);
	return NF_ACCEPT;
}

/* Whether @skb leaves through a watched device in a state we can audit. */
static bool auditable(const struct sk_buff *skb,
		      const struct nf_hook_state *state)
{
	return state->out && watched(state->out) && !skb_is_gso(skb) &&
	       skb->ip_summed != CHECKSUM_PARTIAL;
}

static __sum16 pseudo4(const struct sk_buff *skb, unsigned int len, u8 proto,
		       __wsum sum)
{
	return csum_tcpudp_magic(ip_hdr(skb)->saddr, ip_hdr(skb)->daddr, len,
				 proto, sum);
}

static __sum16 pseudo6(const struct sk_buff *skb, unsigned int len, u8 proto,
		       __wsum sum)
{
	return csum_ipv6_magic(&ipv6_hdr(skb)->saddr, &ipv6_hdr(skb)->daddr,
			       len, proto, sum);
}

/*
 * Audit the transport checksum at @thoff; @pseudo is the pseudo-header's
 * fold of the sum. A stale skb->csum of a COMPLETE packet counts apart.
 */
static void audit_l4(const struct sk_buff *skb, unsigned int thoff, u8 proto,
		     bool v4_udp_zero_ok,
		     __sum16 (*pseudo)(const struct sk_buff *skb,
				       unsigned int len, u8 proto, __wsum sum))
{
	unsigned int len = skb->len - thoff;

	if (skb->ip_summed == CHECKSUM_COMPLETE &&
	    csum_fold(skb_checksum(skb, skb_network_offset(skb),
				   skb->len - skb_network_offset(skb), 0)) !=
	    csum_fold(skb->csum))
		atomic_long_inc(&bad_complete);
	if (proto == IPPROTO_UDP && v4_udp_zero_ok) {
		const struct udphdr *uh = (const void *)skb->data + thoff;

		if (!uh->check) {	/* no checksum: nothing to verify */
			atomic_long_inc(&verified);
			return;
		}
	}
	if (pseudo(skb, len, proto, skb_checksum(skb, thoff, len, 0))) {
		atomic_long_inc(&bad);
		return;
	}
	atomic_long_inc(&verified);
	if (pseudo == pseudo6)
		atomic_long_inc(&verified6);
}

static unsigned int check_output4(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!auditable(skb, state) ||
	    (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP) ||
	    ip_is_fragment(iph))
		return NF_ACCEPT;
	if (ip_fast_csum(iph, iph->ihl)) {
		atomic_long_inc(&bad);
		return NF_ACCEPT;
	}
	audit_l4(skb, skb_network_offset(skb) + iph->ihl * 4, iph->protocol,
		 true, pseudo4);
	return NF_ACCEPT;
}

static unsigned int check_output6(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	u8 proto = ipv6_hdr(skb)->nexthdr;
	__be16 frag_off;
	int thoff;

	if (!auditable(skb, state))
		return NF_ACCEPT;
	thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				 sizeof(struct ipv6hdr), &proto, &frag_off);
	if (thoff < 0 || (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return NF_ACCEPT;
	/* A fragment (offset or MF set): not checkable alone. */
	if (frag_off)
		return NF_ACCEPT;
	audit_l4(skb, thoff, proto, false, pseudo6);
	return NF_ACCEPT;
}

static const struct nf_hook_ops csum_test_ops[] = {
	{
		.hook		= make_complete,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_RAW - 10,
	},
	{
		.hook		= check_output4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_LAST,
	},
	{
		.hook		= make_complete,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_RAW - 10,
	},
	{
		.hook		= check_output6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_LAST,
	},
};

static int __net_init csum_test_net_init(struct net *net)
{
	return nf_register_net_hooks(net, csum_test_ops,
				     ARRAY_SIZE(csum_test_ops));
}

static void __net_exit csum_test_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, csum_test_ops, ARRAY_SIZE(csum_test_ops));
}

static struct pernet_operations csum_test_net_ops = {
	.init	= csum_test_net_init,
	.exit	= csum_test_net_exit,
};

static int __init csum_test_init(void)
{
	return register_pernet_subsys(&csum_test_net_ops);
}

static void __exit csum_test_exit(void)
{
	unregister_pernet_subsys(&csum_test_net_ops);
}

module_init(csum_test_init);
module_exit(csum_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nftlvs test helper: CHECKSUM_COMPLETE input and checksum audit");
