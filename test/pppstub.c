/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pppstub: stands in for pppd on the client's pty; sends and checks test frames. */

/*
 * Written from RFC 1662 alone (flags, escapes, FCS-16), independent of the
 * client's own HDLC code.  Launched the way pptp launches pppd
 * ("pppstub /dev/pts/N 38400 [pppd args...]") it opens that tty; otherwise
 * it talks on stdin/stdout (pppd's "pty" option shape).  All settings come
 * from the environment because the client passes pppd arguments through.
 * See test/tsrv_notes.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define HDLC_FLAG 0x7e
#define HDLC_ESC 0x7d
#define HDLC_XOR 0x20
#define FCS_INIT 0xffff
#define FCS_GOOD 0xf0b8		/* RFC 1662 C.2: residue of a good frame */
#define FRAME_MAX 65536		/* bigger than any frame a GRE packet holds */
#define HDR_LEN 8		/* ff 03 00 21 + 32-bit index */
#define OUTBUF_SIZE (1 << 20)	/* bounded queue towards the tty */
#define INBUF_SIZE 65536	/* one read() */
#define SEND_BURST 64		/* frames per loop turn at RATE=0 */
#define POISON_INDEX 0xFFFFFFFFu /* tsrv marks must-drop frames with it */
#define DEFAULT_TIMEOUT 30.0
#define DEFAULT_SIZE 100
#define DEFAULT_LINGER_MS 1000	/* after the last write, before exit */
#define SYNC_WRITE_WAIT_MS 1000	/* finishing a partly written sync frame */
#ifndef N_HDLC
#define N_HDLC 13
#endif

struct cfg {
	uint64_t send, expect;
	uint32_t size;
	double rate, timeout;
	const char *result;
	int echo, sync, layout_ip, verbose;
	uint32_t accm;
	double delay_ms, linger_ms;
};

struct stub {
	struct cfg c;
	int in_fd, out_fd;
	int hdlc_ldisc;		/* sync mode with N_HDLC: one read = one frame */
	/* receive */
	uint8_t frame[FRAME_MAX];
	size_t flen;
	int esc, too_long;
	uint64_t received, bad_fcs, bad_payload, out_of_order, poison, other;
	uint64_t rx_bytes, echoed, runts;
	uint64_t skipped;	/* indices jumped over (lost, or still to come) */
	uint64_t backwards;	/* frames with an index not after the last one */
	int idx_valid;
	uint32_t first_index, last_index;
	/* transmit */
	uint8_t *out;
	size_t out_len;
	uint64_t sent, next_send;
	int tx_blocked;		/* last write hit EAGAIN: wait for POLLOUT */
	uint64_t start, first_data, last_data, drained_at;
	int eof;
	const char *why;	/* exit reason, for the result file */
};

static uint16_t fcs_table[256];
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* RFC 1662 FCS-16: reflected polynomial 0x8408. */
static void fcs_init_table(void)
{
	unsigned b, i;

	for (b = 0; b < 256; b++) {
		uint16_t v = (uint16_t)b;

		for (i = 0; i < 8; i++)
			v = (v & 1) ? (uint16_t)((v >> 1) ^ 0x8408) :
				      (uint16_t)(v >> 1);
		fcs_table[b] = v;
	}
}

static uint16_t fcs16(uint16_t fcs, const uint8_t *p, size_t len)
{
	while (len--)
		fcs = (uint16_t)((fcs >> 8) ^ fcs_table[(fcs ^ *p++) & 0xff]);
	return fcs;
}

/* ---- the shared verification pattern ------------------------------------ */
/* Layout A (default): ff 03 00 21, BE32 index, then byte i of the rest is
 * (index + i) & 0xff.  Layout B (PPPSTUB_LAYOUT=ip, for pptp-linux --sync,
 * which finds frame ends through the 16-bit length at offset 6):
 * ff 03 00 21 45 00 LEN16 (frame length - 4), BE32 index, pattern. */
static void pattern_fill(uint8_t *f, size_t size, uint32_t index, int ip)
{
	size_t start = ip ? 12 : 8, i;

	f[0] = 0xff;
	f[1] = 0x03;
	f[2] = 0x00;
	f[3] = 0x21;
	if (ip) {
		f[4] = 0x45;
		f[5] = 0x00;
		f[6] = (uint8_t)((size - 4) >> 8);
		f[7] = (uint8_t)(size - 4);
	}
	put_be32(f + start - 4, index);
	for (i = start; i < size; i++)
		f[i] = (uint8_t)(index + (i - start));
}

