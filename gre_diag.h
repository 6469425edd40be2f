/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_diag.h: is GRE getting through?  (--gre-check)
 *
 * The most common PPTP failure is silent: the control connection comes
 * up, pppd sends LCP Configure-Requests into the tunnel and nothing comes
 * back, because GRE (IP protocol 47) is blocked by a firewall or a NAT
 * has no PPTP helper.  This pure module watches a call's counters over
 * time and says when GRE does not get through, in which direction, and
 * when it does again.  No I/O, no clock: the gateway passes `now` (a
 * monotonic microsecond count) and its counters, logs the lines this
 * module formats and shows the verdict in the status record.
 *
 * Evidence used (nothing is judged while pppd sends nothing):
 *  - "no GRE from the server": pppd has sent at least GD_MIN_FRAMES
 *    frames, the first of them a window ago, the GD_MIN_FRAMES-th half a
 *    window ago, one within the window, and no GRE packet at all came
 *    from the server since before the first.  At the start of a call
 *    that is solid: every PPP peer answers or sends its own LCP
 *    Configure-Requests.  Once the server has spoken, only LCP requests
 *    count (Echo-, Configure-, Terminate-Request, which its PPP must
 *    answer): a one-way flow from us meets silence from a server that
 *    acks only on its own data, as Linux's kernel PPTP does.
 *  - "our GRE does not reach the server": the server's GRE arrives (at
 *    least GD_MIN_PEER_PKTS packets within the window) and we keep
 *    sending, but the server shows no sign of hearing us: either it has
 *    acknowledged our packets before and its acknowledgement has not
 *    moved for a window, or it never acknowledged anything and its PPP
 *    frames show it has not heard us either (only LCP Configure-Requests,
 *    never a Configure-Ack/Nak/Reject or anything past LCP).  A server
 *    that never sends acks but answers our LCP is never blamed.
 * A verdict changes at most once per update; each change is one event,
 * and one log line, never one per packet. */
#ifndef PPTP_GRE_DIAG_H
#define PPTP_GRE_DIAG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The default window of --gre-check, in seconds: pppd's LCP sends a
 * Configure-Request every 3 s, so 10 s covers three or four of them and
 * ends well before pppd gives up (10 tries, 30 s). */
#define GD_DEFAULT_SECS 10
/* Largest --gre-check. */
#define GD_MAX_SECS 3600
/* Frames from pppd needed before anything is judged: one unanswered frame
 * is normal, a retransmission is not. */
#define GD_MIN_FRAMES 2
/* Packets from the server needed to say it could have acknowledged ours. */
#define GD_MIN_PEER_PKTS 2

enum gre_diag_verdict {
	GD_OFF,		/* --gre-check 0 */
	GD_WAITING,	/* nothing from the server yet, not judged yet */
	GD_OK,		/* the server's GRE arrives, no problem seen */
	GD_NO_RX,	/* we send, nothing comes back */
	GD_NO_TX,	/* the server's GRE arrives, ours does not reach it */
};

enum gre_diag_event {
	GD_EV_NONE,
	GD_EV_NO_RX,	/* warning: no GRE from the server */
	GD_EV_RX_BACK,	/* GRE from the server arrives again */
	GD_EV_NO_TX,	/* warning: our GRE does not reach the server */
	GD_EV_TX_BACK,	/* the server hears us again */
};

/* The gateway's counters at one moment; all of them only grow (mod 2^32). */
struct gre_diag_sample {
	uint32_t tx_data;	/* data packets sent to the server */
	uint32_t tx_next_seq;	/* the sequence number of our next one */
	uint32_t rx_gre;	/* GRE packets of this call from the server,
				 * data or ack-only, valid or not */
	bool peer_acked;	/* the server has sent an acknowledgement */
	uint32_t peer_ack;	/* the latest one (checked here against
				 * what we sent: a bogus one proves nothing) */
};

/* Frames of ours waiting for a sign from the server since t1.  Judged
 * only once GD_MIN_FRAMES of them went out, the last of those (tn) long
 * enough ago to have been answered. */
struct gd_span {
	bool open, full;
	uint64_t t1, tn;
	uint32_t c0;		/* the count before the first of them */
	uint32_t rx_at_tn;	/* rx_gre when the span became full */
};

struct gre_diag {
	uint64_t window_us;	/* 0: off */
	uint32_t first_seq;	/* our first sequence number */
	enum gre_diag_verdict verdict;
	struct gre_diag_sample last;
	bool any_tx;		/* pppd has sent something */
	uint64_t last_tx_t;
	bool rx_seen;		/* the server's GRE has come */
	uint32_t requests, last_requests;	/* our LCP requests */
	struct gd_span rx_wait;	/* ours since the server's last packet */
	struct gd_span rq_wait;	/* our LCP requests since then */
	struct gd_span ack_wait;	/* ours the server has not acked */
	bool acks_us;		/* an ack covered one of ours (past the first) */
	uint32_t max_ack;
	bool ppp_heard, ppp_news;	/* its PPP answered ours */
	/* the figures of the last event, for its line */
	uint64_t outage_t;	/* when the trouble began */
	uint32_t ev_frames;
	bool ev_requests;	/* ev_frames counts LCP requests */
	uint64_t ev_secs;
};

/* window_s 0 turns the check off; first_seq is the sequence number of
 * our first data packet. */
void gre_diag_init(struct gre_diag *d, uint32_t window_s, uint32_t first_seq);
/* A PPP frame from the server (the GRE payload): looked at only until
 * it proves that the server heard us; cheap afterwards. */
void gre_diag_peer_frame(struct gre_diag *d, const uint8_t *frame,
			 size_t len);
/* A PPP frame of ours (what pppd sent): its LCP requests are counted. */
void gre_diag_our_frame(struct gre_diag *d, const uint8_t *frame, size_t len);
/* Feed the counters at now; returns the transition, if any (one per
 * call: call again at the next turn for the next). */
enum gre_diag_event gre_diag_update(struct gre_diag *d, uint64_t now,
				    const struct gre_diag_sample *s);
enum gre_diag_verdict gre_diag_verdict(const struct gre_diag *d);
/* The status word of a verdict: off, waiting, ok, no-gre-from-server,
 * no-gre-to-server. */
const char *gre_diag_verdict_name(enum gre_diag_verdict v);
/* The log line for ev (server: the server's address as text); returns
 * the length snprintf would, 0 for GD_EV_NONE. */
int gre_diag_message(const struct gre_diag *d, enum gre_diag_event ev,
		     const char *server, char *buf, size_t cap);
#endif
