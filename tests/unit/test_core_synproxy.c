// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for kmod/core/synproxy.[ch]: cookie data and MAC bits, the
 * SYN/SYN-ACK option layout (byte-exact, and parsed back), window
 * rescaling, timestamp translation with checksum deltas, the ACK-storm
 * detector.
 */
#include <stdlib.h>

#define CORE_TEST_SEED	0x6a09e667f3bcc909ull
#include "core_harness.h"
#include "csum.h"
#include "synproxy.h"
#include "tcpopt.h"

/* The checksum field a header would carry, computed from scratch. */
static u16 hdr_csum(const u8 *th, unsigned int hl)
{
	u8 copy[CORE_TCP_HDR_MAX];

	memcpy(copy, th, hl);
	copy[16] = copy[17] = 0;
	return core_csum_finish(core_csum_partial(copy, hl, 0));
}

static void hdr_set_csum(u8 *th, unsigned int hl)
{
	u16 c = hdr_csum(th, hl);

	memcpy(th + 16, &c, 2);
}

/* After an in-place edit that reported @diff, does the field still hold? */
static bool hdr_csum_follows(u8 *th, unsigned int hl, u32 diff)
{
	u16 old, fixed;

	memcpy(&old, th + 16, 2);
	fixed = core_csum_replace(old, diff);
	memcpy(th + 16, &fixed, 2);
	return fixed == hdr_csum(th, hl);
}

static void test_mss_table(void)
{
	unsigned int i;

	CHECK(syncookie_mss_index(100) == 0, "below the table: the minimum");
	CHECK(syncookie_mss_value(syncookie_mss_index(536)) == 536, "536");
	CHECK(syncookie_mss_value(syncookie_mss_index(1451)) == 1440,
	      "1451 -> %u", syncookie_mss_value(syncookie_mss_index(1451)));
	CHECK(syncookie_mss_value(syncookie_mss_index(1452)) == 1452, "1452");
	CHECK(syncookie_mss_value(syncookie_mss_index(1460)) == 1460, "1460");
	CHECK(syncookie_mss_value(syncookie_mss_index(65495)) == 8960, "jumbo");
	for (i = 0; i < 8; i++)
		CHECK(syncookie_mss_index(syncookie_mss_value(i)) == i,
		      "index %u round trip", i);
	/* Never more than offered (the table starts at the minimum MSS). */
	for (i = 536; i < 10000; i += 7)
		if (syncookie_mss_value(syncookie_mss_index((u16)i)) > i)
			break;
	CHECK(i >= 10000, "mss %u rounded up", i);
}

static void test_cookie_data(void)
{
	unsigned int d, bad = 0, ws;
	struct syn_opts o = { 0 };

	/* Every byte a cookie can carry decodes and encodes back to itself. */
	for (d = 0; d < 256; d++) {
		memset(&o, 0, sizeof(o));
		LOOP_CHECK(bad, syncookie_data_decode((u8)d, &o), "data %#x", d);
		LOOP_CHECK(bad, syncookie_data(&o) == d, "data %#x -> %#x", d,
			   syncookie_data(&o));
	}
	CHECK(!bad, "%u data bytes do not round-trip", bad);

	for (ws = 0; ws <= 14; ws++) {
		o = (struct syn_opts){ .mss = 1460, .wscale = (u8)ws,
				       .sack_perm = ws & 1 };
		syncookie_data_decode(syncookie_data(&o), &o);
		CHECK(o.wscale == ws && o.sack_perm == (ws & 1) && o.mss == 1460,
		      "wscale %u: %u %d %u", ws, o.wscale, o.sack_perm, o.mss);
	}
	/* A scale above 14 was still offered: it means 14 (RFC 7323). */
	o = (struct syn_opts){ .mss = 1400, .wscale = 200 };
	syncookie_data_decode(syncookie_data(&o), &o);
	CHECK(o.wscale == 14, "wscale 200 -> %u", o.wscale);
	o = (struct syn_opts){ .mss = 0, .wscale = SYNCOOKIE_WSCALE_NONE };
	syncookie_data_decode(syncookie_data(&o), &o);
	CHECK(o.wscale == SYNCOOKIE_WSCALE_NONE && o.mss == 536,
	      "no options: wscale %u mss %u", o.wscale, o.mss);
}

