/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_ctrl.c: unit tests for the client-side PPTP control state machine. */
#include "pptp_ctrl.h"
#include "pptp_msg.h"
#include "pptp_quirks.h"
#include "check.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Enough room for every message the machine can queue (CTRL_WBUF_MAX
 * bytes of 16-byte messages at least). */
#define OUT_MAX (CTRL_WBUF_MAX / 16 + 8)
/* Events a test gathers in one drain; more than CTRL_EVENTS_MAX. */
#define EV_MAX (CTRL_EVENTS_MAX * 2)

/* The connection is large (its buffers are inside); keep it off the stack. */
static struct ctrl_conn conn, conn2;
static struct pptp_msg out[OUT_MAX];
static struct ctrl_event evs[EV_MAX];

/* ---- helpers ------------------------------------------------------ */

/* Decode everything the machine queued, then mark it written. */
static size_t take_output(struct ctrl_conn *c, struct pptp_msg *msgs,
			  size_t max)
{
	const uint8_t *p;
	size_t len = ctrl_output(c, &p), off = 0, n = 0;

	CHECK(len <= CTRL_WBUF_MAX, "output %zu <= CTRL_WBUF_MAX", len);
	while (off < len) {
		size_t used = 0;
		struct pptp_msg m;
		int rc = pptp_msg_decode(p + off, len - off, &m, &used);

		CHECK(rc == 0, "own output decodes: expected 0, saw %d at %zu",
		      rc, off);
		if (rc != 0)
			break;
		if (n < max)
			msgs[n] = m;
		n++;
		off += used;
	}
	ctrl_output_done(c, len);
	return n;
}

static size_t take_events(struct ctrl_conn *c, struct ctrl_event *e,
			  size_t max)
{
	size_t n = 0;
	struct ctrl_event ev;

	while (ctrl_next_event(c, &ev)) {
		if (n < max)
			e[n] = ev;
		n++;
	}
	return n;
}

/* Copy out only the state events (not log lines). */
static size_t state_events(const struct ctrl_event *e, size_t n,
			   struct ctrl_event *st, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (e[i].type != CEV_LOG && k < max)
			st[k++] = e[i];
	return k;
}

static size_t count_type(const struct ctrl_event *e, size_t n,
			 enum ctrl_event_type t)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (e[i].type == t)
			k++;
	return k;
}

/* A log line at level with all of the given substrings, or NULL. */
static const struct ctrl_event *find_log(const struct ctrl_event *e,
					 size_t n, int level, const char *s1,
					 const char *s2)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].type == CEV_LOG && e[i].level == level &&
		    strstr(e[i].text, s1) && (!s2 || strstr(e[i].text, s2)))
			return &e[i];
	return NULL;
}

static const struct ctrl_event *find_ev(const struct ctrl_event *e, size_t n,
					enum ctrl_event_type t, uint16_t id)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].type == t && e[i].call_id == id)
			return &e[i];
	return NULL;
}

static int feed(struct ctrl_conn *c, const struct pptp_msg *m, uint64_t now)
{
	uint8_t buf[PPTP_MSG_MAX];
	int n = pptp_msg_encode(m, buf, sizeof(buf));

	CHECK(n > 0, "encode of type %u: saw %d", m->type, n);
	if (n <= 0)
		return n;
	return ctrl_input(c, buf, (size_t)n, now);
}

static struct pptp_msg mk(int type)
{
	struct pptp_msg m;

	memset(&m, 0, sizeof(m));
	m.type = (uint16_t)type;
	return m;
}

static int srv_sccrp(struct ctrl_conn *c, uint8_t result, uint8_t error,
		     uint64_t now)
{
	struct pptp_msg m = mk(PPTP_SCCRP);

	m.u.sccr.version = PPTP_VERSION;
	m.u.sccr.result = result;
	m.u.sccr.error = error;
	m.u.sccr.framing = 1;
	m.u.sccr.bearer = 1;
	m.u.sccr.max_channels = 1;
	m.u.sccr.firmware = 1;
	snprintf(m.u.sccr.hostname, sizeof(m.u.sccr.hostname), "srv");
	snprintf(m.u.sccr.vendor, sizeof(m.u.sccr.vendor), "test");
	return feed(c, &m, now);
}

static int srv_ocrp(struct ctrl_conn *c, uint16_t pac_id, uint16_t our_id,
		    uint8_t result, uint8_t error, uint16_t cause,
		    uint64_t now)
{
	struct pptp_msg m = mk(PPTP_OCRP);

	m.u.ocrp.call_id = pac_id;
	m.u.ocrp.peer_call_id = our_id;
	m.u.ocrp.result = result;
	m.u.ocrp.error = error;
	m.u.ocrp.cause = cause;
	m.u.ocrp.speed = 64000;
	m.u.ocrp.window = 64;
	return feed(c, &m, now);
}

static int srv_cdn(struct ctrl_conn *c, uint16_t id, uint8_t result,
		   uint8_t error, uint16_t cause, uint64_t now)
{
	struct pptp_msg m = mk(PPTP_CDN);

	m.u.cdn.call_id = id;
	m.u.cdn.result = result;
	m.u.cdn.error = error;
	m.u.cdn.cause = cause;
	return feed(c, &m, now);
}

static int srv_echorq(struct ctrl_conn *c, uint32_t id, uint64_t now)
{
	struct pptp_msg m = mk(PPTP_ECHORQ);

	m.u.echorq.id = id;
	return feed(c, &m, now);
}

static int srv_echorp(struct ctrl_conn *c, uint32_t id, uint64_t now)
{
	struct pptp_msg m = mk(PPTP_ECHORP);

	m.u.echorp.id = id;
	m.u.echorp.result = 1;
	return feed(c, &m, now);
}

static int srv_sli(struct ctrl_conn *c, uint16_t id, uint32_t s, uint32_t r,
		   uint64_t now)
{
	struct pptp_msg m = mk(PPTP_SLI);

	m.u.sli.peer_call_id = id;
	m.u.sli.send_accm = s;
	m.u.sli.recv_accm = r;
	return feed(c, &m, now);
}

static int srv_simple(struct ctrl_conn *c, int type, uint8_t code,
		      uint64_t now)
{
	struct pptp_msg m = mk(type);

	if (type == PPTP_STOPCCRQ)
		m.u.stopccrq.reason = code;
	else if (type == PPTP_STOPCCRP)
		m.u.stopccrp.result = code;
	return feed(c, &m, now);
}

/* Start a connection with cfg at now and answer it with a good SCCRP;
 * drains output and events. */
static void establish(struct ctrl_conn *c, const struct ctrl_config *cfg,
		      uint64_t now)
{
	ctrl_start(c, cfg, now);
	take_output(c, out, OUT_MAX);
	srv_sccrp(c, 1, 0, now);
	take_output(c, out, OUT_MAX);
	take_events(c, evs, EV_MAX);
	CHECK(c->state == CONN_ESTABLISHED, "established: saw state %d",
	      c->state);
}

/* Open a call on an established connection and answer it with pac_id. */
static int call_up(struct ctrl_conn *c, uint16_t pac_id, uint64_t now)
{
	int id = ctrl_call_open(c, now);

	CHECK(id >= 0, "call opens: saw %d", id);
	take_output(c, out, OUT_MAX);
	srv_ocrp(c, pac_id, (uint16_t)id, 1, 0, 0, now);
	take_output(c, out, OUT_MAX);
	take_events(c, evs, EV_MAX);
	CHECK(ctrl_call_find(c, (uint16_t)id) &&
	      ctrl_call_find(c, (uint16_t)id)->state == CALL_ESTABLISHED,
	      "call %d established", id);
	return id;
}

static void check_ocrq(const struct pptp_msg *m, uint16_t id, uint16_t serial,
		       const char *phone)
{
	CHECK(m->type == PPTP_OCRQ, "OCRQ: saw type %u", m->type);
	CHECK(m->u.ocrq.call_id == id, "OCRQ call id: expected %u, saw %u",
	      id, m->u.ocrq.call_id);
	CHECK(m->u.ocrq.serial == serial, "OCRQ serial: expected %u, saw %u",
	      serial, m->u.ocrq.serial);
	CHECK(m->u.ocrq.min_bps == 2400, "OCRQ min bps: saw %u",
	      m->u.ocrq.min_bps);
	CHECK(m->u.ocrq.max_bps == 10000000u, "OCRQ max bps 10000000 (as "
	      "pptp-linux sends): saw %u", m->u.ocrq.max_bps);
	CHECK(m->u.ocrq.bearer == 3, "OCRQ bearer: saw %u", m->u.ocrq.bearer);
	CHECK(m->u.ocrq.framing == 3, "OCRQ framing: saw %u",
	      m->u.ocrq.framing);
	CHECK(m->u.ocrq.window == 3, "OCRQ window: saw %u", m->u.ocrq.window);
	CHECK(m->u.ocrq.delay == 0, "OCRQ delay: saw %u", m->u.ocrq.delay);
	CHECK(strcmp(m->u.ocrq.phone, phone) == 0,
	      "OCRQ phone: expected \"%s\", saw \"%s\"", phone,
	      m->u.ocrq.phone);
	CHECK(m->u.ocrq.subaddr[0] == 0, "OCRQ subaddr empty: saw \"%s\"",
	      m->u.ocrq.subaddr);
}

/* ---- start -------------------------------------------------------- */

static void test_start_defaults(void)
{
	struct ctrl_config cfg;
	size_t n, ne;

	ctrl_config_default(&cfg);
	CHECK(cfg.quirk == -1, "default quirk -1: saw %d", cfg.quirk);
	CHECK(cfg.idle_wait_ms == 60000 && cfg.max_echo_wait_ms == 60000,
	      "default echo timers 60000/60000: saw %u/%u", cfg.idle_wait_ms,
	      cfg.max_echo_wait_ms);
	ctrl_start(&conn, &cfg, 1000);
	CHECK(conn.state == CONN_WAIT_CTL_REPLY, "state after start: saw %d",
	      conn.state);
	CHECK(ctrl_deadline(&conn) == 1000 + cfg.setup_timeout_ms,
	      "deadline: expected %llu, saw %llu",
	      (unsigned long long)(1000 + cfg.setup_timeout_ms),
	      (unsigned long long)ctrl_deadline(&conn));
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1, "one message after start: saw %zu", n);
	CHECK(out[0].type == PPTP_SCCRQ, "SCCRQ: saw type %u", out[0].type);
	CHECK(out[0].u.sccr.version == 0x100, "version: saw %#x",
	      out[0].u.sccr.version);
	CHECK(out[0].u.sccr.framing == 3, "framing 3: saw %u",
	      out[0].u.sccr.framing);
	CHECK(out[0].u.sccr.bearer == 3, "bearer 3: saw %u",
	      out[0].u.sccr.bearer);
	CHECK(out[0].u.sccr.max_channels == 65535, "max_channels: saw %u",
	      out[0].u.sccr.max_channels);
	CHECK(out[0].u.sccr.firmware == 1, "firmware 1: saw %u",
	      out[0].u.sccr.firmware);
	CHECK(strcmp(out[0].u.sccr.hostname, "local") == 0,
	      "hostname \"local\": saw \"%s\"", out[0].u.sccr.hostname);
	CHECK(strcmp(out[0].u.sccr.vendor, "cananian") == 0,
	      "vendor \"cananian\": saw \"%s\"", out[0].u.sccr.vendor);
	CHECK(out[0].u.sccr.result == 0 && out[0].u.sccr.error == 0,
	      "SCCRQ reserved 0: saw %u/%u", out[0].u.sccr.result,
	      out[0].u.sccr.error);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_LOG) == ne,
	      "only log events after start: saw %zu of %zu",
	      count_type(evs, ne, CEV_LOG), ne);
	/* Nothing before the setup timeout; then the connection is down. */
	ctrl_tick(&conn, 1000 + cfg.setup_timeout_ms - 1);
	CHECK(conn.state == CONN_WAIT_CTL_REPLY, "no timeout early: saw %d",
	      conn.state);
	ctrl_tick(&conn, 1000 + cfg.setup_timeout_ms);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(conn.state == CONN_CLOSED, "SCCRP timeout closes: saw %d",
	      conn.state);
	CHECK(count_type(evs, ne, CEV_CONN_DOWN) == 1,
	      "one CONN_DOWN on SCCRP timeout: saw %zu",
	      count_type(evs, ne, CEV_CONN_DOWN));
	CHECK(ctrl_deadline(&conn) == UINT64_MAX,
	      "no deadline once closed: saw %llu",
	      (unsigned long long)ctrl_deadline(&conn));
}

