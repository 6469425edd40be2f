/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp.c: the command line, and the start of every process: resolve the
 * server, open the GRE socket, find or start the call manager, launch
 * pppd (or take stdin/stdout), then become the GRE-to-PPP gateway. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "dirutil.h"
#include "gre_diag.h"
#include "pptp_callmgr.h"
#include "pptp_gre.h"
#include "pptp_kernel.h"
#include "pptp_quirks.h"
#include "pptp_status.h"
#include "reorder.h"
#include "util.h"

#define PPTP_VERSION_STRING "1.10.0"
#ifndef PPPD_BINARY
#define PPPD_BINARY "/usr/sbin/pppd"
#endif
/* Server addresses tried at most when a name has several. */
#define ADDRS_MAX 8
/* Attempts to reach (or start) the call manager for one address. */
#define CM_CONNECT_TRIES 3
/* Exit statuses, as pptp-linux uses them. */
#define EXIT_USAGE 1
#define EXIT_BADVALUE 2

struct options {
	const char *server_name;
	char phone[65];
	bool launchpppd, debug, sync, nobuffer, hostroute;
	double timeout_s;
	long idle_wait, max_echo_wait, connect_timeout;
	const char *logstring;
	struct in_addr localbind;
	int loglevel, quirk;
	long test_type, test_rate, missing_window, rtmark, gre_check;
	const char *client_hostname;
	bool status;
	enum status_style status_style;
	bool kernel;		/* --kernel: the kernel's PPTP data path */
	int kernel_channel_fd;	/* --kernel-channel: started by the plugin */
	const char *gateway_only;	/* a given option only the gateway has */
	int pppd_argc;
	char **pppd_argv;
};

static const char *progname = "pptp";

static void usage_text(FILE *f)
{
	fprintf(f,
"pptp version " PPTP_VERSION_STRING "\n"
"\n"
"Usage:\n"
"  %s <hostname> [<pptp options>] [[--] <pppd options>]\n"
"\n"
"Or using pppd's pty option:\n"
"  pppd pty \"%s <hostname> --nolaunchpppd <pptp options>\"\n"
"\n"
"Or to show the calls that are running:\n"
"  %s --status [<server>] [--tsv|--json]\n"
"\n"
"Available pptp options:\n"
"  --version             Display version number and exit\n"
"  --help                Display this text and exit\n"
"  --phone <number>      Pass <number> to remote host as phone number\n"
"  --nolaunchpppd        Do not launch pppd, for use as a pppd pty\n"
"  --quirks <quirk>      Work around a buggy PPTP implementation\n"
"                        Currently recognised values are BEZEQ_ISRAEL only\n"
"  --debug               Run in foreground (for debugging with gdb)\n"
"  --sync                Enable Synchronous HDLC (pppd must use it too)\n"
"  --timeout <secs>      Time to wait for reordered packets (0.01 to 10 secs)\n"
"  --nobuffer            Disable packet buffering and reordering completely\n"
"  --idle-wait <secs>    Time to wait before sending echo request (0: never)\n"
"  --max-echo-wait <secs> Time to wait for an echo reply before giving up\n"
"  --connect-timeout <secs> Time to wait for the server to accept the\n"
"                        control connection and the call (default 30)\n"
"  --logstring <name>    Use <name> instead of 'anon' in syslog messages\n"
"  --localbind <addr>    Bind to specified IP address instead of wildcard\n"
"  --rtmark <n>          Use specified policy routing mark for all packets\n"
"  --nohostroute         Do not add host route towards <hostname>\n"
"  --loglevel <level>    Sets the debugging level (0=low, 1=default, 2=high)\n"
"  --test-type <type>    Damage the packet stream by reordering (0 to 3)\n"
"  --test-rate <n>       Do the test every n packets\n"
"  --missing-window <n>  Packets ahead of the expected one that may be\n"
"                        buffered (default 300, recommended 6000)\n"
"  --client-hostname <name> Hostname sent to the server (default 'local')\n"
"  --gre-check <secs>    Warn when no GRE gets through for <secs> while\n"
"                        pppd sends (default 10, 0: never)\n"
"  --status [<server>]   Print the running calls (with --tsv or --json);\n"
"                        exit 1 when <server> has none\n"
"  --kernel              Carry the data in the kernel's PPTP module, pppd\n"
"                        gets it through the pptp-kernel.so plugin (pptp.8)\n",
		progname, progname, progname);
}