static void test_cookie_mac(void)
{
	unsigned int i, bad = 0;

	for (i = 0; i < 10000; i++) {
		u32 mac = rnd(), cookie;
		u8 data = (u8)rnd();
		unsigned int bit = 8 + rnd() % 24;

		cookie = syncookie_make(mac, data);
		LOOP_CHECK(bad, syncookie_data_of(cookie) == data, "data");
		LOOP_CHECK(bad, syncookie_mac_ok(cookie, mac), "own mac");
		LOOP_CHECK(bad, !syncookie_mac_ok(cookie ^ (1u << bit), mac),
			   "bit %u flipped", bit);
		/* The data bits are not the MAC's: they are checked by it. */
		LOOP_CHECK(bad, syncookie_mac_ok(cookie ^ 1, mac), "data bit");
	}
	CHECK(!bad, "%u cookie checks failed", bad);
}

/* A stand-in MAC: any keyed mixing of (key, period, data) will do here. */
static u32 fake_mac(const void *ctx, u32 period, u8 data)
{
	u64 x = *(const u64 *)ctx ^ ((u64)period << 8 | data);

	x *= 0x9e3779b97f4a7c15ull;
	return (u32)(x >> 32);
}

static void test_cookie_clock(void)
{
	u64 key = 0x1234, other = 0x4321;
	struct syn_opts o = { .mss = 1460, .wscale = 7, .sack_perm = true };
	struct syn_opts got;
	u8 data = syncookie_data(&o);
	u32 cookie = syncookie_make(fake_mac(&key, 1000, data), data);
	unsigned int i, bad = 0;

	CHECK(syncookie_valid(cookie, 1000, fake_mac, &key, &got) &&
	      got.mss == 1460 && got.wscale == 7 && got.sack_perm,
	      "fresh cookie");
	CHECK(syncookie_valid(cookie, 1001, fake_mac, &key, &got),
	      "cookie of the previous period");
	CHECK(!syncookie_valid(cookie, 1002, fake_mac, &key, &got),
	      "expired cookie accepted");
	CHECK(!syncookie_valid(cookie, 999, fake_mac, &key, &got),
	      "cookie from the future accepted");
	CHECK(!syncookie_valid(cookie, 1000, fake_mac, &other, &got),
	      "cookie of another key (tuple, ISN) accepted");
	/* Changing the carried options breaks the MAC: no upgrading a cookie. */
	CHECK(!syncookie_valid(cookie ^ 0x80, 1000, fake_mac, &key, &got),
	      "SACK bit flipped");
	CHECK(!syncookie_valid(cookie ^ 0x07, 1000, fake_mac, &key, &got),
	      "MSS bits changed");
	/* The clock wraps like everything else. */
	cookie = syncookie_make(fake_mac(&key, 0xffffffff, data), data);
	CHECK(syncookie_valid(cookie, 0, fake_mac, &key, &got), "clock wrap");
	/* Random cookies almost never pass (expected: 2 in 2^24 each). */
	for (i = 0; i < 200000; i++)
		bad += syncookie_valid(rnd(), 1000, fake_mac, &key, &got);
	CHECK(bad <= 2, "%u of 200000 random cookies accepted", bad);
}

