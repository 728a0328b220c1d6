/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nftlvs-healthd: checks the real servers of set-backed pools and keeps each
 * nft set (or map) holding exactly the servers that pass their checks.
 *
 *   conftok.c  the configuration's tokens and statement primitives
 *   config.c   the configuration file: pools, servers, checks, validation
 *   probe.c    one check of one server, non-blocking (tcp, http, https, udp, exec)
 *   nftset.c   reading a pool's set and editing it in one netlink batch
 *   pool.c     rise/fall, inhibit, sorry server, reconciling a set with the states
 *   status.c   the status socket and `nftlvs-healthd status`
 *   main.c     options, the event loop, timers, signals, reload
 */
#ifndef NFTLVS_HEALTHD_H
#define NFTLVS_HEALTHD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define HEALTHD_CONF_DEFAULT	"/etc/nftlvs/healthd.conf"
#define HEALTHD_SOCK_DEFAULT	"/run/nftlvs-healthd.sock"

/* Bodies larger than this fail an HTTP check instead of growing the buffer. */
#define HTTP_BODY_MAX		(1u << 20)
#define REASON_MAX		160

enum check_kind { CHECK_TCP, CHECK_HTTP, CHECK_HTTPS, CHECK_UDP, CHECK_EXEC };
enum digest_alg { DIGEST_NONE, DIGEST_MD5, DIGEST_SHA256 };

struct addr {
	int family;			/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

struct check_conf {
	enum check_kind kind;
	unsigned int interval_ms, timeout_ms;
	unsigned int rise, fall;
	uint16_t port;			/* 0: the server's own port */
	bool has_source;
	struct addr source;
	/* http, https */
	char *path, *host;
	unsigned int status_lo, status_hi;
	enum digest_alg digest_alg;
	unsigned char digest[32];
	/* http, https, udp: a substring the body or the reply must contain */
	char *expect;
	size_t expect_len;
	/* udp */
	char *send;
	size_t send_len;
	/* exec: run by /bin/sh -c, exit status 0 = up */
	char *command;
};

/* One check of one server in flight. */
struct probe {
	int fd;				/* socket, or pidfd of an exec check */
	pid_t pid;
	int phase;			/* probe.c's enum */
	bool watched;			/* fd is in the epoll set */
	void *ssl;			/* SSL * of an https check */
	char *buf;			/* response so far */
	size_t len, cap, sent;
	uint64_t started_ms;
	uint64_t slot_ms;		/* when it was due: the next is due one interval later */
};

struct pool;

struct server {
	struct pool *pool;
	char name[64];			/* "10.1.0.1:8080", "[2001:db8::1]:80" */
	struct addr addr;
	uint16_t port;			/* 0: none (address-only set) */
	unsigned int weight;
	bool start_up;			/* `up`: in the pool before any check */
	bool own_check;			/* check given on the server itself */
	struct check_conf check;
	int line, col;

	/* state */
	bool up;
	unsigned int ok_run, fail_run;	/* consecutive results */
	unsigned long long checks, failures;
	uint64_t last_check_ms;		/* wall clock, ms; 0: never */
	uint64_t last_change_ms;	/* wall clock, ms; 0: never changed */
	char last[REASON_MAX];		/* the last check's result */
	char reason[REASON_MAX];	/* why the state is what it is */

	/* scheduling: one timer per server, in main.c's heap */
	uint64_t due_ms;		/* monotonic */
	size_t heap_idx;
	bool in_flight;
	struct probe probe;
};

struct pool {
	char *name;
	int line;
	/* the nft set (or map) this pool maintains */
	char *family_name, *table, *set;
	int family;			/* NFPROTO_* */
	bool inhibit;			/* down = weight 0 instead of removal */
	bool has_sorry;
	struct addr sorry_addr;
	uint16_t sorry_port;
	unsigned int sorry_weight;
	char sorry_name[64];
	struct check_conf check;	/* default for its servers */
	bool has_check;
	struct server **servers;
	size_t nservers;

	/* state */
	bool sorry_active;
	bool dirty;			/* needs a sync with its set */
	bool set_missing;		/* said once, until it appears */
	char shape_error[REASON_MAX];	/* said once, until it changes */
};

struct config {
	char *path;
	char *status_socket;
	struct pool **pools;
	size_t npools;
};

/* config.c */
struct config *config_load(const char *path, char *err, size_t errlen);
void config_free(struct config *cf);
bool check_conf_equal(const struct check_conf *a, const struct check_conf *b);
void check_conf_free(struct check_conf *c);
void check_conf_copy(struct check_conf *dst, const struct check_conf *src);
void check_defaults(struct check_conf *c, enum check_kind k);
struct parser;
bool parse_check(struct parser *ps, struct check_conf *c);	/* config_check.c */
const char *check_kind_name(enum check_kind k);
int addr_parse(const char *s, struct addr *a);
void addr_format(const struct addr *a, uint16_t port, char *buf, size_t len);

/* probe.c: start a check; the result comes back through server_result() */
int probe_start(struct server *s, int epfd);
void probe_event(struct server *s, uint32_t events, int epfd);
void probe_timeout(struct server *s);
void probe_abort(struct server *s);
void probe_reap(void);
void probe_global_init(void);
void probe_global_exit(void);

/* pool.c */
void server_result(struct server *s, bool ok, const char *what);
void server_next(struct server *s);
void pool_init_states(struct config *cf);
void pools_sync(struct config *cf);
void config_take_state(struct config *next, struct config *prev);

/* nftset.c */
struct set_elem {
	struct addr addr;
	uint16_t port;
	unsigned int weight;		/* 1 in a plain set */
	bool matched;
};

struct set_view {
	bool exists;
	bool is_map;			/* map ... : mark, the data is the weight */
	bool has_port;			/* key is ADDR . inet_service */
	int key_family;			/* AF_INET or AF_INET6 */
	struct set_elem *elems;
	size_t nelems;
};

enum set_op { SET_DEL, SET_ADD };

struct set_change {
	enum set_op op;
	struct addr addr;
	uint16_t port;
	unsigned int weight;
};

int nftset_open(void);
void nftset_close(void);
int nftset_read(const struct pool *p, struct set_view *v, char *err, size_t errlen);
void set_view_free(struct set_view *v);
struct set_elem *set_view_find(struct set_view *v, const struct addr *a, uint16_t port);
int nftset_apply(const struct pool *p, const struct set_view *v,
		 const struct set_change *ch, size_t n, char *err, size_t errlen);
int nftset_monitor_open(void);
int nftset_monitor_drain(int fd);

/* status.c */
int status_listen(const char *path);
void status_serve(int lfd, const struct config *cf);
int status_client(const char *path);

/* main.c */
uint64_t now_ms(void);
uint64_t wall_ms(void);
void logmsg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void timer_set(struct server *s, uint64_t due_ms);

#endif
