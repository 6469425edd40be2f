/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_gre_diag.c: the GRE check (gre_diag.c) driven by scripted counter
 * and clock sequences: blocked from the start, recovery, the reverse
 * direction, idle links, servers that never ack, wrap-around. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "gre_diag.h"

#define MS 1000ull
#define SEC 1000000ull
#define EV_MAX 16
#define WIN 10		/* window of most tests, seconds */
#define TICK (100 * MS)	/* the gateway calls at least once a second */

/* A call as the gateway sees it: counters, a clock, the events so far. */
struct sim {
	struct gre_diag d;
	struct gre_diag_sample s;
	uint64_t now;
	enum gre_diag_event ev[EV_MAX];
	uint64_t ev_t[EV_MAX];
	int nev;
};

/* A script says what happens at time t (ms since start). */
typedef void (*script_fn)(struct sim *m, uint64_t t_ms);

static const char *ev_name(enum gre_diag_event e)
{
	static const char *const n[] = { "NONE", "NO_RX", "RX_BACK", "NO_TX",
					 "TX_BACK" };
	return (unsigned)e < sizeof(n) / sizeof(n[0]) ? n[e] : "?";
}

static void sim_init(struct sim *m, uint32_t window_s, uint32_t first_seq)
{
	memset(m, 0, sizeof(*m));
	m->now = 5000 * SEC;	/* any monotonic origin */
	m->s.tx_next_seq = first_seq;
	gre_diag_init(&m->d, window_s, first_seq);
}

static void tick(struct sim *m)
{
	enum gre_diag_event e = gre_diag_update(&m->d, m->now, &m->s);

	if (e != GD_EV_NONE && m->nev < EV_MAX) {
		m->ev_t[m->nev] = m->now;
		m->ev[m->nev++] = e;
	}
}

/* Run the script from t0_ms for dur_ms, one update per step. */
static void run(struct sim *m, script_fn f, uint64_t t0_ms, uint64_t dur_ms,
		uint64_t step_us)
{
	for (uint64_t t = 0; t < dur_ms * MS; t += step_us) {
		if (f)
			f(m, t0_ms + t / MS);
		tick(m);
		m->now += step_us;
	}
}

static void send_frames(struct sim *m, uint32_t n)
{
	m->s.tx_data += n;
	m->s.tx_next_seq += n;
}

static const uint8_t lcp_echoreq[] = { 0xff, 0x03, 0xc0, 0x21, 0x09, 0x07,
				       0x00, 0x08, 0x12, 0x34, 0x56, 0x78 };
static const uint8_t lcp_confreq_ours[] = { 0xff, 0x03, 0xc0, 0x21, 0x01,
					    0x01, 0x00, 0x04 };

/* One frame of ours that the server's PPP must answer. */
static void send_request(struct sim *m, const uint8_t *f, size_t len)
{
	send_frames(m, 1);
	gre_diag_our_frame(&m->d, f, len);
}

static void peer_ack_all(struct sim *m)
{
	m->s.peer_acked = true;
	m->s.peer_ack = m->s.tx_next_seq - 1;
}

static const uint8_t lcp_confreq[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01,
				       0x00, 0x0a, 0x05, 0x06, 0, 0, 0, 1 };
static const uint8_t lcp_confack[] = { 0xff, 0x03, 0xc0, 0x21, 0x02, 0x01,
				       0x00, 0x0a, 0x05, 0x06, 0, 0, 0, 1 };
static const uint8_t ip_frame[] = { 0xff, 0x03, 0x00, 0x21, 0x45, 0, 0, 20 };

/* A packet from the server carrying a PPP frame. */
static void peer_data(struct sim *m, const uint8_t *f, size_t len)
{
	m->s.rx_gre++;
	gre_diag_peer_frame(&m->d, f, len);
}

static int count_ev(const struct sim *m, enum gre_diag_event e)
{
	int n = 0;

	for (int i = 0; i < m->nev; i++)
		n += m->ev[i] == e;
	return n;
}

static const char *verdict(const struct sim *m)
{
	return gre_diag_verdict_name(gre_diag_verdict(&m->d));
}