static void test_start_bezeq(void)
{
	struct ctrl_config cfg;
	size_t n;
	int id;

	ctrl_config_default(&cfg);
	cfg.quirk = quirk_find("BEZEQ_ISRAEL");
	CHECK(cfg.quirk >= 0, "quirk BEZEQ_ISRAEL known: saw %d", cfg.quirk);
	CHECK(quirk_find("NO_SUCH") == -1, "unknown quirk -1: saw %d",
	      quirk_find("NO_SUCH"));
	ctrl_start(&conn, &cfg, 0);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_SCCRQ, "SCCRQ: saw %zu type %u",
	      n, out[0].type);
	CHECK(out[0].u.sccr.framing == 1 && out[0].u.sccr.bearer == 1,
	      "bezeq framing/bearer 1/1: saw %u/%u", out[0].u.sccr.framing,
	      out[0].u.sccr.bearer);
	CHECK(out[0].u.sccr.max_channels == 0, "bezeq max_channels 0: saw %u",
	      out[0].u.sccr.max_channels);
	CHECK(out[0].u.sccr.firmware == 0x6021, "bezeq firmware: saw %#x",
	      out[0].u.sccr.firmware);
	CHECK(strcmp(out[0].u.sccr.hostname, "RELAY_PPP1") == 0,
	      "bezeq hostname: saw \"%s\"", out[0].u.sccr.hostname);
	CHECK(strcmp(out[0].u.sccr.vendor, "MS Win NT") == 0,
	      "bezeq vendor: saw \"%s\"", out[0].u.sccr.vendor);
	CHECK(out[0].u.sccr.version == 0x100, "bezeq version: saw %#x",
	      out[0].u.sccr.version);

	srv_sccrp(&conn, 1, 0, 0);
	take_output(&conn, out, OUT_MAX);
	id = ctrl_call_open(&conn, 0);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(id == 0 && n == 1 && out[0].type == PPTP_OCRQ,
	      "bezeq OCRQ: saw id %d, %zu msgs, type %u", id, n, out[0].type);
	CHECK(out[0].u.ocrq.bearer == 2 && out[0].u.ocrq.framing == 3,
	      "bezeq OCRQ bearer/framing 2/3: saw %u/%u",
	      out[0].u.ocrq.bearer, out[0].u.ocrq.framing);
	CHECK(strcmp(out[0].u.ocrq.phone, "RELAY_PPP1") == 0,
	      "bezeq OCRQ phone: saw \"%s\"", out[0].u.ocrq.phone);
	CHECK(out[0].u.ocrq.min_bps == 2400 && out[0].u.ocrq.window == 3,
	      "bezeq OCRQ keeps min_bps/window: saw %u/%u",
	      out[0].u.ocrq.min_bps, out[0].u.ocrq.window);
	/* Once the call is up the quirk sends Set-Link-Info. */
	srv_ocrp(&conn, 0x77, 0, 1, 0, 0, 0);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_SLI, "bezeq SLI: saw %zu type %u",
	      n, out[0].type);
	CHECK(out[0].u.sli.peer_call_id == 0x77, "SLI peer id: saw %#x",
	      out[0].u.sli.peer_call_id);
	CHECK(out[0].u.sli.send_accm == 0xffffffffu &&
	      out[0].u.sli.recv_accm == 0xffffffffu,
	      "SLI accm ffffffff: saw %#x/%#x", out[0].u.sli.send_accm,
	      out[0].u.sli.recv_accm);

	/* Without the quirk no SLI goes out. */
	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	ctrl_call_open(&conn, 0);
	take_output(&conn, out, OUT_MAX);
	srv_ocrp(&conn, 0x77, 0, 1, 0, 0, 0);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 0, "no SLI without quirk: saw %zu msgs", n);
	take_events(&conn, evs, EV_MAX);
}

/* ---- calls before and after SCCRP ----------------------------------- */

static void test_call_before_sccrp(void)
{
	struct ctrl_config cfg;
	struct ctrl_event st[8];
	size_t n, ne, ns;
	int a, b, c3;

	ctrl_config_default(&cfg);
	snprintf(cfg.phone, sizeof(cfg.phone), "5551234");
	ctrl_start(&conn, &cfg, 0);
	take_output(&conn, out, OUT_MAX);
	a = ctrl_call_open(&conn, 10);
	b = ctrl_call_open(&conn, 10);
	CHECK(a == 0 && b == 1, "call ids 0,1: saw %d,%d", a, b);
	CHECK(ctrl_output(&conn, &(const uint8_t *){ NULL }) == 0,
	      "nothing sent before SCCRP");
	CHECK(ctrl_call_find(&conn, 0)->state == CALL_WAIT_CONN,
	      "call waits for the connection: saw %d",
	      ctrl_call_find(&conn, 0)->state);
	CHECK(ctrl_calls_active(&conn) == 2, "2 calls active: saw %zu",
	      ctrl_calls_active(&conn));
	CHECK(ctrl_deadline(&conn) == cfg.setup_timeout_ms,
	      "only the SCCRP deadline: saw %llu",
	      (unsigned long long)ctrl_deadline(&conn));

	srv_sccrp(&conn, 1, 0, 500);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 2, "two OCRQs at once on SCCRP: saw %zu", n);
	check_ocrq(&out[0], 0, 0, "5551234");
	check_ocrq(&out[1], 1, 1, "5551234");
	ne = take_events(&conn, evs, EV_MAX);
	ns = state_events(evs, ne, st, 8);
	CHECK(ns == 1 && st[0].type == CEV_CONN_UP,
	      "CONN_UP only: saw %zu events, first %d", ns, st[0].type);
	CHECK(find_log(evs, ne, 1, "established", NULL) != NULL,
	      "log: connection established");
	CHECK(ctrl_call_find(&conn, 0)->state == CALL_WAIT_REPLY,
	      "call waits for OCRP: saw %d", ctrl_call_find(&conn, 0)->state);
	CHECK(ctrl_deadline(&conn) == 500 + cfg.setup_timeout_ms,
	      "OCRP deadline: expected %llu, saw %llu",
	      (unsigned long long)(500 + cfg.setup_timeout_ms),
	      (unsigned long long)ctrl_deadline(&conn));

	/* Lowest free id: free 0, the next call gets 0 again. */
	srv_ocrp(&conn, 0x100, 0, 1, 0, 0, 600);
	srv_cdn(&conn, 0x100, 3, 0, 0, 700);
	take_events(&conn, evs, EV_MAX);
	CHECK(ctrl_call_find(&conn, 0) == NULL, "call 0 gone");
	c3 = ctrl_call_open(&conn, 800);
	CHECK(c3 == 0, "lowest free id 0 again: saw %d", c3);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1, "OCRQ sent at once when established: saw %zu", n);
	check_ocrq(&out[0], 0, 2, "5551234");
	c3 = ctrl_call_open(&conn, 800);
	CHECK(c3 == 2, "next id 2: saw %d", c3);
	take_output(&conn, out, OUT_MAX);

	/* No OCRP: the call fails after setup_timeout_ms. */
	ctrl_tick(&conn, 800 + cfg.setup_timeout_ms - 1);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_DOWN) == 1,
	      "only call 1 (placed at 500) timed out: saw %zu",
	      count_type(evs, ne, CEV_CALL_DOWN));
	CHECK(find_ev(evs, ne, CEV_CALL_DOWN, 1) != NULL, "call 1 down");
	ctrl_tick(&conn, 800 + cfg.setup_timeout_ms);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_DOWN) == 2,
	      "calls 0 and 2 timed out: saw %zu",
	      count_type(evs, ne, CEV_CALL_DOWN));
	CHECK(find_log(evs, ne, 0, "no Outgoing-Call-Reply", NULL) != NULL,
	      "log: no OCRP");
	CHECK(conn.state == CONN_ESTABLISHED, "connection stays: saw %d",
	      conn.state);

	/* A call closed before it was placed just ends. */
	ctrl_start(&conn, &cfg, 0);
	take_output(&conn, out, OUT_MAX);
	a = ctrl_call_open(&conn, 0);
	take_events(&conn, evs, EV_MAX);
	ctrl_call_close(&conn, (uint16_t)a, 0);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_DOWN) == 1 &&
	      ctrl_call_find(&conn, (uint16_t)a) == NULL,
	      "unplaced call closed: %zu CALL_DOWN",
	      count_type(evs, ne, CEV_CALL_DOWN));
	CHECK(ctrl_output(&conn, &(const uint8_t *){ NULL }) == 0,
	      "no CCRQ for an unplaced call");
}

/* The first call id is the caller's (random) base; then the first free
 * one after it, wrapping at 65535. */
static void test_call_id_base(void)
{
	struct ctrl_config cfg;
	int a, b, c3, d;

	ctrl_config_default(&cfg);
	CHECK(cfg.call_id_base == 0, "default base 0: saw %u",
	      cfg.call_id_base);
	cfg.call_id_base = 0xfffe;
	establish(&conn, &cfg, 0);
	a = ctrl_call_open(&conn, 0);
	b = ctrl_call_open(&conn, 0);
	c3 = ctrl_call_open(&conn, 0);
	CHECK(a == 0xfffe && b == 0xffff && c3 == 0,
	      "ids from base 0xfffe wrap: saw %#x %#x %#x", a, b, c3);
	take_output(&conn, out, OUT_MAX);
	srv_ocrp(&conn, 0x10, (uint16_t)b, 2, 0, 0, 1);
	take_events(&conn, evs, EV_MAX);
	CHECK(ctrl_call_find(&conn, 0xffff) == NULL, "refused call freed");
	d = ctrl_call_open(&conn, 2);
	CHECK(d == 0xffff, "first free after the base again: saw %#x", d);
	take_output(&conn, out, OUT_MAX);
	srv_ocrp(&conn, 0x11, 0xffff, 1, 0, 0, 3);
	srv_ocrp(&conn, 0x12, 0xfffe, 1, 0, 0, 3);
	take_events(&conn, evs, EV_MAX);
	CHECK(ctrl_call_find(&conn, 0xffff)->peer_call_id == 0x11 &&
	      ctrl_call_find(&conn, 0xfffe)->peer_call_id == 0x12,
	      "OCRP matched by the high ids");
	srv_cdn(&conn, 0x11, 3, 0, 0, 4);
	take_events(&conn, evs, EV_MAX);
	CHECK(ctrl_call_find(&conn, 0xffff) == NULL &&
	      ctrl_call_find(&conn, 0xfffe) != NULL, "CDN ends the right call");
	cfg.call_id_base = 0;
}

/* ---- SCCRP refused -------------------------------------------------- */

static void test_sccrp_refused(void)
{
	static const char *const results[] = {
		[2] = "general error", [3] = "command channel already exists",
		[4] = "requester is not authorized",
		[5] = "protocol version not supported",
	};
	static const char *const errors[] = {
		"none", "not connected", "bad format", "bad value",
		"no resource", "bad call id", "PAC error",
	};
	struct ctrl_config cfg;
	char rs[64], es[64];

	ctrl_config_default(&cfg);
	for (uint8_t r = 2; r <= 6; r++) {
		for (uint8_t e = 0; e <= 7; e++) {
			struct ctrl_event st[8];
			size_t ne, ns;
			int rc;

			ctrl_start(&conn, &cfg, 0);
			take_output(&conn, out, OUT_MAX);
			ctrl_call_open(&conn, 0);
			ctrl_call_open(&conn, 0);
			take_events(&conn, evs, EV_MAX);
			rc = srv_sccrp(&conn, r, e, 5);
			CHECK(rc == 0, "refusal is a valid message: rc %d", rc);
			ne = take_events(&conn, evs, EV_MAX);
			snprintf(rs, sizeof(rs), "result=%u (%s)", r,
				 r <= 5 ? results[r] : "unknown");
			snprintf(es, sizeof(es), "error=%u (%s)", e,
				 e <= 6 ? errors[e] : "unknown");
			CHECK(find_log(evs, ne, 0, rs, es) != NULL,
			      "refusal logged at level 0 with \"%s\" \"%s\"",
			      rs, es);
			/* The calls end at once; the server is told with
			 * StopCCRQ (Stop-Protocol) and the connection ends on
			 * its reply, as pptp-linux does. */
			ns = state_events(evs, ne, st, 8);
			CHECK(ns == 2 && st[0].type == CEV_CALL_DOWN &&
			      st[1].type == CEV_CALL_DOWN,
			      "r=%u e=%u: CALL_DOWN x2: saw %zu", r, e, ns);
			CHECK(st[0].call_id == 0 && st[1].call_id == 1,
			      "calls 0 and 1 down: saw %u %u", st[0].call_id,
			      st[1].call_id);
			CHECK(conn.state == CONN_WAIT_STOP_REPLY,
			      "waiting for StopCCRP: saw %d", conn.state);
			CHECK(ctrl_calls_active(&conn) == 0,
			      "no calls left: saw %zu",
			      ctrl_calls_active(&conn));
			CHECK(take_output(&conn, out, OUT_MAX) == 1 &&
			      out[0].type == PPTP_STOPCCRQ &&
			      out[0].u.stopccrq.reason == 2,
			      "StopCCRQ reason 2 sent on refusal");
			rc = srv_simple(&conn, PPTP_STOPCCRP, 1, 5);
			ne = take_events(&conn, evs, EV_MAX);
			ns = state_events(evs, ne, st, 8);
			CHECK(ns == 1 && st[0].type == CEV_CONN_DOWN &&
			      conn.state == CONN_CLOSED,
			      "StopCCRP ends the connection: saw %zu events, "
			      "state %d", ns, conn.state);
			CHECK(srv_echorq(&conn, 1, 6) == -ENOTCONN,
			      "input after close: -ENOTCONN");
			CHECK(ctrl_call_open(&conn, 6) == -ENOTCONN,
			      "call after close: -ENOTCONN");
		}
	}
}

