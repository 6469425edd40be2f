/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp-kernel.c: a pppd plugin whose only job is to take the channel
 * that pptp(8) prepared and hand it to pppd.
 *
 * pptp places the call with its call manager, connects a PPTP socket
 * (the kernel's `pptp' module) and sends it over a unix socket, the
 * channel socket (pptp_kernel.h).  The plugin gets that socket either
 * inherited (pptp SERVER --kernel: option pptp_channel_fd N) or by
 * starting pptp itself at each connect (peers files: option
 * pptp_server HOST, with pptp_options "..." for pptp).
 *
 * Once pppd has attached the ppp unit, the plugin lets go of the PPTP
 * socket: pptp holds its only reference, so when the call ends the
 * kernel unregisters the channel and pppd sees a hangup.  When pppd
 * disconnects, the plugin closes the channel socket and pptp clears
 * the call.  Without a kernel PPTP socket pptp sends a pty instead, with
 * its GRE gateway behind it, and the plugin runs pppd's tty code on it. */
#define KCHAN_PLUGIN
#include "pptp_kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <pppd/pppd.h>

char pppd_version[] = VERSION;

/* How long connect waits for pptp's offer: pptp bounds its own wait for
 * the server (--connect-timeout, 30 s by default, twice: control
 * connection and call), plus slack. */
#define KP_OFFER_WAIT_MS 120000
/* pptp_options is split into at most this many words. */
#define KP_ARGS_MAX 48

static int opt_chan_fd = -1;
static char *opt_server;
static char *opt_options;
static char *opt_binary = "/usr/sbin/pptp";

static int chan_sock = -1;	/* channel socket to pptp */
static int data_fd = -1;	/* what connect returned to pppd */
static bool on_pty;		/* pptp's gateway carries the call */
static bool inherited_used;

/* Tty options that shared options files carry (the installed
 * /etc/ppp/options.pptp has "lock"): accepted and ignored, since pppd
 * looks up tty options only in the channel's own list. */
static bool kp_ignored;
static option_t kp_tty_options[] = {
	{ "lock", o_bool, &kp_ignored,
	  "ignored: the PPTP channel is not a tty", 1 },
	{ "nolock", o_bool, &kp_ignored,
	  "ignored: the PPTP channel is not a tty", 0 },
	{ NULL }
};

static option_t kp_options[] = {
	{ KCHAN_OPT_FD, o_int, &opt_chan_fd,
	  "fd of the channel socket from pptp --kernel", OPT_PRIO },
	{ KCHAN_OPT_SERVER, o_string, &opt_server,
	  "PPTP server: start pptp for each connection", OPT_PRIO },
	{ KCHAN_OPT_OPTIONS, o_string, &opt_options,
	  "options for the pptp that pptp_server starts", OPT_PRIO },
	{ KCHAN_OPT_BINARY, o_string, &opt_binary,
	  "the pptp program (default /usr/sbin/pptp)", OPT_PRIV },
	{ NULL }
};

/* ---- starting pptp (peers files) -------------------------------------- */

static int split_words(char *s, char **out, int max)
{
	int n = 0;

	for (char *w = strtok(s, " \t"); w; w = strtok(NULL, " \t")) {
		if (n == max)
			return -1;
		out[n++] = w;
	}
	return n;
}

/* In the child: pptp gets the channel socket as fd 3 and nothing else of
 * pppd's (its log file, /dev/ppp), stdin and stdout on /dev/null. */
static void exec_pptp(int sock)
{
	char *argv[KP_ARGS_MAX + 6];
	char *opts = opt_options ? strdup(opt_options) : NULL;
	sigset_t none;
	int fd, n = 0, k;

	if (dup2(sock, 3) < 0 || fcntl(3, F_SETFD, 0) < 0)
		_exit(127);
	close_range(4, ~0U, 0);
	argv[n++] = opt_binary;
	argv[n++] = opt_server;
	argv[n++] = KCHAN_PPTP_ARG;
	argv[n++] = "3";
	k = opts ? split_words(opts, argv + n, KP_ARGS_MAX) : 0;
	if (k < 0)
		_exit(127);
	argv[n + k] = NULL;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (fd > 3)
			close(fd);
	}
	execv(opt_binary, argv);
	_exit(127);
}

static int start_pptp(void)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		error("pptp-kernel: socketpair: %m");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		error("pptp-kernel: fork: %m");
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		exec_pptp(sv[1]);
	}
	close(sv[1]);
	chan_sock = sv[0];
	record_child(pid, opt_binary, NULL, NULL, 1);
	return 0;
}

/* ---- the channel ---------------------------------------------------------- */

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static int wait_offer(struct kchan_offer *off, int *fd)
{
	long end = now_ms() + KP_OFFER_WAIT_MS;
	int rc;

	for (;;) {
		long left = end - now_ms();

		rc = kchan_recv_offer(chan_sock, off, fd,
				      left > 0 ? (int)left : 0);
		if (rc != -EINTR || got_sigterm)
			return rc;
	}
}

