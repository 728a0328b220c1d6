// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftlvs: fullnat to @set via @set: set names, the shapes of the sets an
 * input declares or the kernel has, the family they give a statement in an
 * inet table, and the messages for sets fullnat cannot use.
 */
#define _GNU_SOURCE
#include "scan_harness.h"

/* The family each fullnat of @in was given: 4, 6 or 0 (none) each. */
static void check_families(const char *in, bool json, const char *want)
{
	unsigned int first = stmt_count(), i;
	struct result r = scan(NULL, in, json);
	char got[32] = "";
	struct nftlvs_expr *e;

	for (i = first; i < stmt_count() && strlen(got) < sizeof(got) - 1; i++) {
		e = stmt_get(i)->expr;
		if (strcmp(nftlvs_expr_get_name(e), NFT_LVS_EXPR_FULLNAT))
			continue;
		switch (nftlvs_expr_get_u32(e, NFTLVS_FULLNAT_FAMILY)) {
		case NFPROTO_IPV4:
			got[strlen(got)] = '4';
			break;
		case NFPROTO_IPV6:
			got[strlen(got)] = '6';
			break;
		default:
			got[strlen(got)] = '0';
		}
	}
	if (!CHECK(r.rc == 0 && !*r.errors))
		fprintf(stderr, "  input: %s\n  errors: %s\n", in, r.errors);
	if (!CHECK(!strcmp(got, want)))
		fprintf(stderr, "  input: %s\n  got: %s want: %s\n", in, got,
			want);
	result_free(&r);
}

/*
 * The kernel's sets, for the tests, in table inet t: "k4" and "k4l" IPv4,
 * "k6" an IPv6 pool map, "k6l" IPv6, "kx" a map to verdicts; table
 * inet down cannot be asked.
 */
static int fake_kernel_calls;

static int fake_kernel(int family, const char *table, const char *name,
		       struct set_shape *sh)
{
	fake_kernel_calls++;
	memset(sh, 0, sizeof(*sh));
	if (family != NFPROTO_INET || strcmp(table, "t"))
		return strcmp(table, "down") ? 0 : -1;
	if (!strcmp(name, "k4") || !strcmp(name, "k4l")) {
		shape_type(sh, "ipv4_addr", 9, false);
		snprintf(sh->desc, sizeof(sh->desc), "type ipv4_addr");
		return 1;
	}
	if (!strcmp(name, "k6l")) {
		shape_type(sh, "ipv6_addr", 9, false);
		return 1;
	}
	if (!strcmp(name, "k6")) {
		shape_type(sh, "ipv6_addr", 9, false);
		shape_type(sh, "inet_service", 12, false);
		sh->map = true;
		shape_type(sh, "mark", 4, true);
		return 1;
	}
	if (!strcmp(name, "kx")) {
		shape_type(sh, "ipv4_addr", 9, false);
		sh->map = true;
		shape_type(sh, "verdict", 7, true);
		snprintf(sh->desc, sizeof(sh->desc), "type ipv4_addr : verdict");
		return 1;
	}
	return 0;
}

/* fullnat to @SET via @SET: syntax, names, variables, listing. */
static void test_sets(void)
{
	char in[1024], name[300];

	check_stmts("add rule ip t c fullnat to @web via @lips sched wlc flags toa",
		    "fullnat to @web via @lips flags toa\n");
	check_stmts("add rule ip t c fullnat to @web via { 10.1.0.254 } sched mh",
		    "fullnat to @web via { 10.1.0.254 } sched mh\n");
	check_stmts("add rule ip6 t c fullnat to { [2001:db8::1]:80 } via @lips ports 1000-2000",
		    "fullnat to { [2001:db8::1]:80 } via @lips ports 1000-2000\n");
	check_stmts("add rule ip t c fullnat to @x-y.z/1 via @_l.2",
		    "fullnat to @x-y.z/1 via @_l.2\n");
	/* A variable may hold a set reference, as in nft. */
	check_stmts("define pool = @web\ndefine lips = @lips\n"
		    "add rule ip t c fullnat to $pool via $lips\n",
		    "fullnat to @web via @lips\n");
	/* Set names are statement-free words: @fullnat is a set. */
	check_stmts("add rule ip t c fullnat to @fullnat via @lb-dispatch",
		    "fullnat to @fullnat via @lb-dispatch\n");
	/* The longest name the kernel takes. */
	memset(name, 'n', 255);
	name[255] = '\0';
	snprintf(in, sizeof(in), "add rule ip t c fullnat to @%s via @l\n", name);
	check_families(in, false, "4");

	check_first_error("add rule ip t c fullnat to { @web } via @lips\n",
			  "fullnat: a set is a whole pool, not one of a list: write to @web without braces");
	check_first_error("add rule ip t c fullnat to @web via { 10.1.0.254, @l }\n",
			  "fullnat: a set is a whole list of local addresses, not one of a list: write via @l without braces");
	check_first_error("define p = { @web }\nadd rule ip t c fullnat to $p via @l\n",
			  "fullnat: a set is a whole pool, not one of a list: write to @web without braces");
	check_first_error("add rule ip t c fullnat to @ via @lips\n",
			  "fullnat: @ is not a set name");
	check_first_error("add rule ip t c fullnat to @web via @1x\n",
			  "fullnat: @1x is not a set name");
	check_first_error("add rule ip t c fullnat to @a+b via @l\n",
			  "syntax error, unexpected '+', expecting via");
	check_first_error("add rule ip t c fullnat to @web\n",
			  "syntax error, unexpected newline, expecting via");
	name[255] = 'n';
	name[256] = '\0';
	snprintf(in, sizeof(in), "add rule ip t c fullnat to @%s via @l\n", name);
	check_first_error(in, "fullnat: set name nnnnnnnnnnnnnnnn... too long, at most 255 characters");
}