/* ---- OCRP ------------------------------------------------------------ */

static void test_ocrp(void)
{
	static const char *const results[] = {
		[2] = "general error", [3] = "no carrier", [4] = "busy",
		[5] = "no dial tone", [6] = "time-out", [7] = "do not accept",
	};
	struct ctrl_config cfg;
	char rs[64], es[64], cs[32];
	size_t ne;
	int id;

	ctrl_config_default(&cfg);
	for (uint8_t r = 2; r <= 8; r++) {
		establish(&conn, &cfg, 0);
		id = ctrl_call_open(&conn, 0);
		take_output(&conn, out, OUT_MAX);
		srv_ocrp(&conn, 0x1234, (uint16_t)id, r, 6, 0x1f, 1);
		ne = take_events(&conn, evs, EV_MAX);
		snprintf(rs, sizeof(rs), "result=%u (%s)", r,
			 r <= 7 ? results[r] : "unknown");
		snprintf(es, sizeof(es), "error=6 (PAC error)");
		snprintf(cs, sizeof(cs), "cause=31");
		const struct ctrl_event *d = find_ev(evs, ne, CEV_CALL_DOWN, 0);

		CHECK(d && strstr(d->text, rs) && strstr(d->text, es) &&
		      strstr(d->text, cs),
		      "CALL_DOWN text names \"%s\" \"%s\" \"%s\": saw \"%s\"",
		      rs, es, cs, d ? d->text : "(none)");
		CHECK(count_type(evs, ne, CEV_CALL_UP) == 0, "no CALL_UP");
		CHECK(ctrl_call_find(&conn, 0) == NULL, "call gone");
		CHECK(conn.state == CONN_ESTABLISHED, "connection stays");
		CHECK(take_output(&conn, out, OUT_MAX) == 0, "nothing sent");
	}

	establish(&conn, &cfg, 0);
	id = ctrl_call_open(&conn, 0);
	take_output(&conn, out, OUT_MAX);
	/* A reply for another call id is ignored with a log line. */
	srv_ocrp(&conn, 0x99, 5, 1, 0, 0, 1);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_UP) == 0 &&
	      find_log(evs, ne, 0, "unknown call id 5", NULL),
	      "OCRP for unknown id ignored");
	srv_ocrp(&conn, 0xbeef, (uint16_t)id, 1, 0, 0, 2);
	ne = take_events(&conn, evs, EV_MAX);
	const struct ctrl_event *u = find_ev(evs, ne, CEV_CALL_UP, 0);

	CHECK(u && u->peer_call_id == 0xbeef,
	      "CALL_UP with peer id 0xbeef: saw %#x", u ? u->peer_call_id : 0);
	CHECK(ctrl_call_find(&conn, 0)->peer_call_id == 0xbeef &&
	      ctrl_call_find(&conn, 0)->state == CALL_ESTABLISHED,
	      "call table updated");
	CHECK(ctrl_deadline(&conn) == 0 + cfg.idle_wait_ms + 2,
	      "established call has no deadline; echo timer from last rx: "
	      "saw %llu", (unsigned long long)ctrl_deadline(&conn));
	/* A second OCRP for the same call changes nothing. */
	srv_ocrp(&conn, 0xcafe, (uint16_t)id, 1, 0, 0, 3);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_UP) == 0 &&
	      ctrl_call_find(&conn, 0)->peer_call_id == 0xbeef,
	      "duplicate OCRP ignored");
}

/* ---- echo ------------------------------------------------------------ */

static void test_echo_reply(void)
{
	struct ctrl_config cfg;
	size_t n;

	ctrl_config_default(&cfg);
	/* Answered even before SCCRP. */
	ctrl_start(&conn, &cfg, 0);
	take_output(&conn, out, OUT_MAX);
	srv_echorq(&conn, 7, 1);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_ECHORP && out[0].u.echorp.id == 7 &&
	      out[0].u.echorp.result == 1 && out[0].u.echorp.error == 0,
	      "echo before SCCRP answered: %zu msgs type %u id %u", n,
	      out[0].type, out[0].u.echorp.id);
	CHECK(conn.state == CONN_WAIT_CTL_REPLY, "still waiting");

	establish(&conn, &cfg, 0);
	srv_echorq(&conn, 0xdeadbeef, 5);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_ECHORP, "one ECHORP: saw %zu", n);
	CHECK(out[0].u.echorp.id == 0xdeadbeef, "same id: saw %#x",
	      out[0].u.echorp.id);
	CHECK(out[0].u.echorp.result == 1 && out[0].u.echorp.error == 0,
	      "result 1 error 0: saw %u %u", out[0].u.echorp.result,
	      out[0].u.echorp.error);
	take_events(&conn, evs, EV_MAX);
}

static void test_echo_flood(void)
{
	struct ctrl_config cfg;
	uint8_t chunk[16 * 1000];
	struct pptp_msg m = mk(PPTP_ECHORQ);
	size_t n, ne, replies_in_sec[12] = { 0 };
	bool flood_logged = false;
	int rc;

	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	/* 1000 echoes in one read. */
	for (int i = 0; i < 1000; i++) {
		m.u.echorq.id = (uint32_t)i;
		pptp_msg_encode(&m, chunk + 16 * i, 16);
	}
	rc = ctrl_input(&conn, chunk, sizeof(chunk), 100);
	CHECK(rc == 0, "flood accepted: rc %d", rc);
	CHECK(conn.wlen <= CTRL_WBUF_MAX, "wbuf bounded: %zu", conn.wlen);
	CHECK(conn.ev_count <= CTRL_EVENTS_MAX, "events bounded: %zu",
	      conn.ev_count);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == CTRL_ECHO_REPLY_BURST, "replies %d: saw %zu",
	      CTRL_ECHO_REPLY_BURST, n);
	CHECK(out[0].u.echorp.id == 0 &&
	      out[n - 1].u.echorp.id == CTRL_ECHO_REPLY_BURST - 1,
	      "first burst answered in order: %u..%u", out[0].u.echorp.id,
	      out[n - 1].u.echorp.id);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(find_log(evs, ne, 0, "flood", NULL) != NULL,
	      "flood in one read: warning not crowded out by debug lines");
	CHECK(conn.state == CONN_ESTABLISHED, "still established");
	/* A second later echoes are answered again. */
	srv_echorq(&conn, 4242, 1100);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].u.echorp.id == 4242,
	      "answered in the next second: %zu", n);

	/* 1000 echoes spread over 10 s, 100 a second: at most a burst a
	 * second is answered, never with the output growing. */
	establish(&conn, &cfg, 0);
	for (int i = 0; i < 1000; i++) {
		uint64_t now = 10000 + (uint64_t)i * 10;

		srv_echorq(&conn, (uint32_t)i, now);
		CHECK(conn.wlen <= CTRL_WBUF_MAX, "wbuf bounded");
		replies_in_sec[(now - 10000) / 1000] +=
			take_output(&conn, out, OUT_MAX);
		ne = take_events(&conn, evs, EV_MAX);
		if (find_log(evs, ne, 0, "flood", NULL))
			flood_logged = true;
	}
	CHECK(flood_logged, "flood logged at level 0");
	for (int s = 0; s < 10; s++)
		CHECK(replies_in_sec[s] <= CTRL_ECHO_REPLY_BURST &&
		      replies_in_sec[s] > 0,
		      "second %d: 0 < replies <= %d: saw %zu", s,
		      CTRL_ECHO_REPLY_BURST, replies_in_sec[s]);

	/* Nobody drains the output: it must stay bounded. */
	establish(&conn, &cfg, 0);
	for (int s = 0; s < 2000; s++) {
		rc = ctrl_input(&conn, chunk, sizeof(chunk),
				(uint64_t)s * 1000);
		take_events(&conn, evs, EV_MAX);
		if (conn.wlen > CTRL_WBUF_MAX || rc != 0)
			break;
	}
	CHECK(conn.wlen <= CTRL_WBUF_MAX && conn.wlen > CTRL_WBUF_MAX - 64,
	      "undrained output fills up to the limit: %zu", conn.wlen);
	CHECK(conn.state == CONN_ESTABLISHED, "still established");
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == CTRL_WBUF_MAX / 20, "whole replies only: %zu", n);
}

/* ---- idle echo ------------------------------------------------------- */

static void test_idle_echo(void)
{
	struct ctrl_config cfg;
	struct ctrl_event st[8];
	uint64_t t0 = 1000, t;
	size_t n, ne, ns;
	int id;

	ctrl_config_default(&cfg);
	cfg.idle_wait_ms = 5000;
	cfg.max_echo_wait_ms = 2000;
	establish(&conn, &cfg, t0);
	id = call_up(&conn, 0x42, t0);
	CHECK(ctrl_deadline(&conn) == t0 + 5000, "idle deadline: saw %llu",
	      (unsigned long long)ctrl_deadline(&conn));
	ctrl_tick(&conn, t0 + 4999);
	CHECK(take_output(&conn, out, OUT_MAX) == 0, "no echo before idle");
	/* Server traffic moves the idle timer. */
	srv_sli(&conn, (uint16_t)id, 0, 0, t0 + 3000);
	take_events(&conn, evs, EV_MAX);
	CHECK(ctrl_deadline(&conn) == t0 + 8000,
	      "rx resets idle deadline: saw %llu",
	      (unsigned long long)ctrl_deadline(&conn));
	ctrl_tick(&conn, t0 + 7999);
	CHECK(take_output(&conn, out, OUT_MAX) == 0, "no echo before idle");
	t = t0 + 8000;
	ctrl_tick(&conn, t);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_ECHORQ, "echo sent: %zu type %u",
	      n, out[0].type);
	CHECK(out[0].u.echorq.id == 1, "first echo id 1: saw %u",
	      out[0].u.echorq.id);
	CHECK(conn.echo_outstanding, "echo outstanding");
	CHECK(ctrl_deadline(&conn) == t + 2000, "echo wait deadline: saw %llu",
	      (unsigned long long)ctrl_deadline(&conn));
	ctrl_tick(&conn, t + 100);
	CHECK(take_output(&conn, out, OUT_MAX) == 0, "one echo at a time");
	srv_echorp(&conn, 2, t + 100);
	CHECK(conn.echo_outstanding, "wrong id leaves it outstanding");
	srv_echorp(&conn, 1, t + 200);
	CHECK(!conn.echo_outstanding, "right id clears it");
	CHECK(ctrl_deadline(&conn) == t + 200 + 5000,
	      "idle deadline from the reply: saw %llu",
	      (unsigned long long)ctrl_deadline(&conn));
	take_events(&conn, evs, EV_MAX);

	/* Next echo has id 2, gets no reply: StopCCRQ, then down. */
	t = t + 200 + 5000;
	ctrl_tick(&conn, t);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_ECHORQ && out[0].u.echorq.id == 2,
	      "second echo id 2: saw %zu type %u id %u", n, out[0].type,
	      out[0].u.echorq.id);
	ctrl_tick(&conn, t + 1999);
	CHECK(take_output(&conn, out, OUT_MAX) == 0 &&
	      conn.state == CONN_ESTABLISHED, "nothing before max_echo_wait");
	ctrl_tick(&conn, t + 2000);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 2 && out[0].type == PPTP_CCRQ && out[1].type == PPTP_STOPCCRQ,
	      "CCRQ then StopCCRQ: saw %zu, %u %u", n, out[0].type, out[1].type);
	CHECK(out[0].u.ccrq.call_id == id, "CCRQ our call id: saw %u",
	      out[0].u.ccrq.call_id);
	CHECK(out[1].u.stopccrq.reason == 1, "StopCCRQ reason 1: saw %u",
	      out[1].u.stopccrq.reason);
	CHECK(conn.state == CONN_WAIT_STOP_REPLY, "waits for StopCCRP: %d",
	      conn.state);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(find_log(evs, ne, 0, "no Echo-Reply", NULL) != NULL,
	      "echo timeout logged");
	CHECK(ctrl_deadline(&conn) == t + 2000 + CTRL_STOP_WAIT_MS,
	      "stop deadline: saw %llu",
	      (unsigned long long)ctrl_deadline(&conn));
	ctrl_tick(&conn, t + 2000 + CTRL_STOP_WAIT_MS - 1);
	CHECK(conn.state == CONN_WAIT_STOP_REPLY, "not yet down");
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CONN_DOWN) == 0, "no CONN_DOWN yet");
	ctrl_tick(&conn, t + 2000 + CTRL_STOP_WAIT_MS);
	ne = take_events(&conn, evs, EV_MAX);
	ns = state_events(evs, ne, st, 8);
	CHECK(ns == 2 && st[0].type == CEV_CALL_DOWN &&
	      st[1].type == CEV_CONN_DOWN,
	      "CALL_DOWN, CONN_DOWN: saw %zu", ns);
	CHECK(conn.state == CONN_CLOSED, "closed: %d", conn.state);
	CHECK(ctrl_deadline(&conn) == UINT64_MAX, "no deadline when closed");

	/* idle_wait 0: never an echo. */
	cfg.idle_wait_ms = 0;
	establish(&conn, &cfg, 0);
	CHECK(ctrl_deadline(&conn) == UINT64_MAX, "no deadline: saw %llu",
	      (unsigned long long)ctrl_deadline(&conn));
	for (uint64_t tt = 0; tt < 10000000; tt += 600000)
		ctrl_tick(&conn, tt);
	CHECK(take_output(&conn, out, OUT_MAX) == 0 &&
	      conn.state == CONN_ESTABLISHED, "idle_wait 0: no echo ever");
}