static void usage(void)
{
	usage_text(stderr);
	log_info("%s called with wrong arguments, program not started.",
		 progname);
	exit(EXIT_USAGE);
}

/* One clear line on stderr and in syslog, then the pptp-linux status. */
static void bad_value(const char *fmt, const char *arg)
{
	char line[256];

	snprintf(line, sizeof(line), fmt, arg);
	fprintf(stderr, "%s\n", line);
	log_info("%s", line);
	exit(EXIT_BADVALUE);
}

enum {
	OPT_PHONE = 256, OPT_NOLAUNCH, OPT_QUIRKS, OPT_DEBUG, OPT_SYNC,
	OPT_TIMEOUT, OPT_LOGSTRING, OPT_LOCALBIND, OPT_LOGLEVEL, OPT_NOBUFFER,
	OPT_IDLEWAIT, OPT_MAXECHO, OPT_VERSION, OPT_TESTTYPE, OPT_TESTRATE,
	OPT_RTMARK, OPT_NOHOSTROUTE, OPT_MISSINGWIN, OPT_CLIENTHOST, OPT_HELP,
	OPT_CONNTIMEOUT, OPT_STATUS, OPT_TSV, OPT_JSON, OPT_GRECHECK,
	OPT_KERNEL, OPT_KERNEL_CHANNEL
};

static const struct option long_options[] = {
	{ "phone", required_argument, NULL, OPT_PHONE },
	{ "nolaunchpppd", no_argument, NULL, OPT_NOLAUNCH },
	{ "quirks", required_argument, NULL, OPT_QUIRKS },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "sync", no_argument, NULL, OPT_SYNC },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "logstring", required_argument, NULL, OPT_LOGSTRING },
	{ "localbind", required_argument, NULL, OPT_LOCALBIND },
	{ "loglevel", required_argument, NULL, OPT_LOGLEVEL },
	{ "nobuffer", no_argument, NULL, OPT_NOBUFFER },
	{ "idle-wait", required_argument, NULL, OPT_IDLEWAIT },
	{ "max-echo-wait", required_argument, NULL, OPT_MAXECHO },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "test-type", required_argument, NULL, OPT_TESTTYPE },
	{ "test-rate", required_argument, NULL, OPT_TESTRATE },
	{ "rtmark", required_argument, NULL, OPT_RTMARK },
	{ "nohostroute", no_argument, NULL, OPT_NOHOSTROUTE },
	{ "missing-window", required_argument, NULL, OPT_MISSINGWIN },
	{ "client-hostname", required_argument, NULL, OPT_CLIENTHOST },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "connect-timeout", required_argument, NULL, OPT_CONNTIMEOUT },
	{ "status", no_argument, NULL, OPT_STATUS },
	{ "tsv", no_argument, NULL, OPT_TSV },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "gre-check", required_argument, NULL, OPT_GRECHECK },
	{ "kernel", no_argument, NULL, OPT_KERNEL },
	{ "kernel-channel", required_argument, NULL, OPT_KERNEL_CHANNEL },
	{ NULL, 0, NULL, 0 }
};

static long int_arg(const char *name, const char *arg, long lo, long hi)
{
	long v;
	char fmt[160];

	if (parse_long(arg, &v) < 0 || v < lo || v > hi) {
		snprintf(fmt, sizeof(fmt),
			 "--%s %%s: must be an integer from %ld to %ld", name,
			 lo, hi);
		bad_value(fmt, arg);
	}
	return v;
}

/* Options that only the pty gateway implements (the kernel path has no
 * sync framing, no test damage, no reorder queue, no GRE check). */
static const char *gateway_only_name(int c)
{
	switch (c) {
	case OPT_SYNC: return "--sync";
	case OPT_TESTTYPE: return "--test-type";
	case OPT_TESTRATE: return "--test-rate";
	case OPT_TIMEOUT: return "--timeout";
	case OPT_NOBUFFER: return "--nobuffer";
	case OPT_MISSINGWIN: return "--missing-window";
	default: return NULL;
	}
}