/* The shapes of declared sets, and the family they give in inet tables. */
static void test_set_shapes(void)
{
	static const struct {
		const char *decl, *use, *msg;
	} bad[] = {
		{ "set x { type ipv4_addr . ipv4_addr; }", "to @x via { 10.1.0.254 }",
		  "fullnat: set 'x' (type ipv4_addr . ipv4_addr) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark" },
		{ "map x { type inet_service : verdict; }", "to @x via { 10.1.0.254 }",
		  "fullnat: map 'x' (type inet_service : verdict) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark" },
		{ "map x { type ipv4_addr : counter; }", "to @x via { 10.1.0.254 }",
		  "fullnat: map 'x' (type ipv4_addr : counter) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark" },
		{ "map x { type ipv4_addr : ipv4_addr; }", "to @x via { 10.1.0.254 }",
		  "fullnat: map 'x' (type ipv4_addr : ipv4_addr) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark" },
		{ "set x { type ipv4_addr; flags interval; }", "to @x via { 10.1.0.254 }",
		  "fullnat: set 'x' (type ipv4_addr, flags interval) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark, without flags interval" },
		{ "set x {\n\t\ttype ipv4_addr\n\t\tflags constant,interval\n\t\telements = { 10.0.0.0/8,\n\t\t\t192.168.0.0/16 }\n\t}",
		  "to { 10.1.0.1 } via @x",
		  "fullnat: set 'x' (type ipv4_addr, flags interval) cannot hold fullnat's local addresses: use a set of ipv4_addr, without flags interval" },
		{ "set x { typeof ip daddr . tcp dport; }", "to { 10.1.0.1 } via @x",
		  "fullnat: set 'x' (typeof ip daddr . tcp dport) cannot hold fullnat's local addresses: use a set of ipv4_addr" },
		{ "map x { type ipv4_addr : mark; }", "to { 10.1.0.1 } via @x",
		  "fullnat: map 'x' (type ipv4_addr : mark) cannot hold fullnat's local addresses: use a set of ipv4_addr" },
		{ "set x { type ipv6_addr; }", "to @x via { 10.1.0.254 }",
		  "fullnat: set 'x' (type ipv6_addr) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark" },
		{ "set x { typeof ip saddr . ip daddr; }", "to @x via { 10.1.0.254 }",
		  "fullnat: set 'x' (typeof ip saddr . ip daddr) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark" },
		{ "set x { type ether_addr; }", "to @x via { 10.1.0.254 }",
		  "fullnat: set 'x' (type ether_addr) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark" },
		{ "set x { type inet_service . ipv4_addr; }", "to @x via { 10.1.0.254 }",
		  "fullnat: set 'x' (type inet_service . ipv4_addr) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark" },
	};
	static const char *const good[] = {
		"set x { type ipv4_addr; }",
		"set x { type ipv4_addr . inet_service; }",
		"set x { type ipv4_addr.inet_service; flags timeout,dynamic; size 65535; }",
		"map x { type ipv4_addr : mark; }",
		"map x { type ipv4_addr . inet_service : mark; elements = { 10.1.0.1 . 80 : 3 } }",
		"map x { typeof ip daddr . tcp dport : meta mark; }",
		"map x { typeof ip daddr . th dport : ct mark; }",
		"set x { typeof ip daddr; comment \"x\"; }",
		/* typeof of what we do not know: the kernel judges it */
		"set x { typeof ct original proto-dst; }",
	};
	char in[1024];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(in, sizeof(in), "table ip t {\n\t%s\n\tchain c {\n\t\tfullnat %s\n\t}\n}\n",
			 bad[i].decl, bad[i].use);
		check_first_error(in, bad[i].msg);
	}
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		snprintf(in, sizeof(in), "table ip t {\n\t%s\n\tchain c {\n\t\tfullnat to @x via { 10.1.0.254 }\n\t}\n}\n",
			 good[i]);
		check_families(in, false, "4");
	}
	/* In a bridge table nothing is judged: the kernel has no fullnat there. */
	check_families("add rule bridge t c fullnat to @a via @b\n", false, "0");
	/* Another table's set of that name is not this one. */
	check_families("table ip u { set x { type ether_addr; } }\n"
		       "table ip6 t { set x { type ether_addr; } }\n"
		       "add rule ip t c fullnat to @x via @x\n", false, "4");
	/* Declared after the chain, or by a command: still judged. */
	check_first_error("add rule ip t c fullnat to @late via { 10.1.0.254 }\n"
			  "add set ip t late { type ipv6_addr; }\n",
			  "fullnat: set 'late' (type ipv6_addr) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark");
	check_first_error("table ip6 t {\n\tchain c {\n\t\tfullnat to { 2001:db8::1 } via @l\n\t}\n"
			  "\tset l { type ipv4_addr; }\n}\n",
			  "fullnat: set 'l' (type ipv4_addr) cannot hold fullnat's local addresses: use a set of ipv6_addr");

	/* inet: the family from addresses, declared sets, matches, the kernel. */
	check_families("table inet t {\n"
		       "\tchain c {\n"
		       "\t\tfullnat to @w4 via @l4\n"
		       "\t\tfullnat to @w6 via @l6\n"
		       "\t\tfullnat to @w6 via { 2001:db8::fe }\n"
		       "\t\tfullnat to { 10.1.0.1 } via @l4\n"
		       "\t\tfullnat to @u via @l6\n"
		       "\t}\n"
		       "\tset w4 { typeof ip daddr; }\n"
		       "\tmap w6 { type ipv6_addr . inet_service : mark; }\n"
		       "\tset l4 { type ipv4_addr; }\n"
		       "\tset l6 { typeof ip6 saddr; }\n"
		       "}\n", false, "46646");
	check_families("add rule inet t c ip6 daddr ::1 fullnat to @a via @b\n"
		       "add rule inet t c ip daddr 10.0.0.1 tcp dport 80 fullnat to @a via @b\n"
		       "add rule inet t c meta nfproto ipv6 fullnat to @a via @b\n"
		       "add rule inet t c ct original ip saddr 1.1.1.1 fullnat to @a via @b\n",
		       false, "6464");
	check_first_error("add rule inet t c fullnat to @w via @l4\nadd set inet t w { type ipv6_addr; }\nadd set inet t l4 { type ipv4_addr; }\n",
			  "fullnat: set 'l4' (type ipv4_addr) cannot hold fullnat's local addresses: use a set of ipv6_addr");
	check_first_error("add rule inet t c fullnat to { 10.1.0.1 } via @l\nadd set inet t l { type ipv6_addr; }\n",
			  "fullnat: set 'l' (type ipv6_addr) cannot hold fullnat's local addresses: use a set of ipv4_addr");
	check_first_error("add rule inet t c fullnat to @a via @b\n",
			  "fullnat: cannot tell the family of set 'a' in an inet table: declare the set in this input, or match ip daddr or ip6 daddr before fullnat");
	check_first_error("add rule inet t c ip saddr 1.1.1.1 ip6 daddr ::1 fullnat to @a via @b\n",
			  "fullnat: cannot tell the family of set 'a' in an inet table: declare the set in this input, or match ip daddr or ip6 daddr before fullnat");

	/* The kernel's sets, asked only when nothing else tells. */
	sets_kernel = fake_kernel;
	fake_kernel_calls = 0;
	check_families("add rule inet t c fullnat to @k6 via @k6l\n"
		       "add rule inet t c fullnat to @k4 via @k4l\n"
		       "add rule inet t c ip6 daddr ::1 fullnat to @a via @b\n"
		       "add rule ip t c fullnat to @a via @b\n", false, "6464");
	/* Each of the first two's sets; none when a match or the table tells. */
	CHECK(fake_kernel_calls == 4);
	check_first_error("add rule inet t c fullnat to @kx via @k4l\n",
			  "fullnat: map 'kx' (type ipv4_addr : verdict) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark");
	check_first_error("add rule inet t c fullnat to @k6 via @k4l\n",
			  "fullnat: set 'k4l' (type ipv4_addr) cannot hold fullnat's local addresses: use a set of ipv6_addr");
	check_first_error("add rule inet t c fullnat to @gone via @k4l\n",
			  "fullnat: set 'gone' does not exist in table inet t");
	check_first_error("add rule inet u c fullnat to @a via @b\n",
			  "fullnat: set 'a' does not exist in table inet u");
	check_first_error("add rule inet down c fullnat to @a via @b\n",
			  "fullnat: cannot tell the family of set 'a' in an inet table: declare the set in this input, or match ip daddr or ip6 daddr before fullnat");
	sets_kernel = NULL;
}

