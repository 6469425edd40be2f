/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tsrv: scriptable PPTP test server (PAC side), written from RFC 2637 alone. */

/*
 * This program is deliberately independent of the client's own codecs: every
 * wire format is re-implemented here from RFC 2637 / RFC 1701 so that a bug
 * in the client's encoder or decoder shows up as a disagreement.  One process,
 * one poll loop, any number of control connections and calls (bounded).
 * See test/tsrv_notes.md for usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- limits, each with its reason ------------------------------------ */
#define PPTP_PORT 1723
#define PPTP_MAGIC 0x1A2B3C4Du
#define PPTP_MSG_CONTROL 1
#define CTRL_HDR_LEN 12
/* The largest RFC 2637 message is ICRQ (220 bytes); a length far beyond
 * that is a broken peer, not a message to buffer. */
#define CTRL_MAX_LEN 1024
#define RXBUF_SIZE (2 * CTRL_MAX_LEN)
/* echoflood queues 16000 bytes; leave room for a peer that stops reading. */
#define OUTBUF_SIZE (256 * 1024)
#define MAX_CONNS 16		/* tests use a handful of clients */
#define MAX_CALLS 64		/* several calls per connection */
#define MAX_INJECT 32		/* --inject may be repeated this often */
#define IP_MAX_PACKET 65535	/* the IPv4 total-length field is 16 bits */
#define GRE_PROTO_PPP 0x880B
#define GRE_HDR_MAX 16		/* flags+proto+key(4)+seq(4)+ack(4) */
#define PPP_FRAME_MAX 65000	/* --size bound: fits one GRE/IPv4 packet */
#define LOG_LINE_MAX 8192	/* escaped strings + hex of a CTRL_MAX_LEN message */
#define SOURCE_BURST 64		/* frames per loop turn at --rate 0, so the
				 * control connection is still served */
#define REORDER_HOLD_US 200000	/* a held (reordered) packet waits at most
				 * this long for a successor */
#define STOP_REPLY_WAIT_US 5000000 /* close after our StopCCRQ if no reply */
#define CLOSE_GRACE_US 2000000	/* after our StopCCRP, wait for peer close */
#define BYTEWISE_GAP_US 20000	/* brief: 20 ms between single bytes */
#define ECHOFLOOD_COUNT 1000
#define INJECT_RETRY_US 10000	/* bytewise waits for queued output first */
#define STATS_PERIOD_US 1000000
#define DEFAULT_MAX_TIME 120.0
#define POISON_INDEX 0xFFFFFFFFu /* frame index carried by frames the client
				  * must drop: if one shows up, it leaked */

/* ---- control message types (RFC 2637 2.x) ------------------------------ */
enum {
	T_SCCRQ = 1, T_SCCRP, T_STOPCCRQ, T_STOPCCRP, T_ECHORQ, T_ECHORP,
	T_OCRQ, T_OCRP, T_ICRQ, T_ICRP, T_ICCN, T_CCR, T_CDN, T_WEN, T_SLI,
	T_MAX
};

enum fkind { FK_U8, FK_U16, FK_U32, FK_X16, FK_X32, FK_STR, FK_R8, FK_R16 };

struct field {
	const char *name;
	uint16_t off;
	uint8_t kind;
	uint8_t size;
};

struct msgdef {
	const char *name;
	uint16_t len;
	const struct field *fields;
};

static const struct field f_sccrq[] = {
	{ "version", 12, FK_U16, 2 }, { "reserved1", 14, FK_R16, 2 },
	{ "framing", 16, FK_U32, 4 }, { "bearer", 20, FK_U32, 4 },
	{ "max_channels", 24, FK_U16, 2 }, { "firmware", 26, FK_X16, 2 },
	{ "hostname", 28, FK_STR, 64 }, { "vendor", 92, FK_STR, 64 },
	{ NULL, 0, 0, 0 } };
static const struct field f_sccrp[] = {
	{ "version", 12, FK_U16, 2 }, { "result", 14, FK_U8, 1 },
	{ "error", 15, FK_U8, 1 },
	{ "framing", 16, FK_U32, 4 }, { "bearer", 20, FK_U32, 4 },
	{ "max_channels", 24, FK_U16, 2 }, { "firmware", 26, FK_X16, 2 },
	{ "hostname", 28, FK_STR, 64 }, { "vendor", 92, FK_STR, 64 },
	{ NULL, 0, 0, 0 } };
static const struct field f_stopccrq[] = {
	{ "reason", 12, FK_U8, 1 }, { "reserved1", 13, FK_R8, 1 },
	{ "reserved2", 14, FK_R16, 2 }, { NULL, 0, 0, 0 } };
static const struct field f_stopccrp[] = {
	{ "result", 12, FK_U8, 1 }, { "error", 13, FK_U8, 1 },
	{ "reserved1", 14, FK_R16, 2 }, { NULL, 0, 0, 0 } };
static const struct field f_echorq[] = {
	{ "id", 12, FK_U32, 4 }, { NULL, 0, 0, 0 } };
static const struct field f_echorp[] = {
	{ "id", 12, FK_U32, 4 }, { "result", 16, FK_U8, 1 },
	{ "error", 17, FK_U8, 1 }, { "reserved1", 18, FK_R16, 2 },
	{ NULL, 0, 0, 0 } };
static const struct field f_ocrq[] = {
	{ "call_id", 12, FK_U16, 2 }, { "serial", 14, FK_U16, 2 },
	{ "min_bps", 16, FK_U32, 4 }, { "max_bps", 20, FK_U32, 4 },
	{ "bearer", 24, FK_U32, 4 }, { "framing", 28, FK_U32, 4 },
	{ "window", 32, FK_U16, 2 }, { "delay", 34, FK_U16, 2 },
	{ "phone_len", 36, FK_U16, 2 }, { "reserved1", 38, FK_R16, 2 },
	{ "phone", 40, FK_STR, 64 }, { "subaddr", 104, FK_STR, 64 },
	{ NULL, 0, 0, 0 } };
static const struct field f_ocrp[] = {
	{ "call_id", 12, FK_U16, 2 }, { "peer_call_id", 14, FK_U16, 2 },
	{ "result", 16, FK_U8, 1 }, { "error", 17, FK_U8, 1 },
	{ "cause", 18, FK_U16, 2 }, { "speed", 20, FK_U32, 4 },
	{ "window", 24, FK_U16, 2 }, { "delay", 26, FK_U16, 2 },
	{ "channel", 28, FK_U32, 4 }, { NULL, 0, 0, 0 } };
static const struct field f_icrq[] = {
	{ "call_id", 12, FK_U16, 2 }, { "serial", 14, FK_U16, 2 },
	{ "bearer", 16, FK_U32, 4 }, { "channel", 20, FK_U32, 4 },
	{ "dialed_len", 24, FK_U16, 2 }, { "dialing_len", 26, FK_U16, 2 },
	{ "dialed", 28, FK_STR, 64 }, { "dialing", 92, FK_STR, 64 },
	{ "subaddr", 156, FK_STR, 64 }, { NULL, 0, 0, 0 } };
static const struct field f_icrp[] = {
	{ "call_id", 12, FK_U16, 2 }, { "peer_call_id", 14, FK_U16, 2 },
	{ "result", 16, FK_U8, 1 }, { "error", 17, FK_U8, 1 },
	{ "window", 18, FK_U16, 2 }, { "delay", 20, FK_U16, 2 },
	{ "reserved1", 22, FK_R16, 2 }, { NULL, 0, 0, 0 } };
static const struct field f_iccn[] = {
	{ "peer_call_id", 12, FK_U16, 2 }, { "reserved1", 14, FK_R16, 2 },
	{ "speed", 16, FK_U32, 4 }, { "window", 20, FK_U16, 2 },
	{ "delay", 22, FK_U16, 2 }, { "framing", 24, FK_U32, 4 },
	{ NULL, 0, 0, 0 } };
static const struct field f_ccr[] = {
	{ "call_id", 12, FK_U16, 2 }, { "reserved1", 14, FK_R16, 2 },
	{ NULL, 0, 0, 0 } };
static const struct field f_cdn[] = {
	{ "call_id", 12, FK_U16, 2 }, { "result", 14, FK_U8, 1 },
	{ "error", 15, FK_U8, 1 }, { "cause", 16, FK_U16, 2 },
	{ "reserved1", 18, FK_R16, 2 }, { "stats", 20, FK_STR, 128 },
	{ NULL, 0, 0, 0 } };
static const struct field f_wen[] = {
	{ "peer_call_id", 12, FK_U16, 2 }, { "reserved1", 14, FK_R16, 2 },
	{ "crc_errors", 16, FK_U32, 4 }, { "framing_errors", 20, FK_U32, 4 },
	{ "hw_overruns", 24, FK_U32, 4 }, { "buf_overruns", 28, FK_U32, 4 },
	{ "timeouts", 32, FK_U32, 4 }, { "alignment_errors", 36, FK_U32, 4 },
	{ NULL, 0, 0, 0 } };
static const struct field f_sli[] = {
	{ "peer_call_id", 12, FK_U16, 2 }, { "reserved1", 14, FK_R16, 2 },
	{ "send_accm", 16, FK_X32, 4 }, { "recv_accm", 20, FK_X32, 4 },
	{ NULL, 0, 0, 0 } };

static const struct msgdef msgdefs[T_MAX] = {
	[T_SCCRQ] = { "SCCRQ", 156, f_sccrq },
	[T_SCCRP] = { "SCCRP", 156, f_sccrp },
	[T_STOPCCRQ] = { "STOPCCRQ", 16, f_stopccrq },
	[T_STOPCCRP] = { "STOPCCRP", 16, f_stopccrp },
	[T_ECHORQ] = { "ECHORQ", 16, f_echorq },
	[T_ECHORP] = { "ECHORP", 20, f_echorp },
	[T_OCRQ] = { "OCRQ", 168, f_ocrq },
	[T_OCRP] = { "OCRP", 32, f_ocrp },
	[T_ICRQ] = { "ICRQ", 220, f_icrq },
	[T_ICRP] = { "ICRP", 24, f_icrp },
	[T_ICCN] = { "ICCN", 28, f_iccn },
	[T_CCR] = { "CCR", 16, f_ccr },
	[T_CDN] = { "CDN", 148, f_cdn },
	[T_WEN] = { "WEN", 40, f_wen },
	[T_SLI] = { "SLI", 24, f_sli },
};

/* ---- byte order helpers ---------------------------------------------- */
static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- options ------------------------------------------------------------ */
enum data_mode { DM_SINK, DM_ECHO, DM_SOURCE };

enum inject_id {
	/* control */
	INJ_BADMAGIC, INJ_SHORTLEN, INJ_LONGLEN, INJ_LENMISMATCH,
	INJ_UNKNOWNTYPE, INJ_RESERVED, INJ_UNKNOWNCALL, INJ_BYTEWISE,
	INJ_ECHOFLOOD, INJ_STOPCCRQ, INJ_RST, INJ_RAW,
	/* GRE */
	INJ_GRESHORT, INJ_GRETINY, INJ_GREVERSION, INJ_GREPROTO,
	INJ_GRENOKEY, INJ_GRELENLONG, INJ_GRELENSHORT, INJ_GREZEROLEN,
	INJ_ACKONLY, INJ_OTHERCALL, INJ_DUPSEQ, INJ_FARAHEAD, INJ_FARBEHIND,
	INJ_IPOPTS, INJ_HUGE,
	INJ_COUNT
};

static const char *const inject_names[INJ_COUNT] = {
	"badmagic", "shortlen", "longlen", "lenmismatch", "unknowntype",
	"reserved", "unknowncall", "bytewise", "echoflood", "stopccrq", "rst",
	"raw", "greshort", "gretiny", "greversion", "greproto", "grenokey",
	"grelenlong", "grelenshort", "grezerolen", "ackonly", "othercall",
	"dupseq", "farahead", "farbehind", "ipopts", "huge",
};

/* The differential matrix's own injections (test/matrix.sh), kept apart
 * from the list above: their ids follow INJ_COUNT, and mx_inject_ctrl /
 * mx_inject_gre (after inject_gre) send them. */
enum mx_inject_id {
	MX_CCRQ, MX_CDN, MX_SLI, MX_WEN, MX_ECHO, MX_MGMT, MX_TYPEZERO,
	MX_LEN0, MX_LEN65535, MX_RANDOM200, MX_TRUNCHDR, MX_SPLIT,
	MX_SLIFLOOD, MX_ICRQ, MX_SCCRQ, MX_DUPSCCRP, MX_DUPOCRP, MX_STOPCCRP,
	MX_ECHORP,
	MX_SEQJUMP,	/* GRE from here on */
	MX_COUNT
};

static const char *const mx_inject_names[MX_COUNT] = {
	"ccrq", "cdn", "sli", "wen", "echo", "mgmt", "typezero", "len0",
	"len65535", "random200", "trunchdr", "split", "sliflood", "icrq",
	"sccrq", "dupsccrp", "dupocrp", "stopccrp", "echorp", "seqjump",
};

static int mx_inject_find(const char *name)
{
	int i;

	for (i = 0; i < MX_COUNT; i++)
		if (!strcmp(mx_inject_names[i], name))
			return INJ_COUNT + i;
	return -1;
}

static int inject_is_gre(int id)
{
	if (id >= INJ_COUNT)
		return id - INJ_COUNT >= MX_SEQJUMP;
	return id >= INJ_GRESHORT;
}

struct inject {
	int id;
	double delay;
	const char *hex;	/* raw:HEX: the bytes to send */
};

