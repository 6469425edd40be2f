/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_status.c: per-call status sockets and `pptp --status`. */
#include "pptp_status.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dirutil.h"
#include "util.h"

#define STATUS_PREFIX "status-"
#define STATUS_SUFFIX ".sock"
/* One record is a few hundred bytes; this bounds what a reader takes. */
#define STATUS_RECORD_MAX 4096
/* A reader that does not connect-and-read within this is skipped. */
#define STATUS_READ_WAIT_MS 1000
/* Calls listed at most by one --status run. */
#define STATUS_CALLS_MAX 1024

int status_path(char *buf, size_t cap, struct in_addr server,
		uint16_t call_id)
{
	char a[INET_ADDRSTRLEN];
	int n;

	inet_ntop(AF_INET, &server, a, sizeof(a));
	n = snprintf(buf, cap, "%s/" STATUS_PREFIX "%s-%u" STATUS_SUFFIX,
		     pptp_rundir(), a, call_id);
	return (n < 0 || (size_t)n >= cap) ? -ENAMETOOLONG : 0;
}

int status_listen(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	make_valid_path(pptp_rundir(), 0770);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(fd, 8) < 0) {
		log_warn("status socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	chmod(path, 0660);
	return fd;
}

int status_format(char *buf, size_t cap, const struct status_info *si)
{
	const struct gre_stats *s = si->stats;
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &si->server, a, sizeof(a));
	return snprintf(buf, cap,
		"server=%s\ncall_id=%u\npeer_call_id=%u\nstate=%s\n"
		"pid=%ld\ntty=%s\nuptime=%llu\n"
		"rx_accepted=%u\nrx_lost=%u\nrx_underwin=%u\nrx_overwin=%u\n"
		"rx_buffered=%u\nrx_errors=%u\nrx_truncated=%u\n"
		"rx_invalid=%u\nrx_acks=%u\ntx_sent=%u\ntx_failed=%u\n"
		"tx_short=%u\ntx_acks=%u\ntx_oversize=%u\nrtt_us=%d\n"
		"rx_bytes=%llu\ntx_bytes=%llu\npty_bad_frames=%u\n"
		"rx_other_call=%u\n",
		a, si->call_id, si->peer_call_id, si->state, (long)getpid(),
		si->tty ? si->tty : "-", (unsigned long long)si->uptime_s,
		s->rx_accepted, s->rx_lost, s->rx_underwin, s->rx_overwin,
		s->rx_buffered, s->rx_errors, s->rx_truncated, s->rx_invalid,
		s->rx_acks, s->tx_sent, s->tx_failed, s->tx_short, s->tx_acks,
		s->tx_oversize, s->rtt_us, (unsigned long long)s->rx_bytes,
		(unsigned long long)s->tx_bytes, s->pty_bad_frames,
		s->rx_other_call);
}

void status_serve(int listen_fd, const struct status_info *si)
{
	char buf[STATUS_RECORD_MAX];
	int n = status_format(buf, sizeof(buf), si);
	int fd;

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	/* Readers are served in full right away; a record fits in the
	 * socket buffer, so this never blocks the data path. */
	while ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (send(fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			log_debug("status reader: %s", strerror(errno));
		close(fd);
	}
}

/* ---- the --status command ---------------------------------------------- */

#define KEYS_MAX 40

struct record {
	int n;
	char key[KEYS_MAX][32];
	char val[KEYS_MAX][96];
};

static const char *rec_get(const struct record *r, const char *k)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->key[i], k) == 0)
			return r->val[i];
	return "";
}

static int read_record(const char *path, struct record *r)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[STATUS_RECORD_MAX];
	size_t len = 0;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, STATUS_READ_WAIT_MS) <= 0)
			break;
		k = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (k <= 0)
			break;
		len += (size_t)k;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(fd);
	buf[len] = '\0';
	r->n = 0;
	for (char *line = strtok(buf, "\n"); line && r->n < KEYS_MAX;
	     line = strtok(NULL, "\n")) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		snprintf(r->key[r->n], sizeof(r->key[0]), "%s", line);
		snprintf(r->val[r->n], sizeof(r->val[0]), "%s", eq + 1);
		r->n++;
	}
	return r->n > 0 ? 0 : -1;
}

/* An integer ("-?[0-9]+") is printed as a JSON number, anything else as
 * a string with quotes, backslashes and control characters escaped. */
static void json_value(const char *v)
{
	const char *d = v + (*v == '-');

	if (*d && strspn(d, "0123456789") == strlen(d)) {
		fputs(v, stdout);
		return;
	}
	putchar('"');
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_record(const struct record *r, enum status_style style)
{
	switch (style) {
	case STATUS_TSV:
		for (int i = 0; i < r->n; i++)
			printf("%s%s", i ? "\t" : "", r->val[i]);
		printf("\n");
		break;
	case STATUS_JSON:
		printf("{");
		for (int i = 0; i < r->n; i++) {
			printf("%s\"%s\":", i ? "," : "", r->key[i]);
			json_value(r->val[i]);
		}
		printf("}\n");
		break;
	case STATUS_TABLE:
		printf("%-15s %5s %5s %-11s %7s %8s %10s %6s %6s %10s %8s\n",
		       rec_get(r, "server"), rec_get(r, "call_id"),
		       rec_get(r, "peer_call_id"), rec_get(r, "state"),
		       rec_get(r, "pid"), rec_get(r, "uptime"),
		       rec_get(r, "rx_accepted"), rec_get(r, "rx_lost"),
		       rec_get(r, "rx_invalid"), rec_get(r, "tx_sent"),
		       rec_get(r, "rtt_us"));
		break;
	}
}

int status_command(const char *server_filter, enum status_style style)
{
	const char *dir = pptp_rundir();
	DIR *d = opendir(dir);
	struct dirent *e;
	int shown = 0, seen = 0;

	if (style == STATUS_TABLE)
		printf("%-15s %5s %5s %-11s %7s %8s %10s %6s %6s %10s %8s\n",
		       "SERVER", "CALL", "PEER", "STATE", "PID", "UPTIME",
		       "RX", "LOST", "BAD", "TX", "RTT(us)");
	if (!d)
		return 0;
	while ((e = readdir(d)) && seen < STATUS_CALLS_MAX) {
		char path[512];
		struct record r;
		size_t L = strlen(e->d_name);

		if (strncmp(e->d_name, STATUS_PREFIX, strlen(STATUS_PREFIX)) ||
		    L < strlen(STATUS_SUFFIX) ||
		    strcmp(e->d_name + L - strlen(STATUS_SUFFIX), STATUS_SUFFIX))
			continue;
		seen++;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (read_record(path, &r) < 0)
			continue;	/* a gateway that just went away */
		if (server_filter && strcmp(rec_get(&r, "server"), server_filter))
			continue;
		print_record(&r, style);
		shown++;
	}
	closedir(d);
	(void)shown;
	return 0;
}
