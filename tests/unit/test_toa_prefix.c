// SPDX-License-Identifier: GPL-2.0
/* nftlvs-toa's trusted prefixes: parsing, host bits, v4-mapped, rejects. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "prefix.h"

static int failed;

static void want(const char *in, const char *out)
{
	struct toa_prefix p;
	char buf[64];

	if (prefix_parse(in, &p)) {
		if (out) {
			fprintf(stderr, "FAIL: '%s' refused, want %s\n", in, out);
			failed++;
		}
		return;
	}
	prefix_format(&p, buf, sizeof(buf));
	if (!out || strcmp(buf, out)) {
		fprintf(stderr, "FAIL: '%s' gave %s, want %s\n", in, buf, out ? out : "refused");
		failed++;
	}
}

int main(void)
{
	want("10.1.0.254", "10.1.0.254/32");
	want("10.1.0.77/24", "10.1.0.0/24");
	want("10.1.0.1/0", "0.0.0.0/0");
	want("10.255.255.255/9", "10.128.0.0/9");
	want("2001:db8:1::254", "2001:db8:1::254/128");
	want("2001:db8:1:ffff::1/63", "2001:db8:1:fffe::/63");
	want("::ffff:10.1.0.9/120", "10.1.0.0/24");
	want("::ffff:10.1.0.9", "10.1.0.9/32");
	want("::ffff:0.0.0.0/80", "::/80");
	want("10.1.0.0/33", NULL);
	want("2001:db8::/129", NULL);
	want("10.1.0.0/", NULL);
	want("10.1.0.0/2x", NULL);
	want("10.1.0.300", NULL);
	want("", NULL);
	want("host.example", NULL);
	want("10.1.0.0/24/8", NULL);
	if (failed)
		return 1;
	printf("test_toa_prefix: all passed\n");
	return 0;
}
