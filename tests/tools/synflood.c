// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: a bounded generator of spoofed TCP segments, for the SYNPROXY
 * tests and the SYN-flood benchmark. Sends COUNT segments with random
 * source addresses from a prefix, random source ports and sequence numbers
 * and an MSS option, as a flood tool would, to DST:PORT, stopping after
 * SECONDS at the latest, as fast as the machine allows (batches of
 * sendmmsg); prints what it did as JSON:
 *   {"sent": N, "failed": N, "seconds": S, "rate": N/S}
 *
 *   synflood DST PORT SRC_PREFIX/LEN COUNT SECONDS [syn|ack|rst|fin|badsum-syn]
 *
 * DST and SRC_PREFIX are both IPv4 (LEN 8-30) or both IPv6 (LEN 96-120:
 * the random host part lives in the last 32 bits).
 *
 * "ack" segments carry a random acknowledgement number: forged cookies.
 * "badsum-syn" SYNs carry a wrong TCP checksum (corrupted on the way).
 * Only ever point it at a test namespace's address.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64

struct tcp_part {
	struct tcphdr tcp;
	uint8_t opts[4];	/* MSS */
} __attribute__((packed));

struct segment {
	union {
		struct {
			struct iphdr ip;
			struct tcp_part l4;
		} __attribute__((packed)) v4;
		struct {
			struct ip6_hdr ip6;
			struct tcp_part l4;
		} __attribute__((packed)) v6;
	};
};

static uint64_t rng = 0x243f6a8885a308d3ull;
static int bad_checksum;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint32_t sum16(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: synflood DST PORT SRC_PREFIX/LEN COUNT SECONDS "
		"[syn|ack|rst|fin|badsum-syn]\n");
	return 2;
}

/* A host part for a /(32 - bits of @hostmask) prefix: not the network or
 * all-ones address, nor 1-9 (the test's own hosts). */
static uint32_t random_host(uint32_t hostmask)
{
	uint32_t host = rnd() & hostmask;

	if (host < 10 || host == hostmask)
		host = 10 + host % (hostmask - 10);
	return host;
}

/* A fresh source, port, sequence (and ack) in @s; for IPv4 the kernel
 * fills in the IP checksum and length (IP_HDRINCL), the TCP checksum is
 * ours. */
static void randomize(struct segment *s, int af, const void *prefix,
		      uint32_t hostmask)
{
	uint32_t host = htonl(random_host(hostmask)), sum;
	struct tcp_part *l4;

	if (af == AF_INET6) {
		uint32_t pseudo[2] = { 0, htonl(sizeof(*l4)) }, *last;

		l4 = &s->v6.l4;
		memcpy(&s->v6.ip6.ip6_src, prefix, 16);
		last = (uint32_t *)&s->v6.ip6.ip6_src + 3;
		*last = (*last & ~htonl(hostmask)) | host;
		sum = sum16(&s->v6.ip6.ip6_src, 32, 0);
		sum = sum16(pseudo, sizeof(pseudo), sum) + IPPROTO_TCP;
	} else {
		uint32_t pseudo[3];

		l4 = &s->v4.l4;
		s->v4.ip.saddr = (*(const uint32_t *)prefix & ~htonl(hostmask)) | host;
		s->v4.ip.id = (uint16_t)rnd();
		pseudo[0] = s->v4.ip.saddr;
		pseudo[1] = s->v4.ip.daddr;
		pseudo[2] = htonl(IPPROTO_TCP << 16 | sizeof(*l4));
		sum = sum16(pseudo, sizeof(pseudo), 0);
	}
	l4->tcp.source = htons((uint16_t)(1024 + rnd() % 64000));
	l4->tcp.seq = rnd();
	l4->tcp.ack_seq = l4->tcp.ack ? rnd() : 0;
	l4->tcp.check = 0;
	l4->tcp.check = fold(sum16(l4, sizeof(*l4), sum));
	if (bad_checksum)
		l4->tcp.check ^= htons(0x0100);
}