/* ---- scripts ----------------------------------------------------------- */

/* pppd's LCP: a Configure-Request every 3 s, ten of them. */
static void pppd_lcp(struct sim *m, uint64_t t)
{
	if (t % 3000 == 0 && t < 30000)
		send_request(m, lcp_confreq_ours, sizeof(lcp_confreq_ours));
}

/* Data from us every 300 ms and an LCP Echo-Request every 5 s. */
static void we_send_with_echo(struct sim *m, uint64_t t)
{
	if (t % 300 == 0)
		send_frames(m, 1);
	if (t % 5000 == 2500)
		send_request(m, lcp_echoreq, sizeof(lcp_echoreq));
}

/* A healthy link: traffic both ways every 200 ms, the server acks. */
static void healthy(struct sim *m, uint64_t t)
{
	if (t % 200 == 0) {
		send_frames(m, 1);
		peer_data(m, ip_frame, sizeof(ip_frame));
		if (t > 0)
			peer_ack_all(m);
	}
}

/* The server sends data every 200 ms, we send every 300 ms; it acks
 * nothing. */
static void both_ways_no_acks(struct sim *m, uint64_t t)
{
	if (t % 200 == 0)
		peer_data(m, ip_frame, sizeof(ip_frame));
	if (t % 300 == 0)
		send_frames(m, 1);
}

/* We send every 300 ms; the server sends data but its ack stays put. */
static void acks_stall(struct sim *m, uint64_t t)
{
	if (t % 200 == 0)
		peer_data(m, ip_frame, sizeof(ip_frame));
	if (t % 300 == 0)
		send_frames(m, 1);
}

/* A server that never acks and whose PPP never heard us: its LCP
 * Configure-Requests every 3 s, ours every 3 s (1.5 s apart). */
static void unheard(struct sim *m, uint64_t t)
{
	if (t % 3000 == 0)
		peer_data(m, lcp_confreq, sizeof(lcp_confreq));
	if (t % 3000 == 1500)
		send_frames(m, 1);
}

static void we_send_only(struct sim *m, uint64_t t)
{
	if (t % 300 == 0)
		send_frames(m, 1);
}

/* ---- tests ------------------------------------------------------------- */

static void test_off(void)
{
	struct sim m;
	char buf[64];

	sim_init(&m, 0, 0);
	run(&m, pppd_lcp, 0, 60000, TICK);
	CHECK(m.nev == 0, "off: expected no event, saw %d (first %s)", m.nev,
	      ev_name(m.ev[0]));
	CHECK(strcmp(verdict(&m), "off") == 0, "off: verdict %s", verdict(&m));
	CHECK(gre_diag_message(&m.d, GD_EV_NONE, "x", buf, sizeof(buf)) == 0 &&
	      buf[0] == '\0', "no text for no event");
}

static void test_idle(void)
{
	struct sim m;

	sim_init(&m, WIN, 0);
	run(&m, NULL, 0, 120000, TICK);
	CHECK(m.nev == 0, "idle: expected no event, saw %d", m.nev);
	CHECK(strcmp(verdict(&m), "waiting") == 0,
	      "idle: expected waiting, saw %s", verdict(&m));
}

