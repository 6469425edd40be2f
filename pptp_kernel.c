/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_kernel.c: the kernel data path: the PPTP socket, and the call
 * holder that keeps the call (call manager socket) and the socket's
 * last reference while the kernel carries the frames.
 *
 * Teardown without pids or signals: pppd gets the PPTP socket from the
 * plugin and lets go of it once the ppp unit is attached, so the holder
 * owns the socket's only reference.  When the holder closes it (the call
 * ended, a signal, even SIGKILL) the kernel unregisters the channel and
 * pppd reads a hangup, as from a modem.  When pppd ends, the plugin's
 * side of the channel socket closes and the holder clears the call. */
#include "pptp_kernel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_pppox.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "netdev.h"
#include "pptp_callmgr.h"
#include "pptp_gre.h"
#include "pptp_status.h"
#include "util.h"

#ifndef PPTP_KERNEL_PLUGIN
#define PPTP_KERNEL_PLUGIN "/usr/lib/pppd/2.4.9/" KCHAN_PLUGIN_NAME
#endif
/* /proc/net/dev is read whole; a few hundred interfaces fit. */
#define NETDEV_READ_MAX 65536

const char *kernel_plugin_path(void)
{
	const char *p = getenv("PPTP_KERNEL_PLUGIN");

	return (p && *p) ? p : PPTP_KERNEL_PLUGIN;
}

