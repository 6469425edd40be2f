/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_gre_session.c: unit tests for the data plane's policy core: scripted
 * packets and clock, and a simulated peer that keeps RFC 2637's sliding
 * window (with an ack time-out) or ignores it. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "gre_session.h"
#include "gre_wire.h"

#define W GS_RX_WINDOW
#define QMAX 4096

/* ---- scripted checks ------------------------------------------------- */

static void test_tx_sequence(void)
{
	struct gre_session s;
	bool has_ack = true;
	uint32_t ack = 77;

	gre_session_init(&s, GS_FIRST_SEQ, W);
	CHECK(gre_session_tx_data(&s, 10, &has_ack, &ack) == 0,
	      "expected first sequence number 0 (RFC 2637 4.1)");
	CHECK(!has_ack, "expected no ack before anything was received");
	CHECK(gre_session_tx_data(&s, 11, &has_ack, &ack) == 1,
	      "expected sequence numbers to count up");
	CHECK(gre_session_ack_due(&s, 11) == UINT64_MAX,
	      "expected no ack due with nothing owed");
	CHECK(!gre_session_tx_ack(&s, 11, &ack),
	      "expected no ack-only packet with nothing owed");

	gre_session_init(&s, 0xffffffffu, W);
	CHECK(gre_session_tx_data(&s, 1, &has_ack, &ack) == 0xffffffffu &&
	      gre_session_tx_data(&s, 2, &has_ack, &ack) == 0,
	      "expected the sequence number to wrap to 0");
}

static void test_piggyback(void)
{
	struct gre_session s;
	bool has_ack = false;
	uint32_t ack = 0, seq;

	gre_session_init(&s, 0, W);
	gre_session_rx_data(&s, 5, 100);
	gre_session_delivered(&s, 5, 100);
	CHECK(gre_session_ack_due(&s, 100) != UINT64_MAX,
	      "expected an ack owed after a delivered frame");
	seq = gre_session_tx_data(&s, 150, &has_ack, &ack);
	CHECK(seq == 0 && has_ack && ack == 5,
	      "expected data seq 0 to carry ack 5, saw seq %u has_ack %d ack %u",
	      seq, has_ack, ack);
	CHECK(gre_session_ack_due(&s, 150) == UINT64_MAX,
	      "expected nothing owed after a piggy-backed ack");
	gre_session_tx_data(&s, 160, &has_ack, &ack);
	CHECK(!has_ack, "expected an ack to ride only once");
}

static void test_rtt(void)
{
	struct gre_session s;
	bool has_ack;
	uint32_t ack;

	gre_session_init(&s, 0, W);
	gre_session_tx_data(&s, 1000, &has_ack, &ack);
	gre_session_tx_data(&s, 1100, &has_ack, &ack);
	CHECK(gre_session_rtt(&s) == 0, "expected no sample before an ack");
	CHECK(gre_session_peer_ack(&s, 0, 1300) && gre_session_rtt(&s) == 300,
	      "expected a 300 us sample, saw %d", gre_session_rtt(&s));
	CHECK(!gre_session_peer_ack(&s, 0, 1400) && gre_session_rtt(&s) == 300,
	      "expected a repeated ack to give no new sample");
	CHECK(!gre_session_peer_ack(&s, 40, 1500),
	      "expected an ack for a packet never sent to give no sample");
	CHECK(gre_session_peer_ack(&s, 1, 1600) && gre_session_rtt(&s) == 500,
	      "expected a 500 us sample, saw %d", gre_session_rtt(&s));
}

/* A strict peer fills the window: the ack is due at once, except on a
 * probe (the first fill), which waits GS_PROBE_US. */
static void test_window_full(void)
{
	struct gre_session s;
	uint32_t ack, seq = 100;
	uint64_t t = 1000, due;

	gre_session_init(&s, 0, W);
	for (int i = 0; i < W; i++, seq++) {
		gre_session_rx_data(&s, seq, t);
		gre_session_delivered(&s, seq, t);
	}
	due = gre_session_ack_due(&s, t);
	CHECK(due == t + GS_PROBE_US,
	      "expected the first full window to be a probe due at %llu, saw %llu",
	      (unsigned long long)(t + GS_PROBE_US), (unsigned long long)due);
	CHECK(!gre_session_peer_lenient(&s, t), "expected a strict peer");
	CHECK(gre_session_tx_ack(&s, due, &ack) && ack == seq - 1,
	      "expected ack %u", seq - 1);
	t = due + 50;
	gre_session_rx_data(&s, seq, t);
	gre_session_delivered(&s, seq, t);
	seq++;
	due = gre_session_ack_due(&s, t);
	CHECK(due == t + GS_ACK_STRICT_DELAY_US,
	      "expected one frame owed to wait %d us, saw %lld", GS_ACK_STRICT_DELAY_US,
	      (long long)(due - t));
	for (int i = 1; i < W; i++, seq++) {
		gre_session_rx_data(&s, seq, t + 10);
		gre_session_delivered(&s, seq, t + 10);
	}
	due = gre_session_ack_due(&s, t + 10);
	CHECK(due == t + 10, "expected a full window (not a probe) acked at once, "
	      "due in %lld us", (long long)(due - (t + 10)));
}