/* ---- CDN ------------------------------------------------------------- */

static void test_cdn(void)
{
	struct ctrl_config cfg;
	const struct ctrl_event *d;
	size_t ne;
	int a, b;

	ctrl_config_default(&cfg);

	/* RFC 2637 2.13 and PoPToP: the Call ID is the PAC's own. */
	establish(&conn, &cfg, 0);
	a = call_up(&conn, 0x4000, 0);
	srv_cdn(&conn, 0x4000, 3, 0, 7, 1);
	ne = take_events(&conn, evs, EV_MAX);
	d = find_ev(evs, ne, CEV_CALL_DOWN, (uint16_t)a);
	CHECK(d && d->peer_call_id == 0x4000 &&
	      strstr(d->text, "result=3 (administrative shutdown)") &&
	      strstr(d->text, "error=0 (none)") && strstr(d->text, "cause=7"),
	      "CDN by PAC id ends the call: saw \"%s\"", d ? d->text : "(none)");
	CHECK(ctrl_call_find(&conn, (uint16_t)a) == NULL, "call freed");
	CHECK(find_log(evs, ne, 1, "disconnected by server", NULL) != NULL,
	      "unsolicited CDN logged at level 1");
	CHECK(take_output(&conn, out, OUT_MAX) == 0, "nothing sent on CDN");

	/* Both ids equal: accepted either way. */
	establish(&conn, &cfg, 0);
	a = call_up(&conn, 0, 0);
	srv_cdn(&conn, 0, 1, 0, 0, 1);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(find_ev(evs, ne, CEV_CALL_DOWN, 0) != NULL,
	      "CDN with id == both ids ends the call");

	/* Unknown id: ignored with a log line. */
	establish(&conn, &cfg, 0);
	a = call_up(&conn, 0x4000, 0);
	srv_cdn(&conn, 0x4001, 1, 0, 0, 1);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_DOWN) == 0 &&
	      find_log(evs, ne, 0, "unknown call id 16385", NULL),
	      "CDN for unknown id ignored and logged");
	CHECK(ctrl_call_find(&conn, (uint16_t)a) != NULL, "call still there");

	/* CDN for a call still waiting for its OCRP: no PAC id is known. */
	b = ctrl_call_open(&conn, 0);
	take_output(&conn, out, OUT_MAX);
	srv_cdn(&conn, (uint16_t)b, 1, 0, 0, 1);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_DOWN) == 0 &&
	      ctrl_call_find(&conn, (uint16_t)b)->state == CALL_WAIT_REPLY,
	      "CDN with an unanswered call's id ignored");

	/* accel-ppp and pptp-linux's own lookup: the Call ID is the PNS's
	 * (ours).  Accepted when no call has that PAC id. */
	establish(&conn, &cfg, 0);
	a = call_up(&conn, 0x4000, 0);
	srv_cdn(&conn, (uint16_t)a, 4, 0, 0, 1);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(find_ev(evs, ne, CEV_CALL_DOWN, (uint16_t)a) != NULL,
	      "CDN naming our call id (%d, PAC id 0x4000) ends the call "
	      "(accel-ppp sends our id)", a);

	/* PAC id of call A equals our id of call B: the PAC id wins (RFC);
	 * it must not be shadowed by B's own id. */
	establish(&conn, &cfg, 0);
	a = call_up(&conn, 1, 0);		/* ours 0, PAC's 1 */
	b = call_up(&conn, 0x55, 0);		/* ours 1, PAC's 0x55 */
	srv_cdn(&conn, 1, 3, 0, 0, 1);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(find_ev(evs, ne, CEV_CALL_DOWN, (uint16_t)a) != NULL &&
	      find_ev(evs, ne, CEV_CALL_DOWN, (uint16_t)b) == NULL,
	      "CDN Call ID 1 = PAC id of call 0 ends call 0 (not call 1): "
	      "saw %zu CALL_DOWN, call0 %s", count_type(evs, ne, CEV_CALL_DOWN),
	      ctrl_call_find(&conn, (uint16_t)a) ? "alive" : "gone");
}

/* ---- our clear, our close, server stop ------------------------------ */

static void test_call_close(void)
{
	struct ctrl_config cfg;
	size_t n, ne;
	int a;

	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	a = call_up(&conn, 0x300, 0);
	ctrl_call_close(&conn, (uint16_t)a, 100);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_CCRQ && out[0].u.ccrq.call_id == a,
	      "CCRQ with our id: %zu type %u id %u", n, out[0].type,
	      out[0].u.ccrq.call_id);
	CHECK(ctrl_call_find(&conn, (uint16_t)a)->state == CALL_WAIT_DISCONNECT,
	      "waits for CDN");
	CHECK(ctrl_deadline(&conn) == 100 + CTRL_CLEAR_WAIT_MS,
	      "clear deadline: saw %llu",
	      (unsigned long long)ctrl_deadline(&conn));
	ctrl_call_close(&conn, (uint16_t)a, 150);
	CHECK(take_output(&conn, out, OUT_MAX) == 0, "second close: no CCRQ");
	ctrl_call_close(&conn, 999, 150);
	CHECK(take_output(&conn, out, OUT_MAX) == 0, "unknown close: nothing");
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_DOWN) == 0, "not down yet");
	srv_cdn(&conn, 0x300, 4, 0, 0, 200);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_DOWN) == 1 &&
	      find_ev(evs, ne, CEV_CALL_DOWN, (uint16_t)a),
	      "CDN answers the clear: %zu", count_type(evs, ne, CEV_CALL_DOWN));
	CHECK(find_log(evs, ne, 1, "disconnected", NULL) == NULL,
	      "expected CDN only at debug level");

	/* No CDN: down after CTRL_CLEAR_WAIT_MS. */
	a = call_up(&conn, 0x301, 1000);
	ctrl_call_close(&conn, (uint16_t)a, 1000);
	take_output(&conn, out, OUT_MAX);
	ctrl_tick(&conn, 1000 + CTRL_CLEAR_WAIT_MS - 1);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_DOWN) == 0, "not down early");
	ctrl_tick(&conn, 1000 + CTRL_CLEAR_WAIT_MS);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_DOWN) == 1 &&
	      find_ev(evs, ne, CEV_CALL_DOWN, (uint16_t)a),
	      "down after clear wait: %zu", count_type(evs, ne, CEV_CALL_DOWN));
	CHECK(conn.state == CONN_ESTABLISHED, "connection stays");

	/* Clearing a call still waiting for OCRP sends CCRQ too. */
	a = ctrl_call_open(&conn, 5000);
	take_output(&conn, out, OUT_MAX);
	ctrl_call_close(&conn, (uint16_t)a, 5000);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_CCRQ, "CCRQ for unanswered call");
	/* Its late OCRP is ignored. */
	srv_ocrp(&conn, 0x302, (uint16_t)a, 1, 0, 0, 5001);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_UP) == 0, "late OCRP ignored");
}

static void test_ctrl_close(void)
{
	struct ctrl_config cfg;
	struct ctrl_event st[8];
	size_t n, ne, ns;
	int a, b;

	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	call_up(&conn, 0x10, 0);
	call_up(&conn, 0x11, 0);
	ctrl_close(&conn, 3, 100);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 3, "CCRQ x2 + StopCCRQ: saw %zu", n);
	CHECK(out[0].type == PPTP_CCRQ && out[0].u.ccrq.call_id == 0 &&
	      out[1].type == PPTP_CCRQ && out[1].u.ccrq.call_id == 1,
	      "CCRQ 0, CCRQ 1");
	CHECK(out[2].type == PPTP_STOPCCRQ && out[2].u.stopccrq.reason == 3,
	      "StopCCRQ reason 3: type %u reason %u", out[2].type,
	      out[2].u.stopccrq.reason);
	CHECK(conn.state == CONN_WAIT_STOP_REPLY, "wait stop reply");
	CHECK(ctrl_call_open(&conn, 100) == -ENOTCONN,
	      "no new calls while stopping");
	ctrl_close(&conn, 3, 101);
	CHECK(take_output(&conn, out, OUT_MAX) == 0, "second close: nothing");
	take_events(&conn, evs, EV_MAX);
	srv_simple(&conn, PPTP_STOPCCRP, 1, 200);
	ne = take_events(&conn, evs, EV_MAX);
	ns = state_events(evs, ne, st, 8);
	CHECK(ns == 3 && st[0].type == CEV_CALL_DOWN &&
	      st[1].type == CEV_CALL_DOWN && st[2].type == CEV_CONN_DOWN,
	      "CALL_DOWN x2, CONN_DOWN: saw %zu", ns);
	CHECK(conn.state == CONN_CLOSED, "closed");

	/* Reason 0 becomes 1 (general request). */
	establish(&conn, &cfg, 0);
	ctrl_close(&conn, 0, 0);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_STOPCCRQ &&
	      out[0].u.stopccrq.reason == 1, "reason 0 -> 1: saw %u",
	      out[0].u.stopccrq.reason);
	/* CDNs during the stop still end calls; stop wait ends it all. */
	ctrl_tick(&conn, CTRL_STOP_WAIT_MS);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CONN_DOWN) == 1, "down after stop wait");

	/* Close before the connection is up: no StopCCRQ, down at once. */
	ctrl_start(&conn, &cfg, 0);
	take_output(&conn, out, OUT_MAX);
	ctrl_call_open(&conn, 0);
	ctrl_close(&conn, 1, 0);
	n = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	ns = state_events(evs, ne, st, 8);
	CHECK(n == 0 && ns == 2 && st[0].type == CEV_CALL_DOWN &&
	      st[1].type == CEV_CONN_DOWN,
	      "close before SCCRP: %zu msgs, %zu events", n, ns);

	/* Server's StopCCRQ: StopCCRP result 1, all down. */
	establish(&conn, &cfg, 0);
	call_up(&conn, 0x10, 0);
	call_up(&conn, 0x11, 0);
	srv_simple(&conn, PPTP_STOPCCRQ, 1, 10);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_STOPCCRP &&
	      out[0].u.stopccrp.result == 1 && out[0].u.stopccrp.error == 0,
	      "StopCCRP result 1: %zu type %u", n, out[0].type);
	ne = take_events(&conn, evs, EV_MAX);
	ns = state_events(evs, ne, st, 8);
	CHECK(ns == 3 && st[0].type == CEV_CALL_DOWN &&
	      st[1].type == CEV_CALL_DOWN && st[2].type == CEV_CONN_DOWN,
	      "server stop: CALL_DOWN x2, CONN_DOWN: saw %zu", ns);
	CHECK(conn.state == CONN_CLOSED && ctrl_calls_active(&conn) == 0,
	      "closed, no calls");

	/* A StopCCRP nobody asked for: as pptp-linux, a CCRQ for each call,
	 * then the connection ends without waiting. */
	establish(&conn, &cfg, 0);
	a = call_up(&conn, 0x21, 0);
	b = call_up(&conn, 0x22, 0);
	srv_simple(&conn, PPTP_STOPCCRP, 1, 10);
	n = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	ns = state_events(evs, ne, st, 8);
	CHECK(n == 2 && out[0].type == PPTP_CCRQ && out[1].type == PPTP_CCRQ &&
	      out[0].u.ccrq.call_id == (uint16_t)a &&
	      out[1].u.ccrq.call_id == (uint16_t)b,
	      "unsolicited StopCCRP: a CCRQ for each call: saw %zu", n);
	CHECK(ns == 3 && st[2].type == CEV_CONN_DOWN &&
	      conn.state == CONN_CLOSED &&
	      find_log(evs, ne, 1, "unexpected Stop-Control-Connection-Reply",
		       NULL) != NULL,
	      "unsolicited StopCCRP: calls down, connection down (%zu)", ns);

	/* StopCCRQ crossing ours: answered, down. */
	establish(&conn, &cfg, 0);
	ctrl_close(&conn, 1, 0);
	take_output(&conn, out, OUT_MAX);
	srv_simple(&conn, PPTP_STOPCCRQ, 1, 10);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_STOPCCRP, "crossing stop answered");
	CHECK(conn.state == CONN_CLOSED, "crossing stop: closed");
}