static void test_negotiate(void)
{
	const struct synproxy_cfg all = { 1452, 7, true, true };
	const struct synproxy_cfg none = { 1460, 0, false, false };
	struct tcpopt_info syn = { 0 };
	struct synack_offer offer;
	struct syn_opts client;

	/* A full-featured client against a full-featured rule. */
	syn.present = TCPOPT_F_MSS | TCPOPT_F_WSCALE | TCPOPT_F_SACK_PERM |
		      TCPOPT_F_TS;
	syn.mss = 1460;
	syn.wscale = 9;
	syn.tsval = 777;
	synproxy_negotiate(&syn, &all, &client, &offer);
	CHECK(offer.mss == 1452 && offer.wscale == 7 && offer.sack_perm &&
	      offer.ts, "offer %u %u %d %d", offer.mss, offer.wscale,
	      offer.sack_perm, offer.ts);
	CHECK(client.mss == 1460 && client.wscale == 9 && client.sack_perm &&
	      client.ts && client.tsval == 777, "client");

	/* The rule enables nothing: the client's offers are declined. */
	synproxy_negotiate(&syn, &none, &client, &offer);
	CHECK(offer.mss == 1460 && offer.wscale == 0 && !offer.sack_perm &&
	      !offer.ts, "declined: %u %u", offer.mss, offer.wscale);
	CHECK(client.wscale == 9 && !client.sack_perm && !client.ts,
	      "declined client");

	/* A bare SYN: 536, no scaling, whatever the rule allows. */
	syn.present = 0;
	synproxy_negotiate(&syn, &all, &client, &offer);
	CHECK(offer.mss == 536 && offer.wscale == SYNCOOKIE_WSCALE_NONE &&
	      !offer.sack_perm && !offer.ts, "bare SYN: %u %u", offer.mss,
	      offer.wscale);

	/* A small client MSS and an excessive window scale. */
	syn.present = TCPOPT_F_MSS | TCPOPT_F_WSCALE;
	syn.mss = 1200;
	syn.wscale = 30;
	synproxy_negotiate(&syn, &all, &client, &offer);
	CHECK(offer.mss == 1200 && client.wscale == 14, "mss %u ws %u",
	      offer.mss, client.wscale);
}

static void test_scales(void)
{
	struct synproxy_scales sc;

	/* Both scale, differently: client 8, we said 7, RS chose 2. */
	synproxy_scales(8, 7, 2, &sc);
	CHECK(sc.in_from == 8 && sc.in_to == 8 && sc.out_from == 2 &&
	      sc.out_to == 7, "%u %u %u %u", sc.in_from, sc.in_to, sc.out_from,
	      sc.out_to);
	/* The RS declines scaling: it reads the client's windows unscaled. */
	synproxy_scales(8, 7, SYNCOOKIE_WSCALE_NONE, &sc);
	CHECK(sc.in_from == 8 && sc.in_to == 0 && sc.out_from == 0 &&
	      sc.out_to == 7, "RS without: %u %u %u %u", sc.in_from, sc.in_to,
	      sc.out_from, sc.out_to);
	/* The client did not offer: nobody scales, whatever the RS says. */
	synproxy_scales(SYNCOOKIE_WSCALE_NONE, 7, 5, &sc);
	CHECK(!sc.in_from && !sc.in_to && !sc.out_from && !sc.out_to,
	      "client without");
}

static void test_options_layout(void)
{
	static const u8 all[20] = {
		2, 4, 0x05, 0xb4,		/* MSS 1460 */
		4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2,	/* SACK_PERM TS */
		1, 3, 3, 7,			/* NOP WS 7 */
	};
	static const u8 sack_only[8] = {
		2, 4, 0x05, 0xac,		/* MSS 1452 */
		1, 1, 4, 2,			/* NOP NOP SACK_PERM */
	};
	u8 buf[SYNPROXY_OPTS_MAX + 4];
	unsigned int n, mask, bad = 0;

	n = synproxy_build_options(buf, 1460, 7, true, true, 1, 2);
	CHECK(n == 20 && !memcmp(buf, all, 20), "full set: %u bytes", n);
	n = synproxy_build_options(buf, 1452, SYNCOOKIE_WSCALE_NONE, true,
				   false, 0, 0);
	CHECK(n == 8 && !memcmp(buf, sack_only, 8), "MSS + SACK_PERM: %u", n);
	n = synproxy_build_options(buf, 536, SYNCOOKIE_WSCALE_NONE, false,
				   false, 0, 0);
	CHECK(n == 4, "MSS only: %u", n);

	/* Every combination parses back to what was asked. */
	for (mask = 0; mask < 8; mask++) {
		u8 th[CORE_TCP_HDR_MAX] = { 0 };
		struct tcpopt_info info;
		bool ws = mask & 1, sack = mask & 2, ts = mask & 4;

		n = synproxy_build_options(th + 20, 1400, ws ? 5 : SYNCOOKIE_WSCALE_NONE,
					   sack, ts, 0x11223344, 0x55667788);
		LOOP_CHECK(bad, n % 4 == 0 && n <= SYNPROXY_OPTS_MAX, "len %u", n);
		th[12] = (u8)(((20 + n) / 4) << 4);
		LOOP_CHECK(bad, tcpopt_parse(th, &info) == 0, "parse %u", mask);
		LOOP_CHECK(bad, (info.present & TCPOPT_F_MSS) && info.mss == 1400,
			   "mss %u", mask);
		LOOP_CHECK(bad, !!(info.present & TCPOPT_F_WSCALE) == ws &&
			   (!ws || info.wscale == 5), "ws %u", mask);
		LOOP_CHECK(bad, !!(info.present & TCPOPT_F_SACK_PERM) == sack,
			   "sack %u", mask);
		LOOP_CHECK(bad, !!(info.present & TCPOPT_F_TS) == ts &&
			   (!ts || (info.tsval == 0x11223344 &&
				    info.tsecr == 0x55667788)), "ts %u", mask);
	}
	CHECK(!bad, "%u option combinations wrong", bad);
}