enum pat { PAT_OK, PAT_POISON, PAT_OTHER, PAT_BAD };

static enum pat pattern_check(const uint8_t *f, size_t len, uint32_t *index)
{
	size_t start = 8, i;
	uint32_t idx;

	if (len < HDR_LEN || f[0] != 0xff || f[1] != 0x03 || f[2] != 0x00 ||
	    f[3] != 0x21)
		return PAT_OTHER;
	if (len >= 12 && f[4] == 0x45 && f[5] == 0x00 &&
	    (size_t)((f[6] << 8) | f[7]) == len - 4)
		start = 12;
	idx = get_be32(f + start - 4);
	*index = idx;
	if (idx == POISON_INDEX)
		return PAT_POISON;
	for (i = start; i < len; i++)
		if (f[i] != (uint8_t)(idx + (i - start)))
			return PAT_BAD;
	return PAT_OK;
}

/* ---- output ------------------------------------------------------------- */
static int out_room(const struct stub *s, size_t need)
{
	return OUTBUF_SIZE - s->out_len >= need;
}

static void put_escaped(struct stub *s, uint8_t c)
{
	int esc = c == HDLC_FLAG || c == HDLC_ESC ||
		  (c < 0x20 && (s->c.accm >> c) & 1);

	if (esc) {
		s->out[s->out_len++] = HDLC_ESC;
		s->out[s->out_len++] = c ^ HDLC_XOR;
	} else {
		s->out[s->out_len++] = c;
	}
}

/* Queue one PPP frame; returns 0, or -ENOSPC to retry later. */
static int queue_frame(struct stub *s, const uint8_t *f, size_t len)
{
	size_t i;
	uint16_t fcs;

	if (s->c.sync) {
		if (!out_room(s, len))
			return -ENOSPC;
		memcpy(s->out + s->out_len, f, len);
		s->out_len += len;
		return 0;
	}
	if (!out_room(s, 2 * len + 6))
		return -ENOSPC;
	fcs = (uint16_t)~fcs16(FCS_INIT, f, len);
	s->out[s->out_len++] = HDLC_FLAG;
	for (i = 0; i < len; i++)
		put_escaped(s, f[i]);
	put_escaped(s, (uint8_t)fcs);
	put_escaped(s, (uint8_t)(fcs >> 8));
	s->out[s->out_len++] = HDLC_FLAG;
	return 0;
}

/* Sync mode keeps each frame contiguous: one write per frame, and if the
 * tty takes only part of it, the rest follows before anything else does
 * (bounded by SYNC_WRITE_WAIT_MS). */
static int write_sync_frame(struct stub *s, const uint8_t *f, size_t len)
{
	size_t done = 0;
	int waited = 0;

	while (done < len) {
		ssize_t r = write(s->out_fd, f + done, len - done);
		struct pollfd p = { .fd = s->out_fd, .events = POLLOUT };

		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR) {
			s->eof = 1;
			return -errno;
		}
		if (!done) {
			s->tx_blocked = 1;
			return -EAGAIN;
		}
		if (waited++ >= SYNC_WRITE_WAIT_MS) {
			fprintf(stderr, "pppstub: sync frame cut at %zu/%zu\n",
				done, len);
			return 0;
		}
		poll(&p, 1, 1);
	}
	return 0;
}

static int emit_frame(struct stub *s, const uint8_t *f, size_t len)
{
	if (s->c.sync && !s->out_len)
		return write_sync_frame(s, f, len);
	return queue_frame(s, f, len);
}

static void flush_out(struct stub *s)
{
	ssize_t r;

	if (!s->out_len)
		return;
	r = write(s->out_fd, s->out, s->out_len);
	if (r < 0) {
		if (errno != EAGAIN && errno != EINTR)
			s->eof = 1;
		else
			s->tx_blocked = 1;
		return;
	}
	memmove(s->out, s->out + r, s->out_len - (size_t)r);
	s->out_len -= (size_t)r;
	if (!s->out_len)
		s->drained_at = now_us();
}