static void parse_option(struct options *o, int c, const char *arg)
{
	if (!o->gateway_only)
		o->gateway_only = gateway_only_name(c);
	switch (c) {
	case OPT_PHONE:
		snprintf(o->phone, sizeof(o->phone), "%s", arg);
		break;
	case OPT_NOLAUNCH: o->launchpppd = false; break;
	case OPT_QUIRKS:
		o->quirk = quirk_find(arg);
		if (o->quirk < 0)
			usage();
		break;
	case OPT_DEBUG: o->debug = true; break;
	case OPT_SYNC: o->sync = true; break;
	case OPT_TIMEOUT:
		if (parse_double(arg, &o->timeout_s) < 0 ||
		    o->timeout_s < 0.0099 || o->timeout_s > 10)
			bad_value("Packet timeout %s out of range: should be "
				  "between 0.01 and 10 seconds", arg);
		break;
	case OPT_LOGSTRING: o->logstring = arg; break;
	case OPT_LOCALBIND:
		if (inet_pton(AF_INET, arg, &o->localbind) < 1)
			bad_value("Local bind address %s invalid", arg);
		break;
	case OPT_LOGLEVEL: {
		long v;

		if (parse_long(arg, &v) < 0 || v < 0 || v > 2)
			usage();
		o->loglevel = (int)v;
		break;
	}
	case OPT_NOBUFFER: o->nobuffer = true; break;
	case OPT_IDLEWAIT:
		o->idle_wait = int_arg("idle-wait", arg, 0, 86400);
		break;
	case OPT_MAXECHO:
		o->max_echo_wait = int_arg("max-echo-wait", arg, 1, 86400);
		break;
	case OPT_CONNTIMEOUT:
		o->connect_timeout = int_arg("connect-timeout", arg, 1, 3600);
		break;
	case OPT_VERSION:
		printf("pptp version " PPTP_VERSION_STRING "\n");
		exit(0);
	case OPT_HELP:
		usage_text(stdout);
		exit(0);
	case OPT_TESTTYPE:
		o->test_type = int_arg("test-type", arg, 0, 3);
		break;
	case OPT_TESTRATE:
		o->test_rate = int_arg("test-rate", arg, 1, 1000000);
		break;
	case OPT_RTMARK:
		o->rtmark = int_arg("rtmark", arg, 0, 0xffffffffL);
		break;
	case OPT_NOHOSTROUTE: o->hostroute = false; break;
	case OPT_MISSINGWIN:
		o->missing_window = int_arg("missing-window", arg, 1,
					    REORDER_WINDOW_MAX - 1);
		break;
	case OPT_CLIENTHOST:
		if (strlen(arg) > 64)
			bad_value("--client-hostname %s: longer than 64 bytes",
				  arg);
		o->client_hostname = arg;
		break;
	case OPT_GRECHECK:
		o->gre_check = int_arg("gre-check", arg, 0, GD_MAX_SECS);
		break;
	case OPT_STATUS: o->status = true; break;
	case OPT_KERNEL: o->kernel = true; break;
	case OPT_KERNEL_CHANNEL:
		o->kernel_channel_fd = (int)int_arg("kernel-channel", arg, 3,
						    65535);
		o->kernel = true;
		o->launchpppd = false;
		break;
	case OPT_TSV: o->status_style = STATUS_TSV; break;
	case OPT_JSON: o->status_style = STATUS_JSON; break;
	default:
		usage();
	}
}

static void parse_args(struct options *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->launchpppd = true;
	o->hostroute = true;
	o->timeout_s = 0.3;
	o->idle_wait = 60;
	o->max_echo_wait = 60;
	o->connect_timeout = 30;
	o->localbind.s_addr = INADDR_NONE;
	o->loglevel = LOGLEVEL_DEFAULT;
	o->quirk = -1;
	o->test_rate = 100;
	o->missing_window = REORDER_DEFAULT_WINDOW;
	o->gre_check = GD_DEFAULT_SECS;
	o->kernel_channel_fd = -1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1)
		parse_option(o, c, optarg);
	if (o->status) {
		o->server_name = optind < argc ? argv[optind] : NULL;
		return;
	}
	if (optind >= argc)
		usage();
	o->server_name = argv[optind++];
	o->pppd_argc = argc - optind;
	o->pppd_argv = argv + optind;
}

/* ---- the server's addresses ------------------------------------------- */

