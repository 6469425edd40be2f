/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_ctrl.c: the client side of the RFC 2637 control connection. */
#include "pptp_ctrl.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pptp_quirks.h"

/* Values pptp-linux 1.10 sends; servers have seen them for twenty years. */
#define DEF_FRAMING PPTP_FRAME_ANY	/* async and sync */
#define DEF_BEARER PPTP_BEARER_ANY	/* analog and digital */
#define DEF_MAX_CHANNELS 65535
#define DEF_FIRMWARE 1
#define DEF_HOSTNAME "local"
#define DEF_VENDOR "cananian"
#define DEF_MIN_BPS 2400
#define DEF_MAX_BPS 10000000u
/* The receive window offered in Outgoing-Call-Request: one constant with
 * the gateway's ack policy, which relies on it (gre_session.h). */
#include "gre_session.h"
#define DEF_WINDOW GS_RX_WINDOW
#define DEF_IDLE_WAIT_MS 60000
#define DEF_SETUP_TIMEOUT_MS 60000

void ctrl_config_default(struct ctrl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->framing = DEF_FRAMING;
	cfg->bearer = DEF_BEARER;
	cfg->max_channels = DEF_MAX_CHANNELS;
	cfg->firmware = DEF_FIRMWARE;
	snprintf(cfg->hostname, sizeof(cfg->hostname), "%s", DEF_HOSTNAME);
	snprintf(cfg->vendor, sizeof(cfg->vendor), "%s", DEF_VENDOR);
	cfg->min_bps = DEF_MIN_BPS;
	cfg->max_bps = DEF_MAX_BPS;
	cfg->window = DEF_WINDOW;
	cfg->idle_wait_ms = DEF_IDLE_WAIT_MS;
	cfg->max_echo_wait_ms = DEF_IDLE_WAIT_MS;
	cfg->setup_timeout_ms = DEF_SETUP_TIMEOUT_MS;
	cfg->quirk = -1;
}

/* ---- events ---------------------------------------------------------- */

static bool event_optional(enum ctrl_event_type type)
{
	return type == CEV_LOG || type == CEV_CALL_SLI;
}

static struct ctrl_event *event_push(struct ctrl_conn *c,
				     enum ctrl_event_type type)
{
	struct ctrl_event *ev;

	/* Leave the state changes still to come their room. */
	if (event_optional(type) && c->ev_count >= CTRL_EVENTS_OPTIONAL_MAX)
		return NULL;
	if (c->ev_count == CTRL_EVENTS_MAX) {
		/* Only log lines can fill the queue between two drains;
		 * losing the oldest log line is better than losing state. */
		if (!event_optional(c->ev[c->ev_head].type))
			return NULL;
		c->ev_head = (c->ev_head + 1) % CTRL_EVENTS_MAX;
		c->ev_count--;
	}
	ev = &c->ev[(c->ev_head + c->ev_count) % CTRL_EVENTS_MAX];
	c->ev_count++;
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	return ev;
}