static void send_some(struct stub *s, uint64_t now)
{
	static uint8_t f[FRAME_MAX];
	int n;

	if (now < s->start + (uint64_t)(s->c.delay_ms * 1000))
		return;
	for (n = 0; n < SEND_BURST && s->sent < s->c.send; n++) {
		if (s->c.rate > 0 && now < s->next_send)
			return;
		pattern_fill(f, s->c.size, (uint32_t)s->sent, s->c.layout_ip);
		if (emit_frame(s, f, s->c.size) < 0)
			return;
		if (!s->first_data)
			s->first_data = now;
		s->last_data = now;
		s->sent++;
		if (s->c.rate > 0)
			s->next_send = (s->next_send ? s->next_send : now) +
				       (uint64_t)(1e6 / s->c.rate);
	}
}

/* ---- input -------------------------------------------------------------- */
static void got_frame(struct stub *s, const uint8_t *f, size_t len)
{
	uint32_t idx = 0;
	uint64_t now = now_us();

	switch (pattern_check(f, len, &idx)) {
	case PAT_OK:
		if (s->idx_valid && idx != s->last_index + 1) {
			int32_t d = (int32_t)(idx - s->last_index - 1);

			s->out_of_order++;
			if (d > 0)
				s->skipped += (uint64_t)d;
			else
				s->backwards++;
		}
		if (!s->idx_valid)
			s->first_index = idx;
		s->idx_valid = 1;
		s->last_index = idx;
		s->received++;
		s->rx_bytes += len;
		if (!s->first_data)
			s->first_data = now;
		s->last_data = now;
		break;
	case PAT_POISON:
		s->poison++;
		break;
	case PAT_BAD:
		s->bad_payload++;
		break;
	case PAT_OTHER:
		s->other++;
		break;
	}
	if (s->c.echo && emit_frame(s, f, len) == 0)
		s->echoed++;
}

static void hdlc_end(struct stub *s)
{
	if (s->too_long || s->esc) {
		s->bad_fcs++;
	} else if (s->flen > 0 && s->flen < 4) {
		s->runts++;
		s->bad_fcs++;
	} else if (s->flen >= 4) {
		if (fcs16(FCS_INIT, s->frame, s->flen) != FCS_GOOD)
			s->bad_fcs++;
		else
			got_frame(s, s->frame, s->flen - 2);
	}
	s->flen = 0;
	s->esc = 0;
	s->too_long = 0;
}

/* RFC 1662 receive: 7e delimits, 7d escapes the next byte (xor 20),
 * 7d 7e aborts the frame.  Unescaped control bytes are kept: the stub
 * negotiates no ACCM, so it has no receive map to filter with. */
static void hdlc_input(struct stub *s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c == HDLC_FLAG) {
			hdlc_end(s);
			continue;
		}
		if (c == HDLC_ESC) {
			s->esc = 1;
			continue;
		}
		if (s->esc) {
			c ^= HDLC_XOR;
			s->esc = 0;
		}
		if (s->flen < sizeof(s->frame))
			s->frame[s->flen++] = c;
		else
			s->too_long = 1;
	}
}

/* Without N_HDLC a raw tty read may hold several frames; layout B frames
 * carry their length and are split on it, anything else is one frame. */
static void sync_input(struct stub *s, const uint8_t *p, size_t n)
{
	while (n) {
		size_t len = n;

		if (!s->hdlc_ldisc && n >= 12 && p[0] == 0xff && p[4] == 0x45 &&
		    p[5] == 0x00) {
			size_t l = (size_t)((p[6] << 8) | p[7]) + 4;

			if (l >= 12 && l <= n)
				len = l;
		}
		got_frame(s, p, len);
		p += len;
		n -= len;
	}
}

static void read_input(struct stub *s)
{
	static uint8_t buf[INBUF_SIZE];
	ssize_t r = read(s->in_fd, buf, sizeof(buf));

	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		s->eof = 1;
		s->why = r == 0 ? "eof" : "read-error";
		return;
	}
	if (r < 0)
		return;
	if (s->c.sync)
		sync_input(s, buf, (size_t)r);
	else
		hdlc_input(s, buf, (size_t)r);
}

/* ---- setup ---------------------------------------------------------------- */
static int env_u64(const char *name, uint64_t def, uint64_t *v)
{
	const char *e = getenv(name);
	char *end;

	*v = def;
	if (!e || !*e)
		return 0;
	errno = 0;
	*v = strtoull(e, &end, 0);
	if (errno || *end || e[0] == '-') {
		fprintf(stderr, "pppstub: bad %s='%s'\n", name, e);
		return -EINVAL;
	}
	return 0;
}

