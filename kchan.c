/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kchan.c: the channel socket between pptp and its pppd plugin: one
 * offer, with the data fd attached.  Linked into pptp and the plugin. */
#include "pptp_kernel.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int kchan_send_offer(int sock, const struct kchan_offer *o, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = { .iov_base = (void *)o, .iov_len = sizeof(*o) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	memset(&c, 0, sizeof(c));
	if (fd >= 0) {
		m.msg_control = c.buf;
		m.msg_controllen = sizeof(c.buf);
		c.h.cmsg_level = SOL_SOCKET;
		c.h.cmsg_type = SCM_RIGHTS;
		c.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&c.h), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &m, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(*o) ? 0 : -EPROTO;
}

/* Close every fd a message carried (a peer may attach more than one). */
static void close_passed(struct msghdr *m, int *keep)
{
	for (struct cmsghdr *h = CMSG_FIRSTHDR(m); h; h = CMSG_NXTHDR(m, h)) {
		size_t n;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS ||
		    h->cmsg_len < CMSG_LEN(0))
			continue;
		n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			if (keep && *keep < 0)
				*keep = fd;
			else
				close(fd);
		}
	}
}

int kchan_recv_offer(int sock, struct kchan_offer *o, int *fd, int timeout_ms)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} c;
	struct iovec iov = { .iov_base = o, .iov_len = sizeof(*o) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = c.buf,
			    .msg_controllen = sizeof(c.buf) };
	struct pollfd p = { .fd = sock, .events = POLLIN };
	ssize_t n;
	int rc;

	*fd = -1;
	rc = poll(&p, 1, timeout_ms);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return -ETIMEDOUT;
	n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	close_passed(&m, fd);
	if (n != (ssize_t)sizeof(*o) || o->magic != KCHAN_MAGIC ||
	    (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -EPROTO;
	}
	o->server[sizeof(o->server) - 1] = '\0';
	o->text[sizeof(o->text) - 1] = '\0';
	if ((o->kind == KCHAN_KERNEL || o->kind == KCHAN_PTY) && *fd < 0)
		return -EPROTO;
	return 0;
}
