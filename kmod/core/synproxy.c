// SPDX-License-Identifier: GPL-2.0
/*
 * nftlvs portable core: SYN cookie data, SYN/SYN-ACK options, window
 * rescaling and timestamp translation for the SYNPROXY splice.
 */
#include "synproxy.h"
#include "tcpopt.h"
#include "csum.h"

/*
 * Common path MSS values: the minimum, IPv6 tunnels, PPPoE and VPNs,
 * the TOA-friendly 1452, Ethernet, and jumbo frames.
 */
static const u16 syncookie_mss_tab[8] = {
	536, 1220, 1360, 1400, 1440, 1452, 1460, 8960,
};

u16 syncookie_mss_value(unsigned int idx)
{
	return syncookie_mss_tab[idx & 7];
}

/* The largest table value not above @mss; never announce more than offered. */
unsigned int syncookie_mss_index(u16 mss)
{
	unsigned int i;

	for (i = 7; i > 0; i--)
		if (syncookie_mss_tab[i] <= mss)
			break;
	return i;
}

u8 syncookie_data(const struct syn_opts *o)
{
	u8 ws = o->wscale > SYNPROXY_WSCALE_MAX ? SYNCOOKIE_WSCALE_NONE : o->wscale;

	/* A window scale above 14 is read as 14 (RFC 7323), but "offered". */
	if (o->wscale != SYNCOOKIE_WSCALE_NONE && ws == SYNCOOKIE_WSCALE_NONE)
		ws = SYNPROXY_WSCALE_MAX;
	return (u8)((o->sack_perm ? 0x80 : 0) | ws << 3 |
		    syncookie_mss_index(o->mss ? o->mss : 536));
}

bool syncookie_data_decode(u8 data, struct syn_opts *o)
{
	u8 ws = (data >> 3) & 0x0f;

	if (ws > SYNPROXY_WSCALE_MAX && ws != SYNCOOKIE_WSCALE_NONE)
		return false;
	o->mss = syncookie_mss_value(data & 7);
	o->wscale = ws;
	o->sack_perm = data & 0x80;
	return true;
}

bool syncookie_valid(u32 cookie, u32 now, syncookie_mac_fn mac,
		     const void *ctx, struct syn_opts *o)
{
	u8 data = syncookie_data_of(cookie);

	if (!syncookie_data_decode(data, o))
		return false;
	return syncookie_mac_ok(cookie, mac(ctx, now, data)) ||
	       syncookie_mac_ok(cookie, mac(ctx, now - 1, data));
}

void synproxy_negotiate(const struct tcpopt_info *syn,
			const struct synproxy_cfg *cfg,
			struct syn_opts *client, struct synack_offer *offer)
{
	memset(client, 0, sizeof(*client));
	/* RFC 9293: no MSS option means 536. */
	client->mss = syn->present & TCPOPT_F_MSS ? syn->mss : 536;
	client->wscale = syn->present & TCPOPT_F_WSCALE ?
			 (syn->wscale > SYNPROXY_WSCALE_MAX ?
			  SYNPROXY_WSCALE_MAX : syn->wscale) :
			 SYNCOOKIE_WSCALE_NONE;
	client->sack_perm = (syn->present & TCPOPT_F_SACK_PERM) && cfg->sack_perm;
	client->ts = (syn->present & TCPOPT_F_TS) && cfg->ts;
	client->tsval = syn->tsval;

	offer->mss = cfg->mss < client->mss ? cfg->mss : client->mss;
	/* Scaling happens only if both sides send the option. */
	offer->wscale = client->wscale == SYNCOOKIE_WSCALE_NONE ?
			SYNCOOKIE_WSCALE_NONE : cfg->wscale;
	offer->sack_perm = client->sack_perm;
	offer->ts = client->ts;
}

void synproxy_scales(u8 client_ws, u8 our_ws, u8 rs_ws,
		     struct synproxy_scales *sc)
{
	bool client_on = client_ws != SYNCOOKIE_WSCALE_NONE;
	bool rs_on = client_on && rs_ws != SYNCOOKIE_WSCALE_NONE;

	/*
	 * The client scales by what it offered and reads our windows by what
	 * we announced; the RS scales by its own and reads the client's by
	 * what our SYN offered (the client's), if it took scaling at all.
	 */
	sc->in_from = client_on ? client_ws : 0;
	sc->in_to = rs_on ? client_ws : 0;
	sc->out_from = rs_on ? (rs_ws > SYNPROXY_WSCALE_MAX ?
				SYNPROXY_WSCALE_MAX : rs_ws) : 0;
	sc->out_to = client_on ? our_ws : 0;
}

