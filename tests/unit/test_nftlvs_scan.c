// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nftlvs: finding our statements in nft's input (text and JSON), parsing
 * them, the exact error messages, what libnftables gets to read instead,
 * and nft's errors pointed back at the user's text.
 */
#define _GNU_SOURCE
#include "scan_harness.h"


static void test_positions(void)
{
	/* Statements at rule level, anywhere in the rule. */
	check_stmts("add rule ip t c lb-dispatch", "lb-dispatch\n");
	check_stmts("add rule ip t c ip daddr 10.0.0.1 tcp dport 80 synproxy-lb mss 1460 fullnat to { 10.1.0.1:8080 } via { 10.1.0.254 } counter",
		    "synproxy-lb mss 1460\nfullnat to { 10.1.0.1:8080 } via { 10.1.0.254 }\n");
	check_stmts("insert rule inet t c position 4 fullnat to 10.1.0.1 via 10.1.0.254 accept",
		    "fullnat to { 10.1.0.1 } via { 10.1.0.254 }\n");
	check_stmts("replace rule t c handle 7 lb-dispatch; add rule t c lb-dispatch",
		    "lb-dispatch\nlb-dispatch\n");
	check_stmts("rule ip t c lb-dispatch", "lb-dispatch\n");

	/* Names, strings, comments, sets: never statements. */
	check_stmts("add rule ip t c jump fullnat", "");
	check_stmts("add rule ip t c goto lb-dispatch", "");
	check_stmts("add rule ip t c log prefix \"fullnat to\" counter # fullnat", "");
	check_stmts("add rule ip t c ip daddr @fullnat accept", "");
	check_stmts("add rule ip t c tcp dport vmap { 80 : jump fullnat }", "");
	check_stmts("add chain ip t fullnat\ndelete chain ip t fullnat\nlist chain ip t fullnat", "");
	check_stmts("add rule ip fullnat fullnat counter", "");
	check_stmts("delete rule ip t c handle 3\nflush ruleset", "");

	/* Blocks: chains among sets and other objects. */
	check_stmts("table ip fullnat {\n"
		    "\tset fullnat { type ipv4_addr; elements = { 10.0.0.1 } }\n"
		    "\tchain fullnat {\n"
		    "\t\ttype filter hook prerouting priority raw; policy accept;\n"
		    "\t\tjump fullnat\n"
		    "\t\tip saddr @fullnat lb-dispatch\n"
		    "\t}\n"
		    "\tchain b { type filter hook output priority raw; synproxy-lb; }\n"
		    "}\n",
		    "lb-dispatch\nsynproxy-lb\n");
	check_stmts("add table ip t { chain c { type filter hook prerouting priority 0; lb-dispatch } }",
		    "lb-dispatch\n");
}

static void test_values(void)
{
	check_stmts("add rule ip t c fullnat to { 10.1.0.1:80 weight 1, 10.1.0.2 weight 0 } via 10.1.0.254 sched wlc ports 5000-65535",
		    "fullnat to { 10.1.0.1:80, 10.1.0.2 weight 0 } via { 10.1.0.254 }\n");
	check_stmts("add rule ip t c fullnat to 10.1.0.1 via 10.1.0.254 flags rst-on-expire,toa timeout 1h30m sched rr ports 1000 - 2000",
		    "fullnat to { 10.1.0.1 } via { 10.1.0.254 } ports 1000-2000 sched rr timeout 1h30m flags toa,rst-on-expire\n");
	check_stmts("add rule ip6 t c fullnat to { [2001:db8::1]:443 weight 2, 2001:db8::2 } via { 2001:db8::fe } flags strip-timestamps,toa timeout 90",
		    "fullnat to { [2001:db8::1]:443 weight 2, 2001:db8::2 } via { 2001:db8::fe } timeout 1m30s flags toa,strip-timestamps\n");
	check_stmts("add rule inet t c synproxy-lb defer ttl 64 timestamp sack-perm wscale 14 mss 536",
		    "synproxy-lb mss 536 wscale 14 sack-perm timestamp ttl 64 defer\n");
	/* Defaults are not listed. */
	check_stmts("add rule inet t c synproxy-lb mss 1452 wscale 0 ttl 63",
		    "synproxy-lb\n");
	/* A list over several lines, with comments. */
	check_stmts("table ip t {\n chain c {\n  fullnat to {\n   10.1.0.1:80, # one\n   10.1.0.2:80,\n  } via { 10.1.0.254 } sched mh\n }\n}\n",
		    "fullnat to { 10.1.0.1:80, 10.1.0.2:80 } via { 10.1.0.254 } sched mh\n");
}

