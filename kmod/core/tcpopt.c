// SPDX-License-Identifier: GPL-2.0
/*
 * nftlvs portable core: TCP option parsing and rewriting, TOA insertion,
 * sequence number translation. See tcpopt.h for the buffer contract.
 */
#include "tcpopt.h"
#include "csum.h"

/* Validate a header that has @len bytes available: returns its length. */
int tcpopt_check(const u8 *th, size_t len)
{
	int hl;

	if (len < CORE_TCP_HDR_MIN)
		return TCPOPT_E_MALFORMED;
	hl = tcpopt_hdrlen(th);
	if (hl < 0 || (size_t)hl > len)
		return TCPOPT_E_MALFORMED;
	return hl;
}

/* The lengths Linux accepts; options of other lengths are ignored. */
static bool sack_len_ok(unsigned int len)
{
	return len >= TCPOPT_LEN_SACK_BASE + TCPOPT_LEN_SACK_BLOCK &&
	       (len - TCPOPT_LEN_SACK_BASE) % TCPOPT_LEN_SACK_BLOCK == 0;
}

static void parse_one(const u8 *o, unsigned int off, struct tcpopt_info *info)
{
	switch (o[0]) {
	case TCPOPT_KIND_MSS:
		if (o[1] != TCPOPT_LEN_MSS)
			break;
		info->present |= TCPOPT_F_MSS;
		info->mss = core_get_be16(o + 2);
		info->mss_off = off;
		break;
	case TCPOPT_KIND_WSCALE:
		if (o[1] != TCPOPT_LEN_WSCALE)
			break;
		info->present |= TCPOPT_F_WSCALE;
		info->wscale = o[2];
		break;
	case TCPOPT_KIND_SACK_PERM:
		if (o[1] == TCPOPT_LEN_SACK_PERM)
			info->present |= TCPOPT_F_SACK_PERM;
		break;
	case TCPOPT_KIND_SACK:
		if (!sack_len_ok(o[1]))
			break;
		info->present |= TCPOPT_F_SACK;
		info->sack_blocks = (o[1] - TCPOPT_LEN_SACK_BASE) /
				    TCPOPT_LEN_SACK_BLOCK;
		info->sack_off = off;
		break;
	case TCPOPT_KIND_TS:
		if (o[1] != TCPOPT_LEN_TS)
			break;
		info->present |= TCPOPT_F_TS;
		info->tsval = core_get_be32(o + 2);
		info->tsecr = core_get_be32(o + 6);
		info->ts_off = off;
		break;
	case TCPOPT_KIND_TOA:
	case TCPOPT_KIND_TOA6:
		if (o[1] != TCPOPT_LEN_TOA6 &&
		    !(o[0] == TCPOPT_KIND_TOA && o[1] == TCPOPT_LEN_TOA))
			break;
		info->present |= TCPOPT_F_TOA;
		info->toa_off = off;
		break;
	}
}

/*
 * Fill @info from the options. Like Linux's tcp_parse_options(), options
 * with a wrong length are ignored and a later valid copy wins. Returns 0,
 * or TCPOPT_E_MALFORMED with @info holding what came before the damage.
 */
int tcpopt_parse(const u8 *th, struct tcpopt_info *info)
{
	struct tcpopt_walk w;
	int off;

	memset(info, 0, sizeof(*info));
	if (tcpopt_walk_init(&w, th) < 0)
		return TCPOPT_E_MALFORMED;
	while ((off = tcpopt_walk_next(&w)) > 0)
		parse_one(th + off, off, info);
	return off;
}

/* Whether the header carries SACK blocks (a cheaper tcpopt_parse()). */
bool tcpopt_has_sack(const u8 *th)
{
	struct tcpopt_walk w;
	int off;

	if (tcpopt_walk_init(&w, th) <= CORE_TCP_HDR_MIN)
		return false;
	while ((off = tcpopt_walk_next(&w)) > 0)
		if (th[off] == TCPOPT_KIND_SACK && sack_len_ok(th[off + 1]))
			return true;
	return false;
}

