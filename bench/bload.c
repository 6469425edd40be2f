/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bload: the benchmark's PPP side: drives a PPTP client's pty and meters it. */

/*
 * Stands where pppd would stand with its "pty" option: for each call it
 * opens a pseudo-tty, starts the client command with the master as its
 * stdin/stdout, and speaks async HDLC (RFC 1662) on the slave.  It also
 * meters the client: CPU (utime+stime, and the reaped children's) and
 * VmRSS of every process in our network namespace whose name starts
 * with "pptp", sampled once the calls are up and once just before the
 * end, while every client process is still alive.
 *
 * Modes (one per run; every run is bounded by --max-s):
 *   up       write --count frames per call flat out into the pty
 *   down     read the pty, count good frames (tsrv --data source)
 *   ping     one frame in flight, round trip through tsrv --data echo
 *   ptyceil  no client: a writer process -> pty -> this reader
 *
 * Results go to stdout (or --out FILE) as KEY=VALUE lines.
 * Frame layout is the one tsrv and pppstub use: ff 03 00 21, BE32
 * index, then byte i of the rest is (index + i) & 0xff.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define HDLC_FLAG 0x7e
#define HDLC_ESC 0x7d
#define HDLC_XOR 0x20
#define FCS_INIT 0xffff
#define FCS_GOOD 0xf0b8		/* RFC 1662: residue of a good frame */
#define PPP_HDR 4		/* ff 03 00 21 */
#define IDX_OFF 4		/* the BE32 frame index follows it */
#define MIN_FRAME 8		/* header + index */
#define MAX_FRAME 2048		/* benchmark frames are at most 1404 bytes */
#define MAX_CALLS 64		/* the scaling test uses 16 */
#define OUTBUF 65536		/* per call: encoded bytes waiting for the pty */
#define INBUF 65536		/* one read() */
#define SERIES_STEP_US 10000	/* down: total-received sampled every 10 ms */
#define SERIES_MAX 12000	/* 120 s of samples, beyond any --max-s */
#define MAX_PROCS 256		/* client processes we account for */
#define CALLUP_WAIT_US 8000000	/* a call that is not up in 8 s failed */
#define DRAIN_WAIT_US 2000000	/* up: waiting for the pty to empty */
#define REAP_WAIT_MS 3000	/* children get this long to exit on EOF */
#define MAX_PINGS 100000
#define CEIL_RING 4096		/* ptyceil: pre-encoded frames, reused */

struct opts {
	const char *mode, *srvlog, *out, *ready;
	int calls;
	uint64_t count;
	uint32_t size;		/* whole PPP frame, header included */
	double max_s, settle_ms, idle_ms, ping_timeout_ms, drain_ms;
	int ceil_up;		/* ptyceil: slave -> master instead */
	int sync;		/* down: frames as they are, no HDLC (--sync) */
	char **cmd;
};

struct call {
	pid_t pid;
	int fd;			/* our end: the pty slave */
	/* transmit */
	uint8_t out[OUTBUF];
	size_t out_len, out_off;
	uint64_t sent;
	/* receive */
	uint8_t frame[MAX_FRAME + 2];
	size_t flen;
	int esc, too_long;
	uint64_t received, rx_bytes, bad, other, skipped, backwards;
	int idx_valid;
	uint32_t last_idx;
	uint64_t first_rx, last_rx;
	uint64_t reads, merged;	/* --sync: reads, frames that shared one */
	uint64_t separate;	/* --sync: good frames that came alone */
};

struct proc_sample {
	int pid;
	uint64_t ticks;		/* utime + stime + cutime + cstime */
	uint64_t rss_kb;
	char comm[32];
};

struct sample {
	int n;
	struct proc_sample p[MAX_PROCS];
};

static struct opts O;
static struct call C[MAX_CALLS];
static uint16_t fcs_tab[256];
static FILE *R;			/* results */
static volatile sig_atomic_t stop_sig;

/* ---- small helpers ------------------------------------------------------ */
static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = { (time_t)(us / 1000000u),
			       (long)(us % 1000000u) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !stop_sig)
		;
}

