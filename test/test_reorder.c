/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_reorder.c: unit tests for the GRE receive reorder queue. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "reorder.h"

#define MS 1000u
#define TIMEOUT_US (100 * MS)
#define SINK_MAX 4096
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* What the "pppd side" received. */
struct sink {
	uint32_t seq[SINK_MAX];
	size_t n;
	uint64_t lost;
	int bad_payload;
	size_t max_queued;
};

static const char *verdict_name(enum reorder_verdict v)
{
	static const char *const names[] = { "DELIVER", "QUEUED", "DUP",
					     "OLD", "OVER", "TOOBIG" };
	return (unsigned)v < NELEM(names) ? names[v] : "?";
}

static uint8_t payload_byte(uint32_t seq, size_t i)
{
	return (uint8_t)(seq * 7u + i * 13u + (seq >> 8));
}

static void make_payload(uint8_t *buf, uint32_t seq, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = payload_byte(seq, i);
}

/* Payload length used for a sequence number: varies, never 0. */
static size_t len_for(uint32_t seq)
{
	return 1 + (seq * 37u) % 1500u;
}

static void record(struct sink *s, uint32_t seq, const uint8_t *data,
		   size_t len)
{
	if (len != len_for(seq))
		s->bad_payload++;
	for (size_t i = 0; i < len; i++)
		if (data[i] != payload_byte(seq, i)) {
			s->bad_payload++;
			break;
		}
	if (s->n < SINK_MAX)
		s->seq[s->n] = seq;
	s->n++;
}

static void drain(struct reorder *q, struct sink *s, uint64_t now)
{
	const uint8_t *data;
	uint32_t seq, lost = 0;
	size_t len;

	while ((len = reorder_pop(q, now, &data, &seq, &lost)) > 0)
		record(s, seq, data, len);
	s->lost += lost;
}

/* Push one packet as the receive path would, then drain. */
static enum reorder_verdict feed(struct reorder *q, struct sink *s,
				 uint32_t seq, uint64_t now)
{
	static uint8_t buf[REORDER_PKT_MAX];
	size_t len = len_for(seq);
	uint32_t lost = 12345;
	enum reorder_verdict v;

	make_payload(buf, seq, len);
	v = reorder_push(q, seq, buf, len, now, &lost);
	s->lost += lost;
	if (v == RO_DELIVER)
		record(s, seq, buf, len);
	if (reorder_queued(q) > s->max_queued)
		s->max_queued = reorder_queued(q);
	drain(q, s, now);
	return v;
}

#define FEED(q, s, seq, now, expect)                                        \
	do {                                                                \
		enum reorder_verdict v_ = feed(q, s, seq, now);             \
		CHECK(v_ == (expect), "push %#x: expected %s, saw %s",       \
		      (unsigned)(seq), verdict_name(expect), verdict_name(v_)); \
	} while (0)

static void expect_delivered(const struct sink *s, const uint32_t *exp,
			     size_t n, uint64_t lost, const char *what)
{
	size_t first_diff = n;

	for (size_t i = 0; i < n && i < s->n; i++)
		if (s->seq[i] != exp[i]) {
			first_diff = i;
			break;
		}
	CHECK(s->n == n && first_diff == n,
	      "%s: expected %zu deliveries, saw %zu; first difference at %zu "
	      "(expected %#x, saw %#x)",
	      what, n, s->n, first_diff, first_diff < n ? exp[first_diff] : 0,
	      first_diff < n && first_diff < s->n ? s->seq[first_diff] : 0);
	CHECK(s->lost == lost, "%s: expected lost %llu, saw %llu", what,
	      (unsigned long long)lost, (unsigned long long)s->lost);
	CHECK(s->bad_payload == 0, "%s: expected intact payloads, saw %d bad",
	      what, s->bad_payload);
}

static void test_in_order(void)
{
	struct reorder q;
	struct sink s = { 0 };
	uint32_t last = 0;

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	CHECK(!reorder_last_delivered(&q, &last),
	      "last_delivered before any: expected false");
	CHECK(reorder_deadline(&q) == UINT64_MAX,
	      "deadline empty: expected UINT64_MAX");
	FEED(&q, &s, 1, 0, RO_DELIVER);
	FEED(&q, &s, 2, 0, RO_DELIVER);
	FEED(&q, &s, 3, 0, RO_DELIVER);
	static const uint32_t exp[] = { 1, 2, 3 };
	expect_delivered(&s, exp, NELEM(exp), 0, "in order");
	CHECK(reorder_last_delivered(&q, &last) && last == 3,
	      "last_delivered: expected 3, saw %u", last);
	CHECK(q.store == NULL, "in-order traffic must not allocate slots");
	reorder_free(&q);
}

