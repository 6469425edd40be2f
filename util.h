/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h: syslog logging in pptp-linux's line shape, clocks, careful I/O. */
#ifndef PPTP_UTIL_H
#define PPTP_UTIL_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Log levels of --loglevel: 0 = warnings and errors only, 1 = the normal
 * progress lines (default), 2 = debugging detail. */
enum { LOGLEVEL_LOW = 0, LOGLEVEL_DEFAULT = 1, LOGLEVEL_HIGH = 2 };

/* The identity goes in front of every line ("anon log[func:file:line]: ..."),
 * as pptp-linux does, so existing log filters keep matching.  stderr_too
 * mirrors every line to stderr (used by --debug). */
void log_setup(const char *logstring, int level, bool stderr_too);
int log_get_level(void);
void log_set_stderr(bool on);
const char *log_get_string(void);

void log_line(int prio, const char *label, int minlevel, const char *func,
	      const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* "log": progress lines, shown from --loglevel 1. */
#define log_info(...) log_line(5, "log", 1, __func__, __FILE__, __LINE__, __VA_ARGS__)
/* "log" at LOG_DEBUG, shown only at --loglevel 2. */
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
int set_cloexec(int fd);
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