static void test_blocked_from_start(void)
{
	struct sim m;
	char buf[512];
	int n;

	sim_init(&m, WIN, 0);
	run(&m, pppd_lcp, 0, 9900, TICK);
	CHECK(m.nev == 0, "blocked: no event before the window, saw %d",
	      m.nev);
	CHECK(strcmp(verdict(&m), "waiting") == 0, "blocked: waiting, saw %s",
	      verdict(&m));
	run(&m, pppd_lcp, 9900, 50100, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_RX,
	      "blocked: expected one NO_RX, saw %d events (first %s)", m.nev,
	      ev_name(m.ev[0]));
	CHECK(m.nev >= 1 && m.ev_t[0] == 5000 * SEC + 10 * SEC,
	      "blocked: warning at 10 s, saw %.1f s",
	      (double)(m.ev_t[0] - 5000 * SEC) / SEC);
	CHECK(strcmp(verdict(&m), "no-gre-from-server") == 0,
	      "blocked: verdict %s", verdict(&m));
	n = gre_diag_message(&m.d, GD_EV_NO_RX, "192.0.2.1", buf, sizeof(buf));
	CHECK(n > 0 && (size_t)n < sizeof(buf), "message fits: %d", n);
	CHECK(strstr(buf, "192.0.2.1") && strstr(buf, "protocol 47") &&
	      strstr(buf, "nf_conntrack_pptp") && strstr(buf, "firewall") &&
	      strstr(buf, "NAT") && strstr(buf, "in 10 s") &&
	      strstr(buf, "sent 4 frames"),
	      "NO_RX text names causes and figures: %s", buf);
	/* A log line is at most 512 bytes with its prefix. */
	CHECK(n < 420, "NO_RX text short enough for one log line: %d", n);
}

static void test_recovery(void)
{
	struct sim m;
	char buf[512];

	sim_init(&m, WIN, 0);
	run(&m, pppd_lcp, 0, 14000, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_RX, "recovery: NO_RX first");
	/* The firewall rule goes: the server's packets arrive. */
	run(&m, healthy, 14000, 30000, TICK);
	CHECK(m.nev == 2 && m.ev[1] == GD_EV_RX_BACK,
	      "recovery: expected NO_RX, RX_BACK; saw %d events, last %s",
	      m.nev, ev_name(m.ev[m.nev - 1]));
	CHECK(m.nev == 2 && m.ev_t[1] == 5000 * SEC + 14 * SEC,
	      "recovery: RX_BACK at the first packet (14 s)");
	CHECK(strcmp(verdict(&m), "ok") == 0, "recovery: ok, saw %s",
	      verdict(&m));
	gre_diag_message(&m.d, GD_EV_RX_BACK, "192.0.2.1", buf, sizeof(buf));
	CHECK(strstr(buf, "arrives now") && strstr(buf, "after 14 s"),
	      "RX_BACK text: %s", buf);
}

static void test_single_frame_unanswered(void)
{
	struct sim m;

	sim_init(&m, WIN, 0);
	send_frames(&m, 1);
	run(&m, NULL, 0, 60000, TICK);
	CHECK(m.nev == 0, "one frame, then idle: no event, saw %d", m.nev);
	/* Two frames 2 s apart at the start of a call, never a word back:
	 * that is a pattern (pppd retransmits), judged at 10 s. */
	sim_init(&m, WIN, 0);
	send_frames(&m, 1);
	run(&m, NULL, 0, 2000, TICK);
	send_frames(&m, 1);
	run(&m, NULL, 2000, 60000, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_RX &&
	      m.ev_t[0] == 5000 * SEC + 10 * SEC,
	      "two frames 2 s apart, nothing back: NO_RX at 10 s, saw %d",
	      m.nev);
}

static void test_stops_before_window(void)
{
	struct sim m;

	/* Blocked from the start, pppd sends for 5 s only: the frames of a
	 * call that never heard a word still count at 10 s. */
	sim_init(&m, WIN, 0);
	run(&m, we_send_only, 0, 5000, TICK);
	run(&m, NULL, 5000, 60000, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_RX,
	      "5 s of frames, blocked: one NO_RX, saw %d", m.nev);
	CHECK(m.nev == 1 && m.ev_t[0] == 5000 * SEC + 10 * SEC,
	      "at 10 s after the first frame");
	/* All frames in one turn: nothing went out within the window when
	 * it is over, so no pattern of sending. */
	sim_init(&m, WIN, 0);
	send_frames(&m, 3);
	run(&m, NULL, 0, 60000, TICK);
	CHECK(m.nev == 0, "one burst, then idle: no event, saw %d", m.nev);
}

/* An acking server on an idle link: one frame of ours is lost, the
 * next, much later, is answered at once.  The second frame must not
 * complete a "window" that began with the first. */