static void test_first_sets_expected(void)
{
	struct reorder q;
	struct sink s = { 0 };

	reorder_init(&q, TIMEOUT_US, 0, false); /* 0: default window */
	FEED(&q, &s, 0xFFFFFFFFu, 0, RO_DELIVER);
	FEED(&q, &s, 0xFFFFFFFEu, 0, RO_OLD);
	FEED(&q, &s, 0, 0, RO_DELIVER);
	FEED(&q, &s, REORDER_DEFAULT_WINDOW + 1, 0, RO_OVER); /* exactly window */
	FEED(&q, &s, REORDER_DEFAULT_WINDOW, 0, RO_QUEUED);   /* window - 1 */
	static const uint32_t exp[] = { 0xFFFFFFFFu, 0 };
	expect_delivered(&s, exp, NELEM(exp), 0, "first packet");
	reorder_free(&q);
}

static void test_simple_reorder(void)
{
	struct reorder q;
	struct sink s = { 0 };

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	FEED(&q, &s, 1, 0, RO_DELIVER);
	FEED(&q, &s, 3, 0, RO_QUEUED);
	FEED(&q, &s, 5, 0, RO_QUEUED);
	FEED(&q, &s, 4, 0, RO_QUEUED);
	CHECK(reorder_queued(&q) == 3, "queued: expected 3, saw %zu",
	      reorder_queued(&q));
	CHECK(reorder_deadline(&q) == TIMEOUT_US,
	      "deadline: expected %u, saw %llu", TIMEOUT_US,
	      (unsigned long long)reorder_deadline(&q));
	FEED(&q, &s, 2, 1 * MS, RO_DELIVER);
	static const uint32_t exp[] = { 1, 2, 3, 4, 5 };
	expect_delivered(&s, exp, NELEM(exp), 0, "simple reorder");
	CHECK(reorder_queued(&q) == 0, "queued after: expected 0, saw %zu",
	      reorder_queued(&q));
	uint32_t last = 0;
	CHECK(reorder_last_delivered(&q, &last) && last == 5,
	      "last_delivered: expected 5, saw %u", last);
	reorder_free(&q);
}

/* pptp-linux mishandles a duplicate of a queued packet. */
static void test_duplicate_queued(void)
{
	struct reorder q;
	struct sink s = { 0 };

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	FEED(&q, &s, 10, 0, RO_DELIVER);
	FEED(&q, &s, 12, 0, RO_QUEUED);
	FEED(&q, &s, 13, 0, RO_QUEUED);
	FEED(&q, &s, 14, 0, RO_QUEUED);
	FEED(&q, &s, 12, 0, RO_DUP);
	FEED(&q, &s, 14, 0, RO_DUP);
	FEED(&q, &s, 13, 0, RO_DUP);
	CHECK(reorder_queued(&q) == 3, "queued after dups: expected 3, saw %zu",
	      reorder_queued(&q));
	FEED(&q, &s, 11, 0, RO_DELIVER);
	FEED(&q, &s, 12, 0, RO_OLD);
	FEED(&q, &s, 10, 0, RO_OLD);
	FEED(&q, &s, 15, 0, RO_DELIVER);
	static const uint32_t exp[] = { 10, 11, 12, 13, 14, 15 };
	expect_delivered(&s, exp, NELEM(exp), 0, "duplicate queued");
	reorder_free(&q);
}

/* Bogus far-away sequence numbers across the wrap must not disturb. */
static void test_far_across_wrap(void)
{
	struct reorder q;
	struct sink s = { 0 };

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	FEED(&q, &s, 0xFFFFFFFEu, 0, RO_DELIVER);
	FEED(&q, &s, 0xFFFFFFFFu, 0, RO_DELIVER);
	FEED(&q, &s, 0, 0, RO_DELIVER);
	FEED(&q, &s, 1, 0, RO_DELIVER);
	/* expected is 2 */
	FEED(&q, &s, 2u + 0x80000000u, 0, RO_OVER);  /* 2^31 ahead */
	FEED(&q, &s, 2u + 0x7FFFFFFFu, 0, RO_OVER);  /* 2^31 - 1 ahead */
	FEED(&q, &s, 2u - 1000u, 0, RO_OLD);         /* 1000 behind, wrapped */
	FEED(&q, &s, 2u + 0x80000001u, 0, RO_OLD);   /* 2^31 - 1 behind */
	FEED(&q, &s, 4, 0, RO_QUEUED);
	FEED(&q, &s, 2u - 1000u, 0, RO_OLD);
	FEED(&q, &s, 2u + 0x80000000u, 0, RO_OVER);
	FEED(&q, &s, 2u + REORDER_DEFAULT_WINDOW, 0, RO_OVER);
	FEED(&q, &s, 2, 0, RO_DELIVER);
	FEED(&q, &s, 3, 0, RO_DELIVER);
	FEED(&q, &s, 5, 0, RO_DELIVER);
	static const uint32_t exp[] = { 0xFFFFFFFEu, 0xFFFFFFFFu, 0, 1, 2, 3, 4, 5 };
	expect_delivered(&s, exp, NELEM(exp), 0, "far across wrap");
	CHECK(reorder_queued(&q) == 0, "queued: expected 0, saw %zu",
	      reorder_queued(&q));
	reorder_free(&q);
}

