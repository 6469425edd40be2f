/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h: syslog logging in pptp-linux's line shape, clocks, careful I/O. */
#ifndef PPTP_UTIL_H
#define PPTP_UTIL_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ratelimit.h"

/* --loglevel, as pptp-linux reads it: the level decides only how much
 * per-packet and per-message detail is written.  The normal lines (the
 * call's milestones, its end and why) and every warning go out at every
 * level, so NetworkManager (which runs pptp with --loglevel 0) still gets
 * them in the journal.
 *   0: normal lines, warnings, fatal errors
 *   1: (default) also sequence trouble per packet (duplicates, packets far
 *      outside the window), rate limited
 * Bad packets and frames are warnings at every level, rate limited.
 *   2: also every control message with its fields, and other detail */
enum { LOGLEVEL_LOW = 0, LOGLEVEL_DEFAULT = 1, LOGLEVEL_HIGH = 2 };

/* The identity goes in front of every line ("anon log[func:file:line]: ..."),
 * as pptp-linux does, so existing log filters keep matching.  stderr_too
 * mirrors every line to stderr (used by --debug). */
void log_setup(const char *logstring, int level, bool stderr_too);
void log_set_stderr(bool on);

void log_line(int prio, const char *label, int minlevel, const char *func,
	      const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* A per-call-site budget for lines a peer can trigger per packet: at most
 * LOG_LIMIT_BURST lines per LOG_LIMIT_WINDOW_MS; what is held back is
 * counted and named in the next line that goes out. */
#define LOG_LIMIT_BURST 10
#define LOG_LIMIT_WINDOW_MS 1000
struct log_limit {
	struct rate_window w;	/* ratelimit.h */
};
/* Pure: may a line go out at now_ms?  When it may, *suppressed is set to
 * the number held back before it (and the count restarts). */
bool log_limit_allow(struct log_limit *l, uint64_t now_ms,
		     uint32_t *suppressed);
void log_line_limited(struct log_limit *l, int prio, const char *label,
		      int minlevel, const char *func, const char *file,
		      int line, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

/* "log": the normal lines, written at every --loglevel (as pptp-linux). */
#define log_info(...) log_line(5, "log", 0, __func__, __FILE__, __LINE__, __VA_ARGS__)
/* "log" from --loglevel 1: per-packet sequence trouble, rate limited per
 * call site (pptp-linux writes these at level 1, without a limit). */
#define log_verbose(...) do {						\
		static struct log_limit log_limit_site_;		\
		log_line_limited(&log_limit_site_, 5, "log", 1, __func__, \
				 __FILE__, __LINE__, __VA_ARGS__);	\
	} while (0)
/* "warn" at every level for bad input a peer can send per packet (as
 * pptp-linux warns), rate limited per call site like log_verbose. */
#define log_warn_limited(...) do {					\
		static struct log_limit log_limit_site_;		\
		log_line_limited(&log_limit_site_, 4, "warn", 0, __func__, \
				 __FILE__, __LINE__, __VA_ARGS__);	\
	} while (0)
/* "log" at LOG_DEBUG, written only at --loglevel 2. */
#define log_debug(...) log_line(7, "log", 2, __func__, __FILE__, __LINE__, __VA_ARGS__)
/* "warn": always logged, and copied to stderr like pptp-linux. */
#define log_warn(...) log_line(4, "warn", 0, __func__, __FILE__, __LINE__, __VA_ARGS__)
/* "fatal": always logged and copied to stderr; the caller then exits. */
#define log_fatal(...) log_line(2, "fatal", 0, __func__, __FILE__, __LINE__, __VA_ARGS__)

/* Monotonic clocks. */
uint64_t now_us(void);
static inline uint64_t now_ms(void) { return now_us() / 1000; }

/* write() all of buf, retrying on EINTR and short writes; 0 or -errno. */
int write_all(int fd, const void *buf, size_t n);
/* read exactly n bytes within timeout_ms (poll); 0, -ETIMEDOUT, -EPIPE on
 * EOF, or -errno. */
int read_full_timeout(int fd, void *buf, size_t n, int timeout_ms);
int set_nonblock(int fd, bool on);
/* The signals of a process that holds a call (gateway, kernel holder):
 * SIGUSR1 to on_usr1 (statistics), SIGTERM, SIGINT and SIGHUP to on_stop,
 * SIGPIPE ignored. */
void install_holder_signals(void (*on_usr1)(int), void (*on_stop)(int));
/* Point fd at /dev/null. */
void fd_to_devnull(int fd);

/* Replace what ps shows as this process's command line (argv area) and its
 * comm name (prctl PR_SET_NAME), like pptp-linux's "pptpgw"/"pptpcm". */
void proc_title_init(int argc, char **argv);
void proc_title_set(const char *comm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse a decimal integer; whole string must be a number. 0 or -EINVAL. */
int parse_long(const char *s, long *out);
int parse_double(const char *s, double *out);
#endif