static void test_lost_once_then_idle(void)
{
	struct sim m;

	sim_init(&m, WIN, 0);
	run(&m, healthy, 0, 20000, TICK);
	send_request(&m, lcp_echoreq, sizeof(lcp_echoreq));	/* lost */
	run(&m, NULL, 20000, 100000, TICK);
	send_request(&m, lcp_echoreq, sizeof(lcp_echoreq));	/* answered */
	tick(&m);
	m.now += 50 * MS;
	m.s.rx_gre++;
	peer_ack_all(&m);
	run(&m, NULL, 120050, 30000, TICK);
	CHECK(m.nev == 0, "lost once, idle, answered: no event, saw %d (%s)",
	      m.nev, ev_name(m.ev[0]));
	/* The same while the server streams to us (its ack stays put
	 * until our next frame reaches it). */
	sim_init(&m, WIN, 0);
	run(&m, healthy, 0, 20000, TICK);
	send_frames(&m, 1);			/* lost */
	for (int i = 0; i < 1000; i++) {	/* 100 s of the server's data */
		peer_data(&m, ip_frame, sizeof(ip_frame));
		tick(&m);
		m.now += TICK;
	}
	send_frames(&m, 1);
	tick(&m);
	m.now += 50 * MS;
	peer_data(&m, ip_frame, sizeof(ip_frame));
	peer_ack_all(&m);
	for (int i = 0; i < 300; i++) {
		peer_data(&m, ip_frame, sizeof(ip_frame));
		tick(&m);
		m.now += TICK;
	}
	CHECK(m.nev == 0, "lost once while streaming, then acked: no event, "
	      "saw %d (%s)", m.nev, ev_name(m.ev[0]));
}

static void test_healthy(void)
{
	struct sim m;

	sim_init(&m, WIN, 0);
	run(&m, healthy, 0, 120000, TICK);
	CHECK(m.nev == 0, "healthy: no event, saw %d (first %s)", m.nev,
	      ev_name(m.ev[0]));
	CHECK(strcmp(verdict(&m), "ok") == 0, "healthy: ok, saw %s",
	      verdict(&m));
	CHECK(m.d.acks_us, "healthy: the server's acks were taken as proof");
	/* Ticks a second apart, as the gateway does when idle. */
	sim_init(&m, WIN, 0);
	run(&m, healthy, 0, 120000, SEC);
	CHECK(m.nev == 0, "healthy, 1 s ticks: no event, saw %d", m.nev);
}

static void test_server_without_acks(void)
{
	struct sim m;

	/* Data both ways, the server acks nothing but its PPP is up. */
	sim_init(&m, WIN, 0);
	run(&m, both_ways_no_acks, 0, 60000, TICK);
	CHECK(m.nev == 0, "no acks, both ways: no event, saw %d (first %s)",
	      m.nev, ev_name(m.ev[0]));
	CHECK(strcmp(verdict(&m), "ok") == 0, "no acks: ok, saw %s",
	      verdict(&m));
	/* Then a one-way flow from us: a server that never acks stays
	 * silent, and that proves nothing. */
	run(&m, we_send_only, 60000, 60000, TICK);
	CHECK(m.nev == 0, "no acks, one-way from us: no event, saw %d (%s)",
	      m.nev, ev_name(m.ev[0]));
	CHECK(strcmp(verdict(&m), "ok") == 0, "still ok, saw %s", verdict(&m));
}