static int resolve(const char *name, struct in_addr *addrs, int max)
{
	struct addrinfo hints, *ai, *p;
	int rc, n = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(name, NULL, &hints, &ai);
	if (rc) {
		log_fatal("Could not resolve the PPTP server %s: %s", name,
			  rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	for (p = ai; p && n < max; p = p->ai_next) {
		struct in_addr a = ((struct sockaddr_in *)p->ai_addr)->sin_addr;
		bool dup = false;

		for (int i = 0; i < n; i++)
			dup |= addrs[i].s_addr == a.s_addr;
		if (!dup)
			addrs[n++] = a;
	}
	freeaddrinfo(ai);
	return n;
}

/* ---- the call manager ---------------------------------------------------- */

struct setup {
	struct options *o;
	struct callmgr_config cm;
	int close_in_child[6];	/* fds a forked call manager must not keep */
	int nclose;
	int gre_fd;		/* this attempt's GRE socket: not the call
				 * manager's either */
	char why[200];		/* the cause of the last failure, when an
				 * errno does not say it all */
};

static void fill_callmgr_config(struct setup *s, struct in_addr server)
{
	struct callmgr_config *cm = &s->cm;
	struct options *o = s->o;

	memset(cm, 0, sizeof(*cm));
	cm->server = server;
	cm->localbind = o->localbind;
	cm->rtmark = (uint32_t)o->rtmark;
	cm->hostroute = o->hostroute;
	cm->connect_timeout_ms = (uint32_t)o->connect_timeout * 1000;
	cm->debug = o->debug;
	ctrl_config_default(&cm->ctrl);
	cm->ctrl.idle_wait_ms = (uint32_t)o->idle_wait * 1000;
	cm->ctrl.max_echo_wait_ms = (uint32_t)o->max_echo_wait * 1000;
	cm->ctrl.setup_timeout_ms = (uint32_t)o->connect_timeout * 1000;
	cm->ctrl.quirk = o->quirk;
	snprintf(cm->ctrl.phone, sizeof(cm->ctrl.phone), "%s", o->phone);
	if (o->client_hostname)
		snprintf(cm->ctrl.hostname, sizeof(cm->ctrl.hostname), "%s",
			 o->client_hostname);
}

/* Read the call manager's ready line (pptp_callmgr.h) within wait_ms. */
static int read_ready_line(int fd, char *line, size_t cap, int wait_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)wait_ms;
	size_t len = 0;

	while (len < cap && (len == 0 || line[len - 1] != '\n')) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms();
		ssize_t n;
		int rc;

		if (now >= deadline)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)(deadline - now));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return rc < 0 ? -errno : -ETIMEDOUT;
		n = read(fd, line + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	return (int)len;
}

/* Start a call manager and wait until its control connection is up, or
 * has failed: then the error is the call manager's own (connect's errno,
 * or -ECONNREFUSED with s->why naming what the server said). */