static void test_variables(void)
{
	check_stmts("define rs1 = 10.1.0.1\n"
		    "define pool = {\n 10.1.0.2:80,\n 10.1.0.3:80 }\n"
		    "define both = { $rs1, 10.1.0.4 }\n"
		    "define lips = { 10.1.0.254, 10.1.0.253 }\n"
		    "add rule ip t c fullnat to { $rs1:8080 weight 2, $pool } via $lips\n"
		    "add rule ip t c fullnat to $both via { $lips }\n",
		    "fullnat to { 10.1.0.1:8080 weight 2, 10.1.0.2:80, 10.1.0.3:80 } via { 10.1.0.254, 10.1.0.253 }\n"
		    "fullnat to { 10.1.0.1, 10.1.0.4 } via { 10.1.0.254, 10.1.0.253 }\n");
	/* Block scopes, redefine, undefine. */
	check_stmts("define lip = 10.1.0.254\n"
		    "table ip t {\n define lip = 10.1.0.253\n chain c { fullnat to 10.1.0.1 via $lip; }\n}\n"
		    "add rule ip t c fullnat to 10.1.0.1 via $lip\n"
		    "redefine lip = 10.1.0.252\n"
		    "add rule ip t c fullnat to 10.1.0.1 via $lip\n",
		    "fullnat to { 10.1.0.1 } via { 10.1.0.253 }\n"
		    "fullnat to { 10.1.0.1 } via { 10.1.0.254 }\n"
		    "fullnat to { 10.1.0.1 } via { 10.1.0.252 }\n");
	check_error("define lip = 10.1.0.254\nundefine lip\nadd rule ip t c fullnat to 10.1.0.1 via $lip\n",
		    "Error: unknown identifier 'lip'\n"
		    "add rule ip t c fullnat to 10.1.0.1 via $lip\n"
		    "                                        ^^^^\n");
}

