/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the nftlvs scanner tests share: scan an input as nftlvs reads it and
 * compare the statements found or the messages printed.
 */
#ifndef NFTLVS_TEST_SCAN_HARNESS_H
#define NFTLVS_TEST_SCAN_HARNESS_H

#include "harness.h"

#include <errno.h>
#include <linux/netfilter.h>

#include "../../nft-plugin/nftlvs.h"

unsigned int nftlvs_errors;
bool nftlvs_json_input;

struct result {
	int	rc;
	char	*errors;	/* what the scan reported */
	char	*stmts;		/* each statement found, canonical, one a line */
	struct src *src;
};

static inline void result_free(struct result *r)
{
	free(r->errors);
	free(r->stmts);
}

static inline struct result scan(const char *name, const char *in, bool json)
{
	struct result r = {};
	unsigned int first = stmt_count(), i;
	size_t elen, slen;
	FILE *ef, *sf;
	char buf[4096];

	ef = open_memstream(&r.errors, &elen);
	nftlvs_errfp = ef;
	nftlvs_errors = 0;
	sets_forget();
	r.src = src_new(name, strdup(in), strlen(in));
	r.rc = json ? json_scan_src(r.src) : scan_src(r.src);
	fclose(ef);
	nftlvs_errfp = NULL;
	sf = open_memstream(&r.stmts, &slen);
	for (i = first; i < stmt_count(); i++) {
		nftlvs_expr_snprintf(buf, sizeof(buf), stmt_get(i)->expr,
				     json ? NFTLVS_OUTPUT_JSON :
					    NFTLVS_OUTPUT_DEFAULT, 0);
		fprintf(sf, "%s\n", buf);
	}
	fclose(sf);
	return r;
}

/* @in holds exactly the statements @want (canonical, one a line). */
static inline void check_stmts(const char *in, const char *want)
{
	struct result r = scan(NULL, in, false);

	if (!CHECK(r.rc == 0 && !*r.errors))
		fprintf(stderr, "  input: %s\n  errors: %s\n", in, r.errors);
	CHECK_STR(r.stmts, want);
	result_free(&r);
}

/* @in is refused with exactly the message @want. */
static inline void check_error(const char *in, const char *want)
{
	struct result r = scan(NULL, in, false);

	CHECK(r.rc < 0);
	CHECK_STR(r.errors, want);
	result_free(&r);
}

static inline char *print_errors(const char *text)
{
	size_t len;
	char *buf;
	FILE *f = open_memstream(&buf, &len);

	errors_print(f, text);
	fclose(f);
	return buf;
}

/* @in is refused; the first message is exactly @want. */
static inline void check_first_error(const char *in, const char *want)
{
	struct result r = scan(NULL, in, false);
	char *nl = strchr(r.errors, '\n');

	if (nl)
		*nl = '\0';
	CHECK(r.rc < 0);
	if (!CHECK(!strncmp(r.errors, "Error: ", 7) &&
		   !strcmp(r.errors + 7, want)))
		fprintf(stderr, "  input: %s\n  got:  %s\n  want: %s\n", in,
			r.errors, want);
	result_free(&r);
}

#endif
