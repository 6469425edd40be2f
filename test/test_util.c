/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_util.c: the per-call-site log rate limit (util.c). */
#include <stdint.h>

#include "check.h"
#include "util.h"

static void test_burst_then_hold(void)
{
	struct log_limit l = { 0 };
	uint32_t held = 99;
	int allowed = 0;

	for (int i = 0; i < 25; i++) {
		held = 99;
		if (log_limit_allow(&l, 5000 + (uint64_t)i, &held)) {
			allowed++;
			CHECK(held == 0, "line %d in the first window: expected 0 held back, saw %u", i, held);
		}
	}
	CHECK(allowed == LOG_LIMIT_BURST, "expected %d lines in one window, saw %d",
	      LOG_LIMIT_BURST, allowed);
	CHECK(l.w.held == 25 - LOG_LIMIT_BURST, "expected %d held back, saw %u",
	      25 - LOG_LIMIT_BURST, l.w.held);
	/* The next window: the first line names what was held back. */
	CHECK(log_limit_allow(&l, 5000 + LOG_LIMIT_WINDOW_MS, &held),
	      "expected a line in the next window");
	CHECK(held == 25 - LOG_LIMIT_BURST, "expected %d held back named, saw %u",
	      25 - LOG_LIMIT_BURST, held);
	CHECK(log_limit_allow(&l, 5001 + LOG_LIMIT_WINDOW_MS, &held) && held == 0,
	      "expected the count to restart after it was named, saw %u", held);
}

/* ratelimit.h: let through, first held back, held back again, and a
 * new window at its end. */
static void test_rate_window(void)
{
	struct rate_window r = { 0 };
	int t[5];

	for (int i = 0; i < 5; i++)
		t[i] = rate_window_take(&r, 7000 + (uint64_t)i, 3, 50);
	CHECK(t[0] == 1 && t[1] == 1 && t[2] == 1 && t[3] == 0 && t[4] == -1,
	      "expected 1 1 1 0 -1, saw %d %d %d %d %d", t[0], t[1], t[2], t[3], t[4]);
	CHECK(r.held == 2 && rate_window_end(&r, 50) == 7050,
	      "expected 2 held back and the window to end at 7050, saw %u %llu",
	      r.held, (unsigned long long)rate_window_end(&r, 50));
	CHECK(rate_window_take(&r, 7049, 3, 50) == -1 &&
	      rate_window_take(&r, 7050, 3, 50) == 1 && r.start == 7050,
	      "expected a new window to begin at 7050");
}

static void test_window_edges(void)
{
	struct log_limit l = { 0 };
	uint32_t held;

	for (int i = 0; i < LOG_LIMIT_BURST; i++)
		log_limit_allow(&l, 100, &held);
	CHECK(!log_limit_allow(&l, 100 + LOG_LIMIT_WINDOW_MS - 1, &held),
	      "expected no line 1 ms before the window ends");
	CHECK(log_limit_allow(&l, 100 + LOG_LIMIT_WINDOW_MS, &held) && held == 1,
	      "expected a line when the window ends, naming 1 held back (saw %u)", held);
	/* A clock that starts at 0 is still a valid time. */
	struct log_limit z = { 0 };
	CHECK(log_limit_allow(&z, 0, &held) && held == 0, "expected a line at time 0");
}

static void test_slow_lines_never_held(void)
{
	struct log_limit l = { 0 };
	uint32_t held;
	int allowed = 0;

	for (int i = 0; i < 1000; i++)
		allowed += log_limit_allow(&l, (uint64_t)i * 200, &held);
	CHECK(allowed == 1000, "5 lines a second: expected all 1000 written, saw %d", allowed);
}

int main(void)
{
	test_burst_then_hold();
	test_rate_window();
	test_window_edges();
	test_slow_lines_never_held();
	return check_done("test_util");
}