/* ---- SLI ------------------------------------------------------------- */

static void test_sli(void)
{
	struct ctrl_config cfg;
	const struct ctrl_event *s;
	size_t ne;
	int a, b;

	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	a = call_up(&conn, 0x20, 0);
	srv_sli(&conn, (uint16_t)a, 0x000a0000, 0xffffffff, 1);
	ne = take_events(&conn, evs, EV_MAX);
	s = find_ev(evs, ne, CEV_CALL_SLI, (uint16_t)a);
	CHECK(s && s->send_accm == 0x000a0000 && s->recv_accm == 0xffffffff &&
	      s->peer_call_id == 0x20,
	      "CALL_SLI with accm: saw %#x/%#x", s ? s->send_accm : 0,
	      s ? s->recv_accm : 0);
	CHECK(take_output(&conn, out, OUT_MAX) == 0, "SLI not answered");
	srv_sli(&conn, 77, 1, 2, 2);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_SLI) == 0 &&
	      find_log(evs, ne, 1, "unknown call id 77", NULL),
	      "SLI for unknown call ignored");
	b = ctrl_call_open(&conn, 3);
	take_output(&conn, out, OUT_MAX);
	srv_sli(&conn, (uint16_t)b, 1, 2, 4);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_SLI) == 0,
	      "SLI for a call not up yet ignored");
}

/* ---- malformed and unexpected input --------------------------------- */

static size_t raw_hdr(uint8_t *p, uint16_t len, uint16_t pptype,
		      uint32_t magic, uint16_t ctype)
{
	memset(p, 0, len > 12 ? len : 12);
	p[0] = (uint8_t)(len >> 8);
	p[1] = (uint8_t)len;
	p[2] = (uint8_t)(pptype >> 8);
	p[3] = (uint8_t)pptype;
	p[4] = (uint8_t)(magic >> 24);
	p[5] = (uint8_t)(magic >> 16);
	p[6] = (uint8_t)(magic >> 8);
	p[7] = (uint8_t)magic;
	p[8] = (uint8_t)(ctype >> 8);
	p[9] = (uint8_t)ctype;
	return len;
}

/* A run of deterministic "random" bytes. */
static void fill_random(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static size_t echorq_bytes(uint8_t *p, uint32_t id)
{
	struct pptp_msg m = mk(PPTP_ECHORQ);

	m.u.echorq.id = id;
	return (size_t)pptp_msg_encode(&m, p, 16);
}

/* An established call gets bad bytes (in the given pieces, each a read),
 * then a good Echo-Request: the call and the connection stay, the echo
 * is answered (and nothing else sent: the wire sees what pptp-linux
 * sends), and a log line with logsub says what was skipped; resync says
 * whether the bytes were garbage (not a message skipped whole). */
static void survive_case(const char *what, const uint8_t *bad, size_t n,
			 const size_t *pieces, size_t npieces, bool resync,
			 const char *logsub)
{
	struct ctrl_config cfg;
	uint8_t good[16];
	size_t no, ne, off = 0;
	int id, rc = 0;

	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	id = call_up(&conn, 0x30, 0);
	for (size_t i = 0; i < npieces && off < n; i++) {
		size_t k = pieces[i] < n - off ? pieces[i] : n - off;

		rc |= ctrl_input(&conn, bad + off, k, 1);
		off += k;
	}
	if (off < n)
		rc |= ctrl_input(&conn, bad + off, n - off, 1);
	rc |= ctrl_input(&conn, good, echorq_bytes(good, 6), 2);
	no = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(rc == 0 && conn.state == CONN_ESTABLISHED &&
	      ctrl_call_find(&conn, (uint16_t)id) != NULL &&
	      count_type(evs, ne, CEV_LOG) == ne,
	      "%s: connection and call stay (rc %d, state %d, %zu state "
	      "events)", what, rc, conn.state,
	      ne - count_type(evs, ne, CEV_LOG));
	CHECK(no == 1 && out[0].type == PPTP_ECHORP && out[0].u.echorp.id == 6,
	      "%s: the echo after it answered, nothing else sent: saw %zu",
	      what, no);
	CHECK(conn.rs.runs == (resync ? 1u : 0u),
	      "%s: %s: runs %lu", what, resync ? "garbage" : "skipped whole",
	      conn.rs.runs);
	CHECK(find_log(evs, ne, 0, logsub, NULL) != NULL,
	      "%s: a warning with \"%s\"", what, logsub);
	CHECK(!conn.rs.active, "%s: in sync again", what);
}

static void test_malformed(void)
{
	const struct ctrl_event *d;
	struct ctrl_config cfg;
	uint8_t buf[1024], big[4096];
	size_t n, ne, pieces[4];
	int rc;

	/* The six of issue 9, each in an otherwise healthy call. */
	n = raw_hdr(buf, 16, 1, 0x1a2b3c4e, PPTP_ECHORQ);
	survive_case("bad magic", buf, n, NULL, 0, true,
		     "16 bytes skipped (first: bad magic cookie)");
	n = raw_hdr(buf, 16, PPTP_MSGTYPE_MGMT, PPTP_MAGIC, PPTP_ECHORQ);
	survive_case("PPTP type 2", buf, n, NULL, 0, false,
		     "PPTP message type 2 (management) (16 bytes) skipped");
	fill_random(buf, 200, 7);
	survive_case("200 random bytes", buf, 200, NULL, 0, true,
		     "200 bytes skipped");
	static const uint16_t lens[] = { 0, 8, 11, 513, 65535 };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		raw_hdr(buf, 16, 1, PPTP_MAGIC, PPTP_ECHORQ);
		buf[0] = (uint8_t)(lens[i] >> 8);
		buf[1] = (uint8_t)lens[i];
		survive_case("bad length field, 16 bytes sent", buf, 16, NULL,
			     0, true, "16 bytes skipped (first: length field");
	}
	/* and more */
	n = raw_hdr(buf, 20, 1, PPTP_MAGIC, PPTP_ECHORQ);
	survive_case("Echo-Request of 20 bytes", buf, n, NULL, 0, true,
		     "20 bytes skipped (first: length does not match");
	n = raw_hdr(buf, 512, 1, PPTP_MAGIC, PPTP_STOPCCRQ);
	survive_case("StopCCRQ of 512 bytes", buf, n, NULL, 0, true,
		     "512 bytes skipped");
	n = raw_hdr(buf, 40, 1, PPTP_MAGIC, 99);
	survive_case("unknown type 99, length 40", buf, n, NULL, 0, false,
		     "control message type 99 skipped: unknown control");
	n = raw_hdr(buf, 12, 1, PPTP_MAGIC, 0);
	survive_case("type 0, length 12", buf, n, NULL, 0, false,
		     "control message type 0 skipped");
	n = raw_hdr(buf, 300, 7, PPTP_MAGIC, 0);
	survive_case("PPTP type 7, length 300", buf, n, NULL, 0, false,
		     "PPTP message type 7 (300 bytes) skipped");
	/* A header cut short, then the stream goes on: the 6 bytes are
	 * garbage once the next message is behind them. */
	raw_hdr(buf, 24, 1, PPTP_MAGIC, PPTP_SLI);
	survive_case("6 bytes of a header, then the next message", buf, 6,
		     NULL, 0, true, "6 bytes skipped (first: bad magic");
	/* Garbage and the first 5 bytes of a good message in one read, the
	 * rest of it in the next: the message is found whole. */
	fill_random(big, 100, 99);
	n = 100 + echorq_bytes(big + 100, 77);
	pieces[0] = 105;
	{
		struct ctrl_config c2;
		size_t no;

		ctrl_config_default(&c2);
		establish(&conn, &c2, 0);
		call_up(&conn, 0x31, 0);
		ctrl_input(&conn, big, 105, 1);
		CHECK(conn.rs.active && conn.rlen <= 5,
		      "split after garbage: waiting with at most 5 bytes: %zu",
		      conn.rlen);
		ctrl_input(&conn, big + 105, n - 105, 2);
		no = take_output(&conn, out, OUT_MAX);
		ne = take_events(&conn, evs, EV_MAX);
		CHECK(no == 1 && out[0].type == PPTP_ECHORP &&
		      out[0].u.echorp.id == 77 && !conn.rs.active,
		      "split after garbage: the message after it answered: %zu",
		      no);
		CHECK(find_log(evs, ne, 0, "100 bytes skipped", NULL) != NULL,
		      "split after garbage: 100 bytes skipped");
	}
	/* The same bytes one byte per read. */
	for (size_t i = 0; i < 4; i++)
		pieces[i] = 1;
	{
		size_t no;

		ctrl_config_default(&cfg);
		establish(&conn, &cfg, 0);
		for (size_t i = 0; i < n; i++)
			ctrl_input(&conn, big + i, 1, 1);
		no = take_output(&conn, out, OUT_MAX);
		ne = take_events(&conn, evs, EV_MAX);
		CHECK(no == 1 && out[0].type == PPTP_ECHORP &&
		      out[0].u.echorp.id == 77,
		      "garbage then echo byte by byte: answered (%zu)", no);
		CHECK(find_log(evs, ne, 0, "100 bytes skipped", NULL) != NULL,
		      "byte by byte: 100 bytes skipped");
	}

	/* A second burst, after the first was over: a second line. */
	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	call_up(&conn, 0x32, 0);
	fill_random(big, 300, 5);
	ctrl_input(&conn, big, 300, 10);
	srv_echorq(&conn, 4, 11);
	CHECK(!conn.rs.active, "first burst over with the next message");
	fill_random(big, 50, 6);
	ctrl_input(&conn, big, 50, 20);
	CHECK(conn.rs.active, "second burst");
	srv_echorq(&conn, 5, 1100);
	n = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(n == 2 && find_log(evs, ne, 0, "300 bytes skipped", NULL) &&
	      find_log(evs, ne, 0, "50 bytes skipped", NULL) &&
	      conn.rs.runs == 2 && conn.rs.bytes == 350,
	      "two bursts, two lines, both echoes answered, counted: %zu "
	      "sent, runs %lu bytes %lu", n, conn.rs.runs, conn.rs.bytes);

	/* Garbage never ending: closed once a run passes the bound, with
	 * one line; the orderly close goes on (calls cleared, StopCCRQ). */
	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	call_up(&conn, 0x33, 0);
	memset(big, 0xee, sizeof(big));
	rc = 0;
	for (int i = 0; i < 3 * CTRL_RESYNC_BYTES_MAX / (int)sizeof(big) &&
			conn.state == CONN_ESTABLISHED; i++)
		rc |= ctrl_input(&conn, big, sizeof(big), 30);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(rc == 0 && conn.state == CONN_WAIT_STOP_REPLY,
	      "endless garbage: closing (state %d)", conn.state);
	d = find_log(evs, ne, 0, "bad control stream from server: more than",
		     "closing the control connection (");
	CHECK(d != NULL && d->text[strlen(d->text) - 1] == ')',
	      "endless garbage: the closing line, whole: \"%s\"",
	      d ? d->text : "(none)");
	CHECK(conn.rs.bytes > CTRL_RESYNC_BYTES_MAX &&
	      conn.rs.bytes <= CTRL_RESYNC_BYTES_MAX + sizeof(big),
	      "endless garbage: closed at the bound: %lu", conn.rs.bytes);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n >= 2 && out[n - 2].type == PPTP_CCRQ &&
	      out[n - 1].type == PPTP_STOPCCRQ,
	      "endless garbage: CCRQ and StopCCRQ sent (%zu)", n);
	ctrl_input(&conn, big, sizeof(big), 31);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(find_log(evs, ne, 0, "closing the control", NULL) == NULL,
	      "endless garbage: the closing line only once");
	ctrl_tick(&conn, 31 + CTRL_STOP_WAIT_MS);
	CHECK(conn.state == CONN_CLOSED, "endless garbage: closed after the "
	      "stop wait");

	/* Garbage, then silence: garbage is no sign of life, so the
	 * keep-alive goes out --idle-wait after the last well-formed
	 * message, and when it is not answered the connection closes with
	 * the resync line. */
	ctrl_config_default(&cfg);
	cfg.idle_wait_ms = 2000;
	cfg.max_echo_wait_ms = 5000;
	establish(&conn, &cfg, 0);
	call_up(&conn, 0x34, 0);
	n = raw_hdr(buf, 16, 1, 0x1a2b3c4e, PPTP_ECHORQ);
	ctrl_input(&conn, buf, n, 1000);
	CHECK(take_output(&conn, out, OUT_MAX) == 0 &&
	      ctrl_deadline(&conn) == 2000,
	      "garbage: nothing sent, keep-alive due 2 s after the last "
	      "message (not the garbage): %llu",
	      (unsigned long long)ctrl_deadline(&conn));
	ctrl_tick(&conn, 2000);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == 1 && out[0].type == PPTP_ECHORQ &&
	      ctrl_deadline(&conn) == 7000, "keep-alive sent, wait till 7000");
	ctrl_tick(&conn, 6999);
	CHECK(conn.state == CONN_ESTABLISHED, "not before the echo wait");
	ctrl_tick(&conn, 7000);
	ne = take_events(&conn, evs, EV_MAX);
	d = find_log(evs, ne, 0, "no well-formed message for 7 s, "
		     "Echo-Request unanswered; closing the control connection",
		     "bytes skipped, first: bad magic cookie)");
	CHECK(conn.state == CONN_WAIT_STOP_REPLY && d != NULL &&
	      find_log(evs, ne, 0, "no Echo-Reply", NULL) == NULL,
	      "garbage then silence: closed with the resync line (state %d)",
	      conn.state);
	/* the longest form of the line still fits an event */
	conn.rs.first_error = PPTP_EMSG_LONGLEN;
	CHECK(strlen("bad control stream from server: no well-formed message "
		     "for 120 s, Echo-Request unanswered; closing the control "
		     "connection (65536 bytes skipped, first: )") +
	      strlen(pptp_msg_strerror(PPTP_EMSG_LONGLEN)) <
	      sizeof(evs[0].text), "the closing line fits an event's text");

	/* Garbage before SCCRP: the SCCRP behind it is taken. */
	ctrl_config_default(&cfg);
	ctrl_start(&conn, &cfg, 0);
	take_output(&conn, out, OUT_MAX);
	fill_random(buf, 64, 3);
	ctrl_input(&conn, buf, 64, 1);
	CHECK(take_output(&conn, out, OUT_MAX) == 0 && conn.rs.active,
	      "garbage before SCCRP: resync, nothing sent");
	srv_sccrp(&conn, 1, 0, 2);
	CHECK(conn.state == CONN_ESTABLISHED && !conn.rs.active,
	      "garbage before SCCRP: the SCCRP after it is taken");
	take_events(&conn, evs, EV_MAX);

	/* Non-zero reserved fields are accepted. */
	establish(&conn, &cfg, 0);
	n = raw_hdr(buf, 16, 1, PPTP_MAGIC, PPTP_ECHORQ);
	buf[10] = 0xff;
	buf[15] = 9;
	rc = ctrl_input(&conn, buf, n, 5);
	n = take_output(&conn, out, OUT_MAX);
	CHECK(rc == 0 && n == 1 && out[0].u.echorp.id == 9,
	      "reserved bits ignored: %zu", n);
	take_events(&conn, evs, EV_MAX);
	(void)pieces;
}