static void test_wrap_around(void)
{
	struct reorder q;
	struct sink s = { 0 };
	uint32_t exp[64];
	size_t n = 0;

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	/* 0xFFFFFFF0 .. 0x10 with pairs swapped, one swap across the wrap */
	static const uint32_t order[] = {
		0xFFFFFFF0u, 0xFFFFFFF2u, 0xFFFFFFF1u, 0xFFFFFFF3u, 0xFFFFFFF4u,
		0xFFFFFFF5u, 0xFFFFFFF6u, 0xFFFFFFF7u, 0xFFFFFFF8u, 0xFFFFFFF9u,
		0xFFFFFFFAu, 0xFFFFFFFBu, 0xFFFFFFFCu, 0xFFFFFFFDu, 0x0u,
		0xFFFFFFFFu, 0x1u, 0xFFFFFFFEu, 0x2u, 0x4u, 0x3u, 0x5u, 0x6u, 0x7u,
		0x8u, 0x9u, 0xAu, 0xBu, 0xCu, 0xDu, 0xEu, 0x10u, 0xFu,
	};
	for (size_t i = 0; i < NELEM(order); i++)
		feed(&q, &s, order[i], i);
	for (uint32_t seq = 0xFFFFFFF0u; seq != 0x11u; seq++)
		exp[n++] = seq;
	expect_delivered(&s, exp, n, 0, "wrap 0xFFFFFFF0..0x10");
	uint32_t last = 0;
	CHECK(reorder_last_delivered(&q, &last) && last == 0x10,
	      "last_delivered: expected 0x10, saw %#x", last);
	reorder_free(&q);
}

static void test_nobuffer(void)
{
	struct reorder q;
	struct sink s = { 0 };
	uint32_t lost = 0;
	static uint8_t buf[16];

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, true);
	FEED(&q, &s, 10, 0, RO_DELIVER);
	FEED(&q, &s, 11, 0, RO_DELIVER);
	CHECK(reorder_push(&q, 15, buf, 0, 0, &lost) == RO_DELIVER && lost == 3,
	      "nobuffer 15 after 11: expected DELIVER lost 3, saw lost %u",
	      lost);
	FEED(&q, &s, 13, 0, RO_OLD);
	FEED(&q, &s, 15, 0, RO_OLD);
	FEED(&q, &s, 16, 0, RO_DELIVER);
	FEED(&q, &s, 16 + REORDER_DEFAULT_WINDOW + 1, 0, RO_OVER);
	FEED(&q, &s, 16 + REORDER_DEFAULT_WINDOW, 0, RO_DELIVER);
	FEED(&q, &s, 16 + REORDER_DEFAULT_WINDOW + 1, 0, RO_DELIVER);
	static const uint32_t exp[] = { 10, 11, 16, 16 + REORDER_DEFAULT_WINDOW,
					16 + REORDER_DEFAULT_WINDOW + 1 };
	expect_delivered(&s, exp, NELEM(exp), REORDER_DEFAULT_WINDOW - 1,
			 "nobuffer");
	CHECK(reorder_queued(&q) == 0 && q.store == NULL,
	      "nobuffer never queues nor allocates");
	reorder_free(&q);
	/* across the wrap, the gap is exact */
	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, true);
	reorder_push(&q, 0xFFFFFFFDu, buf, 1, 0, &lost);
	CHECK(reorder_push(&q, 2, buf, 1, 0, &lost) == RO_DELIVER && lost == 4,
	      "nobuffer wrap 0xFFFFFFFD->2: expected lost 4, saw %u", lost);
	reorder_free(&q);
}

