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
 *   synflood DST PORT SRC_PREFIX/LEN COUNT SECONDS [syn|ack|rst|fin]
 *
 * "ack" segments carry a random acknowledgement number: forged cookies.
 * Only ever point it at a test namespace's address.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64

struct segment {
	struct iphdr ip;
	struct tcphdr tcp;
	uint8_t opts[4];	/* MSS */
} __attribute__((packed));

static uint64_t rng = 0x243f6a8885a308d3ull;

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
		"[syn|ack|rst|fin]\n");
	return 2;
}

/* A fresh source, port, sequence (and ack) in @s; the kernel fills in the
 * IP checksum and length (IP_HDRINCL), the TCP checksum is ours. */
static void randomize(struct segment *s, uint32_t prefix, uint32_t hostmask)
{
	uint32_t host = rnd() & hostmask, pseudo[3];

	/* Not the network or broadcast address, nor .1-.9 (the test's own
	 * hosts). */
	if (host < 10 || host == hostmask)
		host = 10 + host % (hostmask - 10);
	s->ip.saddr = (prefix & htonl(~hostmask)) | htonl(host);
	s->ip.id = (uint16_t)rnd();
	s->tcp.source = htons((uint16_t)(1024 + rnd() % 64000));
	s->tcp.seq = rnd();
	s->tcp.ack_seq = s->tcp.ack ? rnd() : 0;
	s->tcp.check = 0;
	pseudo[0] = s->ip.saddr;
	pseudo[1] = s->ip.daddr;
	pseudo[2] = htonl(IPPROTO_TCP << 16 | (sizeof(*s) - sizeof(s->ip)));
	s->tcp.check = fold(sum16(&s->tcp, sizeof(*s) - sizeof(s->ip),
				  sum16(pseudo, sizeof(pseudo), 0)));
}

int main(int argc, char **argv)
{
	static struct segment segs[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned long count, sent = 0, failed = 0;
	uint32_t prefix, hostmask;
	double limit, start, t;
	const char *kind = argc > 6 ? argv[6] : "syn";
	struct segment tmpl;
	char *slash;
	int fd, one = 1, plen, i, n;

	if (argc < 6 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1)
		return usage();
	slash = strchr(argv[3], '/');
	if (!slash)
		return usage();
	*slash = 0;
	plen = atoi(slash + 1);
	if (inet_pton(AF_INET, argv[3], &prefix) != 1 || plen < 8 || plen > 30)
		return usage();
	count = strtoul(argv[4], NULL, 0);
	limit = atof(argv[5]);
	if (!count || count > 100000000 || limit <= 0 || limit > 600)
		return usage();
	hostmask = (1u << (32 - plen)) - 1;
	rng ^= (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("synflood: raw socket");
		return 1;
	}

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.ip.version = 4;
	tmpl.ip.ihl = 5;
	tmpl.ip.tot_len = htons(sizeof(tmpl));
	tmpl.ip.ttl = 64;
	tmpl.ip.protocol = IPPROTO_TCP;
	tmpl.ip.daddr = dst.sin_addr.s_addr;
	tmpl.tcp.dest = htons((uint16_t)atoi(argv[2]));
	tmpl.tcp.doff = (sizeof(tmpl.tcp) + sizeof(tmpl.opts)) / 4;
	tmpl.tcp.window = htons(64240);
	tmpl.opts[0] = 2;
	tmpl.opts[1] = 4;
	tmpl.opts[2] = 1460 >> 8;
	tmpl.opts[3] = 1460 & 0xff;
	if (!strcmp(kind, "syn"))
		tmpl.tcp.syn = 1;
	else if (!strcmp(kind, "ack"))
		tmpl.tcp.ack = 1;
	else if (!strcmp(kind, "rst"))
		tmpl.tcp.rst = 1;
	else if (!strcmp(kind, "fin"))
		tmpl.tcp.fin = tmpl.tcp.ack = 1;
	else
		return usage();

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		segs[i] = tmpl;
		iov[i].iov_base = &segs[i];
		iov[i].iov_len = sizeof(segs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = sizeof(dst);
	}
	start = now();
	while (sent < count && now() - start < limit) {
		n = count - sent < BATCH ? (int)(count - sent) : BATCH;
		for (i = 0; i < n; i++)
			randomize(&segs[i], prefix, hostmask);
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
