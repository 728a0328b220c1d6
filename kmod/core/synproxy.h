/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nftlvs portable core: the stateless half of SYNPROXY.
 *
 * A cookie SYN-ACK must remember, without any state, what the client
 * offered in its SYN, so that the SYN later sent to the real server can
 * offer the same. The cookie (the SYN-ACK's ISN) carries 8 bits of that
 * in the clear and 24 bits of a keyed MAC over the connection tuple, the
 * client's ISN, a coarse clock and those 8 bits:
 *
 *	bit 31..8   MAC (the glue computes it: siphash with a secret key)
 *	bit  7      the client offered SACK
 *	bit  6..3   the client's window scale, 15: not offered
 *	bit  2..0   the client's MSS, an index into a table (rounded down)
 *
 * The clock counts 64-second periods; a cookie is accepted in its own
 * period and the next, so it lives between 64 and 128 seconds. A forged
 * ACK passes with probability 2 * 2^-24, and then only opens one real
 * server connection, which a real handshake could have done as well.
 *
 * Timestamps need no bit: a client whose SYN-ACK carried the option sends
 * it on every segment, so the ACK itself says whether it was negotiated,
 * and its echo gives back the timestamp the SYN-ACK sent.
 */
#ifndef _NFTLVS_CORE_SYNPROXY_H
#define _NFTLVS_CORE_SYNPROXY_H

#include "core_types.h"

#define SYNCOOKIE_PERIOD_SHIFT	6	/* seconds -> cookie clock */
#define SYNCOOKIE_WSCALE_NONE	15
#define SYNPROXY_WSCALE_MAX	14

/* What the client's SYN offered; what its cookie carries. */
struct syn_opts {
	u16	mss;		/* 0 in a SYN without the option: 536 assumed */
	u8	wscale;		/* SYNCOOKIE_WSCALE_NONE: not offered */
	bool	sack_perm;
	bool	ts;		/* timestamps (not part of the cookie) */
	u32	tsval;		/* the peer's clock, if ts */
	u32	tsecr;
};

/* The MSS values a cookie can carry (ascending). */
u16 syncookie_mss_value(unsigned int idx);
unsigned int syncookie_mss_index(u16 mss);

u8 syncookie_data(const struct syn_opts *o);
/* Fill @o from cookie data; false if the data cannot have come from us. */
bool syncookie_data_decode(u8 data, struct syn_opts *o);

static inline u32 syncookie_make(u32 mac, u8 data)
{
	return (mac & 0xffffff00u) | data;
}

static inline u8 syncookie_data_of(u32 cookie)
{
	return (u8)cookie;
}

static inline bool syncookie_mac_ok(u32 cookie, u32 mac)
{
	return ((cookie ^ mac) & 0xffffff00u) == 0;
}

/*
 * Whether @cookie is one of ours made in clock period @now or the one
 * before: @mac(@ctx, period, data) gives the MAC for a period and the
 * cookie's data bits. False for a forged cookie and an expired one.
 */
typedef u32 (*syncookie_mac_fn)(const void *ctx, u32 period, u8 data);
bool syncookie_valid(u32 cookie, u32 now, syncookie_mac_fn mac,
		     const void *ctx, struct syn_opts *o);

/* What synproxy-lb is configured to offer. */
struct synproxy_cfg {
	u16	mss;
	u8	wscale;
	bool	sack_perm;
	bool	ts;
};

/* What a cookie SYN-ACK offers, from the client's SYN options. */
struct synack_offer {
	u16	mss;
	u8	wscale;		/* SYNCOOKIE_WSCALE_NONE: not offered */
	bool	sack_perm;
	bool	ts;
};

/*
 * Negotiate with a client SYN whose options tcpopt_parse() found:
 * fills @client (what the cookie carries, what the RS will be offered)
 * and @offer (what the SYN-ACK says).
 */
struct tcpopt_info;
void synproxy_negotiate(const struct tcpopt_info *syn,
			const struct synproxy_cfg *cfg,
			struct syn_opts *client, struct synack_offer *offer);

/* The window scale translation, set when the RS's SYN-ACK arrives. */
struct synproxy_scales {
	u8	in_from, in_to;		/* client -> RS windows */
	u8	out_from, out_to;	/* RS -> client windows */
};

/*
 * @client_ws: what the client offered (SYNCOOKIE_WSCALE_NONE: nothing),
 * @our_ws: what the SYN-ACK announced then, @rs_ws: the RS's SYN-ACK's
 * option (SYNCOOKIE_WSCALE_NONE: none; our SYN offered @client_ws).
 */
void synproxy_scales(u8 client_ws, u8 our_ws, u8 rs_ws,
		     struct synproxy_scales *sc);

/*
 * TCP options of a SYN or SYN-ACK, laid out as Linux lays them out (MSS;
 * SACK_PERM with TS or NOP NOP TS; NOP WS; NOP NOP SACK_PERM without TS).
 * Writes at most SYNPROXY_OPTS_MAX bytes at @buf; returns the length, a
 * multiple of 4. An @wscale of SYNCOOKIE_WSCALE_NONE omits the option.
 */
#define SYNPROXY_OPTS_MAX	20
unsigned int synproxy_build_options(u8 *buf, u16 mss, u8 wscale,
				    bool sack_perm, bool ts, u32 tsval,
				    u32 tsecr);

/*
 * A window advertised in units of 2^@from, expressed in units of 2^@to:
 * rounded down (a receiver may shrink what it offers), at most 65535,
 * and never 0 when the original was not.
 */
u16 synproxy_rescale_window(u16 win, u8 from, u8 to);

/*
 * Rewrite the window field of TCP header @th from units 2^@from to
 * 2^@to (no-op when equal; SYN segments carry unscaled windows and must
 * not be passed here). Checksum change added to *@diff.
 */
void synproxy_tcp_rescale(u8 *th, u8 from, u8 to, u32 *diff);

/*
 * Translate the timestamp option in place: tsval += @dval, tsecr +=
 * @decr. Returns 1 if the option was found, 0 if not, TCPOPT_E_MALFORMED.
 */
int synproxy_tcp_ts_adjust(u8 *th, u32 dval, u32 decr, u32 *diff);

/* Duplicate-ACK storm detector: per connection, RS->client direction. */
struct ackstorm {
	u32	seq;
	u32	ack;
	u16	win;
	u16	count;
};

/*
 * Account one segment from the RS. A pure ACK (no payload, no SYN/FIN/RST,
 * no SACK blocks) identical in seq, ack and window to the previous one
 * adds to the count, anything else restarts it. Returns true when the
 * count has passed @threshold: the segment should be dropped.
 */
bool ackstorm_check(struct ackstorm *as, const u8 *th, unsigned int payload,
		    bool has_sack, u16 threshold);

#endif /* _NFTLVS_CORE_SYNPROXY_H */