/* Beyond the window past our last ack: lenient, the gap policy applies. */
static void test_lenient_detect(void)
{
	struct gre_session s;
	uint32_t ack;
	uint64_t t = 5000, due;

	gre_session_init(&s, 0, W);
	for (uint32_t seq = 1; seq <= 10; seq++) {
		gre_session_rx_data(&s, seq, t);
		gre_session_delivered(&s, seq, t);
	}
	CHECK(gre_session_peer_lenient(&s, t),
	      "expected 10 packets without an ack to mark the peer lenient");
	CHECK(gre_session_tx_ack(&s, t, &ack) && ack == 10, "expected ack 10");
	gre_session_rx_data(&s, 11, t + 10);
	gre_session_delivered(&s, 11, t + 10);
	gre_session_rx_data(&s, 12, t + 20);
	gre_session_delivered(&s, 12, t + 20);
	due = gre_session_ack_due(&s, t + 20);
	CHECK(due == t + GS_ACK_MIN_GAP_US,
	      "expected two owed to wait for the ack gap, due in %lld us",
	      (long long)(due - t));
	gre_session_tx_ack(&s, due, &ack);
	gre_session_rx_data(&s, 13, due + 1);
	gre_session_delivered(&s, 13, due + 1);
	CHECK(gre_session_ack_due(&s, due + 1) == due + 1 + GS_ACK_DELAY_US,
	      "expected a single frame owed to wait %d us", GS_ACK_DELAY_US);
	CHECK(!gre_session_peer_lenient(&s, t + GS_LENIENT_HOLD_US + 1),
	      "expected leniency to expire after %d us", GS_LENIENT_HOLD_US);
	/* Old and repeated sequence numbers are no evidence either way. */
	gre_session_init(&s, 0, W);
	gre_session_rx_data(&s, 100, t);
	gre_session_rx_data(&s, 100, t);
	gre_session_rx_data(&s, 90, t);
	gre_session_rx_data(&s, 102, t);
	CHECK(!gre_session_peer_lenient(&s, t),
	      "expected packets inside the first window not to count as lenient");
	gre_session_rx_data(&s, 103, t);
	CHECK(gre_session_peer_lenient(&s, t),
	      "expected the 4th packet without an ack to count as lenient");
}

/* ---- simulated peers --------------------------------------------------- */

struct ev { uint64_t at; uint32_t v; };
struct fifo { struct ev e[QMAX]; size_t head, n; };

static void put(struct fifo *f, uint64_t at, uint32_t v)
{
	if (f->n < QMAX) {
		f->e[(f->head + f->n) % QMAX] = (struct ev){ at, v };
		f->n++;
	}
}

static uint64_t first_at(const struct fifo *f)
{
	return f->n ? f->e[f->head].at : UINT64_MAX;
}

static struct ev take(struct fifo *f)
{
	struct ev e = f->e[f->head];

	f->head = (f->head + 1) % QMAX;
	f->n--;
	return e;
}

struct sim {
	struct gre_session gs;
	uint64_t now, delay;	/* one-way delay */
	/* the peer */
	bool strict;
	uint64_t interval;	/* between its packets (0: as fast as allowed) */
	uint32_t burst;		/* packets sent at the same instant */
	uint64_t ato;		/* its ack time-out (strict) */
	uint32_t next, acked;	/* its next seq, highest ack it received */
	uint64_t send_at, sent_at[QMAX], sent, count;
	uint64_t timeouts, blocked_since, blocked_us;
	/* counts */
	uint64_t frames, acks, max_ack_wait;
	uint64_t owed_first;	/* arrival of the oldest unacked frame */
	bool owed;
	struct fifo to_us, to_peer;
};

