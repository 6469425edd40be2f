/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_diag.c: is GRE getting through?  Pure: counters and time in,
 * verdicts, transitions and their text out (see gre_diag.h). */
#include "gre_diag.h"

#include <stdio.h>
#include <string.h>

#include "byteorder.h"
#include "gre_wire.h"

#define US_PER_S 1000000u
#define PPP_ADDRESS 0xff
#define PPP_CONTROL 0x03
#define PPP_LCP 0xc021

void gre_diag_init(struct gre_diag *d, uint32_t window_s, uint32_t first_seq)
{
	memset(d, 0, sizeof(*d));
	d->window_us = (uint64_t)window_s * US_PER_S;
	d->first_seq = first_seq;
	d->last.tx_next_seq = first_seq;
	d->verdict = window_s ? GD_WAITING : GD_OFF;
}

/* Does this frame from the server prove that it heard us?  An LCP
 * Configure-Ack, -Nak or -Reject answers our Configure-Request; Code- and
 * Protocol-Reject answer something we sent; Echo and Discard are sent
 * only once LCP is open, which takes our Configure-Ack; so is anything
 * past LCP (authentication, NCPs, data).  A Configure-Request, Terminate-
 * Request or Identification can be sent to a peer never heard from. */
static bool ppp_frame_answers(const uint8_t *f, size_t len)
{
	size_t i = 0;
	unsigned proto;

	if (len >= 2 && f[0] == PPP_ADDRESS && f[1] == PPP_CONTROL)
		i = 2;
	if (i >= len)
		return false;
	if (f[i] & 1) {
		proto = f[i++];		/* protocol field compressed */
	} else {
		if (len - i < 2)
			return false;
		proto = get_be16(f + i);
		i += 2;
	}
	/* RFC 1661 2: the low octet is odd, the high one even. */
	if (!(proto & 1) || (proto & 0x100) || i >= len)
		return false;
	if (proto != PPP_LCP)
		return true;
	switch (f[i]) {
	case 2: case 3: case 4:		/* Configure-Ack, -Nak, -Reject */
	case 7: case 8:			/* Code-Reject, Protocol-Reject */
	case 9: case 10: case 11:	/* Echo-Request, -Reply, Discard */
		return true;
	default:
		return false;
	}
}

void gre_diag_peer_frame(struct gre_diag *d, const uint8_t *frame,
			 size_t len)
{
	if (!d->window_us || d->ppp_heard)
		return;
	if (ppp_frame_answers(frame, len)) {
		d->ppp_heard = true;
		d->ppp_news = true;
	}
}

/* Has the server's acknowledgement moved on to cover more of ours?  The
 * first one counts only when it covers a packet past our first: a server
 * that sets the A bit with a zero it never received would otherwise pass
 * for one that hears us. */
static bool ack_progress(struct gre_diag *d, const struct gre_diag_sample *s)
{
	uint32_t a = s->peer_ack;

	if (!s->peer_acked)
		return false;
	if (!d->acks_us) {
		uint32_t off = a - d->first_seq;

		if (off == 0 || off >= s->tx_next_seq - d->first_seq)
			return false;
		d->acks_us = true;
		d->max_ack = a;
		return true;
	}
	if (!SEQ_GT(a, d->max_ack) || !SEQ_LT(a, s->tx_next_seq))
		return false;
	d->max_ack = a;
	return true;
}

/* Is this frame of ours one the server's PPP must answer?  LCP
 * Configure-, Terminate- and Echo-Request (LCP keeps its address and
 * control field and its full protocol field, RFC 1661 6.5 and 6.6). */
static bool ppp_frame_requests(const uint8_t *f, size_t len)
{
	size_t i = len >= 2 && f[0] == PPP_ADDRESS && f[1] == PPP_CONTROL ? 2
									  : 0;

	if (len - i < 3 || get_be16(f + i) != PPP_LCP)
		return false;
	return f[i + 2] == 1 || f[i + 2] == 5 || f[i + 2] == 9;
}

void gre_diag_our_frame(struct gre_diag *d, const uint8_t *frame, size_t len)
{
	if (d->window_us && ppp_frame_requests(frame, len))
		d->requests++;
}