struct opts {
	struct in_addr listen_addr;
	uint16_t port;
	const char *log_path, *stats_path, *ready_path;
	int log_gre, log_time, log_hex;
	int sccrp_result, sccrp_error;
	int ocrp_result, ocrp_error, ocrp_cause;
	int no_answer, close_after_sccrq;
	double rst_after_call;	/* <0: off */
	double echo_interval;	/* <=0: off */
	int no_echo_reply;
	int send_sli;
	uint32_t sli_send_accm, sli_recv_accm;
	double clear_after, stop_after;	/* <0: off */
	enum data_mode mode;
	uint64_t count;
	uint32_t size;
	double rate;
	double source_delay;
	int layout_ip;
	uint32_t reorder_every, dup_every, drop_every;
	uint32_t seq_start;
	int piggyback, ack_only;
	double ack_delay_ms;
	struct inject inj[MAX_INJECT];
	int n_inj;
	int exit_when_idle;
	double max_time;
	uint16_t call_id_start;
	int strict_window;
	uint32_t window_override;	/* --window N: instead of the OCRQ's */
	double ato_min_ms, ato_max_ms;
};

/* ---- runtime state ------------------------------------------------------ */
enum inj_state { IS_IDLE, IS_ARMED, IS_DONE };

struct counters {
	uint64_t rx_frames, rx_bytes, rx_pattern_ok, rx_bad_payload;
	uint64_t rx_out_of_order, rx_poison, rx_other, rx_seq_out_of_order;
	uint64_t rx_acks, rx_ack_only;
	uint64_t tx_frames, tx_bytes, tx_acks, tx_impair_drop, tx_impair_dup;
	uint64_t tx_impair_reorder, tx_errors, tx_eagain;
};

struct conn {
	int used, dead;
	int fd, id;
	struct sockaddr_in peer, local;
	uint8_t rx[RXBUF_SIZE];
	size_t rx_len;
	uint8_t *out;
	size_t out_len;
	uint8_t trickle[CTRL_HDR_LEN + 4];
	size_t trickle_len, trickle_pos;
	uint64_t trickle_next;
	int got_sccrq, up;
	uint64_t up_at, echo_next, stop_at, rst_at, close_at;
	int stop_sent, calls_seen;
	uint32_t echo_id;
	uint64_t inj_due[MAX_INJECT];
	uint8_t inj_state[MAX_INJECT];
	const char *close_reason;
};

/* --strict-window state (see "strict sliding window" below) */
#define STRICT_RING 256		/* largest window kept: send times of the
				 * packets in flight live in a ring */
#define STRICT_QUEUE 256	/* echo frames waiting for the window */
struct strict_frame {
	size_t len;
	uint8_t data[2048];	/* longer frames are dropped and counted */
};

struct strict_win {
	uint32_t window;	/* offered by the client in OCRQ; 0 = off */
	uint32_t cwnd;		/* usable now: halved on a time-out */
	uint32_t una;		/* oldest sequence number not acked */
	uint64_t sent_at[STRICT_RING];
	int64_t rtt, dev;	/* RFC 2637 appendix A, microseconds */
	uint64_t ato, deadline;
	uint64_t ack_timeouts, queue_drops;
	struct strict_frame *q;
	size_t qhead, qn;
};

struct call {
	int used;
	int conn_idx;
	uint16_t id, peer_id;
	struct in_addr peer_ip, local_ip;
	uint64_t up_at, clear_at;
	/* transmit side */
	uint32_t tx_seq_next, last_tx_seq;
	int last_tx_valid;
	uint64_t pipeline_count;
	uint8_t *held;
	size_t held_len;
	uint64_t held_due;
	int ipopts_next;
	uint32_t src_index;
	uint64_t src_next;
	int src_done;
	/* receive side */
	int rx_seq_valid;
	uint32_t rx_seq_max;
	int ack_pending;
	uint32_t ack_sent;
	uint64_t ack_due;
	int rx_idx_valid;
	uint32_t rx_idx_last;
	struct counters st;
	uint64_t inj_due[MAX_INJECT];
	uint8_t inj_state[MAX_INJECT];
	struct strict_win sw;
};

struct srv {
	struct opts o;
	FILE *log;
	int listen_fd, gre_fd, raw_fd;
	struct conn conns[MAX_CONNS];
	struct call calls[MAX_CALLS];
	int next_conn_id;
	uint16_t next_call_id;
	int ever_accepted;
	int gre_blocked;
	uint64_t start, stats_next;
	uint64_t conns_total, calls_total;
	uint64_t echo_rq_rx, echo_rp_tx, echo_rq_tx, echo_rp_rx;
	uint64_t gre_bad;
	uint64_t ack_timeouts, window_queue_drops;	/* --strict-window */
	struct counters st;	/* totals over all calls, live and gone */
	uint8_t pkt[IP_MAX_PACKET + 1];
};

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

static uint64_t secs_to_us(double s)
{
	return s <= 0 ? 0 : (uint64_t)(s * 1e6);
}

/* ---- logging ------------------------------------------------------------ */
struct lbuf {
	char s[LOG_LINE_MAX];
	size_t n;
};

