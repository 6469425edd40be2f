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
#define DEF_FRAMING 3		/* async and sync */
#define DEF_BEARER 3		/* analog and digital */
#define DEF_MAX_CHANNELS 65535
#define DEF_FIRMWARE 1
#define DEF_HOSTNAME "local"
#define DEF_VENDOR "cananian"
#define DEF_MIN_BPS 2400
#define DEF_MAX_BPS 10000000u
#define DEF_WINDOW 3
#define DEF_IDLE_WAIT_MS 60000
#define DEF_SETUP_TIMEOUT_MS 60000

/* StopCCRQ reasons and result codes of RFC 2637. */
#define STOP_REASON_NONE 1
#define STOP_REASON_PROTOCOL 2
#define RESULT_OK 1
#define ECHO_RESULT_OK 1
#define STOPCCRP_OK 1

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
	c->msgs_in = 0;
	c->msgs_bad = 0;
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
	m.u.stopccrq.reason = reason ? reason : STOP_REASON_NONE;
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
	m.u.stopccrq.reason = STOP_REASON_PROTOCOL;
	send_msg(c, &m);
	c->state = CONN_WAIT_STOP_REPLY;
	c->state_deadline = now + CTRL_STOP_WAIT_MS;
}

static void on_sccrp(struct ctrl_conn *c, const struct pptp_msg *m,
		     uint64_t now)
{
	if (c->state != CONN_WAIT_CTL_REPLY) {
		ctrl_log(c, 1, "unexpected Start-Control-Connection-Reply ignored");
		return;
	}
	if (m->u.sccr.result != RESULT_OK) {
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

static void on_ocrp(struct ctrl_conn *c, const struct pptp_msg *m)
{
	struct ctrl_call *call = call_by_id(c, m->u.ocrp.peer_call_id);
	struct ctrl_event *ev;
	char why[200];

	if (!call || call->state != CALL_WAIT_REPLY) {
		ctrl_log(c, 0, "Outgoing-Call-Reply for unknown call id %u ignored",
		     m->u.ocrp.peer_call_id);
		return;
	}
	if (m->u.ocrp.result != RESULT_OK) {
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

static void on_cdn(struct ctrl_conn *c, const struct pptp_msg *m)
{
	struct ctrl_call *call = cdn_call(c, m->u.cdn.call_id);
	char why[200];

	if (!call) {
		ctrl_log(c, 0, "Call-Disconnect-Notify for unknown call id %u "
			   "ignored", m->u.cdn.call_id);
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

static void on_sli(struct ctrl_conn *c, const struct pptp_msg *m)
{
	struct ctrl_event *ev;
	struct ctrl_call *call = call_by_id(c, m->u.sli.peer_call_id);

	if (!call || call->state != CALL_ESTABLISHED) {
		ctrl_log(c, 1, "Set-Link-Info for unknown call id %u ignored",
		     m->u.sli.peer_call_id);
		return;
	}
	ev = event_push(c, CEV_CALL_SLI);
	if (ev) {
		ev->call_id = call->call_id;
		ev->peer_call_id = call->peer_call_id;
		ev->send_accm = m->u.sli.send_accm;
		ev->recv_accm = m->u.sli.recv_accm;
	}
}

static void on_echorq(struct ctrl_conn *c, const struct pptp_msg *m,
		      uint64_t now)
{
	struct pptp_msg r;

	/* A server may echo as often as it likes, but answering a flood
	 * faster than a burst a second only helps it fill our buffers. */
	if (now - c->echo_window_start >= 1000) {
		c->echo_window_start = now;
		c->echo_replies_in_window = 0;
	}
	if (++c->echo_replies_in_window > CTRL_ECHO_REPLY_BURST) {
		if (c->echo_replies_in_window == CTRL_ECHO_REPLY_BURST + 1)
			ctrl_log(c, 0, "Echo-Request flood: replies paused for "
				   "this second");
		return;
	}
	memset(&r, 0, sizeof(r));
	r.type = PPTP_ECHORP;
	r.u.echorp.id = m->u.echorq.id;
	r.u.echorp.result = ECHO_RESULT_OK;
	send_msg(c, &r);
}

static void on_echorp(struct ctrl_conn *c, const struct pptp_msg *m,
		      uint64_t now)
{
	if (!c->echo_outstanding || m->u.echorp.id != c->echo_id) {
		ctrl_log(c, 2, "Echo-Reply id %u not ours, ignored",
		     m->u.echorp.id);
		return;
	}
	c->echo_outstanding = false;
	c->rtt_us = (now - c->echo_sent) * 1000;
	c->echo_id++;
}

static void on_stopccrq(struct ctrl_conn *c, const struct pptp_msg *m)
{
	struct pptp_msg r;

	ctrl_log(c, 1, "Received Stop-Control-Connection-Request from server: "
		   "reason=%u", m->u.stopccrq.reason);
	memset(&r, 0, sizeof(r));
	r.type = PPTP_STOPCCRP;
	r.u.stopccrp.result = STOPCCRP_OK;
	send_msg(c, &r);
	conn_finish(c, "control connection stopped by server");
}

static void on_stopccrp(struct ctrl_conn *c, const struct pptp_msg *m)
{
	if (c->state != CONN_WAIT_STOP_REPLY) {
		ctrl_log(c, 1, "unexpected Stop-Control-Connection-Reply");
		conn_finish(c, "control connection stopped by server");
		return;
	}
	ctrl_log(c, 2, "Stop-Control-Connection-Reply: result=%u",
	     m->u.stopccrp.result);
	conn_finish(c, "control connection closed");
}

static void dispatch(struct ctrl_conn *c, const struct pptp_msg *m,
		     uint64_t now)
{
	/* Before the connection is up, only the reply (or a stop) counts. */
	if (c->state == CONN_WAIT_CTL_REPLY && m->type != PPTP_SCCRP &&
	    m->type != PPTP_STOPCCRQ && m->type != PPTP_ECHORQ) {
		ctrl_log(c, 0, "%s before Start-Control-Connection-Reply ignored",
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
		on_stopccrp(c, m);
		break;
	case PPTP_ECHORQ:
		on_echorq(c, m, now);
		break;
	case PPTP_ECHORP:
		on_echorp(c, m, now);
		break;
	case PPTP_OCRP:
		on_ocrp(c, m);
		break;
	case PPTP_CDN:
		on_cdn(c, m);
		break;
	case PPTP_SLI:
		on_sli(c, m);
		break;
	case PPTP_WEN:
		ctrl_log(c, 1, "WAN-Error-Notify: crc=%u framing=%u hw-overruns=%u "
			   "buf-overruns=%u timeouts=%u alignment=%u",
		     m->u.wen.crc_errors, m->u.wen.framing_errors,
		     m->u.wen.hw_overruns, m->u.wen.buf_overruns,
		     m->u.wen.timeouts, m->u.wen.alignment_errors);
		break;
	default:
		/* SCCRQ, OCRQ, ICRQ, ICRP, ICCN, CCRQ: a PAC never sends these
		 * to a PNS. */
		ctrl_log(c, 0, "unexpected %s from server ignored",
		     pptp_msg_longname(m->type));
		break;
	}
}

int ctrl_input(struct ctrl_conn *c, const uint8_t *data, size_t n,
	       uint64_t now)
{
	size_t off = 0;

	if (c->state == CONN_CLOSED)
		return -ENOTCONN;
	c->last_rx = now;
	while (off < n || c->rlen > 0) {
		size_t take = n - off;
		size_t used = 0;
		struct pptp_msg m;
		char line[400];
		int rc;

		if (take > CTRL_RBUF_MAX - c->rlen)
			take = CTRL_RBUF_MAX - c->rlen;
		memcpy(c->rbuf + c->rlen, data + off, take);
		c->rlen += take;
		off += take;
		rc = pptp_msg_decode(c->rbuf, c->rlen, &m, &used);
		if (rc == 1) {
			if (take == 0)
				break;
			continue;
		}
		if (rc < 0 && used == 0) {
			ctrl_log(c, 0, "bad control message from server (%s); "
				   "closing the control connection",
			     pptp_msg_strerror(rc));
			c->msgs_bad++;
			conn_finish(c, "bad control message from server");
			return rc;
		}
		memmove(c->rbuf, c->rbuf + used, c->rlen - used);
		c->rlen -= used;
		c->msgs_in++;
		if (rc < 0) {
			c->msgs_bad++;
			ctrl_log(c, 0, "control message type %u skipped: %s",
			     m.type, pptp_msg_strerror(rc));
			continue;
		}
		if (m.reserved_nonzero)
			ctrl_log(c, 2, "%s has non-zero reserved fields",
			     pptp_msg_name(m.type));
		pptp_msg_format(&m, line, sizeof(line));
		ctrl_log(c, 2, "received %s", line);
		dispatch(c, &m, now);
		if (c->state == CONN_CLOSED)
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
	for (size_t i = 0; i < CTRL_CALLS_MAX; i++) {
		struct ctrl_call *call = &c->calls[i];

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
		if (now - c->echo_sent >= c->cfg.max_echo_wait_ms) {
			ctrl_log(c, 0, "no Echo-Reply within %u s: closing the "
				   "control connection",
			     c->cfg.max_echo_wait_ms / 1000);
			ctrl_close(c, STOP_REASON_NONE, now);
		}
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
	}
	return d;
}
