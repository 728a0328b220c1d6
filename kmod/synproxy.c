// SPDX-License-Identifier: GPL-2.0
/*
 * SYNPROXY, connection side: what happens once synproxy-lb has validated
 * a cookie ACK and fullnat has made a connection of it. The connection
 * sends its own SYN to the RS, keeps the client's packets until the RS
 * answers, then splices the two handshakes: the RS's SYN-ACK sets the
 * second sequence delta (cookie ISN vs RS ISN), the window scale and
 * timestamp translation, and the kept packets go out translated.
 *
 * Locking: cp->lock guards the queue and rs_answered. The translation
 * fields of struct lvs_synproxy are written once, before rs_answered is
 * set with release semantics, and only read after it was seen set.
 */
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include "nft_lvs.h"
#include "core/tcpopt.h"

static DEFINE_PER_CPU(struct lvs_synproxy_pass, lvs_synproxy_pass);

/* The timestamp clock of our own segments: milliseconds, never backward. */
u32 lvs_synproxy_clock(void)
{
	return (u32)ktime_to_ms(ktime_get());
}

/*
 * The 24 MAC bits of a cookie (see core/synproxy.h): siphash under a
 * per-namespace random key over the client side tuple, the client's ISN,
 * the cookie clock period and the option bits.
 */
u32 lvs_syncookie_mac(const struct lvs_net *ln, const struct lvs_tuple *t,
		      u32 client_isn, u32 period, u8 data)
{
	u64 ports = (u64)((__force u32)t->sport << 16 | (__force u32)t->dport) << 32 |
		    client_isn;
	u64 addrs;

	if (t->family == NFPROTO_IPV6) {
		const struct {
			struct in6_addr	src, dst;
			u64		ports, period_data;
		} in = {
			.src		= t->src.in6,
			.dst		= t->dst.in6,
			.ports		= ports,
			.period_data	= (u64)period << 8 | data,
		};

		return (u32)siphash(&in, sizeof(in), &ln->cookie_key);
	}
	addrs = (u64)(__force u32)t->src.ip << 32 | (__force u32)t->dst.ip;
	return (u32)siphash_3u64(addrs, ports, (u64)period << 8 | data,
				 &ln->cookie_key);
}

/*
 * synproxy-lb and the fullnat after it run one after the other for the
 * same packet on the same CPU (softirq at prerouting); the validated
 * cookie travels between them in a per-CPU slot, matched on the skb and
 * its sequence numbers so that a stale slot can never vouch for another
 * packet. Should a task at the output hook migrate between the two, the
 * slot is simply not found and the packet is not scheduled.
 */
void lvs_synproxy_pass_set(const struct lvs_synproxy_pass *pass)
{
	*this_cpu_ptr(&lvs_synproxy_pass) = *pass;
}

bool lvs_synproxy_take(const struct sk_buff *skb, const struct tcphdr *th,
		       struct lvs_synproxy_pass *pass)
{
	struct lvs_synproxy_pass *slot = this_cpu_ptr(&lvs_synproxy_pass);

	if (slot->skb != skb || slot->seq != ntohl(th->seq) ||
	    slot->ack != ntohl(th->ack_seq))
		return false;
	*pass = *slot;
	slot->skb = NULL;
	return true;
}

/* The SYN to the RS, first sent or repeated. */
static void lvs_synproxy_send_syn(struct lvs_conn *cp)
{
	const struct lvs_tuple *r = &cp->hn[LB_DIR_OUT].t;
	const struct lvs_synproxy *sp = cp->sp;
	u8 opts[SYNPROXY_OPTS_MAX];
	unsigned int optlen;
	struct sk_buff *skb;

	optlen = synproxy_build_options(opts, sp->client_mss, sp->client_wscale,
					sp->sack, sp->ts,
					sp->syn_tsval, 0);
	skb = lvs_tcp_build(r, sp->client_isn + cp->seq_delta, 0, CORE_TCPF_SYN,
			    sp->client_win, opts, optlen, 64);
	if (skb)
		lvs_tcp_send(lvs_conn_ln(cp)->net, skb);
}

/*
 * The proxy half of a connection fullnat is about to make for the
 * validated cookie ACK in @pass (or, with defer, the client's first data).
 */
