/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mal_ctrl: a scripted PPTP control server that sends crafted bytes at chosen points. */

/*
 * For test/malformed.sh: the cases tsrv cannot make (a message whose length
 * field promises more than is ever sent, unexpected message types in each
 * state of the client).  It answers like a minimal PAC (SCCRP, OCRP,
 * Echo-Reply, CDN, StopCCRP) and, at each trigger, first sends the raw bytes
 * given on the command line:
 *
 *   --send WHEN=[N*]HEX WHEN: accept | sccrq | ocrq | up@SECS | ccrq | stopccrq
 *                       HEX may hold PCID (the client's call id) and SCID
 *                       (ours), each replaced by 4 hex digits; spaces and
 *                       dots are ignored.  N* sends the bytes N times
 *                       (a flood; logged with the time it took).
 *   --no-sccrp --no-ocrp --no-stopccrp   leave that reply out
 *   --listen ADDR --log FILE --ready FILE --max-time SECS
 *
 * One connection; exits when it closes or at --max-time.  No GRE.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PPTP_PORT 1723
#define PPTP_MAGIC 0x1A2B3C4Du
#define HDR_LEN 12
#define MSG_MAX 1024		/* far above the largest RFC message (220) */
#define MAX_SENDS 32		/* --send given at most this often */
#define HEX_MAX 4096		/* bytes one --send may carry */
#define OUR_CALL_ID 0x4242
#define LINGER_MS 2000		/* after the client's StopCCRQ, then close */

enum { T_SCCRQ = 1, T_SCCRP, T_STOPCCRQ, T_STOPCCRP, T_ECHORQ, T_ECHORP,
       T_OCRQ, T_OCRP, T_ICRQ, T_ICRP, T_ICCN, T_CCRQ, T_CDN, T_WEN, T_SLI };

static const char *const names[] = {
	"?", "SCCRQ", "SCCRP", "STOPCCRQ", "STOPCCRP", "ECHORQ", "ECHORP",
	"OCRQ", "OCRP", "ICRQ", "ICRP", "ICCN", "CCRQ", "CDN", "WEN", "SLI",
};

struct send_item {
	char when[16];
	double at;		/* up@SECS */
	const char *hex;
	long reps;
	int done;
};