/* ---- spans of our frames waiting for the server ---------------------- */

/* count: the running total the span counts (frames, or requests). */
static void span_add(struct gd_span *sp, uint64_t now, uint32_t count,
		     const struct gre_diag_sample *s)
{
	if (sp->open && !sp->full && count - sp->c0 >= GD_MIN_FRAMES) {
		sp->full = true;
		sp->tn = now;
		/* What came in the same turn counts as before our frames:
		 * in doubt, the evidence is the weaker. */
		sp->rx_at_tn = s->rx_gre;
	}
}

static void span_open(struct gd_span *sp, uint64_t now, uint32_t c0,
		      uint32_t count, const struct gre_diag_sample *s)
{
	sp->open = true;
	sp->full = false;
	sp->t1 = now;
	sp->c0 = c0;
	span_add(sp, now, count, s);
}

/* Opened by the first new count, closed by the server's next packet. */
static void span_track(struct gd_span *sp, uint64_t now, uint32_t before,
		       uint32_t count, bool rx_new,
		       const struct gre_diag_sample *s)
{
	if (rx_new)
		sp->open = false;
	else if (count != before && !sp->open)
		span_open(sp, now, before, count, s);
	else
		span_add(sp, now, count, s);
}

static bool span_ripe(const struct gd_span *sp, uint64_t now, uint64_t w)
{
	return sp->open && sp->full && now - sp->t1 >= w &&
	       now - sp->tn >= w / 2;
}

/* Our frames the server has not acknowledged: the span restarts
 * whenever the ack moves (those still outstanding count from then). */
static void note_acks(struct gre_diag *d, uint64_t now,
		      const struct gre_diag_sample *s, bool progress)
{
	uint32_t unacked = d->acks_us ? s->tx_next_seq - d->max_ack - 1
				      : s->tx_next_seq - d->first_seq;

	if (!unacked)
		d->ack_wait.open = false;
	else if (progress || !d->ack_wait.open)
		span_open(&d->ack_wait, now, s->tx_data - unacked, s->tx_data,
			  s);
	else
		span_add(&d->ack_wait, now, s->tx_data, s);
}

static enum gre_diag_event enter(struct gre_diag *d, enum gre_diag_verdict v,
				 uint64_t now, const struct gd_span *sp,
				 uint32_t count, bool requests)
{
	d->verdict = v;
	d->outage_t = sp->t1;
	d->ev_secs = (now - sp->t1) / US_PER_S;
	d->ev_frames = count - sp->c0;
	d->ev_requests = requests;
	return v == GD_NO_RX ? GD_EV_NO_RX : GD_EV_NO_TX;
}

static enum gre_diag_event leave(struct gre_diag *d, enum gre_diag_event ev,
				 uint64_t now)
{
	d->verdict = GD_OK;
	d->ev_secs = (now - d->outage_t) / US_PER_S;
	return ev;
}

/* No GRE from the server while we sent for a window.  Until the server
 * has spoken, any frames: a PPP peer answers or talks first.  Later,
 * only requests its PPP must answer: a one-way flow from us meets
 * silence from a server that acks only on its own data (Linux's
 * kernel PPTP does). */
static enum gre_diag_event check_no_rx(struct gre_diag *d, uint64_t now,
				       const struct gre_diag_sample *s)
{
	if (!d->rx_seen && span_ripe(&d->rx_wait, now, d->window_us))
		return enter(d, GD_NO_RX, now, &d->rx_wait, s->tx_data, false);
	if (d->rx_seen && span_ripe(&d->rq_wait, now, d->window_us))
		return enter(d, GD_NO_RX, now, &d->rq_wait, d->requests, true);
	return GD_EV_NONE;
}

/* The server's GRE keeps coming but shows no sign of ours: from a
 * server that acks, an ack that does not move; from one that never
 * acked, PPP that never answered. */
static enum gre_diag_event check_no_tx(struct gre_diag *d, uint64_t now,
				       const struct gre_diag_sample *s)
{
	const struct gd_span *aw = &d->ack_wait;

	if (span_ripe(aw, now, d->window_us) &&
	    s->rx_gre - aw->rx_at_tn >= GD_MIN_PEER_PKTS &&
	    (d->acks_us || !d->ppp_heard))
		return enter(d, GD_NO_TX, now, aw, s->tx_data, false);
	return GD_EV_NONE;
}