/* JSON input: sets declared in the file, a rule's own matches. */
static void test_json_sets(void)
{
	struct result r;

	check_families("{\"nftables\": [\n"
		       "{\"map\": {\"family\": \"inet\", \"table\": \"t\", \"name\": \"w\", \"type\": [\"ipv6_addr\", \"inet_service\"], \"map\": \"mark\"}},\n"
		       "{\"add\": {\"set\": {\"family\": \"inet\", \"table\": \"t\", \"name\": \"l\", \"type\": \"ipv6_addr\", \"flags\": [\"timeout\"]}}},\n"
		       "{\"rule\": {\"family\": \"inet\", \"table\": \"t\", \"chain\": \"c\", \"expr\": [{\"fullnat\": {\"to\": \"@w\", \"via\": \"@l\"}}]}},\n"
		       "{\"rule\": {\"family\": \"inet\", \"table\": \"t\", \"chain\": \"c\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\": \"daddr\"}}, \"right\": \"10.0.0.1\"}}, {\"fullnat\": {\"to\": \"@a\", \"via\": \"@b\"}}]}}\n"
		       "]}\n", true, "64");
	r = scan("/s.json", "{\"nftables\": [\n"
		 "{\"set\": {\"family\": \"ip\", \"table\": \"t\", \"name\": \"n\", \"type\": \"ipv4_addr\", \"flags\": \"interval\"}},\n"
		 "{\"rule\": {\"family\": \"ip\", \"table\": \"t\", \"chain\": \"c\", \"expr\": [{\"fullnat\": {\"to\": [\"10.1.0.1\"], \"via\": \"@n\"}}]}}\n"
		 "]}\n", true);
	CHECK(r.rc < 0);
	CHECK_STR(r.errors,
		  "/s.json:3:64-109: Error: fullnat: set 'n' (type ipv4_addr, flags interval) cannot hold fullnat's local addresses: use a set of ipv4_addr, without flags interval\n"
		  "fullnat to { 10.1.0.1 } via @n\n"
		  "                            ^^\n");
	result_free(&r);
	/* The listing's form reads back. */
	r = scan("/t.json", "{\"nftables\": [{\"rule\": {\"family\": \"ip\", \"table\": \"t\", \"chain\": \"c\", \"expr\": [{\"fullnat\": {\"to\": \"@web\", \"via\": [\"10.1.0.254\"], \"sched\": \"sh\"}}]}}]}", true);
	CHECK(r.rc == 0);
	CHECK_STR(r.stmts, "{\"fullnat\": {\"to\": \"@web\", \"via\": [\"10.1.0.254\"], \"sched\": \"sh\"}}\n");
	result_free(&r);
}