int main(int argc, char **argv)
{
	static struct segment segs[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct sockaddr_in6 dst6 = { .sin6_family = AF_INET6 };
	unsigned long count, sent = 0, failed = 0;
	uint8_t prefix[16];
	uint32_t hostmask;
	double limit, start, t;
	const char *kind = argc > 6 ? argv[6] : "syn";
	struct segment tmpl;
	struct tcp_part *l4;
	size_t seglen;
	char *slash;
	int af, fd, one = 1, plen, i, n;

	if (argc < 6)
		return usage();
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, argv[1], &dst6.sin6_addr) == 1)
		af = AF_INET6;
	else
		return usage();
	slash = strchr(argv[3], '/');
	if (!slash)
		return usage();
	*slash = 0;
	plen = atoi(slash + 1);
	if (inet_pton(af, argv[3], prefix) != 1)
		return usage();
	if (af == AF_INET6)
		plen -= 96;	/* the random part is in the last 32 bits */
	if (plen < (af == AF_INET6 ? 0 : 8) || plen > 30)
		return usage();
	count = strtoul(argv[4], NULL, 0);
	limit = atof(argv[5]);
	if (!count || count > 100000000 || limit <= 0 || limit > 600)
		return usage();
	hostmask = plen ? (1u << (32 - plen)) - 1 : ~0u;
	rng ^= (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);

	/* IPPROTO_RAW: the header is ours (IPv6 implies it, IPv4 is told). */
	fd = socket(af, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || (af == AF_INET &&
		       setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)))) {
		perror("synflood: raw socket");
		return 1;
	}

	memset(&tmpl, 0, sizeof(tmpl));
	if (af == AF_INET6) {
		seglen = sizeof(tmpl.v6);
		tmpl.v6.ip6.ip6_flow = htonl(6u << 28);
		tmpl.v6.ip6.ip6_plen = htons(sizeof(struct tcp_part));
		tmpl.v6.ip6.ip6_nxt = IPPROTO_TCP;
		tmpl.v6.ip6.ip6_hlim = 64;
		tmpl.v6.ip6.ip6_dst = dst6.sin6_addr;
		l4 = &tmpl.v6.l4;
	} else {
		seglen = sizeof(tmpl.v4);
		tmpl.v4.ip.version = 4;
		tmpl.v4.ip.ihl = 5;
		tmpl.v4.ip.tot_len = htons(sizeof(tmpl.v4));
		tmpl.v4.ip.ttl = 64;
		tmpl.v4.ip.protocol = IPPROTO_TCP;
		tmpl.v4.ip.daddr = dst.sin_addr.s_addr;
		l4 = &tmpl.v4.l4;
	}
	l4->tcp.dest = htons((uint16_t)atoi(argv[2]));
	l4->tcp.doff = sizeof(*l4) / 4;
	l4->tcp.window = htons(64240);
	l4->opts[0] = 2;
	l4->opts[1] = 4;
	l4->opts[2] = 1460 >> 8;
	l4->opts[3] = 1460 & 0xff;
	if (!strcmp(kind, "syn"))
		l4->tcp.syn = 1;
	else if (!strcmp(kind, "badsum-syn"))
		l4->tcp.syn = bad_checksum = 1;
	else if (!strcmp(kind, "ack"))
		l4->tcp.ack = 1;
	else if (!strcmp(kind, "rst"))
		l4->tcp.rst = 1;
	else if (!strcmp(kind, "fin"))
		l4->tcp.fin = l4->tcp.ack = 1;
	else
		return usage();

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		segs[i] = tmpl;
		iov[i].iov_base = &segs[i];
		iov[i].iov_len = seglen;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		if (af == AF_INET6) {
			msgs[i].msg_hdr.msg_name = &dst6;
			msgs[i].msg_hdr.msg_namelen = sizeof(dst6);
		} else {
			msgs[i].msg_hdr.msg_name = &dst;
			msgs[i].msg_hdr.msg_namelen = sizeof(dst);
		}
	}
	start = now();
	while (sent < count && now() - start < limit) {
		n = count - sent < BATCH ? (int)(count - sent) : BATCH;
		for (i = 0; i < n; i++)
			randomize(&segs[i], af, prefix, hostmask);
		n = sendmmsg(fd, msgs, n, 0);
		if (n > 0) {
			sent += n;
		} else if (errno != ENOBUFS && errno != EAGAIN) {
			failed++;
			if (failed > 1000)
				break;
		}
	}
	t = now() - start;
	printf("{\"sent\": %lu, \"failed\": %lu, \"seconds\": %.3f, \"rate\": %.1f}\n",
	       sent, failed, t, t > 0 ? sent / t : 0.0);
	return failed && !sent;
}