/* The catalogue of bad inputs, each with its exact message. */
static void test_errors(void)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "fullnat via { 10.1.0.254 }",
		  "syntax error, unexpected via, expecting to" },
		{ "fullnat",
		  "syntax error, unexpected newline, expecting to" },
		{ "fullnat to { 10.1.0.1 }",
		  "syntax error, unexpected newline, expecting via" },
		{ "fullnat to { } via { 10.1.0.254 }",
		  "fullnat: no real servers in the list" },
		{ "fullnat to { 10.1.0.1 } via { }",
		  "fullnat: no local addresses in the list" },
		{ "fullnat to { 10.1.0.300 } via { 10.1.0.254 }",
		  "fullnat: 10.1.0.300 is not an IPv4 or IPv6 address" },
		{ "fullnat to { www.example.com } via { 10.1.0.254 }",
		  "fullnat: www.example.com is not an IPv4 or IPv6 address" },
		{ "fullnat to { 10.1.0.1:0 } via { 10.1.0.254 }",
		  "fullnat: port 0 out of range, expecting 1-65535" },
		{ "fullnat to { 10.1.0.1:65536 } via { 10.1.0.254 }",
		  "fullnat: port 65536 out of range, expecting 1-65535" },
		{ "fullnat to { 10.1.0.1 weight 65536 } via { 10.1.0.254 }",
		  "fullnat: weight 65536 out of range, expecting 0-65535" },
		{ "fullnat to { 10.1.0.1 } via { 10.1.0.254 } sched lblc",
		  "fullnat: unknown scheduler lblc, expecting rr, wrr, lc, wlc, sh or mh" },
		{ "fullnat to { 10.1.0.1 } via { 10.1.0.254 } shed mh",
		  "fullnat: unknown option shed, did you mean sched?" },
		{ "fullnat to { 10.1.0.1 } via { 10.1.0.254 } flags toa,tao",
		  "fullnat: unknown flag tao, expecting toa, strip-timestamps, rst-on-expire or toa-kind-253" },
		{ "fullnat to { 10.1.0.1 } via { 10.1.0.254 } flags rst-on-expire,toa-kind-253",
		  "fullnat: toa-kind-253 chooses the layout of the IPv6 TOA option and needs flag toa" },
		{ "fullnat to { 10.1.0.1 } via { 10.1.0.254 } ports 0-100",
		  "fullnat: port 0 out of range, expecting 1-65535" },
		{ "fullnat to { 10.1.0.1 } via { 10.1.0.254 } ports 6000-5000",
		  "fullnat: empty port range 6000-5000" },
		{ "fullnat to { 10.1.0.1 } via { 10.1.0.254 } timeout 31d",
		  "fullnat: timeout 31d out of range, expecting 1s-30d" },
		{ "fullnat to { 10.1.0.1 } via { 10.1.0.254 } timeout 100ms",
		  "syntax error, unexpected 100ms, expecting a time (90s, 15m, 1h)" },
		{ "fullnat to { 2001:db8::1 } via { 10.1.0.254 }",
		  "fullnat: IPv6 address in an ip table (IPv6 servers behind an IPv4 VIP are not served)" },
		{ "fullnat to { 10.1.0.1, 10.1.0.1 } via { 10.1.0.254 }",
		  "fullnat: real server 10.1.0.1 is listed twice" },
		{ "fullnat to { 10.1.0.1 } via { 10.1.0.254, 10.1.0.254 }",
		  "fullnat: local address 10.1.0.254 is listed twice" },
		{ "fullnat to { 10.1.0.1 10.1.0.2 } via { 10.1.0.254 }",
		  "syntax error, unexpected 10.1.0.2, expecting comma or '}'" },
		{ "fullnat to { [10.1.0.1]:80 } via { 10.1.0.254 }",
		  "fullnat: only IPv6 addresses go in brackets" },
		{ "synproxy-lb mss 100",
		  "synproxy-lb: mss 100 out of range, expecting 536-65495" },
		{ "synproxy-lb wscale 15",
		  "synproxy-lb: wscale 15 out of range, expecting 0-14" },
		{ "synproxy-lb ttl 0",
		  "synproxy-lb: ttl 0 out of range, expecting 1-255" },
		{ "synproxy-lb mss",
		  "syntax error, unexpected newline, expecting a number" },
		{ "synproxy-lb sack-prem",
		  "synproxy-lb: unknown option sack-prem, did you mean sack-perm?" },
	};
	char in[256], *nl;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct result r;

		snprintf(in, sizeof(in), "add rule ip t c %s\n", cases[i].in);
		r = scan(NULL, in, false);
		CHECK(r.rc < 0);
		nl = strchr(r.errors, '\n');
		if (nl)
			*nl = '\0';
		if (!CHECK(!strncmp(r.errors, "Error: ", 7) &&
			   !strcmp(r.errors + 7, cases[i].msg)))
			fprintf(stderr, "  input: %s  got:  %s\n  want: %s\n",
				in, r.errors, cases[i].msg);
		result_free(&r);
	}
	/* Inet: one family per statement. */
	check_error("add rule inet t c fullnat to { 10.1.0.1 } via { 2001:db8::fe }\n",
		    "Error: fullnat: IPv4 and IPv6 addresses mixed; the servers and local addresses of one fullnat are of one family\n"
		    "add rule inet t c fullnat to { 10.1.0.1 } via { 2001:db8::fe }\n"
		    "                                                ^^^^^^^^^^^^\n");
}