struct lvs_synproxy *lvs_synproxy_alloc(const struct lvs_synproxy_pass *pass,
					bool forwarded)
{
	struct lvs_synproxy *sp;

	sp = kzalloc(sizeof(*sp), GFP_ATOMIC);
	if (!sp)
		return NULL;
	skb_queue_head_init(&sp->queue);
	sp->cookie_isn = pass->ack - 1;
	sp->client_isn = pass->seq - 1;
	sp->client_mss = pass->client.mss;
	sp->client_wscale = pass->client.wscale;
	/*
	 * The RS sees our clock, not the client's: every client has a clock
	 * of its own, and a SYN whose timestamp is behind the one a previous
	 * connection left in the RS's TIME_WAIT for the same lip:lport would
	 * be refused (PAWS). Ours only moves forward.
	 */
	sp->syn_tsval = lvs_synproxy_clock();
	sp->ts_in_delta = sp->syn_tsval - pass->client.tsval;
	sp->sack = pass->client.sack_perm;
	sp->ts = pass->client.ts;
	sp->our_wscale = pass->our_wscale;
	/* The SYN's window is never scaled: give the RS the real size. */
	sp->client_win = synproxy_rescale_window(pass->win,
			pass->client.wscale == SYNCOOKIE_WSCALE_NONE ? 0 :
			pass->client.wscale, 0);
	/* Our SYN-ACK's timestamp, as the client echoes it. */
	sp->ts_delta = pass->client.tsecr;
	sp->forwarded = forwarded;
	sp->syn_tries = 1;
	return sp;
}

/*
 * A client packet waits in the connection, for up to 15 s: it must not pin
 * the route or the device it came in on (a device being deleted would wait
 * for it). Nothing after needs them: the packet is routed anew when sent.
 */
static void lvs_synproxy_detach(struct sk_buff *skb)
{
	skb_dst_drop(skb);
	skb->dev = NULL;
}

/* @cp is in the table: keep the client's packet @skb and send the SYN. */
void lvs_synproxy_start(struct lvs_conn *cp, struct sk_buff *skb)
{
	lvs_synproxy_detach(skb);
	spin_lock_bh(&cp->lock);
	__skb_queue_tail(&cp->sp->queue, skb);
	spin_unlock_bh(&cp->lock);
	lvs_synproxy_send_syn(cp);
}

void lvs_synproxy_free(struct lvs_synproxy *sp)
{
	if (!sp)
		return;
	skb_queue_purge(&sp->queue);
	kfree(sp);
}

/*
 * Timer of a connection whose time is up, under cp->lock: true if the RS
 * has not answered yet and deserves one more SYN (after 1, 2, 4 s); the
 * caller re-arms the timer to cp->expires, drops the lock and calls
 * lvs_synproxy_resend().
 */
bool lvs_synproxy_retry(struct lvs_conn *cp)
{
	struct lvs_synproxy *sp = cp->sp;

	if (!sp || sp->rs_answered || sp->syn_tries > LVS_SYNPROXY_SYN_RETRIES)
		return false;
	WRITE_ONCE(cp->expires, jiffies + (HZ << sp->syn_tries));
	sp->syn_tries++;
	return true;
}

void lvs_synproxy_resend(struct lvs_conn *cp)
{
	lvs_stat_inc(lvs_conn_ln(cp), LVS_STAT_SP_SYN_RETRY);
	lvs_synproxy_send_syn(cp);
}

/*
 * A dead connection whose RS never answered (or refused): the client
 * believes it is connected, so reset it at the sequence it expects.
 */
void lvs_synproxy_gone(struct lvs_conn *cp)
{
	const struct lvs_tuple *c = &cp->hn[LB_DIR_IN].t;
	struct lvs_synproxy *sp = cp->sp;
	struct lvs_net *ln = lvs_conn_ln(cp);

	if (!sp || smp_load_acquire(&sp->rs_answered))
		return;
	lvs_stat_inc(ln, LVS_STAT_SP_RS_ERROR);
	lvs_send_rst(ln->net, c, sp->cookie_isn + 1);
}

/*
 * The RS's SYN-ACK: set up the translation and send what the client sent
 * meanwhile. From here the connection is an ordinary one with two deltas.
 */
