/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cm_ready.c: the call manager's ready line (cm_proto.h), which
 * carries the real cause of a failed set-up to the pptp that started it. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "cm_proto.h"

static void roundtrip(int err, const char *text, const char *want_line)
{
	char line[CM_READY_MAX], back[CM_READY_MAX];
	int n = cm_ready_encode(line, sizeof(line), err, text);
	int e = -1, rc;

	CHECK(n == (int)strlen(want_line) && strcmp(line, want_line) == 0,
	      "encode(%d, '%s'): expected '%s', saw '%s' (%d)", err,
	      text ? text : "(null)", want_line, n > 0 ? line : "", n);
	rc = cm_ready_decode(line, (size_t)n, &e, back, sizeof(back));
	if (err == 0 && !text) {
		CHECK(rc == 0, "expected 'ready' to decode as ready, saw %d", rc);
		return;
	}
	CHECK(rc == 1 && e == (err < 0 ? -err : err),
	      "expected failed with errno %d, saw rc=%d errno=%d", err, rc, e);
}

static void test_roundtrip(void)
{
	roundtrip(0, NULL, "ready\n");
	roundtrip(ETIMEDOUT, "", "failed 110 \n");
	roundtrip(-ECONNREFUSED, "", "failed 111 \n");
	roundtrip(0, "server refused the control connection: result=2",
		  "failed 0 server refused the control connection: result=2\n");
	/* A newline or control character in the text cannot split the line. */
	roundtrip(0, "two\nlines\r", "failed 0 two lines \n");
}

static void test_long_text(void)
{
	char text[1000], line[CM_READY_MAX], back[CM_READY_MAX];
	int e, n;

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	n = cm_ready_encode(line, sizeof(line), 0, text);
	CHECK(n > 0 && n < CM_READY_MAX && line[n - 1] == '\n',
	      "expected a long text cut to one line, saw %d", n);
	CHECK(cm_ready_decode(line, (size_t)n, &e, back, sizeof(back)) == 1,
	      "expected the cut line to decode");
	CHECK(cm_ready_encode(line, 4, 0, NULL) == -ENOSPC,
	      "expected -ENOSPC for a buffer too small for 'ready'");
}

static void test_bad_lines(void)
{
	static const char *const bad[] = {
		"", "ready", "ready\nx\n", "readyy\n", "failed\n", "failed x\n",
		"failed -1 x\n", "failed 5000 x\n", "failed 99999999999999999999 x\n",
		"failed 12x\n", "failed 1\n\n",
	};
	char text[64];
	int e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(cm_ready_decode(bad[i], strlen(bad[i]), &e, text, sizeof(text)) == -EPROTO,
		      "expected '%s' refused", bad[i]);
	CHECK(cm_ready_decode("failed 7\n", 9, &e, text, sizeof(text)) == 1 && e == 7 && !*text,
	      "expected 'failed 7' with no text accepted");
	CHECK(cm_ready_decode("ready\0\n", 7, &e, text, sizeof(text)) == -EPROTO,
	      "expected a NUL byte refused");
}

int main(void)
{
	test_roundtrip();
	test_long_text();
	test_bad_lines();
	return check_done("test_cm_ready");
}
