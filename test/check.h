/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.h: a tiny harness for the unit tests.
 * CHECK(cond, fmt, ...) prints "ok"/"FAIL" with a message saying what was
 * expected and what was seen; check_done() prints "N passed, N failed" and
 * returns the exit status. */
#ifndef PPTP_TEST_CHECK_H
#define PPTP_TEST_CHECK_H
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                             \
	do {                                                         \
		if (cond) {                                          \
			check_passed++;                              \
		} else {                                             \
			check_failed++;                              \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);  \
			printf(__VA_ARGS__);                         \
			printf("\n");                                \
		}                                                    \
	} while (0)

static inline int check_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, check_passed, check_failed);
	return check_failed ? 1 : 0;
}
#endif