static void lvs_synproxy_established(struct lvs_conn *cp,
				     const struct tcphdr *th)
{
	struct lvs_synproxy *sp = cp->sp;
	struct synproxy_scales sc;
	struct tcpopt_info rs;
	struct sk_buff_head q;
	struct sk_buff *skb;
	u32 rs_isn = ntohl(th->seq);

	tcpopt_parse((const u8 *)th, &rs);
	synproxy_scales(sp->client_wscale, sp->our_wscale,
			rs.present & TCPOPT_F_WSCALE ?
			min_t(u8, rs.wscale, SYNPROXY_WSCALE_MAX) :
			SYNCOOKIE_WSCALE_NONE, &sc);

	__skb_queue_head_init(&q);
	spin_lock_bh(&cp->lock);
	if (sp->rs_answered) {
		spin_unlock_bh(&cp->lock);
		return;
	}
	sp->syn_delta = sp->cookie_isn - rs_isn;
	sp->ws = sc;
	/* ts_delta held our SYN-ACK's tsval; the client must see it go on. */
	if (sp->ts && (rs.present & TCPOPT_F_TS))
		sp->ts_delta -= rs.tsval;
	else
		sp->ts_delta = 0;
	WRITE_ONCE(cp->rs_isn1, rs_isn + 1);
	skb_queue_splice_init(&sp->queue, &q);
	smp_store_release(&sp->rs_answered, true);
	spin_unlock_bh(&cp->lock);

	lvs_conn_set_state(cp, LB_TCP_ESTABLISHED);
	while ((skb = __skb_dequeue(&q)) != NULL) {
		if (lvs_xlate_held(cp, LB_DIR_IN, skb, lvs_conn_ln(cp)->net,
				   sp->forwarded) != NF_STOLEN)
			kfree_skb(skb);
	}
}

/* Keep a client packet until the RS answers; false if it was answered. */
static bool lvs_synproxy_hold(struct lvs_conn *cp, struct sk_buff *skb,
			      unsigned int *verdict)
{
	struct lvs_synproxy *sp = cp->sp;

	spin_lock_bh(&cp->lock);
	if (sp->rs_answered) {
		spin_unlock_bh(&cp->lock);
		return false;
	}
	if (skb_queue_len(&sp->queue) >= LVS_SYNPROXY_QUEUE_MAX ||
	    lvs_conn_dead(cp)) {
		spin_unlock_bh(&cp->lock);
		lvs_stat_inc(lvs_conn_ln(cp), LVS_STAT_SP_QUEUE_FULL);
		*verdict = NF_DROP;
		return true;
	}
	lvs_synproxy_detach(skb);
	__skb_queue_tail(&sp->queue, skb);
	spin_unlock_bh(&cp->lock);
	*verdict = NF_STOLEN;
	return true;
}

/* The RS sent its SYN-ACK again: our ACK got lost, repeat it. */
static void lvs_synproxy_send_ack(struct lvs_conn *cp, const struct tcphdr *th)
{
	const struct lvs_tuple *r = &cp->hn[LB_DIR_OUT].t;
	struct sk_buff *skb;

	skb = lvs_tcp_build(r, ntohl(th->ack_seq), ntohl(th->seq) + 1,
			    CORE_TCPF_ACK, cp->sp->client_win, NULL, 0, 64);
	if (skb)
		lvs_tcp_send(lvs_conn_ln(cp)->net, skb);
}

/*
 * Whether a segment the LB answers or takes state from (a SYN, a cookie
 * ACK, the RS's SYN-ACK, a RST) has a good TCP checksum. Where the LB only
 * translates, a corrupted segment goes on for the endpoint to drop; where
 * it stands in for an endpoint it must drop it itself, or a flipped bit
 * becomes a wrong sequence offset or a reset for the whole connection.
 */
bool lvs_synproxy_csum_ok(struct lvs_net *ln, struct sk_buff *skb,
			  const struct nft_pktinfo *pkt, u8 family)
{
	if (likely(!nf_checksum(skb, nft_hook(pkt), nft_thoff(pkt),
				IPPROTO_TCP, family)))
		return true;
	lvs_stat_inc(ln, LVS_STAT_SP_BAD_CSUM);
	return false;
}

/*
 * Whether the ingress fast path may translate @th (an ACK without SYN, FIN
 * or RST, its options in place, @payload bytes after them) of a connection
 * opened behind a cookie: only once the RS has answered, and the RS's
 * segments pass the ACK-storm guard as on prerouting (*drop when it trips).
 */