unsigned int synproxy_build_options(u8 *buf, u16 mss, u8 wscale,
				    bool sack_perm, bool ts, u32 tsval,
				    u32 tsecr)
{
	u8 *p = buf;

	*p++ = TCPOPT_KIND_MSS;
	*p++ = TCPOPT_LEN_MSS;
	core_put_be16(p, mss);
	p += 2;
	if (ts) {
		if (sack_perm) {
			*p++ = TCPOPT_KIND_SACK_PERM;
			*p++ = TCPOPT_LEN_SACK_PERM;
		} else {
			*p++ = TCPOPT_KIND_NOP;
			*p++ = TCPOPT_KIND_NOP;
		}
		*p++ = TCPOPT_KIND_TS;
		*p++ = TCPOPT_LEN_TS;
		core_put_be32(p, tsval);
		core_put_be32(p + 4, tsecr);
		p += 8;
	}
	if (wscale != SYNCOOKIE_WSCALE_NONE) {
		*p++ = TCPOPT_KIND_NOP;
		*p++ = TCPOPT_KIND_WSCALE;
		*p++ = TCPOPT_LEN_WSCALE;
		*p++ = wscale;
	}
	if (sack_perm && !ts) {
		*p++ = TCPOPT_KIND_NOP;
		*p++ = TCPOPT_KIND_NOP;
		*p++ = TCPOPT_KIND_SACK_PERM;
		*p++ = TCPOPT_LEN_SACK_PERM;
	}
	return (unsigned int)(p - buf);
}

u16 synproxy_rescale_window(u16 win, u8 from, u8 to)
{
	u64 bytes = (u64)win << from;
	u64 units = bytes >> to;

	if (units > 0xffff)
		return 0xffff;
	if (!units && win)
		return 1;
	return (u16)units;
}

void synproxy_tcp_rescale(u8 *th, u8 from, u8 to, u32 *diff)
{
	__be16 old, new;

	if (from == to)
		return;
	memcpy(&old, th + 14, 2);
	core_put_be16(th + 14, synproxy_rescale_window(core_get_be16(th + 14),
						       from, to));
	memcpy(&new, th + 14, 2);
	*diff = core_csum_update_u16(*diff, old, new);
}

/* Add @d to the 32-bit field at @p, which may sit at any offset. */
static void field_add_any(u8 *th, unsigned int off, u32 d, u32 *diff)
{
	u8 old[4];

	memcpy(old, th + off, 4);
	core_put_be32(th + off, core_get_be32(th + off) + d);
	*diff = core_csum_range_diff(*diff, old, th + off, 4, off);
}

int synproxy_tcp_ts_adjust(u8 *th, u32 dval, u32 decr, u32 *diff)
{
	struct tcpopt_walk w;
	int off, found = 0;

	if (tcpopt_walk_init(&w, th) < 0)
		return TCPOPT_E_MALFORMED;
	while ((off = tcpopt_walk_next(&w)) > 0) {
		if (th[off] != TCPOPT_KIND_TS || th[off + 1] != TCPOPT_LEN_TS)
			continue;
		if (dval)
			field_add_any(th, (unsigned int)off + 2, dval, diff);
		if (decr)
			field_add_any(th, (unsigned int)off + 6, decr, diff);
		found = 1;
	}
	return off < 0 ? off : found;
}

bool ackstorm_check(struct ackstorm *as, const u8 *th, unsigned int payload,
		    bool has_sack, u16 threshold)
{
	u32 seq = core_get_be32(th + 4), ack = core_get_be32(th + 8);
	u16 win = core_get_be16(th + 14);
	u8 flags = th[CORE_TCP_FLAGS_OFF];

	if (payload || has_sack || !(flags & CORE_TCPF_ACK) ||
	    (flags & (CORE_TCPF_SYN | CORE_TCPF_FIN | CORE_TCPF_RST)) ||
	    seq != as->seq || ack != as->ack || win != as->win) {
		as->seq = seq;
		as->ack = ack;
		as->win = win;
		as->count = 0;
		return false;
	}
	if (as->count < 0xffff)
		as->count++;
	return as->count > threshold;
}