static void lb_add(struct lbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void lb_add(struct lbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (b->n >= sizeof(b->s) - 1)
		return;
	va_start(ap, fmt);
	r = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	b->n += (size_t)r;
	if (b->n >= sizeof(b->s))
		b->n = sizeof(b->s) - 1;
}

/* A fixed-size string field: printed up to the first NUL, quoted, with
 * anything unprintable (and the quote and backslash) as \xNN. */
static void lb_str(struct lbuf *b, const char *name, const uint8_t *p,
		   size_t size)
{
	size_t i;

	lb_add(b, " %s=\"", name);
	for (i = 0; i < size && p[i]; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
			lb_add(b, "%c", p[i]);
		else
			lb_add(b, "\\x%02x", p[i]);
	}
	lb_add(b, "\"");
}

static void lb_hex(struct lbuf *b, const uint8_t *p, size_t len)
{
	size_t i;

	lb_add(b, " hex=");
	for (i = 0; i < len; i++)
		lb_add(b, "%02x", p[i]);
}

static void log_flush_line(struct srv *s, struct lbuf *b)
{
	if (!s->log)
		return;
	if (s->o.log_time)
		fprintf(s->log, "%.6f ", (double)(now_us() - s->start) / 1e6);
	fprintf(s->log, "%s\n", b->s);
	fflush(s->log);
}

static void log_ev(struct srv *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_ev(struct srv *s, const char *fmt, ...)
{
	struct lbuf b = { .n = 0 };
	va_list ap;
	int r;

	if (!s->log)
		return;
	lb_add(&b, "EV ");
	va_start(ap, fmt);
	r = vsnprintf(b.s + b.n, sizeof(b.s) - b.n, fmt, ap);
	va_end(ap);
	if (r > 0)
		b.n += (size_t)r;
	log_flush_line(s, &b);
}

static void lb_field(struct lbuf *b, const struct field *f, const uint8_t *m)
{
	const uint8_t *p = m + f->off;

	switch (f->kind) {
	case FK_U8:
		lb_add(b, " %s=%u", f->name, p[0]);
		break;
	case FK_U16:
		lb_add(b, " %s=%u", f->name, get_be16(p));
		break;
	case FK_U32:
		lb_add(b, " %s=%" PRIu32, f->name, get_be32(p));
		break;
	case FK_X16:
		lb_add(b, " %s=0x%04x", f->name, get_be16(p));
		break;
	case FK_X32:
		lb_add(b, " %s=0x%08" PRIx32, f->name, get_be32(p));
		break;
	case FK_STR:
		lb_str(b, f->name, p, f->size);
		break;
	case FK_R8:
		if (p[0])
			lb_add(b, " %s=%u", f->name, p[0]);
		break;
	case FK_R16:
		if (get_be16(p))
			lb_add(b, " %s=%u", f->name, get_be16(p));
		break;
	}
}

/* One line per control message: direction, name, conn, then every field
 * that lies inside the message.  Header oddities are shown only when
 * present so that normal lines stay short and stable. */
static void log_msg(struct srv *s, const char *dir, const struct conn *c,
		    const uint8_t *m, size_t len)
{
	struct lbuf b = { .n = 0 };
	uint16_t type = get_be16(m + 8);
	const struct msgdef *d = type < T_MAX && type ? &msgdefs[type] : NULL;
	const struct field *f;

	if (!s->log)
		return;
	if (d)
		lb_add(&b, "%s %s conn=%d", dir, d->name, c->id);
	else
		lb_add(&b, "%s UNKNOWN conn=%d type=%u", dir, c->id, type);
	if (get_be16(m + 2) != PPTP_MSG_CONTROL)
		lb_add(&b, " pptp_type=%u", get_be16(m + 2));
	if (get_be32(m + 4) != PPTP_MAGIC)
		lb_add(&b, " magic=0x%08" PRIx32, get_be32(m + 4));
	if (get_be16(m + 10))
		lb_add(&b, " reserved0=%u", get_be16(m + 10));
	if (!d || get_be16(m) != d->len || len != d->len)
		lb_add(&b, " length=%u", get_be16(m));
	if (d)
		for (f = d->fields; f->name; f++)
			if ((size_t)f->off + f->size <= len)
				lb_field(&b, f, m);
	if (s->o.log_hex)
		lb_hex(&b, m, len);
	log_flush_line(s, &b);
}

/* ---- message building ---------------------------------------------------- */
static const struct field *find_field(int type, const char *name)
{
	const struct field *f;

	for (f = msgdefs[type].fields; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	fprintf(stderr, "tsrv: internal: no field %s in type %d\n", name,
		type);
	abort();
}

static size_t msg_init(uint8_t *m, int type)
{
	size_t len = msgdefs[type].len;

	memset(m, 0, len);
	put_be16(m, (uint16_t)len);
	put_be16(m + 2, PPTP_MSG_CONTROL);
	put_be32(m + 4, PPTP_MAGIC);
	put_be16(m + 8, (uint16_t)type);
	return len;
}

static void msg_set(uint8_t *m, int type, const char *name, uint32_t v)
{
	const struct field *f = find_field(type, name);
	uint8_t *p = m + f->off;

	switch (f->size) {
	case 1:
		p[0] = (uint8_t)v;
		break;
	case 2:
		put_be16(p, (uint16_t)v);
		break;
	default:
		put_be32(p, v);
		break;
	}
}

static void msg_set_str(uint8_t *m, int type, const char *name,
			const char *str)
{
	const struct field *f = find_field(type, name);
	size_t n = strlen(str);

	if (n >= f->size)
		n = f->size - 1u;
	memcpy(m + f->off, str, n);
}

/* ---- control connection output ------------------------------------------ */
static void conn_kill(struct srv *s, struct conn *c, const char *why)
{
	(void)s;
	if (!c->dead) {
		c->dead = 1;
		c->close_reason = why;
	}
}

static void conn_flush(struct srv *s, struct conn *c)
{
	ssize_t r;

	if (c->dead || c->trickle_len || !c->out_len)
		return;
	r = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (r < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_kill(s, c, "send-error");
		return;
	}
	memmove(c->out, c->out + r, c->out_len - (size_t)r);
	c->out_len -= (size_t)r;
}

static void conn_queue(struct srv *s, struct conn *c, const uint8_t *p,
		       size_t len)
{
	if (c->dead)
		return;
	if (len > OUTBUF_SIZE - c->out_len) {
		log_ev(s, "outbuf-overflow conn=%d", c->id);
		conn_kill(s, c, "outbuf-overflow");
		return;
	}
	memcpy(c->out + c->out_len, p, len);
	c->out_len += len;
}

/* Send a control message: log it exactly as it goes on the wire. */
static void conn_send(struct srv *s, struct conn *c, const uint8_t *m,
		      size_t len)
{
	if (c->dead)
		return;
	log_msg(s, "TX", c, m, len);
	conn_queue(s, c, m, len);
	conn_flush(s, c);
}

/* ---- GRE encoding (RFC 2637 4.1) ----------------------------------------- */
struct gre_spec {
	uint8_t version;
	uint16_t proto;
	int has_key, has_seq, has_ack;
	uint16_t plen_field;
	uint16_t call_id;
	uint32_t seq, ack;
};

static size_t gre_encode(uint8_t *out, size_t cap, const struct gre_spec *g,
			 const uint8_t *payload, size_t plen)
{
	size_t n = 4;

	if (cap < GRE_HDR_MAX + plen)
		return 0;
	out[0] = (uint8_t)((g->has_key ? 0x20 : 0) | (g->has_seq ? 0x10 : 0));
	out[1] = (uint8_t)((g->has_ack ? 0x80 : 0) | (g->version & 7));
	put_be16(out + 2, g->proto);
	if (g->has_key) {
		put_be16(out + n, g->plen_field);
		put_be16(out + n + 2, g->call_id);
		n += 4;
	}
	if (g->has_seq) {
		put_be32(out + n, g->seq);
		n += 4;
	}
	if (g->has_ack) {
		put_be32(out + n, g->ack);
		n += 4;
	}
	if (plen)
		memcpy(out + n, payload, plen);
	return n + plen;
}

/* The verification pattern shared with pppstub.  Layout A: ff 03 00 21,
 * a 32-bit big-endian frame index, then byte i of the rest is
 * (index + i) & 0xff.  Layout B (--layout ip), for pptp-linux --sync which
 * finds frame ends through the 16-bit length at offset 6:
 * ff 03 00 21 45 00 LEN16 (frame length - 4), index, pattern. */
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
		put_be16(f + 6, (uint16_t)(size - 4));
	}
	put_be32(f + start - 4, index);
	for (i = start; i < size; i++)
		f[i] = (uint8_t)(index + (i - start));
}

enum pat_result { PAT_OK, PAT_POISON, PAT_OTHER, PAT_BAD };

/* Accepts layout A (index at 4) and pppstub's sync-safe layout B
 * (45 00 LEN at 4, index at 8) described in tsrv_notes.md. */
static enum pat_result pattern_check(const uint8_t *f, size_t len,
				     uint32_t *index)
{
	size_t start = 8, i;
	uint32_t idx;

	if (len < 8 || f[0] != 0xff || f[1] != 0x03 || f[2] != 0x00 ||
	    f[3] != 0x21)
		return PAT_OTHER;
	if (len >= 12 && f[4] == 0x45 && f[5] == 0x00 &&
	    get_be16(f + 6) == len - 4)
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

/* ---- GRE transmit ------------------------------------------------------ */
static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get_be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#define IP_OPT_LEN 4	/* four NOP options: the smallest legal options */

/* Send one GRE packet inside an IPv4 header we build ourselves, with IP
 * options, so a receiver that assumes a 20-byte IP header is caught. */
static void gre_send_ipopts(struct srv *s, struct call *cl,
			    const uint8_t *gre, size_t len)
{
	static uint8_t ipb[IP_MAX_PACKET];
	size_t hl = 20 + IP_OPT_LEN, tot = hl + len;
	struct sockaddr_in to = { .sin_family = AF_INET };
	static uint16_t ip_id = 1;

	if (tot > sizeof(ipb) || s->raw_fd < 0) {
		s->st.tx_errors++;
		return;
	}
	memset(ipb, 0, hl);
	ipb[0] = (uint8_t)(0x40 | (hl / 4));
	put_be16(ipb + 2, (uint16_t)tot);
	put_be16(ipb + 4, ip_id++);
	ipb[8] = 64;
	ipb[9] = IPPROTO_GRE;
	memcpy(ipb + 12, &cl->local_ip, 4);
	memcpy(ipb + 16, &cl->peer_ip, 4);
	memset(ipb + 20, 1, IP_OPT_LEN);
	put_be16(ipb + 10, ip_checksum(ipb, hl));
	memcpy(ipb + hl, gre, len);
	to.sin_addr = cl->peer_ip;
	if (sendto(s->raw_fd, ipb, tot, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0) {
		log_ev(s, "gre-tx-error call=%u errno=%d", cl->id, errno);
		s->st.tx_errors++;
	}
}

static void gre_send_raw(struct srv *s, struct call *cl, const uint8_t *gre,
			 size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET };

	if (cl->ipopts_next) {
		cl->ipopts_next = 0;
		gre_send_ipopts(s, cl, gre, len);
		return;
	}
	to.sin_addr = cl->peer_ip;
	if (sendto(s->gre_fd, gre, len, MSG_DONTWAIT, (struct sockaddr *)&to,
		   sizeof(to)) < 0) {
		if (errno == EAGAIN || errno == ENOBUFS) {
			s->gre_blocked = 1;
			cl->st.tx_eagain++;
			s->st.tx_eagain++;
		} else {
			cl->st.tx_errors++;
			s->st.tx_errors++;
			log_ev(s, "gre-tx-error call=%u errno=%d", cl->id,
			       errno);
		}
	}
}

static void log_gre_tx(struct srv *s, const struct call *cl,
		       const uint8_t *g, size_t len, const char *what)
{
	struct lbuf b = { .n = 0 };
	size_t off = 8;

	if (!s->o.log_gre || len < 8)
		return;
	lb_add(&b, "EV gre-tx call=%u", cl->id);
	if (g[0] & 0x10 && len >= off + 4) {
		lb_add(&b, " seq=%" PRIu32, get_be32(g + off));
		off += 4;
	} else {
		lb_add(&b, " seq=-");
	}
	if (g[1] & 0x80 && len >= off + 4)
		lb_add(&b, " ack=%" PRIu32, get_be32(g + off));
	else
		lb_add(&b, " ack=-");
	lb_add(&b, " len=%u", get_be16(g + 4));
	if (what)
		lb_add(&b, " impair=%s", what);
	log_flush_line(s, &b);
}

static void held_release(struct srv *s, struct call *cl)
{
	if (!cl->held_len)
		return;
	log_gre_tx(s, cl, cl->held, cl->held_len, "reordered");
	gre_send_raw(s, cl, cl->held, cl->held_len);
	cl->held_len = 0;
}

/* Apply --drop-every / --reorder-every / --dup-every to one data packet. */
static void impair_and_send(struct srv *s, struct call *cl,
			    const uint8_t *g, size_t len, uint64_t now)
{
	uint64_t k = ++cl->pipeline_count;
	const struct opts *o = &s->o;

	if (o->drop_every && k % o->drop_every == 0) {
		log_gre_tx(s, cl, g, len, "dropped");
		cl->st.tx_impair_drop++;
		s->st.tx_impair_drop++;
		return;
	}
	if (o->reorder_every && k % o->reorder_every == 0 && !cl->held_len) {
		if (!cl->held)
			cl->held = malloc(IP_MAX_PACKET);
		if (cl->held) {
			memcpy(cl->held, g, len);
			cl->held_len = len;
			cl->held_due = now + REORDER_HOLD_US;
			cl->st.tx_impair_reorder++;
			s->st.tx_impair_reorder++;
			return;
		}
	}
	log_gre_tx(s, cl, g, len, NULL);
	gre_send_raw(s, cl, g, len);
	if (o->dup_every && k % o->dup_every == 0) {
		log_gre_tx(s, cl, g, len, "duplicate");
		gre_send_raw(s, cl, g, len);
		cl->st.tx_impair_dup++;
		s->st.tx_impair_dup++;
	}
	held_release(s, cl);
}

static void spec_data(struct srv *s, struct call *cl, struct gre_spec *g)
{
	memset(g, 0, sizeof(*g));
	g->version = 1;
	g->proto = GRE_PROTO_PPP;
	g->has_key = 1;
	g->call_id = cl->peer_id;
	g->has_seq = 1;
	g->seq = cl->tx_seq_next;
	if (s->o.piggyback && cl->ack_pending) {
		g->has_ack = 1;
		g->ack = cl->rx_seq_max;
	}
}

static void strict_note_sent(struct srv *s, struct call *cl, uint32_t seq,
			     uint64_t now);

/* One PPP frame out on a call, with the next sequence number. */
static void call_send_frame_now(struct srv *s, struct call *cl,
				const uint8_t *ppp, size_t plen, uint64_t now)
{
	static uint8_t g[IP_MAX_PACKET];
	struct gre_spec sp;
	size_t len;

	spec_data(s, cl, &sp);
	sp.plen_field = (uint16_t)plen;
	len = gre_encode(g, sizeof(g), &sp, ppp, plen);
	if (!len)
		return;
	if (sp.has_ack) {
		cl->ack_pending = 0;
		cl->ack_sent = sp.ack;
		cl->st.tx_acks++;
		s->st.tx_acks++;
	}
	cl->last_tx_seq = cl->tx_seq_next++;
	cl->last_tx_valid = 1;
	strict_note_sent(s, cl, cl->last_tx_seq, now);
	cl->st.tx_frames++;
	cl->st.tx_bytes += plen;
	s->st.tx_frames++;
	s->st.tx_bytes += plen;
	impair_and_send(s, cl, g, len, now);
}

static void call_send_ack_only(struct srv *s, struct call *cl)
{
	uint8_t g[GRE_HDR_MAX];
	struct gre_spec sp = { .version = 1, .proto = GRE_PROTO_PPP,
			       .has_key = 1, .has_ack = 1 };
	size_t len;

	sp.call_id = cl->peer_id;
	sp.ack = cl->rx_seq_max;
	len = gre_encode(g, sizeof(g), &sp, NULL, 0);
	cl->ack_pending = 0;
	cl->ack_sent = sp.ack;
	cl->st.tx_acks++;
	s->st.tx_acks++;
	log_gre_tx(s, cl, g, len, NULL);
	gre_send_raw(s, cl, g, len);
}

/* ---- strict sliding window (RFC 2637 4.2 and 4.4), --strict-window ------
 * A sender that keeps the window the client offered in its Outgoing-Call-
 * Request: never more unacknowledged data packets in flight than that, and
 * an adaptive acknowledgment time-out (RFC 2637 4.4 / appendix A):
 *   DIFF = SAMPLE - RTT; DEV += (|DIFF| - DEV) / 4; RTT += DIFF / 8;
 *   ATO = RTT + 4 * DEV, bounded by --ato-min and --ato-max.
 * On a time-out the packets in flight are taken as lost (the window has
 * room again), the window is halved (at least 1) and ATO doubles (backoff,
 * up to --ato-max); each acknowledgment that advances grows the window by
 * one again, up to the offered size.  Frames that find the window closed
 * wait in a bounded queue (echo mode) or are not generated yet (source). */
static int strict_on(const struct srv *s, const struct call *cl)
{
	return s->o.strict_window && cl->sw.window > 0;
}

static uint32_t strict_in_flight(const struct call *cl)
{
	return cl->tx_seq_next - cl->sw.una;
}

static int strict_may_send(const struct srv *s, const struct call *cl)
{
	if (!strict_on(s, cl))
		return 1;
	return strict_in_flight(cl) < cl->sw.cwnd;
}

static uint64_t strict_clamp_ato(const struct srv *s, uint64_t ato)
{
	uint64_t lo = (uint64_t)(s->o.ato_min_ms * 1e3);
	uint64_t hi = (uint64_t)(s->o.ato_max_ms * 1e3);

	if (ato < lo)
		ato = lo;
	return ato > hi ? hi : ato;
}

/* The call is up: take the window the client offered (OCRQ). */
static void strict_start(struct srv *s, struct call *cl, uint16_t window)
{
	if (!s->o.strict_window || !cl)
		return;
	if (s->o.window_override)
		window = (uint16_t)s->o.window_override;
	if (window == 0)	/* RFC: at least 1; a 0 would stall forever */
		window = 1;
	if (window > STRICT_RING)
		window = STRICT_RING;
	cl->sw.window = window;
	cl->sw.cwnd = window;
	cl->sw.una = cl->tx_seq_next;
	cl->sw.ato = strict_clamp_ato(s, 0);
	log_ev(s, "strict-window call=%u window=%u ato_us=%" PRIu64, cl->id,
	       window, cl->sw.ato);
}

static void strict_arm(struct call *cl)
{
	cl->sw.deadline = strict_in_flight(cl) == 0 ? 0 :
		cl->sw.sent_at[cl->sw.una % STRICT_RING] + cl->sw.ato;
}

static void strict_note_sent(struct srv *s, struct call *cl, uint32_t seq,
			     uint64_t now)
{
	if (!strict_on(s, cl))
		return;
	cl->sw.sent_at[seq % STRICT_RING] = now;
	if (!cl->sw.deadline)
		strict_arm(cl);
}

static void strict_sample(struct srv *s, struct call *cl, int64_t sample)
{
	struct strict_win *w = &cl->sw;
	int64_t diff = sample - w->rtt;

	w->dev += ((diff < 0 ? -diff : diff) - w->dev) / 4;
	w->rtt += diff / 8;
	w->ato = strict_clamp_ato(s, (uint64_t)(w->rtt + 4 * w->dev));
}

static void call_send_frame_now(struct srv *s, struct call *cl,
				const uint8_t *ppp, size_t plen, uint64_t now);

/* Send what waited for the window, as far as it is open now. */
static void strict_release(struct srv *s, struct call *cl, uint64_t now)
{
	struct strict_win *w = &cl->sw;

	while (w->qn > 0 && strict_may_send(s, cl)) {
		struct strict_frame *f = &w->q[w->qhead];

		call_send_frame_now(s, cl, f->data, f->len, now);
		w->qhead = (w->qhead + 1) % STRICT_QUEUE;
		w->qn--;
	}
}

/* An acknowledgment from the client (piggy-backed or ack-only). */
static void strict_on_ack(struct srv *s, struct call *cl, uint32_t ack,
			  uint64_t now)
{
	struct strict_win *w = &cl->sw;
	uint32_t adv = ack - w->una + 1;

	if (!strict_on(s, cl) || adv == 0 || adv > strict_in_flight(cl))
		return;	/* old, duplicate, or for nothing we sent */
	strict_sample(s, cl, (int64_t)(now - w->sent_at[ack % STRICT_RING]));
	w->una = ack + 1;
	if (w->cwnd < w->window)
		w->cwnd++;
	strict_arm(cl);
	strict_release(s, cl, now);
}

static void strict_timers(struct srv *s, struct call *cl, uint64_t now)
{
	struct strict_win *w = &cl->sw;

	if (!strict_on(s, cl))
		return;
	if (w->deadline && now >= w->deadline && strict_in_flight(cl) > 0) {
		w->ack_timeouts++;
		s->ack_timeouts++;
		if (s->o.log_gre)
			log_ev(s, "ack-timeout call=%u una=%" PRIu32
			       " in_flight=%" PRIu32 " ato_us=%" PRIu64,
			       cl->id, w->una, strict_in_flight(cl), w->ato);
		w->una = cl->tx_seq_next;
		w->cwnd = w->cwnd > 1 ? w->cwnd / 2 : 1;
		w->ato = strict_clamp_ato(s, w->ato * 2);
		w->deadline = 0;
	}
	strict_release(s, cl, now);
}

static uint64_t strict_deadline(const struct srv *s, const struct call *cl)
{
	return strict_on(s, cl) ? cl->sw.deadline : 0;
}

/* A frame to send: queue it when the window is closed (or others wait). */
static int strict_hold(struct srv *s, struct call *cl, const uint8_t *ppp,
		       size_t plen)
{
	struct strict_win *w = &cl->sw;
	struct strict_frame *f;

	if (!strict_on(s, cl) || (w->qn == 0 && strict_may_send(s, cl)))
		return 0;
	if (w->qn == STRICT_QUEUE || plen > sizeof(f->data)) {
		w->queue_drops++;
		s->window_queue_drops++;
		return 1;
	}
	if (!w->q && !(w->q = calloc(STRICT_QUEUE, sizeof(*w->q)))) {
		w->queue_drops++;
		s->window_queue_drops++;
		return 1;
	}
	f = &w->q[(w->qhead + w->qn++) % STRICT_QUEUE];
	memcpy(f->data, ppp, plen);
	f->len = plen;
	return 1;
}

static void strict_free(struct call *cl)
{
	free(cl->sw.q);
	cl->sw.q = NULL;
	cl->sw.qn = 0;
}

/* One PPP frame out on a call, unless a strict window holds it back. */
static void call_send_frame(struct srv *s, struct call *cl,
			    const uint8_t *ppp, size_t plen, uint64_t now)
{
	if (!strict_hold(s, cl, ppp, plen))
		call_send_frame_now(s, cl, ppp, plen, now);
}

/* ---- calls ------------------------------------------------------------- */
static struct call *call_by_id(struct srv *s, uint16_t id)
{
	int i;

	for (i = 0; i < MAX_CALLS; i++)
		if (s->calls[i].used && s->calls[i].id == id)
			return &s->calls[i];
	return NULL;
}

static struct call *call_by_peer(struct srv *s, int conn_idx,
				 uint16_t peer_id)
{
	int i;

	for (i = 0; i < MAX_CALLS; i++)
		if (s->calls[i].used && s->calls[i].conn_idx == conn_idx &&
		    s->calls[i].peer_id == peer_id)
			return &s->calls[i];
	return NULL;
}

static uint16_t call_id_alloc(struct srv *s)
{
	uint16_t id;
	int tries;

	for (tries = 0; tries < 65536; tries++) {
		id = s->next_call_id++;
		if (id && !call_by_id(s, id))
			return id;
	}
	return 0;
}

static void log_counters(struct lbuf *b, const struct counters *c)
{
	lb_add(b, " rx_frames=%" PRIu64 " rx_bytes=%" PRIu64
		  " rx_pattern_ok=%" PRIu64 " rx_bad_payload=%" PRIu64
		  " rx_out_of_order=%" PRIu64 " rx_poison=%" PRIu64
		  " rx_other=%" PRIu64 " rx_seq_out_of_order=%" PRIu64
		  " rx_acks=%" PRIu64,
	       c->rx_frames, c->rx_bytes, c->rx_pattern_ok, c->rx_bad_payload,
	       c->rx_out_of_order, c->rx_poison, c->rx_other,
	       c->rx_seq_out_of_order, c->rx_acks);
	lb_add(b, " tx_frames=%" PRIu64 " tx_bytes=%" PRIu64
		  " tx_acks=%" PRIu64 " tx_impair_drop=%" PRIu64
		  " tx_impair_dup=%" PRIu64 " tx_impair_reorder=%" PRIu64
		  " tx_errors=%" PRIu64,
	       c->tx_frames, c->tx_bytes, c->tx_acks, c->tx_impair_drop,
	       c->tx_impair_dup, c->tx_impair_reorder, c->tx_errors);
}

static void call_down(struct srv *s, struct call *cl, const char *why)
{
	struct lbuf b = { .n = 0 };

	if (!cl->used)
		return;
	if (cl->held_len)
		held_release(s, cl);
	lb_add(&b, "EV call-down call=%u peer_call=%u reason=%s", cl->id,
	       cl->peer_id, why);
	log_counters(&b, &cl->st);
	if (strict_on(s, cl))
		lb_add(&b, " ack_timeouts=%" PRIu64 " window_queue_drops=%" PRIu64,
		       cl->sw.ack_timeouts, cl->sw.queue_drops);
	log_flush_line(s, &b);
	free(cl->held);
	strict_free(cl);
	memset(cl, 0, sizeof(*cl));
}

static void arm_injections(struct srv *s, struct conn *c, struct call *cl,
			   uint64_t now)
{
	int i;

	for (i = 0; i < s->o.n_inj; i++) {
		uint64_t due = now + secs_to_us(s->o.inj[i].delay);

		if (inject_is_gre(s->o.inj[i].id)) {
			cl->inj_state[i] = IS_ARMED;
			cl->inj_due[i] = due;
		} else if (c->inj_state[i] == IS_IDLE) {
			c->inj_state[i] = IS_ARMED;
			c->inj_due[i] = due;
		}
	}
}

static void send_sli(struct srv *s, struct conn *c, uint16_t peer_call_id)
{
	uint8_t m[CTRL_MAX_LEN];
	size_t len = msg_init(m, T_SLI);

	msg_set(m, T_SLI, "peer_call_id", peer_call_id);
	msg_set(m, T_SLI, "send_accm", s->o.sli_send_accm);
	msg_set(m, T_SLI, "recv_accm", s->o.sli_recv_accm);
	conn_send(s, c, m, len);
}

static void send_cdn(struct srv *s, struct conn *c, uint16_t call_id,
		     int result)
{
	uint8_t m[CTRL_MAX_LEN];
	size_t len = msg_init(m, T_CDN);

	msg_set(m, T_CDN, "call_id", call_id);
	msg_set(m, T_CDN, "result", (uint32_t)result);
	conn_send(s, c, m, len);
}

static void call_up(struct srv *s, struct conn *c, uint16_t id,
		    uint16_t peer_id, uint64_t now)
{
	struct call *cl = NULL;
	int i;

	for (i = 0; i < MAX_CALLS && !cl; i++)
		if (!s->calls[i].used)
			cl = &s->calls[i];
	if (!cl) {
		log_ev(s, "call-table-full conn=%d", c->id);
		return;
	}
	memset(cl, 0, sizeof(*cl));
	cl->used = 1;
	cl->conn_idx = (int)(c - s->conns);
	cl->id = id;
	cl->peer_id = peer_id;
	cl->peer_ip = c->peer.sin_addr;
	cl->local_ip = c->local.sin_addr;
	cl->up_at = now;
	cl->tx_seq_next = s->o.seq_start;
	cl->src_next = now + secs_to_us(s->o.source_delay);
	cl->src_done = s->o.mode != DM_SOURCE;
	if (s->o.clear_after >= 0)
		cl->clear_at = now + secs_to_us(s->o.clear_after);
	s->calls_total++;
	log_ev(s, "call-up conn=%d call=%u peer_call=%u", c->id, id, peer_id);
	if (!c->calls_seen++ && s->o.rst_after_call >= 0)
		c->rst_at = now + secs_to_us(s->o.rst_after_call);
	arm_injections(s, c, cl, now);
	if (s->o.send_sli)
		send_sli(s, c, peer_id);
}

/* ---- control message handlers --------------------------------------- */
static void on_sccrq(struct srv *s, struct conn *c, const uint8_t *m,
		     uint64_t now)
{
	uint8_t r[CTRL_MAX_LEN];
	size_t len;

	(void)m;
	c->got_sccrq = 1;
	if (s->o.close_after_sccrq) {
		conn_kill(s, c, "close-after-sccrq");
		return;
	}
	len = msg_init(r, T_SCCRP);
	msg_set(r, T_SCCRP, "version", 0x100);
	msg_set(r, T_SCCRP, "result", (uint32_t)s->o.sccrp_result);
	msg_set(r, T_SCCRP, "error", (uint32_t)s->o.sccrp_error);
	msg_set(r, T_SCCRP, "framing", 1);
	msg_set(r, T_SCCRP, "bearer", 1);
	msg_set(r, T_SCCRP, "max_channels", 1);
	msg_set(r, T_SCCRP, "firmware", 1);
	msg_set_str(r, T_SCCRP, "hostname", "tsrv");
	msg_set_str(r, T_SCCRP, "vendor", "tsrv");
	conn_send(s, c, r, len);
	if (s->o.sccrp_result != 1)
		return;
	c->up = 1;
	c->up_at = now;
	if (s->o.echo_interval > 0)
		c->echo_next = now + secs_to_us(s->o.echo_interval);
	if (s->o.stop_after >= 0)
		c->stop_at = now + secs_to_us(s->o.stop_after);
}

static void on_ocrq(struct srv *s, struct conn *c, const uint8_t *m,
		    uint64_t now)
{
	uint8_t r[CTRL_MAX_LEN];
	uint16_t peer_id = get_be16(m + 12);
	uint16_t id = 0;
	size_t len;

	if (!c->up)
		log_ev(s, "unexpected conn=%d msg=OCRQ state=not-up", c->id);
	if (s->o.ocrp_result == 1) {
		id = call_id_alloc(s);
		if (!id)
			log_ev(s, "call-id-exhausted conn=%d", c->id);
	}
	len = msg_init(r, T_OCRP);
	msg_set(r, T_OCRP, "call_id", id);
	msg_set(r, T_OCRP, "peer_call_id", peer_id);
	msg_set(r, T_OCRP, "result", (uint32_t)s->o.ocrp_result);
	msg_set(r, T_OCRP, "error", (uint32_t)s->o.ocrp_error);
	msg_set(r, T_OCRP, "cause", (uint32_t)s->o.ocrp_cause);
	msg_set(r, T_OCRP, "speed", 100000000);
	msg_set(r, T_OCRP, "window", 64);
	msg_set(r, T_OCRP, "delay", 0);
	msg_set(r, T_OCRP, "channel", 0);
	conn_send(s, c, r, len);
	if (s->o.ocrp_result == 1 && id) {
		call_up(s, c, id, peer_id, now);
		strict_start(s, call_by_id(s, id), get_be16(m + 32));
	}
}

static void on_echorq(struct srv *s, struct conn *c, const uint8_t *m)
{
	uint8_t r[CTRL_MAX_LEN];
	size_t len;

	s->echo_rq_rx++;
	if (s->o.no_echo_reply)
		return;
	len = msg_init(r, T_ECHORP);
	msg_set(r, T_ECHORP, "id", get_be32(m + 12));
	msg_set(r, T_ECHORP, "result", 1);
	conn_send(s, c, r, len);
	s->echo_rp_tx++;
}

static void on_ccr(struct srv *s, struct conn *c, const uint8_t *m)
{
	uint16_t peer_id = get_be16(m + 12);
	struct call *cl = call_by_peer(s, (int)(c - s->conns), peer_id);

	if (!cl) {
		log_ev(s, "unknown-call conn=%d msg=CCR call_id=%u", c->id,
		       peer_id);
		return;
	}
	/* RFC 2637: result 4 = "Request", the clear was asked for. */
	send_cdn(s, c, cl->id, 4);
	call_down(s, cl, "ccr");
}

static void on_cdn(struct srv *s, struct conn *c, const uint8_t *m)
{
	uint16_t peer_id = get_be16(m + 12);
	struct call *cl = call_by_peer(s, (int)(c - s->conns), peer_id);

	if (cl)
		call_down(s, cl, "peer-cdn");
	else
		log_ev(s, "unknown-call conn=%d msg=CDN call_id=%u", c->id,
		       peer_id);
}

static void on_stopccrq(struct srv *s, struct conn *c, uint64_t now)
{
	uint8_t r[CTRL_MAX_LEN];
	size_t len = msg_init(r, T_STOPCCRP);

	msg_set(r, T_STOPCCRP, "result", 1);
	conn_send(s, c, r, len);
	c->close_at = now + CLOSE_GRACE_US;
}

static void dispatch_msg(struct srv *s, struct conn *c, const uint8_t *m,
			 size_t len, uint64_t now)
{
	uint16_t type = get_be16(m + 8);

	s->echo_rp_rx += type == T_ECHORP;
	log_msg(s, "RX", c, m, len);
	if (get_be16(m + 2) != PPTP_MSG_CONTROL)
		return;
	if (type == 0 || type >= T_MAX || len < msgdefs[type].len)
		return;	/* logged above; too short to act on */
	if (s->o.no_answer)
		return;
	switch (type) {
	case T_SCCRQ:
		on_sccrq(s, c, m, now);
		break;
	case T_OCRQ:
		on_ocrq(s, c, m, now);
		break;
	case T_ECHORQ:
		on_echorq(s, c, m);
		break;
	case T_CCR:
		on_ccr(s, c, m);
		break;
	case T_CDN:
		on_cdn(s, c, m);
		break;
	case T_STOPCCRQ:
		on_stopccrq(s, c, now);
		break;
	case T_STOPCCRP:
		if (c->stop_sent)
			conn_kill(s, c, "stop-done");
		break;
	default:
		break;
	}
}

/* Split the TCP byte stream into messages; a header we cannot trust ends
 * the connection (there is no way to resynchronise a TCP stream). */
static void conn_parse(struct srv *s, struct conn *c, uint64_t now)
{
	size_t off = 0;

	while (!c->dead && c->rx_len - off >= CTRL_HDR_LEN) {
		const uint8_t *m = c->rx + off;
		uint16_t len = get_be16(m);

		if (get_be32(m + 4) != PPTP_MAGIC) {
			log_ev(s, "bad-magic conn=%d magic=0x%08" PRIx32
			       " length=%u type=%u", c->id, get_be32(m + 4),
			       len, get_be16(m + 8));
			conn_kill(s, c, "bad-magic");
			break;
		}
		if (len < CTRL_HDR_LEN || len > CTRL_MAX_LEN) {
			log_ev(s, "bad-length conn=%d length=%u type=%u",
			       c->id, len, get_be16(m + 8));
			conn_kill(s, c, "bad-length");
			break;
		}
		if (c->rx_len - off < len)
			break;
		dispatch_msg(s, c, m, len, now);
		off += len;
	}
	memmove(c->rx, c->rx + off, c->rx_len - off);
	c->rx_len -= off;
}

static void conn_read(struct srv *s, struct conn *c, uint64_t now)
{
	ssize_t r = recv(c->fd, c->rx + c->rx_len, sizeof(c->rx) - c->rx_len,
			 MSG_DONTWAIT);

	if (r == 0) {
		conn_kill(s, c, "eof");
		return;
	}
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		conn_kill(s, c, errno == ECONNRESET ? "reset" : "error");
		return;
	}
	c->rx_len += (size_t)r;
	conn_parse(s, c, now);
}

static void conn_reset(struct srv *s, struct conn *c)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	log_ev(s, "tcp-rst conn=%d", c->id);
	conn_kill(s, c, "local-rst");
}

