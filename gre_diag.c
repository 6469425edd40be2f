/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_diag.c: is GRE getting through?  Pure: counters and time in,
 * verdicts, transitions and their text out (see gre_diag.h). */
#include "gre_diag.h"

#include <stdio.h>
#include <string.h>

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
		proto = ((unsigned)f[i] << 8) | f[i + 1];
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

/* ---- spans of our frames waiting for the server ---------------------- */

static void span_add(struct gd_span *sp, uint64_t now,
		     const struct gre_diag_sample *s)
{
	if (sp->open && !sp->full && s->tx_data - sp->tx0 >= GD_MIN_FRAMES) {
		sp->full = true;
		sp->tn = now;
		/* What came in the same turn counts as before our frames:
		 * in doubt, the evidence is the weaker. */
		sp->rx_at_tn = s->rx_gre;
	}
}

static void span_open(struct gd_span *sp, uint64_t now, uint32_t tx0,
		      const struct gre_diag_sample *s)
{
	sp->open = true;
	sp->full = false;
	sp->t1 = now;
	sp->tx0 = tx0;
	span_add(sp, now, s);
}

static bool span_ripe(const struct gd_span *sp, uint64_t now, uint64_t w)
{
	return sp->open && sp->full && now - sp->t1 >= w &&
	       now - sp->tn >= w / 2;
}

/* Our frames since the server's last packet. */
static void note_rx(struct gre_diag *d, uint64_t now,
		    const struct gre_diag_sample *s, bool rx_new, bool tx_new)
{
	if (rx_new) {
		d->rx_seen = true;
		d->rx_wait.open = false;
	} else if (tx_new && !d->rx_wait.open) {
		span_open(&d->rx_wait, now, d->last.tx_data, s);
	} else {
		span_add(&d->rx_wait, now, s);
	}
}

/* Our frames the server has not acknowledged: the span restarts
 * whenever the ack moves (those still outstanding count from then). */
static uint32_t note_acks(struct gre_diag *d, uint64_t now,
			  const struct gre_diag_sample *s, bool progress)
{
	uint32_t unacked = d->acks_us ? s->tx_next_seq - d->max_ack - 1
				      : s->tx_next_seq - d->first_seq;

	if (!unacked)
		d->ack_wait.open = false;
	else if (progress || !d->ack_wait.open)
		span_open(&d->ack_wait, now, s->tx_data - unacked, s);
	else
		span_add(&d->ack_wait, now, s);
	return unacked;
}

static enum gre_diag_event enter(struct gre_diag *d, enum gre_diag_verdict v,
				 uint64_t now, uint64_t since, uint32_t frames)
{
	d->verdict = v;
	d->outage_t = since;
	d->ev_secs = (now - since) / US_PER_S;
	d->ev_frames = frames;
	return v == GD_NO_RX ? GD_EV_NO_RX : GD_EV_NO_TX;
}

static enum gre_diag_event leave(struct gre_diag *d, enum gre_diag_event ev,
				 uint64_t now)
{
	d->verdict = GD_OK;
	d->ev_secs = (now - d->outage_t) / US_PER_S;
	return ev;
}

enum gre_diag_event gre_diag_update(struct gre_diag *d, uint64_t now,
				    const struct gre_diag_sample *s)
{
	const uint64_t w = d->window_us;
	const struct gd_span *rw = &d->rx_wait, *aw = &d->ack_wait;
	bool rx_new, tx_new, heard_news, tx_recent, no_rx, no_tx;

	if (!w)
		return GD_EV_NONE;
	rx_new = s->rx_gre != d->last.rx_gre;
	tx_new = s->tx_data != d->last.tx_data;
	if (tx_new) {
		d->any_tx = true;
		d->last_tx_t = now;
	}
	note_rx(d, now, s, rx_new, tx_new);
	heard_news = ack_progress(d, s);
	note_acks(d, now, s, heard_news);
	heard_news |= d->ppp_news;
	d->ppp_news = false;
	d->last = *s;

	/* pppd must still be sending: frames lost once on a link that
	 * then idles are no pattern. */
	tx_recent = d->any_tx && now - d->last_tx_t < w;
	/* Nothing from the server while we sent for a window.  After the
	 * server has spoken, silence is telling only from one that acks. */
	no_rx = tx_recent && span_ripe(rw, now, w) &&
		(!d->rx_seen || d->acks_us);
	/* The server's GRE keeps coming but shows no sign of ours: from a
	 * server that acks, an ack that does not move; from one that never
	 * acked, PPP that never answered. */
	no_tx = tx_recent && span_ripe(aw, now, w) &&
		s->rx_gre - aw->rx_at_tn >= GD_MIN_PEER_PKTS &&
		(d->acks_us || !d->ppp_heard);

	switch (d->verdict) {
	case GD_WAITING:
	case GD_OK:
		if (no_rx)
			return enter(d, GD_NO_RX, now, rw->t1,
				     s->tx_data - rw->tx0);
		if (no_tx)
			return enter(d, GD_NO_TX, now, aw->t1,
				     s->tx_data - aw->tx0);
		if (d->rx_seen)
			d->verdict = GD_OK;
		return GD_EV_NONE;
	case GD_NO_RX:
		return rx_new ? leave(d, GD_EV_RX_BACK, now) : GD_EV_NONE;
	case GD_NO_TX:
		if (heard_news)
			return leave(d, GD_EV_TX_BACK, now);
		if (no_rx)
			return enter(d, GD_NO_RX, now, rw->t1,
				     s->tx_data - rw->tx0);
		return GD_EV_NONE;
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
			"while pppd sent %u frames to it: GRE (IP protocol 47) "
			"is blocked on the way, most likely by a firewall or "
			"by a NAT without the PPTP helper (nf_conntrack_pptp, "
			"nf_nat_pptp); check that protocol 47 from the server "
			"is let in here and on every firewall and NAT between",
			server, secs, n);
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
