/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_ctrl.h: the RFC 2637 control connection and call state machines of
 * the client (PNS) side.  Pure: bytes and "now" in; bytes, events and a
 * deadline out.  No sockets, no clock, no logging of its own (log lines
 * are returned as events). */
#ifndef PPTP_CTRL_H
#define PPTP_CTRL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pptp_msg.h"
#include "ratelimit.h"

/* Calls one control connection carries at most: the call manager serves
 * the pptp processes of one machine, so a few hundred is plenty and keeps
 * the call table small. */
#define CTRL_CALLS_MAX 256
/* Bytes of not-yet-sent output we keep: room for an OCRQ for every call
 * (the calls asked for before SCCRP all go out at once: 256 * 168 bytes)
 * and their CCRQs; past this we drop what we were about to queue (only an
 * echo-reply flood or a stalled socket gets here) rather than grow
 * without bound. */
#define CTRL_WBUF_MAX 65536
/* Input bytes held while a message is incomplete: one whole message. */
#define CTRL_RBUF_MAX (2 * PPTP_MSG_MAX)
/* Events queued for the call manager between two drains.  State changes
 * are never dropped: between two drains each call can come up and go down
 * (and be reopened and fail), plus the connection's up and down.  Log
 * lines and Set-Link-Info news share what is left, debug lines half. */
#define CTRL_EVENTS_STATE_MAX (3 * CTRL_CALLS_MAX + 2)
#define CTRL_EVENTS_OPTIONAL_MAX 64
#define CTRL_EVENTS_DEBUG_MAX (CTRL_EVENTS_OPTIONAL_MAX / 2)
#define CTRL_EVENTS_MAX (CTRL_EVENTS_STATE_MAX + CTRL_EVENTS_OPTIONAL_MAX)
/* How long we wait for Stop-Control-Connection-Reply and for the
 * Call-Disconnect-Notify that answers our Call-Clear-Request. */
#define CTRL_STOP_WAIT_MS 3000
#define CTRL_CLEAR_WAIT_MS 3000
/* Echo requests answered per second at most; more are dropped (a flood). */
#define CTRL_ECHO_REPLY_BURST 64
/* Server floods must not flood the log: a log line the server can repeat
 * at will is written at most CTRL_LOG_BURST times a second per kind
 * (debug lines CTRL_LOG_DEBUG_BURST), the first one held back says so,
 * the next one let through says how many were.  The window of every
 * such limit (echo replies too) is CTRL_RATE_WINDOW_MS. */
#define CTRL_RATE_WINDOW_MS 1000
#define CTRL_LOG_BURST 10
#define CTRL_LOG_DEBUG_BURST 100
/* Set-Link-Info news passed on per second at most (the same ACCMs again
 * are not passed on at all); the latest ACCMs held back go out when the
 * second is over, so the last word of the server always wins. */
#define CTRL_SLI_BURST 8
/* Garbage on the control stream: we drop bytes until the next
 * well-formed header (length, magic cookie, type and its length).  We
 * give up when one run of garbage passes CTRL_RESYNC_BYTES_MAX bytes:
 * 128 longest messages, more than a middlebox's error page (pptp-linux,
 * which has no bound, survives 20 kB; so do we), or when the keep-alive
 * finds no well-formed message (only those count as life: --idle-wait
 * after the last one our Echo-Request goes out, and --max-echo-wait
 * later we close). */
#define CTRL_RESYNC_BYTES_MAX (128 * PPTP_MSG_MAX)

enum ctrl_conn_state {
	CONN_IDLE,		/* nothing sent yet */
	CONN_WAIT_CTL_REPLY,	/* SCCRQ sent, waiting for SCCRP */
	CONN_ESTABLISHED,
	CONN_WAIT_STOP_REPLY,	/* StopCCRQ sent */
	CONN_CLOSED		/* finished; the owner closes the socket */
};

enum ctrl_call_state {
	CALL_WAIT_CONN,		/* asked for before the connection was up */
	CALL_WAIT_REPLY,	/* OCRQ sent */
	CALL_ESTABLISHED,
	CALL_WAIT_DISCONNECT,	/* CCRQ sent */
	CALL_DEAD		/* ended; slot freed after the event is drained */
};

enum ctrl_event_type {
	CEV_LOG,		/* text at level (0 warn, 1 log, 2 debug) */
	CEV_CONN_UP,
	CEV_CALL_UP,		/* call_id, peer_call_id valid */
	CEV_CALL_DOWN,		/* call ended: refused, cleared or timed out */
	CEV_CALL_SLI,		/* Set-Link-Info for call: accm fields */
	CEV_CONN_DOWN		/* control connection finished: close socket */
};

struct ctrl_event {
	enum ctrl_event_type type;
	int level;
	uint16_t call_id, peer_call_id;
	uint32_t send_accm, recv_accm;
	char text[200];
};