/* Rewrite every valid MSS option to min(mss - dec, max); 1 if changed. */
static int mss_rewrite(u8 *th, u16 max_mss, u16 dec, u32 *diff)
{
	struct tcpopt_walk w;
	int off, changed = 0;

	if (tcpopt_walk_init(&w, th) < 0)
		return TCPOPT_E_MALFORMED;
	while ((off = tcpopt_walk_next(&w)) > 0) {
		u8 *o = th + off;
		u8 old[2];
		u16 mss;

		if (o[0] != TCPOPT_KIND_MSS || o[1] != TCPOPT_LEN_MSS)
			continue;
		memcpy(old, o + 2, 2);
		mss = core_get_be16(old);
		/* an MSS of @dec or less is nonsense: leave it to the RS */
		if (mss > dec)
			mss -= dec;
		if (mss > max_mss)
			mss = max_mss;
		if (mss == core_get_be16(old))
			continue;
		core_put_be16(o + 2, mss);
		*diff = core_csum_range_diff(*diff, old, o + 2, 2, off + 2);
		changed = 1;
	}
	return off < 0 ? off : changed;
}

/*
 * Lower the MSS option(s) to @max_mss. Every valid one is clamped, not
 * just the first: the receiver uses the last. Returns 1 if a value
 * changed, 0 if not (or no MSS option), TCPOPT_E_MALFORMED.
 */
int tcpopt_clamp_mss(u8 *th, u16 max_mss, u32 *diff)
{
	return mss_rewrite(th, max_mss, 0, diff);
}

/* Lower the MSS option(s) by @dec, e.g. to make room for TOA. */
int tcpopt_reduce_mss(u8 *th, u16 dec, u32 *diff)
{
	return mss_rewrite(th, 0xffff, dec, diff);
}

/*
 * Add @delta (mod 2^32) to both edges of every block of every valid SACK
 * option. Returns the number of blocks adjusted, or TCPOPT_E_MALFORMED.
 */
int tcpopt_sack_adjust(u8 *th, u32 delta, u32 *diff)
{
	struct tcpopt_walk w;
	int off, blocks = 0;

	/* Nearly every segment of a transfer: no SACK, no walk. */
	if (tcpopt_ts_only(th))
		return 0;
	if (tcpopt_walk_init(&w, th) < 0)
		return TCPOPT_E_MALFORMED;
	while ((off = tcpopt_walk_next(&w)) > 0) {
		u8 *edges = th + off + TCPOPT_LEN_SACK_BASE;
		unsigned int len, i;
		u32 sum;

		if (th[off] != TCPOPT_KIND_SACK || !sack_len_ok(th[off + 1]))
			continue;
		len = th[off + 1] - TCPOPT_LEN_SACK_BASE;
		/* options may sit at odd offsets: sum the edges as bytes */
		sum = core_csum_partial(edges, len, 0);
		for (i = 0; i < len; i += 4)
			core_put_be32(edges + i, core_get_be32(edges + i) + delta);
		sum = core_csum_sub(core_csum_partial(edges, len, 0), sum);
		*diff = core_csum_add(*diff, core_csum_shift(sum, off + 2));
		blocks += len / TCPOPT_LEN_SACK_BLOCK;
	}
	return off < 0 ? off : blocks;
}

/*
 * Replace every option of @kind (and of length @len, unless @len is 0)
 * by NOPs. The header keeps its length, so nothing moves. Returns the
 * number of options replaced, or TCPOPT_E_MALFORMED.
 */