enum gre_diag_event gre_diag_update(struct gre_diag *d, uint64_t now,
				    const struct gre_diag_sample *s)
{
	bool rx_new, heard_news, tx_recent;
	enum gre_diag_event ev = GD_EV_NONE;

	if (!d->window_us)
		return GD_EV_NONE;
	rx_new = s->rx_gre != d->last.rx_gre;
	if (s->tx_data != d->last.tx_data) {
		d->any_tx = true;
		d->last_tx_t = now;
	}
	if (rx_new)
		d->rx_seen = true;
	span_track(&d->rx_wait, now, d->last.tx_data, s->tx_data, rx_new, s);
	span_track(&d->rq_wait, now, d->last_requests, d->requests, rx_new, s);
	d->last_requests = d->requests;
	heard_news = ack_progress(d, s);
	note_acks(d, now, s, heard_news);
	heard_news |= d->ppp_news;
	d->ppp_news = false;
	d->last = *s;
	/* pppd must still be sending: frames lost once on a link that
	 * then idles are no pattern. */
	tx_recent = d->any_tx && now - d->last_tx_t < d->window_us;

	switch (d->verdict) {
	case GD_WAITING:
	case GD_OK:
		if (tx_recent && (ev = check_no_rx(d, now, s)) == GD_EV_NONE)
			ev = check_no_tx(d, now, s);
		if (ev == GD_EV_NONE && d->rx_seen)
			d->verdict = GD_OK;
		return ev;
	case GD_NO_RX:
		return rx_new ? leave(d, GD_EV_RX_BACK, now) : GD_EV_NONE;
	case GD_NO_TX:
		if (heard_news)
			return leave(d, GD_EV_TX_BACK, now);
		return tx_recent ? check_no_rx(d, now, s) : GD_EV_NONE;
	case GD_OFF:
		break;
	}
	return GD_EV_NONE;
}

enum gre_diag_verdict gre_diag_verdict(const struct gre_diag *d)
{
	return d->verdict;
}

const char *gre_diag_verdict_name(enum gre_diag_verdict v)
{
	switch (v) {
	case GD_OFF: return "off";
	case GD_WAITING: return "waiting";
	case GD_OK: return "ok";
	case GD_NO_RX: return "no-gre-from-server";
	case GD_NO_TX: return "no-gre-to-server";
	}
	return "?";
}

int gre_diag_message(const struct gre_diag *d, enum gre_diag_event ev,
		     const char *server, char *buf, size_t cap)
{
	const unsigned secs = (unsigned)d->ev_secs, n = d->ev_frames;

	switch (ev) {
	case GD_EV_NO_RX:
		return snprintf(buf, cap,
			"GRE check: no GRE packet from the server %s in %u s "
			"while pppd sent %u %s to it: GRE (IP protocol 47) "
			"is blocked on the way, most likely by a firewall or "
			"by a NAT without the PPTP helper (nf_conntrack_pptp, "
			"nf_nat_pptp); check that protocol 47 from the server "
			"is let in here and on every firewall and NAT between",
			server, secs, n,
			d->ev_requests ? "LCP requests" : "frames");
	case GD_EV_RX_BACK:
		return snprintf(buf, cap,
			"GRE check: GRE from the server %s arrives now, after "
			"%u s without", server, secs);
	case GD_EV_NO_TX:
		return snprintf(buf, cap,
			"GRE check: the server %s sends GRE but in %u s has "
			"acknowledged or answered none of our last %u "
			"packets: our GRE (IP protocol 47) apparently does not "
			"reach it; check that protocol 47 may leave here, and "
			"the firewall and NAT in front of the server (a NAT "
			"needs nf_conntrack_pptp, nf_nat_pptp)",
			server, secs, n);
	case GD_EV_TX_BACK:
		return snprintf(buf, cap,
			"GRE check: the server %s receives our GRE now, after "
			"%u s without", server, secs);
	case GD_EV_NONE:
		break;
	}
	if (cap)
		buf[0] = '\0';
	return 0;
}
