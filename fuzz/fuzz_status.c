/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_status.c: libFuzzer harness for what `pptp --status` makes of a
 * status record it cannot trust (status_parse, status_print): every key
 * kept is valid and unique, every output style plain ASCII, and each JSON
 * object well formed (checked here by a small scanner). */
#include "pptp_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char out[1 << 16];

static void render(const struct status_record *r, enum status_style style)
{
	FILE *f = fmemopen(out, sizeof(out), "w");

	if (!f)
		abort();
	status_print(f, r, style);
	if (ferror(f))
		abort();
	fclose(f);
}

/* Printable ASCII, then one newline at the end; tabs only in TSV. */
static void check_plain(bool tabs)
{
	size_t n = strlen(out);

	if (n == 0 || out[n - 1] != '\n')
		abort();
	for (size_t i = 0; i + 1 < n; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c == '\t' && tabs)
			continue;
		if (c < 0x20 || c >= 0x7f)
			abort();
	}
}

/* A JSON string at *p: returns past its closing quote. */
static const char *json_string(const char *p)
{
	if (*p++ != '"')
		abort();
	while (*p != '"') {
		if (*p == '\0')
			abort();
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdef", p[i]) || !p[i])
						abort();
				p += 5;
				continue;
			}
			if (*p != '"' && *p != '\\')
				abort();
		}
		p++;
	}
	return p + 1;
}

/* {"k":v,...}\n where v is a string or -?[0-9]+ without leading zeros. */
static void check_json(int n)
{
	const char *p = out;
	int pairs = 0;

	if (*p++ != '{')
		abort();
	while (*p != '}') {
		if (pairs && *p++ != ',')
			abort();
		p = json_string(p);
		if (*p++ != ':')
			abort();
		if (*p == '"') {
			p = json_string(p);
		} else {
			p += *p == '-';
			if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
				abort();
			while (*p >= '0' && *p <= '9')
				p++;
		}
		pairs++;
	}
	if (pairs != n || strcmp(p, "}\n") != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status_record r;
	int n = status_parse((const char *)data, size, &r);

	if (n < 0 || n > STATUS_KEYS_MAX || n != r.n)
		abort();
	for (int i = 0; i < n; i++) {
		size_t kl = strlen(r.key[i]);

		if (kl == 0 || kl >= STATUS_KEY_MAX ||
		    strspn(r.key[i], "abcdefghijklmnopqrstuvwxyz0123456789_") != kl)
			abort();
		if (strlen(r.val[i]) >= STATUS_VAL_MAX)
			abort();
		for (int j = 0; j < i; j++)
			if (strcmp(r.key[i], r.key[j]) == 0)
				abort();
	}
	render(&r, STATUS_TABLE);
	check_plain(false);
	render(&r, STATUS_TSV);
	check_plain(true);
	render(&r, STATUS_JSON);
	check_plain(false);
	check_json(n);
	return 0;
}
