// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: spoofed TCP SYNs from a raw socket, for the SYN-flood
 * benchmark. Every SYN has a random source address inside SRC/PREFIX, a
 * random source port and sequence number, and an MSS option, as a flood
 * tool would send them. Only for the benchmark's own namespaces.
 *
 *   synflood SRC/PREFIX DST:PORT COUNT SECONDS
 *
 * Stops after COUNT SYNs or SECONDS, whichever comes first, and prints
 *   {"sent": N, "seconds": S, "rate": N/S}
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64
#define PKT_LEN	44		/* IPv4 20 + TCP 20 + MSS option 4 */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += p[0] << 8 | p[1];
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The kernel fills in the IP checksum, total length and ID of a raw
 * IPPROTO_RAW packet; the TCP checksum is ours.
 */
static void build_syn(uint8_t *p, uint32_t saddr, uint32_t daddr, uint16_t dport)
{
	uint8_t pseudo[12];
	uint16_t sport = 1024 + rnd() % 64000, csum;
	uint32_t seq = rnd();

	memset(p, 0, PKT_LEN);
	p[0] = 0x45;
	p[8] = 64;
	p[9] = IPPROTO_TCP;
	memcpy(p + 12, &saddr, 4);
	memcpy(p + 16, &daddr, 4);

	p[20] = sport >> 8;
	p[21] = sport & 0xff;
	p[22] = dport >> 8;
	p[23] = dport & 0xff;
	memcpy(p + 24, &seq, 4);
	p[32] = 6 << 4;			/* data offset: 24 bytes */
	p[33] = 0x02;			/* SYN */
	p[34] = 0xfa;			/* window 64240 */
	p[35] = 0xf0;
	p[40] = 2;			/* MSS 1460 */
	p[41] = 4;
	p[42] = 1460 >> 8;
	p[43] = 1460 & 0xff;

	memcpy(pseudo, p + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = 0;
	pseudo[11] = PKT_LEN - 20;
	csum = fold(sum16(p + 20, PKT_LEN - 20, sum16(pseudo, 12, 0)));
	p[36] = csum >> 8;
	p[37] = csum & 0xff;
}

int main(int argc, char **argv)
{
	static uint8_t pkts[BATCH][PKT_LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned long count, sent = 0;
	uint32_t net, mask, host;
	uint16_t dport;
	double t0, end, t;
	char buf[64], *slash, *colon;
	int fd, i, n, prefix;

	if (argc != 5)
		goto usage;
	snprintf(buf, sizeof(buf), "%s", argv[1]);
	slash = strchr(buf, '/');
	if (!slash)
		goto usage;
	*slash = 0;
	if (inet_pton(AF_INET, buf, &net) != 1)
		goto usage;
	prefix = atoi(slash + 1);
	if (prefix < 8 || prefix > 32)
		goto usage;
	mask = prefix == 32 ? 0 : 0xffffffffu >> prefix;
	snprintf(buf, sizeof(buf), "%s", argv[2]);
	colon = strchr(buf, ':');
	if (!colon)
		goto usage;
	*colon = 0;
	if (inet_pton(AF_INET, buf, &dst.sin_addr) != 1)
		goto usage;
	dport = (uint16_t)atoi(colon + 1);
	count = strtoul(argv[3], NULL, 0);
	rnd_state ^= (uint64_t)getpid() << 32;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("synflood: raw socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = PKT_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = sizeof(dst);
	}
	t0 = now();
	end = t0 + atof(argv[4]);
	while (sent < count && (t = now()) < end) {
		n = count - sent < BATCH ? (int)(count - sent) : BATCH;
		for (i = 0; i < n; i++) {
			host = (ntohl(net) & ~mask) | (rnd() & mask);
			build_syn(pkts[i], htonl(host), dst.sin_addr.s_addr, dport);
		}
		n = sendmmsg(fd, msgs, n, 0);
		if (n > 0)
			sent += n;
		else if (errno != ENOBUFS && errno != EAGAIN)
			break;
	}
	t = now() - t0;
	printf("{\"sent\": %lu, \"seconds\": %.3f, \"rate\": %.1f}\n",
	       sent, t, sent / t);
	return 0;
usage:
	fprintf(stderr, "usage: synflood SRC/PREFIX DST:PORT COUNT SECONDS\n");
	return 2;
}