static int spawn_callmgr(struct setup *s)
{
	char line[CM_READY_MAX];
	int ready[2], status, err = 0, n, rc;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(ready[0]);
		close(ready[1]);
		return rc;
	}
	if (pid == 0) {
		close(ready[0]);
		for (int i = 0; i < s->nclose; i++)
			if (s->close_in_child[i] >= 0)
				close(s->close_in_child[i]);
		if (s->gre_fd >= 0)
			close(s->gre_fd);
		_exit(callmgr_main(&s->cm, ready[1]));
	}
	close(ready[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Bounded: the connect, then the Start-Control-Connection-Reply,
	 * each within the connect timeout. */
	n = read_ready_line(ready[0], line, sizeof(line),
			    (int)(2 * s->cm.connect_timeout_ms + 5000));
	close(ready[0]);
	if (n < 0) {
		snprintf(s->why, sizeof(s->why),
			 "no word from the call manager: %s", strerror(-n));
		return -ECONNREFUSED;
	}
	rc = cm_ready_decode(line, (size_t)n, &err, s->why, sizeof(s->why));
	if (rc == 0)
		return 0;
	if (rc < 0) {
		snprintf(s->why, sizeof(s->why), "the call manager %s",
			 WIFEXITED(status) && WEXITSTATUS(status) == 0
			 ? "ended without a word" : "failed to start");
		return -ECONNREFUSED;
	}
	return err ? -err : -ECONNREFUSED;
}

static int connect_callmgr(struct setup *s)
{
	struct sockaddr_un sun;
	int rc = callmgr_socket_name(&sun, s->cm.server, s->cm.localbind);

	s->why[0] = '\0';
	if (rc < 0)
		return rc;
	for (int i = 0; i < CM_CONNECT_TRIES; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
		rc = -errno;
		close(fd);
		/* A socket nobody listens on is left from a crash. */
		if (rc == -ECONNREFUSED)
			unlink(sun.sun_path);
		rc = spawn_callmgr(s);
		if (rc < 0)
			return rc;
	}
	return -EAGAIN;
}

/* Ask for a call and wait until the server has accepted it. */
static int request_call(struct setup *s, int fd, struct cm_msg *r)
{
	struct cm_msg req = { .type = CM_REQUEST,
			      .gateway_pid = (uint32_t)getpid() };
	uint8_t buf[CM_MSG_MAX];
	int wait_ms = (int)(2 * s->cm.connect_timeout_ms + 5000);
	int rc = cm_encode(&req, buf, sizeof(buf));

	if (rc > 0)
		rc = write_all(fd, buf, (size_t)rc);
	if (rc < 0)
		return rc;
	for (;;) {
		/* One record at a time: what follows the call's CM_CALL_UP
		 * stays in the socket for the gateway. */
		rc = cm_read_timeout(fd, r, wait_ms);
		if (rc == -ETIMEDOUT)
			snprintf(s->why, sizeof(s->why), "no answer to the call "
				 "request within %d s", wait_ms / 1000);
		else if (rc < 0)
			snprintf(s->why, sizeof(s->why), "the call manager "
				 "went away: %s", strerror(-rc));
		if (rc < 0)
			return rc;
		if (r->type == CM_CALL_UP)
			return 0;
		if (r->type == CM_CALL_DOWN) {
			snprintf(s->why, sizeof(s->why), "%s", r->text);
			return -ECONNREFUSED;
		}
	}
}

/* ---- pppd ----------------------------------------------------------------- */

static const char *pppd_binary(void)
{
	const char *p = getenv("PPTP_PPPD");

	return (p && *p) ? p : PPPD_BINARY;
}

/* The original process becomes pppd once the call is up; until then it
 * waits on a pipe that the gateway writes one byte to. */
static void become_pppd(struct options *o, const char *ttydev, int chan_fd,
			int go_fd)
{
	char **argv = calloc((size_t)o->pppd_argc + 6, sizeof(char *));
	char fdarg[16];
	char b;
	ssize_t n;
	int i = 0;

	do {
		n = read(go_fd, &b, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1) {
		/* The gateway failed and said why in the log already. */
		exit(EXIT_USAGE);
	}
	close(go_fd);
	if (!argv)
		exit(EXIT_USAGE);
	argv[i++] = (char *)pppd_binary();
	if (chan_fd >= 0) {
		/* The kernel path: the plugin takes the channel from chan_fd. */
		snprintf(fdarg, sizeof(fdarg), "%d", chan_fd);
		argv[i++] = "plugin";
		argv[i++] = (char *)kernel_plugin_path();
		argv[i++] = KCHAN_OPT_FD;
		argv[i++] = fdarg;
	} else {
		argv[i++] = (char *)ttydev;
		argv[i++] = "38400";
	}
	for (int j = 0; j < o->pppd_argc; j++)
		argv[i++] = o->pppd_argv[j];
	argv[i] = NULL;
	execv(argv[0], argv);
	log_fatal("Could not launch pppd %s: %s", argv[0], strerror(errno));
	exit(EXIT_USAGE);
}

static void daemonize(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_warn("fork: %s", strerror(errno));
		return;
	}
	if (pid > 0)
		_exit(0);
	setsid();
	fd_to_devnull(STDIN_FILENO);
	fd_to_devnull(STDOUT_FILENO);
	fd_to_devnull(STDERR_FILENO);
}

static void set_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return;
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
}

/* ---- main ----------------------------------------------------------------- */

struct call {
	struct in_addr server;
	int gre_fd, cm_fd;
	struct cm_msg up;	/* the call manager's CM_CALL_UP */
};

/* Reach (or start) the call manager and ask it for the call.  A call
 * manager that goes away before it answers (it was ending when we came)
 * is replaced by a fresh one, a bounded number of times. */
static int call_via_callmgr(struct setup *s, struct call *call)
{
	int rc = -EAGAIN;

	for (int i = 0; i < CM_CONNECT_TRIES; i++) {
		call->cm_fd = connect_callmgr(s);
		if (call->cm_fd < 0)
			return call->cm_fd;
		rc = request_call(s, call->cm_fd, &call->up);
		if (rc == 0)
			return 0;
		close(call->cm_fd);
		call->cm_fd = -1;
		if (rc != -EPIPE && rc != -ECONNRESET)
			return rc;
		log_debug("call manager went away before it answered: %s",
			  strerror(-rc));
	}
	return rc;
}