static int env_double(const char *name, double def, double *v)
{
	const char *e = getenv(name);
	char *end;

	*v = def;
	if (!e || !*e)
		return 0;
	errno = 0;
	*v = strtod(e, &end);
	if (errno || *end || *v < 0) {
		fprintf(stderr, "pppstub: bad %s='%s'\n", name, e);
		return -EINVAL;
	}
	return 0;
}

static int read_cfg(struct cfg *c)
{
	uint64_t v;
	const char *e;
	int r = 0;

	r |= env_u64("PPPSTUB_SEND", 0, &c->send);
	r |= env_u64("PPPSTUB_EXPECT", 0, &c->expect);
	r |= env_u64("PPPSTUB_SIZE", DEFAULT_SIZE, &v);
	c->size = (uint32_t)v;
	r |= env_double("PPPSTUB_RATE", 0, &c->rate);
	r |= env_double("PPPSTUB_TIMEOUT", DEFAULT_TIMEOUT, &c->timeout);
	r |= env_double("PPPSTUB_DELAY_MS", 0, &c->delay_ms);
	r |= env_double("PPPSTUB_LINGER_MS", DEFAULT_LINGER_MS, &c->linger_ms);
	r |= env_u64("PPPSTUB_ECHO", 0, &v);
	c->echo = v != 0;
	r |= env_u64("PPPSTUB_SYNC", 0, &v);
	c->sync = v != 0;
	r |= env_u64("PPPSTUB_VERBOSE", 0, &v);
	c->verbose = v != 0;
	c->accm = 0xffffffffu;	/* RFC 1662 default before LCP */
	e = getenv("PPPSTUB_ACCM");
	if (e && *e) {	/* hex, with or without 0x */
		char *end;

		errno = 0;
		v = strtoull(e, &end, 16);
		if (*end || errno || v > 0xffffffffu) {
			fprintf(stderr, "pppstub: bad PPPSTUB_ACCM='%s'\n", e);
			r = -EINVAL;
		}
		c->accm = (uint32_t)v;
	}
	e = getenv("PPPSTUB_LAYOUT");
	c->layout_ip = e && !strcmp(e, "ip");
	c->result = getenv("PPPSTUB_RESULT");
	if (c->size < HDR_LEN + (c->layout_ip ? 4u : 0u) || c->size > FRAME_MAX) {
		fprintf(stderr, "pppstub: PPPSTUB_SIZE out of range\n");
		r = -EINVAL;
	}
	return r ? -EINVAL : 0;
}

