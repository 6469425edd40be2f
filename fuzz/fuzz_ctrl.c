/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_ctrl.c: libFuzzer harness for the client control state machine:
 * fuzzer-chosen config and local operations around a server byte stream. */
#include "pptp_ctrl.h"
#include "pptp_msg.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Input layout:
 *   [0]      config: bit 0 quirk, bits 1-2 idle wait, bits 3-4 echo wait,
 *            bits 5-6 setup timeout, bit 7 stall output from the start
 *   [1]      low 5 bits: number of operations; high 3 bits: chunk size
 *            for the stream left after the operations
 *   [2]      call id base / 257 (0, ..., 0xffff: the wrap is reachable)
 *   3 bytes per operation: kind, argument, stream bytes fed before it
 *            (kind 7 with argument >= 0xc0: a long run of garbage)
 *   the rest: the server's byte stream
 * The machine is ticked between chunks and checked after every step.
 */

#define OPS_MAX 31
#define OP_BYTES 3
#define HDR_BYTES 3
#define START_MS 1000
#define TAIL_TICK_MS 10		/* time between chunks of the tail */
/* Consecutive ticks at one instant before the deadline must move on. */
#define SAME_TIME_TICKS 4

static const uint32_t idle_waits[] = { 0, 5, 1000, 60000 };
static const uint32_t echo_waits[] = { 1, 100, 2000, 60000 };
static const uint32_t setup_waits[] = { 0, 50, 3000, 60000 };
static const size_t tail_chunks[] = { 0, 1, 2, 3, 7, 16, 64, 513 };

struct harness {
	struct ctrl_conn c;
	uint64_t now;
	bool stalled;		/* output not drained, as a blocked socket */
	bool live[65536];	/* call ids opened and not yet reported down */
	size_t nlive;
	bool conn_down_seen;
	uint8_t sink[2 * PPTP_MSG_MAX];
	size_t sink_len;
	unsigned long msgs_sent;
	unsigned long steps;
};

static struct harness H;

static void die(const char *why, long v)
{
	fprintf(stderr, "fuzz_ctrl: invariant broken: %s (%ld)\n", why, v);
	abort();
}

/* The server's side of TCP: what the machine wrote must be a stream of
 * whole valid messages, opening with the one SCCRQ. */
static void sink(struct harness *h, size_t n)
{
	const uint8_t *p;
	size_t len = ctrl_output(&h->c, &p);

	if (n > len)
		n = len;
	while (n > 0) {
		size_t take = sizeof(h->sink) - h->sink_len, off = 0;

		if (take > n)
			take = n;
		memcpy(h->sink + h->sink_len, p, take);
		h->sink_len += take;
		p += take;
		n -= take;
		for (;;) {
			struct pptp_msg m;
			size_t used = 0;
			int rc = pptp_msg_decode(h->sink + off,
						 h->sink_len - off, &m, &used);

			if (rc == 1)
				break;
			if (rc != 0)
				die("machine output is not valid messages", rc);
			if ((m.type == PPTP_SCCRQ) != (h->msgs_sent == 0))
				die("SCCRQ not first or sent twice", m.type);
			h->msgs_sent++;
			off += used;
		}
		memmove(h->sink, h->sink + off, h->sink_len - off);
		h->sink_len -= off;
	}
}

static void output_done(struct harness *h, size_t n)
{
	sink(h, n);
	ctrl_output_done(&h->c, n);
}

static void check_output(struct harness *h)
{
	if (h->c.wlen > CTRL_WBUF_MAX)
		die("output beyond CTRL_WBUF_MAX", (long)h->c.wlen);
}

/* The harness's own loops need no coverage feedback; leaving them out
 * keeps the fuzzer fast. */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

NO_COVERAGE static size_t calls_in_use(const struct ctrl_conn *c)
{
	size_t n = 0;

	for (size_t i = 0; i < CTRL_CALLS_MAX; i++)
		n += c->calls[i].in_use;
	return n;
}

