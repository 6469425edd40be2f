/* SPDX-License-Identifier: GPL-2.0-or-later */
/* routing.c: add and remove a /32 route to the PPTP server over rtnetlink. */
#include "routing.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Room for the attributes of one request: RTA_DST, RTA_GATEWAY, RTA_OIF and
 * RTA_MARK take 8 bytes each; 128 leaves plenty of slack. */
#define NL_REQ_ATTR_SPACE 128
/* One route answer, or an NLMSG_ERROR echoing our (small) request, is a few
 * hundred bytes; 8 KiB is the kernel's usual NLMSG_GOODSIZE. */
#define NL_RECV_BUF_SIZE 8192
/* The kernel answers route requests at once; 2 s only guards against a
 * wedged system so pptp's startup and exit never hang on us. */
#define NL_RECV_TIMEOUT_MS 2000
/* Datagrams tolerated that are not the answer to our request (none are
 * expected on a fresh unicast-only socket) before giving up. */
#define NL_MAX_READS 16
/* Marks our route as set by a program, and lets the delete match only a
 * route with this protocol, never the administrator's proto boot one. */
#define HOST_ROUTE_PROTO RTPROT_STATIC
#define HOST_ROUTE_PREFIX_LEN 32

struct nl_sock {
	int fd;
	uint32_t seq;
};

/* iproute2's request layout: header, rtmsg, then attributes appended. */
struct nl_request {
	struct nlmsghdr n;
	struct rtmsg r;
	char attrs[NL_REQ_ATTR_SPACE];
};

/* Aligned receive buffer, so netlink headers inside it are addressable. */
union nl_buf {
	struct nlmsghdr h;
	char buf[NL_RECV_BUF_SIZE];
};

/* What one RTM_GETROUTE answer told us. */
struct route_answer {
	unsigned char type;
	unsigned char dst_len;
	struct in_addr gw;
	bool has_gw;
	int oif;
};

static int nl_open(struct nl_sock *s)
{
	struct timeval tv = {
		.tv_sec = NL_RECV_TIMEOUT_MS / 1000,
		.tv_usec = (NL_RECV_TIMEOUT_MS % 1000) * 1000,
	};

	s->seq = 0;
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s->fd < 0)
		return -errno;
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int err = -errno;

		close(s->fd);
		s->fd = -1;
		return err;
	}
	return 0;
}

static void nl_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void rt_request_init(struct nl_request *q, uint16_t type,
			    uint16_t flags)
{
	memset(q, 0, sizeof(*q));
	q->n.nlmsg_len = NLMSG_LENGTH(sizeof(q->r));
	q->n.nlmsg_type = type;
	q->n.nlmsg_flags = NLM_F_REQUEST | flags;
	q->r.rtm_family = AF_INET;
	q->r.rtm_dst_len = HOST_ROUTE_PREFIX_LEN;
}

static int rt_add_attr(struct nl_request *q, unsigned short type,
		       const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(q->n.nlmsg_len);
	size_t rta_len = RTA_LENGTH(len);
	struct rtattr rta = { .rta_len = (unsigned short)rta_len,
			      .rta_type = type };

	if (off + RTA_ALIGN(rta_len) > sizeof(*q))
		return -ENOSPC;
	memcpy((char *)q + off, &rta, sizeof(rta));
	memcpy((char *)q + off + RTA_LENGTH(0), data, len);
	q->n.nlmsg_len = (uint32_t)(off + RTA_ALIGN(rta_len));
	return 0;
}

/* errno carried by an NLMSG_ERROR message: 0 for an ack, else -errno. */
static int nl_error_code(const struct nlmsghdr *h)
{
	struct nlmsgerr e;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
		return -EBADMSG;
	memcpy(&e, (const unsigned char *)h + NLMSG_HDRLEN, sizeof(e));
	return e.error <= 0 ? e.error : -EPROTO;
}

/* Look through one datagram of len bytes for the answer to sequence seq.
 * Returns 1 with *answer set (NULL for an ack), 0 if it is not there, or
 * -errno from an NLMSG_ERROR or a malformed message. */
static int nl_find_answer(const union nl_buf *rx, size_t len, uint32_t seq,
			  const struct nlmsghdr **answer)
{
	size_t off = 0;

	while (off + sizeof(struct nlmsghdr) <= len) {
		const struct nlmsghdr *h = (const void *)(rx->buf + off);
		int err;

		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - off)
			return -EBADMSG;
		if (h->nlmsg_seq == seq) {
			if (h->nlmsg_type != NLMSG_ERROR) {
				*answer = h;
				return 1;
			}
			err = nl_error_code(h);
			if (err < 0)
				return err;
			*answer = NULL;
			return 1;
		}
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return 0;
}