static void ctrl_log(struct ctrl_conn *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ctrl_log(struct ctrl_conn *c, int level, const char *fmt, ...)
{
	struct ctrl_event *ev;
	va_list ap;

	/* Debug chatter must not crowd out the warnings. */
	if (level >= 2 && c->ev_count >= CTRL_EVENTS_DEBUG_MAX)
		return;
	ev = event_push(c, CEV_LOG);
	if (!ev)
		return;
	ev->level = level;
	va_start(ap, fmt);
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	va_end(ap);
}

/* 1: one more in this window; 0: the first one held back in it;
 * -1: held back again (ratelimit.h). */
static int rate_take(struct rate_window *r, uint64_t now, uint32_t burst)
{
	return rate_window_take(r, now, burst, CTRL_RATE_WINDOW_MS);
}

static const char *const log_kind_names[CLOG_KINDS] = {
	[CLOG_STREAM] = "bad control stream",
	[CLOG_IGNORED] = "ignored message",
	[CLOG_WEN] = "WAN-Error-Notify",
	[CLOG_RECEIVED] = "received message",
};

/* A log line the server can make us repeat at will: rate-limited per
 * kind (CTRL_LOG_BURST a second, CTRL_LOG_DEBUG_BURST for debug). */
static void ctrl_logk(struct ctrl_conn *c, enum ctrl_log_kind k,
		      uint64_t now, int level, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void ctrl_logk(struct ctrl_conn *c, enum ctrl_log_kind k,
		      uint64_t now, int level, const char *fmt, ...)
{
	struct rate_window *r = &c->log_rate[k];
	uint32_t held = r->held;
	char line[sizeof(c->ev[0].text)];
	va_list ap;
	int t = rate_take(r, now, level >= 2 ? CTRL_LOG_DEBUG_BURST
					     : CTRL_LOG_BURST);

	if (t == 0)
		ctrl_log(c, level, "server flood: more \"%s\" lines in this "
			 "second suppressed", log_kind_names[k]);
	if (t <= 0)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->held = 0;
	if (held)
		ctrl_log(c, level, "%s (%u like it suppressed before)", line,
			 held);
	else
		ctrl_log(c, level, "%s", line);
}

bool ctrl_next_event(struct ctrl_conn *c, struct ctrl_event *ev)
{
	if (c->ev_count == 0)
		return false;
	*ev = c->ev[c->ev_head];
	c->ev_head = (c->ev_head + 1) % CTRL_EVENTS_MAX;
	c->ev_count--;
	/* Drained: start again at the front, so that a queue that rarely
	 * holds more than a few events touches only its first pages. */
	if (c->ev_count == 0)
		c->ev_head = 0;
	return true;
}

/* ---- output ---------------------------------------------------------- */

static int send_msg(struct ctrl_conn *c, struct pptp_msg *m)
{
	uint8_t buf[PPTP_MSG_MAX];
	char line[400];
	int n = pptp_msg_encode(m, buf, sizeof(buf));

	if (n < 0) {
		ctrl_log(c, 0, "cannot encode %s: %s", pptp_msg_name(m->type),
		     pptp_msg_strerror(n));
		return n;
	}
	if (c->wlen + (size_t)n > CTRL_WBUF_MAX) {
		ctrl_log(c, 0, "control output full, %s dropped",
		     pptp_msg_name(m->type));
		return -ENOBUFS;
	}
	memcpy(c->wbuf + c->wlen, buf, (size_t)n);
	c->wlen += (size_t)n;
	pptp_msg_format(m, line, sizeof(line));
	ctrl_log(c, 2, "sent %s", line);
	return 0;
}

size_t ctrl_output(const struct ctrl_conn *c, const uint8_t **p)
{
	*p = c->wbuf;
	return c->wlen;
}

void ctrl_output_done(struct ctrl_conn *c, size_t n)
{
	if (n >= c->wlen) {
		c->wlen = 0;
		return;
	}
	memmove(c->wbuf, c->wbuf + n, c->wlen - n);
	c->wlen -= n;
}

/* ---- calls ----------------------------------------------------------- */

static struct ctrl_call *call_by_id(struct ctrl_conn *c, uint16_t id)
{
	for (size_t i = 0; i < CTRL_CALLS_MAX; i++)
		if (c->calls[i].in_use && c->calls[i].call_id == id)
			return &c->calls[i];
	return NULL;
}

const struct ctrl_call *ctrl_call_find(const struct ctrl_conn *c,
				       uint16_t call_id)
{
	return call_by_id((struct ctrl_conn *)c, call_id);
}

size_t ctrl_calls_active(const struct ctrl_conn *c)
{
	size_t n = 0;

	for (size_t i = 0; i < CTRL_CALLS_MAX; i++)
		if (c->calls[i].in_use)
			n++;
	return n;
}

static void call_end(struct ctrl_conn *c, struct ctrl_call *call,
		     const char *why)
{
	struct ctrl_event *ev = event_push(c, CEV_CALL_DOWN);

	if (ev) {
		ev->call_id = call->call_id;
		ev->peer_call_id = call->peer_call_id;
		snprintf(ev->text, sizeof(ev->text), "%s", why);
	}
	call->in_use = false;
	call->state = CALL_DEAD;
}

static void send_ocrq(struct ctrl_conn *c, struct ctrl_call *call,
		      uint64_t now)
{
	struct pptp_msg m;
	const struct pptp_quirk *q = quirk_get(c->cfg.quirk);

	memset(&m, 0, sizeof(m));
	m.type = PPTP_OCRQ;
	m.u.ocrq.call_id = call->call_id;
	m.u.ocrq.serial = call->serial;
	m.u.ocrq.min_bps = c->cfg.min_bps;
	m.u.ocrq.max_bps = c->cfg.max_bps;
	m.u.ocrq.bearer = c->cfg.bearer;
	m.u.ocrq.framing = c->cfg.framing;
	m.u.ocrq.window = c->cfg.window;
	m.u.ocrq.delay = c->cfg.delay;
	if (q && q->ocrq)
		q->ocrq(&m);
	if (c->cfg.phone[0])
		snprintf(m.u.ocrq.phone, sizeof(m.u.ocrq.phone), "%s",
			 c->cfg.phone);
	if (send_msg(c, &m) < 0) {
		call_end(c, call, "control output full: call request not sent");
		return;
	}
	call->state = CALL_WAIT_REPLY;
	call->deadline = now + c->cfg.setup_timeout_ms;
}

/* The first free call id from the connection's base on.  The base is
 * chosen at random by the caller (as pptp-linux does), so that a quick
 * reconnect does not reuse the id of a call the server may still hold. */
static int alloc_call_id(struct ctrl_conn *c)
{
	/* At most CTRL_CALLS_MAX ids are taken, so one of the first
	 * CTRL_CALLS_MAX + 1 from the base is free: one pass finds it. */
	bool taken[CTRL_CALLS_MAX + 1] = { false };

	for (size_t i = 0; i < CTRL_CALLS_MAX; i++) {
		uint16_t off = (uint16_t)(c->calls[i].call_id -
					  c->cfg.call_id_base);

		if (c->calls[i].in_use && off <= CTRL_CALLS_MAX)
			taken[off] = true;
	}
	for (uint32_t off = 0; off <= CTRL_CALLS_MAX; off++)
		if (!taken[off])
			return (uint16_t)(c->cfg.call_id_base + off);
	return -1;
}

int ctrl_call_open(struct ctrl_conn *c, uint64_t now)
{
	struct ctrl_call *call = NULL;
	int id;

	if (c->state == CONN_WAIT_STOP_REPLY || c->state == CONN_CLOSED)
		return -ENOTCONN;
	for (size_t i = 0; i < CTRL_CALLS_MAX; i++) {
		if (!c->calls[i].in_use) {
			call = &c->calls[i];
			break;
		}
	}
	if (!call)
		return -EMFILE;
	id = alloc_call_id(c);
	if (id < 0)
		return -EMFILE;
	memset(call, 0, sizeof(*call));
	call->in_use = true;
	call->call_id = (uint16_t)id;
	call->serial = c->next_serial++;
	call->state = CALL_WAIT_CONN;
	if (c->state == CONN_ESTABLISHED)
		send_ocrq(c, call, now);
	return id;
}

void ctrl_call_close(struct ctrl_conn *c, uint16_t call_id, uint64_t now)
{
	struct ctrl_call *call = call_by_id(c, call_id);
	struct pptp_msg m;

	if (!call)
		return;
	if (call->state == CALL_WAIT_CONN || c->state != CONN_ESTABLISHED) {
		call_end(c, call, "closed before it was placed");
		return;
	}
	if (call->state == CALL_WAIT_DISCONNECT)
		return;
	memset(&m, 0, sizeof(m));
	m.type = PPTP_CCRQ;
	m.u.ccrq.call_id = call->call_id;
	send_msg(c, &m);
	call->state = CALL_WAIT_DISCONNECT;
	call->deadline = now + CTRL_CLEAR_WAIT_MS;
}

/* ---- connection ------------------------------------------------------ */

static void conn_finish(struct ctrl_conn *c, const char *why)
{
	struct ctrl_event *ev;

	if (c->state == CONN_CLOSED)
		return;
	for (size_t i = 0; i < CTRL_CALLS_MAX; i++)
		if (c->calls[i].in_use)
			call_end(c, &c->calls[i], why);
	c->state = CONN_CLOSED;
	ev = event_push(c, CEV_CONN_DOWN);
	if (ev)
		snprintf(ev->text, sizeof(ev->text), "%s", why);
}

void ctrl_start(struct ctrl_conn *c, const struct ctrl_config *cfg,
		uint64_t now)
{
	struct pptp_msg m;
	const struct pptp_quirk *q;

	/* Everything but the big buffers (events, input, output): those are
	 * only read below their counts, and leaving them untouched keeps
	 * ~250 kB of the call manager out of its resident memory. */
	memset(c, 0, offsetof(struct ctrl_conn, rbuf));
	c->rlen = 0;
	c->wlen = 0;
	c->ev_head = 0;
	c->ev_count = 0;
	c->cfg = *cfg;
	c->echo_id = 1;
	c->last_rx = now;
	q = quirk_get(cfg->quirk);
	memset(&m, 0, sizeof(m));
	m.type = PPTP_SCCRQ;
	m.u.sccr.version = PPTP_VERSION;
	m.u.sccr.framing = cfg->framing;
	m.u.sccr.bearer = cfg->bearer;
	m.u.sccr.max_channels = cfg->max_channels;
	m.u.sccr.firmware = cfg->firmware;
	snprintf(m.u.sccr.hostname, sizeof(m.u.sccr.hostname), "%s",
		 cfg->hostname);
	snprintf(m.u.sccr.vendor, sizeof(m.u.sccr.vendor), "%s", cfg->vendor);
	if (q && q->sccrq)
		q->sccrq(&m);
	send_msg(c, &m);
	c->state = CONN_WAIT_CTL_REPLY;
	c->state_deadline = now + cfg->setup_timeout_ms;
}

void ctrl_close(struct ctrl_conn *c, uint8_t reason, uint64_t now)
{
	struct pptp_msg m;

	if (c->state == CONN_WAIT_STOP_REPLY || c->state == CONN_CLOSED)
		return;
	if (c->state != CONN_ESTABLISHED) {
		conn_finish(c, "closed before it was established");
		return;
	}
	for (size_t i = 0; i < CTRL_CALLS_MAX; i++)
		if (c->calls[i].in_use)
			ctrl_call_close(c, c->calls[i].call_id, now);
	memset(&m, 0, sizeof(m));
	m.type = PPTP_STOPCCRQ;
	m.u.stopccrq.reason = reason ? reason : PPTP_STOP_REASON_NONE;
	ctrl_log(c, 1, "Closing PPTP connection");
	send_msg(c, &m);
	c->state = CONN_WAIT_STOP_REPLY;
	c->state_deadline = now + CTRL_STOP_WAIT_MS;
}

void ctrl_input_eof(struct ctrl_conn *c, const char *why)
{
	if (c->state != CONN_CLOSED && c->state != CONN_WAIT_STOP_REPLY)
		ctrl_log(c, 0, "control connection closed by server: %s", why);
	conn_finish(c, why);
}

/* ---- message handlers ------------------------------------------------ */

/* The server refused the control connection: the calls waiting for it
 * end now; the server is told with a Stop-Control-Connection-Request
 * (Stop-Protocol), as pptp-linux does (RFC 2637 3.1.1 asks the same when
 * the version is not supported), and the connection ends on its reply or
 * after CTRL_STOP_WAIT_MS. */
static void refuse_conn(struct ctrl_conn *c, uint64_t now)
{
	struct pptp_msg m;

	for (size_t i = 0; i < CTRL_CALLS_MAX; i++)
		if (c->calls[i].in_use)
			call_end(c, &c->calls[i], "control connection refused");
	memset(&m, 0, sizeof(m));
	m.type = PPTP_STOPCCRQ;
	m.u.stopccrq.reason = PPTP_STOP_REASON_PROTOCOL;
	send_msg(c, &m);
	c->state = CONN_WAIT_STOP_REPLY;
	c->state_deadline = now + CTRL_STOP_WAIT_MS;
}

static void on_sccrp(struct ctrl_conn *c, const struct pptp_msg *m,
		     uint64_t now)
{
	if (c->state != CONN_WAIT_CTL_REPLY) {
		ctrl_logk(c, CLOG_IGNORED, now, 1,
			  "unexpected Start-Control-Connection-Reply ignored");
		return;
	}
	if (m->u.sccr.result != PPTP_SCCRP_OK) {
		ctrl_log(c, 0,
		     "server refused the control connection: result=%u (%s) "
		     "error=%u (%s)",
		     m->u.sccr.result,
		     pptp_result_text(PPTP_SCCRP, m->u.sccr.result),
		     m->u.sccr.error, pptp_error_text(m->u.sccr.error));
		refuse_conn(c, now);
		return;
	}
	c->state = CONN_ESTABLISHED;
	c->state_deadline = UINT64_MAX;
	ctrl_log(c, 1, "Client connection established.");
	event_push(c, CEV_CONN_UP);
	/* Place the calls asked for while we waited, at once: pptp-linux
	 * waits for its next one-second timer tick here. */
	for (size_t i = 0; i < CTRL_CALLS_MAX; i++)
		if (c->calls[i].in_use && c->calls[i].state == CALL_WAIT_CONN)
			send_ocrq(c, &c->calls[i], now);
}

static void send_sli_quirk(struct ctrl_conn *c, const struct ctrl_call *call)
{
	const struct pptp_quirk *q = quirk_get(c->cfg.quirk);
	struct pptp_msg m;

	if (!q || !q->sli)
		return;
	q->sli(&m, call->peer_call_id);
	send_msg(c, &m);
}

static void on_ocrp(struct ctrl_conn *c, const struct pptp_msg *m,
		    uint64_t now)
{
	struct ctrl_call *call = call_by_id(c, m->u.ocrp.peer_call_id);
	struct ctrl_event *ev;
	char why[200];

	if (!call || call->state != CALL_WAIT_REPLY) {
		ctrl_logk(c, CLOG_IGNORED, now, 0,
			  "Outgoing-Call-Reply for unknown call id %u ignored",
			  m->u.ocrp.peer_call_id);
		return;
	}
	if (m->u.ocrp.result != PPTP_OCRP_CONNECTED) {
		snprintf(why, sizeof(why),
			 "Outgoing call failed: result=%u (%s) error=%u (%s) "
			 "cause=%u",
			 m->u.ocrp.result,
			 pptp_result_text(PPTP_OCRP, m->u.ocrp.result),
			 m->u.ocrp.error, pptp_error_text(m->u.ocrp.error),
			 m->u.ocrp.cause);
		ctrl_log(c, 0, "%s", why);
		call_end(c, call, why);
		return;
	}
	call->peer_call_id = m->u.ocrp.call_id;
	call->state = CALL_ESTABLISHED;
	call->deadline = UINT64_MAX;
	ctrl_log(c, 1, "Outgoing call established (call ID %u, peer's call ID %u).",
	     call->call_id, call->peer_call_id);
	ev = event_push(c, CEV_CALL_UP);
	if (ev) {
		ev->call_id = call->call_id;
		ev->peer_call_id = call->peer_call_id;
	}
	send_sli_quirk(c, call);
}

/* The call a CDN names.  RFC 2637 (and PoPToP) put the PAC's call id
 * there; accel-ppp puts ours, and pptp-linux looks up its own.  The PAC's
 * id wins; ours is the fallback. */
static struct ctrl_call *cdn_call(struct ctrl_conn *c, uint16_t id)
{
	struct ctrl_call *call;

	for (size_t i = 0; i < CTRL_CALLS_MAX; i++) {
		struct ctrl_call *k = &c->calls[i];

		if (k->in_use && k->state != CALL_WAIT_CONN &&
		    k->state != CALL_WAIT_REPLY && k->peer_call_id == id)
			return k;
	}
	call = call_by_id(c, id);
	if (call && (call->state == CALL_WAIT_CONN ||
		     call->state == CALL_WAIT_REPLY))
		return NULL;
	return call;
}

static void on_cdn(struct ctrl_conn *c, const struct pptp_msg *m,
		   uint64_t now)
{
	struct ctrl_call *call = cdn_call(c, m->u.cdn.call_id);
	char why[200];

	if (!call) {
		ctrl_logk(c, CLOG_IGNORED, now, 0,
			  "Call-Disconnect-Notify for unknown call id %u ignored",
			  m->u.cdn.call_id);
		return;
	}
	snprintf(why, sizeof(why),
		 "Call disconnected by server: result=%u (%s) error=%u (%s) "
		 "cause=%u",
		 m->u.cdn.result, pptp_result_text(PPTP_CDN, m->u.cdn.result),
		 m->u.cdn.error, pptp_error_text(m->u.cdn.error),
		 m->u.cdn.cause);
	ctrl_log(c, call->state == CALL_WAIT_DISCONNECT ? 2 : 1, "%s", why);
	call_end(c, call, why);
}

/* Pass the call's latest Set-Link-Info on, unless it is what the call
 * was told last, or the second's burst is used up (then ctrl_tick does
 * it when the second is over). */
static void sli_tell(struct ctrl_conn *c, struct ctrl_call *call,
		     uint64_t now)
{
	struct ctrl_event *ev;

	if (call->sli_told && call->told_send == call->sli_send &&
	    call->told_recv == call->sli_recv) {
		call->sli_pending = false;
		return;
	}
	if (rate_take(&c->sli_rate, now, CTRL_SLI_BURST) <= 0)
		return;
	ev = event_push(c, CEV_CALL_SLI);
	if (!ev)
		return;
	ev->call_id = call->call_id;
	ev->peer_call_id = call->peer_call_id;
	ev->send_accm = call->sli_send;
	ev->recv_accm = call->sli_recv;
	call->told_send = call->sli_send;
	call->told_recv = call->sli_recv;
	call->sli_told = true;
	call->sli_pending = false;
}

static void on_sli(struct ctrl_conn *c, const struct pptp_msg *m,
		   uint64_t now)
{
	struct ctrl_call *call = call_by_id(c, m->u.sli.peer_call_id);

	if (!call || call->state != CALL_ESTABLISHED) {
		ctrl_logk(c, CLOG_IGNORED, now, 1,
			  "Set-Link-Info for unknown call id %u ignored",
			  m->u.sli.peer_call_id);
		return;
	}
	call->sli_send = m->u.sli.send_accm;
	call->sli_recv = m->u.sli.recv_accm;
	call->sli_pending = true;
	sli_tell(c, call, now);
}

/* The call a server's Call-Clear-Request names.  RFC 2637 2.12 puts the
 * PNS's call id there (ours), and pptp-linux looks up its own; a server
 * that puts its own id is served by the fallback. */
static struct ctrl_call *ccrq_call(struct ctrl_conn *c, uint16_t id)
{
	struct ctrl_call *call = call_by_id(c, id);

	if (call)
		return call;
	for (size_t i = 0; i < CTRL_CALLS_MAX; i++) {
		struct ctrl_call *k = &c->calls[i];

		if (k->in_use && (k->state == CALL_ESTABLISHED ||
				  k->state == CALL_WAIT_DISCONNECT) &&
		    k->peer_call_id == id)
			return k;
	}
	return NULL;
}

/* The server clears a call (a PAC is not meant to send this, but
 * servers do, and pptp-linux honours it): we answer with
 * Call-Disconnect-Notify, result 4 ("Request": disconnected because of a
 * Call-Clear-Request, RFC 2637 2.13; pptp-linux sends 1, "Lost
 * Carrier") carrying our call id as pptp-linux does, and the call ends
 * the usual way.  The other calls stay. */
static void on_ccrq(struct ctrl_conn *c, const struct pptp_msg *m,
		    uint64_t now)
{
	struct ctrl_call *call = ccrq_call(c, m->u.ccrq.call_id);
	struct pptp_msg r;
	char why[200];

	if (!call) {
		ctrl_logk(c, CLOG_IGNORED, now, 0,
			  "Call-Clear-Request for unknown call id %u ignored",
			  m->u.ccrq.call_id);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.type = PPTP_CDN;
	r.u.cdn.call_id = call->call_id;
	r.u.cdn.result = PPTP_CDN_REQUEST;
	send_msg(c, &r);
	snprintf(why, sizeof(why), "Call cleared by server (Call-Clear-Request "
		 "for call ID %u, peer's call ID %u)", call->call_id,
		 call->peer_call_id);
	ctrl_log(c, 1, "%s", why);
	call_end(c, call, why);
}

static void on_echorq(struct ctrl_conn *c, const struct pptp_msg *m,
		      uint64_t now)
{
	struct pptp_msg r;
	int t;

	/* A server may echo as often as it likes, but answering a flood
	 * faster than a burst a second only helps it fill our buffers. */
	t = rate_take(&c->echo_rate, now, CTRL_ECHO_REPLY_BURST);
	if (t == 0)
		ctrl_log(c, 0, "Echo-Request flood: replies paused for this "
			 "second");
	if (t <= 0)
		return;
	memset(&r, 0, sizeof(r));
	r.type = PPTP_ECHORP;
	r.u.echorp.id = m->u.echorq.id;
	r.u.echorp.result = PPTP_ECHORP_OK;
	send_msg(c, &r);
}

static void on_echorp(struct ctrl_conn *c, const struct pptp_msg *m,
		      uint64_t now)
{
	if (!c->echo_outstanding || m->u.echorp.id != c->echo_id) {
		ctrl_logk(c, CLOG_RECEIVED, now, 2,
			  "Echo-Reply id %u not ours, ignored", m->u.echorp.id);
		return;
	}
	c->echo_outstanding = false;
	c->echo_id++;
}

static void on_stopccrq(struct ctrl_conn *c, const struct pptp_msg *m)
{
	struct pptp_msg r;

	ctrl_log(c, 1, "Received Stop-Control-Connection-Request from server: "
		   "reason=%u", m->u.stopccrq.reason);
	memset(&r, 0, sizeof(r));
	r.type = PPTP_STOPCCRP;
	r.u.stopccrp.result = PPTP_STOPCCRP_OK;
	send_msg(c, &r);
	conn_finish(c, "control connection stopped by server");
}

static void on_stopccrp(struct ctrl_conn *c, const struct pptp_msg *m,
			uint64_t now)
{
	if (c->state != CONN_WAIT_STOP_REPLY) {
		/* The server takes the connection for ended.  As pptp-linux,
		 * we clear our calls (a Call-Clear-Request each, which the
		 * owner sends before it closes) and end the connection
		 * without waiting for answers. */
		ctrl_log(c, 1, "unexpected Stop-Control-Connection-Reply");
		for (size_t i = 0; i < CTRL_CALLS_MAX; i++)
			if (c->calls[i].in_use)
				ctrl_call_close(c, c->calls[i].call_id, now);
		conn_finish(c, "control connection stopped by server");
		return;
	}
	ctrl_log(c, 2, "Stop-Control-Connection-Reply: result=%u",
	     m->u.stopccrp.result);
	conn_finish(c, "control connection closed");
}

/* A call the server asks us to take: an Outgoing-Call-Request (only a
 * PNS sends those; pptp-linux refuses them the same way) or an
 * Incoming-Call-Request (a PAC announcing a dial-in call, which a client
 * has no use for).  Refused with result "Do Not Accept" (RFC 2637 2.8,
 * 2.10), so the server need not wait; the refusals are rate-limited like
 * Echo-Replies. */
static void refuse_call(struct ctrl_conn *c, const struct pptp_msg *m,
			uint64_t now)
{
	struct pptp_msg r;
	int t = rate_take(&c->refuse_rate, now, CTRL_ECHO_REPLY_BURST);

	ctrl_logk(c, CLOG_IGNORED, now, 0, "%s from server refused",
		  pptp_msg_longname(m->type));
	if (t <= 0)
		return;
	memset(&r, 0, sizeof(r));
	if (m->type == PPTP_OCRQ) {
		r.type = PPTP_OCRP;
		r.u.ocrp.peer_call_id = m->u.ocrq.call_id;
		r.u.ocrp.result = PPTP_OCRP_DO_NOT_ACCEPT;
		/* the values pptp-linux puts in its refusal */
		r.u.ocrp.speed = c->cfg.max_bps;
		r.u.ocrp.window = c->cfg.window;
	} else {
		r.type = PPTP_ICRP;
		r.u.icrp.peer_call_id = m->u.icrq.call_id;
		r.u.icrp.result = PPTP_ICRP_DO_NOT_ACCEPT;
	}
	send_msg(c, &r);
}

static void dispatch(struct ctrl_conn *c, const struct pptp_msg *m,
		     uint64_t now)
{
	/* Before the connection is up, only the reply (or a stop) counts. */
	if (c->state == CONN_WAIT_CTL_REPLY && m->type != PPTP_SCCRP &&
	    m->type != PPTP_STOPCCRQ && m->type != PPTP_ECHORQ) {
		ctrl_logk(c, CLOG_IGNORED, now, 0,
			  "%s before Start-Control-Connection-Reply ignored",
			  pptp_msg_longname(m->type));
		return;
	}
	switch (m->type) {
	case PPTP_SCCRP:
		on_sccrp(c, m, now);
		break;
	case PPTP_STOPCCRQ:
		on_stopccrq(c, m);
		break;
	case PPTP_STOPCCRP:
		on_stopccrp(c, m, now);
		break;
	case PPTP_ECHORQ:
		on_echorq(c, m, now);
		break;
	case PPTP_ECHORP:
		on_echorp(c, m, now);
		break;
	case PPTP_OCRP:
		on_ocrp(c, m, now);
		break;
	case PPTP_CDN:
		on_cdn(c, m, now);
		break;
	case PPTP_SLI:
		on_sli(c, m, now);
		break;
	case PPTP_CCRQ:
		on_ccrq(c, m, now);
		break;
	case PPTP_OCRQ:
	case PPTP_ICRQ:
		refuse_call(c, m, now);
		break;
	case PPTP_WEN:
		ctrl_logk(c, CLOG_WEN, now, 1,
			  "WAN-Error-Notify: crc=%u framing=%u hw-overruns=%u "
			  "buf-overruns=%u timeouts=%u alignment=%u",
			  m->u.wen.crc_errors, m->u.wen.framing_errors,
			  m->u.wen.hw_overruns, m->u.wen.buf_overruns,
			  m->u.wen.timeouts, m->u.wen.alignment_errors);
		break;
	default:
		/* SCCRQ, ICRP and ICCN: not for a PNS that places only
		 * outgoing calls (ICCN follows an ICRP that accepts). */
		ctrl_logk(c, CLOG_IGNORED, now, 0,
			  "unexpected %s from server ignored",
			  pptp_msg_longname(m->type));
		break;
	}
}

/* ---- input framing ---------------------------------------------------- */

static void rbuf_drop(struct ctrl_conn *c, size_t n)
{
	memmove(c->rbuf, c->rbuf + n, c->rlen - n);
	c->rlen -= n;
}

/* The front of the input is not a message: drop its first byte (the
 * rest is scanned by resync_step) and look for the next header.  Only
 * well-formed messages count as life (last_rx), so the keep-alive
 * Echo-Request goes out --idle-wait after the last one, and its echo
 * wait ends a connection that stays unreadable. */
static void resync_begin(struct ctrl_conn *c, int err)
{
	c->rs.active = true;
	c->rs.first_error = err;
	c->rs.dropped = 1;
	c->rs.runs++;
	c->rs.bytes++;
	rbuf_drop(c, 1);
}

static void resync_give_up(struct ctrl_conn *c, const char *what,
			   uint64_t now)
{
	/* What matters first: a line longer than an event's text is cut. */
	if (!c->rs.gave_up)
		ctrl_log(c, 0, "bad control stream from server: %s; closing the "
			 "control connection (%zu bytes skipped, first: %s)",
			 what, c->rs.dropped,
			 pptp_msg_strerror(c->rs.first_error));
	c->rs.gave_up = true;
	c->rs.dropped = 0;
	if (c->state == CONN_ESTABLISHED)
		ctrl_close(c, PPTP_STOP_REASON_NONE, now);
	else
		conn_finish(c, "bad control stream from server");
}

/* Drop what cannot begin a well-formed header; true when a whole header
 * that is well-formed is at the front (the run of garbage is over). */
static bool resync_step(struct ctrl_conn *c, uint64_t now)
{
	size_t k = pptp_msg_resync(c->rbuf, c->rlen);

	rbuf_drop(c, k);
	c->rs.dropped += k;
	c->rs.bytes += k;
	if (c->rlen < PPTP_HDR_LEN) {
		if (c->rs.dropped > CTRL_RESYNC_BYTES_MAX) {
			char what[80];

			snprintf(what, sizeof(what), "more than %d bytes "
				 "without a well-formed message",
				 CTRL_RESYNC_BYTES_MAX);
			resync_give_up(c, what, now);
		}
		return false;
	}
	ctrl_logk(c, CLOG_STREAM, now, 0, "bad control stream from server: "
		  "%zu bytes skipped (first: %s) up to the next well-formed "
		  "message", c->rs.dropped,
		  pptp_msg_strerror(c->rs.first_error));
	c->rs.active = false;
	return true;
}

/* Take one message (or what is not one) from the front of the input;
 * false when more bytes are needed. */
static bool take_message(struct ctrl_conn *c, uint64_t now)
{
	struct pptp_msg m;
	size_t used = 0;
	char line[400];
	int rc = pptp_msg_decode(c->rbuf, c->rlen, &m, &used);

	if (rc == 1)
		return false;
	if (rc < 0 && used == 0) {
		resync_begin(c, rc);
		return true;
	}
	rbuf_drop(c, used);
	c->last_rx = now;
	if (rc == PPTP_EMSG_PPTPTYPE) {
			ctrl_logk(c, CLOG_STREAM, now, 0, "PPTP message type %u%s "
			  "(%zu bytes) skipped", m.type,
			  m.type == PPTP_MSGTYPE_MGMT ? " (management)" : "",
			  used);
		return true;
	}
	if (rc < 0) {
			ctrl_logk(c, CLOG_STREAM, now, 0,
			  "control message type %u skipped: %s", m.type,
			  pptp_msg_strerror(rc));
		return true;
	}
	if (m.reserved_nonzero)
		ctrl_logk(c, CLOG_RECEIVED, now, 2,
			  "%s has non-zero reserved fields",
			  pptp_msg_name(m.type));
	pptp_msg_format(&m, line, sizeof(line));
	ctrl_logk(c, CLOG_RECEIVED, now, 2, "received %s", line);
	dispatch(c, &m, now);
	return true;
}

int ctrl_input(struct ctrl_conn *c, const uint8_t *data, size_t n,
	       uint64_t now)
{
	size_t off = 0;

	if (c->state == CONN_CLOSED)
		return -ENOTCONN;
	for (;;) {
		size_t take = n - off;

		if (take > CTRL_RBUF_MAX - c->rlen)
			take = CTRL_RBUF_MAX - c->rlen;
		memcpy(c->rbuf + c->rlen, data + off, take);
		c->rlen += take;
		off += take;
		/* Whatever waits for more bytes is shorter than a message:
		 * the buffer always has room again afterwards. */
		while (c->rlen > 0 && c->state != CONN_CLOSED) {
			if (c->rs.active && !resync_step(c, now))
				break;
			if (c->state == CONN_CLOSED || !take_message(c, now))
				break;
		}
		if (c->state == CONN_CLOSED || off == n)
			break;
	}
	return 0;
}

/* ---- timers ---------------------------------------------------------- */

static void send_echo(struct ctrl_conn *c, uint64_t now)
{
	struct pptp_msg m;

	memset(&m, 0, sizeof(m));
	m.type = PPTP_ECHORQ;
	m.u.echorq.id = c->echo_id;
	send_msg(c, &m);
	c->echo_outstanding = true;
	c->echo_sent = now;
}

static void tick_calls(struct ctrl_conn *c, uint64_t now)
{
	/* Held-back Set-Link-Info goes when the second is over (the
	 * deadline says so), not earlier. */
	bool sli_due = !c->sli_rate.started ||
		       now >= rate_window_end(&c->sli_rate, CTRL_RATE_WINDOW_MS);

	for (size_t i = 0; i < CTRL_CALLS_MAX; i++) {
		struct ctrl_call *call = &c->calls[i];

		if (sli_due && call->in_use && call->sli_pending &&
		    call->state == CALL_ESTABLISHED)
			sli_tell(c, call, now);
		if (!call->in_use || call->state == CALL_WAIT_CONN ||
		    now < call->deadline)
			continue;
		if (call->state == CALL_WAIT_REPLY) {
			ctrl_log(c, 0, "no Outgoing-Call-Reply within %u ms",
			     c->cfg.setup_timeout_ms);
			call_end(c, call, "no reply to the call request");
		} else if (call->state == CALL_WAIT_DISCONNECT) {
			call_end(c, call, "call cleared");
		}
	}
}

void ctrl_tick(struct ctrl_conn *c, uint64_t now)
{
	switch (c->state) {
	case CONN_WAIT_CTL_REPLY:
		if (now >= c->state_deadline) {
			ctrl_log(c, 0, "no Start-Control-Connection-Reply within "
				   "%u ms", c->cfg.setup_timeout_ms);
			conn_finish(c, "no reply from server");
		}
		return;
	case CONN_WAIT_STOP_REPLY:
		tick_calls(c, now);
		if (now >= c->state_deadline)
			conn_finish(c, "control connection closed");
		return;
	case CONN_ESTABLISHED:
		break;
	default:
		return;
	}
	tick_calls(c, now);
	if (c->echo_outstanding) {
		if (now - c->echo_sent < c->cfg.max_echo_wait_ms)
			return;
		if (c->rs.active) {
			char what[120];

			snprintf(what, sizeof(what), "no well-formed message for "
				 "%llu s, Echo-Request unanswered",
				 (unsigned long long)(now - c->last_rx) / 1000);
			resync_give_up(c, what, now);
			return;
		}
		ctrl_log(c, 0, "no Echo-Reply within %u s: closing the "
			 "control connection", c->cfg.max_echo_wait_ms / 1000);
		ctrl_close(c, PPTP_STOP_REASON_NONE, now);
		return;
	}
	if (c->cfg.idle_wait_ms && now - c->last_rx >= c->cfg.idle_wait_ms)
		send_echo(c, now);
}

uint64_t ctrl_deadline(const struct ctrl_conn *c)
{
	uint64_t d = UINT64_MAX;

	switch (c->state) {
	case CONN_WAIT_CTL_REPLY:
	case CONN_WAIT_STOP_REPLY:
		d = c->state_deadline;
		break;
	case CONN_ESTABLISHED:
		if (c->echo_outstanding)
			d = c->echo_sent + c->cfg.max_echo_wait_ms;
		else if (c->cfg.idle_wait_ms)
			d = c->last_rx + c->cfg.idle_wait_ms;
		break;
	default:
		return UINT64_MAX;
	}
	for (size_t i = 0; i < CTRL_CALLS_MAX; i++) {
		const struct ctrl_call *call = &c->calls[i];

		if (call->in_use && call->state != CALL_WAIT_CONN &&
		    call->state != CALL_ESTABLISHED && call->deadline < d)
			d = call->deadline;
		if (call->in_use && call->sli_pending &&
		    call->state == CALL_ESTABLISHED &&
		    rate_window_end(&c->sli_rate, CTRL_RATE_WINDOW_MS) < d)
			d = rate_window_end(&c->sli_rate, CTRL_RATE_WINDOW_MS);
	}
	return d;
}