/* The kernel's ENOENT and EPROTOTYPE, said by set name. */
static void test_set_refusals(void)
{
	struct result r = scan(NULL, "add rule ip t c fullnat to @web via @lips\n"
			       "add rule ip t c fullnat to @web via { 10.1.0.254 }\n"
			       "add rule inet t c fullnat to @k6 via @kx\n"
			       "add set ip t web { type ipv4_addr . ipv4_addr; }\n", false);
	unsigned int base = stmt_count() - 3;
	struct stmt *a = stmt_get(base), *b = stmt_get(base + 1);
	struct stmt *c = stmt_get(base + 2);
	char msg[1024];

	/* The input's own shape check refused the first two already. */
	CHECK(r.rc < 0);
	a->family = b->family = NFPROTO_IPV4;
	c->family = NFPROTO_INET;
	/* As sent: the family that no set here could tell. */
	nftlvs_expr_set_u32(c->expr, NFTLVS_FULLNAT_FAMILY, NFPROTO_IPV6);
	snprintf(a->table, sizeof(a->table), "t");
	snprintf(b->table, sizeof(b->table), "t");
	snprintf(c->table, sizeof(c->table), "t");

	/* Without the kernel to ask: every name that may be missing. */
	a->kernel_err = ENOENT;
	CHECK(sets_explain(a, "P: ", msg, sizeof(msg)));
	CHECK_STR(msg, "P: fullnat: set 'lips' does not exist in table ip t");
	b->kernel_err = ENOENT;
	CHECK(!sets_explain(b, "P: ", msg, sizeof(msg)));
	c->kernel_err = ENOENT;
	CHECK(sets_explain(c, "P: ", msg, sizeof(msg)));
	CHECK_STR(msg, "P: fullnat: set 'k6' or 'kx' does not exist in table inet t");
	/* The declared shape names the culprit. */
	a->kernel_err = EPROTOTYPE;
	CHECK(sets_explain(a, "P: ", msg, sizeof(msg)));
	CHECK_STR(msg, "P: fullnat: set 'web' (type ipv4_addr . ipv4_addr) cannot be a fullnat pool: use a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark");
	c->kernel_err = EPROTOTYPE;
	CHECK(sets_explain(c, "P: ", msg, sizeof(msg)));
	CHECK_STR(msg, "P: fullnat: set 'k6' or 'kx' has a shape fullnat cannot use: the pool takes a set of ipv6_addr or ipv6_addr . inet_service, or a map of those to mark; the local addresses a set of ipv6_addr");

	/* With the kernel's sets. */
	sets_kernel = fake_kernel;
	c->kernel_err = ENOENT;
	CHECK(!sets_explain(c, "P: ", msg, sizeof(msg)));
	c->kernel_err = EPROTOTYPE;
	CHECK(sets_explain(c, "P: ", msg, sizeof(msg)));
	CHECK_STR(msg, "P: fullnat: map 'kx' (type ipv4_addr : verdict) cannot hold fullnat's local addresses: use a set of ipv6_addr");
	snprintf(c->table, sizeof(c->table), "u");
	c->kernel_err = ENOENT;
	CHECK(sets_explain(c, "P: ", msg, sizeof(msg)));
	CHECK_STR(msg, "P: fullnat: sets 'k6' and 'kx' do not exist in table inet u");
	c->kernel_err = EINVAL;
	CHECK(!sets_explain(c, "P: ", msg, sizeof(msg)));
	sets_kernel = NULL;
	result_free(&r);
}