static void on_sig(int s)
{
	stop_sig = s;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void fcs_init(void)
{
	for (unsigned b = 0; b < 256; b++) {
		uint16_t v = (uint16_t)b;

		for (int i = 0; i < 8; i++)
			v = (v & 1) ? (uint16_t)((v >> 1) ^ 0x8408)
				    : (uint16_t)(v >> 1);
		fcs_tab[b] = v;
	}
}

static uint16_t fcs16(uint16_t f, const uint8_t *p, size_t n)
{
	while (n--)
		f = (uint16_t)((f >> 8) ^ fcs_tab[(f ^ *p++) & 0xff]);
	return f;
}

static void pattern_fill(uint8_t *f, size_t size, uint32_t idx)
{
	f[0] = 0xff;
	f[1] = 0x03;
	f[2] = 0x00;
	f[3] = 0x21;
	put_be32(f + IDX_OFF, idx);
	for (size_t i = MIN_FRAME; i < size; i++)
		f[i] = (uint8_t)(idx + (i - MIN_FRAME));
}

/* 0 ok, -1 not ours, -2 damaged payload. */
static int pattern_check(const uint8_t *f, size_t len, uint32_t *idx)
{
	if (len < MIN_FRAME || f[0] != 0xff || f[1] != 0x03 || f[2] != 0 ||
	    f[3] != 0x21)
		return -1;
	*idx = get_be32(f + IDX_OFF);
	for (size_t i = MIN_FRAME; i < len; i++)
		if (f[i] != (uint8_t)(*idx + (i - MIN_FRAME)))
			return -2;
	return 0;
}

/* Async HDLC with the pre-LCP map (every control character escaped),
 * as pppd sends before negotiation and pppstub always does.  Returns
 * bytes written to out (at most 2 * len + 6). */
static size_t hdlc_encode(uint8_t *out, const uint8_t *f, size_t len)
{
	uint16_t fcs = (uint16_t)~fcs16(FCS_INIT, f, len);
	uint8_t tail[2] = { (uint8_t)fcs, (uint8_t)(fcs >> 8) };
	size_t o = 0;

	out[o++] = HDLC_FLAG;
	for (size_t i = 0; i < len + 2; i++) {
		uint8_t c = i < len ? f[i] : tail[i - len];

		if (c < 0x20 || c == HDLC_FLAG || c == HDLC_ESC) {
			out[o++] = HDLC_ESC;
			out[o++] = c ^ HDLC_XOR;
		} else {
			out[o++] = c;
		}
	}
	out[o++] = HDLC_FLAG;
	return o;
}

/* ---- receive ------------------------------------------------------------- */
static uint64_t total_received(void)
{
	uint64_t t = 0;

	for (int i = 0; i < O.calls; i++)
		t += C[i].received;
	return t;
}

static void frame_done(struct call *c, uint64_t now)
{
	uint32_t idx = 0;
	int r;

	if (c->too_long || c->esc || c->flen < PPP_HDR + 2 ||
	    fcs16(FCS_INIT, c->frame, c->flen) != FCS_GOOD) {
		if (c->flen || c->too_long)
			c->bad++;
		goto reset;
	}
	r = pattern_check(c->frame, c->flen - 2, &idx);
	if (r == -1) {
		c->other++;
		goto reset;
	}
	if (r == -2) {
		c->bad++;
		goto reset;
	}
	if (c->idx_valid && idx != c->last_idx + 1) {
		int32_t d = (int32_t)(idx - c->last_idx - 1);

		if (d > 0)
			c->skipped += (uint64_t)d;
		else
			c->backwards++;
	}
	c->idx_valid = 1;
	c->last_idx = idx;
	c->received++;
	c->rx_bytes += c->flen - 2;
	if (!c->first_rx)
		c->first_rx = now;
	c->last_rx = now;
reset:
	c->flen = 0;
	c->esc = 0;
	c->too_long = 0;
}

static void hdlc_input(struct call *c, const uint8_t *p, size_t n,
		       uint64_t now)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = p[i];

		if (b == HDLC_FLAG) {
			frame_done(c, now);
			continue;
		}
		if (b == HDLC_ESC) {
			c->esc = 1;
			continue;
		}
		if (c->esc) {
			b ^= HDLC_XOR;
			c->esc = 0;
		}
		if (c->flen < sizeof(c->frame))
			c->frame[c->flen++] = b;
		else
			c->too_long = 1;
	}
}

/* --sync: no flags, no FCS; every benchmark frame has --size bytes, so a
 * read is cut into frames by that size.  A read that held more than one
 * frame means the pty ran them together (what sync pppd cannot undo). */
