// SPDX-License-Identifier: GPL-2.0
/*
 * nftlvs-toa: the real server's side of TOA, as BPF programs.
 *
 * The load balancer puts the client's address and port into a TCP option
 * of the segment that completes the handshake with the real server (and of
 * request data sent before the server's first byte). sockops sees that
 * segment at BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB and keeps the address in
 * the socket's storage, if the peer is a trusted load balancer; the
 * getpeername4/6 programs then return it from accept(), getpeername() and
 * SO_PEERNAME instead of the load balancer's local address.
 *
 * The option is parsed by hand: bpf_load_hdr_opt() takes kinds 253 and 254
 * for RFC 6994 experimental options (with a magic number), which TOA is not.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "toa.h"

#define TCP_HDR_MIN	20
#define TCP_OPT_MAX	40	/* a 4-bit data offset allows 60 bytes of header */
#define TCPOPT_EOL	0
#define TCPOPT_NOP	1

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct toa_peer);
} toa_peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, struct toa_trust4);
	__type(value, __u8);
} toa_trust4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, struct toa_trust6);
	__type(value, __u8);
} toa_trust6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TOA_NCOUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} toa_counters SEC(".maps");

static __always_inline void count(__u32 what)
{
	__u64 *c = bpf_map_lookup_elem(&toa_counters, &what);

	if (c)
		(*c)++;		/* per-CPU: no other writer */
}

enum toa_parse {
	TOA_NONE,
	TOA_FOUND,
	TOA_BAD,
};

/*
 * Walk the options of the TCP header [data, end) and fill @peer from the
 * one TOA option. A TOA of a length its kind does not have, a second TOA,
 * or an option area that breaks (a length that is too short or runs past
 * the header) around a TOA make the whole segment's TOA untrustworthy.
 *
 * The option area is copied to the stack and read there at a masked
 * offset: no packet pointer with a variable offset, and no offset the
 * verifier must know exactly, so the states of the walk's turns prune
 * against each other on 6.1 as well. Each turn consumes at least one byte.
 *
 * The copy reads the packet directly, a 32-bit word at a time (a data
 * offset counts words), each word checked against @end. It does not use
 * bpf_probe_read_kernel(): libbpf replaces that helper with
 * bpf_probe_read(), which sockops may not call, on a kernel without
 * CONFIG_BPF_EVENTS, where its feature probe cannot load.
 */
#define OPT_BUF		128	/* offsets are masked to 63; 63 + TOA_LEN6 fits */

/*
 * Always 0, but the verifier cannot know: adding it makes the offset an
 * unknown value in [0, 63], the same in every path, so that the states of
 * a turn prune against each other instead of doubling with each option
 * (exact offsets with differing known bits never match).
 */
__u32 toa_zero;

static __always_inline __u32 blur(__u32 off)
{
	return (off + toa_zero) & 63;
}

static __always_inline enum toa_parse parse_toa(__u8 *data, __u8 *end,
						struct toa_peer *peer)
{
	__u8 opts[OPT_BUF] = {};
	bool seen = false, found = false;
	__u32 off = 0, optlen, copied = 0, len, i;
	__u8 kind;

	if (data + TCP_HDR_MIN > end)
		return TOA_NONE;
	optlen = (data[12] >> 4) * 4;
	if (optlen <= TCP_HDR_MIN)
		return TOA_NONE;
	optlen -= TCP_HDR_MIN;

#pragma unroll
	for (i = 0; i < TCP_OPT_MAX / 4; i++) {
		if (data + TCP_HDR_MIN + 4 * (i + 1) > end)
			break;
		__builtin_memcpy(&opts[4 * i], data + TCP_HDR_MIN + 4 * i, 4);
		copied += 4;
	}
	if (optlen > copied)
		optlen = copied;	/* all we are given */

	for (i = 0; i < TCP_OPT_MAX; i++) {
		off = blur(off);
		if (off >= optlen)
			break;
		kind = opts[off & 63];
		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			off++;
			continue;
		}
		if (kind == TOA_KIND || kind == TOA_KIND6)
			seen = true;
		len = off + 1 < optlen ? opts[(off + 1) & 63] : 0;
		if (len < 2 || off + len > optlen)
			return seen ? TOA_BAD : TOA_NONE;	/* breaks the area */
		if (kind == TOA_KIND || kind == TOA_KIND6) {
			if (found)
				return TOA_BAD;			/* repeated */
			if (len == TOA_LEN4 && kind == TOA_KIND)
				peer->family = TOA_AF_INET;
			else if (len == TOA_LEN6)
				peer->family = TOA_AF_INET6;
			else
				return TOA_BAD;
			found = true;
			peer->pad = off;	/* where it is, read below */
		}
		off += len;
	}
	if (!found)
		return seen ? TOA_BAD : TOA_NONE;

	/* The walk checked that the whole option lies inside the area. */
	off = peer->pad & 63;
	peer->pad = 0;
	__builtin_memcpy(&peer->port, &opts[off + 2], 2);
	if (peer->family == TOA_AF_INET)
		__builtin_memcpy(peer->addr, &opts[off + 4], 4);
	else
		__builtin_memcpy(peer->addr, &opts[off + 4], 16);
	return TOA_FOUND;
}