/* nft's message about a refused statement, as errors_print() rewrites it. */
static void test_set_refusal_text(void)
{
	const char *in = "table ip t {\n\tchain c {\n\t\ttcp dport 80 fullnat to @web via @lips\n\t}\n}\n";
	struct result r = scan("/p.nft", in, false);
	const struct edit *e = &r.src->edits[0];
	struct stmt *st = stmt_get(e->stmt);
	unsigned int line, c1, c2;
	char *nft_err, *out;
	size_t ls;

	CHECK(r.rc == 0);
	text_pos(r.src->text, r.src->text_len, e->new_start, &line, &c1, &ls);
	c2 = c1 + (e->new_end - e->new_start) - 1;
	st->kernel_err = EPROTOTYPE;
	st->family = NFPROTO_IPV4;
	snprintf(st->table, sizeof(st->table), "t");
	if (asprintf(&nft_err, "/p.nft:%u:%u-%u: Error: Could not process rule: Protocol wrong type for socket\n",
		     line, c1, c2) < 0)
		return;
	sets_kernel = fake_kernel;	/* table ip t: no sets there */
	out = print_errors(nft_err);
	sets_kernel = NULL;
	CHECK_STR(out,
		  "/p.nft:3:16-40: Error: Could not process rule: fullnat: set 'web' or 'lips' has a shape fullnat cannot use: the pool takes a set of ipv4_addr or ipv4_addr . inet_service, or a map of those to mark; the local addresses a set of ipv4_addr\n"
		  "\t\ttcp dport 80 fullnat to @web via @lips\n"
		  "\t\t             ^^^^^^^^^^^^^^^^^^^^^^^^^\n");
	free(out);
	free(nft_err);
	result_free(&r);
}

int main(void)
{
	marker_init();
	scan_opts.include_paths = (const char *[]){ "/nonexistent" };
	scan_opts.ninclude_paths = 1;
	test_sets();
	test_set_shapes();
	test_json_sets();
	test_set_refusals();
	test_set_refusal_text();
	src_free_all();
	stmt_free_all();
	defs_free_all();
	sets_forget();
	return tests_finish();
}
