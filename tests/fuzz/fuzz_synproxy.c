// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: SYN cookies and the SYNPROXY option work
 * (kmod/core/synproxy.c). Invariants: the options a cookie carries decode
 * to what the cookie encodes (and never to more than the client offered);
 * a cookie made with the MAC of a period is valid in that period and the
 * next ones of its lifetime, and no cookie is valid before it was made;
 * what we negotiate and build from any SYN's options is a well-formed
 * option list within the limits of the rule and the client; window
 * rescaling never overflows the field.
 */
#include "fuzz.h"
#include "tcpopt.h"
#include "synproxy.h"

static u32 mac_of(const void *ctx, u32 period, u8 data)
{
	u32 key = *(const u32 *)ctx;

	return (key ^ period * 0x9e3779b1u) * 0x85ebca6bu + data * 0xc2b2ae35u;
}

static bool same_mac(u32 key, u32 p1, u32 p2, u8 data)
{
	return (mac_of(&key, p1, data) ^ mac_of(&key, p2, data)) >> 8 == 0;
}

static void cookies(struct fuzz_in *in)
{
	struct syn_opts o = {
		.mss = fz_u16(in), .wscale = fz_u8(in) % 16,
		.sack_perm = fz_u8(in) & 1,
	}, got, again;
	u32 key = fz_u32(in), made = fz_u32(in), t = made + (s8)fz_u8(in);
	u8 data = syncookie_data(&o);
	u32 cookie = syncookie_make(mac_of(&key, made, data), data);
	u16 asked = o.mss ? o.mss : 536;

	FUZZ_ASSERT(syncookie_data_decode(data, &got), "own data %#x refused", data);
	FUZZ_ASSERT(got.mss <= asked || got.mss == syncookie_mss_value(0),
		    "mss %u for an offer of %u", got.mss, asked);
	FUZZ_ASSERT(got.sack_perm == o.sack_perm, "sack");
	FUZZ_ASSERT(got.wscale == o.wscale, "wscale %u for %u", got.wscale, o.wscale);
	again = got;
	FUZZ_ASSERT(syncookie_data_decode(syncookie_data(&got), &again) &&
		    !memcmp(&again, &got, sizeof(got)), "data not stable");

	/* Valid in the period it was made and the next, and otherwise only
	 * where another period's MAC happens to agree in its 24 bits. */
	FUZZ_ASSERT(syncookie_valid(cookie, made, mac_of, &key, &got) &&
		    syncookie_valid(cookie, made + 1, mac_of, &key, &got),
		    "fresh cookie refused");
	if (t != made && t != made + 1 && syncookie_valid(cookie, t, mac_of, &key, &got))
		FUZZ_ASSERT(same_mac(key, t, made, data) || same_mac(key, t - 1, made, data),
			    "cookie of period %u valid at %u", made, t);
	/* any 32-bit value: no crash, options decoded only from valid data */
	if (syncookie_valid(fz_u32(in), fz_u32(in), mac_of, &key, &got))
		FUZZ_ASSERT(got.wscale <= SYNPROXY_WSCALE_MAX ||
			    got.wscale == SYNCOOKIE_WSCALE_NONE, "wscale %u", got.wscale);
}

static void negotiate(struct fuzz_in *in)
{
	struct synproxy_cfg cfg = {
		.mss = fz_u16(in), .wscale = fz_u8(in) % 16,
		.sack_perm = fz_u8(in) & 1, .ts = fz_u8(in) & 1,
	};
	struct tcpopt_info info;
	struct synack_offer offer;
	struct syn_opts client;
	u8 th[60], buf[60];
	unsigned int n;

	fz_bytes(in, th, sizeof(th));
	if (tcpopt_parse(th, &info) < 0)
		return;
	synproxy_negotiate(&info, &cfg, &client, &offer);
	FUZZ_ASSERT(!offer.ts || (cfg.ts && (info.present & TCPOPT_F_TS)), "ts offered");
	FUZZ_ASSERT(!offer.sack_perm || cfg.sack_perm, "sack offered");
	n = synproxy_build_options(buf + 20, offer.mss, offer.wscale, offer.sack_perm,
				   offer.ts, fz_u32(in), fz_u32(in));
	FUZZ_ASSERT(n <= SYNPROXY_OPTS_MAX && n % 4 == 0, "options length %u", n);
	memset(buf, 0, 20);
	buf[12] = (u8)((20 + n) / 4) << 4;
	FUZZ_ASSERT(tcpopt_parse(buf, &info) == 0, "built options do not parse");
	FUZZ_ASSERT(info.mss == offer.mss, "mss %u, offered %u", info.mss, offer.mss);
}

static void windows(struct fuzz_in *in)
{
	u16 win = fz_u16(in);
	u8 from = fz_u8(in) % 15, to = fz_u8(in) % 15;
	u32 bytes = (u32)win << from, back = (u32)synproxy_rescale_window(win, from, to) << to;

	/* Rounded down to a unit of the new scale (a window that is not 0
	 * stays open: at least one unit), or the field is full. */
	if (back == (u32)0xffff << to)
		return;
	FUZZ_ASSERT(back <= bytes || (win && back == 1u << to),
		    "win %u %u->%u: %u of %u", win, from, to, back, bytes);
	FUZZ_ASSERT(back + (1u << to) > bytes, "win %u %u->%u: %u of %u", win, from, to,
		    back, bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct ackstorm as = { 0 };
	u8 th[60];
	int i;

	switch (fz_u8(&in) % 4) {
	case 0:
		cookies(&in);
		break;
	case 1:
		negotiate(&in);
		break;
	case 2:
		windows(&in);
		break;
	default:
		for (i = 0; i < 8 && in.left; i++) {
			fz_bytes(&in, th, 20);
			th[12] = 5 << 4;
			ackstorm_check(&as, th, fz_u16(&in), fz_u8(&in) & 1, fz_u8(&in));
		}
	}
	return 0;
}
