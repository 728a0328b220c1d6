// SPDX-License-Identifier: GPL-2.0
/*
 * An XDP program that passes every packet: attached to the load balancer's
 * client-side veth it puts that veth in its NAPI receive mode, where a
 * packet still referenced by its sender (pktgen keeps one) is copied into a
 * buffer of its own before the stack sees it, as a network card's driver
 * builds one around the frame it received. Without it every variant but the
 * nft flowtable pays a clone and a header copy that real traffic does not.
 */
#include <linux/bpf.h>

__attribute__((section("xdp"), used))
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

__attribute__((section("license"), used))
char xdp_license[] = "GPL";