struct ctrl_config {
	uint32_t framing, bearer;
	uint16_t max_channels, firmware;
	char hostname[65], vendor[65];
	uint32_t min_bps, max_bps;
	uint16_t window, delay;
	char phone[65];
	uint32_t idle_wait_ms;		/* silence before our echo; 0 = never */
	uint32_t max_echo_wait_ms;	/* echo reply wait before giving up */
	uint32_t setup_timeout_ms;	/* SCCRP and OCRP wait */
	int quirk;			/* pptp_quirks index, -1 for none */
	uint16_t call_id_base;		/* first call id tried (random) */
};

struct ctrl_call {
	uint16_t call_id, peer_call_id, serial;
	enum ctrl_call_state state;
	uint64_t deadline;
	bool in_use;
	/* Set-Link-Info: the latest ACCMs from the server, and whether they
	 * still have to be passed on (sli_told: some were passed on, the
	 * last ones being told_send/told_recv). */
	bool sli_pending, sli_told;
	uint32_t sli_send, sli_recv, told_send, told_recv;
};


/* Kinds of log line a server can make us repeat, each rate-limited. */
enum ctrl_log_kind {
	CLOG_STREAM,		/* skipped messages, garbage, resynchronisation */
	CLOG_IGNORED,		/* unexpected messages, unknown call ids */
	CLOG_WEN,		/* WAN-Error-Notify */
	CLOG_RECEIVED,		/* debug: every message received */
	CLOG_KINDS
};

/* Resynchronisation after garbage on the control stream. */
struct ctrl_resync {
	bool active;
	int first_error;	/* PPTP_EMSG_* that started the run */
	size_t dropped;		/* bytes of this run */
	bool gave_up;		/* the closing line was written */
	unsigned long runs, bytes;	/* totals, for status */
};

struct ctrl_conn {
	enum ctrl_conn_state state;
	struct ctrl_config cfg;
	uint64_t state_deadline;	/* reply wait of the current state */
	uint64_t last_rx;		/* when the server last sent anything */
	bool echo_outstanding;
	uint32_t echo_id;
	uint64_t echo_sent;
	struct rate_window echo_rate;	/* Echo-Replies we send */
	struct rate_window log_rate[CLOG_KINDS];
	struct rate_window sli_rate;
	struct rate_window refuse_rate;	/* our refusals of OCRQ/ICRQ */
	struct ctrl_resync rs;
	uint16_t next_serial;
	uint16_t next_call_id;
	struct ctrl_call calls[CTRL_CALLS_MAX];
	uint8_t rbuf[CTRL_RBUF_MAX];
	size_t rlen;
	uint8_t wbuf[CTRL_WBUF_MAX];
	size_t wlen;
	struct ctrl_event ev[CTRL_EVENTS_MAX];
	size_t ev_head, ev_count;
};

void ctrl_config_default(struct ctrl_config *cfg);
/* Queue SCCRQ; the connection waits for SCCRP. */
void ctrl_start(struct ctrl_conn *c, const struct ctrl_config *cfg,
		uint64_t now_ms);
/* Feed bytes read from TCP.  Garbage is dropped up to the next
 * well-formed message (see CTRL_RESYNC_BYTES_MAX).  Returns 0, or
 * -ENOTCONN when the connection is already closed. */
int ctrl_input(struct ctrl_conn *c, const uint8_t *data, size_t n,
	       uint64_t now_ms);
/* The server closed TCP or it failed. */
void ctrl_input_eof(struct ctrl_conn *c, const char *why);
/* Ask for an outgoing call; returns the local call id or -errno. */
int ctrl_call_open(struct ctrl_conn *c, uint64_t now_ms);
/* Our side of the call ends: send Call-Clear-Request. */
void ctrl_call_close(struct ctrl_conn *c, uint16_t call_id, uint64_t now_ms);
/* End the control connection (calls first), with StopCCRQ reason. */
void ctrl_close(struct ctrl_conn *c, uint8_t reason, uint64_t now_ms);
/* Run timers. */
void ctrl_tick(struct ctrl_conn *c, uint64_t now_ms);
/* Earliest time ctrl_tick has work, UINT64_MAX for none. */
uint64_t ctrl_deadline(const struct ctrl_conn *c);
/* Output bytes waiting for TCP, and how many were written. */
size_t ctrl_output(const struct ctrl_conn *c, const uint8_t **p);
void ctrl_output_done(struct ctrl_conn *c, size_t n);
/* Take the next event; false when there is none. */
bool ctrl_next_event(struct ctrl_conn *c, struct ctrl_event *ev);
size_t ctrl_calls_active(const struct ctrl_conn *c);
const struct ctrl_call *ctrl_call_find(const struct ctrl_conn *c,
				       uint16_t call_id);
#endif
