/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_status.c: per-call status sockets and `pptp --status`. */
#include "pptp_status.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netdb.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
/* Every socket is read at once; what has not answered within this (one
 * deadline for all) is named on stderr and left out. */
#define STATUS_READ_WAIT_MS 1000
/* Calls listed at most by one --status run. */
#define STATUS_CALLS_MAX 1024
/* rw for the owner and the group, as the run directory (0770). */
#define STATUS_SOCKET_MODE 0660

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
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	make_valid_path(pptp_rundir(), 0770);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* The mode comes from the umask at bind(): no chmod by path after
	 * it, which would follow a symlink swapped in meanwhile. */
	old = umask(0777 & ~STATUS_SOCKET_MODE);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || listen(fd, 8) < 0) {
		log_warn("status socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int status_format(char *buf, size_t cap, const struct status_info *si)
{
	char a[INET_ADDRSTRLEN];
	int head, counters, tail;
	size_t len;

	inet_ntop(AF_INET, &si->server, a, sizeof(a));
	head = snprintf(buf, cap,
		"server=%s\ncall_id=%u\npeer_call_id=%u\nstate=%s\n"
		"pid=%ld\ntty=%s\nuptime=%llu\n",
		a, si->call_id, si->peer_call_id, si->state, (long)getpid(),
		si->tty ? si->tty : "-", (unsigned long long)si->uptime_s);
	if (head < 0)
		return head;
	counters = gre_stats_format(buf + ((size_t)head < cap ? (size_t)head : cap),
				    (size_t)head < cap ? cap - (size_t)head : 0,
				    si->stats);
	if (counters < 0)
		return counters;
	len = (size_t)head + (size_t)counters;
	/* Keys after the counters (appended over time). */
	tail = snprintf(buf + (len < cap ? len : cap), len < cap ? cap - len : 0,
			"gre_check=%s\n", si->gre_check ? si->gre_check : "-");
	if (tail < 0)
		return tail;
	len += (size_t)tail;
	counters = gre_stats_format_late(buf + (len < cap ? len : cap),
					 len < cap ? cap - len : 0, si->stats);
	if (counters < 0)
		return counters;
	return (int)len + counters;
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

/* A key is what status_format writes: [a-z0-9_], 1 to STATUS_KEY_MAX-1
 * bytes. */
static bool key_valid(const char *k, size_t n)
{
	if (n == 0 || n >= STATUS_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

const char *status_record_get(const struct status_record *r, const char *k)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->key[i], k) == 0)
			return r->val[i];
	return "";
}

int status_parse(const char *buf, size_t len, struct status_record *r)
{
	size_t pos = 0;

	r->n = 0;
	while (pos < len && r->n < STATUS_KEYS_MAX) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		const char *eq = memchr(line, '=', ll);
		size_t kl, vl;

		pos += ll + 1;
		if (!eq)
			continue;
		kl = (size_t)(eq - line);
		vl = ll - kl - 1;
		if (!key_valid(line, kl))
			continue;		/* not a key we could write */
		memcpy(r->key[r->n], line, kl);
		r->key[r->n][kl] = '\0';
		if (status_record_has(r, r->key[r->n]))
			continue;		/* a repeated key: the first wins */
		if (vl >= STATUS_VAL_MAX)
			vl = STATUS_VAL_MAX - 1;
		memcpy(r->val[r->n], eq + 1, vl);
		r->val[r->n][vl] = '\0';
		r->n++;
	}
	return r->n;
}

bool status_record_has(const struct status_record *r, const char *k)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->key[i], k) == 0)
			return true;
	return false;
}

/* A byte a terminal or a TSV reader takes as text: printable ASCII. */
static bool plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* For the table and TSV: every other byte (control characters, tab,
 * DEL, anything above ASCII) becomes '?'. */
static void put_sanitised(FILE *f, const char *v, size_t max)
{
	for (size_t i = 0; v[i] && i < max; i++)
		fputc(plain_byte((unsigned char)v[i]) ? v[i] : '?', f);
}

/* A JSON number only when the value is a decimal integer that fits in 64
 * bits (signed or unsigned), without leading zeros: the counters, ids and
 * times.  Anything else is a string. */
static bool json_integer(const char *v)
{
	const char *d = v + (*v == '-');
	char *end;

	if (!*d || strspn(d, "0123456789") != strlen(d) ||
	    (d[0] == '0' && d[1]))
		return false;
	errno = 0;
	if (*v == '-')
		(void)strtoll(v, &end, 10);
	else
		(void)strtoull(v, &end, 10);
	return errno == 0 && *end == '\0';
}

/* A JSON string in plain ASCII: quote, backslash and every byte outside
 * printable ASCII escaped (bytes above 0x7f as \u00XX, so that hostile
 * input cannot make the output invalid UTF-8). */
