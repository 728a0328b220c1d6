// SPDX-License-Identifier: GPL-2.0
/*
 * bulk: one TCP bulk transfer at a time, for the throughput row of the
 * benchmark (large segments: GRO and GSO through the load balancer).
 *
 *   bulk serve PORT SECONDS     send each connection zeros until it closes;
 *                               exit after SECONDS
 *   bulk get ADDR PORT BYTES    connect, read BYTES, close; print
 *                               {"bytes": N, "seconds": S, "rate": BYTES_PER_S,
 *                                "idle": SHARE_OF_CPU_TIME_IDLE}
 *
 * The server writes and the client reads, the direction of a download
 * through the load balancer (server to client).
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

static int serve(int port, double seconds)
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

static int get(const char *addr, int port, long long bytes)
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
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
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
	if (argc == 4 && !strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]), atof(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "get"))
		return get(argv[2], atoi(argv[3]), atoll(argv[4]));
	fprintf(stderr, "usage: bulk serve PORT SECONDS | bulk get ADDR PORT BYTES\n");
	return 2;
}
