/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_msg.c: libFuzzer harness for the PPTP control-message codec, fed as a TCP stream. */
#include "pptp_msg.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT_BUF 1024           /* longer than any formatted message, even fully escaped */

static void die(const char *why, int rc)
{
	fprintf(stderr, "fuzz_msg: %s (rc %d)\n", why, rc);
	abort();
}

/* decode(encode(m)) must give m back; reserved bits are not re-sent. */
static void check_round_trip(const struct pptp_msg *m, size_t size)
{
	uint8_t wire[PPTP_MSG_MAX];
	struct pptp_msg want = *m, again;
	size_t used;
	int rc;

	rc = pptp_msg_encode(m, wire, sizeof(wire));
	if (rc != (int)size)
		die("encode size differs from decoded length", rc);
	rc = pptp_msg_decode(wire, (size_t)rc, &again, &used);
	if (rc != 0 || used != size)
		die("own encoding does not decode", rc);
	want.reserved_nonzero = false;
	if (memcmp(&want, &again, sizeof(want)) != 0)
		die("decode(encode(x)) != x", 0);
}

static void check_format(const struct pptp_msg *m)
{
	char line[FORMAT_BUF], tiny[7];
	int n = pptp_msg_format(m, line, sizeof(line));
	int t = pptp_msg_format(m, tiny, sizeof(tiny));

	if (n <= 0 || (size_t)n >= sizeof(line) || strlen(line) != (size_t)n || strchr(line, '\n'))
		die("bad format output", n);
	if (t != n || strlen(tiny) != sizeof(tiny) - 1)
		die("format truncation is not snprintf-like", t);
}

/* After a stopping error at the front: the resync offset k must be past
 * the first byte, never past what is there, never past the start of a
 * whole valid message, and what it stops at must not be refused. */
static size_t check_resync(const uint8_t *p, size_t avail)
{
	size_t k = pptp_msg_resync(p, avail);
	struct pptp_msg m;
	size_t used;
	int rc;

	if (k == 0 || k > avail)
		die("resync offset outside (0, avail]", (int)k);
	for (size_t j = 0; j < k; j++)
		if (pptp_msg_decode(p + j, avail - j, &m, &used) == 0)
			die("resync skipped a whole valid message", (int)j);
	if (k < avail) {
		rc = pptp_msg_decode(p + k, avail - k, &m, &used);
		if (rc != 0 && rc != 1)
			die("resync stopped where decode refuses", rc);
		if (pptp_msg_resync(p + k, avail - k) != 0)
			die("resync is not idempotent", 0);
	}
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;

	/* Bounded: every step consumes at least one byte or stops. */
	while (pos < size) {
		struct pptp_msg m;
		size_t used = 0;
		int rc = pptp_msg_decode(data + pos, size - pos, &m, &used);

		if (used > size - pos)
			die("consumed more than available", rc);
		if (rc == 0) {
			check_round_trip(&m, used);
			check_format(&m);
			/* one byte less of the same message must ask for more */
			struct pptp_msg part;
			size_t pused;
			if (pptp_msg_decode(data + pos, used - 1, &part, &pused) != 1 || pused != 0)
				die("a proper prefix did not ask for more", 0);
		} else if (rc == PPTP_EMSG_UNKNOWN || rc == PPTP_EMSG_PPTPTYPE) {
			if (used < PPTP_HDR_LEN)
				die("skippable error consumed less than a header", rc);
		} else if (rc == 1) {
			if (used != 0)
				die("need-more consumed bytes", rc);
			break;
		} else {
			if (used != 0)
				die("stopping result consumed bytes", rc);
			used = check_resync(data + pos, size - pos);
		}
		pos += used;
	}
	return 0;
}
