/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_status.c: what `pptp --status` makes of status records it cannot
 * trust (pptp_status.c): keys checked, repeats dropped, every output
 * style plain ASCII, numbers only when they are numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

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

/* The record's keys, order and formats are a stable interface (pptp.8):
 * the record of version 1.10.0, byte for byte, and gre_check appended. */
static void test_format_stable(void)
{
	struct gre_stats st;
	struct status_info si;
	char buf[4096], want[4096];
	int n;

	memset(&st, 0, sizeof(st));
	st.rx_accepted = 1; st.rx_lost = 2; st.rx_underwin = 3;
	st.rx_overwin = 4; st.rx_buffered = 5; st.rx_errors = 6;
	st.rx_truncated = 7; st.rx_invalid = 8; st.rx_acks = 9;
	st.tx_sent = 10; st.tx_failed = 11; st.tx_short = 12; st.tx_acks = 13;
	st.tx_oversize = 14; st.rtt_us = -15; st.rx_bytes = 1ull << 40;
	st.tx_bytes = 17; st.pty_bad_frames = 4294967295u; st.rx_other_call = 19;
	st.rx_pty_full = 20;
	memset(&si, 0, sizeof(si));
	inet_pton(AF_INET, "192.0.2.1", &si.server);
	si.call_id = 65535;
	si.peer_call_id = 0;
	si.state = "up";
	si.tty = NULL;
	si.uptime_s = 12345678901ull;
	si.stats = &st;
	snprintf(want, sizeof(want),
		 "server=192.0.2.1\ncall_id=65535\npeer_call_id=0\nstate=up\n"
		 "pid=%ld\ntty=-\nuptime=12345678901\n"
		 "rx_accepted=1\nrx_lost=2\nrx_underwin=3\nrx_overwin=4\n"
		 "rx_buffered=5\nrx_errors=6\nrx_truncated=7\nrx_invalid=8\n"
		 "rx_acks=9\ntx_sent=10\ntx_failed=11\ntx_short=12\ntx_acks=13\n"
		 "tx_oversize=14\nrtt_us=-15\nrx_bytes=1099511627776\n"
		 "tx_bytes=17\npty_bad_frames=4294967295\nrx_other_call=19\n"
		 "gre_check=-\nrx_pty_full=20\n",
		 (long)getpid());
	n = status_format(buf, sizeof(buf), &si);
	CHECK(n == (int)strlen(want) && strcmp(buf, want) == 0,
	      "expected the 1.10.0 record with our appended keys:\n%s\nsaw (%d bytes):\n%s", want, n, buf);
	/* snprintf-like: the length even when it does not fit. */
	CHECK(status_format(buf, 10, &si) == n && strlen(buf) == 9,
	      "expected the full length and a cut string with a small buffer");
}

/* pptp-linux's SIGUSR1 dump, line for line (log watchers parse it). */
static void test_dump_stable(void)
{
	static const char *const want[] = {
		"GRE statistics:\n", "rx accepted  = 1\n", "rx lost      = 2\n",
		"rx under win = 3\n", "rx over  win = 4\n", "rx buffered  = 5\n",
		"rx OS errors = 6\n", "rx truncated = 7\n", "rx invalid   = 8\n",
		"rx acks      = 9\n", "tx sent      = 10\n", "tx failed    = 11\n",
		"tx short     = 12\n", "tx acks      = 13\n", "tx oversize  = 14\n",
		"round trip   = -15 usecs\n",
	};
	struct gre_stats st;
	char line[64];
	unsigned i;

	memset(&st, 0, sizeof(st));
	st.rx_accepted = 1; st.rx_lost = 2; st.rx_underwin = 3;
	st.rx_overwin = 4; st.rx_buffered = 5; st.rx_errors = 6;
	st.rx_truncated = 7; st.rx_invalid = 8; st.rx_acks = 9;
	st.tx_sent = 10; st.tx_failed = 11; st.tx_short = 12; st.tx_acks = 13;
	st.tx_oversize = 14; st.rtt_us = -15; st.rx_bytes = 99;
	st.pty_bad_frames = 98; st.rx_other_call = 97;
	for (i = 0; gre_stats_dump_line(&st, i, line, sizeof(line)); i++)
		CHECK(i < 16 && strcmp(line, want[i]) == 0,
		      "dump line %u: expected '%s', saw '%s'", i, i < 16 ? want[i] : "(none)", line);
	CHECK(i == 16, "expected 16 dump lines, saw %u", i);
	/* pptp-linux prints a counter as an int. */
	st.rx_accepted = 4294967295u;
	gre_stats_dump_line(&st, 1, line, sizeof(line));
	CHECK(strcmp(line, "rx accepted  = -1\n") == 0, "expected -1 as pptp-linux prints 2^32-1, saw '%s'", line);
}

/* A table row: the columns of 1.10.0, then the GRE check's verdict. */
static void test_table_stable(void)
{
	static const char rec[] = "server=192.0.2.1\ncall_id=7\npeer_call_id=8\nstate=up\n"
		"pid=42\ntty=-\nuptime=5\nrx_accepted=1\nrx_lost=2\nrx_invalid=3\n"
		"tx_sent=4\nrtt_us=5\ngre_check=gre-ok\n";
	char *t = render(rec, sizeof(rec) - 1, STATUS_TABLE);
	char want[256];

	snprintf(want, sizeof(want), "%-15s %5s %5s %-11s %7s %8s %10s %6s %6s %10s %8s %s\n",
		 "192.0.2.1", "7", "8", "up", "42", "5", "1", "2", "3", "4", "5", "gre-ok");
	CHECK(strcmp(t, want) == 0, "expected the row\n%ssaw\n%s", want, t);
	free(t);
}

int main(void)
{
	test_dump_stable();
	test_table_stable();
	test_format_stable();
	test_parse();
	test_json();
	test_tsv_table();
	return check_done("test_status");
}