static void test_resync(void)
{
	struct reorder q;
	struct sink s = { 0 };
	uint32_t lost = 0;

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	FEED(&q, &s, 10, 0, RO_DELIVER);
	FEED(&q, &s, 11, 0, RO_DELIVER);
	FEED(&q, &s, 13, 0, RO_QUEUED); /* 12 missing */
	/* a broken run does not resync */
	FEED(&q, &s, 5000, 0, RO_OVER);
	FEED(&q, &s, 5001, 0, RO_OVER);
	FEED(&q, &s, 5003, 0, RO_OVER);
	FEED(&q, &s, 5004, 0, RO_OVER);
	FEED(&q, &s, 5005, 0, RO_OVER);
	CHECK(reorder_queued(&q) == 1, "after broken run: expected 1 queued, saw %zu",
	      reorder_queued(&q));
	/* in-window traffic between run members does not break a run */
	FEED(&q, &s, 12, 0, RO_DELIVER); /* releases 13 */
	FEED(&q, &s, 15, 0, RO_QUEUED);  /* 14 missing */
	/* 5006 completes 5003..5006 */
	static uint8_t buf[REORDER_PKT_MAX];
	make_payload(buf, 5006, len_for(5006));
	enum reorder_verdict v =
		reorder_push(&q, 5006, buf, len_for(5006), 0, &lost);
	CHECK(v == RO_DELIVER, "resync push: expected DELIVER, saw %s",
	      verdict_name(v));
	CHECK(lost == 5006 - 14, "resync lost: expected %u, saw %u", 5006 - 14,
	      lost);
	if (v == RO_DELIVER)
		record(&s, 5006, buf, len_for(5006));
	s.lost += lost;
	CHECK(reorder_queued(&q) == 0,
	      "resync drops the held packets: expected 0 queued, saw %zu",
	      reorder_queued(&q));
	drain(&q, &s, 0);
	FEED(&q, &s, 15, 0, RO_OLD);
	FEED(&q, &s, 5005, 0, RO_OLD);
	FEED(&q, &s, 5007, 0, RO_DELIVER);
	static const uint32_t exp[] = { 10, 11, 12, 13, 5006, 5007 };
	expect_delivered(&s, exp, NELEM(exp), 5006 - 14, "resync");

	reorder_free(&q);

	/* resync across the wrap, in nobuffer mode too */
	for (int nobuf = 0; nobuf <= 1; nobuf++) {
		struct sink t = { 0 };

		reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, nobuf);
		FEED(&q, &t, 0xFFFFFF00u, 0, RO_DELIVER);
		for (uint32_t k = 0; k < REORDER_RESYNC_RUN - 1; k++)
			FEED(&q, &t, 0x100u + k, 0, RO_OVER);
		FEED(&q, &t, 0x100u + REORDER_RESYNC_RUN - 1, 0, RO_DELIVER);
		FEED(&q, &t, 0x100u + REORDER_RESYNC_RUN, 0, RO_DELIVER);
		const uint32_t exp2[] = { 0xFFFFFF00u, 0x100u + REORDER_RESYNC_RUN - 1,
					  0x100u + REORDER_RESYNC_RUN };
		expect_delivered(&t, exp2, NELEM(exp2),
				 0x100u + REORDER_RESYNC_RUN - 1 - 0xFFFFFF01u,
				 nobuf ? "resync wrap nobuffer" : "resync wrap");
		reorder_free(&q);
	}
	reorder_free(&q);
}