/* Send q and wait, bounded, for the kernel's answer with the same sequence
 * number. Returns 0 with *answer pointing into rx (NULL for a plain ack) or
 * -errno (the kernel's, or -ETIMEDOUT). */
static int nl_talk(struct nl_sock *s, struct nl_request *q, union nl_buf *rx,
		   const struct nlmsghdr **answer)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	ssize_t sent;

	q->n.nlmsg_seq = ++s->seq;
	sent = sendto(s->fd, q, q->n.nlmsg_len, 0, (struct sockaddr *)&kernel,
		      sizeof(kernel));
	if (sent < 0)
		return -errno;
	if ((size_t)sent != q->n.nlmsg_len)
		return -EIO;

	for (int i = 0; i < NL_MAX_READS; i++) {
		struct sockaddr_nl from;
		socklen_t from_len = sizeof(from);
		ssize_t n;
		int found;

		n = recvfrom(s->fd, rx->buf, sizeof(rx->buf), MSG_TRUNC,
			     (struct sockaddr *)&from, &from_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -errno;
		}
		if ((size_t)n > sizeof(rx->buf))
			return -EMSGSIZE;
		if (from_len < sizeof(from) || from.nl_pid != 0)
			continue; /* not from the kernel */
		found = nl_find_answer(rx, (size_t)n, q->n.nlmsg_seq, answer);
		if (found != 0)
			return found < 0 ? found : 0;
	}
	return -ETIMEDOUT;
}

static int rt_parse_attr(unsigned short type, const unsigned char *data,
			 size_t len, struct route_answer *a)
{
	switch (type) {
	case RTA_GATEWAY:
		if (len != sizeof(a->gw))
			return -EBADMSG;
		memcpy(&a->gw, data, len);
		a->has_gw = true;
		break;
	case RTA_OIF:
		if (len != sizeof(a->oif))
			return -EBADMSG;
		memcpy(&a->oif, data, len);
		break;
	default:
		break;
	}
	return 0;
}

/* Decode an RTM_NEWROUTE answer; every length is checked before reading. */
static int rt_parse_answer(const struct nlmsghdr *h, struct route_answer *a)
{
	const size_t attr_start = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtmsg)));
	const unsigned char *p = (const unsigned char *)h;
	struct rtmsg rtm;
	size_t off;

	memset(a, 0, sizeof(*a));
	if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < attr_start)
		return -EBADMSG;
	memcpy(&rtm, p + NLMSG_HDRLEN, sizeof(rtm));
	if (rtm.rtm_family != AF_INET)
		return -EBADMSG;
	a->type = rtm.rtm_type;
	a->dst_len = rtm.rtm_dst_len;

	for (off = attr_start; off + sizeof(struct rtattr) <= h->nlmsg_len;) {
		struct rtattr rta;
		int err;

		memcpy(&rta, p + off, sizeof(rta));
		if (rta.rta_len < sizeof(rta) || rta.rta_len > h->nlmsg_len - off)
			return -EBADMSG;
		err = rt_parse_attr(rta.rta_type & NLA_TYPE_MASK,
				    p + off + RTA_LENGTH(0),
				    rta.rta_len - RTA_LENGTH(0), a);
		if (err < 0)
			return err;
		off += RTA_ALIGN(rta.rta_len);
	}
	return 0;
}

/* RTM_GETROUTE for dst as the kernel would route a packet marked `mark`.
 * With RTM_F_FIB_MATCH in flags the answer is the matching table entry
 * (real prefix length) rather than the resolved /32 result. */
static int rt_lookup(struct nl_sock *s, struct in_addr dst, uint32_t mark,
		     unsigned int flags, struct route_answer *a)
{
	struct nl_request q;
	union nl_buf rx;
	const struct nlmsghdr *h = NULL;
	int err;

	rt_request_init(&q, RTM_GETROUTE, 0);
	q.r.rtm_flags = flags;
	err = rt_add_attr(&q, RTA_DST, &dst, sizeof(dst));
	if (!err && mark)
		err = rt_add_attr(&q, RTA_MARK, &mark, sizeof(mark));
	if (!err)
		err = nl_talk(s, &q, &rx, &h);
	if (err)
		return err;
	if (!h)
		return -EBADMSG; /* an ack where a route was due */
	return rt_parse_answer(h, a);
}