/* A script of server bytes exercising most handlers. */
static size_t script(uint8_t *buf, size_t cap)
{
	struct pptp_msg m[16];
	size_t n = 0, off = 0;

	m[n] = mk(PPTP_ECHORQ); m[n++].u.echorq.id = 1;
	m[n] = mk(PPTP_OCRP); /* before SCCRP: ignored */
	m[n++].u.ocrp.result = 1;
	m[n] = mk(PPTP_SCCRP); m[n].u.sccr.result = 1;
	m[n++].u.sccr.version = PPTP_VERSION;
	m[n] = mk(PPTP_OCRP); m[n].u.ocrp.call_id = 0x700;
	m[n].u.ocrp.peer_call_id = 0; m[n++].u.ocrp.result = 1;
	m[n] = mk(PPTP_OCRP); m[n].u.ocrp.call_id = 0x701;
	m[n].u.ocrp.peer_call_id = 1; m[n].u.ocrp.result = 4;
	m[n++].u.ocrp.cause = 2;
	m[n] = mk(PPTP_SLI); m[n].u.sli.peer_call_id = 0;
	m[n++].u.sli.send_accm = 0xffff;
	m[n] = mk(PPTP_WEN); m[n++].u.wen.crc_errors = 3;
	m[n] = mk(PPTP_ICRQ); m[n++].u.icrq.call_id = 9;
	m[n] = mk(PPTP_ECHORQ); m[n++].u.echorq.id = 2;
	m[n] = mk(PPTP_CDN); m[n].u.cdn.call_id = 0x700;
	m[n++].u.cdn.result = 3;
	m[n] = mk(PPTP_ECHORP); m[n++].u.echorp.id = 77;
	m[n] = mk(PPTP_STOPCCRQ); m[n++].u.stopccrq.reason = 1;
	m[n] = mk(PPTP_ECHORQ); m[n++].u.echorq.id = 3; /* after stop */
	for (size_t i = 0; i < n; i++) {
		int k = pptp_msg_encode(&m[i], buf + off, cap - off);

		if (k > 0)
			off += (size_t)k;
		if (i == 6) {
			/* Skippable junk mid-stream: an unknown type and an
			 * Echo-Request of the wrong length. */
			off += raw_hdr(buf + off, 40, 1, PPTP_MAGIC, 200);
			off += raw_hdr(buf + off, 24, 1, PPTP_MAGIC,
				       PPTP_ECHORQ);
		}
	}
	return off;
}

struct run_result {
	uint8_t out[4096];
	size_t out_len;
	struct ctrl_event ev[CTRL_EVENTS_MAX * 4];
	size_t nev;
	enum ctrl_conn_state state;
};

static struct run_result ra, rb;

static void run_split(struct run_result *r, const uint8_t *s, size_t len,
		      const size_t *cuts, size_t ncuts, size_t step)
{
	struct ctrl_config cfg;
	const uint8_t *p;
	size_t off = 0, ci = 0;

	memset(r, 0, sizeof(*r));
	ctrl_config_default(&cfg);
	ctrl_start(&conn2, &cfg, 0);
	ctrl_call_open(&conn2, 0);
	ctrl_call_open(&conn2, 0);
	while (off < len) {
		size_t k = step ? step : (ci < ncuts ? cuts[ci++] : len - off);
		size_t n;

		if (k == 0 || k > len - off)
			k = len - off;
		ctrl_input(&conn2, s + off, k, 10);
		off += k;
		n = ctrl_output(&conn2, &p);
		if (r->out_len + n <= sizeof(r->out)) {
			memcpy(r->out + r->out_len, p, n);
			r->out_len += n;
		}
		ctrl_output_done(&conn2, n);
		while (r->nev < sizeof(r->ev) / sizeof(r->ev[0]) &&
		       ctrl_next_event(&conn2, &r->ev[r->nev]))
			r->nev++;
	}
	r->state = conn2.state;
}

/* Same bytes out and the same state events (log lines may be dropped
 * when many pile up between two drains, so they are not compared). */
static bool same_run(const struct run_result *a, const struct run_result *b)
{
	static struct ctrl_event sa[CTRL_EVENTS_MAX * 4], sb[CTRL_EVENTS_MAX * 4];
	size_t na = state_events(a->ev, a->nev, sa, CTRL_EVENTS_MAX * 4);
	size_t nb = state_events(b->ev, b->nev, sb, CTRL_EVENTS_MAX * 4);

	if (a->out_len != b->out_len || memcmp(a->out, b->out, a->out_len) ||
	    na != nb || a->state != b->state)
		return false;
	for (size_t i = 0; i < na; i++)
		if (sa[i].type != sb[i].type ||
		    sa[i].call_id != sb[i].call_id ||
		    sa[i].peer_call_id != sb[i].peer_call_id ||
		    sa[i].send_accm != sb[i].send_accm ||
		    sa[i].recv_accm != sb[i].recv_accm ||
		    strcmp(sa[i].text, sb[i].text) != 0)
			return false;
	return true;
}

static void test_split_input(void)
{
	uint8_t s[4096];
	size_t len = script(s, sizeof(s));
	size_t cuts[64];
	uint32_t seed = 12345;

	run_split(&ra, s, len, NULL, 0, 0);
	CHECK(ra.state == CONN_CLOSED, "script ends closed: %d", ra.state);
	CHECK(count_type(ra.ev, ra.nev, CEV_CALL_UP) == 1 &&
	      count_type(ra.ev, ra.nev, CEV_CALL_DOWN) == 2 &&
	      count_type(ra.ev, ra.nev, CEV_CALL_SLI) == 1 &&
	      count_type(ra.ev, ra.nev, CEV_CONN_UP) == 1 &&
	      count_type(ra.ev, ra.nev, CEV_CONN_DOWN) == 1,
	      "script events: up %zu down %zu sli %zu",
	      count_type(ra.ev, ra.nev, CEV_CALL_UP),
	      count_type(ra.ev, ra.nev, CEV_CALL_DOWN),
	      count_type(ra.ev, ra.nev, CEV_CALL_SLI));
	/* SCCRQ, ECHORP 1, OCRQ x2, ICRP refusing the ICRQ, ECHORP 2,
	 * StopCCRP. */
	CHECK(ra.out_len == 156 + 20 + 168 * 2 + 24 + 20 + 16,
	      "script output bytes: saw %zu", ra.out_len);

	run_split(&rb, s, len, NULL, 0, 1);
	CHECK(same_run(&ra, &rb), "byte by byte == one shot");
	int same = 0;
	for (int trial = 0; trial < 200; trial++) {
		size_t nc = 0, tot = 0;

		while (tot < len && nc < 64) {
			seed = seed * 1103515245u + 12345u;
			cuts[nc] = 1 + (seed >> 16) % 200;
			tot += cuts[nc++];
		}
		run_split(&rb, s, len, cuts, nc, 0);
		if (!same_run(&ra, &rb)) {
			CHECK(0, "random split %d differs from one shot", trial);
			break;
		}
		same++;
	}
	CHECK(same == 200, "200 random splits == one shot: %d", same);

	/* Garbage after a good message, then the rest: byte by byte the
	 * same too, and the StopCCRQ behind the garbage is found. */
	len = script(s, sizeof(s));
	len -= 32;	/* the trailing StopCCRQ+ECHORQ go behind garbage */
	{
		uint8_t tail[32];

		memcpy(tail, s + len, 32);
		raw_hdr(s + len, 16, 1, 0xdeadbeef, PPTP_ECHORQ);
		fill_random(s + len + 16, 40, 11);
		memcpy(s + len + 56, tail, 32);
		len += 56 + 32;
	}
	run_split(&ra, s, len, NULL, 0, 0);
	run_split(&rb, s, len, NULL, 0, 1);
	CHECK(ra.state == CONN_CLOSED && same_run(&ra, &rb),
	      "garbage then StopCCRQ: closed by it; byte by byte == one shot");
}