static void test_rescale(void)
{
	unsigned int i, bad = 0;

	CHECK(synproxy_rescale_window(1000, 3, 3) == 1000, "same scale");
	CHECK(synproxy_rescale_window(1000, 7, 0) == 0xffff, "capped");
	CHECK(synproxy_rescale_window(1000, 0, 7) == 7, "down: %u",
	      synproxy_rescale_window(1000, 0, 7));
	CHECK(synproxy_rescale_window(100, 0, 7) == 1, "never closes an open window");
	CHECK(synproxy_rescale_window(0, 0, 7) == 0, "a closed window stays closed");
	CHECK(synproxy_rescale_window(512, 2, 9) == 4, "2048 bytes in 512s");
	for (i = 0; i < 20000; i++) {
		u16 w = (u16)rnd();
		u8 from = rnd() % 15, to = rnd() % 15;
		u64 bytes = (u64)w << from;
		u16 got = synproxy_rescale_window(w, from, to);
		u64 back = (u64)got << to;

		/* Never offers more than the receiver did, unless capped at 1. */
		LOOP_CHECK(bad, back <= bytes || (got == 1 && w), "%u %u->%u: %u",
			   w, from, to, got);
		/* And loses less than one unit of the new scale, or is capped. */
		LOOP_CHECK(bad, got == 0xffff || bytes - back < (1ull << to) ||
			   (got == 1 && w), "%u %u->%u: %u", w, from, to, got);
	}
	CHECK(!bad, "%u rescales wrong", bad);
}

/* An ACK: 20 bytes + NOP NOP TS; window 1000. */
static void make_ack(u8 *th, bool with_ts)
{
	memset(th, 0, CORE_TCP_HDR_MAX);
	core_put_be16(th, 40000);
	core_put_be16(th + 2, 80);
	core_put_be32(th + 4, 0x01020304);
	core_put_be32(th + 8, 0x0a0b0c0d);
	th[12] = with_ts ? 8 << 4 : 5 << 4;
	th[13] = CORE_TCPF_ACK;
	core_put_be16(th + 14, 1000);
	if (with_ts) {
		th[20] = th[21] = TCPOPT_KIND_NOP;
		th[22] = TCPOPT_KIND_TS;
		th[23] = TCPOPT_LEN_TS;
		core_put_be32(th + 24, 5000);
		core_put_be32(th + 28, 7000);
	}
	hdr_set_csum(th, tcpopt_hdrlen(th));
}