static void sync_input(struct call *c, const uint8_t *p, size_t n,
		       uint64_t now)
{
	size_t k = n / O.size;
	uint64_t before = c->received;
	int alone = n == O.size && c->flen == 0;

	c->reads++;
	if (k > 1 || (k == 1 && n % O.size))
		c->merged += n % O.size ? k : k - 1;
	while (n > 0) {
		size_t take = O.size - c->flen;

		if (take > n)
			take = n;
		memcpy(c->frame + c->flen, p, take);
		c->flen += take;
		p += take;
		n -= take;
		if (c->flen < O.size)
			break;
		/* frame_done checks an FCS: give it one */
		uint16_t f = (uint16_t)~fcs16(FCS_INIT, c->frame, c->flen);

		c->frame[c->flen++] = (uint8_t)f;
		c->frame[c->flen++] = (uint8_t)(f >> 8);
		frame_done(c, now);
	}
	if (alone && c->received == before + 1)
		c->separate++;
}

/* Read what is there; returns bytes read, 0 on nothing, -1 on EOF/error. */
static ssize_t read_call(struct call *c, uint64_t now)
{
	static uint8_t buf[INBUF];
	ssize_t r = read(c->fd, buf, sizeof(buf));

	if (r > 0) {
		if (O.sync)
			sync_input(c, buf, (size_t)r, now);
		else
			hdlc_input(c, buf, (size_t)r, now);
		return r;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1;
}

/* ---- client processes ---------------------------------------------------- */
static int same_netns(int pid, const char *mine)
{
	char p[64], l[128];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/ns/net", pid);
	n = readlink(p, l, sizeof(l) - 1);
	if (n < 0)
		return 0;
	l[n] = '\0';
	return !strcmp(l, mine);
}

/* Fields 14-17 of /proc/PID/stat, after the ")" that ends comm. */
static int read_stat(int pid, struct proc_sample *s)
{
	char p[64], buf[1024], *q;
	unsigned long long v[4];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	f = fopen(p, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	q = strrchr(buf, ')');
	if (!q || sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
				"%llu %llu %llu %llu", &v[0], &v[1], &v[2],
			 &v[3]) != 4)
		return -1;
	s->ticks = v[0] + v[1] + v[2] + v[3];
	snprintf(p, sizeof(p), "/proc/%d/status", pid);
	f = fopen(p, "r");
	s->rss_kb = 0;
	if (f) {
		while (fgets(buf, sizeof(buf), f))
			if (!strncmp(buf, "VmRSS:", 6))
				s->rss_kb = strtoull(buf + 6, NULL, 10);
		fclose(f);
	}
	return 0;
}

/* Every process in our namespace named pptp*, except ourselves. */
static void take_sample(struct sample *s)
{
	char mine[128], p[64];
	DIR *d = opendir("/proc");
	struct dirent *e;
	ssize_t n = readlink("/proc/self/ns/net", mine, sizeof(mine) - 1);

	s->n = 0;
	if (!d || n < 0) {
		if (d)
			closedir(d);
		return;
	}
	mine[n] = '\0';
	while ((e = readdir(d)) && s->n < MAX_PROCS) {
		int pid = atoi(e->d_name);
		struct proc_sample *ps = &s->p[s->n];
		FILE *f;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(p, sizeof(p), "/proc/%d/comm", pid);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (!fgets(ps->comm, sizeof(ps->comm), f))
			ps->comm[0] = '\0';
		fclose(f);
		ps->comm[strcspn(ps->comm, "\n")] = '\0';
		if (strncmp(ps->comm, "pptp", 4) || !same_netns(pid, mine))
			continue;
		ps->pid = pid;
		if (read_stat(pid, ps) == 0)
			s->n++;
	}
	closedir(d);
}

static uint64_t base_ticks(const struct sample *b, int pid)
{
	for (int i = 0; i < b->n; i++)
		if (b->p[i].pid == pid)
			return b->p[i].ticks;
	return 0;	/* born after the first sample: all of it counts */
}

static int is_child(int pid)
{
	for (int i = 0; i < O.calls; i++)
		if (C[i].pid == pid)
			return 1;
	return 0;
}

/* $BLOAD_SMAPS_DIR (bench/run.sh: BENCH_SMAPS): a copy of each measured
 * process's /proc/PID/smaps at the end sample, DIR/PID.smaps, headed by
 * a line naming the process and its program (README "Speed", memory). */
static void save_smaps(const struct sample *e)
{
	const char *dir = getenv("BLOAD_SMAPS_DIR");

	for (int i = 0; dir && *dir && i < e->n; i++) {
		char src[64], dst[512], exe[256], buf[8192];
		ssize_t k = -1;
		size_t n;
		FILE *in, *out;

		snprintf(src, sizeof(src), "/proc/%d/exe", e->p[i].pid);
		k = readlink(src, exe, sizeof(exe) - 1);
		exe[k < 0 ? 0 : k] = '\0';
		snprintf(src, sizeof(src), "/proc/%d/smaps", e->p[i].pid);
		snprintf(dst, sizeof(dst), "%s/%d.smaps", dir, e->p[i].pid);
		in = fopen(src, "r");
		out = in ? fopen(dst, "w") : NULL;
		if (out) {
			fprintf(out, "# pid=%d comm=%s exe=%s\n", e->p[i].pid,
				e->p[i].comm, exe);
			while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
				fwrite(buf, 1, n, out);
			fclose(out);
		}
		if (in)
			fclose(in);
	}
}

static void report_cpu(const struct sample *b, const struct sample *e)
{
	uint64_t ticks = 0, rss = 0, rss_gw = 0;
	long hz = sysconf(_SC_CLK_TCK);

	for (int i = 0; i < e->n; i++) {
		uint64_t t0 = base_ticks(b, e->p[i].pid);

		ticks += e->p[i].ticks > t0 ? e->p[i].ticks - t0 : 0;
		rss += e->p[i].rss_kb;
		if (is_child(e->p[i].pid) || !strcmp(e->p[i].comm, "pptpgw"))
			rss_gw += e->p[i].rss_kb;
		fprintf(R, "proc=%d:%s:%" PRIu64 "kB:%" PRIu64 "ticks\n",
			e->p[i].pid, e->p[i].comm, e->p[i].rss_kb,
			e->p[i].ticks - t0);
	}
	fprintf(R, "procs=%d\ncpu_s=%.4f\nrss_total_kb=%" PRIu64
		   "\nrss_per_call_kb=%.1f\n", e->n,
		(double)ticks / (double)hz, rss, (double)rss / O.calls);
	(void)rss_gw;
}

static int spawn_call(struct call *c)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	struct termios t;
	char *sn;

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || !(sn = ptsname(m)))
		return -1;
	c->fd = open(sn, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (c->fd < 0)
		return -1;
	if (tcgetattr(c->fd, &t) == 0) {
		cfmakeraw(&t);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(c->fd, TCSANOW, &t);
	}
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(m, 0);
		dup2(m, 1);
		if (m > 2)
			close(m);
		execvp(O.cmd[0], O.cmd);
		perror("bload: exec");
		_exit(127);
	}
	close(m);
	return 0;
}