static void unexpected_in_state(const char *state_name, int setup)
{
	static const int types[] = { PPTP_SCCRQ, PPTP_ICRP, PPTP_ICCN };
	struct ctrl_config cfg;

	ctrl_config_default(&cfg);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct pptp_msg m = mk(types[i]);
		enum ctrl_conn_state before;
		size_t n, ne;
		int rc;

		ctrl_start(&conn, &cfg, 0);
		take_output(&conn, out, OUT_MAX);
		if (setup >= 1) {
			srv_sccrp(&conn, 1, 0, 0);
			call_up(&conn, 0x9, 0);
		}
		if (setup >= 2)
			ctrl_close(&conn, 1, 0);
		take_output(&conn, out, OUT_MAX);
		take_events(&conn, evs, EV_MAX);
		before = conn.state;
		m.u.ocrq.call_id = 0;
		rc = feed(&conn, &m, 1);
		n = take_output(&conn, out, OUT_MAX);
		ne = take_events(&conn, evs, EV_MAX);
		CHECK(rc == 0 && n == 0 && conn.state == before &&
		      count_type(evs, ne, CEV_LOG) == ne &&
		      find_log(evs, ne, 0, pptp_msg_longname(types[i]),
			       "ignored"),
		      "%s: %s ignored (rc %d, %zu sent, state %d->%d)",
		      state_name, pptp_msg_name(types[i]), rc, n, before,
		      conn.state);
		if (setup >= 1)
			CHECK(ctrl_call_find(&conn, 0) != NULL,
			      "%s: call survives %s", state_name,
			      pptp_msg_name(types[i]));
	}
}

static void test_unexpected(void)
{
	static const int before_types[] = { PPTP_OCRP, PPTP_CDN, PPTP_SLI,
					    PPTP_ECHORP, PPTP_STOPCCRP,
					    PPTP_WEN, PPTP_CCRQ };
	struct ctrl_config cfg;
	size_t n, ne;

	unexpected_in_state("wait-ctl-reply", 0);
	unexpected_in_state("established", 1);
	unexpected_in_state("wait-stop-reply", 2);

	/* Before SCCRP only SCCRP, StopCCRQ and Echo-Request count. */
	ctrl_config_default(&cfg);
	for (size_t i = 0; i < sizeof(before_types) / sizeof(before_types[0]);
	     i++) {
		struct pptp_msg m = mk(before_types[i]);

		ctrl_start(&conn, &cfg, 0);
		take_output(&conn, out, OUT_MAX);
		ctrl_call_open(&conn, 0);
		take_events(&conn, evs, EV_MAX);
		m.u.ocrp.result = 1;
		feed(&conn, &m, 1);
		n = take_output(&conn, out, OUT_MAX);
		ne = take_events(&conn, evs, EV_MAX);
		CHECK(n == 0 && conn.state == CONN_WAIT_CTL_REPLY &&
		      count_type(evs, ne, CEV_LOG) == ne &&
		      find_log(evs, ne, 0, "before Start-Control-Connection-Reply",
			       NULL),
		      "%s before SCCRP ignored", pptp_msg_name(before_types[i]));
	}
	ctrl_start(&conn, &cfg, 0);
	take_output(&conn, out, OUT_MAX);
	ctrl_call_open(&conn, 0);
	srv_simple(&conn, PPTP_STOPCCRQ, 1, 1);
	n = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(n == 1 && out[0].type == PPTP_STOPCCRP &&
	      conn.state == CONN_CLOSED &&
	      count_type(evs, ne, CEV_CALL_DOWN) == 1 &&
	      count_type(evs, ne, CEV_CONN_DOWN) == 1,
	      "StopCCRQ before SCCRP answered and down");

	/* A second SCCRP once established is ignored. */
	establish(&conn, &cfg, 0);
	srv_sccrp(&conn, 2, 0, 1);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(conn.state == CONN_ESTABLISHED &&
	      count_type(evs, ne, CEV_LOG) == ne,
	      "duplicate SCCRP (even a refusal) ignored");
}

/* ---- the server's Call-Clear-Request, OCRQ, ICRQ --------------------- */

static int srv_ccrq(struct ctrl_conn *c, uint16_t id, uint64_t now)
{
	struct pptp_msg m = mk(PPTP_CCRQ);

	m.u.ccrq.call_id = id;
	return feed(c, &m, now);
}

static void test_server_ccrq(void)
{
	struct ctrl_config cfg;
	const struct ctrl_event *d;
	size_t n, ne;
	int a, b;

	ctrl_config_default(&cfg);
	cfg.call_id_base = 0x100;
	establish(&conn, &cfg, 0);
	a = call_up(&conn, 0x10, 0);
	b = call_up(&conn, 0x11, 0);
	/* Our call id (RFC 2637 2.12, as pptp-linux looks it up): CDN with
	 * our id, result 4 ("Request"), error 0, and the call goes down. */
	srv_ccrq(&conn, (uint16_t)a, 5);
	n = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(n == 1 && out[0].type == PPTP_CDN &&
	      out[0].u.cdn.call_id == (uint16_t)a && out[0].u.cdn.result == 4 &&
	      out[0].u.cdn.error == 0 && out[0].u.cdn.cause == 0,
	      "CCRQ answered with CDN(call %d, result 4): saw %zu type %u id "
	      "%u result %u", a, n, n ? out[0].type : 0,
	      n ? out[0].u.cdn.call_id : 0, n ? out[0].u.cdn.result : 0);
	d = find_ev(evs, ne, CEV_CALL_DOWN, (uint16_t)a);
	CHECK(d && d->peer_call_id == 0x10 && strstr(d->text, "Call-Clear"),
	      "CCRQ: CALL_DOWN for the call: \"%s\"", d ? d->text : "(none)");
	CHECK(find_log(evs, ne, 1, "Call cleared by server", NULL) != NULL,
	      "CCRQ logged at level 1");
	CHECK(ctrl_call_find(&conn, (uint16_t)a) == NULL &&
	      ctrl_call_find(&conn, (uint16_t)b) != NULL &&
	      conn.state == CONN_ESTABLISHED,
	      "CCRQ: only that call ends, the connection stays");
	/* The server's own id names the other call. */
	srv_ccrq(&conn, 0x11, 6);
	n = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(n == 1 && out[0].type == PPTP_CDN &&
	      out[0].u.cdn.call_id == (uint16_t)b &&
	      find_ev(evs, ne, CEV_CALL_DOWN, (uint16_t)b) != NULL,
	      "CCRQ naming the PAC's id (0x11) clears call %d", b);
	/* Unknown: ignored, logged, nothing sent. */
	srv_ccrq(&conn, 0x7777, 7);
	n = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(n == 0 && count_type(evs, ne, CEV_LOG) == ne &&
	      find_log(evs, ne, 0, "Call-Clear-Request for unknown call id "
		       "30583 ignored", NULL) != NULL,
	      "CCRQ for an unknown call ignored with a log line");
	/* Crossing our own CCRQ: answered and the call ends now. */
	a = call_up(&conn, 0x12, 0);
	ctrl_call_close(&conn, (uint16_t)a, 8);
	take_output(&conn, out, OUT_MAX);
	srv_ccrq(&conn, (uint16_t)a, 9);
	n = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(n == 1 && out[0].type == PPTP_CDN &&
	      find_ev(evs, ne, CEV_CALL_DOWN, (uint16_t)a) != NULL,
	      "CCRQ crossing our CCRQ: CDN, call down");
	/* A call still waiting for its OCRP. */
	a = ctrl_call_open(&conn, 10);
	take_output(&conn, out, OUT_MAX);
	srv_ccrq(&conn, (uint16_t)a, 11);
	n = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(n == 1 && out[0].type == PPTP_CDN &&
	      find_ev(evs, ne, CEV_CALL_DOWN, (uint16_t)a) != NULL,
	      "CCRQ for a call waiting for OCRP: CDN, call down");
	/* Before SCCRP: ignored like everything else. */
	ctrl_start(&conn, &cfg, 0);
	take_output(&conn, out, OUT_MAX);
	a = ctrl_call_open(&conn, 0);
	srv_ccrq(&conn, (uint16_t)a, 1);
	CHECK(take_output(&conn, out, OUT_MAX) == 0 &&
	      ctrl_call_find(&conn, (uint16_t)a) != NULL,
	      "CCRQ before SCCRP ignored");
	take_events(&conn, evs, EV_MAX);
}

static void test_server_call_requests(void)
{
	struct ctrl_config cfg;
	struct pptp_msg m;
	size_t n, ne;
	int a;

	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	a = call_up(&conn, 0x10, 0);
	m = mk(PPTP_OCRQ);
	m.u.ocrq.call_id = 0x4444;
	feed(&conn, &m, 1);
	n = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(n == 1 && out[0].type == PPTP_OCRP &&
	      out[0].u.ocrp.peer_call_id == 0x4444 &&
	      out[0].u.ocrp.call_id == 0 && out[0].u.ocrp.result == 7,
	      "OCRQ from the server refused: OCRP result 7 (do not accept)");
	CHECK(count_type(evs, ne, CEV_LOG) == ne &&
	      find_log(evs, ne, 0, "Outgoing-Call-Request from server refused",
		       NULL), "OCRQ refusal logged");
	m = mk(PPTP_ICRQ);
	m.u.icrq.call_id = 0x5555;
	feed(&conn, &m, 2);
	n = take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(n == 1 && out[0].type == PPTP_ICRP &&
	      out[0].u.icrp.peer_call_id == 0x5555 &&
	      out[0].u.icrp.result == 3,
	      "ICRQ from the server refused: ICRP result 3 (do not accept)");
	CHECK(ctrl_call_find(&conn, (uint16_t)a) != NULL &&
	      conn.state == CONN_ESTABLISHED, "our call stays");
	/* A flood of them: the refusals are bounded like Echo-Replies. */
	size_t lines = 0;
	for (int i = 0; i < 1000; i++) {
		m = mk(PPTP_OCRQ);
		m.u.ocrq.call_id = (uint16_t)i;
		feed(&conn, &m, 2000);
		ne = take_events(&conn, evs, EV_MAX);
		for (size_t k = 0; k < ne; k++)
			lines += evs[k].type == CEV_LOG && evs[k].level <= 1;
	}
	n = take_output(&conn, out, OUT_MAX);
	CHECK(n == CTRL_ECHO_REPLY_BURST,
	      "1000 OCRQs in a second: %d refusals: saw %zu",
	      CTRL_ECHO_REPLY_BURST, n);
	CHECK(lines == CTRL_LOG_BURST + 1,
	      "1000 OCRQs in a second: %d lines + 1: saw %zu",
	      CTRL_LOG_BURST, lines);
}

/* ---- floods: Set-Link-Info, log lines ------------------------------- */

static void test_sli_flood(void)
{
	struct ctrl_config cfg;
	const struct ctrl_event *e = NULL;
	size_t ne, sli = 0;
	int a;

	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	a = call_up(&conn, 0x20, 0);
	/* The same ACCMs again and again: passed on once. */
	for (int i = 0; i < 1000; i++) {
		srv_sli(&conn, (uint16_t)a, 0, 0xffffffff, 10);
		ne = take_events(&conn, evs, EV_MAX);
		sli += count_type(evs, ne, CEV_CALL_SLI);
		CHECK(count_type(evs, ne, CEV_LOG) == 0 ||
		      find_log(evs, ne, 2, "received", NULL),
		      "repeated SLI: no line at the default level");
	}
	CHECK(sli == 1, "1000 identical SLIs: passed on once: %zu", sli);
	/* Changing ACCMs, 1000 in one second: a burst passed on, and the
	 * last word when the second is over. */
	sli = 0;
	for (uint32_t i = 1; i <= 1000; i++) {
		srv_sli(&conn, (uint16_t)a, i, i, 2000);
		ne = take_events(&conn, evs, EV_MAX);
		sli += count_type(evs, ne, CEV_CALL_SLI);
	}
	CHECK(sli == CTRL_SLI_BURST, "1000 changing SLIs in a second: %d "
	      "passed on: %zu", CTRL_SLI_BURST, sli);
	CHECK(ctrl_deadline(&conn) == 2000 + CTRL_RATE_WINDOW_MS,
	      "the held-back SLI due when the second is over: %llu",
	      (unsigned long long)ctrl_deadline(&conn));
	ctrl_tick(&conn, 2000 + CTRL_RATE_WINDOW_MS);
	ne = take_events(&conn, evs, EV_MAX);
	for (size_t i = 0; i < ne; i++)
		if (evs[i].type == CEV_CALL_SLI)
			e = &evs[i];
	CHECK(count_type(evs, ne, CEV_CALL_SLI) == 1 && e &&
	      e->send_accm == 1000 && e->recv_accm == 1000,
	      "the last ACCMs (1000) passed on after the second: %#x",
	      e ? e->send_accm : 0);
	CHECK(ctrl_deadline(&conn) > 2000 + CTRL_RATE_WINDOW_MS,
	      "nothing held back any more");
	/* Held back, then the same as told: nothing more to pass on. */
	for (uint32_t i = 0; i < CTRL_SLI_BURST + 1; i++)
		srv_sli(&conn, (uint16_t)a, 50 + i, 0, 5000);
	srv_sli(&conn, (uint16_t)a, 50 + CTRL_SLI_BURST - 1, 0, 5000);
	take_events(&conn, evs, EV_MAX);
	ctrl_tick(&conn, 5000 + CTRL_RATE_WINDOW_MS);
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_SLI) == 0,
	      "held-back SLI that is what the call was told last: dropped");
}