static void send_note(void)
{
	struct kchan_note n;

	memset(&n, 0, sizeof(n));
	n.magic = KCHAN_MAGIC;
	/* pppd names the unit (ifname) only after establish returns; it
	 * will be req_ifname or ppp<unit>, as here. */
	if (req_ifname[0])
		strlcpy(n.ifname, req_ifname, sizeof(n.ifname));
	else
		slprintf(n.ifname, sizeof(n.ifname), "ppp%d", ifunit);
	if (send(chan_sock, &n, sizeof(n), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		warn("pptp-kernel: cannot tell pptp the interface: %m");
}

static int kp_connect(void)
{
	struct kchan_offer off;
	int fd, rc;

	if (opt_server) {
		if (start_pptp() < 0)
			return -1;
	} else if (!inherited_used) {
		chan_sock = opt_chan_fd;
		inherited_used = 1;
		fcntl(chan_sock, F_SETFD, FD_CLOEXEC);
	} else {
		error("pptp-kernel: the channel from pptp --kernel carries one "
		      "call; for redialling use pptp_server in a peers file");
		return -1;
	}
	rc = wait_offer(&off, &fd);
	if (rc < 0) {
		error("pptp-kernel: no channel from pptp: %s",
		      rc == -EPIPE ? "pptp exited (see its log)" : strerror(-rc));
		close(chan_sock);
		chan_sock = -1;
		return -1;
	}
	if (off.kind == KCHAN_FAILED) {
		error("pptp-kernel: %s", off.text);
		close(chan_sock);
		chan_sock = -1;
		return -1;
	}
	on_pty = (off.kind == KCHAN_PTY);
	if (on_pty) {
		warn("pptp-kernel: %s", off.text);
		slprintf(ppp_devnam, sizeof(ppp_devnam), "%s",
			 ttyname(fd) ? ttyname(fd) : "pptp gateway pty");
	} else {
		notice("pptp-kernel: call %u to %s in the kernel (peer call %u)",
		       off.call_id, off.server, off.peer_call_id);
		slprintf(ppp_devnam, sizeof(ppp_devnam), "pptp %s call %u",
			 off.server, off.call_id);
	}
	data_fd = fd;
	return fd;
}

static int kp_establish(int fd)
{
	int unit_fd, null_fd;

	if (on_pty)
		return tty_establish_ppp(fd);
	unit_fd = generic_establish_ppp(fd);
	if (unit_fd < 0)
		return unit_fd;
	/* Let go of the PPTP socket (the number stays valid for pppd):
	 * pptp's reference is now the last, so the end of the call reaches
	 * pppd as a hangup. */
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd >= 0) {
		dup2(null_fd, fd);
		close(null_fd);
	}
	send_note();
	return unit_fd;
}

static void kp_disestablish(int fd)
{
	if (on_pty)
		tty_disestablish_ppp(fd);
	else
		generic_disestablish_ppp(fd);
}

static void kp_send_config(int mtu, u_int32_t accm, int pcomp, int accomp)
{
	/* The kernel channel sends address/control and full protocol
	 * fields, which every peer must accept; only the pty needs more. */
	if (on_pty)
		tty_send_config(mtu, accm, pcomp, accomp);
}

static void kp_recv_config(int mru, u_int32_t accm, int pcomp, int accomp)
{
	if (on_pty)
		tty_recv_config(mru, accm, pcomp, accomp);
}

/* Closing the channel socket tells pptp that pppd is done. */
static void kp_disconnect(void)
{
	if (data_fd >= 0)
		close(data_fd);
	data_fd = -1;
	if (chan_sock >= 0)
		close(chan_sock);
	chan_sock = -1;
}

static void kp_check_options(void)
{
	if (!opt_server && opt_chan_fd < 0)
		fatal("pptp-kernel: needs " KCHAN_OPT_SERVER " HOST (peers "
		      "files) or " KCHAN_OPT_FD " N (set by pptp --kernel)");
	if (opt_server && opt_chan_fd >= 0)
		fatal("pptp-kernel: " KCHAN_OPT_SERVER " and " KCHAN_OPT_FD
		      " exclude each other");
}

static struct channel kp_channel = {
	.options = kp_tty_options,
	.process_extra_options = NULL,
	.check_options = kp_check_options,
	.connect = kp_connect,
	.disconnect = kp_disconnect,
	.establish_ppp = kp_establish,
	.disestablish_ppp = kp_disestablish,
	.send_config = kp_send_config,
	.recv_config = kp_recv_config,
	.cleanup = kp_disconnect,
	.close = kp_disconnect,
};

void plugin_init(void)
{
	add_options(kp_options);
	the_channel = &kp_channel;
}