/* RTM_NEWROUTE or RTM_DELROUTE for exactly the route described by r. */
static int rt_change(struct nl_sock *s, uint16_t type, uint16_t flags,
		     const struct host_route *r)
{
	struct nl_request q;
	union nl_buf rx;
	const struct nlmsghdr *h = NULL;
	int err;

	rt_request_init(&q, type, NLM_F_ACK | flags);
	q.r.rtm_table = RT_TABLE_MAIN;
	q.r.rtm_protocol = HOST_ROUTE_PROTO;
	q.r.rtm_type = RTN_UNICAST;
	if (type == RTM_DELROUTE)
		q.r.rtm_scope = RT_SCOPE_NOWHERE; /* match any scope */
	else
		q.r.rtm_scope = r->has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;

	err = rt_add_attr(&q, RTA_DST, &r->dst, sizeof(r->dst));
	if (!err && r->has_gw)
		err = rt_add_attr(&q, RTA_GATEWAY, &r->gw, sizeof(r->gw));
	if (!err)
		err = rt_add_attr(&q, RTA_OIF, &r->oif, sizeof(r->oif));
	if (!err)
		err = nl_talk(s, &q, &rx, &h);
	if (err)
		return err;
	return h ? -EBADMSG : 0; /* anything but an ack is unexpected */
}

/* True when some table entry already routes exactly dst/32; on kernels
 * without RTM_F_FIB_MATCH we cannot tell and rely on NLM_F_EXCL instead. */
static bool host_route_exists(struct nl_sock *s, struct in_addr dst,
			      uint32_t mark)
{
	struct route_answer fib;

	if (rt_lookup(s, dst, mark, RTM_F_FIB_MATCH, &fib) < 0)
		return false;
	return fib.dst_len == HOST_ROUTE_PREFIX_LEN;
}

/*
 * Directly connected server (no gateway in the lookup): like pptp-linux we
 * still add `dst/32 dev oif scope link`. The connected prefix usually
 * already wins over pppd's default route, but a /32 also outranks any more
 * specific route the tunnel brings (a peer address or pushed subnet that
 * covers the server), and it is removed at exit like the gateway case, so
 * one rule for both cases is simplest.
 */
int route_host_add(struct in_addr dst, uint32_t mark, struct host_route *r)
{
	struct nl_sock s;
	struct route_answer now;
	int err;

	if (!r)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->dst = dst;

	err = nl_open(&s);
	if (err)
		return err;
	err = rt_lookup(&s, dst, mark, 0, &now);
	if (err)
		goto out;
	if (now.type != RTN_UNICAST)
		goto out; /* local, broadcast, ...: nothing to protect */
	if (now.oif <= 0) {
		err = -ENODEV;
		goto out;
	}
	r->gw = now.gw;
	r->has_gw = now.has_gw;
	r->oif = now.oif;
	if (host_route_exists(&s, dst, mark))
		goto out; /* someone else's /32: leave it alone */

	err = rt_change(&s, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r);
	if (err == -EEXIST)
		err = 0; /* appeared meanwhile, or old kernel: not ours */
	else if (err == 0)
		r->added = true;
out:
	nl_close(&s);
	return err;
}

int route_host_del(struct host_route *r)
{
	struct nl_sock s;
	int err;

	if (!r)
		return -EINVAL;
	if (!r->added)
		return 0;
	err = nl_open(&s);
	if (err)
		return err;
	err = rt_change(&s, RTM_DELROUTE, 0, r);
	nl_close(&s);
	if (err == 0 || err == -ESRCH)
		r->added = false;
	return err;
}

int route_host_format(const struct host_route *r, char *buf, size_t cap)
{
	char dst[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN], dev[IF_NAMESIZE + 8];
	int n;

	if (!r || !buf || cap == 0)
		return -EINVAL;
	if (!inet_ntop(AF_INET, &r->dst, dst, sizeof(dst)))
		return -EINVAL;
	if (r->oif <= 0 || !if_indextoname((unsigned int)r->oif, dev))
		snprintf(dev, sizeof(dev), "if%d", r->oif);
	if (r->has_gw) {
		if (!inet_ntop(AF_INET, &r->gw, gw, sizeof(gw)))
			return -EINVAL;
		n = snprintf(buf, cap, "%s via %s dev %s", dst, gw, dev);
	} else {
		n = snprintf(buf, cap, "%s dev %s", dst, dev);
	}
	if (n < 0)
		return -EINVAL;
	return (size_t)n < cap ? n : -ENOSPC;
}