/* File locations: nft's format, tabs kept under the carets. */
static void test_file_errors(void)
{
	struct result r;

	r = scan("/etc/x.nft", "table ip t {\n\tchain c {\n\t\tip daddr 1.1.1.1 fullnat to { 10.1.0.1:0 } via 10.1.0.254\n\t}\n}\n", false);
	CHECK_STR(r.errors,
		  "/etc/x.nft:3:42-42: Error: fullnat: port 0 out of range, expecting 1-65535\n"
		  "\t\tip daddr 1.1.1.1 fullnat to { 10.1.0.1:0 } via 10.1.0.254\n"
		  "\t\t                                       ^\n");
	result_free(&r);
	/* Several errors, each once. */
	r = scan("/etc/y.nft", "add rule t c fullnat to 10.1.0.1:0 via 10.1.0.254\nadd rule t c synproxy-lb ttl 300\nadd rule t c lb-dispatch\n", false);
	CHECK(nftlvs_errors == 2);
	result_free(&r);
}

/* What nft reads: same lines, same columns after a statement. */
static void test_rewrite(void)
{
	const char *in = "table ip t {\n chain c {\n  ip daddr 10.0.0.1 fullnat to {\n   10.1.0.1,\n   10.1.0.2 } via 10.1.0.254 counter\n  lb-dispatch accept\n }\n}\n";
	struct result r = scan("/t.nft", in, false);
	const char *after_o = strstr(in, " counter"), *after_n;
	unsigned int lo, co, ln, cn, i, nl_o = 0, nl_n = 0;

	CHECK(r.rc == 0);
	CHECK(!strstr(r.src->text, "fullnat") && !strstr(r.src->text, "lb-dispatch"));
	CHECK(strstr(r.src->text, "log prefix \"nftlvs-"));
	for (i = 0; in[i]; i++)
		nl_o += in[i] == '\n';
	for (i = 0; i < r.src->text_len; i++)
		nl_n += r.src->text[i] == '\n';
	CHECK(nl_o == nl_n);
	after_n = strstr(r.src->text, " counter");
	text_pos(in, strlen(in), after_o - in, &lo, &co, NULL);
	text_pos(r.src->text, r.src->text_len, after_n - r.src->text, &ln, &cn,
		 NULL);
	CHECK(lo == ln && co == cn);
	CHECK(r.src->nedits == 2);
	/* Inside a placeholder maps to the whole statement. */
	CHECK(src_orig_offset(r.src, r.src->edits[0].new_start + 3, false) ==
	      (size_t)(strstr(in, "fullnat") - in));
	CHECK(src_orig_offset(r.src, r.src->edits[0].new_start + 3, true) ==
	      (size_t)(strstr(in, " counter") - in - 1));
	CHECK(src_orig_offset(r.src, after_n - r.src->text, false) ==
	      (size_t)(after_o - in));
	result_free(&r);
}