int tcpopt_nop_out(u8 *th, u8 kind, u8 len, u32 *diff)
{
	struct tcpopt_walk w;
	int off, count = 0;

	if (tcpopt_walk_init(&w, th) < 0)
		return TCPOPT_E_MALFORMED;
	while ((off = tcpopt_walk_next(&w)) > 0) {
		u8 *o = th + off;
		unsigned int olen = o[1];
		u32 sum;

		if (o[0] != kind || (len && olen != len))
			continue;
		sum = core_csum_partial(o, olen, 0);
		memset(o, TCPOPT_KIND_NOP, olen);
		sum = core_csum_sub(core_csum_partial(o, olen, 0), sum);
		*diff = core_csum_add(*diff, core_csum_shift(sum, off));
		count++;
	}
	return off < 0 ? off : count;
}

/* For strip-timestamps: the SYN then negotiates no timestamps at all. */
int tcpopt_strip_timestamps(u8 *th, u32 *diff)
{
	return tcpopt_nop_out(th, TCPOPT_KIND_TS, 0, diff);
}

/*
 * Remove TOA options the client brought itself: a real server takes the
 * first TOA it finds, so a forged one must not survive a packet that we
 * could not (or did not) put our own into. Every layout a server may read
 * goes (254/8, 254/20, 253/20); other experimental options of those kinds
 * (TCP Fast Open's draft used 254) have other lengths and stay.
 */
int tcpopt_strip_toa(u8 *th, u32 *diff)
{
	static const u8 layouts[][2] = {
		{ TCPOPT_KIND_TOA, TCPOPT_LEN_TOA },
		{ TCPOPT_KIND_TOA, TCPOPT_LEN_TOA6 },
		{ TCPOPT_KIND_TOA6, TCPOPT_LEN_TOA6 },
	};
	int n, total = 0;
	unsigned int i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		n = tcpopt_nop_out(th, layouts[i][0], layouts[i][1], diff);
		if (n < 0)
			return n;
		total += n;
	}
	return total;
}

/*
 * Insert the TOA option @kind for client @addr (4 or 16 bytes by @family,
 * network order) and @port right behind the fixed 20-byte header, moving the existing
 * options back and raising doff. @capacity is how many bytes at @th may be
 * written: the caller has already moved the payload out of the way.
 *
 * Returns the number of bytes added, TCPOPT_E_HDR_FULL if the header
 * would pass 60 bytes, TCPOPT_E_NO_ROOM if @capacity is too small,
 * TCPOPT_E_FAMILY (also for an IPv4 address under kind 253) or
 * TCPOPT_E_MALFORMED; on error nothing was written.
 * The option is a multiple of 4 (and so, of 2) bytes long: shifted options
 * and payload keep their word parity and their checksum, only the new
 * bytes and the doff byte count in *@diff. The pseudo-header length is the
 * caller's.
 */
int tcpopt_toa_insert(u8 *th, unsigned int capacity, u8 kind, int family,
		      const void *addr, __be16 port, u32 *diff)
{
	unsigned int olen = tcpopt_toa_len(family);
	int hl = tcpopt_hdrlen(th);
	u8 *opt = th + CORE_TCP_HDR_MIN;
	__be16 old_word, new_word;

	if (hl < 0)
		return hl;
	if (!olen || (kind != TCPOPT_KIND_TOA &&
		      (kind != TCPOPT_KIND_TOA6 || family != CORE_AF_INET6)))
		return TCPOPT_E_FAMILY;
	if (hl + olen > CORE_TCP_HDR_MAX)
		return TCPOPT_E_HDR_FULL;
	if (hl + olen > capacity)
		return TCPOPT_E_NO_ROOM;

	memmove(opt + olen, opt, hl - CORE_TCP_HDR_MIN);
	opt[0] = kind;
	opt[1] = olen;
	memcpy(opt + 2, &port, 2);
	memcpy(opt + 4, addr, olen - 4);
	*diff = core_csum_add(*diff, core_csum_partial(opt, olen, 0));

	memcpy(&old_word, th + 12, 2);
	th[12] = (u8)(((hl + olen) / 4) << 4) | (th[12] & 0x0f);
	memcpy(&new_word, th + 12, 2);
	*diff = core_csum_update_u16(*diff, old_word, new_word);
	return olen;
}
