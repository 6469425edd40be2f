/* SPDX-License-Identifier: GPL-2.0-or-later */
/* routing.h: a host route to the PPTP server, added and removed via rtnetlink. */
#ifndef PPTP_ROUTING_H
#define PPTP_ROUTING_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How the server is reached. After route_host_add(), dst/gw/has_gw/oif
 * describe the path the kernel chose, whether or not we added a route
 * (useful for the log line); `added` says whether the /32 is ours to remove. */
struct host_route {
	struct in_addr dst;
	struct in_addr gw;
	bool has_gw;
	int oif;
	bool added;
};

/* Look up how dst is reached now (honouring the fwmark `mark` when it is not
 * 0) and, unless a /32 route for dst already exists or dst is not a unicast
 * destination (local, broadcast, ...), add `dst/32 via gw dev oif` (or
 * `dst/32 dev oif scope link` when dst is directly connected) to table main
 * with proto static. Returns 0 (r->added tells whether we added one) or
 * -errno, e.g. -ENETUNREACH when there is no route at all. */
int route_host_add(struct in_addr dst, uint32_t mark, struct host_route *r);

/* Remove exactly the route we added (same dst, gw, oif, proto static, table
 * main); a no-op returning 0 when !r->added. Returns 0 or -errno; -ESRCH
 * means it was already gone (harmless). r->added is cleared on 0 and -ESRCH. */
int route_host_del(struct host_route *r);

/* Format "192.0.2.1 via 198.51.100.1 dev veth0" (or "192.0.2.1 dev veth0"
 * without a gateway) for log lines. Returns the length written (without the
 * NUL), -EINVAL for cap 0 or -ENOSPC when buf was too small (buf then holds
 * a truncated, NUL-terminated string). */
int route_host_format(const struct host_route *r, char *buf, size_t cap);

#endif