/* Every server-triggered line that a flood can repeat is rate-limited:
 * at most CTRL_LOG_BURST a second at levels 0/1, one line saying more
 * are held back, and the next line let through counts them. */
static void log_flood_case(const char *what, const uint8_t *msg, size_t len,
			   int level, const char *sub, size_t kinds)
{
	struct ctrl_config cfg;
	static uint8_t chunk[40 * 1000];
	size_t ne, lines = 0, lines_all = 0;
	int id;

	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	id = call_up(&conn, 0x20, 0);
	(void)id;
	for (size_t i = 0; i < 1000; i++)
		memcpy(chunk + i * len, msg, len);
	/* 10 reads of 100 messages in one second */
	for (int r = 0; r < 10; r++) {
		ctrl_input(&conn, chunk + (size_t)r * 100 * len, 100 * len,
			   10000 + (uint64_t)r * 10);
		take_output(&conn, out, OUT_MAX);
		ne = take_events(&conn, evs, EV_MAX);
		for (size_t i = 0; i < ne; i++) {
			if (evs[i].type != CEV_LOG || evs[i].level != level)
				continue;
			lines_all++;
			if (strstr(evs[i].text, sub))
				lines++;
		}
		/* (debug lines may also be cut by the queue's debug share) */
		if (r == 0 && level < 2)
			CHECK(find_log(evs, ne, level, "server flood: more",
				       NULL) != NULL,
			      "%s: the held-back line", what);
	}
	if (level < 2)
		CHECK(lines == CTRL_LOG_BURST &&
		      lines_all <= kinds * (CTRL_LOG_BURST + 1),
		      "%s: 1000 in a second: %d lines (+ the flood line): saw "
		      "%zu of %zu", what, CTRL_LOG_BURST, lines, lines_all);
	else
		CHECK(lines_all <= CTRL_LOG_DEBUG_BURST + 1,
		      "%s: 1000 in a second: at most %d debug lines + 1: saw "
		      "%zu", what, CTRL_LOG_DEBUG_BURST, lines_all);
	CHECK(conn.state == CONN_ESTABLISHED, "%s: still established", what);
	/* the next second: one more, saying how many were held back */
	ctrl_input(&conn, chunk, len, 11000);
	take_output(&conn, out, OUT_MAX);
	ne = take_events(&conn, evs, EV_MAX);
	if (level < 2)
		CHECK(find_log(evs, ne, level, sub,
			       "(990 like it suppressed before)") != NULL,
		      "%s: the next second's line counts the 990 held back",
		      what);
	else
		CHECK(find_log(evs, ne, level, "like it suppressed before",
			       NULL) != NULL,
		      "%s: the next second's line counts those held back",
		      what);
}

static void test_log_flood(void)
{
	uint8_t b[PPTP_MSG_MAX];
	struct pptp_msg m;
	size_t n;

	m = mk(PPTP_WEN);
	m.u.wen.peer_call_id = 0;
	m.u.wen.crc_errors = 1;
	n = (size_t)pptp_msg_encode(&m, b, sizeof(b));
	log_flood_case("WAN-Error-Notify", b, n, 1, "WAN-Error-Notify: crc=1", 1);
	m = mk(PPTP_SLI);
	m.u.sli.peer_call_id = 0x7777;
	n = (size_t)pptp_msg_encode(&m, b, sizeof(b));
	log_flood_case("SLI for an unknown call", b, n, 1,
		       "Set-Link-Info for unknown call id", 1);
	m = mk(PPTP_CDN);
	m.u.cdn.call_id = 0x7777;
	n = (size_t)pptp_msg_encode(&m, b, sizeof(b));
	log_flood_case("CDN for an unknown call", b, n, 0,
		       "Call-Disconnect-Notify for unknown call id", 1);
	m = mk(PPTP_ICCN);
	n = (size_t)pptp_msg_encode(&m, b, sizeof(b));
	log_flood_case("ICCN", b, n, 0, "unexpected Incoming-Call-Connected", 1);
	n = raw_hdr(b, 16, 1, PPTP_MAGIC, 99);
	log_flood_case("unknown type", b, n, 0, "control message type 99", 1);
	n = raw_hdr(b, 16, 2, PPTP_MAGIC, 1);
	log_flood_case("management type", b, n, 0, "PPTP message type 2", 1);
	/* garbage + a good message, 1000 times: 1000 resync runs */
	n = raw_hdr(b, 16, 1, 0x1a2b3c4e, 5);
	n += raw_hdr(b + n, 24, 1, PPTP_MAGIC, PPTP_SLI);
	b[16 + 12] = 0x77;	/* SLI for an unknown call: its own line */
	log_flood_case("garbage runs", b, n, 0, "16 bytes skipped", 1);
	m = mk(PPTP_ECHORP);
	m.u.echorp.id = 0x999;
	n = (size_t)pptp_msg_encode(&m, b, sizeof(b));
	log_flood_case("Echo-Replies not ours", b, n, 2, "server flood", 1);
}

/* ---- eof ------------------------------------------------------------- */

static void test_eof(void)
{
	struct ctrl_config cfg;
	struct ctrl_event st[8];
	size_t ne, ns;

	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	call_up(&conn, 0x1, 0);
	call_up(&conn, 0x2, 0);
	ctrl_input_eof(&conn, "connection reset");
	ne = take_events(&conn, evs, EV_MAX);
	ns = state_events(evs, ne, st, 8);
	CHECK(ns == 3 && st[0].type == CEV_CALL_DOWN &&
	      st[1].type == CEV_CALL_DOWN && st[2].type == CEV_CONN_DOWN,
	      "eof: CALL_DOWN x2, CONN_DOWN: saw %zu", ns);
	CHECK(strcmp(st[2].text, "connection reset") == 0,
	      "CONN_DOWN text is the reason: \"%s\"", st[2].text);
	CHECK(find_log(evs, ne, 0, "closed by server", NULL) != NULL,
	      "eof logged at level 0");
	CHECK(conn.state == CONN_CLOSED && ctrl_calls_active(&conn) == 0,
	      "closed, no calls");
	ctrl_input_eof(&conn, "again");
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(ne == 0, "eof twice: no more events: %zu", ne);
	ctrl_tick(&conn, 1000000);
	CHECK(take_events(&conn, evs, EV_MAX) == 0, "tick when closed: none");

	/* eof while waiting for StopCCRP is the normal end: no warning. */
	establish(&conn, &cfg, 0);
	ctrl_close(&conn, 1, 0);
	take_events(&conn, evs, EV_MAX);
	ctrl_input_eof(&conn, "connection closed");
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CONN_DOWN) == 1 &&
	      find_log(evs, ne, 0, "closed by server", NULL) == NULL,
	      "eof in wait-stop: CONN_DOWN without warning");

	/* eof before SCCRP. */
	ctrl_start(&conn, &cfg, 0);
	ctrl_call_open(&conn, 0);
	take_events(&conn, evs, EV_MAX);
	ctrl_input_eof(&conn, "refused");
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_DOWN) == 1 &&
	      count_type(evs, ne, CEV_CONN_DOWN) == 1, "eof before SCCRP");
}

/* ---- bounds ---------------------------------------------------------- */

static void test_bounds(void)
{
	struct ctrl_config cfg;
	size_t n, ne;
	int id = 0, ocrqs = 0;

	ctrl_config_default(&cfg);
	establish(&conn, &cfg, 0);
	for (int i = 0; i < CTRL_CALLS_MAX; i++) {
		id = ctrl_call_open(&conn, 0);
		if (id != i)
			break;
		take_output(&conn, out, OUT_MAX);
	}
	CHECK(id == CTRL_CALLS_MAX - 1, "ids 0..%d: last %d",
	      CTRL_CALLS_MAX - 1, id);
	CHECK(ctrl_call_open(&conn, 0) == -EMFILE, "call %d: -EMFILE",
	      CTRL_CALLS_MAX + 1);
	CHECK(ctrl_calls_active(&conn) == CTRL_CALLS_MAX, "%d active: %zu",
	      CTRL_CALLS_MAX, ctrl_calls_active(&conn));
	take_events(&conn, evs, EV_MAX);
	/* Free one in the middle: it is reused. */
	ctrl_call_close(&conn, 100, 0);
	take_output(&conn, out, OUT_MAX);
	ctrl_tick(&conn, CTRL_CLEAR_WAIT_MS);
	take_events(&conn, evs, EV_MAX);
	CHECK(ctrl_call_open(&conn, 0) == 100, "freed id 100 reused");
	take_output(&conn, out, OUT_MAX);

	/* Every call gets a state event when the connection drops, and
	 * the connection itself its CONN_DOWN. */
	ctrl_input_eof(&conn, "gone");
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(count_type(evs, ne, CEV_CALL_DOWN) == CTRL_CALLS_MAX,
	      "eof with %d calls: CALL_DOWN for each: saw %zu", CTRL_CALLS_MAX,
	      count_type(evs, ne, CEV_CALL_DOWN));
	CHECK(count_type(evs, ne, CEV_CONN_DOWN) == 1,
	      "eof with %d calls: CONN_DOWN delivered: saw %zu",
	      CTRL_CALLS_MAX, count_type(evs, ne, CEV_CONN_DOWN));

	/* All calls asked for before SCCRP: each gets its OCRQ, and the
	 * output never passes its limit. */
	ctrl_start(&conn, &cfg, 0);
	take_output(&conn, out, OUT_MAX);
	for (int i = 0; i < CTRL_CALLS_MAX; i++)
		ctrl_call_open(&conn, 0);
	srv_sccrp(&conn, 1, 0, 1);
	CHECK(conn.wlen <= CTRL_WBUF_MAX, "wbuf <= max: %zu", conn.wlen);
	n = take_output(&conn, out, OUT_MAX);
	for (size_t i = 0; i < n && i < OUT_MAX; i++)
		if (out[i].type == PPTP_OCRQ)
			ocrqs++;
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(ocrqs + (int)count_type(evs, ne, CEV_CALL_DOWN) ==
	      CTRL_CALLS_MAX,
	      "every call waiting for OCRP had its OCRQ sent: %d OCRQs, %zu "
	      "failed, %d calls", ocrqs, count_type(evs, ne, CEV_CALL_DOWN),
	      CTRL_CALLS_MAX);

	/* A flood of SLI for one call, then the server stops: the state
	 * events must not be lost to the SLI events. */
	establish(&conn, &cfg, 0);
	id = call_up(&conn, 0x5, 0);
	{
		static uint8_t chunk[24 * 300 + 16];
		struct pptp_msg m = mk(PPTP_SLI);
		size_t off = 0;

		m.u.sli.peer_call_id = (uint16_t)id;
		for (int i = 0; i < 300; i++)
			off += (size_t)pptp_msg_encode(&m, chunk + off, 24);
		m = mk(PPTP_STOPCCRQ);
		m.u.stopccrq.reason = 1;
		off += (size_t)pptp_msg_encode(&m, chunk + off, 16);
		ctrl_input(&conn, chunk, off, 1);
	}
	ne = take_events(&conn, evs, EV_MAX);
	CHECK(ne <= CTRL_EVENTS_MAX, "queue bounded: %zu", ne);
	CHECK(find_ev(evs, ne, CEV_CALL_DOWN, (uint16_t)id) != NULL &&
	      count_type(evs, ne, CEV_CONN_DOWN) == 1,
	      "SLI flood then StopCCRQ: CALL_DOWN %zu, CONN_DOWN %zu",
	      count_type(evs, ne, CEV_CALL_DOWN),
	      count_type(evs, ne, CEV_CONN_DOWN));
	CHECK(conn.state == CONN_CLOSED, "closed");
}

int main(void)
{
	test_start_defaults();
	test_start_bezeq();
	test_call_before_sccrp();
	test_call_id_base();
	test_sccrp_refused();
	test_ocrp();
	test_echo_reply();
	test_echo_flood();
	test_idle_echo();
	test_cdn();
	test_call_close();
	test_ctrl_close();
	test_sli();
	test_malformed();
	test_split_input();
	test_unexpected();
	test_server_ccrq();
	test_server_call_requests();
	test_sli_flood();
	test_log_flood();
	test_eof();
	test_bounds();
	return check_done("ctrl");
}
