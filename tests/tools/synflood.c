// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: a bounded generator of spoofed TCP segments for the SYNPROXY
 * tests. Sends COUNT segments with random source addresses from a prefix
 * and random source ports to DST:PORT, stopping after SECONDS at the
 * latest, as fast as the machine allows; prints what it did as JSON.
 *
 *   synflood DST PORT SRC_PREFIX/LEN COUNT SECONDS [syn|ack|rst|fin]
 *
 * "ack" segments carry a random acknowledgement number: forged cookies.
 * Only ever point it at a test namespace's address.
 */
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

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint16_t csum(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)p[0] << 8;
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

int main(int argc, char **argv)
{
	struct {
		struct iphdr ip;
		struct tcphdr tcp;
		uint8_t opts[4];	/* MSS */
	} __attribute__((packed)) pkt;
	struct {
		uint32_t saddr, daddr;
		uint8_t zero, proto;
		uint16_t len;
	} __attribute__((packed)) ph;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned long count, sent = 0, failed = 0, i;
	uint32_t prefix, hostmask;
	double limit, start;
	const char *kind = argc > 6 ? argv[6] : "syn";
	char *slash;
	int fd, one = 1, plen;

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
	if (!count || count > 10000000 || limit <= 0 || limit > 600)
		return usage();
	hostmask = (1u << (32 - plen)) - 1;
	rng ^= (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("synflood: raw socket");
		return 1;
	}

	memset(&pkt, 0, sizeof(pkt));
	pkt.ip.version = 4;
	pkt.ip.ihl = 5;
	pkt.ip.tot_len = htons(sizeof(pkt));
	pkt.ip.ttl = 64;
	pkt.ip.protocol = IPPROTO_TCP;
	pkt.ip.daddr = dst.sin_addr.s_addr;
	pkt.tcp.dest = htons((uint16_t)atoi(argv[2]));
	pkt.tcp.doff = (sizeof(pkt.tcp) + sizeof(pkt.opts)) / 4;
	pkt.tcp.window = htons(64240);
	pkt.opts[0] = 2;
	pkt.opts[1] = 4;
	pkt.opts[2] = 1460 >> 8;
	pkt.opts[3] = 1460 & 0xff;
	if (!strcmp(kind, "syn"))
		pkt.tcp.syn = 1;
	else if (!strcmp(kind, "ack"))
		pkt.tcp.ack = 1;
	else if (!strcmp(kind, "rst"))
		pkt.tcp.rst = 1;
	else if (!strcmp(kind, "fin"))
		pkt.tcp.fin = pkt.tcp.ack = 1;
	else
		return usage();

	start = now();
	for (i = 0; i < count; i++) {
		uint32_t host = rnd() & hostmask;

		/* Skip the network and broadcast addresses, and .1-.9 (the
		 * test's own hosts).
		 */
		if (host < 10 || host == hostmask)
			host = 10 + host % (hostmask - 10);
		pkt.ip.saddr = (prefix & htonl(~hostmask)) | htonl(host);
		pkt.ip.id = (uint16_t)rnd();
		pkt.tcp.source = htons((uint16_t)(1024 + rnd() % 64000));
		pkt.tcp.seq = rnd();
		pkt.tcp.ack_seq = pkt.tcp.ack ? rnd() : 0;
		pkt.tcp.check = 0;
		ph.saddr = pkt.ip.saddr;
		ph.daddr = pkt.ip.daddr;
		ph.zero = 0;
		ph.proto = IPPROTO_TCP;
		ph.len = htons(sizeof(pkt) - sizeof(pkt.ip));
		{
			uint8_t buf[sizeof(ph) + sizeof(pkt) - sizeof(pkt.ip)];

			memcpy(buf, &ph, sizeof(ph));
			memcpy(buf + sizeof(ph), &pkt.tcp, sizeof(pkt) - sizeof(pkt.ip));
			pkt.tcp.check = csum(buf, sizeof(buf), 0);
		}
		if (sendto(fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&dst,
			   sizeof(dst)) == sizeof(pkt))
			sent++;
		else if (errno != ENOBUFS && errno != EAGAIN)
			failed++;
		if ((i & 255) == 0 && now() - start > limit)
			break;
	}
	printf("{\"sent\": %lu, \"failed\": %lu, \"seconds\": %.3f}\n", sent,
	       failed, now() - start);
	return failed && !sent;
}