bool lvs_synproxy_fast_ok(struct lvs_conn *cp, u8 dir,
			  const struct tcphdr *th, unsigned int payload,
			  bool *drop)
{
	struct lvs_synproxy *sp = cp->sp;

	*drop = false;
	if (!smp_load_acquire(&sp->rs_answered))
		return false;
	if (dir == LB_DIR_IN)
		return true;
	if (ackstorm_check(&sp->storm, (const u8 *)th, payload,
			   tcpopt_has_sack((const u8 *)th),
			   LVS_SYNPROXY_ACKSTORM)) {
		lvs_stat_inc(lvs_conn_ln(cp), LVS_STAT_SP_ACKSTORM);
		*drop = true;
		return false;
	}
	return true;
}

/*
 * Packets of a connection opened behind a cookie, before the ordinary
 * translation. Returns LVS_SP_DONE with *verdict set when it dealt with
 * @skb, LVS_SP_XLATE when the ordinary translation should, LVS_SP_GONE
 * when the connection was ended for a client SYN that starts it over
 * (that SYN gets a cookie like any new one).
 */
int lvs_synproxy_dispatch(struct lvs_conn *cp, u8 dir, struct sk_buff *skb,
			  const struct nft_pktinfo *pkt, unsigned int *verdict)
{
	unsigned int thoff = nft_thoff(pkt);
	struct lvs_synproxy *sp = cp->sp;
	u8 _th[CORE_TCP_HDR_MAX];
	const struct tcphdr *th;
	unsigned int hl;
	u8 flags;

	if (cp->hn[LB_DIR_IN].t.proto != IPPROTO_TCP)
		return LVS_SP_XLATE;
	th = skb_header_pointer(skb, thoff, sizeof(struct tcphdr), _th);
	if (!th)
		goto drop;
	hl = th->doff * 4;
	if (hl < sizeof(struct tcphdr))
		goto drop;
	th = skb_header_pointer(skb, thoff, hl, _th);
	if (!th)
		goto drop;
	flags = ((const u8 *)th)[CORE_TCP_FLAGS_OFF];
	if ((flags & (CORE_TCPF_SYN | CORE_TCPF_RST)) &&
	    !lvs_synproxy_csum_ok(lvs_conn_ln(cp), skb, pkt,
				  cp->hn[dir].t.family))
		goto drop;

	if (!smp_load_acquire(&sp->rs_answered)) {
		if (dir == LB_DIR_IN) {
			/* The client's SYN was answered by the cookie. */
			if (flags & CORE_TCPF_SYN)
				goto drop;
			return lvs_synproxy_hold(cp, skb, verdict) ?
			       LVS_SP_DONE : LVS_SP_XLATE;
		}
		if ((flags & (CORE_TCPF_SYN | CORE_TCPF_ACK | CORE_TCPF_RST)) ==
		    (CORE_TCPF_SYN | CORE_TCPF_ACK) &&
		    ntohl(th->ack_seq) == sp->client_isn + cp->seq_delta + 1) {
			lvs_synproxy_established(cp, th);
			goto consumed;
		}
		/* The RS refused: tell the client, at its sequence. */
		if ((flags & CORE_TCPF_RST) && lvs_conn_kill(cp))
			lvs_synproxy_gone(cp);
		goto drop;
	}

	if (dir == LB_DIR_IN) {
		if ((flags & (CORE_TCPF_SYN | CORE_TCPF_ACK)) == CORE_TCPF_SYN &&
		    lb_tcp_reusable(READ_ONCE(cp->state))) {
			if (lvs_conn_kill(cp))
				lvs_stat_inc(lvs_conn_ln(cp), LVS_STAT_CONN_REUSED);
			return LVS_SP_GONE;
		}
		return LVS_SP_XLATE;
	}
	if ((flags & (CORE_TCPF_SYN | CORE_TCPF_ACK)) ==
	    (CORE_TCPF_SYN | CORE_TCPF_ACK)) {
		lvs_synproxy_send_ack(cp, th);
		goto consumed;
	}
	if (flags & CORE_TCPF_SYN)
		goto drop;
	if (ackstorm_check(&sp->storm, (const u8 *)th, skb->len - thoff - hl,
			   tcpopt_has_sack((const u8 *)th),
			   LVS_SYNPROXY_ACKSTORM)) {
		lvs_stat_inc(lvs_conn_ln(cp), LVS_STAT_SP_ACKSTORM);
		goto drop;
	}
	return LVS_SP_XLATE;

consumed:
	consume_skb(skb);
	*verdict = NF_STOLEN;
	return LVS_SP_DONE;
drop:
	*verdict = NF_DROP;
	return LVS_SP_DONE;
}