/* nft's messages about the text it read, back on the user's text. */
static void test_nft_errors(void)
{
	const char *in = "table ip t {\n\tchain c {\n\t\ttcp dport 80 fullnat to { 10.1.0.1 } via { 10.1.0.254 } counter\n\t\tbogus\n\t}\n}\n";
	struct result r = scan("/e.nft", in, false);
	const struct edit *e = &r.src->edits[0];
	unsigned int line, c1, c2, i;
	char *nft_err, *out, rline[256], carets[256];
	size_t ls;

	CHECK(r.rc == 0);
	text_pos(r.src->text, r.src->text_len, e->new_start, &line, &c1, &ls);
	c2 = c1 + (e->new_end - e->new_start) - 1;
	snprintf(rline, sizeof(rline), "%.*s",
		 (int)(strchr(r.src->text + ls, '\n') - (r.src->text + ls)),
		 r.src->text + ls);
	for (i = 0; i < c2 && i < sizeof(carets) - 1; i++)
		carets[i] = i + 1 >= c1 ? '^' : rline[i] == '\t' ? '\t' : ' ';
	carets[i] = '\0';
	stmt_get(e->stmt)->kernel_err = EOPNOTSUPP;
	if (asprintf(&nft_err, "/e.nft:%u:%u-%u: Error: Could not process rule: Operation not supported\n%s\n%s\n"
		     "/e.nft:4:3-7: Error: syntax error, unexpected string\n\t\tbogus\n\t\t^^^^^\n",
		     line, c1, c2, rline, carets) < 0)
		return;
	out = print_errors(nft_err);
	CHECK_STR(out,
		  "/e.nft:3:16-57: Error: Could not process rule: Operation not supported: fullnat is allowed only in chains at the prerouting and output hooks (and chains they jump to)\n"
		  "\t\ttcp dport 80 fullnat to { 10.1.0.1 } via { 10.1.0.254 } counter\n"
		  "\t\t             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
		  "/e.nft:4:3-7: Error: syntax error, unexpected string\n"
		  "\t\tbogus\n"
		  "\t\t^^^^^\n");
	free(out);
	free(nft_err);
	/* Lines we do not know pass unchanged. */
	out = print_errors("Error: Could not process rule: No such file or directory\n\n");
	CHECK_STR(out, "Error: Could not process rule: No such file or directory\n\n");
	free(out);
	result_free(&r);
}

static void test_json(void)
{
	const char *in =
		"{\"nftables\": [{\"rule\": {\"family\": \"ip\", \"table\": \"t\", \"chain\": \"c\", \"expr\": [\n"
		"{\"lb-dispatch\": null}, {\"synproxy-lb\": {\"mss\": 1460, \"flags\": [\"sack-perm\", \"timestamp\"]}},\n"
		"{\"fullnat\": {\"to\": [{\"addr\": \"10.1.0.1\", \"port\": 8080, \"weight\": 3}, \"10.1.0.2\"], \"via\": [\"10.1.0.254\"],"
		" \"ports\": {\"range\": [5000, 6000]}, \"sched\": \"mh\", \"timeout\": 90, \"flags\": [\"toa\"]}},\n"
		"{\"counter\": null}, {\"jump\": {\"target\": \"fullnat\"}}]}}]}\n";
	struct result r = scan("/j.json", in, true);

	CHECK(r.rc == 0);
	CHECK_STR(r.stmts,
		  "{\"lb-dispatch\": null}\n"
		  "{\"synproxy-lb\": {\"mss\": 1460, \"flags\": [\"sack-perm\", \"timestamp\"]}}\n"
		  "{\"fullnat\": {\"to\": [{\"addr\": \"10.1.0.1\", \"port\": 8080, \"weight\": 3}, {\"addr\": \"10.1.0.2\"}], \"via\": [\"10.1.0.254\"], \"ports\": {\"range\": [5000, 6000]}, \"sched\": \"mh\", \"timeout\": 90, \"flags\": [\"toa\"]}}\n");
	CHECK(strstr(r.src->text, "{\"counter\": null}, {\"jump\": {\"target\": \"fullnat\"}}"));
	CHECK(!strstr(r.src->text, "lb-dispatch"));
	result_free(&r);

	r = scan("/k.json", "{\"nftables\": [{\"rule\": {\"family\": \"ip6\", \"expr\": [{\"fullnat\": {\"to\": [\"10.1.0.1\"], \"via\": \"10.1.0.254\", \"sched\": \"xx\"}}]}}]}", true);
	CHECK(r.rc < 0);
	CHECK_STR(r.errors,
		  "/k.json:1:51-119: Error: fullnat: unknown scheduler xx, expecting rr, wrr, lc, wlc, sh or mh\n"
		  "fullnat to { 10.1.0.1 } via 10.1.0.254 sched xx\n"
		  "                                             ^^\n");
	result_free(&r);
}