static __always_inline bool is_v4mapped(const __u32 *a)
{
	return a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0xffff);
}

/* Is the peer of this connection a trusted load balancer? */
static __always_inline bool peer_trusted(struct bpf_sock_ops *skops)
{
	__u32 ip6[4] = {
		skops->remote_ip6[0], skops->remote_ip6[1],
		skops->remote_ip6[2], skops->remote_ip6[3],
	};
	struct toa_trust4 k4 = { .prefixlen = 32 };
	struct toa_trust6 k6 = { .prefixlen = 128 };
	__u32 ip4;

	/* An IPv4 peer of a dual-stack socket is trusted as IPv4. */
	if (skops->family == TOA_AF_INET || is_v4mapped(ip6)) {
		ip4 = skops->remote_ip4;
		__builtin_memcpy(k4.addr, &ip4, 4);
		return bpf_map_lookup_elem(&toa_trust4, &k4) != NULL;
	}
	__builtin_memcpy(k6.addr, ip6, 16);
	return bpf_map_lookup_elem(&toa_trust6, &k6) != NULL;
}

SEC("sockops")
int toa_sockops(struct bpf_sock_ops *skops)
{
	struct toa_peer peer = {}, *stored;
	struct bpf_sock *sk;
	enum toa_parse res;

	if (skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;

	res = parse_toa((__u8 *)(long)skops->skb_data,
			(__u8 *)(long)skops->skb_data_end, &peer);
	if (res == TOA_NONE)
		return 1;
	count(TOA_SEEN);
	if (res == TOA_BAD) {
		count(TOA_MALFORMED);
		return 1;
	}
	if (!peer_trusted(skops)) {
		count(TOA_UNTRUSTED);
		return 1;
	}

	/* The IPv6 layout may carry an IPv4 client (v4-mapped): keep it as IPv4. */
	if (peer.family == TOA_AF_INET6 && is_v4mapped(peer.addr)) {
		peer.family = TOA_AF_INET;
		peer.addr[0] = peer.addr[3];
		peer.addr[1] = peer.addr[2] = peer.addr[3] = 0;
	}

	sk = skops->sk;
	if (!sk)
		return 1;
	stored = bpf_sk_storage_get(&toa_peers, sk, NULL,
				    BPF_SK_STORAGE_GET_F_CREATE);
	if (!stored) {
		count(TOA_NOMEM);
		return 1;
	}
	*stored = peer;
	count(TOA_USED);
	if (peer.family == TOA_AF_INET6 && skops->family == TOA_AF_INET)
		count(TOA_V6_ON_V4);
	return 1;
}

/*
 * An IPv4 socket can return only an IPv4 client; an IPv6 client on an
 * IPv4 socket (NAT64 through the load balancer) keeps showing the load
 * balancer's address here, and is readable from the socket's storage.
 */
SEC("cgroup/getpeername4")
int toa_getpeername4(struct bpf_sock_addr *ctx)
{
	struct toa_peer *peer;
	struct bpf_sock *sk = ctx->sk;

	if (!sk)
		return 1;
	peer = bpf_sk_storage_get(&toa_peers, sk, NULL, 0);
	if (!peer || peer->family != TOA_AF_INET)
		return 1;
	ctx->user_ip4 = peer->addr[0];
	ctx->user_port = peer->port;
	return 1;
}

/* An IPv4 client on a dual-stack socket is shown v4-mapped, as the kernel does. */
SEC("cgroup/getpeername6")
int toa_getpeername6(struct bpf_sock_addr *ctx)
{
	struct toa_peer *peer;
	struct bpf_sock *sk = ctx->sk;

	if (!sk)
		return 1;
	peer = bpf_sk_storage_get(&toa_peers, sk, NULL, 0);
	if (!peer)
		return 1;
	if (peer->family == TOA_AF_INET) {
		ctx->user_ip6[0] = 0;
		ctx->user_ip6[1] = 0;
		ctx->user_ip6[2] = bpf_htonl(0xffff);
		ctx->user_ip6[3] = peer->addr[0];
	} else {
		ctx->user_ip6[0] = peer->addr[0];
		ctx->user_ip6[1] = peer->addr[1];
		ctx->user_ip6[2] = peer->addr[2];
		ctx->user_ip6[3] = peer->addr[3];
	}
	ctx->user_port = peer->port;
	return 1;
}