static int place_call(struct setup *s, struct in_addr *addrs, int naddrs,
		      bool want_gre, struct call *call)
{
	char a[INET_ADDRSTRLEN];
	int rc = -ENOENT;

	for (int i = 0; i < naddrs; i++) {
		inet_ntop(AF_INET, &addrs[i], a, sizeof(a));
		if (naddrs > 1)
			log_info("trying server address %s (%d of %d)", a,
				 i + 1, naddrs);
		/* The kernel path needs no raw socket (it would get a copy of
		 * every GRE packet). */
		call->gre_fd = want_gre ? gre_open_socket(addrs[i],
					s->o->localbind, (uint32_t)s->o->rtmark)
					: -1;
		if (want_gre && call->gre_fd < 0) {
			rc = call->gre_fd;
			if (rc == -EPERM || rc == -EACCES) {
				/* Not the server's fault: no other address
				 * will do better. */
				log_fatal("Cannot open a GRE socket (raw IP "
					  "protocol 47 needs root or "
					  "CAP_NET_RAW): %s", strerror(-rc));
				return rc;
			}
			log_warn("Could not reach the PPTP server at %s: GRE "
				 "socket: %s", a, strerror(-rc));
			continue;
		}
		s->gre_fd = call->gre_fd;
		fill_callmgr_config(s, addrs[i]);
		rc = call_via_callmgr(s, call);
		s->gre_fd = -1;
		if (rc == 0) {
			call->server = addrs[i];
			return 0;
		}
		/* One line naming the cause: an errno, or what the server or
		 * the call manager said. */
		if (s->why[0])
			log_warn("Call to %s failed: %s", a, s->why);
		else
			log_warn("Could not reach the PPTP server at %s: %s", a,
				 strerror(-rc));
		if (call->gre_fd >= 0)
			close(call->gre_fd);
	}
	return rc;
}

static int run_gateway(struct options *o, struct call *call, int pty_in,
		       int pty_out, pid_t pppd_pid, const char *tty)
{
	struct gateway_config g;
	char spath[PATH_MAX];
	char a[INET_ADDRSTRLEN];
	enum gateway_end end;

	memset(&g, 0, sizeof(g));
	g.call_id = call->up.call_id;
	g.peer_call_id = call->up.peer_call_id;
	g.pty_in = pty_in;
	g.pty_out = pty_out;
	g.gre_fd = call->gre_fd;
	g.cm_fd = call->cm_fd;
	g.server = call->server;
	g.sync = o->sync;
	g.nobuffer = o->nobuffer;
	g.timeout_us = (uint32_t)(o->timeout_s * 1e6);
	g.missing_window = (uint32_t)o->missing_window;
	g.test_type = (int)o->test_type;
	g.test_rate = (int)o->test_rate;
	g.tty_name = tty;
	g.gre_check_s = (uint32_t)o->gre_check;
	if (status_path(spath, sizeof(spath), call->server, g.call_id) == 0)
		g.status_path = spath;
	if (gre_attach_filter(call->gre_fd, g.call_id) < 0)
		log_debug("no socket filter: %s", strerror(errno));
	inet_ntop(AF_INET, &call->server, a, sizeof(a));
	/* One stable line for scripts: where the call went, with its ids. */
	log_info("Tunnel up: server=%s call_id=%u peer_call_id=%u tty=%s pid=%d",
		 a, g.call_id, g.peer_call_id, tty ? tty : "-", (int)getpid());
	proc_title_set("pptpgw", "pptp: GRE-to-PPP gateway on %s",
		       tty ? tty : "(null)");
	end = gateway_run(&g);
	close(call->cm_fd);
	if (pppd_pid > 0 && end != GW_END_PTY)
		kill(pppd_pid, SIGTERM);
	return end == GW_END_ERROR ? 1 : 0;
}

/* ---- the kernel data path ----------------------------------------------- */

/* Whether --kernel can be had; when not, one line says why, and the pty
 * gateway carries the call.  On success *kfd is an unconnected PPTP
 * socket. */
static bool kernel_precheck(const struct options *o, int *kfd, char *why,
			    size_t cap)
{
	int fd = -1;

	if (o->gateway_only) {
		snprintf(why, cap, "%s is a pty gateway option",
			 o->gateway_only);
	} else if (!o->launchpppd && o->kernel_channel_fd < 0) {
		snprintf(why, cap, "with --nolaunchpppd pppd's pty is the "
			 "channel (a peers file uses the plugin instead)");
	} else if (o->launchpppd && access(kernel_plugin_path(), R_OK) < 0) {
		snprintf(why, cap, "no pppd plugin %s (%s)",
			 kernel_plugin_path(), strerror(errno));
	} else {
		fd = kernel_pptp_socket((uint32_t)o->rtmark);
		if (fd < 0)
			snprintf(why, cap, "this kernel has no PPTP "
				 "socket (module pptp): %s", strerror(-fd));
	}
	if (fd < 0) {
		log_warn("kernel data path not used: %s; using the pty gateway",
			 why);
		return false;
	}
	*kfd = fd;
	return true;
}