static void sim_init(struct sim *m, bool strict, uint64_t interval,
		     uint32_t burst, uint32_t first)
{
	memset(m, 0, sizeof(*m));
	gre_session_init(&m->gs, 0, W);
	m->now = 1000;
	m->delay = 40;
	m->strict = strict;
	m->interval = interval;
	m->burst = burst ? burst : 1;
	m->ato = 2000;
	m->next = first;
	m->acked = first - 1;
	m->send_at = m->now;
	m->blocked_since = UINT64_MAX;
}

static bool peer_may_send(const struct sim *m)
{
	return !m->strict || m->next - (m->acked + 1) < W;
}

static void peer_send(struct sim *m)
{
	for (uint32_t i = 0; i < m->burst && peer_may_send(m) &&
			    m->sent < m->count; i++) {
		m->sent_at[m->next % QMAX] = m->now;
		put(&m->to_us, m->now + m->delay, m->next++);
		m->sent++;
	}
	m->send_at = m->interval ? m->send_at + m->interval : m->now;
}

static void our_ack_check(struct sim *m)
{
	uint32_t ack;

	if (m->now < gre_session_ack_due(&m->gs, m->now) ||
	    !gre_session_tx_ack(&m->gs, m->now, &ack))
		return;
	m->acks++;
	if (m->owed && m->now - m->owed_first > m->max_ack_wait)
		m->max_ack_wait = m->now - m->owed_first;
	m->owed = false;
	put(&m->to_peer, m->now + m->delay, ack);
}

static uint64_t peer_timeout_at(const struct sim *m)
{
	if (!m->strict || m->next == m->acked + 1)
		return UINT64_MAX;
	return m->sent_at[(m->acked + 1) % QMAX] + m->ato;
}

/* Run until the peer has sent `count` packets and everything settled. */
static void sim_run(struct sim *m, uint64_t count)
{
	for (int guard = 0; guard < 10000000; guard++) {
		uint64_t t = UINT64_MAX, due = gre_session_ack_due(&m->gs, m->now);
		bool want_send;

		m->count = count;
		want_send = m->sent < count;
		if (want_send && peer_may_send(m) && m->send_at < t)
			t = m->send_at > m->now ? m->send_at : m->now;
		if (first_at(&m->to_us) < t)
			t = first_at(&m->to_us);
		if (first_at(&m->to_peer) < t)
			t = first_at(&m->to_peer);
		if (due < t)
			t = due > m->now ? due : m->now;
		if (peer_timeout_at(m) < t)
			t = peer_timeout_at(m);
		if (t == UINT64_MAX)
			return;
		if (want_send && !peer_may_send(m) && m->blocked_since == UINT64_MAX)
			m->blocked_since = m->now;
		m->now = t;
		while (first_at(&m->to_peer) <= m->now) {
			struct ev e = take(&m->to_peer);

			if (SEQ_GT(e.v, m->acked) && SEQ_LT(e.v, m->next))
				m->acked = e.v;
		}
		if (peer_timeout_at(m) <= m->now) {
			m->timeouts++;
			m->acked = m->next - 1;
		}
		if (peer_may_send(m) && m->blocked_since != UINT64_MAX) {
			m->blocked_us += m->now - m->blocked_since;
			m->blocked_since = UINT64_MAX;
		}
		/* One wakeup of ours: every packet that has arrived. */
		while (first_at(&m->to_us) <= m->now) {
			struct ev e = take(&m->to_us);

			gre_session_rx_data(&m->gs, e.v, m->now);
			gre_session_delivered(&m->gs, e.v, m->now);
			if (!m->owed) {
				m->owed = true;
				m->owed_first = m->now;
			}
			m->frames++;
		}
		our_ack_check(m);
		if (want_send && peer_may_send(m) && m->send_at <= m->now)
			peer_send(m);
	}
	CHECK(0, "simulation did not settle");
}

