// SPDX-License-Identifier: GPL-2.0
/*
 * bulk: one TCP bulk transfer at a time, for the throughput row of the
 * benchmark (large segments: GRO and GSO through the load balancer).
 *
 *   bulk serve PORT SECONDS [BUF]   send each connection zeros until it
 *                                   closes; exit after SECONDS
 *   bulk get ADDR PORT BYTES [BUF]  connect, read BYTES, close; print
 *                                   {"bytes": N, "seconds": S,
 *                                    "rate": BYTES_PER_S,
 *                                    "idle": SHARE_OF_CPU_TIME_IDLE}
 *
 * The server writes and the client reads, the direction of a download
 * through the load balancer (server to client).
 *
 * BUF (bytes, optional) fixes the socket's send buffer (serve) or receive
 * buffer (get), which turns the kernel's autotuning of that buffer off.
 * Autotuned, the downloads of one variant on 6.12 fell into two groups
 * from one round to the next (about 2,000 and 2,300 data packets for 100
 * MB, 10% apart in instructions a MB), and the median told which group
 * had three of five rounds more than what the forwarding cost. With the
 * buffers fixed the groups went away on 6.12; on 6.1 a few downloads in
 * fifty still took the other path.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Fix a socket buffer (SO_SNDBUFFORCE or SO_RCVBUFFORCE: past the
 * net.core limits, as root): 0 leaves it to the kernel.
 */
static int fix_buffer(int fd, int opt, int bytes)
{
	if (!bytes)
		return 0;
	/* The kernel doubles the value it is given (its bookkeeping share). */
	bytes /= 2;
	if (setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes))) {
		perror("bulk: socket buffer");
		return -1;
	}
	return 0;
}

static int serve(int port, double seconds, int sndbuf)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	double end = now() + seconds;
	int one = 1, lfd, fd;
	struct pollfd p;

	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    fix_buffer(lfd, SO_SNDBUFFORCE, sndbuf) ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 16)) {
		perror("bulk: listen");
		return 1;
	}
	p.fd = lfd;
	p.events = POLLIN;
	while (now() < end) {
		if (poll(&p, 1, 200) <= 0)
			continue;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		while (write(fd, buf, sizeof(buf)) > 0 && now() < end)
			;
		close(fd);
	}
	return 0;
}

/*
 * The guest's idle and total CPU time so far (/proc/stat, in ticks): on the
 * instruction clock, time the CPU idles is time skipped while every
 * endpoint waits (on a timer, or on the host), which no forwarding cost
 * explains. 0 when unreadable.
 */
static void cpu_ticks(unsigned long long *idle, unsigned long long *total)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	*idle = *total = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		*idle = v[3] + v[4];
		for (int i = 0; i < 8; i++)
			*total += v[i];
	}
	fclose(f);
}

static int get(const char *addr, int port, long long bytes, int rcvbuf)
{
	unsigned long long idle0, total0, idle1, total1;
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	long long got = 0;
	double start, secs;
	ssize_t n;
	int fd;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "bulk: bad address %s\n", addr);
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cpu_ticks(&idle0, &total0);
	start = now();
	if (fd < 0 || fix_buffer(fd, SO_RCVBUFFORCE, rcvbuf) ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("bulk: connect");
		return 1;
	}
	while (got < bytes) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			fprintf(stderr, "bulk: %s after %lld bytes\n",
				n ? strerror(errno) : "end of stream", got);
			return 1;
		}
		got += n;
	}
	close(fd);
	secs = now() - start;
	cpu_ticks(&idle1, &total1);
	printf("{\"bytes\": %lld, \"seconds\": %.6f, \"rate\": %.0f, \"idle\": %.4f}\n",
	       got, secs, got / secs,
	       total1 > total0 ? (double)(idle1 - idle0) / (total1 - total0) : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]), atof(argv[3]),
			     argc == 5 ? atoi(argv[4]) : 0);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "get"))
		return get(argv[2], atoi(argv[3]), atoll(argv[4]),
			   argc == 6 ? atoi(argv[5]) : 0);
	fprintf(stderr, "usage: bulk serve PORT SECONDS [SNDBUF] | "
		"bulk get ADDR PORT BYTES [RCVBUF]\n");
	return 2;
}