static void offer_fill(struct kchan_offer *off, enum kchan_kind kind,
		       const struct call *call, const char *text)
{
	memset(off, 0, sizeof(*off));
	off->magic = KCHAN_MAGIC;
	off->kind = kind;
	if (call) {
		off->call_id = call->up.call_id;
		off->peer_call_id = call->up.peer_call_id;
		inet_ntop(AF_INET, &call->server, off->server,
			  sizeof(off->server));
	}
	snprintf(off->text, sizeof(off->text), "%s", text ? text : "");
}

/* Bind and connect the PPTP socket for the call that is up. */
static int kernel_connect_call(const struct options *o,
			       const struct call *call, int kfd, char *why,
			       size_t cap)
{
	struct in_addr local;
	int rc = kernel_local_addr(call->server, o->localbind,
				   (uint32_t)o->rtmark, &local);

	if (rc == 0)
		rc = kernel_pptp_connect(kfd, local, call->up.call_id,
					 call->server, call->up.peer_call_id);
	if (rc < 0) {
		snprintf(why, cap, "PPTP socket for call %u: %s",
			 call->up.call_id, strerror(-rc));
		log_warn("kernel data path not used: %s; using the pty gateway",
			 why);
	}
	return rc;
}

/* The plugin waits for a channel but the gateway carries the call: give
 * pppd a pty whose master the gateway serves. */
static int offer_pty(const struct call *call, int chan_fd, int *master,
		     char *name, const char *why)
{
	struct kchan_offer off;
	char text[sizeof(off.text)];
	int slave, rc;

	if (openpty(master, &slave, name, NULL, NULL) < 0) {
		log_fatal("Could not find free pty.");
		return -errno;
	}
	set_raw(slave);
	set_raw(*master);
	fcntl(*master, F_SETFD, FD_CLOEXEC);
	snprintf(text, sizeof(text), "kernel data path not used: %s; the pty "
		 "gateway carries the call", why);
	offer_fill(&off, KCHAN_PTY, call, text);
	rc = kchan_send_offer(chan_fd, &off, slave);
	close(slave);
	if (rc < 0)
		log_fatal("cannot hand the pty to pppd: %s", strerror(-rc));
	return rc;
}