/* Every prefix of valid input, and bytes of every value: no crash, no leak. */
static void test_truncated(void)
{
	static const char *const inputs[] = {
		"define p = { 10.1.0.1:80, [2001:db8::1]:80 }\n"
		"table inet t {\n chain c {\n  type filter hook prerouting priority raw;\n"
		"  ip daddr 1.2.3.4 synproxy-lb mss 1460 wscale 7 sack-perm timestamp ttl 9 defer fullnat to {\n"
		"   $p, 10.1.0.2 weight 3 } via { 10.1.0.254 } ports 10-20 sched mh timeout 1h flags toa,rst-on-expire # c\n"
		"  log prefix \"fullnat\" jump fullnat\n }\n}\n",
		"{\"nftables\": [{\"rule\": {\"family\": \"inet\", \"expr\": [{\"fullnat\": {\"to\": [{\"addr\": \"10.1.0.1\", \"port\": 80, \"weight\": 2}], "
		"\"via\": \"10.1.0.254\", \"ports\": {\"range\": [1, 2]}, \"flags\": [\"toa\"]}}, {\"synproxy-lb\": {\"flags\": [\"defer\"]}}]}}]}",
		"define s = @w\ntable inet t {\n map w { typeof ip daddr . tcp dport : meta mark; elements = { 10.1.0.1 . 80 : 1,\n  10.1.0.2 . 80 : 2 } }\n"
		" set l { type ipv4_addr; flags interval,timeout; }\n chain c {\n  ip6 daddr ::1 fullnat to $s via @l\n"
		"  fullnat to @x via { 10.1.0.254 } sched sh\n }\n}\nadd map inet t x { type ipv6_addr : verdict; }\n",
		"{\"nftables\": [{\"map\": {\"family\": \"inet\", \"table\": \"t\", \"name\": \"w\", \"type\": [\"ipv4_addr\", \"inet_service\"], \"map\": \"mark\", \"flags\": [\"interval\"]}}, "
		"{\"rule\": {\"family\": \"inet\", \"table\": \"t\", \"expr\": [{\"match\": {\"left\": {\"payload\": {\"protocol\": \"ip6\"}}}}, {\"fullnat\": {\"to\": \"@w\", \"via\": \"@l\"}}]}}]}",
	};
	unsigned int i, k;
	size_t len, n;
	char *buf;

	for (k = 0; k < ARRAY_SIZE(inputs); k++) {
		len = strlen(inputs[k]);
		buf = malloc(len + 1);
		for (n = 0; n <= len; n++) {
			struct result r;

			memcpy(buf, inputs[k], n);
			buf[n] = '\0';
			r = scan("/t", buf, k & 1);
			result_free(&r);
			/* and the same with one byte changed */
			if (n < len) {
				for (i = 0; i < 3; i++) {
					memcpy(buf, inputs[k], len + 1);
					buf[n] = "{}\""[i];
					r = scan("/t", buf, k & 1);
					result_free(&r);
				}
			}
		}
		free(buf);
		src_free_all();
	}
	CHECK(true);
}

int main(void)
{
	marker_init();
	scan_opts.include_paths = (const char *[]){ "/nonexistent" };
	scan_opts.ninclude_paths = 1;
	test_positions();
	test_values();
	test_variables();
	test_errors();
	test_file_errors();
	test_rewrite();
	test_nft_errors();
	test_json();
	src_free_all();
	test_truncated();
	stmt_free_all();
	defs_free_all();
	sets_forget();
	return tests_finish();
}
