// SPDX-License-Identifier: GPL-2.0
/*
 * bulk: one TCP bulk transfer at a time, for the throughput row of the
 * benchmark (large segments: GRO and GSO through the load balancer).
 *
 *   bulk serve PORT SECONDS     send each connection zeros until it closes;
 *                               exit after SECONDS
 *   bulk get ADDR PORT BYTES    connect, read BYTES, close; print
 *                               {"bytes": N, "seconds": S, "rate": BYTES_PER_S}
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

static int get(const char *addr, int port, long long bytes)
{
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
	printf("{\"bytes\": %lld, \"seconds\": %.6f, \"rate\": %.0f}\n", got,
	       secs, got / secs);
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
