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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;

	/* Bounded: every step either consumes at least PPTP_HDR_LEN bytes or stops. */
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
		} else if (rc == PPTP_EMSG_UNKNOWN || rc == PPTP_EMSG_BADLEN) {
			if (used < PPTP_HDR_LEN)
				die("skippable error consumed less than a header", rc);
		} else {
			if (used != 0)
				die("stopping result consumed bytes", rc);
			break;
		}
		pos += used;
	}
	return 0;
}