struct mc {
	struct send_item s[MAX_SENDS];
	int ns;
	int no_sccrp, no_ocrp, no_stopccrp;
	FILE *log;
	int fd;
	uint16_t pcid;
	double up_at;		/* 0 until the call is up */
	double close_at;	/* 0: none */
	uint8_t in[2 * MSG_MAX];
	size_t inlen;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void logf_(struct mc *m, const char *fmt, ...)
{
	va_list ap;

	if (!m->log)
		return;
	va_start(ap, fmt);
	vfprintf(m->log, fmt, ap);
	va_end(ap);
	fputc('\n', m->log);
	fflush(m->log);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void send_all(struct mc *m, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(m->fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			logf_(m, "EV send-error errno=%d", errno);
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static size_t msg_init(uint8_t *b, uint16_t type, uint16_t len)
{
	memset(b, 0, len);
	put_be16(b, len);
	put_be16(b + 2, 1);
	put_be32(b + 4, PPTP_MAGIC);
	put_be16(b + 8, type);
	return len;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode HEX with PCID/SCID substituted; returns bytes or -1. */
static int hex_decode(struct mc *m, const char *h, uint8_t *out, size_t cap)
{
	char ids[2][5];
	size_t n = 0;
	int hi = -1;

	snprintf(ids[0], sizeof(ids[0]), "%04x", m->pcid);
	snprintf(ids[1], sizeof(ids[1]), "%04x", OUR_CALL_ID);
	while (*h) {
		const char *sub = NULL;

		if (!strncmp(h, "PCID", 4))
			sub = ids[0];
		else if (!strncmp(h, "SCID", 4))
			sub = ids[1];
		for (int k = 0; k < (sub ? 4 : 1); k++) {
			int c = sub ? sub[k] : *h;
			int v = hexval(c);

			if (c == ' ' || c == '.')
				continue;
			if (v < 0)
				return -1;
			if (hi < 0) {
				hi = v;
				continue;
			}
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
		h += sub ? 4 : 1;
	}
	return hi < 0 ? (int)n : -1;
}

static void send_item(struct mc *m, struct send_item *s, const char *when)
{
	static uint8_t buf[HEX_MAX];
	int n;

	s->done = 1;
	n = hex_decode(m, s->hex, buf, sizeof(buf));
	if (n < 0) {
		logf_(m, "EV bad-hex when=%s", when);
		return;
	}
	double t0 = now_s();

	for (long r = 0; r < s->reps; r++)
		send_all(m, buf, (size_t)n);
	logf_(m, "TX raw when=%s bytes=%d reps=%ld secs=%.3f", when, n, s->reps,
	      now_s() - t0);
}

static void run_sends(struct mc *m, const char *when)
{
	for (int i = 0; i < m->ns; i++)
		if (!m->s[i].done && !strcmp(m->s[i].when, when))
			send_item(m, &m->s[i], when);
}

static void reply(struct mc *m, const uint8_t *rq, uint16_t type)
{
	uint8_t r[MSG_MAX];
	size_t len;

	switch (type) {
	case T_SCCRQ:
		len = msg_init(r, T_SCCRP, 156);
		put_be16(r + 12, 0x100);
		r[14] = 1;
		put_be32(r + 16, 1);
		put_be32(r + 20, 1);
		put_be16(r + 24, 1);
		memcpy(r + 28, "mal_ctrl", 8);
		break;
	case T_OCRQ:
		len = msg_init(r, T_OCRP, 32);
		put_be16(r + 12, OUR_CALL_ID);
		put_be16(r + 14, m->pcid);
		r[16] = 1;
		put_be16(r + 28, 64);
		break;
	case T_ECHORQ:
		len = msg_init(r, T_ECHORP, 20);
		memcpy(r + 12, rq + 12, 4);
		r[16] = 1;
		break;
	case T_CCRQ:
		len = msg_init(r, T_CDN, 148);
		put_be16(r + 12, OUR_CALL_ID);
		r[14] = 3;
		break;
	case T_STOPCCRQ:
		len = msg_init(r, T_STOPCCRP, 16);
		r[12] = 1;
		break;
	default:
		return;
	}
	send_all(m, r, len);
	logf_(m, "TX %s", names[get_be16(r + 8)]);
}

static void on_msg(struct mc *m, const uint8_t *p, size_t len)
{
	uint16_t type = get_be16(p + 8);

	logf_(m, "RX %s len=%zu", type < sizeof(names) / sizeof(names[0]) ?
	      names[type] : "?", len);
	switch (type) {
	case T_SCCRQ:
		run_sends(m, "sccrq");
		if (!m->no_sccrp)
			reply(m, p, type);
		break;
	case T_OCRQ:
		if (len >= 14)
			m->pcid = get_be16(p + 12);
		run_sends(m, "ocrq");
		if (!m->no_ocrp) {
			reply(m, p, type);
			m->up_at = now_s();
		}
		break;
	case T_ECHORQ:
		reply(m, p, type);
		break;
	case T_CCRQ:
		run_sends(m, "ccrq");
		reply(m, p, type);
		break;
	case T_STOPCCRQ:
		run_sends(m, "stopccrq");
		if (!m->no_stopccrp)
			reply(m, p, type);
		m->close_at = now_s() + LINGER_MS / 1000.0;
		break;
	default:
		break;
	}
}

/* Returns -1 when the stream is beyond repair. */
static int parse_input(struct mc *m)
{
	while (m->inlen >= HDR_LEN) {
		size_t len = get_be16(m->in);

		if (len < HDR_LEN || len > MSG_MAX) {
			logf_(m, "EV bad-length len=%zu", len);
			return -1;
		}
		if (m->inlen < len)
			return 0;
		on_msg(m, m->in, len);
		memmove(m->in, m->in + len, m->inlen - len);
		m->inlen -= len;
	}
	return 0;
}

static void timed_sends(struct mc *m, double now)
{
	if (!m->up_at)
		return;
	for (int i = 0; i < m->ns; i++) {
		struct send_item *s = &m->s[i];

		if (!s->done && !strcmp(s->when, "up") && now >= m->up_at + s->at)
			send_item(m, s, "up");
	}
}

static double next_wait(const struct mc *m, double now, double end)
{
	double t = end;

	for (int i = 0; i < m->ns; i++)
		if (m->up_at && !m->s[i].done && !strcmp(m->s[i].when, "up") &&
		    m->up_at + m->s[i].at < t)
			t = m->up_at + m->s[i].at;
	if (m->close_at && m->close_at < t)
		t = m->close_at;
	return t > now ? t - now : 0;
}

static int serve(struct mc *m, int lfd, double end)
{
	struct sockaddr_in peer;
	socklen_t sl = sizeof(peer);
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, (int)((end - now_s()) * 1000)) <= 0) {
		logf_(m, "EV no-client");
		return 1;
	}
	m->fd = accept(lfd, (struct sockaddr *)&peer, &sl);
	if (m->fd < 0)
		return 1;
	logf_(m, "EV accept");
	run_sends(m, "accept");
	for (;;) {
		double now = now_s();
		ssize_t r;

		timed_sends(m, now);
		if (now >= end || (m->close_at && now >= m->close_at)) {
			logf_(m, "EV close reason=%s",
			      now >= end ? "max-time" : "after-stop");
			break;
		}
		p = (struct pollfd){ .fd = m->fd, .events = POLLIN };
		if (poll(&p, 1, (int)(next_wait(m, now, end) * 1000) + 1) <= 0)
			continue;
		r = recv(m->fd, m->in + m->inlen, sizeof(m->in) - m->inlen, 0);
		if (r <= 0) {
			logf_(m, "EV eof errno=%d", r < 0 ? errno : 0);
			break;
		}
		m->inlen += (size_t)r;
		if (parse_input(m) < 0)
			break;
	}
	close(m->fd);
	return 0;
}

static int parse_send(struct mc *m, const char *a)
{
	const char *eq = strchr(a, '=');
	struct send_item *s;
	size_t wl;

	if (!eq || m->ns == MAX_SENDS)
		return -1;
	s = &m->s[m->ns++];
	wl = (size_t)(eq - a);
	if (!strncmp(a, "up@", 3)) {
		s->at = atof(a + 3);
		wl = 2;
	}
	if (wl >= sizeof(s->when))
		return -1;
	memcpy(s->when, a, wl);
	s->when[wl] = '\0';
	s->hex = eq + 1;
	s->reps = 1;
	if (strchr(s->hex, '*')) {
		char *end;

		s->reps = strtol(s->hex, &end, 10);
		if (*end != '*' || s->reps < 1 || s->reps > 10000000)
			return -1;
		s->hex = end + 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct mc m;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(PPTP_PORT) };
	const char *ready = NULL;
	double max_time = 30;
	int lfd, one = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-sccrp")) {
			m.no_sccrp = 1;
		} else if (!strcmp(a, "--no-ocrp")) {
			m.no_ocrp = 1;
		} else if (!strcmp(a, "--no-stopccrp")) {
			m.no_stopccrp = 1;
		} else if (v && !strcmp(a, "--send")) {
			if (parse_send(&m, v) < 0) {
				fprintf(stderr, "mal_ctrl: bad --send %s\n", v);
				return 2;
			}
			i++;
		} else if (v && !strcmp(a, "--listen")) {
			inet_pton(AF_INET, v, &sa.sin_addr);
			i++;
		} else if (v && !strcmp(a, "--log")) {
			m.log = fopen(v, "a");
			i++;
		} else if (v && !strcmp(a, "--ready")) {
			ready = v;
			i++;
		} else if (v && !strcmp(a, "--max-time")) {
			max_time = atof(v);
			i++;
		} else {
			fprintf(stderr, "usage: mal_ctrl [--send WHEN=HEX]... "
				"[--no-sccrp] [--no-ocrp] [--no-stopccrp] "
				"[--listen ADDR] [--log FILE] [--ready FILE] "
				"[--max-time SECS]\n");
			return 2;
		}
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 4) < 0) {
		perror("mal_ctrl: listen");
		return 1;
	}
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f)
			fclose(f);
	}
	return serve(&m, lfd, now_s() + max_time);
}