static int count_callups(void)
{
	char line[512];
	int n = 0;
	FILE *f;

	if (!O.srvlog)
		return 0;
	f = fopen(O.srvlog, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "call-up "))
			n++;
	fclose(f);
	return n;
}

/* Start the calls one after another, each once the server has it up. */
static int start_calls(int *early)
{
	int base = count_callups();

	for (int i = 0; i < O.calls; i++) {
		uint64_t t0 = now_us();

		if (spawn_call(&C[i]) < 0) {
			fprintf(R, "error=spawn\n");
			return -1;
		}
		while (count_callups() < base + i + 1) {
			if (now_us() - t0 > CALLUP_WAIT_US || stop_sig) {
				fprintf(R, "error=call-%d-not-up\n", i);
				return -1;
			}
			sleep_us(2000);
		}
	}
	sleep_us((uint64_t)(O.settle_ms * 1000));
	for (int i = 0; i < O.calls; i++) {
		struct pollfd p = { .fd = C[i].fd, .events = POLLIN };

		if (poll(&p, 1, 0) > 0 && (p.revents & POLLIN))
			*early = 1;
	}
	return 0;
}

static void stop_calls(void)
{
	uint64_t t0 = now_us();
	int left;

	for (int i = 0; i < O.calls; i++)
		if (C[i].fd >= 0) {
			close(C[i].fd);
			C[i].fd = -1;
		}
	do {
		left = 0;
		for (int i = 0; i < O.calls; i++) {
			int st;

			if (C[i].pid <= 0)
				continue;
			if (waitpid(C[i].pid, &st, WNOHANG) == C[i].pid) {
				C[i].pid = 0;
				if (!WIFEXITED(st) || WEXITSTATUS(st))
					fprintf(R, "call%d_exit=%s%d\n", i,
						WIFEXITED(st) ? "" : "signal-",
						WIFEXITED(st) ? WEXITSTATUS(st)
							      : WTERMSIG(st));
			} else {
				left++;
			}
		}
		if (left)
			sleep_us(10000);
	} while (left && now_us() - t0 < REAP_WAIT_MS * 1000u);
	for (int i = 0; i < O.calls; i++)
		if (C[i].pid > 0) {
			kill(C[i].pid, SIGTERM);
			sleep_us(200000);
			if (waitpid(C[i].pid, NULL, WNOHANG) != C[i].pid) {
				kill(C[i].pid, SIGKILL);
				waitpid(C[i].pid, NULL, 0);
			}
			C[i].pid = 0;
		}
	fprintf(R, "children_killed=%d\n", left);
}

