/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nftlvs import: keepalived and ipvsadm configurations to an nftlvs ruleset
 * (and an nftlvs-healthd configuration). See nftlvs(8), IMPORT.
 *
 * Both parsers (keepalived.c, ipvsadm.c) fill one small model of virtual
 * services (below); one emitter (emit.c) prints it. A parser reports what it
 * cannot carry over as it reads (diag.c); an error anywhere means nothing
 * is printed on standard output.
 */
#ifndef _NFTLVS_IMPORT_H_
#define _NFTLVS_IMPORT_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

/* Where a construct was read: file as named to the user, 1-based line. */
struct imp_loc {
	const char	*file;
	unsigned int	line;
};

struct imp_addr {
	int		family;		/* AF_INET, AF_INET6 */
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
		uint8_t		b[16];
	};
};

enum imp_check_kind {
	IMP_CHECK_NONE,		/* no checker: always up */
	IMP_CHECK_TCP,
	IMP_CHECK_HTTP,
	IMP_CHECK_HTTPS,
	IMP_CHECK_EXEC,
};

/* One server's check, in nftlvs-healthd's terms. */
struct imp_check {
	enum imp_check_kind	kind;
	uint16_t		port;		/* 0: the server's */
	char			*path, *host, *digest, *command;
	bool			has_source;
	struct imp_addr		source;
	unsigned int		status_lo, status_hi;	/* 0: healthd's default */
	unsigned int		interval_ms, timeout_ms, rise, fall;
};

struct imp_server {
	struct imp_addr		addr;
	uint16_t		port;
	unsigned int		weight;
	struct imp_check	check;
	struct imp_loc		loc;
};

/* A virtual address: one address, or a range first-last of one family. */
struct imp_vip {
	struct imp_addr		addr, last;	/* last.family 0: no range */
	uint16_t		port;
};

struct imp_service {
	char			*origin;	/* "FILE:LINE what the input said" */
	struct imp_loc		loc;
	char			*name;		/* of the pool's map */
	int			proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	struct imp_vip		*vips;
	unsigned int		nvips;
	const char		*sched;		/* NULL: the default (wlc) */
	bool			synproxy, toa;
	unsigned int		timeout_s;	/* 0: the namespace default */
	char			*laddr_set;	/* name of the set of local addresses */
	struct imp_addr		*laddrs;
	unsigned int		nladdrs;
	struct imp_server	*servers;
	unsigned int		nservers;
	bool			inhibit, has_sorry;
	struct imp_addr		sorry;
	uint16_t		sorry_port;
};

struct imp_model {
	struct imp_service	*svcs;
	unsigned int		nsvcs;
	const char		*table;
	const struct imp_addr	*via;		/* --via */
	unsigned int		nvia;
	char			**files;	/* names the locations point to */
	unsigned int		nfiles;
};

/* diag.c: "FILE:LINE: warning|error: MSG" on stderr; errors are counted. */
extern unsigned int imp_errors;
void imp_warn(const struct imp_loc *at, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void imp_note(const struct imp_loc *at, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void imp_error(const struct imp_loc *at, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void *imp_alloc(size_t size);			/* zeroed; aborts without memory */
void *imp_grow(void *v, unsigned int n, size_t size);	/* room for n + 1 */
char *imp_strdup(const char *s);
char *imp_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* model.c */
int imp_addr_parse(const char *s, struct imp_addr *a);
void imp_addr_format(const struct imp_addr *a, char *buf, size_t len);
int imp_addr_cmp(const struct imp_addr *a, const struct imp_addr *b);
/* "10.0.0.1-20": the last byte (IPv4) or 16-bit group (IPv6) up to 20. */
int imp_range_parse(const char *s, struct imp_addr *first, struct imp_addr *last);
/* The address after @a within its range; false past @last. */
bool imp_addr_next(struct imp_addr *a, const struct imp_addr *last);
int imp_port_parse(const char *s, uint16_t *port);
/* A scheduler name to one nftlvs has; NULL if @name is none we know. */
const char *imp_sched(const char *name, bool *exact);
struct imp_service *imp_service_add(struct imp_model *m,
				    const struct imp_loc *loc,
				    const char *what);
struct imp_server *imp_server_add(struct imp_service *s);
void imp_laddr_add(struct imp_service *s, const struct imp_addr *a);
/* The family of the servers, the local addresses and --via it takes. */
int imp_service_family(const struct imp_service *s);
/* Name the pool (unique in the model) from @hint. */
void imp_service_name(struct imp_model *m, struct imp_service *s,
		      const char *hint);
/* Local addresses for a service that has none: --via, or an error. */
void imp_service_via(struct imp_model *m, struct imp_service *s,
		     const char *why);
/* A copy of @name that lives as long as the model (for locations). */
const char *imp_file_name(struct imp_model *m, const char *name);
void imp_model_free(struct imp_model *m);

/*
 * kconf.c: keepalived's syntax, without meaning: a tree of statements,
 * "keyword arg... [{ statements }]", include files read in place.
 */
struct ktok {
	char		*s;
	struct imp_loc	loc;
	bool		bol;		/* first of its line */
};

struct knode {
	const struct ktok	*key;
	const struct ktok	**args;
	unsigned int		nargs;
	struct knode		*kids;
	unsigned int		nkids;
	bool			block;
};

struct kconf {
	struct ktok	*toks;
	unsigned int	ntoks;
	struct knode	root;
};

/* -1 on an error (reported); @kc is to be freed either way. */
int kconf_read(struct kconf *kc, struct imp_model *m, const char *path);
void kconf_free(struct kconf *kc);
/* "keyword arg arg" of @n. */
char *knode_text(const struct knode *n);
/* Argument @i of @n, or NULL. */
const char *knode_arg(const struct knode *n, unsigned int i);
/* false, with an error, if @n has fewer than @count arguments. */
bool knode_need(const struct knode *n, unsigned int count);
/* "KEYWORD: not carried over" */
void knode_ignored(const struct knode *n);
/* The argument as seconds (fractions too) in ms, or as a number to @max. */
bool knode_seconds(const struct knode *n, unsigned int *ms);
bool knode_uint(const struct knode *n, unsigned int max, unsigned int *v);

/* kcheck.c: keepalived's checkers as healthd checks. */
/* true if @n is a checker (then read into @rs->check). */
bool kcheck_parse(const struct knode *n, struct imp_server *rs);
/* What the checks of @s leave to keepalived's defaults; @interval_ms is the
 * virtual_server's delay_loop (0: none), @host its virtualhost. */
void kcheck_defaults(struct imp_service *s, unsigned int interval_ms,
		     const char *host);
/* @ms, or healthd's limit (with a warning) above it. */
unsigned int kcheck_clamp_ms(const struct knode *n, unsigned int ms);

/* keepalived.c, ipvsadm.c: fill @m; the errors are counted in imp_errors. */
void imp_keepalived(struct imp_model *m, const char *path);
void imp_ipvsadm(struct imp_model *m, const char *path);

/* emit.c */
void imp_emit_ruleset(const struct imp_model *m, const char *source, FILE *f);
/* false when no pool has a check (nothing to write). */
bool imp_emit_healthd(const struct imp_model *m, const char *source, FILE *f);

/* cli.c: `nftlvs import ...`, argv[0] is "import". */
int import_main(int argc, char **argv);

#endif