static void test_strict_flat_out(void)
{
	struct sim m;
	const uint64_t n = 30000;

	sim_init(&m, true, 0, 1, 1);
	sim_run(&m, n);
	CHECK(m.frames == n, "expected %llu frames, saw %llu",
	      (unsigned long long)n, (unsigned long long)m.frames);
	CHECK(m.timeouts == 0, "expected no ack time-outs at the strict peer, "
	      "saw %llu", (unsigned long long)m.timeouts);
	CHECK(!gre_session_peer_lenient(&m.gs, m.now),
	      "expected a strict peer never to count as lenient");
	/* Blocked only for the round trip of each window, plus a probe in
	 * every GS_PROBE_EVERY windows. */
	uint64_t per_window = 2 * m.delay + GS_PROBE_US / GS_PROBE_EVERY + 1;
	CHECK(m.blocked_us <= n / W * per_window,
	      "expected the peer blocked at most %llu us per window, saw %llu us "
	      "in %llu windows", (unsigned long long)per_window,
	      (unsigned long long)m.blocked_us, (unsigned long long)(n / W));
	CHECK(m.acks <= n / W + 1 && m.acks >= n / W - 1,
	      "expected one ack per window (%llu), saw %llu",
	      (unsigned long long)(n / W), (unsigned long long)m.acks);
}

static void test_strict_paced(void)
{
	struct sim m;

	sim_init(&m, true, 10000, 1, 1);
	m.ato = GS_ACK_STRICT_DELAY_US + 2 * m.delay + 100;
	sim_run(&m, 300);
	CHECK(m.frames == 300 && m.timeouts == 0,
	      "expected 300 paced frames, no time-out with a %llu us ATO; saw "
	      "%llu frames, %llu time-outs", (unsigned long long)m.ato,
	      (unsigned long long)m.frames, (unsigned long long)m.timeouts);
	CHECK(m.max_ack_wait <= GS_ACK_STRICT_DELAY_US,
	      "expected no frame of a strict peer to wait more than %d us for "
	      "its ack, saw %llu", GS_ACK_STRICT_DELAY_US,
	      (unsigned long long)m.max_ack_wait);
}

static void test_strict_wrap(void)
{
	struct sim m;

	sim_init(&m, true, 0, 1, 0xfffffff0u);
	sim_run(&m, 200);
	CHECK(m.frames == 200 && m.timeouts == 0 &&
	      !gre_session_peer_lenient(&m.gs, m.now),
	      "expected the window kept across the sequence wrap: %llu frames, "
	      "%llu time-outs", (unsigned long long)m.frames,
	      (unsigned long long)m.timeouts);
}

/* A lenient peer under load: bursts of 32 every 80 us (400k/s). */
static void test_lenient_flat_out(void)
{
	struct sim m;
	const uint64_t n = 64000;

	sim_init(&m, false, 80, 32, 1);
	sim_run(&m, n);
	CHECK(m.frames == n, "expected %llu frames", (unsigned long long)n);
	CHECK(gre_session_peer_lenient(&m.gs, m.now - 1),
	      "expected the peer to count as lenient");
	/* One ack per GS_ACK_MIN_GAP_US at most: 160 ms of traffic. */
	uint64_t most = (n / 32 * 80) / GS_ACK_MIN_GAP_US + 3;
	CHECK(m.acks <= most, "expected at most %llu acks for %llu frames, saw %llu",
	      (unsigned long long)most, (unsigned long long)n,
	      (unsigned long long)m.acks);
}

/* A lenient peer paced at 40k/s, one packet per wakeup: after the first
 * probe it counts as lenient and acks come at the gap, not per window. */
static void test_lenient_paced(void)
{
	struct sim m;
	const uint64_t n = 40000;	/* one second */

	sim_init(&m, false, 25, 1, 1);
	sim_run(&m, n);
	CHECK(m.frames == n, "expected %llu frames", (unsigned long long)n);
	CHECK(m.acks <= n / 15,
	      "expected at most one ack per 15 frames at 40k/s, saw %llu acks "
	      "for %llu frames", (unsigned long long)m.acks,
	      (unsigned long long)n);
}

/* A lenient peer at a low rate: every frame still gets its ack within
 * GS_ACK_DELAY_US (as before the strict policy). */
static void test_lenient_slow(void)
{
	struct sim m;

	sim_init(&m, false, 30000, 1, 1);
	sim_run(&m, 100);
	CHECK(m.frames == 100 && m.max_ack_wait <= GS_ACK_DELAY_US,
	      "expected every frame acked within %d us, saw %llu",
	      GS_ACK_DELAY_US, (unsigned long long)m.max_ack_wait);
}

int main(void)
{
	test_tx_sequence();
	test_piggyback();
	test_rtt();
	test_window_full();
	test_lenient_detect();
	test_strict_flat_out();
	test_strict_paced();
	test_strict_wrap();
	test_lenient_flat_out();
	test_lenient_paced();
	test_lenient_slow();
	return check_done("test_gre_session");
}