static void put_json_string(FILE *f, const char *v)
{
	fputc('"', f);
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (!plain_byte(c))
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The table: the call's identity, then the counters that have a heading
 * in gre_stats.h; every cell printable ASCII and cut to TABLE_CELL_MAX. */
#define TABLE_CELL_MAX 40
static const struct table_column {
	const char *heading, *key;
	int width;		/* negative: left-aligned */
} table_ids[] = {
	{ "SERVER", "server", -15 }, { "CALL", "call_id", 5 },
	{ "PEER", "peer_call_id", 5 }, { "STATE", "state", -11 },
	{ "PID", "pid", 7 }, { "UPTIME", "uptime", 8 },
};
/* After the counters: the GRE check's verdict, unpadded (the last). */
static const struct table_column table_tail[] = {
	{ "GRE", "gre_check", 0 },
};

static void print_cell(FILE *f, bool first, int width, const char *v)
{
	char cell[TABLE_CELL_MAX + 1];
	size_t j;

	for (j = 0; v[j] && j < TABLE_CELL_MAX; j++)
		cell[j] = plain_byte((unsigned char)v[j]) ? v[j] : '?';
	cell[j] = '\0';
	fprintf(f, "%s%*s", first ? "" : " ", width, cell);
}

static void print_table(FILE *f, const struct status_record *r)
{
	size_t i;

	for (i = 0; i < sizeof(table_ids) / sizeof(table_ids[0]); i++)
		print_cell(f, i == 0, table_ids[i].width,
			   r ? status_record_get(r, table_ids[i].key)
			     : table_ids[i].heading);
	for (i = 0; i < gre_stats_ncolumns; i++) {
		const char *h = gre_stats_columns[i].heading;

		if (h)
			print_cell(f, false, gre_stats_columns[i].width,
				   r ? status_record_get(r, gre_stats_columns[i].key)
				     : h);
	}
	for (i = 0; i < sizeof(table_tail) / sizeof(table_tail[0]); i++)
		print_cell(f, false, table_tail[i].width,
			   r ? status_record_get(r, table_tail[i].key)
			     : table_tail[i].heading);
	fputc('\n', f);
}

void status_print(FILE *f, const struct status_record *r,
		  enum status_style style)
{
	switch (style) {
	case STATUS_TSV:
		for (int i = 0; i < r->n; i++) {
			if (i)
				fputc('\t', f);
			put_sanitised(f, r->val[i], STATUS_VAL_MAX);
		}
		fputc('\n', f);
		break;
	case STATUS_JSON:
		fputc('{', f);
		for (int i = 0; i < r->n; i++) {
			if (i)
				fputc(',', f);
			put_json_string(f, r->key[i]);
			fputc(':', f);
			if (json_integer(r->val[i]))
				fputs(r->val[i], f);
			else
				put_json_string(f, r->val[i]);
		}
		fputs("}\n", f);
		break;
	case STATUS_TABLE:
		print_table(f, r);
		break;
	}
}

/* ---- reading every status socket at once ------------------------------- */

struct reader {
	char path[512];
	int fd;
	bool done;
	size_t len;
	char buf[STATUS_RECORD_MAX];
};

static int reader_connect(struct reader *rd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	rd->fd = -1;
	rd->done = true;
	if (strlen(rd->path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, rd->path);
	rd->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (rd->fd < 0)
		return -1;
	/* A unix stream connect completes at once or fails (a listener
	 * whose queue is full says EAGAIN: treated as gone). */
	if (connect(rd->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(rd->fd);
		rd->fd = -1;
		return -1;
	}
	rd->done = false;
	return 0;
}

/* Read what is there; done at EOF, error or a full buffer. */
static void reader_read(struct reader *rd)
{
	ssize_t k = read(rd->fd, rd->buf + rd->len, sizeof(rd->buf) - rd->len);

	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (k > 0)
		rd->len += (size_t)k;
	if (k <= 0 || rd->len == sizeof(rd->buf)) {
		rd->done = true;
		close(rd->fd);
		rd->fd = -1;
	}
}

/* Poll every open reader until all are done or the one deadline passes. */
static void read_all(struct reader *rds, size_t n, struct pollfd *pfd)
{
	uint64_t deadline = now_ms() + STATUS_READ_WAIT_MS;

	for (;;) {
		size_t np = 0;
		uint64_t now = now_ms();
		int rc;

		for (size_t i = 0; i < n; i++)
			if (!rds[i].done) {
				pfd[np].fd = rds[i].fd;
				pfd[np].events = POLLIN;
				pfd[np].revents = 0;
				np++;
			}
		if (np == 0 || now >= deadline)
			return;
		rc = poll(pfd, np, (int)(deadline - now));
		if (rc < 0 && errno != EINTR)
			return;
		np = 0;
		for (size_t i = 0; i < n; i++) {
			if (rds[i].done)
				continue;
			if (pfd[np++].revents)
				reader_read(&rds[i]);
		}
	}
}

static bool status_name(const char *name)
{
	size_t L = strlen(name), P = strlen(STATUS_PREFIX),
	       S = strlen(STATUS_SUFFIX);

	return L > P + S && strncmp(name, STATUS_PREFIX, P) == 0 &&
	       strcmp(name + L - S, STATUS_SUFFIX) == 0;
}

static int cmp_reader(const void *a, const void *b)
{
	return strcmp(((const struct reader *)a)->path,
		      ((const struct reader *)b)->path);
}

/* The status sockets in dir, sorted by name; the count (at most max).
 * A directory that does not exist holds no call; one that cannot be read
 * is said on stderr (*unreadable set): an empty list would be a lie. */
static size_t list_sockets(const char *dir, struct reader *rds, size_t max,
			   bool *unreadable)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	*unreadable = false;
	if (!d) {
		if (errno != ENOENT) {
			fprintf(stderr, "pptp --status: cannot read %s: %s\n",
				dir, strerror(errno));
			*unreadable = true;
		}
		return 0;
	}
	while ((e = readdir(d)) && n < max) {
		if (!status_name(e->d_name))
			continue;
		if (snprintf(rds[n].path, sizeof(rds[n].path), "%s/%s", dir,
			     e->d_name) >= (int)sizeof(rds[n].path))
			continue;
		n++;
	}
	closedir(d);
	qsort(rds, n, sizeof(*rds), cmp_reader);
	return n;
}

/* Room for one socket per call: raise the soft limit on open files up to
 * the hard one if need be. */
static void room_for_fds(size_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 32 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < n + 32 ? rl.rlim_max : n + 32;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The server filter: an address, or a name whose addresses are matched. */
static int filter_addrs(const char *server, char addrs[][INET_ADDRSTRLEN],
			int max)
{
	struct addrinfo hints = { .ai_family = AF_INET,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai, *p;
	struct in_addr a;
	int n = 0;

	if (inet_pton(AF_INET, server, &a) == 1) {
		inet_ntop(AF_INET, &a, addrs[0], INET_ADDRSTRLEN);
		return 1;
	}
	if (getaddrinfo(server, NULL, &hints, &ai) != 0)
		return 0;
	for (p = ai; p && n < max; p = p->ai_next)
		inet_ntop(AF_INET, &((struct sockaddr_in *)p->ai_addr)->sin_addr,
			  addrs[n++], INET_ADDRSTRLEN);
	freeaddrinfo(ai);
	return n;
}

static bool filter_match(const struct status_record *r,
			 char addrs[][INET_ADDRSTRLEN], int n)
{
	const char *srv = status_record_get(r, "server");

	for (int i = 0; i < n; i++)
		if (strcmp(srv, addrs[i]) == 0)
			return true;
	return false;
}

#define FILTER_ADDRS_MAX 16

int status_command(const char *server_filter, enum status_style style)
{
	char addrs[FILTER_ADDRS_MAX][INET_ADDRSTRLEN];
	struct reader *rds = calloc(STATUS_CALLS_MAX, sizeof(*rds));
	struct pollfd *pfd = calloc(STATUS_CALLS_MAX, sizeof(*pfd));
	struct status_record r;
	size_t n, shown = 0;
	int naddrs = 0;
	bool unreadable;

	if (!rds || !pfd) {
		fprintf(stderr, "pptp --status: out of memory\n");
		free(rds);
		free(pfd);
		return 1;
	}
	if (server_filter) {
		naddrs = filter_addrs(server_filter, addrs, FILTER_ADDRS_MAX);
		if (naddrs == 0)
			fprintf(stderr, "pptp --status: cannot resolve %s\n",
				server_filter);
	}
	if (style == STATUS_TABLE)
		print_table(stdout, NULL);
	n = list_sockets(pptp_rundir(), rds, STATUS_CALLS_MAX, &unreadable);
	room_for_fds(n);
	for (size_t i = 0; i < n; i++)
		reader_connect(&rds[i]);	/* a gateway just gone: skipped */
	read_all(rds, n, pfd);
	for (size_t i = 0; i < n; i++) {
		if (!rds[i].done) {
			fprintf(stderr, "pptp --status: %s did not answer "
				"within %d ms\n", rds[i].path,
				STATUS_READ_WAIT_MS);
			close(rds[i].fd);
			continue;
		}
		if (status_parse(rds[i].buf, rds[i].len, &r) <= 0)
			continue;
		if (server_filter && !filter_match(&r, addrs, naddrs))
			continue;
		status_print(stdout, &r, style);
		shown++;
	}
	free(rds);
	free(pfd);
	if (unreadable)
		return 1;
	if (server_filter && shown == 0) {
		fprintf(stderr, "pptp --status: no calls to %s\n",
			server_filter);
		return 1;
	}
	return 0;
}