static void test_server_goes_silent(void)
{
	struct sim m;
	char buf[512];

	/* Once the server has spoken, a one-way flow from us proves
	 * nothing, even from a server that acked before: Linux's kernel
	 * PPTP acks only on its own data. */
	sim_init(&m, WIN, 0);
	run(&m, healthy, 0, 20000, TICK);
	run(&m, we_send_only, 20000, 60000, TICK);
	CHECK(m.nev == 0, "acking server, one-way data from us: no event, "
	      "saw %d (%s)", m.nev, ev_name(m.ev[0]));
	/* LCP Echo-Requests must be answered: two unanswered, the first a
	 * window ago, the second half a window ago, is the pattern. */
	sim_init(&m, WIN, 0);
	run(&m, healthy, 0, 20000, TICK);
	run(&m, we_send_with_echo, 20000, 9000, TICK);
	CHECK(m.nev == 0, "echo requests at 22.5, 27.5 s: nothing at 29 s, saw "
	      "%d", m.nev);
	run(&m, we_send_with_echo, 29000, 30000, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_RX &&
	      m.ev_t[0] == 5000 * SEC + 32500 * MS,
	      "echo requests unanswered: NO_RX at 32.5 s, saw %d at %.1f",
	      m.nev, m.nev ? (double)(m.ev_t[0] - 5000 * SEC) / SEC : 0.0);
	gre_diag_message(&m.d, GD_EV_NO_RX, "192.0.2.1", buf, sizeof(buf));
	CHECK(strstr(buf, "sent 3 LCP requests") && strstr(buf, "in 10 s"),
	      "mid-call NO_RX text counts requests: %s", buf);
	run(&m, healthy, 59000, 10000, TICK);
	CHECK(m.nev == 2 && m.ev[1] == GD_EV_RX_BACK,
	      "then back: RX_BACK, saw %d", m.nev);
	/* The same from a server that never acked: requests decide. */
	sim_init(&m, WIN, 0);
	run(&m, both_ways_no_acks, 0, 20000, TICK);
	run(&m, we_send_with_echo, 20000, 30000, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_RX,
	      "non-acking server, echo requests unanswered: NO_RX, saw %d",
	      m.nev);
}

/* Our requests, answered: the server's replies close the span. */
static void test_requests_answered(void)
{
	struct sim m;

	sim_init(&m, WIN, 0);
	run(&m, healthy, 0, 5000, TICK);
	for (int i = 0; i < 600; i++) {		/* 60 s */
		if (i % 50 == 0) {
			send_request(&m, lcp_echoreq, sizeof(lcp_echoreq));
			tick(&m);
			m.now += TICK;
			peer_data(&m, ip_frame, sizeof(ip_frame));
			peer_ack_all(&m);
		}
		tick(&m);
		m.now += TICK;
	}
	CHECK(m.nev == 0, "echo requests answered: no event, saw %d (%s)",
	      m.nev, ev_name(m.ev[0]));
}

static void test_reverse_acks_stall(void)
{
	struct sim m;
	char buf[512];

	sim_init(&m, WIN, 0);
	run(&m, healthy, 0, 20000, TICK);
	CHECK(m.nev == 0 && m.d.acks_us, "reverse: healthy start");
	/* Our GRE is dropped on its way in at the server: its data still
	 * comes, its ack stays where it was. */
	run(&m, acks_stall, 20000, 9800, TICK);
	CHECK(m.nev == 0, "reverse: nothing before the window, saw %d",
	      m.nev);
	run(&m, acks_stall, 29800, 20000, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_TX,
	      "reverse: one NO_TX, saw %d (%s)", m.nev, ev_name(m.ev[0]));
	CHECK(strcmp(verdict(&m), "no-gre-to-server") == 0,
	      "reverse: verdict %s", verdict(&m));
	gre_diag_message(&m.d, GD_EV_NO_TX, "192.0.2.1", buf, sizeof(buf));
	CHECK(strstr(buf, "192.0.2.1") && strstr(buf, "protocol 47") &&
	      strstr(buf, "nf_conntrack_pptp") && strstr(buf, "does not reach") &&
	      strstr(buf, "in 10 s"),
	      "NO_TX text: %s", buf);
	/* The rule goes: the next ack covers our newest packet. */
	send_frames(&m, 1);
	peer_data(&m, ip_frame, sizeof(ip_frame));
	peer_ack_all(&m);
	run(&m, healthy, 49800, 10000, TICK);
	CHECK(m.nev == 2 && m.ev[1] == GD_EV_TX_BACK,
	      "reverse: TX_BACK, saw %d (%s)", m.nev,
	      ev_name(m.ev[m.nev - 1]));
	CHECK(strcmp(verdict(&m), "ok") == 0, "reverse back: ok, saw %s",
	      verdict(&m));
	gre_diag_message(&m.d, GD_EV_TX_BACK, "192.0.2.1", buf, sizeof(buf));
	CHECK(strstr(buf, "receives our GRE now"), "TX_BACK text: %s", buf);
}

