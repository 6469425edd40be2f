/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_session.c: sequence numbers, acks and round trip of one call's GRE
 * data channel; the policy is described in gre_session.h. */
#include "gre_session.h"

#include <string.h>

#include "gre_wire.h"

void gre_session_init(struct gre_session *s, uint32_t first_seq,
		      uint32_t window)
{
	memset(s, 0, sizeof(*s));
	s->tx_next = first_seq;
	s->window = window ? window : 1;
}

bool gre_session_peer_lenient(const struct gre_session *s, uint64_t now)
{
	return s->lenient_seen && now < s->lenient_until;
}

/* The peer's packets in flight, as far as we can tell: everything after
 * the last ack we sent, up to the highest sequence number seen. */
static void note_window(struct gre_session *s, uint64_t now)
{
	bool full = SEQ_GE(s->rx_highest, s->acked + s->window);

	if (full && !s->window_full) {
		s->window_full_at = now;
		s->probing = !gre_session_peer_lenient(s, now) &&
			     s->fills % GS_PROBE_EVERY == 0;
		s->fills++;
	}
	s->window_full = full;
}

void gre_session_rx_data(struct gre_session *s, uint32_t seq, uint64_t now)
{
	if (!s->rx_any) {
		/* Before any ack the peer may send a window from its first
		 * sequence number on. */
		s->rx_any = true;
		s->acked = seq - 1;
		s->rx_highest = seq;
	}
	if (SEQ_GT(seq, s->acked + s->window)) {
		s->lenient_seen = true;
		s->lenient_until = now + GS_LENIENT_HOLD_US;
	}
	if (SEQ_GT(seq, s->rx_highest))
		s->rx_highest = seq;
	note_window(s, now);
}

void gre_session_delivered(struct gre_session *s, uint32_t seq, uint64_t now)
{
	if (s->owed == 0)
		s->owed_since = now;
	s->owed++;
	s->delivered = seq;
	s->delivered_any = true;
}

bool gre_session_peer_ack(struct gre_session *s, uint32_t ack, uint64_t now)
{
	size_t i = ack % GS_RTT_RING;
	bool sample = false;

	if (s->sent[i].seq == ack && s->sent[i].t) {
		s->rtt_us = (int32_t)(now - s->sent[i].t);
		s->sent[i].t = 0;
		sample = true;
	}
	return sample;
}

/* An ack for everything delivered leaves now. */
static void ack_sent(struct gre_session *s, uint64_t now)
{
	s->acked = s->delivered;
	s->owed = 0;
	s->last_ack_at = now;
	note_window(s, now);
}

uint32_t gre_session_tx_data(struct gre_session *s, uint64_t now,
			     bool *has_ack, uint32_t *ack)
{
	uint32_t seq = s->tx_next++;

	s->sent[seq % GS_RTT_RING].seq = seq;
	s->sent[seq % GS_RTT_RING].t = now;
	*has_ack = s->owed > 0 && s->delivered_any;
	if (*has_ack) {
		*ack = s->delivered;
		ack_sent(s, now);
	}
	return seq;
}

static uint64_t later(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t sooner(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t gre_session_ack_due(const struct gre_session *s, uint64_t now)
{
	uint64_t due;

	if (s->owed == 0 || !s->delivered_any)
		return UINT64_MAX;
	if (gre_session_peer_lenient(s, now)) {
		if (s->owed >= 2)
			return later(s->owed_since,
				     s->last_ack_at + GS_ACK_MIN_GAP_US);
		return s->owed_since + GS_ACK_DELAY_US;
	}
	due = s->owed_since + GS_ACK_STRICT_DELAY_US;
	if (s->window_full)
		due = sooner(due, s->window_full_at +
				  (s->probing ? GS_PROBE_US : 0));
	return due;
}

bool gre_session_tx_ack(struct gre_session *s, uint64_t now, uint32_t *ack)
{
	if (s->owed == 0 || !s->delivered_any)
		return false;
	*ack = s->delivered;
	ack_sent(s, now);
	return true;
}

int32_t gre_session_rtt(const struct gre_session *s)
{
	return s->rtt_us;
}