static void test_timeout(void)
{
	struct reorder q;
	struct sink s = { 0 };
	uint64_t t0 = 5000000; /* arbitrary monotonic origin */

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	FEED(&q, &s, 1, t0, RO_DELIVER);
	FEED(&q, &s, 4, t0, RO_QUEUED);
	FEED(&q, &s, 6, t0 + 10 * MS, RO_QUEUED);
	FEED(&q, &s, 3, t0 + 20 * MS, RO_QUEUED);
	CHECK(reorder_deadline(&q) == t0 + TIMEOUT_US,
	      "deadline: expected t0+100ms, saw t0%+lld",
	      (long long)(reorder_deadline(&q) - t0));
	drain(&q, &s, t0 + TIMEOUT_US - 1);
	CHECK(s.n == 1, "before timeout: expected 1 delivery, saw %zu", s.n);
	drain(&q, &s, t0 + TIMEOUT_US);
	/* 4, the oldest, has waited 100ms: 2 given up, 3 and 4 out; 6 has
	 * waited only 90ms, so the gap at 5 stays */
	static const uint32_t exp1[] = { 1, 3, 4 };
	expect_delivered(&s, exp1, NELEM(exp1), 1, "timeout step 1");
	CHECK(reorder_deadline(&q) == t0 + 10 * MS + TIMEOUT_US,
	      "deadline for 6: expected t0+110ms, saw t0%+lld",
	      (long long)(reorder_deadline(&q) - t0));
	drain(&q, &s, t0 + 10 * MS + TIMEOUT_US - 1);
	CHECK(s.n == 3, "6 before its deadline: expected 3 deliveries, saw %zu",
	      s.n);
	FEED(&q, &s, 8, t0 + 105 * MS, RO_QUEUED);
	drain(&q, &s, t0 + 10 * MS + TIMEOUT_US);
	static const uint32_t exp2[] = { 1, 3, 4, 6 };
	expect_delivered(&s, exp2, NELEM(exp2), 2, "timeout step 2");
	CHECK(reorder_deadline(&q) == t0 + 205 * MS,
	      "deadline for 8: expected t0+205ms, saw t0%+lld",
	      (long long)(reorder_deadline(&q) - t0));
	FEED(&q, &s, 7, t0 + 150 * MS, RO_DELIVER);
	static const uint32_t exp3[] = { 1, 3, 4, 6, 7, 8 };
	expect_delivered(&s, exp3, NELEM(exp3), 2, "timeout step 3");
	CHECK(reorder_deadline(&q) == UINT64_MAX,
	      "deadline empty: expected UINT64_MAX");
	reorder_free(&q);
}

/* Every gap times out together, and the release order is ascending. */
static void test_timeout_order(void)
{
	struct reorder q;
	struct sink s = { 0 };
	static const uint32_t pushes[] = { 100, 140, 120, 110, 130, 105, 139 };

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	for (size_t i = 0; i < NELEM(pushes); i++)
		FEED(&q, &s, pushes[i], i * MS, i ? RO_QUEUED : RO_DELIVER);
	drain(&q, &s, 1 * MS + TIMEOUT_US);
	static const uint32_t exp[] = { 100, 105, 110, 120, 130, 139, 140 };
	expect_delivered(&s, exp, NELEM(exp), 40 - 6, "timeout order");
	reorder_free(&q);
}

static void test_queue_full(void)
{
	struct reorder q;
	struct sink s = { 0 };
	uint32_t seq = 3;

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	FEED(&q, &s, 1, 0, RO_DELIVER);
	/* 3, 5, 7, ...: every other one missing */
	for (int i = 0; i < REORDER_CAP - 1; i++, seq += 2)
		FEED(&q, &s, seq, 0, RO_QUEUED);
	CHECK(s.n == 1 && reorder_queued(&q) == REORDER_CAP - 1,
	      "one short of full: expected 1 delivered %d queued, saw %zu %zu",
	      REORDER_CAP - 1, s.n, reorder_queued(&q));
	CHECK(reorder_deadline(&q) == TIMEOUT_US,
	      "deadline not full: expected %u", TIMEOUT_US);
	FEED(&q, &s, seq, 0, RO_QUEUED); /* fills the queue: head released */
	seq += 2;
	static const uint32_t exp1[] = { 1, 3 };
	expect_delivered(&s, exp1, NELEM(exp1), 1, "queue full");
	CHECK(reorder_queued(&q) == REORDER_CAP - 1,
	      "after full release: expected %d queued, saw %zu", REORDER_CAP - 1,
	      reorder_queued(&q));
	FEED(&q, &s, seq, 0, RO_QUEUED);
	static const uint32_t exp2[] = { 1, 3, 5 };
	expect_delivered(&s, exp2, NELEM(exp2), 2, "queue full again");
	CHECK(s.max_queued == REORDER_CAP, "max queued: expected %d, saw %zu",
	      REORDER_CAP, s.max_queued);

	/* a caller that does not drain finds the queue full: RO_OVER */
	static uint8_t buf[4];
	uint32_t lost;
	seq += 2;
	enum reorder_verdict v = reorder_push(&q, seq, buf, 1, 0, &lost);
	CHECK(v == RO_QUEUED, "fill without drain: expected QUEUED, saw %s",
	      verdict_name(v));
	CHECK(reorder_deadline(&q) == 0, "deadline when full: expected 0");
	v = reorder_push(&q, seq + 2, buf, 1, 0, &lost);
	CHECK(v == RO_OVER, "push into full queue: expected OVER, saw %s",
	      verdict_name(v));
	CHECK(reorder_queued(&q) == REORDER_CAP, "still full: saw %zu",
	      reorder_queued(&q));
	reorder_free(&q);
}

