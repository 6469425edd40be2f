/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c: syslog logging in pptp-linux's line shape, clocks, careful I/O. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Logging state is process-wide on purpose: every process of pptp logs
 * with the same identity and level, set once from the command line. */
#define LOGSTRING_MAX 64
static char log_string[LOGSTRING_MAX] = "anon";
static int log_level = LOGLEVEL_DEFAULT;
static bool log_stderr;
static bool log_opened;

void log_setup(const char *logstring, int level, bool stderr_too)
{
	if (logstring)
		snprintf(log_string, sizeof(log_string), "%s", logstring);
	log_level = level;
	log_stderr = stderr_too;
	if (!log_opened) {
		openlog("pptp", LOG_PID, LOG_DAEMON);
		log_opened = true;
	}
}

void log_set_stderr(bool on) { log_stderr = on; }

static void log_emit(int prio, const char *label, const char *func,
		     const char *file, int line, const char *msg)
{
	if (!log_opened) {
		openlog("pptp", LOG_PID, LOG_DAEMON);
		log_opened = true;
	}
	syslog(prio, "%s %s[%s:%s:%d]: %s", log_string, label, func, file,
	       line, msg);
	/* warn and fatal lines also go to stderr, as users of pptp-linux
	 * see them on the terminal; --debug mirrors everything. */
	if (log_stderr || prio <= LOG_WARNING)
		fprintf(stderr, "%s %s[%s:%s:%d]: %s\n", log_string, label,
			func, file, line, msg);
}

void log_line(int prio, const char *label, int minlevel, const char *func,
	      const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int saved = errno;

	if (log_level < minlevel)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_emit(prio, label, func, file, line, msg);
	errno = saved;
}

bool log_limit_allow(struct log_limit *l, uint64_t now_ms,
		     uint32_t *suppressed)
{
	if (rate_window_take(&l->w, now_ms, LOG_LIMIT_BURST,
			     LOG_LIMIT_WINDOW_MS) <= 0)
		return false;
	*suppressed = l->w.held;
	l->w.held = 0;
	return true;
}

void log_line_limited(struct log_limit *l, int prio, const char *label,
		      int minlevel, const char *func, const char *file,
		      int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	uint32_t held;
	int saved = errno, n;

	if (log_level < minlevel || !log_limit_allow(l, now_ms(), &held))
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (held && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n,
			 " (%u similar lines held back)", held);
	log_emit(prio, label, func, file, line, msg);
	errno = saved;
}

uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				poll(&pfd, 1, 1000);
				continue;
			}
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int read_full_timeout(int fd, void *buf, size_t n, int timeout_ms)
{
	uint8_t *p = buf;
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;

	while (n > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms();
		int rc;
		ssize_t r;

		if (now >= deadline)
			return -ETIMEDOUT;
		rc = poll(&pfd, 1, (int)(deadline - now));
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (rc == 0)
			return -ETIMEDOUT;
		r = read(fd, p, n);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EPIPE;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

void install_holder_signals(void (*on_usr1)(int), void (*on_stop)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl) < 0 ? -errno : 0;
}

void fd_to_devnull(int fd)
{
	int n = open("/dev/null", O_RDWR);

	if (n < 0)
		return;
	if (n != fd) {
		dup2(n, fd);
		close(n);
	}
}

/* The argv strings (and the environment right after them) form one
 * contiguous area that ps reads; we reuse it for the title. */
static char *title_start;
static size_t title_len;

void proc_title_init(int argc, char **argv)
{
	extern char **environ;
	char *end;
	size_t i, n = 0;
	char **env;

	if (argc < 1 || !argv[0])
		return;
	/* argv may be permuted by getopt later: find the real end. */
	end = argv[0] + strlen(argv[0]);
	for (i = 1; i < (size_t)argc; i++)
		if (argv[i] && argv[i] + strlen(argv[i]) > end)
			end = argv[i] + strlen(argv[i]);
	/* The environment strings usually follow argv; move them to the
	 * heap so the title may use their space too. */
	while (environ && environ[n])
		n++;
	env = calloc(n + 1, sizeof(*env));
	if (env) {
		for (i = 0; i < n; i++) {
			if (environ[i] == end + 1)
				end = environ[i] + strlen(environ[i]);
			env[i] = strdup(environ[i]);
		}
		environ = env;
	}
	title_start = argv[0];
	title_len = (size_t)(end - title_start) + 1;
}

void proc_title_set(const char *comm, const char *fmt, ...)
{
	va_list ap;
	char buf[256];
	size_t n;

	if (comm)
		prctl(PR_SET_NAME, comm, 0, 0, 0);
	if (!title_start || title_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = strlen(buf);
	if (n >= title_len)
		n = title_len - 1;
	memset(title_start, 0, title_len);
	memcpy(title_start, buf, n);
}

int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}