static void test_tcp_edits(void)
{
	u8 th[CORE_TCP_HDR_MAX];
	unsigned int i, bad = 0;
	u32 diff;

	make_ack(th, true);
	diff = 0;
	synproxy_tcp_rescale(th, 0, 3, &diff);
	CHECK(core_get_be16(th + 14) == 125, "window %u", core_get_be16(th + 14));
	CHECK(hdr_csum_follows(th, 32, diff), "checksum after rescale");

	diff = 0;
	CHECK(synproxy_tcp_ts_adjust(th, 100, (u32)-50, &diff) == 1, "ts found");
	CHECK(core_get_be32(th + 24) == 5100 && core_get_be32(th + 28) == 6950,
	      "tsval %u tsecr %u", core_get_be32(th + 24), core_get_be32(th + 28));
	CHECK(hdr_csum_follows(th, 32, diff), "checksum after ts");

	make_ack(th, false);
	diff = 0;
	CHECK(synproxy_tcp_ts_adjust(th, 1, 1, &diff) == 0 && diff == 0,
	      "no option, no change");

	/* TS at an odd offset (one NOP before it): the checksum still holds. */
	for (i = 0; i < 2000; i++) {
		u32 dv = rnd(), de = rnd();

		memset(th, 0, sizeof(th));
		rnd_bytes(th, 20);
		th[12] = 8 << 4;
		th[20] = TCPOPT_KIND_NOP;
		th[21] = TCPOPT_KIND_TS;
		th[22] = TCPOPT_LEN_TS;
		rnd_bytes(th + 23, 8);
		th[31] = TCPOPT_KIND_EOL;
		hdr_set_csum(th, 32);
		diff = 0;
		LOOP_CHECK(bad, synproxy_tcp_ts_adjust(th, dv, de, &diff) == 1,
			   "odd ts");
		LOOP_CHECK(bad, hdr_csum_follows(th, 32, diff), "odd ts checksum");
		diff = 0;
		synproxy_tcp_rescale(th, rnd() % 15, rnd() % 15, &diff);
		LOOP_CHECK(bad, hdr_csum_follows(th, 32, diff), "rescale checksum");
	}
	CHECK(!bad, "%u random edits broke the checksum", bad);

	/* A broken option list is reported, not walked past. */
	make_ack(th, true);
	th[23] = 1;	/* TS with length 1 */
	diff = 0;
	CHECK(synproxy_tcp_ts_adjust(th, 1, 1, &diff) == TCPOPT_E_MALFORMED,
	      "malformed");
}

static void test_ackstorm(void)
{
	struct ackstorm as = { 0 };
	u8 th[CORE_TCP_HDR_MAX];
	unsigned int i, dropped = 0;

	make_ack(th, false);
	for (i = 0; i < 30; i++)
		dropped += ackstorm_check(&as, th, 0, false, 10);
	/* The first sets the reference, ten repeats pass, the rest drop. */
	CHECK(dropped == 30 - 11, "dropped %u of 30", dropped);

	/* Any change starts over: seq, payload, SACK, window, flags. */
	core_put_be32(th + 4, 0x01020305);
	CHECK(!ackstorm_check(&as, th, 0, false, 10), "new seq");
	CHECK(!ackstorm_check(&as, th, 0, false, 10) && as.count == 1, "count 1");
	for (i = 0; i < 20; i++)
		CHECK(!ackstorm_check(&as, th, 100, false, 10), "data passes");
	for (i = 0; i < 20; i++)
		CHECK(!ackstorm_check(&as, th, 0, true, 10), "SACK passes");
	th[13] |= CORE_TCPF_FIN;
	for (i = 0; i < 20; i++)
		CHECK(!ackstorm_check(&as, th, 0, false, 10), "FIN passes");
}

static void test_has_sack(void)
{
	u8 th[CORE_TCP_HDR_MAX];

	make_ack(th, true);
	CHECK(!tcpopt_has_sack(th), "TS only");
	th[12] = 11 << 4;
	th[32] = th[33] = TCPOPT_KIND_NOP;
	th[34] = TCPOPT_KIND_SACK;
	th[35] = 10;
	CHECK(tcpopt_has_sack(th), "one block");
	th[35] = 7;
	CHECK(!tcpopt_has_sack(th), "bad length is no SACK");
}

int main(void)
{
	test_mss_table();
	test_cookie_data();
	test_cookie_mac();
	test_cookie_clock();
	test_negotiate();
	test_scales();
	test_options_layout();
	test_rescale();
	test_tcp_edits();
	test_ackstorm();
	test_has_sack();
	return core_test_report();
}