int kernel_pptp_socket(uint32_t rtmark)
{
	int fd = socket(AF_PPPOX, SOCK_STREAM | SOCK_CLOEXEC, PX_PROTO_PPTP);
	int rc;

	if (fd < 0)
		return -errno;
	/* The kernel routes the GRE it sends by the socket's mark. */
	if (rtmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &rtmark,
				 sizeof(rtmark)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int kernel_local_addr(struct in_addr server, struct in_addr localbind,
		      uint32_t rtmark, struct in_addr *local)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = server,
				  .sin_port = htons(PPTP_PORT) };
	socklen_t len = sizeof(sa);
	int fd, rc = 0;

	if (localbind.s_addr != INADDR_NONE) {
		*local = localbind;
		return 0;
	}
	/* A connected UDP socket asks the routing table, sends nothing. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if ((rtmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &rtmark,
				  sizeof(rtmark)) < 0) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		rc = -errno;
	else
		*local = sa.sin_addr;
	close(fd);
	return rc;
}

int kernel_pptp_connect(int fd, struct in_addr local, uint16_t call_id,
			struct in_addr server, uint16_t peer_call_id)
{
	struct sockaddr_pppox sp;

	memset(&sp, 0, sizeof(sp));
	sp.sa_family = AF_PPPOX;
	sp.sa_protocol = PX_PROTO_PPTP;
	sp.sa_addr.pptp.call_id = call_id;
	sp.sa_addr.pptp.sin_addr = local;
	if (bind(fd, (struct sockaddr *)&sp, sizeof(sp)) < 0)
		return -errno;
	sp.sa_addr.pptp.call_id = peer_call_id;
	sp.sa_addr.pptp.sin_addr = server;
	if (connect(fd, (struct sockaddr *)&sp, sizeof(sp)) < 0)
		return -errno;
	return 0;
}

/* ---- the call holder ------------------------------------------------- */

static volatile sig_atomic_t kh_dump_stats;
static volatile sig_atomic_t kh_stop;

static void kh_on_usr1(int sig)
{
	(void)sig;
	kh_dump_stats = 1;
}

static void kh_on_stop(int sig)
{
	kh_stop = sig;
}

struct holder {
	const struct kernel_holder_config *cfg;
	char ifname[16];
	int status_fd;
	uint64_t started_us;
	char end_reason[200];
	struct cm_rbuf cm_rb;	/* records from the call manager */
};

/* The ppp unit's counters, in the gateway's statistics record. */
static void read_counters(const struct holder *h, struct gre_stats *st)
{
	struct netdev_counters c;
	char *buf;
	ssize_t n;
	int fd;

	memset(st, 0, sizeof(*st));
	if (!h->ifname[0])
		return;
	buf = malloc(NETDEV_READ_MAX);
	fd = open("/proc/net/dev", O_RDONLY | O_CLOEXEC);
	n = (buf && fd >= 0) ? read(fd, buf, NETDEV_READ_MAX) : -1;
	if (n > 0 && netdev_parse(buf, (size_t)n, h->ifname, &c) == 0) {
		st->rx_accepted = (uint32_t)c.rx_packets;
		st->rx_errors = (uint32_t)c.rx_errors;
		st->tx_sent = (uint32_t)c.tx_packets;
		st->tx_failed = (uint32_t)(c.tx_errors + c.tx_dropped);
		st->rx_bytes = c.rx_bytes;
		st->tx_bytes = c.tx_bytes;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void dump_stats(const struct holder *h)
{
	struct gre_stats st;

	read_counters(h, &st);
	syslog(LOG_NOTICE, "kernel data path: counters of %s (frames after "
	       "the kernel's PPTP; no reorder or ack counters)\n",
	       h->ifname[0] ? h->ifname : "the ppp unit (not known yet)");
	gre_stats_dump_syslog(&st);
}

static void serve_status(struct holder *h)
{
	struct status_info si;
	struct gre_stats st;
	char tty[32];

	read_counters(h, &st);
	snprintf(tty, sizeof(tty), "%s", h->ifname[0] ? h->ifname : "-");
	memset(&si, 0, sizeof(si));
	si.server = h->cfg->server;
	si.call_id = h->cfg->call_id;
	si.peer_call_id = h->cfg->peer_call_id;
	si.state = "kernel";
	si.tty = tty;
	si.uptime_s = (now_us() - h->started_us) / 1000000u;
	si.stats = &st;
	status_serve(h->status_fd, &si);
}

/* false when the call has ended. */
/* The kernel channel has no ACCM: frames are not async-framed on this
 * path. */
static void kh_on_sli(void *ctx, const struct cm_msg *m)
{
	(void)ctx;
	(void)m;
	log_debug("Set-Link-Info ignored on the kernel path");
}

static bool cm_readable(struct holder *h)
{
	return cm_call_poll(h->cfg->cm_fd, &h->cm_rb, kh_on_sli, NULL,
			    h->end_reason, sizeof(h->end_reason));
}

/* false when pppd let go of the channel (or died). */
static bool chan_readable(struct holder *h)
{
	struct kchan_note note;
	ssize_t n = recv(h->cfg->chan_fd, &note, sizeof(note), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n == (ssize_t)sizeof(note) && note.magic == KCHAN_MAGIC) {
		note.ifname[sizeof(note.ifname) - 1] = '\0';
		if (strcmp(note.ifname, h->ifname)) {
			snprintf(h->ifname, sizeof(h->ifname), "%s",
				 note.ifname);
			log_info("kernel data path: call %u on %s",
				 h->cfg->call_id, h->ifname);
		}
		return true;
	}
	if (n > 0) {
		log_warn("channel socket: malformed note (%zd bytes), ignored",
			 n);
		return true;
	}
	snprintf(h->end_reason, sizeof(h->end_reason),
		 "pppd closed the kernel channel");
	return false;
}

static void holder_loop(struct holder *h)
{
	const struct kernel_holder_config *cfg = h->cfg;

	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = cfg->cm_fd, .events = POLLIN },
			{ .fd = cfg->chan_fd, .events = POLLIN },
			{ .fd = h->status_fd, .events = POLLIN },
		};

		if (kh_stop) {
			snprintf(h->end_reason, sizeof(h->end_reason),
				 "stopped by signal %d", (int)kh_stop);
			return;
		}
		if (kh_dump_stats) {
			kh_dump_stats = 0;
			dump_stats(h);
		}
		if (poll(pfd, h->status_fd >= 0 ? 3 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(h->end_reason, sizeof(h->end_reason),
				 "poll: %s", strerror(errno));
			return;
		}
		if (pfd[0].revents && !cm_readable(h))
			return;
		if (pfd[1].revents && !chan_readable(h))
			return;
		if (h->status_fd >= 0 && (pfd[2].revents & POLLIN))
			serve_status(h);
	}
}

int kernel_holder_run(const struct kernel_holder_config *cfg)
{
	struct holder h;
	char a[INET_ADDRSTRLEN];

	memset(&h, 0, sizeof(h));
	h.cfg = cfg;
	h.status_fd = -1;
	h.started_us = now_us();
	install_holder_signals(kh_on_usr1, kh_on_stop);
	if (cfg->status_path)
		h.status_fd = status_listen(cfg->status_path);
	inet_ntop(AF_INET, &cfg->server, a, sizeof(a));
	/* The same stable line as the gateway's, tty=kernel. */
	log_info("Tunnel up: server=%s call_id=%u peer_call_id=%u tty=kernel "
		 "pid=%d", a, cfg->call_id, cfg->peer_call_id, (int)getpid());
	proc_title_set("pptpgw", "pptp: GRE-to-PPP in the kernel for %s call %u",
		       a, cfg->call_id);
	holder_loop(&h);
	log_info("%s", h.end_reason);
	if (h.status_fd >= 0) {
		close(h.status_fd);
		unlink(cfg->status_path);
	}
	return 0;
}