static void test_toobig(void)
{
	struct reorder q;
	static uint8_t buf[REORDER_PKT_MAX + 1];
	uint32_t lost, seq = 0;
	const uint8_t *data = NULL;
	enum reorder_verdict v;

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	v = reorder_push(&q, 1, buf, REORDER_PKT_MAX + 1, 0, &lost);
	CHECK(v == RO_DELIVER, "big in order: expected DELIVER, saw %s",
	      verdict_name(v));
	v = reorder_push(&q, 3, buf, REORDER_PKT_MAX + 1, 0, &lost);
	CHECK(v == RO_TOOBIG, "big ahead: expected TOOBIG, saw %s",
	      verdict_name(v));
	CHECK(reorder_queued(&q) == 0, "TOOBIG not queued");
	make_payload(buf, 4, REORDER_PKT_MAX);
	v = reorder_push(&q, 4, buf, REORDER_PKT_MAX, 0, &lost);
	CHECK(v == RO_QUEUED, "max size ahead: expected QUEUED, saw %s",
	      verdict_name(v));
	memset(buf, 0, sizeof(buf)); /* the queue holds its own copy */
	v = reorder_push(&q, 2, buf, 10, 0, &lost);
	CHECK(v == RO_DELIVER, "2: expected DELIVER");
	lost = 0;
	size_t len = reorder_pop(&q, TIMEOUT_US, &data, &seq, &lost);
	bool same = len == REORDER_PKT_MAX;
	for (size_t i = 0; same && i < len; i++)
		same = data[i] == payload_byte(4, i);
	CHECK(same && seq == 4 && lost == 1,
	      "pop 4 after timeout: expected len %d seq 4 lost 1 and its bytes, "
	      "saw len %zu seq %u lost %u", REORDER_PKT_MAX, len, seq, lost);
	reorder_free(&q);
}

static void test_give_up_gaps(void)
{
	struct reorder q;
	struct sink s = { 0 };

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	FEED(&q, &s, 1, 0, RO_DELIVER);
	FEED(&q, &s, 3, 0, RO_QUEUED);
	FEED(&q, &s, 6, 0, RO_QUEUED);
	reorder_give_up_gaps(&q);
	CHECK(reorder_deadline(&q) == 0, "deadline after give up: expected 0");
	/* the packet that revealed the drops is covered too */
	FEED(&q, &s, 9, 0, RO_QUEUED);
	static const uint32_t exp[] = { 1, 3, 6, 9 };
	expect_delivered(&s, exp, NELEM(exp), 5, "give up gaps");
	/* pushed after that pop: waits as usual */
	FEED(&q, &s, 12, 1 * MS, RO_QUEUED);
	CHECK(s.n == 4, "after give up: expected 4 deliveries, saw %zu", s.n);
	CHECK(reorder_deadline(&q) == 1 * MS + TIMEOUT_US,
	      "later packet deadline: expected %u, saw %llu", 1 * MS + TIMEOUT_US,
	      (unsigned long long)reorder_deadline(&q));
	drain(&q, &s, 1 * MS + TIMEOUT_US);
	static const uint32_t exp2[] = { 1, 3, 6, 9, 12 };
	expect_delivered(&s, exp2, NELEM(exp2), 7, "give up then timeout");

	/* armed on an empty queue: the next pop releases what is held then */
	reorder_give_up_gaps(&q);
	FEED(&q, &s, 15, 2 * MS + TIMEOUT_US, RO_QUEUED);
	static const uint32_t exp3[] = { 1, 3, 6, 9, 12, 15 };
	expect_delivered(&s, exp3, NELEM(exp3), 9, "give up on empty queue");
	reorder_free(&q);
}