/* ---- up --------------------------------------------------------------------- */
static void fill_out(struct call *c)
{
	static uint8_t f[MAX_FRAME];

	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	while (c->sent < O.count &&
	       OUTBUF - c->out_len >= 2 * (size_t)O.size + 6) {
		pattern_fill(f, O.size, (uint32_t)c->sent);
		c->out_len += hdlc_encode(c->out + c->out_len, f, O.size);
		c->sent++;
	}
}

static int pty_outq(int fd)
{
	int q = 0;

	return ioctl(fd, TIOCOUTQ, &q) == 0 ? q : -1;
}

static int run_up(void)
{
	struct pollfd p[MAX_CALLS];
	uint64_t t0 = now_us(), deadline = t0 + (uint64_t)(O.max_s * 1e6);
	uint64_t t_sent, t_drained;
	int busy;

	do {
		int blocked = 0;

		busy = 0;
		for (int i = 0; i < O.calls; i++) {
			struct call *c = &C[i];
			ssize_t w;

			fill_out(c);
			p[i] = (struct pollfd){ .fd = c->fd, .events = 0 };
			if (c->out_off == c->out_len)
				continue;
			busy = 1;
			w = write(c->fd, c->out + c->out_off,
				  c->out_len - c->out_off);
			if (w > 0)
				c->out_off += (size_t)w;
			else if (w < 0 && errno != EAGAIN && errno != EINTR)
				return fprintf(R, "error=write-%s after=%" PRIu64
					       "\n", strerror(errno), c->sent),
				       -1;
			if (c->out_off < c->out_len) {
				p[i].events = POLLOUT;
				blocked++;
			}
		}
		/* wait only when no call can take more right now */
		if (busy && blocked == O.calls)
			poll(p, (nfds_t)O.calls, 5);
		for (int i = 0; i < O.calls; i++)	/* discard what comes back */
			read_call(&C[i], now_us());
	} while (busy && now_us() < deadline && !stop_sig);
	t_sent = now_us();
	/* the pty holds up to a few dozen frames: wait until the client has
	 * read them too */
	for (;;) {
		int q = 0;

		for (int i = 0; i < O.calls; i++) {
			int v = pty_outq(C[i].fd);

			q += v > 0 ? v : 0;
		}
		t_drained = now_us();
		if (!q || t_drained - t_sent > DRAIN_WAIT_US)
			break;
		sleep_us(200);
	}
	uint64_t sent = 0;

	for (int i = 0; i < O.calls; i++)
		sent += C[i].sent;
	fprintf(R, "sent=%" PRIu64 "\nsend_us=%" PRIu64 "\ndrain_us=%" PRIu64
		   "\nelapsed_us=%" PRIu64 "\ntimed_out=%d\n", sent,
		t_sent - t0, t_drained - t_sent, t_drained - t0,
		busy ? 1 : 0);
	/* let the last frames reach the server before the CPU sample */
	sleep_us((uint64_t)(O.drain_ms * 1000));
	return 0;
}

/* ---- down ------------------------------------------------------------------- */
static uint64_t series_t[SERIES_MAX], series_n[SERIES_MAX];
static int series_len;

static double series_at(uint64_t t)
{
	if (!series_len)
		return 0;
	if (t <= series_t[0])
		return (double)series_n[0];
	for (int i = 1; i < series_len; i++)
		if (series_t[i] >= t) {
			double a = (double)(t - series_t[i - 1]) /
				   (double)(series_t[i] - series_t[i - 1]);

			return (double)series_n[i - 1] +
			       a * (double)(series_n[i] - series_n[i - 1]);
		}
	return (double)series_n[series_len - 1];
}