NO_COVERAGE static void check_calls(struct harness *h)
{
	/* seen[id] == gen: id met in this pass (no clearing per step). */
	static uint32_t seen[65536], gen;
	size_t n = 0;

	gen++;
	for (size_t i = 0; i < CTRL_CALLS_MAX; i++) {
		const struct ctrl_call *k = &h->c.calls[i];

		if (!k->in_use)
			continue;
		n++;
		if (k->state == CALL_DEAD || k->state > CALL_DEAD)
			die("in-use call with a dead or bad state", k->state);
		if (seen[k->call_id] == gen)
			die("two calls with one id", k->call_id);
		seen[k->call_id] = gen;
		if (h->c.state == CONN_WAIT_CTL_REPLY &&
		    k->state != CALL_WAIT_CONN)
			die("call placed before the connection is up", k->state);
		if ((h->c.state == CONN_ESTABLISHED ||
		     h->c.state == CONN_WAIT_STOP_REPLY) &&
		    k->state == CALL_WAIT_CONN)
			die("call left unplaced on an up connection", k->state);
		/* One lookup a step: a full table would make it slow. */
		if (i == h->steps % CTRL_CALLS_MAX &&
		    ctrl_call_find(&h->c, k->call_id) != k)
			die("ctrl_call_find misses a call", k->call_id);
	}
	if (n > CTRL_CALLS_MAX ||
	    (h->steps % 16 == 0 && n != ctrl_calls_active(&h->c)))
		die("call count", (long)n);
	if (h->c.state == CONN_CLOSED && n != 0)
		die("calls left on a closed connection", (long)n);
#ifndef FUZZ_CTRL_LOSSY_EVENTS
	/* Every call we opened and did not see go down is still there. */
	if (n != h->nlive)
		die("a call vanished without CEV_CALL_DOWN (or came back)",
		    (long)h->nlive - (long)n);
	for (size_t i = 0; i < CTRL_CALLS_MAX; i++) {
		const struct ctrl_call *k = &h->c.calls[i];

		if (k->in_use && !h->live[k->call_id])
			die("call in table that was reported down", k->call_id);
	}
#endif
}

static void drain_events(struct harness *h)
{
	struct ctrl_event ev;
	size_t got = 0;

	if (h->c.ev_count > CTRL_EVENTS_MAX)
		die("event count beyond CTRL_EVENTS_MAX", (long)h->c.ev_count);
	while (ctrl_next_event(&h->c, &ev)) {
		if (++got > CTRL_EVENTS_MAX)
			die("more events than the queue holds", (long)got);
		if (memchr(ev.text, 0, sizeof(ev.text)) == NULL)
			die("event text not terminated", ev.type);
		if (ev.type > CEV_CONN_DOWN)
			die("bad event type", ev.type);
		if (ev.type == CEV_LOG && (ev.level < 0 || ev.level > 2))
			die("bad log level", ev.level);
#ifndef FUZZ_CTRL_LOSSY_EVENTS
		if (ev.type != CEV_LOG && h->conn_down_seen)
			die("state event after CEV_CONN_DOWN", ev.type);
		switch (ev.type) {
		case CEV_CALL_UP:
		case CEV_CALL_SLI:
			if (!h->live[ev.call_id])
				die("event for a call not open", ev.call_id);
			break;
		case CEV_CALL_DOWN:
			if (!h->live[ev.call_id])
				die("CEV_CALL_DOWN for a call not open",
				    ev.call_id);
			h->live[ev.call_id] = false;
			h->nlive--;
			break;
		case CEV_CONN_DOWN:
			h->conn_down_seen = true;
			break;
		default:
			break;
		}
#endif
	}
	if (h->c.ev_count != 0)
		die("events left after draining", (long)h->c.ev_count);
#ifndef FUZZ_CTRL_LOSSY_EVENTS
	if ((h->c.state == CONN_CLOSED) != h->conn_down_seen)
		die("CEV_CONN_DOWN and CONN_CLOSED disagree", h->c.state);
#endif
}

static void step_done(struct harness *h)
{
	h->steps++;
	if (h->c.state > CONN_CLOSED || h->c.state == CONN_IDLE)
		die("bad connection state", h->c.state);
	if (h->c.rlen > CTRL_RBUF_MAX)
		die("input buffer beyond CTRL_RBUF_MAX", (long)h->c.rlen);
	check_output(h);
	if (!h->stalled)
		output_done(h, h->c.wlen);
	drain_events(h);
	check_calls(h);
}

/* Tick at h->now; a tick before the deadline must change nothing, and
 * the deadline must move past now within a few ticks. */
static void tick(struct harness *h)
{
	uint64_t d = ctrl_deadline(&h->c);

	if (h->now < d) {
		enum ctrl_conn_state st = h->c.state;
		size_t wlen = h->c.wlen, calls = calls_in_use(&h->c);
		size_t evs = h->c.ev_count;

		ctrl_tick(&h->c, h->now);
		if (st != h->c.state || wlen != h->c.wlen ||
		    calls != calls_in_use(&h->c) || evs != h->c.ev_count)
			die("tick before the deadline did something",
			    (long)(d - h->now));
		step_done(h);
		return;
	}
	for (int i = 0; i < SAME_TIME_TICKS && ctrl_deadline(&h->c) <= h->now;
	     i++) {
		ctrl_tick(&h->c, h->now);
		step_done(h);
	}
	if (ctrl_deadline(&h->c) <= h->now)
		die("deadline stuck at or before now", (long)h->c.state);
}