/* The caller pushes without draining: no duplicate, nothing out of order. */
static void test_push_without_drain(void)
{
	struct reorder q;
	static uint8_t buf[8];
	uint32_t lost, seq = 0;
	const uint8_t *data;
	enum reorder_verdict v;

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	reorder_push(&q, 1, buf, 1, 0, &lost);
	reorder_push(&q, 3, buf, 1, 0, &lost);
	v = reorder_push(&q, 2, buf, 1, 0, &lost);
	CHECK(v == RO_DELIVER, "2: expected DELIVER, saw %s", verdict_name(v));
	CHECK(reorder_deadline(&q) == 0, "head deliverable: expected deadline 0");
	v = reorder_push(&q, 3, buf, 1, 0, &lost);
	CHECK(v == RO_DUP, "3 again while held: expected DUP, saw %s",
	      verdict_name(v));
	v = reorder_push(&q, 5, buf, 1, 0, &lost);
	CHECK(v == RO_QUEUED, "5: expected QUEUED, saw %s", verdict_name(v));
	lost = 0;
	size_t len = reorder_pop(&q, 0, &data, &seq, &lost);
	CHECK(len == 1 && seq == 3 && lost == 0, "pop: expected 3, saw len %zu seq %u",
	      len, seq);
	len = reorder_pop(&q, 0, &data, &seq, &lost);
	CHECK(len == 0, "pop: expected nothing (4 missing), saw seq %u", seq);
	reorder_free(&q);
}

static void test_empty_payload(void)
{
	struct reorder q;
	static uint8_t buf[8];
	uint32_t lost = 0, seq = 0, last = 0;
	const uint8_t *data;

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	reorder_push(&q, 1, buf, 1, 0, &lost);
	reorder_push(&q, 3, NULL, 0, 0, &lost);
	reorder_push(&q, 4, buf, 2, 0, &lost);
	reorder_push(&q, 2, buf, 1, 0, &lost);
	size_t len = reorder_pop(&q, 0, &data, &seq, &lost);
	CHECK(len == 2 && seq == 4, "empty 3 skipped: expected seq 4 len 2, saw "
	      "seq %u len %zu", seq, len);
	CHECK(reorder_last_delivered(&q, &last) && last == 4,
	      "last_delivered: expected 4, saw %u", last);
	reorder_free(&q);
}

static void test_free_and_reuse(void)
{
	struct reorder q;
	struct sink s = { 0 };

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	FEED(&q, &s, 1, 0, RO_DELIVER);
	FEED(&q, &s, 3, 0, RO_QUEUED);
	reorder_free(&q);
	CHECK(reorder_queued(&q) == 0 && q.store == NULL, "free empties the queue");
	reorder_free(&q); /* twice is harmless */
	FEED(&q, &s, 4, 0, RO_QUEUED);
	FEED(&q, &s, 2, 0, RO_DELIVER);
	drain(&q, &s, TIMEOUT_US);
	static const uint32_t exp[] = { 1, 2, 4 };
	expect_delivered(&s, exp, NELEM(exp), 1, "free and reuse");
	reorder_free(&q);
}

/* reorder_release_storage gives the storage back only while nothing is
 * held; the sequence state and a pending give-up survive it. */
static void test_release_storage(void)
{
	struct reorder q;
	struct sink s = { 0 };

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, false);
	reorder_release_storage(&q); /* nothing allocated yet: harmless */
	FEED(&q, &s, 1, 0, RO_DELIVER);
	FEED(&q, &s, 3, 0, RO_QUEUED);
	reorder_release_storage(&q);
	CHECK(q.store != NULL && reorder_queued(&q) == 1,
	      "a packet held: expected the storage kept, saw store %p queued %zu",
	      (void *)q.store, reorder_queued(&q));
	FEED(&q, &s, 2, 0, RO_DELIVER);
	reorder_release_storage(&q);
	CHECK(q.store == NULL, "nothing held: expected the storage released");
	/* the next held packet allocates it again; the sequence goes on */
	FEED(&q, &s, 5, 1 * MS, RO_QUEUED);
	drain(&q, &s, 1 * MS + TIMEOUT_US);
	static const uint32_t exp[] = { 1, 2, 3, 5 };
	expect_delivered(&s, exp, NELEM(exp), 1, "release and hold again");
	/* a give-up armed while there is no storage covers the next held
	 * packet: it is not waited for */
	reorder_release_storage(&q);
	reorder_give_up_gaps(&q);
	FEED(&q, &s, 8, 2 * MS + TIMEOUT_US, RO_QUEUED);
	static const uint32_t exp2[] = { 1, 2, 3, 5, 8 };
	expect_delivered(&s, exp2, NELEM(exp2), 3, "give up across a release");
	reorder_free(&q);
}

/* ---- randomised property test ---- */

static uint32_t rng_state = 0x2545F491u;