static int run_down(void)
{
	struct pollfd p[MAX_CALLS];
	uint64_t t0 = now_us(), deadline = t0 + (uint64_t)(O.max_s * 1e6);
	uint64_t next_series = t0, last_any = 0, first_any = 0, now;
	const char *why = "max-time";

	for (;;) {
		int done = 1;

		now = now_us();
		if (now >= next_series && series_len < SERIES_MAX) {
			series_t[series_len] = now;
			series_n[series_len++] = total_received();
			next_series = now + SERIES_STEP_US;
		}
		for (int i = 0; i < O.calls; i++)
			if (C[i].received < O.count)
				done = 0;
		if (done) {
			why = "count";
			break;
		}
		if (last_any && now - last_any > O.idle_ms * 1000) {
			why = "idle";
			break;
		}
		if (now >= deadline || stop_sig)
			break;
		for (int i = 0; i < O.calls; i++)
			p[i] = (struct pollfd){ .fd = C[i].fd, .events = POLLIN };
		if (poll(p, (nfds_t)O.calls, 5) <= 0)
			continue;
		now = now_us();
		for (int i = 0; i < O.calls; i++)
			if (p[i].revents) {
				if (read_call(&C[i], now) > 0) {
					last_any = now;
					if (!first_any)
						first_any = now;
				}
			}
	}
	if (series_len < SERIES_MAX) {
		series_t[series_len] = now_us();
		series_n[series_len++] = total_received();
	}
	/* steady state: every call flowing, none finished yet */
	uint64_t ts = 0, te = UINT64_MAX, rx = 0, skipped = 0, bad = 0;
	uint64_t bytes = 0, other = 0, back = 0, reads = 0, merged = 0, sep = 0;

	for (int i = 0; i < O.calls; i++) {
		struct call *c = &C[i];

		if (c->first_rx > ts)
			ts = c->first_rx;
		if (c->last_rx && c->last_rx < te)
			te = c->last_rx;
		rx += c->received;
		skipped += c->skipped;
		bad += c->bad;
		bytes += c->rx_bytes;
		other += c->other;
		back += c->backwards;
		reads += c->reads;
		merged += c->merged;
		sep += c->separate;
		fprintf(R, "call%d_received=%" PRIu64 "\n", i, c->received);
	}
	int steady = te != UINT64_MAX && te > ts + 100000;
	double fps = 0;

	if (steady)
		fps = (series_at(te) - series_at(ts)) / ((double)(te - ts) / 1e6);
	else if (last_any > first_any)
		fps = (double)rx / ((double)(last_any - first_any) / 1e6);
	fprintf(R, "received=%" PRIu64 "\nrx_bytes=%" PRIu64
		   "\nskipped=%" PRIu64 "\nbad=%" PRIu64 "\nother=%" PRIu64
		   "\nbackwards=%" PRIu64 "\nactive_us=%" PRIu64
		   "\nsteady=%d\nsteady_us=%" PRIu64 "\nfps=%.1f\nend=%s\n",
		rx, bytes, skipped, bad, other, back,
		last_any > first_any ? last_any - first_any : 0, steady,
		steady ? te - ts : 0, fps, why);
	if (O.sync)
		fprintf(R, "reads=%" PRIu64 "\nmerged=%" PRIu64
			   "\nseparate=%" PRIu64 "\n", reads, merged, sep);
	return 0;
}

/* ---- ping --------------------------------------------------------------------- */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(const uint64_t *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);

	return n ? v[i < n ? i : n - 1] : 0;
}