static int run_holder(const struct options *o, struct call *call, int kfd,
		      int chan_fd)
{
	struct kernel_holder_config k;
	char spath[PATH_MAX];

	(void)o;
	memset(&k, 0, sizeof(k));
	k.call_id = call->up.call_id;
	k.peer_call_id = call->up.peer_call_id;
	k.server = call->server;
	k.cm_fd = call->cm_fd;
	k.chan_fd = chan_fd;
	if (status_path(spath, sizeof(spath), call->server, k.call_id) == 0)
		k.status_path = spath;
	kernel_holder_run(&k);
	/* The socket's last reference: pppd, if still there, hangs up. */
	close(kfd);
	close(chan_fd);
	/* The call manager clears the call. */
	close(call->cm_fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct setup s;
	struct in_addr addrs[ADDRS_MAX];
	struct call call;
	int naddrs, pty_fd = -1, tty_fd = -1, go[2] = { -1, -1 };
	int pty_in = -1, pty_out = -1, rc, kfd = -1, chan_fd = -1;
	int chan[2] = { -1, -1 };
	bool kernel = false;
	char why[128] = "";
	pid_t pppd_pid = 0;
	char ttydev[PATH_MAX] = "";
	const char *tty = NULL;

	progname = argv[0];
	log_setup(NULL, LOGLEVEL_DEFAULT, false);
	proc_title_init(argc, argv);
	parse_args(&o, argc, argv);
	log_setup(o.logstring, o.loglevel, o.debug);
	if (o.status)
		return status_command(o.server_name, o.status_style);
	naddrs = resolve(o.server_name, addrs, ADDRS_MAX);
	if (naddrs <= 0)
		return EXIT_USAGE;
	log_info("The synchronous pptp option is %sactivated",
		 o.sync ? "" : "NOT ");
	memset(&s, 0, sizeof(s));
	s.o = &o;
	s.gre_fd = -1;
	signal(SIGPIPE, SIG_IGN);
	if (o.kernel)
		kernel = kernel_precheck(&o, &kfd, why, sizeof(why));
	if (o.launchpppd) {
		pid_t parent = getpid();

		if (kernel) {
			if (socketpair(AF_UNIX, SOCK_STREAM, 0, chan) < 0 ||
			    pipe(go) < 0) {
				log_fatal("socketpair: %s", strerror(errno));
				return EXIT_USAGE;
			}
			fcntl(chan[1], F_SETFD, FD_CLOEXEC);
		} else if (openpty(&pty_fd, &tty_fd, ttydev, NULL, NULL) < 0 ||
			   pipe(go) < 0) {
			log_fatal("Could not find free pty.");
			return EXIT_USAGE;
		} else {
			set_raw(tty_fd);
		}
		switch (fork()) {
		case -1:
			log_fatal("Could not fork pppd process");
			return EXIT_USAGE;
		case 0:
			break;
		default:
			/* Keep the slave open until pppd has it: a pty master
			 * reads EIO (as if pppd had gone) while no slave fd
			 * is open. */
			close(go[1]);
			if (kernel) {
				close(chan[1]);
				close(kfd);
				become_pppd(&o, NULL, chan[0], go[0]);
			}
			close(pty_fd);
			become_pppd(&o, ttydev, -1, go[0]);
		}
		close(go[0]);
		pppd_pid = parent;
		if (kernel) {
			close(chan[0]);
			chan_fd = chan[1];
		} else {
			close(tty_fd);
			tty = ttydev;
			pty_in = pty_out = pty_fd;
			set_raw(pty_fd);
			s.close_in_child[s.nclose++] = pty_fd;
		}
		s.close_in_child[s.nclose++] = go[1];
	} else if (o.kernel_channel_fd >= 0) {
		/* Started by the plugin: the channel socket is inherited. */
		chan_fd = o.kernel_channel_fd;
		fcntl(chan_fd, F_SETFD, FD_CLOEXEC);
	} else {
		pty_in = STDIN_FILENO;
		pty_out = fcntl(STDOUT_FILENO, F_GETFL) >= 0 ? STDOUT_FILENO
							     : STDIN_FILENO;
		if (isatty(STDIN_FILENO)) {
			tty = ttyname(STDIN_FILENO);
			set_raw(STDIN_FILENO);
		}
	}
	s.close_in_child[s.nclose++] = chan_fd;
	s.close_in_child[s.nclose++] = kfd;
	rc = place_call(&s, addrs, naddrs, !kernel, &call);
	if (rc < 0) {
		if (chan_fd >= 0) {
			struct kchan_offer off;

			offer_fill(&off, KCHAN_FAILED, NULL,
				   "the call could not be placed (see syslog)");
			kchan_send_offer(chan_fd, &off, -1);
		}
		return EXIT_USAGE;
	}
	if (kernel && kernel_connect_call(&o, &call, kfd, why, sizeof(why)) < 0) {
		kernel = false;
		close(kfd);
		call.gre_fd = gre_open_socket(call.server, o.localbind,
					      (uint32_t)o.rtmark);
		if (call.gre_fd < 0) {
			log_fatal("Cannot bind GRE socket, aborting: %s",
				  strerror(-call.gre_fd));
			return EXIT_USAGE;
		}
	}
	if (kernel) {
		struct kchan_offer off;

		offer_fill(&off, KCHAN_KERNEL, &call, "");
		rc = kchan_send_offer(chan_fd, &off, kfd);
		if (rc < 0) {
			log_fatal("cannot hand the PPTP socket to pppd: %s",
				  strerror(-rc));
			return EXIT_USAGE;
		}
	} else if (chan_fd >= 0) {
		if (offer_pty(&call, chan_fd, &pty_fd, ttydev, why) < 0)
			return EXIT_USAGE;
		tty = ttydev;
		pty_in = pty_out = pty_fd;
	}
	if (o.launchpppd) {
		if (write(go[1], "G", 1) != 1)
			log_warn("cannot wake pppd: %s", strerror(errno));
		close(go[1]);
		/* Until here failures reached the terminal; from now on the
		 * gateway lives on its own (its pid is read at run time, by
		 * the status socket, never remembered from before). */
		if (!o.debug)
			daemonize();
	} else if (!o.debug) {
		fd_to_devnull(STDERR_FILENO);
		log_set_stderr(false);
	}
	if (kernel)
		return run_holder(&o, &call, kfd, chan_fd);
	return run_gateway(&o, &call, pty_in, pty_out, pppd_pid, tty);
}
