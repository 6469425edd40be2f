/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netdev.h: [pure] one interface's counters out of /proc/net/dev text,
 * for the kernel data path's statistics (the ppp unit's counters). */
#ifndef PPTP_NETDEV_H
#define PPTP_NETDEV_H
#include <stddef.h>
#include <stdint.h>

struct netdev_counters {
	uint64_t rx_bytes, rx_packets, rx_errors, rx_dropped;
	uint64_t tx_bytes, tx_packets, tx_errors, tx_dropped;
};

/* Find ifname in text (len bytes, the format of /proc/net/dev: two
 * header lines, then "name: 16 numbers").  0, -ENOENT when the
 * interface is not listed, -EINVAL when its line is malformed. */
int netdev_parse(const char *text, size_t len, const char *ifname,
		 struct netdev_counters *out);
#endif