static int run_ping(void)
{
	static uint64_t rtt[MAX_PINGS];
	static uint8_t f[MAX_FRAME], enc[2 * MAX_FRAME + 6];
	struct call *c = &C[0];
	uint64_t n = O.count < MAX_PINGS ? O.count : MAX_PINGS, got = 0, lost = 0;
	uint64_t deadline = now_us() + (uint64_t)(O.max_s * 1e6);
	double sum = 0;

	for (uint64_t i = 0; i < n && now_us() < deadline && !stop_sig; i++) {
		size_t len;
		uint64_t t0, limit;
		uint64_t before = c->received;

		pattern_fill(f, O.size, (uint32_t)i);
		len = hdlc_encode(enc, f, O.size);
		t0 = now_us();
		if (write(c->fd, enc, len) != (ssize_t)len)
			return fprintf(R, "error=write\n"), -1;
		limit = t0 + (uint64_t)(O.ping_timeout_ms * 1000);
		for (;;) {
			struct pollfd p = { .fd = c->fd, .events = POLLIN };
			uint64_t now = now_us();
			int ms;

			if (c->received > before && c->last_idx == (uint32_t)i) {
				rtt[got++] = c->last_rx - t0;
				sum += (double)(c->last_rx - t0);
				break;
			}
			if (now >= limit) {
				lost++;
				break;
			}
			ms = (int)((limit - now + 999) / 1000);
			if (poll(&p, 1, ms) > 0 && read_call(c, now_us()) < 0)
				return fprintf(R, "error=eof\n"), -1;
		}
	}
	qsort(rtt, got, sizeof(rtt[0]), cmp_u64);
	fprintf(R, "pings=%" PRIu64 "\nlost=%" PRIu64 "\nrtt_min_us=%" PRIu64
		   "\nrtt_median_us=%" PRIu64 "\nrtt_p90_us=%" PRIu64
		   "\nrtt_p99_us=%" PRIu64 "\nrtt_max_us=%" PRIu64
		   "\nrtt_mean_us=%.1f\n", got, lost,
		got ? rtt[0] : 0, pct(rtt, got, 0.5), pct(rtt, got, 0.9),
		pct(rtt, got, 0.99), got ? rtt[got - 1] : 0,
		got ? sum / (double)got : 0.0);
	return 0;
}