static void test_reverse_stale_ack_only(void)
{
	struct sim m;

	/* The server sends only ack-only packets repeating an old ack. */
	sim_init(&m, WIN, 100);
	run(&m, healthy, 0, 5000, TICK);
	for (int i = 0; i < 200; i++) {
		if (i % 3 == 0)
			send_frames(&m, 1);
		m.s.rx_gre++;		/* ack-only, ack unchanged */
		tick(&m);
		m.now += TICK;
	}
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_TX,
	      "stale ack-only packets: NO_TX, saw %d (%s)", m.nev,
	      ev_name(m.ev[0]));
}

static void test_reverse_unheard(void)
{
	struct sim m;

	sim_init(&m, WIN, 0);
	run(&m, unheard, 0, 11400, TICK);
	CHECK(m.nev == 0, "unheard: nothing before the window, saw %d", m.nev);
	run(&m, unheard, 11400, 20000, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_TX,
	      "unheard (only LCP Configure-Requests, no acks): NO_TX, saw %d",
	      m.nev);
	CHECK(m.nev == 1 && m.ev_t[0] == 5000 * SEC + 11500 * MS,
	      "unheard: 10 s after our first frame (1.5 s), saw %.1f",
	      (double)(m.ev_t[0] - 5000 * SEC) / SEC);
	/* The server's Configure-Ack: it hears us now. */
	peer_data(&m, lcp_confack, sizeof(lcp_confack));
	tick(&m);
	CHECK(m.nev == 2 && m.ev[1] == GD_EV_TX_BACK,
	      "unheard: Configure-Ack brings TX_BACK, saw %d", m.nev);
}

static void test_unheard_but_answered(void)
{
	struct sim m;

	/* A server that never acks, but whose LCP answers: not blamed. */
	sim_init(&m, WIN, 0);
	run(&m, unheard, 0, 4000, TICK);
	peer_data(&m, lcp_confack, sizeof(lcp_confack));
	run(&m, unheard, 4000, 60000, TICK);
	CHECK(m.nev == 0, "answered LCP, no acks: no event, saw %d (%s)",
	      m.nev, ev_name(m.ev[0]));
}

static void test_bogus_acks_prove_nothing(void)
{
	struct sim m;

	/* The A bit with our first sequence number (0), or with a number we
	 * never sent, is no proof of hearing. */
	sim_init(&m, WIN, 0);
	m.s.peer_acked = true;
	m.s.peer_ack = 0;
	run(&m, unheard, 0, 20000, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_TX && !m.d.acks_us,
	      "ack 0: still unheard, saw %d events, acks_us=%d", m.nev,
	      m.d.acks_us);
	sim_init(&m, WIN, 0);
	m.s.peer_acked = true;
	m.s.peer_ack = 1000;
	run(&m, unheard, 0, 20000, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_TX && !m.d.acks_us,
	      "ack beyond what we sent: no proof, saw %d, acks_us=%d", m.nev,
	      m.d.acks_us);
	CHECK(m.d.max_ack == 0, "max_ack untouched");
}

static void test_wrap(void)
{
	struct sim m;

	/* Our sequence numbers wrap during a healthy call. */
	sim_init(&m, WIN, 0xfffffff0u);
	run(&m, healthy, 0, 60000, TICK);
	CHECK(m.nev == 0 && m.d.acks_us && m.s.tx_next_seq < 1000,
	      "wrap: healthy, no event (%d), next seq %u", m.nev,
	      m.s.tx_next_seq);
	run(&m, acks_stall, 60000, 20000, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_TX,
	      "wrap: stall after the wrap found, saw %d", m.nev);
}

