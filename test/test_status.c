/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_status.c: what `pptp --status` makes of status records it cannot
 * trust (pptp_status.c): keys checked, repeats dropped, every output
 * style plain ASCII, numbers only when they are numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pptp_status.h"

static char *render(const char *rec, size_t len, enum status_style style)
{
	struct status_record r;
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	status_parse(rec, len, &r);
	status_print(f, &r, style);
	fclose(f);
	return out;
}

/* Every byte printable ASCII, but the final newline. */
static int plain_output(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || s[n - 1] != '\n')
		return 0;
	for (size_t i = 0; i + 1 < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static const char hostile[] =
	"server=192.0.2.1\n"
	"call_id=7\n"
	"state=up\x1b[31mRED\a\r\n"
	"ke\x1by=1\n"			/* a key with ESC: dropped */
	"K=2\n"				/* upper case: not ours, dropped */
	"call_id=8\n"			/* repeated: dropped */
	"tty=/dev/pts/\xff\xfe\n"
	"rx_lost=99999999999999999999999\n"	/* out of range: a string */
	"rx_invalid=-0012\n"		/* leading zeros: a string */
	"tx_sent=18446744073709551615\n"	/* 2^64-1: a number */
	"rtt_us=-5\n"
	"no_equals_sign\n"
	"=empty_key\n"
	"quote=a\"b\\c\tx\n"
	"\n";

static void test_parse(void)
{
	struct status_record r;
	int n = status_parse(hostile, sizeof(hostile) - 1, &r);

	CHECK(n == 9, "expected 9 keys kept, saw %d", n);
	CHECK(strcmp(status_record_get(&r, "call_id"), "7") == 0,
	      "expected the first call_id (7) to win, saw %s",
	      status_record_get(&r, "call_id"));
	CHECK(!status_record_has(&r, "K") && !status_record_has(&r, "ke\x1by"),
	      "expected bad keys dropped");
	/* Values are cut, and parsing stops at the record's length. */
	char big[400];
	memset(big, 'x', sizeof(big));
	memcpy(big, "state=", 6);
	n = status_parse(big, sizeof(big), &r);
	CHECK(n == 1 && strlen(r.val[0]) == STATUS_VAL_MAX - 1,
	      "expected one value cut to %d bytes, saw %d keys, %zu bytes",
	      STATUS_VAL_MAX - 1, n, n ? strlen(r.val[0]) : 0);
	/* At most STATUS_KEYS_MAX keys. */
	char many[4096] = "";
	for (int i = 0; i < 60; i++)
		sprintf(many + strlen(many), "k%d=%d\n", i, i);
	n = status_parse(many, strlen(many), &r);
	CHECK(n == STATUS_KEYS_MAX, "expected %d keys at most, saw %d", STATUS_KEYS_MAX, n);
}

static void test_json(void)
{
	char *j = render(hostile, sizeof(hostile) - 1, STATUS_JSON);

	CHECK(plain_output(j), "expected plain ASCII JSON, saw %s", j);
	CHECK(strstr(j, "\"state\":\"up\\u001b[31mRED\\u0007\\u000d\""),
	      "expected control characters escaped, saw %s", j);
	CHECK(strstr(j, "\"tty\":\"/dev/pts/\\u00ff\\u00fe\""),
	      "expected bytes above ASCII escaped, saw %s", j);
	CHECK(strstr(j, "\"rx_lost\":\"99999999999999999999999\""),
	      "expected an out-of-range number as a string, saw %s", j);
	CHECK(strstr(j, "\"rx_invalid\":\"-0012\""),
	      "expected a number with leading zeros as a string, saw %s", j);
	CHECK(strstr(j, "\"tx_sent\":18446744073709551615"),
	      "expected 2^64-1 as a number, saw %s", j);
	CHECK(strstr(j, "\"rtt_us\":-5,"), "expected -5 as a number, saw %s", j);
	CHECK(strstr(j, "\"quote\":\"a\\\"b\\\\c\\u0009x\""),
	      "expected quote, backslash and tab escaped, saw %s", j);
	CHECK(strstr(j, "\"call_id\":7,") && !strstr(j, "\"call_id\":8"),
	      "expected call_id once, saw %s", j);
	free(j);
}

static void test_tsv_table(void)
{
	char *t = render(hostile, sizeof(hostile) - 1, STATUS_TSV);
	int tabs = 0;

	for (const char *p = t; *p; p++)
		tabs += *p == '\t';
	CHECK(tabs == 8, "expected 8 tabs between 9 values (a tab inside a value replaced), saw %d: %s", tabs, t);
	for (const char *p = t; p[1]; p++)
		if (*p != '\t')
			CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
			      "expected plain ASCII TSV, saw byte 0x%02x", (unsigned char)*p);
	free(t);
	t = render(hostile, sizeof(hostile) - 1, STATUS_TABLE);
	CHECK(plain_output(t), "expected a plain ASCII table row, saw %s", t);
	CHECK(strstr(t, "up?[31mRED??"), "expected control bytes shown as '?', saw %s", t);
	free(t);
}

int main(void)
{
	test_parse();
	test_json();
	test_tsv_table();
	return check_done("test_status");
}