static void conn_close_now(struct srv *s, struct conn *c)
{
	int i, idx = (int)(c - s->conns);

	for (i = 0; i < MAX_CALLS; i++)
		if (s->calls[i].used && s->calls[i].conn_idx == idx)
			call_down(s, &s->calls[i], "tcp-close");
	log_ev(s, "tcp-close conn=%d reason=%s", c->id,
	       c->close_reason ? c->close_reason : "-");
	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void conn_accept(struct srv *s, uint64_t now)
{
	struct sockaddr_in peer;
	socklen_t sl = sizeof(peer);
	int fd = accept4(s->listen_fd, (struct sockaddr *)&peer, &sl,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct conn *c = NULL;
	char ip[INET_ADDRSTRLEN];
	int i;

	(void)now;
	if (fd < 0)
		return;
	for (i = 0; i < MAX_CONNS && !c; i++)
		if (!s->conns[i].used)
			c = &s->conns[i];
	if (!c || !(c->out = malloc(OUTBUF_SIZE))) {
		log_ev(s, "conn-table-full");
		close(fd);
		return;
	}
	c->used = 1;
	c->fd = fd;
	c->id = ++s->next_conn_id;
	c->peer = peer;
	sl = sizeof(c->local);
	getsockname(fd, (struct sockaddr *)&c->local, &sl);
	s->ever_accepted = 1;
	s->conns_total++;
	inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
	log_ev(s, "tcp-accept conn=%d peer=%s", c->id, ip);
}

/* ---- injections ---------------------------------------------------------- */
static void send_echorq(struct srv *s, struct conn *c)
{
	uint8_t m[CTRL_MAX_LEN];
	size_t len = msg_init(m, T_ECHORQ);

	msg_set(m, T_ECHORQ, "id", ++c->echo_id);
	conn_send(s, c, m, len);
	s->echo_rq_tx++;
}

static void send_stopccrq(struct srv *s, struct conn *c, uint64_t now)
{
	uint8_t m[CTRL_MAX_LEN];
	size_t len = msg_init(m, T_STOPCCRQ);

	msg_set(m, T_STOPCCRQ, "reason", 1);
	conn_send(s, c, m, len);
	c->stop_sent = 1;
	c->close_at = now + STOP_REPLY_WAIT_US;
}

/* An Echo-Request with one header field bent; the caller says how. */
static void send_bent_echorq(struct srv *s, struct conn *c, uint16_t lenf,
			     uint32_t magic, uint16_t res0, size_t wire_len)
{
	uint8_t m[CTRL_MAX_LEN] = { 0 };

	msg_init(m, T_ECHORQ);
	msg_set(m, T_ECHORQ, "id", ++c->echo_id);
	put_be16(m, lenf);
	put_be32(m + 4, magic);
	put_be16(m + 10, res0);
	log_msg(s, "TX", c, m, wire_len);
	conn_queue(s, c, m, wire_len);
	conn_flush(s, c);
}

static uint16_t unused_peer_call_id(struct srv *s, int conn_idx)
{
	uint16_t id = 0xDEAD;

	while (call_by_peer(s, conn_idx, id) || call_by_id(s, id))
		id++;
	return id;
}

static int mx_inject_ctrl(struct srv *s, struct conn *c, int k,
			  uint64_t now);
static void mx_inject_gre(struct srv *s, struct call *cl, int k,
			  uint64_t now);

/* Returns 0 when done, 1 to retry on a later loop turn. */
static int inject_ctrl(struct srv *s, struct conn *c, int id, uint64_t now)
{
	uint8_t m[CTRL_MAX_LEN];
	size_t len;
	int idx = (int)(c - s->conns);
	uint16_t bogus;

	if (id >= INJ_COUNT)
		return mx_inject_ctrl(s, c, id - INJ_COUNT, now);
	if (id == INJ_BYTEWISE && (c->out_len || c->trickle_len))
		return 1;	/* wait until the stream is idle */
	log_ev(s, "inject %s conn=%d", inject_names[id], c->id);
	switch (id) {
	case INJ_BADMAGIC:
		send_bent_echorq(s, c, 16, 0x1A2B3C4Eu, 0, 16);
		break;
	case INJ_SHORTLEN:
		send_bent_echorq(s, c, 8, PPTP_MAGIC, 0, 16);
		break;
	case INJ_LONGLEN:
		send_bent_echorq(s, c, 60000, PPTP_MAGIC, 0, 16);
		break;
	case INJ_LENMISMATCH:
		send_bent_echorq(s, c, 20, PPTP_MAGIC, 0, 20);
		break;
	case INJ_RESERVED:
		send_bent_echorq(s, c, 16, PPTP_MAGIC, 0x1234, 16);
		break;
	case INJ_UNKNOWNTYPE:
		len = msg_init(m, T_ECHORQ);
		put_be16(m + 8, 99);
		put_be32(m + 12, ++c->echo_id);
		log_msg(s, "TX", c, m, len);
		conn_queue(s, c, m, len);
		conn_flush(s, c);
		break;
	case INJ_UNKNOWNCALL:
		bogus = unused_peer_call_id(s, idx);
		send_cdn(s, c, bogus, 3);
		send_sli(s, c, bogus);
		break;
	case INJ_BYTEWISE: {
		int one = 1;

		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		len = msg_init(c->trickle, T_ECHORQ);
		msg_set(c->trickle, T_ECHORQ, "id", ++c->echo_id);
		log_msg(s, "TX", c, c->trickle, len);
		c->trickle_len = len;
		c->trickle_pos = 0;
		c->trickle_next = now;
		s->echo_rq_tx++;
		break;
	}
	case INJ_ECHOFLOOD: {
		int i;

		for (i = 0; i < ECHOFLOOD_COUNT && !c->dead; i++)
			send_echorq(s, c);
		break;
	}
	case INJ_STOPCCRQ:
		send_stopccrq(s, c, now);
		break;
	case INJ_RST:
		conn_reset(s, c);
		break;
	default:
		break;
	}
	return 0;
}

/* raw:HEX: bytes as given, PCID = the client's id of this connection's
 * first call (4 hex digits), SCID = ours; spaces and dots ignored. */
static void inject_raw(struct srv *s, struct conn *c, const char *h)
{
	static uint8_t b[OUTBUF_SIZE / 4];
	struct call *cl = NULL;
	char ids[2][5];
	size_t n = 0;
	int hi = -1, i;

	for (i = 0; i < MAX_CALLS && !cl; i++)
		if (s->calls[i].used && &s->conns[s->calls[i].conn_idx] == c)
			cl = &s->calls[i];
	snprintf(ids[0], 5, "%04x", cl ? cl->peer_id : 0);
	snprintf(ids[1], 5, "%04x", cl ? cl->id : 0);
	for (; *h && *h != '@' && n < sizeof(b); h++) {
		const char *sub = !strncmp(h, "PCID", 4) ? ids[0] :
				  !strncmp(h, "SCID", 4) ? ids[1] : NULL;

		for (i = 0; i < (sub ? 4 : 1) && n < sizeof(b); i++) {
			int ch = sub ? sub[i] : *h, v;

			if (ch == ' ' || ch == '.')
				continue;
			v = isdigit(ch) ? ch - '0' : tolower(ch) - 'a' + 10;
			if (hi < 0) {
				hi = v;
			} else {
				b[n++] = (uint8_t)(hi << 4 | v);
				hi = -1;
			}
		}
		if (sub)
			h += 3;
	}
	log_ev(s, "inject-raw conn=%d bytes=%zu", c->id, n);
	conn_queue(s, c, b, n);
	conn_flush(s, c);
}

static void trickle_step(struct srv *s, struct conn *c, uint64_t now)
{
	ssize_t r;

	if (!c->trickle_len || now < c->trickle_next || c->dead)
		return;
	r = send(c->fd, c->trickle + c->trickle_pos, 1,
		 MSG_NOSIGNAL | MSG_DONTWAIT);
	if (r < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_kill(s, c, "send-error");
		return;
	}
	c->trickle_pos++;
	c->trickle_next = now + BYTEWISE_GAP_US;
	if (c->trickle_pos >= c->trickle_len) {
		c->trickle_len = 0;
		conn_flush(s, c);
	}
}

/* A normal frame after a GRE injection, so the test sees the data path
 * still works, unless echo/source traffic follows anyway. */
static void follow_up_frame(struct srv *s, struct call *cl, uint64_t now)
{
	uint8_t f[PPP_FRAME_MAX];
	size_t size = s->o.size;

	if (s->o.mode == DM_ECHO || !cl->src_done)
		return;
	pattern_fill(f, size, cl->src_index++, s->o.layout_ip);
	call_send_frame(s, cl, f, size, now);
}

static void poison_frame(uint8_t *f, size_t size)
{
	pattern_fill(f, size, POISON_INDEX, 0);
}

/* Send one hand-made GRE packet (not through the impairment pipeline). */
static void send_crafted(struct srv *s, struct call *cl,
			 const struct gre_spec *sp, const uint8_t *pl,
			 size_t plen)
{
	static uint8_t g[IP_MAX_PACKET];
	size_t len = gre_encode(g, sizeof(g), sp, pl, plen);

	if (len)
		gre_send_raw(s, cl, g, len);
}

static void inject_gre(struct srv *s, struct call *cl, int id, uint64_t now)
{
	static uint8_t pl[IP_MAX_PACKET];
	const size_t psize = 64;	/* poison payload size */
	struct gre_spec sp;
	uint8_t tiny[8] = { 0 };

	if (id >= INJ_COUNT) {
		mx_inject_gre(s, cl, id - INJ_COUNT, now);
		return;
	}
	log_ev(s, "inject %s call=%u", inject_names[id], cl->id);
	spec_data(s, cl, &sp);
	sp.has_ack = 0;	/* keep injected items minimal */
	poison_frame(pl, psize);
	sp.plen_field = (uint16_t)psize;
	switch (id) {
	case INJ_GRESHORT:
		/* flags, protocol, payload length: 6 bytes, no call id */
		tiny[0] = 0x30;
		tiny[1] = 0x01;
		put_be16(tiny + 2, GRE_PROTO_PPP);
		put_be16(tiny + 4, 0);
		gre_send_raw(s, cl, tiny, 6);
		break;
	case INJ_GRETINY:
		tiny[0] = 0x30;
		gre_send_raw(s, cl, tiny, 1);
		break;
	case INJ_GREVERSION:
		sp.version = 0;
		send_crafted(s, cl, &sp, pl, psize);
		break;
	case INJ_GREPROTO:
		sp.proto = 0x0800;
		send_crafted(s, cl, &sp, pl, psize);
		break;
	case INJ_GRENOKEY:
		sp.has_key = 0;
		send_crafted(s, cl, &sp, pl, psize);
		break;
	case INJ_GRELENLONG:
		sp.plen_field = (uint16_t)(psize + 100);
		send_crafted(s, cl, &sp, pl, psize);
		break;
	case INJ_GRELENSHORT:
		sp.plen_field = (uint16_t)(psize - 4);
		send_crafted(s, cl, &sp, pl, psize);
		break;
	case INJ_GREZEROLEN:
		sp.plen_field = 0;
		send_crafted(s, cl, &sp, pl, 0);
		break;
	case INJ_ACKONLY:
		call_send_ack_only(s, cl);
		break;
	case INJ_OTHERCALL:
		sp.call_id = (uint16_t)(cl->peer_id ^ 0x8000);
		send_crafted(s, cl, &sp, pl, psize);
		break;
	case INJ_DUPSEQ:
		sp.seq = cl->last_tx_valid ? cl->last_tx_seq : cl->tx_seq_next;
		send_crafted(s, cl, &sp, pl, psize);
		break;
	case INJ_FARAHEAD:
		sp.seq = cl->tx_seq_next + 0x80000000u;
		send_crafted(s, cl, &sp, pl, psize);
		break;
	case INJ_FARBEHIND:
		sp.seq = cl->tx_seq_next - 1000u;
		send_crafted(s, cl, &sp, pl, psize);
		break;
	case INJ_IPOPTS:
		cl->ipopts_next = 1;
		break;
	case INJ_HUGE: {
		size_t hsize = 60000 - 12;	/* GRE header: key + seq */

		poison_frame(pl, hsize);
		sp.plen_field = (uint16_t)hsize;
		send_crafted(s, cl, &sp, pl, hsize);
		break;
	}
	default:
		break;
	}
	follow_up_frame(s, cl, now);
}

/* ---- the differential matrix's injections ------------------------------ */
#define MX_SPLIT_GAP_NS 50000000L	/* split: pause inside the header */
#define MX_SLIFLOOD_COUNT 1000
#define MX_SEQJUMP 1000u		/* sequence numbers skipped by seqjump */

/* The connection's first live call, or NULL. */
static struct call *mx_first_call(struct srv *s, struct conn *c)
{
	int i, idx = (int)(c - s->conns);

	for (i = 0; i < MAX_CALLS; i++)
		if (s->calls[i].used && s->calls[i].conn_idx == idx)
			return &s->calls[i];
	return NULL;
}

/* Bytes that are not a message: queued as they are, logged as hex. */
static void mx_send_raw(struct srv *s, struct conn *c, const uint8_t *p,
			size_t len)
{
	struct lbuf b = { .n = 0 };

	lb_add(&b, "EV raw-tx conn=%d len=%zu hex=", c->id, len);
	lb_hex(&b, p, len);
	log_flush_line(s, &b);
	conn_queue(s, c, p, len);
	conn_flush(s, c);
}

/* A 16-byte Echo-Request-sized message with the given header. */
static void mx_header_msg(uint8_t *m, uint16_t lenf, uint16_t pptp_type,
			  uint16_t type, uint32_t id)
{
	memset(m, 0, 16);
	put_be16(m, lenf);
	put_be16(m + 2, pptp_type);
	put_be32(m + 4, PPTP_MAGIC);
	put_be16(m + 8, type);
	put_be32(m + 12, id);
}

static int mx_inject_ctrl(struct srv *s, struct conn *c, int k, uint64_t now)
{
	struct call *cl = mx_first_call(s, c);
	uint16_t peer = cl ? cl->peer_id : 0;
	uint8_t m[CTRL_MAX_LEN];
	size_t len, i;

	log_ev(s, "inject %s conn=%d", mx_inject_names[k], c->id);
	switch (k) {
	case MX_CCRQ:	/* names the client's call, as a PNS's CCRQ would */
		len = msg_init(m, T_CCR);
		msg_set(m, T_CCR, "call_id", peer);
		conn_send(s, c, m, len);
		break;
	case MX_CDN:	/* RFC 2637: result 3 = "Admin Shutdown" */
		if (cl) {
			send_cdn(s, c, cl->id, 3);
			call_down(s, cl, "inject-cdn");
		}
		break;
	case MX_SLI:
		send_sli(s, c, peer);
		break;
	case MX_WEN:
		len = msg_init(m, T_WEN);
		msg_set(m, T_WEN, "peer_call_id", peer);
		msg_set(m, T_WEN, "crc_errors", 1);
		msg_set(m, T_WEN, "framing_errors", 2);
		msg_set(m, T_WEN, "hw_overruns", 3);
		msg_set(m, T_WEN, "buf_overruns", 4);
		msg_set(m, T_WEN, "timeouts", 5);
		msg_set(m, T_WEN, "alignment_errors", 6);
		conn_send(s, c, m, len);
		break;
	case MX_ECHO:
		send_echorq(s, c);
		break;
	case MX_MGMT:	/* PPTP message type 2, correct length */
		mx_header_msg(m, 16, 2, T_ECHORQ, ++c->echo_id);
		log_msg(s, "TX", c, m, 16);
		conn_queue(s, c, m, 16);
		conn_flush(s, c);
		break;
	case MX_TYPEZERO:
		mx_header_msg(m, 16, PPTP_MSG_CONTROL, 0, ++c->echo_id);
		log_msg(s, "TX", c, m, 16);
		conn_queue(s, c, m, 16);
		conn_flush(s, c);
		break;
	case MX_LEN0:
		send_bent_echorq(s, c, 0, PPTP_MAGIC, 0, 16);
		break;
	case MX_LEN65535:
		send_bent_echorq(s, c, 65535, PPTP_MAGIC, 0, 16);
		break;
	case MX_RANDOM200: {
		uint32_t x = 0x2637u;	/* xorshift32, fixed seed */

		for (i = 0; i < 200; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			m[i] = (uint8_t)x;
		}
		mx_send_raw(s, c, m, 200);
		break;
	}
	case MX_TRUNCHDR:	/* 6 bytes of a header, then a whole message */
		mx_header_msg(m, 16, PPTP_MSG_CONTROL, T_ECHORQ, 0);
		mx_send_raw(s, c, m, 6);
		send_echorq(s, c);
		break;
	case MX_SPLIT: {	/* one Echo-Request in two TCP segments */
		struct timespec gap = { 0, MX_SPLIT_GAP_NS };
		int one = 1;

		if (c->out_len || c->trickle_len)
			return 1;	/* wait until the stream is idle */
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		len = msg_init(m, T_ECHORQ);
		msg_set(m, T_ECHORQ, "id", ++c->echo_id);
		log_msg(s, "TX", c, m, len);
		s->echo_rq_tx++;
		conn_queue(s, c, m, 5);
		conn_flush(s, c);
		nanosleep(&gap, NULL);	/* the loop stalls briefly */
		conn_queue(s, c, m + 5, len - 5);
		conn_flush(s, c);
		break;
	}
	case MX_SLIFLOOD:
		for (i = 0; i < MX_SLIFLOOD_COUNT && !c->dead; i++)
			send_sli(s, c, peer);
		break;
	case MX_ICRQ:	/* an incoming call offered to the client (a PNS) */
		len = msg_init(m, T_ICRQ);
		msg_set(m, T_ICRQ, "call_id", 0x4242);
		msg_set(m, T_ICRQ, "serial", 1);
		msg_set(m, T_ICRQ, "bearer", 1);
		msg_set(m, T_ICRQ, "dialed_len", 4);
		msg_set_str(m, T_ICRQ, "dialed", "1234");
		conn_send(s, c, m, len);
		break;
	case MX_SCCRQ:	/* the PAC opening a control connection on this one */
		len = msg_init(m, T_SCCRQ);
		msg_set(m, T_SCCRQ, "version", 0x100);
		msg_set(m, T_SCCRQ, "framing", 1);
		msg_set(m, T_SCCRQ, "bearer", 1);
		msg_set(m, T_SCCRQ, "max_channels", 1);
		msg_set(m, T_SCCRQ, "firmware", 1);
		msg_set_str(m, T_SCCRQ, "hostname", "tsrv");
		msg_set_str(m, T_SCCRQ, "vendor", "tsrv");
		conn_send(s, c, m, len);
		break;
	case MX_DUPSCCRP:	/* a second, unasked-for SCCRP */
		len = msg_init(m, T_SCCRP);
		msg_set(m, T_SCCRP, "version", 0x100);
		msg_set(m, T_SCCRP, "result", 1);
		msg_set(m, T_SCCRP, "framing", 1);
		msg_set(m, T_SCCRP, "bearer", 1);
		msg_set(m, T_SCCRP, "max_channels", 1);
		msg_set(m, T_SCCRP, "firmware", 1);
		msg_set_str(m, T_SCCRP, "hostname", "tsrv");
		msg_set_str(m, T_SCCRP, "vendor", "tsrv");
		conn_send(s, c, m, len);
		break;
	case MX_DUPOCRP:	/* the call's OCRP once more */
		len = msg_init(m, T_OCRP);
		msg_set(m, T_OCRP, "call_id", cl ? cl->id : 0);
		msg_set(m, T_OCRP, "peer_call_id", peer);
		msg_set(m, T_OCRP, "result", 1);
		msg_set(m, T_OCRP, "speed", 100000000);
		msg_set(m, T_OCRP, "window", 64);
		conn_send(s, c, m, len);
		break;
	case MX_STOPCCRP:	/* a reply to a StopCCRQ nobody sent */
		len = msg_init(m, T_STOPCCRP);
		msg_set(m, T_STOPCCRP, "result", 1);
		conn_send(s, c, m, len);
		break;
	case MX_ECHORP:	/* a reply to an Echo-Request nobody sent */
		len = msg_init(m, T_ECHORP);
		msg_set(m, T_ECHORP, "id", 0xDEAD);
		msg_set(m, T_ECHORP, "result", 1);
		conn_send(s, c, m, len);
		break;
	default:
		break;
	}
	(void)now;
	return 0;
}

static void mx_inject_gre(struct srv *s, struct call *cl, int k,
			  uint64_t now)
{
	log_ev(s, "inject %s call=%u", mx_inject_names[k], cl->id);
	switch (k) {
	case MX_SEQJUMP:	/* the next frame is MX_SEQJUMP numbers ahead */
		cl->tx_seq_next += MX_SEQJUMP;
		break;
	default:
		break;
	}
	follow_up_frame(s, cl, now);
}

/* ---- GRE receive ----------------------------------------------------- */
static void gre_bad(struct srv *s, const struct in_addr *from,
		    const char *why, unsigned detail)
{
	char ip[INET_ADDRSTRLEN];

	s->gre_bad++;
	inet_ntop(AF_INET, from, ip, sizeof(ip));
	log_ev(s, "gre-bad peer=%s reason=%s detail=%u", ip, why, detail);
}

static void rx_verify(struct srv *s, struct call *cl, const uint8_t *p,
		      size_t len)
{
	uint32_t idx = 0;

	switch (pattern_check(p, len, &idx)) {
	case PAT_OK:
		cl->st.rx_pattern_ok++;
		s->st.rx_pattern_ok++;
		if (cl->rx_idx_valid && idx != cl->rx_idx_last + 1) {
			cl->st.rx_out_of_order++;
			s->st.rx_out_of_order++;
		}
		cl->rx_idx_valid = 1;
		cl->rx_idx_last = idx;
		break;
	case PAT_POISON:
		cl->st.rx_poison++;
		s->st.rx_poison++;
		break;
	case PAT_BAD:
		cl->st.rx_bad_payload++;
		s->st.rx_bad_payload++;
		break;
	case PAT_OTHER:
		cl->st.rx_other++;
		s->st.rx_other++;
		break;
	}
}

static void rx_data(struct srv *s, struct call *cl, uint32_t seq,
		    const uint8_t *p, size_t len, uint64_t now)
{
	if (!cl->rx_seq_valid || (int32_t)(seq - cl->rx_seq_max) > 0) {
		cl->rx_seq_max = seq;
		cl->rx_seq_valid = 1;
		if (!cl->ack_pending)
			cl->ack_due = now + (uint64_t)(s->o.ack_delay_ms * 1e3);
		cl->ack_pending = 1;
	} else {
		cl->st.rx_seq_out_of_order++;
		s->st.rx_seq_out_of_order++;
	}
	cl->st.rx_frames++;
	cl->st.rx_bytes += len;
	s->st.rx_frames++;
	s->st.rx_bytes += len;
	rx_verify(s, cl, p, len);
	if (s->o.mode == DM_ECHO)
		call_send_frame(s, cl, p, len, now);
}

struct gre_rx {
	uint16_t plen, cid;
	int has_s, has_a;
	uint32_t seq, ack;
	const uint8_t *payload;
};

/* Validate one received IPv4+GRE packet; returns NULL or why it is bad. */
static const char *gre_parse(const uint8_t *ip, size_t n, struct gre_rx *x,
			     unsigned *detail)
{
	size_t ihl, glen, off = 8;
	const uint8_t *g;

	*detail = (unsigned)n;
	if (n < 20 || (ip[0] >> 4) != 4)
		return "ip-short";
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	*detail = (unsigned)ihl;
	if (ihl < 20 || ihl > n)
		return "ip-ihl";
	g = ip + ihl;
	glen = n - ihl;
	*detail = (unsigned)glen;
	if (glen < 8)
		return "short";
	*detail = g[1] & 7u;
	if ((g[1] & 7) != 1)
		return "version";
	*detail = get_be16(g + 2);
	if (get_be16(g + 2) != GRE_PROTO_PPP)
		return "proto";
	*detail = (unsigned)g[0] << 8 | g[1];
	if (!(g[0] & 0x20))
		return "nokey";
	if ((g[0] & 0xcf) || (g[1] & 0x78))
		return "flags";
	x->plen = get_be16(g + 4);
	x->cid = get_be16(g + 6);
	x->has_s = !!(g[0] & 0x10);
	x->has_a = !!(g[1] & 0x80);
	*detail = (unsigned)glen;
	if (glen < off + 4u * (unsigned)(x->has_s + x->has_a))
		return "short-seq-ack";
	x->seq = x->has_s ? get_be32(g + off) : 0;
	off += x->has_s ? 4u : 0u;
	x->ack = x->has_a ? get_be32(g + off) : 0;
	off += x->has_a ? 4u : 0u;
	*detail = x->plen;
	if (x->plen > glen - off)
		return "payload-length";
	if (!x->has_s && x->plen)
		return "payload-without-seq";
	x->payload = g + off;
	return NULL;
}

static void gre_input(struct srv *s, const uint8_t *ip, size_t n,
		      const struct in_addr *from, uint64_t now)
{
	struct gre_rx x;
	struct call *cl;
	unsigned detail;
	const char *bad = gre_parse(ip, n, &x, &detail);
	struct lbuf b = { .n = 0 };

	if (bad) {
		gre_bad(s, from, bad, detail);
		return;
	}
	cl = call_by_id(s, x.cid);
	if (!cl || cl->peer_ip.s_addr != from->s_addr) {
		gre_bad(s, from, "unknown-call", x.cid);
		return;
	}
	if (s->o.log_gre) {
		lb_add(&b, "EV gre-rx call=%u", x.cid);
		lb_add(&b, x.has_s ? " seq=%" PRIu32 : " seq=-", x.seq);
		lb_add(&b, x.has_a ? " ack=%" PRIu32 : " ack=-", x.ack);
		lb_add(&b, " len=%u", x.plen);
		log_flush_line(s, &b);
	}
	if (x.has_a) {
		cl->st.rx_acks++;
		s->st.rx_acks++;
		strict_on_ack(s, cl, x.ack, now);
	}
	if (x.has_s) {
		rx_data(s, cl, x.seq, x.payload, x.plen, now);
	} else {
		cl->st.rx_ack_only++;
		s->st.rx_ack_only++;
	}
}

#define RX_BATCH 32

static void gre_read(struct srv *s, uint64_t now)
{
	int i;

	/* a bounded batch per loop turn keeps TCP served under a flood;
	 * recvmmsg so that the sink is not the bottleneck of a benchmark */
	static uint8_t bufs[RX_BATCH][sizeof(s->pkt)];
	struct mmsghdr m[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_in from[RX_BATCH];

	for (i = 0; i < 256 / RX_BATCH; i++) {
		int n, k;

		memset(m, 0, sizeof(m));
		for (k = 0; k < RX_BATCH; k++) {
			iov[k].iov_base = bufs[k];
			iov[k].iov_len = sizeof(bufs[k]);
			m[k].msg_hdr.msg_iov = &iov[k];
			m[k].msg_hdr.msg_iovlen = 1;
			m[k].msg_hdr.msg_name = &from[k];
			m[k].msg_hdr.msg_namelen = sizeof(from[k]);
		}
		n = recvmmsg(s->gre_fd, m, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (k = 0; k < n; k++)
			gre_input(s, bufs[k], m[k].msg_len, &from[k].sin_addr,
				  now);
		if (n < RX_BATCH)
			return;
	}
}

/* ---- timers ------------------------------------------------------------ */
static void source_step(struct srv *s, struct call *cl, uint64_t now)
{
	uint8_t f[PPP_FRAME_MAX];
	int burst;

	for (burst = 0; burst < SOURCE_BURST; burst++) {
		if (cl->src_done || s->gre_blocked || now < cl->src_next ||
		    !strict_may_send(s, cl))
			return;
		if (cl->src_index >= s->o.count) {
			cl->src_done = 1;
			log_ev(s, "source-done call=%u sent=%" PRIu32, cl->id,
			       cl->src_index);
			return;
		}
		pattern_fill(f, s->o.size, cl->src_index++, s->o.layout_ip);
		call_send_frame(s, cl, f, s->o.size, now);
		if (s->o.rate > 0)
			cl->src_next += (uint64_t)(1e6 / s->o.rate);
	}
}

static void call_timers(struct srv *s, struct call *cl, uint64_t now)
{
	struct conn *c = &s->conns[cl->conn_idx];
	int i;

	for (i = 0; i < s->o.n_inj && cl->used; i++)
		if (cl->inj_state[i] == IS_ARMED && now >= cl->inj_due[i]) {
			cl->inj_state[i] = IS_DONE;
			inject_gre(s, cl, s->o.inj[i].id, now);
		}
	if (cl->held_len && now >= cl->held_due)
		held_release(s, cl);
	strict_timers(s, cl, now);
	source_step(s, cl, now);
	if (cl->ack_pending && s->o.ack_only && now >= cl->ack_due)
		call_send_ack_only(s, cl);
	if (cl->clear_at && now >= cl->clear_at) {
		/* RFC 2637: result 3 = "Admin Shutdown" */
		send_cdn(s, c, cl->id, 3);
		call_down(s, cl, "clear-after");
	}
}

static void conn_timers(struct srv *s, struct conn *c, uint64_t now)
{
	int i;

	for (i = 0; i < s->o.n_inj && !c->dead; i++)
		if (c->inj_state[i] == IS_ARMED && now >= c->inj_due[i]) {
			if (inject_ctrl(s, c, s->o.inj[i].id, now))
				c->inj_due[i] = now + INJECT_RETRY_US;
			else
				c->inj_state[i] = IS_DONE;
			if (s->o.inj[i].id == INJ_RAW && !c->dead)
				inject_raw(s, c, s->o.inj[i].hex);
		}
	trickle_step(s, c, now);
	if (c->echo_next && now >= c->echo_next && !c->dead) {
		send_echorq(s, c);
		c->echo_next = now + secs_to_us(s->o.echo_interval);
	}
	if (c->stop_at && now >= c->stop_at && !c->dead) {
		c->stop_at = 0;
		send_stopccrq(s, c, now);
	}
	if (c->rst_at && now >= c->rst_at && !c->dead) {
		c->rst_at = 0;
		conn_reset(s, c);
	}
	if (c->close_at && now >= c->close_at && !c->dead)
		conn_kill(s, c, c->stop_sent ? "stop-timeout" : "stop-grace");
}

static void min_deadline(uint64_t *best, uint64_t t)
{
	if (t && t < *best)
		*best = t;
}

static uint64_t next_deadline(struct srv *s, uint64_t now)
{
	uint64_t best = s->stats_next;
	int i, j;

	for (i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &s->conns[i];

		if (!c->used)
			continue;
		if (c->dead)
			return now;
		min_deadline(&best, c->echo_next);
		min_deadline(&best, c->stop_at);
		min_deadline(&best, c->rst_at);
		min_deadline(&best, c->close_at);
		if (c->trickle_len)
			min_deadline(&best, c->trickle_next);
		for (j = 0; j < s->o.n_inj; j++)
			if (c->inj_state[j] == IS_ARMED)
				min_deadline(&best, c->inj_due[j]);
	}
	for (i = 0; i < MAX_CALLS; i++) {
		struct call *cl = &s->calls[i];

		if (!cl->used)
			continue;
		min_deadline(&best, cl->clear_at);
		if (cl->held_len)
			min_deadline(&best, cl->held_due);
		if (!cl->src_done && !s->gre_blocked && strict_may_send(s, cl))
			min_deadline(&best, cl->src_next ? cl->src_next : now);
		min_deadline(&best, strict_deadline(s, cl));
		if (cl->ack_pending && s->o.ack_only)
			min_deadline(&best, cl->ack_due ? cl->ack_due : now);
		for (j = 0; j < s->o.n_inj; j++)
			if (cl->inj_state[j] == IS_ARMED)
				min_deadline(&best, cl->inj_due[j]);
	}
	return best;
}

/* ---- stats ------------------------------------------------------------- */
static int count_used_conns(const struct srv *s)
{
	int i, n = 0;

	for (i = 0; i < MAX_CONNS; i++)
		n += s->conns[i].used;
	return n;
}

static int count_used_calls(const struct srv *s)
{
	int i, n = 0;

	for (i = 0; i < MAX_CALLS; i++)
		n += s->calls[i].used;
	return n;
}

static void write_stats(struct srv *s, uint64_t now)
{
	char tmp[4096];
	const struct counters *c = &s->st;
	FILE *f;

	if (!s->o.stats_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->o.stats_path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f,
		"conns_total=%" PRIu64 "\nconns_open=%d\ncalls_total=%" PRIu64
		"\ncalls_up=%d\n", s->conns_total, count_used_conns(s),
		s->calls_total, count_used_calls(s));
	fprintf(f,
		"rx_frames=%" PRIu64 "\nrx_bytes=%" PRIu64
		"\nrx_pattern_ok=%" PRIu64 "\nrx_bad_payload=%" PRIu64
		"\nrx_out_of_order=%" PRIu64 "\nrx_poison=%" PRIu64
		"\nrx_other=%" PRIu64 "\nrx_seq_out_of_order=%" PRIu64
		"\nrx_acks=%" PRIu64 "\nrx_ack_only=%" PRIu64 "\n",
		c->rx_frames, c->rx_bytes, c->rx_pattern_ok, c->rx_bad_payload,
		c->rx_out_of_order, c->rx_poison, c->rx_other,
		c->rx_seq_out_of_order, c->rx_acks, c->rx_ack_only);
	fprintf(f,
		"tx_frames=%" PRIu64 "\ntx_bytes=%" PRIu64 "\ntx_acks=%" PRIu64
		"\ntx_impair_drop=%" PRIu64 "\ntx_impair_dup=%" PRIu64
		"\ntx_impair_reorder=%" PRIu64 "\ntx_errors=%" PRIu64
		"\ntx_eagain=%" PRIu64 "\n",
		c->tx_frames, c->tx_bytes, c->tx_acks, c->tx_impair_drop,
		c->tx_impair_dup, c->tx_impair_reorder, c->tx_errors,
		c->tx_eagain);
	fprintf(f,
		"gre_bad=%" PRIu64 "\necho_rq_rx=%" PRIu64 "\necho_rp_tx=%" PRIu64
		"\necho_rq_tx=%" PRIu64 "\necho_rp_rx=%" PRIu64
		"\nelapsed_ms=%" PRIu64 "\n",
		s->gre_bad, s->echo_rq_rx, s->echo_rp_tx, s->echo_rq_tx,
		s->echo_rp_rx, (now - s->start) / 1000u);
	fprintf(f, "ack_timeouts=%" PRIu64 "\nwindow_queue_drops=%" PRIu64 "\n",
		s->ack_timeouts, s->window_queue_drops);
	fclose(f);
	rename(tmp, s->o.stats_path);
}

/* ---- setup --------------------------------------------------------------- */
static int open_sockets(struct srv *s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, pmtu = IP_PMTUDISC_DONT, rcv = 4 << 20;

	sa.sin_port = htons(s->o.port);
	sa.sin_addr = s->o.listen_addr;
	s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return -errno;
	setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->listen_fd, 16) < 0)
		return -errno;
	s->gre_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_GRE);
	if (s->gre_fd < 0)
		return -errno;
	sa.sin_port = 0;
	if (s->o.listen_addr.s_addr != INADDR_ANY &&
	    bind(s->gre_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	/* allow the "huge" injection to be fragmented */
	setsockopt(s->gre_fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
		   sizeof(pmtu));
	/* root may exceed net.core.rmem_max: a sink under a flood must not
	 * be what drops packets */
	if (setsockopt(s->gre_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv,
		       sizeof(rcv)) < 0)
		setsockopt(s->gre_fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	s->raw_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (s->raw_fd >= 0)
		setsockopt(s->raw_fd, IPPROTO_IP, IP_HDRINCL, &one,
			   sizeof(one));
	return 0;
}

/* ---- option parsing ------------------------------------------------------ */
static void usage(FILE *f)
{
	fprintf(f,
"usage: tsrv [options]   (see test/tsrv_notes.md)\n"
"  -l, --listen ADDR   --port N   --log FILE|-   --log-gre   --log-time\n"
"  --log-hex\n"
"  --stats FILE   --ready FILE   --max-time SECS (120, 0=none)\n"
"  --exit-when-idle   --call-id-start N\n"
"  --sccrp-result N --sccrp-error N --ocrp-result N --ocrp-error N\n"
"  --ocrp-cause N --no-answer --close-after-sccrq --rst-after-call SECS\n"
"  --echo-interval SECS --no-echo-reply --send-sli --sli-accm HEX[:HEX]\n"
"  --clear-after SECS --stop-after SECS\n"
"  --data sink|echo|source --count N --size B --rate PPS --source-delay S\n"
"  --layout plain|ip\n"
"  --reorder-every N --dup-every N --drop-every N --seq-start N\n"
"  --piggyback-acks --no-piggyback-acks --ack-only --ack-delay MS\n"
"  --strict-window --ato-min MS (10) --ato-max MS (1000) --window N\n"
"  --inject NAME[@SECS]   (repeatable; NAME raw:HEX sends those bytes)\n");
}

static int parse_ulong(const char *arg, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(arg, &end, 0);
	if (errno || end == arg || *end || *v > max || arg[0] == '-') {
		fprintf(stderr, "tsrv: bad number '%s'\n", arg);
		return -EINVAL;
	}
	return 0;
}

static int parse_double(const char *arg, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(arg, &end);
	if (errno || end == arg || *end || *v < 0) {
		fprintf(stderr, "tsrv: bad seconds value '%s'\n", arg);
		return -EINVAL;
	}
	return 0;
}

static int parse_inject(struct opts *o, const char *arg)
{
	char name[32];
	const char *at = strchr(arg, '@');
	size_t n = at ? (size_t)(at - arg) : strlen(arg);
	int i;

	if (!strncmp(arg, "raw:", 4)) {
		o->inj[o->n_inj].hex = arg + 4;
		if (strspn(arg + 4, "0123456789abcdefABCDEFPCIDS .") != n - 4)
			return -EINVAL;
		n = 3;
	}
	if (o->n_inj >= MAX_INJECT || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, arg, n);
	name[n] = 0;
	for (i = 0; i < INJ_COUNT; i++)
		if (!strcmp(inject_names[i], name))
			break;
	if (i == INJ_COUNT)
		i = mx_inject_find(name);
	if (i < 0) {
		fprintf(stderr, "tsrv: unknown injection '%s'\n", name);
		return -EINVAL;
	}
	o->inj[o->n_inj].id = i;
	o->inj[o->n_inj].delay = 0;
	if (at && parse_double(at + 1, &o->inj[o->n_inj].delay) < 0)
		return -EINVAL;
	o->n_inj++;
	return 0;
}

static int parse_accm(struct opts *o, const char *arg)
{
	char *end;
	unsigned long a, b;

	errno = 0;
	a = strtoul(arg, &end, 16);
	if (errno || end == arg || a > 0xffffffffUL)
		return -EINVAL;
	b = a;
	if (*end == ':') {
		const char *p = end + 1;

		b = strtoul(p, &end, 16);
		if (errno || end == p || b > 0xffffffffUL)
			return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	o->sli_send_accm = (uint32_t)a;
	o->sli_recv_accm = (uint32_t)b;
	return 0;
}

enum {
	O_PORT = 256, O_LOG, O_LOG_GRE, O_LOG_TIME, O_LOG_HEX, O_STATS, O_READY,
	O_SCCRP_RESULT, O_SCCRP_ERROR, O_OCRP_RESULT, O_OCRP_ERROR,
	O_OCRP_CAUSE, O_NO_ANSWER, O_CLOSE_AFTER_SCCRQ, O_RST_AFTER_CALL,
	O_ECHO_INTERVAL, O_NO_ECHO_REPLY, O_SEND_SLI, O_SLI_ACCM,
	O_CLEAR_AFTER, O_STOP_AFTER, O_DATA, O_COUNT, O_SIZE, O_RATE,
	O_SOURCE_DELAY, O_REORDER, O_DUP, O_DROP, O_SEQ_START, O_PIGGY,
	O_NO_PIGGY, O_ACK_ONLY, O_ACK_DELAY, O_INJECT, O_EXIT_IDLE,
	O_MAX_TIME, O_CALL_ID_START, O_LAYOUT,
	O_STRICT_WINDOW, O_ATO_MIN, O_ATO_MAX, O_WINDOW,
};

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "port", required_argument, NULL, O_PORT },
	{ "log", required_argument, NULL, O_LOG },
	{ "log-gre", no_argument, NULL, O_LOG_GRE },
	{ "log-time", no_argument, NULL, O_LOG_TIME },
	{ "log-hex", no_argument, NULL, O_LOG_HEX },
	{ "stats", required_argument, NULL, O_STATS },
	{ "ready", required_argument, NULL, O_READY },
	{ "sccrp-result", required_argument, NULL, O_SCCRP_RESULT },
	{ "sccrp-error", required_argument, NULL, O_SCCRP_ERROR },
	{ "ocrp-result", required_argument, NULL, O_OCRP_RESULT },
	{ "ocrp-error", required_argument, NULL, O_OCRP_ERROR },
	{ "ocrp-cause", required_argument, NULL, O_OCRP_CAUSE },
	{ "no-answer", no_argument, NULL, O_NO_ANSWER },
	{ "close-after-sccrq", no_argument, NULL, O_CLOSE_AFTER_SCCRQ },
	{ "rst-after-call", required_argument, NULL, O_RST_AFTER_CALL },
	{ "echo-interval", required_argument, NULL, O_ECHO_INTERVAL },
	{ "no-echo-reply", no_argument, NULL, O_NO_ECHO_REPLY },
	{ "send-sli", no_argument, NULL, O_SEND_SLI },
	{ "sli-accm", required_argument, NULL, O_SLI_ACCM },
	{ "clear-after", required_argument, NULL, O_CLEAR_AFTER },
	{ "stop-after", required_argument, NULL, O_STOP_AFTER },
	{ "data", required_argument, NULL, O_DATA },
	{ "count", required_argument, NULL, O_COUNT },
	{ "size", required_argument, NULL, O_SIZE },
	{ "rate", required_argument, NULL, O_RATE },
	{ "source-delay", required_argument, NULL, O_SOURCE_DELAY },
	{ "reorder-every", required_argument, NULL, O_REORDER },
	{ "dup-every", required_argument, NULL, O_DUP },
	{ "drop-every", required_argument, NULL, O_DROP },
	{ "seq-start", required_argument, NULL, O_SEQ_START },
	{ "piggyback-acks", no_argument, NULL, O_PIGGY },
	{ "no-piggyback-acks", no_argument, NULL, O_NO_PIGGY },
	{ "ack-only", no_argument, NULL, O_ACK_ONLY },
	{ "ack-delay", required_argument, NULL, O_ACK_DELAY },
	{ "inject", required_argument, NULL, O_INJECT },
	{ "exit-when-idle", no_argument, NULL, O_EXIT_IDLE },
	{ "max-time", required_argument, NULL, O_MAX_TIME },
	{ "call-id-start", required_argument, NULL, O_CALL_ID_START },
	{ "layout", required_argument, NULL, O_LAYOUT },
	{ "strict-window", no_argument, NULL, O_STRICT_WINDOW },
	{ "ato-min", required_argument, NULL, O_ATO_MIN },
	{ "ato-max", required_argument, NULL, O_ATO_MAX },
	{ "window", required_argument, NULL, O_WINDOW },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void opts_default(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen_addr.s_addr = htonl(INADDR_ANY);
	o->port = PPTP_PORT;
	o->sccrp_result = 1;
	o->ocrp_result = 1;
	o->rst_after_call = -1;
	o->clear_after = -1;
	o->stop_after = -1;
	o->sli_send_accm = 0xffffffffu;
	o->sli_recv_accm = 0xffffffffu;
	o->mode = DM_SINK;
	o->count = 100;
	o->size = 100;
	o->source_delay = 0.5;
	o->seq_start = 1;
	o->piggyback = 1;
	o->max_time = DEFAULT_MAX_TIME;
	o->call_id_start = 1;
	o->ato_min_ms = 10;
	o->ato_max_ms = 1000;
}

static int set_num(const char *arg, unsigned long max, int *dst)
{
	unsigned long v;

	if (parse_ulong(arg, max, &v) < 0)
		return -EINVAL;
	*dst = (int)v;
	return 0;
}

static int set_u32(const char *arg, uint32_t *dst)
{
	unsigned long v;

	if (parse_ulong(arg, 0xffffffffUL, &v) < 0)
		return -EINVAL;
	*dst = (uint32_t)v;
	return 0;
}

static int parse_mode(struct opts *o, const char *arg)
{
	if (!strcmp(arg, "sink"))
		o->mode = DM_SINK;
	else if (!strcmp(arg, "echo"))
		o->mode = DM_ECHO;
	else if (!strcmp(arg, "source"))
		o->mode = DM_SOURCE;
	else
		return -EINVAL;
	return 0;
}

static int parse_one(struct opts *o, int c, const char *a)
{
	unsigned long v;
	uint32_t u = 0;
	int r = 0;

	switch (c) {
	case 'l':
		r = inet_pton(AF_INET, a, &o->listen_addr) == 1 ? 0 : -EINVAL;
		break;
	case O_PORT:
		r = parse_ulong(a, 65535, &v);
		o->port = (uint16_t)v;
		break;
	case O_LOG: o->log_path = a; break;
	case O_LOG_GRE: o->log_gre = 1; break;
	case O_LOG_TIME: o->log_time = 1; break;
	case O_LOG_HEX: o->log_hex = 1; break;
	case O_STATS: o->stats_path = a; break;
	case O_READY: o->ready_path = a; break;
	case O_SCCRP_RESULT: r = set_num(a, 255, &o->sccrp_result); break;
	case O_SCCRP_ERROR: r = set_num(a, 255, &o->sccrp_error); break;
	case O_OCRP_RESULT: r = set_num(a, 255, &o->ocrp_result); break;
	case O_OCRP_ERROR: r = set_num(a, 255, &o->ocrp_error); break;
	case O_OCRP_CAUSE: r = set_num(a, 65535, &o->ocrp_cause); break;
	case O_NO_ANSWER: o->no_answer = 1; break;
	case O_CLOSE_AFTER_SCCRQ: o->close_after_sccrq = 1; break;
	case O_RST_AFTER_CALL: r = parse_double(a, &o->rst_after_call); break;
	case O_ECHO_INTERVAL: r = parse_double(a, &o->echo_interval); break;
	case O_NO_ECHO_REPLY: o->no_echo_reply = 1; break;
	case O_SEND_SLI: o->send_sli = 1; break;
	case O_SLI_ACCM: r = parse_accm(o, a); break;
	case O_CLEAR_AFTER: r = parse_double(a, &o->clear_after); break;
	case O_STOP_AFTER: r = parse_double(a, &o->stop_after); break;
	case O_DATA: r = parse_mode(o, a); break;
	case O_COUNT:
		r = parse_ulong(a, 0xfffffffeUL, &v);
		o->count = v;
		break;
	case O_SIZE:
		r = parse_ulong(a, PPP_FRAME_MAX, &v);
		if (!r && v < 12)
			r = -EINVAL;
		o->size = (uint32_t)v;
		break;
	case O_RATE: r = parse_double(a, &o->rate); break;
	case O_SOURCE_DELAY: r = parse_double(a, &o->source_delay); break;
	case O_REORDER: r = set_u32(a, &o->reorder_every); break;
	case O_DUP: r = set_u32(a, &o->dup_every); break;
	case O_DROP: r = set_u32(a, &o->drop_every); break;
	case O_SEQ_START: r = set_u32(a, &o->seq_start); break;
	case O_PIGGY: o->piggyback = 1; break;
	case O_NO_PIGGY: o->piggyback = 0; break;
	case O_ACK_ONLY: o->ack_only = 1; break;
	case O_ACK_DELAY: r = parse_double(a, &o->ack_delay_ms); break;
	case O_INJECT: r = parse_inject(o, a); break;
	case O_EXIT_IDLE: o->exit_when_idle = 1; break;
	case O_MAX_TIME: r = parse_double(a, &o->max_time); break;
	case O_CALL_ID_START:
		r = set_u32(a, &u);
		if (!r && u > 0xffff)
			r = -EINVAL;
		o->call_id_start = (uint16_t)u;
		break;
	case O_LAYOUT:
		o->layout_ip = !strcmp(a, "ip");
		r = o->layout_ip || !strcmp(a, "plain") ? 0 : -EINVAL;
		break;
	case O_STRICT_WINDOW: o->strict_window = 1; break;
	case O_ATO_MIN: r = parse_double(a, &o->ato_min_ms); break;
	case O_ATO_MAX: r = parse_double(a, &o->ato_max_ms); break;
	case O_WINDOW:
		r = set_u32(a, &o->window_override);
		if (!r && (o->window_override < 1 || o->window_override > STRICT_RING))
			r = -EINVAL;
		break;
	case 'h':
		usage(stdout);
		exit(0);
	default:
		return -EINVAL;
	}
	return r;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	int c;

	opts_default(o);
	while ((c = getopt_long(argc, argv, "l:h", long_opts, NULL)) != -1)
		if (parse_one(o, c, optarg) < 0) {
			fprintf(stderr, "tsrv: bad option or value near '%s'\n",
				optarg ? optarg : argv[optind - 1]);
			return -EINVAL;
		}
	if (optind < argc) {
		fprintf(stderr, "tsrv: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* ---- main loop ---------------------------------------------------------- */
static void reap_dead(struct srv *s)
{
	int i;

	for (i = 0; i < MAX_CONNS; i++)
		if (s->conns[i].used && s->conns[i].dead)
			conn_close_now(s, &s->conns[i]);
}

static void run_timers(struct srv *s, uint64_t now)
{
	int i;

	for (i = 0; i < MAX_CONNS; i++)
		if (s->conns[i].used && !s->conns[i].dead)
			conn_timers(s, &s->conns[i], now);
	for (i = 0; i < MAX_CALLS; i++)
		if (s->calls[i].used)
			call_timers(s, &s->calls[i], now);
	if (now >= s->stats_next) {
		write_stats(s, now);
		s->stats_next = now + STATS_PERIOD_US;
	}
	reap_dead(s);
}

/* fds[0] listen, fds[1] gre, then one per live connection. */
static int build_pollfds(struct srv *s, struct pollfd *fds, int *map)
{
	int i, n = 2;

	fds[0] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = s->gre_fd, .events = POLLIN };
	if (s->gre_blocked)
		fds[1].events |= POLLOUT;
	for (i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &s->conns[i];

		if (!c->used)
			continue;
		fds[n].fd = c->fd;
		fds[n].events = POLLIN;
		if (c->out_len && !c->trickle_len)
			fds[n].events |= POLLOUT;
		fds[n].revents = 0;
		map[n++] = i;
	}
	return n;
}

static const char *loop_once(struct srv *s, const sigset_t *waitmask)
{
	struct pollfd fds[MAX_CONNS + 2];
	int map[MAX_CONNS + 2];
	uint64_t now = now_us(), dl;
	struct timespec ts;
	int n, i, r;

	run_timers(s, now);
	if (got_signal)
		return "signal";
	if (s->o.max_time > 0 && now - s->start >= secs_to_us(s->o.max_time))
		return "max-time";
	if (s->o.exit_when_idle && s->ever_accepted && !count_used_conns(s))
		return "idle";
	n = build_pollfds(s, fds, map);
	dl = next_deadline(s, now);
	if (s->o.max_time > 0)
		min_deadline(&dl, s->start + secs_to_us(s->o.max_time));
	dl = dl > now ? dl - now : 0;
	ts.tv_sec = (time_t)(dl / 1000000u);
	ts.tv_nsec = (long)(dl % 1000000u) * 1000;
	r = ppoll(fds, (nfds_t)n, &ts, waitmask);
	if (r <= 0)
		return NULL;
	now = now_us();
	if (fds[1].revents & POLLOUT)
		s->gre_blocked = 0;
	if (fds[1].revents & POLLIN)
		gre_read(s, now);
	for (i = 2; i < n; i++) {
		struct conn *c = &s->conns[map[i]];

		if (fds[i].revents & POLLOUT)
			conn_flush(s, c);
		if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
			conn_read(s, c, now);
	}
	if (fds[0].revents & POLLIN)
		conn_accept(s, now);
	return NULL;
}

static void shutdown_all(struct srv *s, const char *why)
{
	struct lbuf b = { .n = 0 };
	int i;

	for (i = 0; i < MAX_CONNS; i++)
		if (s->conns[i].used) {
			conn_kill(s, &s->conns[i], "exit");
			conn_close_now(s, &s->conns[i]);
		}
	write_stats(s, now_us());
	lb_add(&b, "EV stats conns_total=%" PRIu64 " calls_total=%" PRIu64
		   " gre_bad=%" PRIu64, s->conns_total, s->calls_total,
	       s->gre_bad);
	log_counters(&b, &s->st);
	log_flush_line(s, &b);
	log_ev(s, "exit reason=%s", why);
}

static int write_ready(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	static struct srv srv;
	struct srv *s = &srv;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, waitmask;
	const char *why = NULL;
	int i, r;

	if (parse_opts(&s->o, argc, argv) < 0) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < MAX_CONNS; i++)
		s->conns[i].fd = -1;
	s->next_call_id = s->o.call_id_start;
	s->start = now_us();
	s->stats_next = s->start;
	if (s->o.log_path) {
		s->log = strcmp(s->o.log_path, "-") ? fopen(s->o.log_path, "a")
						    : stdout;
		if (!s->log) {
			perror("tsrv: log");
			return 2;
		}
	}
	r = open_sockets(s);
	if (r < 0) {
		fprintf(stderr, "tsrv: socket setup: %s\n", strerror(-r));
		return 2;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	log_ev(s, "listen port=%u", s->o.port);
	if (s->o.ready_path && write_ready(s->o.ready_path) < 0) {
		perror("tsrv: ready file");
		return 2;
	}
	while (!why)
		why = loop_once(s, &waitmask);
	shutdown_all(s, why);
	return 0;
}
