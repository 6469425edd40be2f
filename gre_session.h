/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_session.h: the data plane's policy for one call, as a pure core:
 * our transmit sequence numbers, which received frames we owe an ack for
 * and when that ack is due, what the peer has acked and the round trip. */
#ifndef PPTP_GRE_SESSION_H
#define PPTP_GRE_SESSION_H

#include <stdbool.h>
#include <stdint.h>

/*
 * No I/O, no clock: `now` (monotonic microseconds) comes in with every
 * event, decisions come out.  The gateway (pptp_gre.c) reports what
 * happened and asks:
 *
 *	gre_session_rx_data(s, seq, now);	a data packet arrived
 *	gre_session_delivered(s, seq, now);	its frame went to pppd
 *	gre_session_peer_ack(s, ack, now);	the peer acked our `ack`
 *	seq = gre_session_tx_data(s, now, &has_ack, &ack);   header of a data packet
 *	if (now >= gre_session_ack_due(s, now) &&
 *	    gre_session_tx_ack(s, now, &ack))	an ack-only packet
 *
 * The ack policy (RFC 2637 4.2: the peer may have at most the window we
 * offered in Outgoing-Call-Request unacknowledged):
 * - An ack rides on our next data packet whenever one is owed.
 * - A peer that keeps the window is never left waiting: once the frames
 *   owed an ack fill the window it could be blocked, and the ack goes out
 *   at once; fewer frames owed wait at most GS_ACK_STRICT_DELAY_US (the
 *   peer's ack timer runs).
 * - A peer that has sent beyond the window past our last ack (within the
 *   last GS_LENIENT_HOLD_US) evidently does not wait for acks (PoPToP and
 *   Windows ignore the window, MS-PTPT 1.3): then acks are for its
 *   statistics only and cost a send each, so two or more owed go out at
 *   most every GS_ACK_MIN_GAP_US, a single one after GS_ACK_DELAY_US.
 * - To find out whether a peer that stays inside the window would go
 *   beyond it, every GS_PROBE_EVERY-th time the window fills (the first
 *   time too) the ack waits GS_PROBE_US: a lenient sender reveals itself,
 *   a strict one loses GS_PROBE_US once in GS_PROBE_EVERY windows.
 */

/* The receive window we offer in Outgoing-Call-Request (RFC 2637
 * "Packet Recv. Window Size"): 3, as pptp-linux; see README "Acks". */
#define GS_RX_WINDOW 3
/* Our first GRE sequence number.  RFC 2637: "The sequence number for
 * each user session is set to zero at session startup."  (pptp-linux
 * starts at 1; servers such as PoPToP accept both.) */
#define GS_FIRST_SEQ 0
/* Lenient peer: a single frame owed waits this long for a data packet to
 * carry its ack (pptp-linux: 0.5 s)... */
#define GS_ACK_DELAY_US 20000
/* ...two or more are acked at once, but not more often than this: each
 * ack-only packet costs a full send (bench/PROFILE.md). */
#define GS_ACK_MIN_GAP_US 500
/* Strict peer with fewer frames owed than the window: longest wait. */
#define GS_ACK_STRICT_DELAY_US 500
/* A peer seen beyond the window counts as lenient for this long. */
#define GS_LENIENT_HOLD_US 1000000
/* Probe for leniency every this many window fills, waiting this long. */
#define GS_PROBE_EVERY 64
#define GS_PROBE_US 200
/* Send times remembered for the round trip estimate. */
#define GS_RTT_RING 64

struct gre_session {
	uint32_t window;		/* offered to the peer, >= 1 */
	/* transmit */
	uint32_t tx_next;		/* sequence number of our next packet */
	struct { uint32_t seq; uint64_t t; } sent[GS_RTT_RING];
	int32_t rtt_us;			/* last round trip sample, 0 none */
	/* receive */
	bool rx_any;			/* a data packet has arrived */
	uint32_t acked;			/* last ack we sent (or first seq - 1) */
	bool delivered_any;
	uint32_t delivered;		/* highest seq delivered: the next ack */
	uint32_t owed;			/* frames delivered since our last ack */
	uint64_t owed_since;		/* when the first of them was */
	uint32_t rx_highest;		/* highest seq received */
	uint64_t window_full_at;	/* when rx_highest reached acked+window */
	bool window_full;
	bool probing;			/* this fill waits GS_PROBE_US */
	uint32_t fills;			/* window fills seen (probe counter) */
	uint64_t last_ack_at;		/* when we last sent an ack, either way */
	uint64_t lenient_until;		/* peer went beyond the window: until */
	bool lenient_seen;
};

void gre_session_init(struct gre_session *s, uint32_t first_seq,
		      uint32_t window);

/* A valid data packet with sequence number seq arrived (before reordering,
 * duplicates and old ones included): tells whether the peer keeps the
 * window. */
void gre_session_rx_data(struct gre_session *s, uint32_t seq, uint64_t now);

/* The frame with sequence number seq went to pppd in order: an ack is owed
 * for it. */
void gre_session_delivered(struct gre_session *s, uint32_t seq, uint64_t now);

/* The peer acknowledged our packet `ack` (piggy-backed or ack-only):
 * returns true when it gave a new round trip sample (gre_session_rtt). */
bool gre_session_peer_ack(struct gre_session *s, uint32_t ack, uint64_t now);

/* A data packet goes out now: returns its sequence number; *has_ack and
 * *ack say whether the owed ack rides on it (which settles what is owed). */
uint32_t gre_session_tx_data(struct gre_session *s, uint64_t now,
			     bool *has_ack, uint32_t *ack);

/* When an ack-only packet is due (now scale): UINT64_MAX when none is owed;
 * a value <= now means send one now. */
uint64_t gre_session_ack_due(const struct gre_session *s, uint64_t now);

/* An ack-only packet goes out now: false when nothing is owed, else *ack. */
bool gre_session_tx_ack(struct gre_session *s, uint64_t now, uint32_t *ack);

/* Last round trip sample in microseconds (0: none yet). */
int32_t gre_session_rtt(const struct gre_session *s);

/* Whether the peer currently counts as ignoring the window. */
bool gre_session_peer_lenient(const struct gre_session *s, uint64_t now);

#endif