static uint32_t rnd(void)
{
	/* xorshift32: fixed seed, reproducible */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

struct stream_params {
	bool nobuffer;
	bool drops;      /* some packets never sent */
	bool dups;       /* some packets sent twice */
	bool time_flows; /* time advances (timeouts fire) */
	uint32_t displacement; /* how far a packet may move */
};

static int run_stream(const struct stream_params *p, uint32_t *sent,
		      uint32_t *order, size_t n)
{
	struct reorder q;
	struct sink s = { 0 };
	uint32_t start = rnd();
	size_t m = 0, accepted = 0;
	uint64_t now = rnd();
	int errors = 0;

	if (rnd() % 4 == 0)
		start = 0xFFFFFFFFu - (rnd() % (2 * (uint32_t)n)); /* wrap */
	/* the first packet sets the origin; keep it first */
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && p->drops && rnd() % 10 == 0)
			continue;
		sent[m++] = start + (uint32_t)i;
		if (i > 0 && p->dups && rnd() % 10 == 0)
			sent[m++] = start + (uint32_t)i;
	}
	/* jitter sort: each packet is sent at a random slot up to
	 * displacement later than its place, so none moves further */
	static uint32_t key[2 * 512];
	for (size_t i = 0; i < m; i++) {
		uint32_t k = i ? (uint32_t)i + 1 + rnd() % p->displacement : 0;
		size_t j = i;

		while (j > 0 && key[j - 1] > k) {
			key[j] = key[j - 1];
			order[j] = order[j - 1];
			j--;
		}
		key[j] = k;
		order[j] = sent[i];
	}

	reorder_init(&q, TIMEOUT_US, REORDER_DEFAULT_WINDOW, p->nobuffer);
	for (size_t i = 0; i < m; i++) {
		enum reorder_verdict v = feed(&q, &s, order[i], now);

		if (v == RO_DELIVER || v == RO_QUEUED)
			accepted++;
		if (v == RO_OVER || v == RO_TOOBIG)
			errors++; /* never within the window */
		if (p->time_flows)
			now += rnd() % (TIMEOUT_US / 4);
		if (reorder_deadline(&q) == 0)
			errors++; /* feed() drained everything due */
	}
	drain(&q, &s, now + TIMEOUT_US);
	if (reorder_queued(&q) != 0)
		errors++;
	if (s.max_queued > REORDER_CAP || s.bad_payload)
		errors++;
	/* strictly ascending, no duplicates, each one was sent */
	for (size_t i = 0; i < s.n && i < SINK_MAX; i++) {
		if (i > 0 && (int32_t)(s.seq[i] - s.seq[i - 1]) <= 0)
			errors++;
		if ((uint32_t)(s.seq[i] - start) >= n)
			errors++;
	}
	if (s.n != accepted)
		errors++;
	/* accounting: every number from start to the last delivered is
	 * either delivered or lost */
	uint32_t last = 0;
	if (!reorder_last_delivered(&q, &last) ||
	    (uint64_t)(uint32_t)(last - start) + 1 != s.n + s.lost)
		errors++;
	/* without drops and without time, nothing is lost in buffered mode */
	if (!p->nobuffer && !p->drops && !p->time_flows &&
	    (s.lost != 0 || last != start + (uint32_t)n - 1))
		errors++;
	reorder_free(&q);
	return errors;
}

static void test_property(void)
{
	enum { STREAMS = 3000, MAXLEN = 400 };
	static uint32_t sent[2 * MAXLEN], order[2 * MAXLEN];
	int failed_streams = 0;

	for (int i = 0; i < STREAMS; i++) {
		struct stream_params p = {
			.nobuffer = rnd() % 5 == 0,
			.drops = rnd() % 2,
			.dups = rnd() % 2,
			.time_flows = rnd() % 2,
			.displacement = 1 + rnd() % 24,
		};
		size_t n = 2 + rnd() % (MAXLEN - 2);
		int e = run_stream(&p, sent, order, n);

		if (e && failed_streams++ < 5)
			printf("stream %d: nobuf %d drops %d dups %d time %d disp %u "
			       "n %zu: %d invariant violations\n",
			       i, p.nobuffer, p.drops, p.dups, p.time_flows,
			       p.displacement, n, e);
	}
	CHECK(failed_streams == 0,
	      "property: expected 0 failing streams of %d, saw %d", STREAMS,
	      failed_streams);
}

int main(void)
{
	test_in_order();
	test_first_sets_expected();
	test_simple_reorder();
	test_duplicate_queued();
	test_far_across_wrap();
	test_wrap_around();
	test_nobuffer();
	test_resync();
	test_timeout();
	test_timeout_order();
	test_queue_full();
	test_toobig();
	test_give_up_gaps();
	test_push_without_drain();
	test_empty_payload();
	test_free_and_reuse();
	test_release_storage();
	test_property();
	return check_done("test_reorder");
}