static int open_io(struct stub *s, int argc, char **argv)
{
	struct termios t;
	int i;

	s->in_fd = STDIN_FILENO;
	s->out_fd = STDOUT_FILENO;
	/* pptp: "pppd TTY 38400 args..."; the first argument that is not an
	 * option decides, and only a /dev/ path is taken as the tty. */
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (!strncmp(argv[i], "/dev/", 5)) {
			int fd = open(argv[i], O_RDWR | O_NOCTTY);

			if (fd < 0) {
				fprintf(stderr, "pppstub: open %s: %s\n",
					argv[i], strerror(errno));
				return -errno;
			}
			s->in_fd = s->out_fd = fd;
		}
		break;
	}
	if (isatty(s->in_fd) && tcgetattr(s->in_fd, &t) == 0) {
		cfmakeraw(&t);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(s->in_fd, TCSANOW, &t);
		if (s->c.sync) {
			int ld = N_HDLC;

			s->hdlc_ldisc = ioctl(s->in_fd, TIOCSETD, &ld) == 0;
		}
	}
	fcntl(s->in_fd, F_SETFL, fcntl(s->in_fd, F_GETFL) | O_NONBLOCK);
	if (s->out_fd != s->in_fd)
		fcntl(s->out_fd, F_SETFL,
		      fcntl(s->out_fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

static int expectations_met(const struct stub *s)
{
	return s->sent >= s->c.send &&
	       (!s->c.expect || s->received >= s->c.expect);
}

static void write_result(const struct stub *s)
{
	char tmp[4096];
	FILE *f;
	uint64_t el = s->last_data > s->first_data ?
			      s->last_data - s->first_data : 0;

	if (!s->c.result)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->c.result);
	f = fopen(tmp, "w");
	if (!f) {
		perror("pppstub: result file");
		return;
	}
	fprintf(f,
		"sent=%" PRIu64 "\nreceived=%" PRIu64 "\nbad_fcs=%" PRIu64
		"\nbad_payload=%" PRIu64 "\nout_of_order=%" PRIu64
		"\nfirst_index=%" PRId64 "\nlast_index=%" PRId64
		"\nelapsed_us=%" PRIu64 "\npoison=%" PRIu64 "\nother=%" PRIu64
		"\nrx_bytes=%" PRIu64 "\nechoed=%" PRIu64 "\nrunts=%" PRIu64
		"\nskipped=%" PRIu64 "\nbackwards=%" PRIu64
		"\nhdlc_ldisc=%d\nexit=%s\nok=%d\n",
		s->sent, s->received, s->bad_fcs, s->bad_payload,
		s->out_of_order,
		s->idx_valid ? (int64_t)s->first_index : (int64_t)-1,
		s->idx_valid ? (int64_t)s->last_index : (int64_t)-1, el,
		s->poison, s->other, s->rx_bytes, s->echoed, s->runts,
		s->skipped, s->backwards, s->hdlc_ldisc, s->why ? s->why : "-", expectations_met(s));
	fclose(f);
	rename(tmp, s->c.result);
}

/* Done when everything was sent and written out, and either the expected
 * frames arrived or (nothing expected, no echo) the linger time passed. */
static int finished(const struct stub *s, uint64_t now)
{
	if (s->sent < s->c.send || s->out_len)
		return 0;
	if (s->c.expect)
		return s->received >= s->c.expect;
	if (s->c.echo)
		return 0;
	return now >= s->drained_at + (uint64_t)(s->c.linger_ms * 1000);
}

static void run(struct stub *s, const sigset_t *waitmask)
{
	uint64_t deadline = s->start + (uint64_t)(s->c.timeout * 1e6);

	s->drained_at = s->start;
	while (!got_signal && !s->eof) {
		struct pollfd p[2];
		uint64_t now = now_us(), wait = 100000;
		struct timespec ts;
		int n = 1;

		send_some(s, now);
		flush_out(s);
		if (finished(s, now)) {
			s->why = "done";
			break;
		}
		if (now >= deadline) {
			s->why = "timeout";
			break;
		}
		p[0] = (struct pollfd){ .fd = s->in_fd, .events = POLLIN };
		if (s->out_len || s->tx_blocked) {
			if (s->out_fd == s->in_fd)
				p[0].events |= POLLOUT;
			else
				p[n++] = (struct pollfd){ .fd = s->out_fd,
							  .events = POLLOUT };
		}
		if (s->sent < s->c.send && !s->tx_blocked &&
		    out_room(s, 2 * s->c.size + 6)) {
			uint64_t t = s->c.rate > 0 ? s->next_send : now;

			wait = t > now ? t - now : 0;
		}
		if (wait > deadline - now)
			wait = deadline - now;
		ts.tv_sec = (time_t)(wait / 1000000u);
		ts.tv_nsec = (long)(wait % 1000000u) * 1000;
		if (ppoll(p, (nfds_t)n, &ts, waitmask) <= 0)
			continue;
		if ((p[0].revents | (n > 1 ? p[1].revents : 0)) & POLLOUT)
			s->tx_blocked = 0;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			read_input(s);
	}
}

int main(int argc, char **argv)
{
	static struct stub st;
	struct stub *s = &st;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, waitmask;
	int ok;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: pppstub [TTYDEV] [ignored pppd args]; "
		       "settings in PPPSTUB_* env, see test/tsrv_notes.md\n");
		return 0;
	}
	fcs_init_table();
	if (read_cfg(&s->c) < 0)
		return 2;
	s->out = malloc(OUTBUF_SIZE);
	if (!s->out || open_io(s, argc, argv) < 0)
		return 2;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	s->start = now_us();
	run(s, &waitmask);
	if (got_signal)
		s->why = "signal";
	else if (!s->why)
		s->why = "write-error";
	ok = expectations_met(s);
	write_result(s);
	if (s->c.verbose || !ok)
		fprintf(stderr,
			"pppstub: sent=%" PRIu64 " received=%" PRIu64
			" bad_fcs=%" PRIu64 " bad_payload=%" PRIu64
			" out_of_order=%" PRIu64 " poison=%" PRIu64
			" other=%" PRIu64 " exit=%s %s\n",
			s->sent, s->received, s->bad_fcs, s->bad_payload,
			s->out_of_order, s->poison, s->other, s->why,
			ok ? "ok" : "NOT MET");
	return ok ? 0 : 1;
}
