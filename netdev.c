/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netdev.c: [pure] parse one interface's line of /proc/net/dev. */
#include "netdev.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Read an unsigned decimal at *p (after blanks); false if none. */
static bool read_u64(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9') {
		uint64_t d = (uint64_t)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
		s++;
	}
	*p = s;
	*v = x;
	return true;
}

/* The line's fields in order: rx bytes packets errs drop fifo frame
 * compressed multicast, tx bytes packets errs drop fifo colls carrier
 * compressed. */
static int parse_fields(const char *p, const char *end,
			struct netdev_counters *out)
{
	uint64_t f[16];

	for (int i = 0; i < 16; i++)
		if (!read_u64(&p, end, &f[i]))
			return -EINVAL;
	out->rx_bytes = f[0];
	out->rx_packets = f[1];
	out->rx_errors = f[2];
	out->rx_dropped = f[3];
	out->tx_bytes = f[8];
	out->tx_packets = f[9];
	out->tx_errors = f[10];
	out->tx_dropped = f[11];
	return 0;
}

int netdev_parse(const char *text, size_t len, const char *ifname,
		 struct netdev_counters *out)
{
	const char *p = text, *end = text + len;
	size_t nl = strlen(ifname);

	if (nl == 0)
		return -ENOENT;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s = p;

		if (!eol)
			eol = end;
		while (s < eol && *s == ' ')
			s++;
		if ((size_t)(eol - s) > nl && memcmp(s, ifname, nl) == 0 &&
		    s[nl] == ':')
			return parse_fields(s + nl + 1, eol, out);
		p = eol + 1;
	}
	return -ENOENT;
}