/* ---- ptyceil ------------------------------------------------------------------- */
/* The writer: a pre-encoded ring of frames, written flat out. */
static void ceil_writer(int fd)
{
	static uint8_t f[MAX_FRAME];
	size_t cap = CEIL_RING * (2 * (size_t)O.size + 6), len = 0;
	uint8_t *ring = malloc(cap);
	size_t *ends = malloc(CEIL_RING * sizeof(size_t));
	uint64_t sent = 0;

	if (!ring || !ends)
		_exit(2);
	for (uint32_t i = 0; i < CEIL_RING; i++) {
		pattern_fill(f, O.size, i);
		len += hdlc_encode(ring + len, f, O.size);
		ends[i] = len;
	}
	/* write whole-ring chunks, the last one cut to --count frames */
	while (sent < O.count) {
		uint64_t left = O.count - sent;
		size_t n = left >= CEIL_RING ? len : ends[left - 1], off = 0;

		while (off < n) {
			ssize_t w = write(fd, ring + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		sent += left >= CEIL_RING ? CEIL_RING : left;
	}
	/* closing our end now would drop what the pty still holds: wait for
	 * the reader's SIGTERM (handled by on_sig, inherited) */
	while (!stop_sig)
		pause();
	_exit(0);
}

static int run_ptyceil(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s, rfd, wfd;
	struct termios t;
	char *sn;
	pid_t pid;
	struct call *c = &C[0];
	uint64_t deadline = now_us() + (uint64_t)(O.max_s * 1e6), now;

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || !(sn = ptsname(m)))
		return fprintf(R, "error=pty\n"), -1;
	s = open(sn, O_RDWR | O_NOCTTY);
	if (s < 0 || tcgetattr(s, &t) < 0)
		return fprintf(R, "error=pty\n"), -1;
	cfmakeraw(&t);
	tcsetattr(s, TCSANOW, &t);
	rfd = O.ceil_up ? m : s;
	wfd = O.ceil_up ? s : m;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(rfd);
		ceil_writer(wfd);
	}
	close(wfd);
	C[0].pid = 0;
	c->fd = rfd;
	fcntl(rfd, F_SETFL, O_NONBLOCK);
	while (c->received < O.count && (now = now_us()) < deadline) {
		struct pollfd p = { .fd = rfd, .events = POLLIN };

		if (c->last_rx && now - c->last_rx > O.idle_ms * 1000)
			break;
		if (poll(&p, 1, 5) > 0 && read_call(c, now_us()) < 0)
			break;
	}
	kill(pid, SIGTERM);
	for (int i = 0; i < 100 && waitpid(pid, NULL, WNOHANG) != pid; i++) {
		if (i == 99) {	/* it missed the signal before pause() */
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		sleep_us(10000);
	}
	close(rfd);
	c->fd = -1;
	double el = c->last_rx > c->first_rx ?
			    (double)(c->last_rx - c->first_rx) / 1e6 : 0;
	/* without a client the index ring wraps: skips are not loss here */
	fprintf(R, "received=%" PRIu64 "\nbad=%" PRIu64 "\nactive_us=%.0f\n"
		   "fps=%.1f\n", c->received, c->bad, el * 1e6,
		el > 0 ? (double)c->received / el : 0.0);
	return 0;
}

/* ---- main ----------------------------------------------------------------------- */
static void usage(void)
{
	fprintf(stderr,
		"usage: bload --mode up|down|ping|ptyceil [--calls K] "
		"[--count N] [--size BYTES]\n"
		"  [--srvlog TSRV_LOG] [--settle-ms MS] [--idle-ms MS] "
		"[--drain-ms MS]\n"
		"  [--ping-timeout-ms MS] [--max-s S] [--ceil-up] [--out FILE]\n"
		"  [--ready FILE (made once the calls are up and sampled)]"
		" [--sync (down: no HDLC, frames cut by --size)]"
		" -- CLIENT ARGS...\n"
		"  --size is the PPP frame (ff 03 00 21 + IP packet)\n");
}

static int parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mode", 1, NULL, 'm' }, { "calls", 1, NULL, 'k' },
		{ "count", 1, NULL, 'n' }, { "size", 1, NULL, 's' },
		{ "srvlog", 1, NULL, 'l' }, { "settle-ms", 1, NULL, 'S' },
		{ "idle-ms", 1, NULL, 'i' }, { "drain-ms", 1, NULL, 'd' },
		{ "ping-timeout-ms", 1, NULL, 'p' }, { "max-s", 1, NULL, 'x' },
		{ "ceil-up", 0, NULL, 'u' }, { "out", 1, NULL, 'o' },
		{ "ready", 1, NULL, 'r' }, { "sync", 0, NULL, 'y' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	int ch;

	O.calls = 1;
	O.count = 1000;
	O.size = 68;
	O.max_s = 20;
	O.settle_ms = 150;
	O.idle_ms = 400;
	O.drain_ms = 300;
	O.ping_timeout_ms = 200;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'm': O.mode = optarg; break;
		case 'k': O.calls = atoi(optarg); break;
		case 'n': O.count = strtoull(optarg, NULL, 0); break;
		case 's': O.size = (uint32_t)atoi(optarg); break;
		case 'l': O.srvlog = optarg; break;
		case 'S': O.settle_ms = atof(optarg); break;
		case 'i': O.idle_ms = atof(optarg); break;
		case 'd': O.drain_ms = atof(optarg); break;
		case 'p': O.ping_timeout_ms = atof(optarg); break;
		case 'x': O.max_s = atof(optarg); break;
		case 'u': O.ceil_up = 1; break;
		case 'o': O.out = optarg; break;
		case 'r': O.ready = optarg; break;
		case 'y': O.sync = 1; break;
		default: return -1;
		}
	}
	O.cmd = argv + optind;
	if (!O.mode || O.calls < 1 || O.calls > MAX_CALLS ||
	    O.size < MIN_FRAME || O.size > MAX_FRAME || O.max_s <= 0)
		return -1;
	if (strcmp(O.mode, "ptyceil") && !O.cmd[0])
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static struct sample s0, s1;
	struct sigaction sa = { .sa_handler = on_sig };
	int early = 0, rc;

	if (parse(argc, argv) < 0) {
		usage();
		return 2;
	}
	R = stdout;
	if (O.out && !(R = fopen(O.out, "w"))) {
		perror("bload: --out");
		return 2;
	}
	setvbuf(R, NULL, _IOFBF, 0);
	fcs_init();
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < MAX_CALLS; i++)
		C[i].fd = -1;
	if (!strcmp(O.mode, "ptyceil")) {
		rc = run_ptyceil();
		fclose(R);
		return rc < 0;
	}
	rc = start_calls(&early);
	fprintf(R, "early=%d\n", early);
	if (rc == 0) {
		take_sample(&s0);
		if (O.ready) {	/* tells an outside load source to start */
			FILE *f = fopen(O.ready, "w");

			if (f)
				fclose(f);
		}
		if (!strcmp(O.mode, "up"))
			rc = run_up();
		else if (!strcmp(O.mode, "down"))
			rc = run_down();
		else if (!strcmp(O.mode, "ping"))
			rc = run_ping();
		else
			rc = -1;
		take_sample(&s1);	/* every client process still alive */
		save_smaps(&s1);
		report_cpu(&s0, &s1);
	}
	stop_calls();
	fprintf(R, "ok=%d\n", rc == 0);
	fclose(R);
	return rc < 0;
}