static void test_rx_back_then_no_tx(void)
{
	struct sim m;

	/* Acking server; both directions cut; then only the server's
	 * direction comes back: RX_BACK, then NO_TX on a later turn. */
	sim_init(&m, WIN, 0);
	run(&m, healthy, 0, 10000, TICK);
	run(&m, we_send_with_echo, 10000, 15000, TICK);
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_RX, "cut: NO_RX");
	run(&m, acks_stall, 25000, 5000, TICK);
	CHECK(m.nev == 3 && m.ev[1] == GD_EV_RX_BACK && m.ev[2] == GD_EV_NO_TX,
	      "half back: RX_BACK then NO_TX, saw %d events (%s, %s)", m.nev,
	      ev_name(m.ev[1]), ev_name(m.ev[2]));
	CHECK(m.nev == 3 && m.ev_t[2] > m.ev_t[1],
	      "one transition per update");
}

static void test_same_turn_is_conservative(void)
{
	struct sim m;

	/* Each of our frames shows up in the same turn as a server packet:
	 * which came first is unknown, so the frames count as before it. */
	sim_init(&m, WIN, 0);
	for (int i = 0; i < 300; i++) {
		if (i % 5 == 0) {
			send_frames(&m, 1);
			peer_data(&m, ip_frame, sizeof(ip_frame));
		}
		tick(&m);
		m.now += TICK;
	}
	CHECK(m.nev == 0, "same-turn traffic: no event, saw %d (%s)", m.nev,
	      ev_name(m.ev[0]));
	/* The same without PPP frames to look at (ack-only packets from a
	 * server that never acks ours): no NO_RX, but the server shows no
	 * sign of hearing us, which is NO_TX. */
	sim_init(&m, WIN, 0);
	for (int i = 0; i < 300; i++) {
		if (i % 5 == 0) {
			send_frames(&m, 1);
			m.s.rx_gre++;
		}
		tick(&m);
		m.now += TICK;
	}
	CHECK(count_ev(&m, GD_EV_NO_RX) == 0 && count_ev(&m, GD_EV_NO_TX) == 1,
	      "same-turn, no PPP evidence: NO_TX only, saw %d events", m.nev);
}

static void test_ppp_classes(void)
{
	static const struct {
		const char *what;
		uint8_t f[8];
		size_t len;
		bool answers;
	} v[] = {
		{ "LCP Configure-Request", { 0xff, 3, 0xc0, 0x21, 1 }, 5, false },
		{ "LCP Configure-Ack", { 0xff, 3, 0xc0, 0x21, 2 }, 5, true },
		{ "LCP Configure-Nak", { 0xff, 3, 0xc0, 0x21, 3 }, 5, true },
		{ "LCP Configure-Reject", { 0xff, 3, 0xc0, 0x21, 4 }, 5, true },
		{ "LCP Terminate-Request", { 0xff, 3, 0xc0, 0x21, 5 }, 5, false },
		{ "LCP Terminate-Ack", { 0xff, 3, 0xc0, 0x21, 6 }, 5, false },
		{ "LCP Protocol-Reject", { 0xff, 3, 0xc0, 0x21, 8 }, 5, true },
		{ "LCP Echo-Request", { 0xff, 3, 0xc0, 0x21, 9 }, 5, true },
		{ "LCP Identification", { 0xff, 3, 0xc0, 0x21, 12 }, 5, false },
		{ "LCP without code", { 0xff, 3, 0xc0, 0x21 }, 4, false },
		{ "CHAP", { 0xff, 3, 0xc2, 0x23, 1 }, 5, true },
		{ "IPCP without ff 03", { 0x80, 0x21, 1 }, 3, true },
		{ "IPv4, protocol compressed", { 0x21, 0x45 }, 2, true },
		{ "MPPE", { 0x00, 0xfd, 0x90 }, 3, true },
		{ "even protocol (invalid)", { 0xff, 3, 0x00, 0x20, 0 }, 5, false },
		{ "protocol only", { 0xff, 3, 0x80, 0x21 }, 4, false },
		{ "compressed protocol only", { 0x21 }, 1, false },
		{ "ff 03 alone", { 0xff, 3 }, 2, false },
		{ "one byte", { 0xff }, 1, false },
		{ "empty", { 0 }, 0, false },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct gre_diag d;

		gre_diag_init(&d, WIN, 0);
		gre_diag_peer_frame(&d, v[i].f, v[i].len);
		CHECK(d.ppp_heard == v[i].answers,
		      "%s: expected answers=%d, saw %d", v[i].what,
		      v[i].answers, d.ppp_heard);
	}
	/* Our requests. */
	{
		static const struct {
			const char *what;
			uint8_t f[6];
			size_t len;
			uint32_t counted;
		} r[] = {
			{ "Configure-Request", { 0xff, 3, 0xc0, 0x21, 1, 1 }, 6, 1 },
			{ "Terminate-Request", { 0xff, 3, 0xc0, 0x21, 5, 1 }, 6, 1 },
			{ "Echo-Request", { 0xff, 3, 0xc0, 0x21, 9, 1 }, 6, 1 },
			{ "Echo-Request, no ff 03", { 0xc0, 0x21, 9, 1 }, 4, 1 },
			{ "Echo-Reply", { 0xff, 3, 0xc0, 0x21, 10, 1 }, 6, 0 },
			{ "Configure-Ack", { 0xff, 3, 0xc0, 0x21, 2, 1 }, 6, 0 },
			{ "IPv4", { 0xff, 3, 0x00, 0x21, 0x45, 0 }, 6, 0 },
			{ "LCP without code", { 0xff, 3, 0xc0, 0x21 }, 4, 0 },
			{ "ff 03 c0", { 0xff, 3, 0xc0 }, 3, 0 },
			{ "empty", { 0 }, 0, 0 },
		};

		for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
			struct gre_diag d;

			gre_diag_init(&d, WIN, 0);
			gre_diag_our_frame(&d, r[i].f, r[i].len);
			CHECK(d.requests == r[i].counted,
			      "ours, %s: expected %u request, saw %u",
			      r[i].what, r[i].counted, d.requests);
		}
	}
	/* Off: nothing looked at. */
	{
		struct gre_diag d;

		gre_diag_init(&d, 0, 0);
		gre_diag_peer_frame(&d, lcp_confack, sizeof(lcp_confack));
		CHECK(!d.ppp_heard, "off: frames not looked at");
	}
}