static void open_call_nocheck(struct harness *h)
{
	int id = ctrl_call_open(&h->c, h->now);

	if (id > 0xffff)
		die("call id out of range", id);
#ifndef FUZZ_CTRL_LOSSY_EVENTS
	if (id >= 0) {
		if (h->live[id])
			die("call id reused while open", id);
		h->live[id] = true;
		h->nlive++;
	}
#endif
}

static void open_call(struct harness *h)
{
	open_call_nocheck(h);
	step_done(h);
}

static void feed(struct harness *h, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	ctrl_input(&h->c, p, n, h->now);
	step_done(h);
}

/* Long runs of garbage (the resync bound is 64 KiB) without long
 * inputs: op 7 with arg >= GARBAGE_OP_MIN feeds (arg - 0xbf) * 2 KiB of
 * 0xee, 4 KiB a read. */
#define GARBAGE_OP_MIN 0xc0
#define GARBAGE_OP_UNIT 2048

static void feed_garbage(struct harness *h, size_t n)
{
	static uint8_t junk[4096];

	memset(junk, 0xee, sizeof(junk));
	while (n > 0 && h->c.state != CONN_CLOSED) {
		size_t k = n < sizeof(junk) ? n : sizeof(junk);

		feed(h, junk, k);
		n -= k;
	}
}

static void run_op(struct harness *h, uint8_t kind, uint8_t arg)
{
	switch (kind % 8) {
	case 0:
		if (arg == 0xff) {	/* fill the call table (slow: rare) */
			for (int i = 0; i <= CTRL_CALLS_MAX; i++)
				open_call_nocheck(h);
			step_done(h);
		} else {
			for (int i = 0; i <= arg % 4; i++)
				open_call(h);
		}
		break;
	case 1: {
		size_t seen = 0;

		/* Close the arg-th call in the table (or a stranger). */
		for (size_t i = 0; i < CTRL_CALLS_MAX; i++) {
			if (!h->c.calls[i].in_use)
				continue;
			if (seen++ == arg % 8) {
				ctrl_call_close(&h->c, h->c.calls[i].call_id,
						h->now);
				break;
			}
		}
		if (arg >= 0xf0)
			ctrl_call_close(&h->c, arg, h->now);
		step_done(h);
		break;
	}
	case 2:
		h->now += (uint64_t)arg * 100;
		tick(h);
		break;
	case 3: {
		uint64_t d = ctrl_deadline(&h->c);

		if (d != UINT64_MAX && d > h->now)
			h->now = d - (arg & 1);
		tick(h);
		break;
	}
	case 4:
		ctrl_close(&h->c, arg % 4, h->now);
		step_done(h);
		break;
	case 5:
		h->stalled = !h->stalled;
		output_done(h, arg);
		step_done(h);
		break;
	case 6:
		ctrl_input_eof(&h->c, "fuzz eof");
		step_done(h);
		break;
	default:
		if (arg >= GARBAGE_OP_MIN) {
			feed_garbage(h, (size_t)(arg - GARBAGE_OP_MIN + 1) *
					GARBAGE_OP_UNIT);
			break;
		}
		h->now += arg % 8;
		tick(h);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct harness *h = &H;
	struct ctrl_config cfg;
	size_t nops, off, tail_chunk;

	if (size < HDR_BYTES)
		return 0;
	memset(h, 0, sizeof(*h));
	ctrl_config_default(&cfg);
	cfg.quirk = (data[0] & 1) ? 0 : -1;
	cfg.idle_wait_ms = idle_waits[(data[0] >> 1) & 3];
	cfg.max_echo_wait_ms = echo_waits[(data[0] >> 3) & 3];
	cfg.setup_timeout_ms = setup_waits[(data[0] >> 5) & 3];
	cfg.call_id_base = (uint16_t)(data[2] * 257);
	h->stalled = data[0] & 0x80;
	nops = data[1] & OPS_MAX;
	tail_chunk = tail_chunks[data[1] >> 5];
	h->now = START_MS;
	ctrl_start(&h->c, &cfg, h->now);
	step_done(h);

	off = HDR_BYTES;
	for (size_t i = 0; i < nops && off + OP_BYTES <= size; i++) {
		const uint8_t *op = data + off;
		size_t take;

		off += OP_BYTES;
		take = op[2];
		if (take > size - off)
			take = size - off;
		feed(h, data + off, take);
		off += take;
		run_op(h, op[0], op[1]);
	}
	/* The tail: chunks of one size, a tick after each. */
	while (off < size) {
		size_t take = tail_chunk ? tail_chunk : size - off;

		if (take > size - off)
			take = size - off;
		feed(h, data + off, take);
		off += take;
		h->now += TAIL_TICK_MS;
		tick(h);
	}
	/* The end: the server goes away; everything must come down. */
	ctrl_input_eof(&h->c, "fuzz end");
	step_done(h);
	if (h->c.state != CONN_CLOSED || ctrl_calls_active(&h->c) != 0)
		die("not closed after eof", h->c.state);
	return 0;
}