static void test_message_truncation(void)
{
	struct sim m;
	char small[16];
	int n;

	sim_init(&m, WIN, 0);
	run(&m, pppd_lcp, 0, 12000, TICK);
	n = gre_diag_message(&m.d, GD_EV_NO_RX, "192.0.2.1", small,
			     sizeof(small));
	CHECK(n > (int)sizeof(small) && strlen(small) == sizeof(small) - 1,
	      "truncated safely: n=%d len=%zu", n, strlen(small));
	CHECK(strcmp(gre_diag_verdict_name((enum gre_diag_verdict)99), "?") == 0,
	      "unknown verdict name");
}

static void test_short_window(void)
{
	struct sim m;

	/* --gre-check 3, as the namespace suite uses: stub frames 5/s. */
	sim_init(&m, 3, 0);
	for (int i = 0; i < 100; i++) {
		if (i % 2 == 0)
			send_frames(&m, 1);
		tick(&m);
		m.now += TICK;
	}
	CHECK(m.nev == 1 && m.ev[0] == GD_EV_NO_RX &&
	      m.ev_t[0] == 5000 * SEC + 3 * SEC,
	      "3 s window: NO_RX at 3 s, saw %d", m.nev);
}

int main(void)
{
	test_off();
	test_idle();
	test_blocked_from_start();
	test_recovery();
	test_single_frame_unanswered();
	test_stops_before_window();
	test_lost_once_then_idle();
	test_healthy();
	test_server_without_acks();
	test_server_goes_silent();
	test_requests_answered();
	test_reverse_acks_stall();
	test_reverse_stale_ack_only();
	test_reverse_unheard();
	test_unheard_but_answered();
	test_bogus_acks_prove_nothing();
	test_wrap();
	test_rx_back_then_no_tx();
	test_same_turn_is_conservative();
	test_ppp_classes();
	test_message_truncation();
	test_short_window();
	return check_done("test_gre_diag");
}
