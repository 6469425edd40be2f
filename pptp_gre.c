/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pptp_gre.c: the GRE-to-PPP gateway loop.  It owns the pty, the raw GRE
 * socket, the batches and the clock; the codecs (hdlc.c, gre_wire.c,
 * ppp_sync.c), the reorder queue (reorder.c) and the session policy
 * (gre_session.c: sequence numbers, acks, round trip) do the thinking. */
#include "pptp_gre.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "gre_diag.h"
#include "gre_session.h"
#include "gre_wire.h"
#include "hdlc.h"
#include "pptp_callmgr.h"
#include "ppp_sync.h"
#include "pptp_status.h"
#include "reorder.h"
#include "util.h"

/* Packets moved per recvmmsg/sendmmsg call: enough to amortise the
 * system call, few enough to keep a call's memory small. */
#define GW_BATCH 32
/* Batches read per wakeup at most, when they come full. */
#define GW_BATCHES_PER_WAKE 4
/* One received datagram: IPv4 header with options, GRE header, the
 * largest frame we carry.  Anything bigger is cut by the kernel, which
 * tells us (MSG_TRUNC), and is dropped as invalid. */
#define GW_RX_MAX (60 + GRE_HDR_MAX + HDLC_FRAME_MAX)
#define GW_TX_MAX (GRE_HDR_MAX + HDLC_FRAME_MAX)
/* A received datagram lands in a small slot first (every packet of a
 * 1500-byte MTU fits), its rest in a GW_RX_MAX slot: a batch of ordinary
 * packets touches GW_BATCH small slots, not a page or two of each large
 * one (resident memory, README "Speed"). */
#define GW_RX_SMALL 2048
/* pty reads: many frames per read() on a busy link. */
#define GW_PTY_READ 65536
/* What a pty's line discipline holds for its reader (the kernel's
 * N_TTY_BUF_SIZE): a read of this much (less one) likely ended because
 * the buffer was full, maybe inside a frame. */
#define GW_PTY_RING 4096
/* --sync: a frame a read cut short waits for the rest in the next read,
 * at most this long and this big (within GW_TRIM_KEEP of pty_in, which
 * the memory trim keeps). */
#define GW_SYNC_CARRY_US 10000
#define GW_SYNC_CARRY_MAX 4096
/* Encoded frames waiting for the pty at most (a batch read below
 * GW_PTY_OUT_HIGH may go past that; a frame that finds no room here is
 * dropped, rx_pty_full). */
#define GW_PTY_OUT_MAX (256 * 1024)
/* Bytes waiting for pppd from which GRE stays in the kernel (its socket
 * buffer, GW_RCVBUF, holds the rest): a pty takes about 12 KiB per write
 * while pppd is behind, so this keeps a few writes' worth ready, and the
 * pages of pty_out in use stay few (resident memory, README "Speed").  A
 * batch read below it may go past it; the batches of one wakeup stop at
 * half of it. */
#define GW_PTY_OUT_HIGH (32 * 1024)
/* Once this much of pty_out has been written and what waits is no more
 * than that, the rest moves to the front: the buffer's pages in use stay
 * few while pppd keeps up (resident memory), and no byte moves more than
 * once per byte written. */
#define GW_PTY_OUT_COMPACT (16 * 1024)
/* Test modes (--test-type) hold this many packets. */
#define GW_TEST_HOLD 10
/* Receive buffer of the raw GRE socket: about 2000 full-size packets,
 * a quarter second of a fast link. */
#define GW_RCVBUF (4 * 1024 * 1024)
/* Pause between two sync frames written to the pty (write_sync_frame);
 * measured in README "Sync mode". */
#define GW_SYNC_GAP_US 20
/* Sync frames queued for the pty at most (their boundaries are kept in a
 * ring beside the bytes): GW_PTY_OUT_MAX of 64-byte frames. */
#define GW_SYNC_FRAMES (GW_PTY_OUT_MAX / 64)
/* Timer slack in sync mode: the pacing above needs timers that fire
 * within a microsecond or two, not the default 50 us. */
#define GW_SYNC_TIMER_SLACK_NS 1000
/* Send errors are logged at most once per this many microseconds. */
#define GW_ERRLOG_US 5000000
/* After a burst, the pages of the big buffers (pty_out, the receive
 * slots, the pty read and transmit buffers) past their first
 * GW_TRIM_KEEP bytes go back to the kernel once no frame has moved for
 * GW_TRIM_IDLE_US: a call that was busy once does not keep a burst's
 * worth of memory resident while it idles (README "Speed", memory).  The
 * next burst faults them in again, zeroed: a few dozen page faults, at
 * most once per idle period. */
#define GW_TRIM_IDLE_US 100000
#define GW_TRIM_KEEP 4096
/* Allocations from this size on get pages of their own from the kernel,
 * fixed (glibc would raise it after the first such free, and the reorder
 * queue's storage, freed after a burst, would then stay in the heap). */
#define GW_MMAP_THRESHOLD (128 * 1024)

static volatile sig_atomic_t gw_dump_stats;
static volatile sig_atomic_t gw_stop;

static void gw_on_usr1(int sig)
{
	(void)sig;
	gw_dump_stats = 1;
}

static void gw_on_stop(int sig)
{
	gw_stop = sig;
}

/* A packet held by --test-type. */
struct tx_slot {
	uint8_t buf[GW_TX_MAX];
	size_t len;
};

/* A packet waiting for sendmmsg, at tx_buf + off: packets are packed one
 * after the other, so a batch of small frames touches a page or two. */
struct tx_pkt {
	uint32_t off, len;
};

struct gateway {
	const struct gateway_config *cfg;
	struct gre_stats st;
	struct reorder rq;
	struct hdlc_rx hrx;
	struct hdlc_tx htx;
	uint32_t send_accm;
	struct gre_session gs;	/* sequence numbers, acks, round trip */
	struct cm_rbuf cm_rb;	/* records from the call manager */
	/* transmit side */
	uint8_t *tx_buf;	/* GW_BATCH * GW_TX_MAX */
	size_t tx_used;
	struct tx_pkt tx[GW_BATCH];
	size_t ntx;
	/* --test-type */
	struct tx_slot *hold;
	size_t nhold;
	uint32_t test_count;
	/* receive side */
	uint8_t (*rx_small)[GW_RX_SMALL];
	uint8_t (*rx)[GW_RX_MAX];
	uint32_t rx_ovfl;
	uint8_t *pty_out;	/* bytes [pty_out_off, pty_out_len) wait */
	size_t pty_out_len, pty_out_off;
	/* --sync: lengths of the frames in pty_out, oldest first (a ring) */
	uint16_t *sync_len;
	size_t sync_head, sync_n;
	uint64_t last_sync_write;
	bool sync_slept;	/* the loop blocked since the last sync write */
	uint8_t *pty_in;
	/* --sync: the unfinished last frame of the previous read, at the
	 * front of pty_in since carry_since */
	size_t sync_carry;
	uint64_t carry_since;
	/* giving memory back after a burst (GW_TRIM_IDLE_US) */
	bool trim_due;		/* a buffer went past GW_TRIM_KEEP */
	uint64_t last_busy;	/* a frame last moved */
	uint64_t last_errlog;
	int status_fd;
	uint64_t started;
	char end_reason[200];
	struct gre_diag diag;		/* --gre-check */
	struct gre_diag_sample ds;	/* its counters, kept here */
};

/* ---- sockets ---------------------------------------------------------- */

int gre_open_socket(struct in_addr server, struct in_addr localbind,
		    uint32_t rtmark)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = server };
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_GRE);
	int one = 1, rc, rcvbuf = GW_RCVBUF;

	if (fd < 0)
		return -errno;
	if (rtmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &rtmark,
				 sizeof(rtmark)) < 0)
		goto fail;
	if (localbind.s_addr != INADDR_NONE) {
		struct sockaddr_in src = { .sin_family = AF_INET,
					   .sin_addr = localbind };

		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			goto fail;
	}
	/* Connected: the kernel hands us only the server's GRE. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	/* Tell us how many datagrams the kernel dropped for lack of room,
	 * so that such gaps are not waited for. */
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	/* The default receive buffer holds ~200 full-size packets: a burst
	 * from the server while we are busy writing to pppd overflows it.
	 * Root may go past net.core.rmem_max; others get what they get. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return fd;
fail:
	rc = -errno;
	close(fd);
	return rc;
}

int gre_attach_filter(int fd, uint16_t call_id)
{
	/* Accept IPv4 packets whose GRE header carries protocol 0x880B and
	 * our call id as key; drop the rest in the kernel, so that a gateway
	 * never even wakes for another call's traffic. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x880B, 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 6),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, call_id, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]),
				   .filter = code };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
		       sizeof(prog)) < 0)
		return -errno;
	return 0;
}

/* ---- transmit ------------------------------------------------------------ */

static void note_send_error(struct gateway *gw, int err, uint64_t now)
{
	gw->st.tx_failed++;
	/* ENOBUFS is the normal sign of a full queue; anything else is worth
	 * a line, but never worth ending the tunnel over. */
	if (err != ENOBUFS && now - gw->last_errlog >= GW_ERRLOG_US) {
		gw->last_errlog = now;
		log_warn("GRE send failed: %s (tx failed = %u)", strerror(err),
			 gw->st.tx_failed);
	}
}

static void send_batch(struct gateway *gw, struct iovec *pk, size_t n,
		       uint64_t now)
{
	struct mmsghdr msgs[GW_BATCH];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done > GW_BATCH ? GW_BATCH : n - done;
		int sent;

		memset(msgs, 0, sizeof(msgs[0]) * k);
		for (size_t i = 0; i < k; i++) {
			msgs[i].msg_hdr.msg_iov = &pk[done + i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		sent = sendmmsg(gw->cfg->gre_fd, msgs, (unsigned)k, 0);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			/* Count the first packet as failed and go on with
			 * the rest: one bad packet must not stall the batch. */
			note_send_error(gw, errno, now);
			done++;
			continue;
		}
		for (int i = 0; i < sent; i++)
			if (msgs[i].msg_len < pk[done + i].iov_len)
				gw->st.tx_short++;
		done += (size_t)sent;
	}
}

static void flush_tx(struct gateway *gw, uint64_t now)
{
	struct iovec pk[GW_BATCH];

	if (gw->ntx == 0)
		return;
	for (size_t i = 0; i < gw->ntx; i++)
		pk[i] = (struct iovec){ gw->tx_buf + gw->tx[i].off,
					gw->tx[i].len };
	if (gw->tx_used > GW_TRIM_KEEP)
		gw->trim_due = true;
	send_batch(gw, pk, gw->ntx, now);
	gw->ntx = 0;
	gw->tx_used = 0;
}

/* Room for one more packet in the batch: where to write it. */
static uint8_t *tx_room(struct gateway *gw, uint64_t now)
{
	if (gw->ntx == GW_BATCH)
		flush_tx(gw, now);
	return gw->tx_buf + gw->tx_used;
}

/* The packet written at tx_room() joins the batch. */
static void tx_commit(struct gateway *gw, size_t len)
{
	gw->tx[gw->ntx++] = (struct tx_pkt){ (uint32_t)gw->tx_used,
					     (uint32_t)len };
	gw->tx_used += len;
}

/* --test-type: damage the order of what we send, for testing servers.
 * The packet is at tx_room(); it joins the batch or the held ones. */
static void test_reorder_emit(struct gateway *gw, size_t len, uint64_t now)
{
	const int type = gw->cfg->test_type;
	struct iovec pk[GW_TEST_HOLD];

	if (gw->nhold == 0 &&
	    (++gw->test_count % (uint32_t)gw->cfg->test_rate) != 0) {
		tx_commit(gw, len);
		return;
	}
	size_t want = type == 1 ? 2 : GW_TEST_HOLD;

	memcpy(gw->hold[gw->nhold].buf, gw->tx_buf + gw->tx_used, len);
	gw->hold[gw->nhold++].len = len;
	if (gw->nhold < want)
		return;
	if (type == 1 || type == 3) {
		for (size_t i = 0; i < gw->nhold / 2; i++) {
			struct tx_slot t = gw->hold[i];

			gw->hold[i] = gw->hold[gw->nhold - 1 - i];
			gw->hold[gw->nhold - 1 - i] = t;
		}
	} else {
		/* type 2: ascending, but the first one comes last */
		struct tx_slot first = gw->hold[0];

		memmove(&gw->hold[0], &gw->hold[1],
			(gw->nhold - 1) * sizeof(gw->hold[0]));
		gw->hold[gw->nhold - 1] = first;
	}
	flush_tx(gw, now);
	for (size_t i = 0; i < gw->nhold; i++)
		pk[i] = (struct iovec){ gw->hold[i].buf, gw->hold[i].len };
	send_batch(gw, pk, gw->nhold, now);
	gw->nhold = 0;
}

static void queue_frame(struct gateway *gw, const uint8_t *frame, size_t len,
			uint64_t now)
{
	struct gre_hdr h = { .call_id = gw->cfg->peer_call_id,
			     .has_seq = true };
	uint8_t *p;
	size_t hl;

	if (len == 0)
		return;
	if (len > HDLC_FRAME_MAX) {
		gw->st.tx_oversize++;
		return;
	}
	gre_diag_our_frame(&gw->diag, frame, len);
	p = tx_room(gw, now);
	h.payload_len = (uint16_t)len;
	h.seq = gre_session_tx_data(&gw->gs, now, &h.has_ack, &h.ack);
	hl = gre_encode(p, &h);
	memcpy(p + hl, frame, len);
	gw->st.tx_sent++;
	gw->st.tx_bytes += len;
	if (gw->cfg->test_type > 0)
		test_reorder_emit(gw, hl + len, now);
	else
		tx_commit(gw, hl + len);
}

static void send_ack_only(struct gateway *gw, uint64_t now)
{
	struct gre_hdr h = { .call_id = gw->cfg->peer_call_id, .has_ack = true };
	uint8_t *p;

	if (!gre_session_tx_ack(&gw->gs, now, &h.ack))
		return;
	p = tx_room(gw, now);
	tx_commit(gw, gre_encode(p, &h));
	gw->st.tx_acks++;
}

/* ---- pty -> GRE -------------------------------------------------------- */

static void pty_frames_async(struct gateway *gw, const uint8_t *in, size_t n,
			     uint64_t now)
{
	while (n > 0) {
		size_t used = 0;
		int rc = hdlc_rx_next(&gw->hrx, in, n, &used);

		in += used;
		n -= used;
		if (rc > 0) {
			queue_frame(gw, gw->hrx.frame, (size_t)rc, now);
		} else if (rc < 0) {
			gw->st.pty_bad_frames++;
			if (rc == HDLC_ETOOLONG)
				gw->st.tx_oversize++;
			log_warn_limited("frame from pppd dropped: %s",
					 hdlc_strerror(rc));
		}
		if (rc == 0 && used == 0)
			break;
	}
}

/* --sync: whether the last frame of a read waits for the next read.  A
 * length field that asks for more says so (a frame of pppd's is never
 * shorter than its length field); compressed data has none, so it waits
 * only when the read filled the line discipline's buffer or more bytes
 * are already there. */
static bool sync_tail_unfinished(const struct gateway *gw,
				 enum ppp_sync_end e, size_t want, size_t left,
				 bool ring_full)
{
	int more = 0;

	if (left > GW_SYNC_CARRY_MAX)
		return false;
	if (e == PS_SHORT)
		return want <= GW_SYNC_CARRY_MAX;
	if (e != PS_OPEN)
		return false;
	if (ring_full)
		return true;
	return ioctl(gw->cfg->pty_in, FIONREAD, &more) == 0 && more > 0;
}

/* Returns false when the pty is gone. */
static bool pty_readable(struct gateway *gw, uint64_t now)
{
	ssize_t n = read(gw->cfg->pty_in, gw->pty_in + gw->sync_carry,
			 GW_PTY_READ - gw->sync_carry);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		snprintf(gw->end_reason, sizeof(gw->end_reason),
			 "pppd closed the %s", n == 0 ? "connection (EOF)"
						      : "pty");
		return false;
	}
	if (n < 0)
		return true;
	gw->last_busy = now;
	if (n > GW_TRIM_KEEP)
		gw->trim_due = true;
	if (gw->cfg->sync) {
		/* pppd's sync line discipline writes one frame per write(),
		 * but frames written before we read come as one run:
		 * ppp_sync.c finds their boundaries from real length fields
		 * and MPPE coherency counts, never from guessed bytes. */
		const uint8_t *p = gw->pty_in;
		size_t left = gw->sync_carry + (size_t)n;
		bool ring_full = (size_t)n >= GW_PTY_RING - 1;

		gw->sync_carry = 0;
		while (left > 0) {
			size_t len;
			enum ppp_sync_end e = ppp_sync_frame_end(p, left, &len);

			if (e == PS_WHOLE) {
				queue_frame(gw, p, len, now);
				p += len;
				left -= len;
				continue;
			}
			/* The last frame of the run, maybe cut by the end
			 * of the read: its rest comes with the next one. */
			if (sync_tail_unfinished(gw, e, len, left, ring_full)) {
				memmove(gw->pty_in, p, left);
				gw->sync_carry = left;
				gw->carry_since = now;
				break;
			}
			queue_frame(gw, p, left, now);
			break;
		}
	} else {
		pty_frames_async(gw, gw->pty_in, (size_t)n, now);
	}
	flush_tx(gw, now);
	return true;
}

/* ---- GRE -> pty -------------------------------------------------------- */

/* Written bytes are dropped from the front only when room runs short:
 * one memmove per many writes, not one per write. */
static size_t pty_out_room(struct gateway *gw, size_t want)
{
	if (gw->pty_out_off > 0 && GW_PTY_OUT_MAX - gw->pty_out_len < want) {
		memmove(gw->pty_out, gw->pty_out + gw->pty_out_off,
			gw->pty_out_len - gw->pty_out_off);
		gw->pty_out_len -= gw->pty_out_off;
		gw->pty_out_off = 0;
	}
	return GW_PTY_OUT_MAX - gw->pty_out_len;
}

/* Queue one frame for pppd: HDLC-encoded, or (sync) as it is, with its
 * length in the boundary ring so that flush_pty writes it on its own.
 * Returns false when there is no room (the frame is dropped). */
static bool pty_queue_frame(struct gateway *gw, const uint8_t *frame,
			    size_t len)
{
	size_t room;
	ssize_t w;

	if (gw->cfg->sync) {
		if (gw->sync_n == GW_SYNC_FRAMES || pty_out_room(gw, len) < len)
			return false;
		memcpy(gw->pty_out + gw->pty_out_len, frame, len);
		gw->pty_out_len += len;
		gw->sync_len[(gw->sync_head + gw->sync_n++) % GW_SYNC_FRAMES] =
			(uint16_t)len;
		return true;
	}
	room = pty_out_room(gw, HDLC_ENCODED_MAX(len));
	w = hdlc_tx_encode(&gw->htx, frame, len, gw->send_accm,
			   gw->pty_out + gw->pty_out_len, room);
	if (w < 0)
		return false;
	gw->pty_out_len += (size_t)w;
	return true;
}

/* Called once per frame queued for pppd. */
static void pty_out_note_used(struct gateway *gw)
{
	if (gw->pty_out_len > GW_TRIM_KEEP)
		gw->trim_due = true;
}

static void deliver(struct gateway *gw, const uint8_t *frame, size_t len,
		    uint32_t seq, uint64_t now)
{
	if (!pty_queue_frame(gw, frame, len)) {
		gw->st.rx_pty_full++;
		log_verbose("frame %u dropped: no room in the queue to pppd "
			    "(rx_pty_full = %u)", seq, gw->st.rx_pty_full);
		return;
	}
	pty_out_note_used(gw);
	gw->st.rx_accepted++;
	gw->st.rx_bytes += len;
	gre_session_delivered(&gw->gs, seq, now);
}

/* The one place frames leave the reorder queue: after every push (a push
 * may fill the queue, and later packets of the batch need room) and when
 * its deadline passes (gw_loop). */
static void drain_reorder(struct gateway *gw, uint64_t now)
{
	const uint8_t *data;
	uint32_t seq, lost = 0;
	size_t len;

	while ((len = reorder_pop(&gw->rq, now, &data, &seq, &lost)) > 0)
		deliver(gw, data, len, seq, now);
	gw->st.rx_lost += lost;
}

static void on_ack(struct gateway *gw, uint32_t ack, uint64_t now)
{
	gw->ds.peer_acked = true;	/* the latest, checked by gre_diag */
	gw->ds.peer_ack = ack;
	if (gre_session_peer_ack(&gw->gs, ack, now))
		gw->st.rtt_us = gre_session_rtt(&gw->gs);
}

/* Count a data packet by what the reorder queue made of it. */
static void account_push(struct gateway *gw, enum reorder_verdict v,
			 const struct gre_hdr *h, uint32_t lost)
{
	switch (v) {
	case RO_DELIVER:
		if (lost) {
			gw->st.rx_buffered++;
			gw->st.rx_lost += lost;
		}
		break;
	case RO_QUEUED:
		gw->st.rx_buffered++;
		gw->trim_due = true;	/* the reorder queue's storage */
		break;
	case RO_DUP:
	case RO_OLD:
		gw->st.rx_underwin++;
		log_verbose("discarding duplicate or old packet %u", h->seq);
		break;
	case RO_OVER:
		gw->st.rx_overwin++;
		log_verbose("discarding packet %u, too far ahead of the "
			  "window", h->seq);
		break;
	case RO_TOOBIG:
		gw->st.rx_invalid++;
		log_verbose("discarding packet %u: %u bytes cannot be "
			  "buffered", h->seq, h->payload_len);
		break;
	}
}

static void on_gre_packet(struct gateway *gw, const uint8_t *pkt, size_t n,
			  uint64_t now)
{
	struct ipv4_info ip;
	struct gre_hdr h;
	const uint8_t *g;
	enum reorder_verdict v;
	uint32_t lost = 0;
	int hl;

	if (ipv4_decode(pkt, n, &ip) < 0 || ip.src != gw->cfg->server.s_addr) {
		gw->st.rx_invalid++;
		return;
	}
	g = pkt + ip.hdr_len;
	hl = gre_decode(g, ip.total_len - ip.hdr_len, &h);
	if (hl < 0) {
		if (hl == GRE_ETRUNC || hl == GRE_ESHORT)
			gw->st.rx_truncated++;
		else
			gw->st.rx_invalid++;
		log_warn_limited("GRE packet dropped: %s", gre_strerror(hl));
		return;
	}
	if (h.call_id != gw->cfg->call_id) {
		gw->st.rx_other_call++;
		return;
	}
	if (h.has_ack)
		on_ack(gw, h.ack, now);
	if (!h.has_seq) {
		gw->st.rx_acks++;
		return;
	}
	gre_diag_peer_frame(&gw->diag, g + hl, h.payload_len);
	v = reorder_push(&gw->rq, h.seq, g + hl, h.payload_len, now, &lost);
	account_push(gw, v, &h, lost);
	/* What the peer sends tells whether it keeps our window; a packet
	 * the queue refused as far ahead says nothing we act on. */
	if (v != RO_OVER && v != RO_TOOBIG)
		gre_session_rx_data(&gw->gs, h.seq, now);
	if (v == RO_DELIVER)
		deliver(gw, g + hl, h.payload_len, h.seq, now);
	drain_reorder(gw, now);
}

static uint32_t rx_ovfl_count(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
		    c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
			uint32_t v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	return 0;
}

/* One recvmmsg batch; returns the number of datagrams read. */
static int gre_read_batch(struct gateway *gw, uint64_t now)
{
	struct mmsghdr msgs[GW_BATCH];
	struct iovec iov[GW_BATCH][2];
	union {
		char buf[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} ctl[GW_BATCH];
	int n;

	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < GW_BATCH; i++) {
		iov[i][0] = (struct iovec){ gw->rx_small[i], GW_RX_SMALL };
		iov[i][1] = (struct iovec){ gw->rx[i] + GW_RX_SMALL,
					    GW_RX_MAX - GW_RX_SMALL };
		msgs[i].msg_hdr.msg_iov = iov[i];
		msgs[i].msg_hdr.msg_iovlen = 2;
		msgs[i].msg_hdr.msg_control = ctl[i].buf;
		msgs[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
	}
	n = recvmmsg(gw->cfg->gre_fd, msgs, GW_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			gw->st.rx_errors++;
			log_warn_limited("GRE receive: %s", strerror(errno));
		}
		return 0;
	}
	gw->ds.rx_gre += (uint32_t)n;
	gw->last_busy = now;
	if ((size_t)n * GW_RX_SMALL > GW_TRIM_KEEP)
		gw->trim_due = true;
	for (int i = 0; i < n; i++) {
		uint32_t ovfl = rx_ovfl_count(&msgs[i].msg_hdr);

		if (ovfl != gw->rx_ovfl) {
			/* The kernel dropped packets: gaps before this one
			 * will never fill, do not wait for them. */
			gw->rx_ovfl = ovfl;
			reorder_give_up_gaps(&gw->rq);
		}
		if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
			gw->st.rx_invalid++;
			log_warn_limited("discarding a GRE packet larger "
					 "than %d bytes", GW_RX_MAX);
			continue;
		}
		if (msgs[i].msg_len <= GW_RX_SMALL) {
			on_gre_packet(gw, gw->rx_small[i], msgs[i].msg_len,
				      now);
			continue;
		}
		/* A large one: its head joins its tail in the large slot. */
		gw->trim_due = true;
		memcpy(gw->rx[i], gw->rx_small[i], GW_RX_SMALL);
		on_gre_packet(gw, gw->rx[i], msgs[i].msg_len, now);
	}
	return n;
}

/* Whether the queue for pppd holds at least GW_PTY_OUT_HIGH / div bytes,
 * or (sync) GW_SYNC_FRAMES / (2 * div) frames, whose boundary ring must
 * not overflow either. */
static bool pty_out_above(const struct gateway *gw, size_t div)
{
	return gw->pty_out_len - gw->pty_out_off >= GW_PTY_OUT_HIGH / div ||
	       (gw->cfg->sync && gw->sync_n >= GW_SYNC_FRAMES / (2 * div));
}

/* Once GW_PTY_OUT_COMPACT has been written, what waits for pppd moves to
 * the front of pty_out before a batch lands behind it.  There is less
 * than GW_PTY_OUT_HIGH of it (GRE is read only then), so no byte moves
 * more than twice, and the pages in use stay GW_PTY_OUT_COMPACT +
 * GW_PTY_OUT_HIGH and a batch. */
static void pty_out_to_front(struct gateway *gw)
{
	size_t left = gw->pty_out_len - gw->pty_out_off;

	if (gw->pty_out_off < GW_PTY_OUT_COMPACT)
		return;
	memmove(gw->pty_out, gw->pty_out + gw->pty_out_off, left);
	gw->pty_out_len = left;
	gw->pty_out_off = 0;
}

static void gre_readable(struct gateway *gw, uint64_t now)
{
	/* Under load take several batches per wakeup (while they come full
	 * and pppd keeps up): one poll, one pty write and at most one ack
	 * for up to GW_BATCHES_PER_WAKE * GW_BATCH frames. */
	pty_out_to_front(gw);
	for (int b = 0; b < GW_BATCHES_PER_WAKE; b++) {
		if (gre_read_batch(gw, now) < GW_BATCH ||
		    pty_out_above(gw, 2))
			break;
	}
}

static bool pty_out_pending(const struct gateway *gw)
{
	return gw->pty_out_len > gw->pty_out_off;
}

/* --sync: when the next frame may be written (see write_sync_frame). */
static uint64_t sync_write_due(const struct gateway *gw)
{
	return gw->last_sync_write + GW_SYNC_GAP_US;
}

static bool sync_write_ready(const struct gateway *gw, uint64_t now)
{
	return gw->sync_slept && now >= sync_write_due(gw);
}

/* Write one sync frame, if its time has come.  A pty keeps no frame
 * boundaries: two writes that reach the other side before the pty's flush
 * work hands the first to the line discipline arrive as one frame.  So
 * each frame goes out in a write of its own, GW_SYNC_GAP_US after the
 * previous one (time for the flush work on another CPU), and only after
 * the loop has blocked in poll since (on a single CPU the flush work runs
 * only when we block: the qemu suite's sync-mppe failed without this).
 * The loop waits in poll, never in a sleep, so GRE is still read
 * meanwhile.  Returns the write's result. */
static ssize_t write_sync_frame(struct gateway *gw, uint64_t now)
{
	size_t len = gw->sync_len[gw->sync_head];
	ssize_t w;

	if (!sync_write_ready(gw, now)) {
		errno = EAGAIN;
		return -1;
	}
	w = write(gw->cfg->pty_out, gw->pty_out + gw->pty_out_off, len);
	if (w < 0)
		return w;
	gw->last_sync_write = now;
	gw->sync_slept = false;
	/* A frame the pty cut short cannot be completed as one frame: the
	 * rest is dropped with it. */
	gw->sync_head = (gw->sync_head + 1) % GW_SYNC_FRAMES;
	gw->sync_n--;
	return (ssize_t)len;
}

/* Returns false when the pty is gone. */
static bool flush_pty(struct gateway *gw, uint64_t now)
{
	size_t off = gw->pty_out_off;
	int err = 0;

	while (off < gw->pty_out_len) {
		ssize_t w;

		gw->pty_out_off = off;
		if (gw->cfg->sync)
			w = write_sync_frame(gw, now);
		else
			w = write(gw->cfg->pty_out, gw->pty_out + off,
				  gw->pty_out_len - off);
		if (w <= 0) {
			err = w < 0 ? errno : EAGAIN;
			break;
		}
		off += (size_t)w;
		gw->last_busy = now;
		/* Sync: one frame per pass.  Async: the pty took less than
		 * we offered, it is full; the next write would say EAGAIN. */
		if (gw->cfg->sync || off < gw->pty_out_len)
			break;
	}
	gw->pty_out_off = off;
	if (off == gw->pty_out_len) {
		gw->pty_out_off = gw->pty_out_len = 0;
	} else if (off >= GW_PTY_OUT_COMPACT && gw->pty_out_len - off <= off) {
		memmove(gw->pty_out, gw->pty_out + off, gw->pty_out_len - off);
		gw->pty_out_len -= off;
		gw->pty_out_off = 0;
	}
	if (err && err != EAGAIN && err != EINTR) {
		snprintf(gw->end_reason, sizeof(gw->end_reason),
			 "write to pppd failed: %s", strerror(err));
		return false;
	}
	return true;
}

/* ---- call manager ------------------------------------------------------ */

/* Returns false when the call has ended. */
static void gw_on_sli(void *ctx, const struct cm_msg *m)
{
	struct gateway *gw = ctx;

	log_info("Set-Link-Info: send ACCM 0x%08x, receive ACCM 0x%08x",
		 m->send_accm, m->recv_accm);
	gw->send_accm = m->send_accm;
}

static bool cm_readable(struct gateway *gw)
{
	return cm_call_poll(gw->cfg->cm_fd, &gw->cm_rb, gw_on_sli, gw,
			    gw->end_reason, sizeof(gw->end_reason));
}

/* ---- memory after a burst ---------------------------------------------- */

/* Whether there is memory to give back once the gateway idles: only
 * while nothing waits for pppd (the buffers hold no byte that counts). */
static bool trim_pending(const struct gateway *gw)
{
	return gw->trim_due && gw->pty_out_len == gw->pty_out_off &&
	       gw->ntx == 0 && reorder_queued(&gw->rq) == 0;
}

/* The whole pages of buf[GW_TRIM_KEEP, size) go back to the kernel;
 * they read as zeros when touched again. */
static void trim_buffer(void *buf, size_t size)
{
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)buf + GW_TRIM_KEEP + page - 1) & ~(page - 1);
	uintptr_t b = ((uintptr_t)buf + size) & ~(page - 1);

	if (b > a)
		madvise((void *)a, b - a, MADV_DONTNEED);
}

/* No frame moved for GW_TRIM_IDLE_US: what the burst touched goes back.
 * Every buffer trimmed here is empty between two events of the loop
 * (hdlc_rx's partial frame and the reorder queue live elsewhere). */
static void trim_after_burst(struct gateway *gw, uint64_t now)
{
	if (!trim_pending(gw) || now < gw->last_busy + GW_TRIM_IDLE_US)
		return;
	gw->pty_out_len = gw->pty_out_off = 0;
	trim_buffer(gw->pty_out, GW_PTY_OUT_MAX);
	trim_buffer(gw->pty_in, GW_PTY_READ);
	trim_buffer(gw->rx_small, GW_BATCH * sizeof(*gw->rx_small));
	trim_buffer(gw->rx, GW_BATCH * sizeof(*gw->rx));
	trim_buffer(gw->tx_buf, (size_t)GW_BATCH * GW_TX_MAX);
	reorder_release_storage(&gw->rq);
	gw->trim_due = false;
}

/* ---- loop --------------------------------------------------------------- */

/* The next timer of the loop: the reorder queue's, the ack's, the next
 * sync frame's; at most a second away. */
static struct timespec gw_timeout(const struct gateway *gw, uint64_t now)
{
	uint64_t d = reorder_deadline(&gw->rq), a;
	struct timespec ts = { 1, 0 };

	a = gre_session_ack_due(&gw->gs, now);
	if (a < d)
		d = a;
	if (gw->sync_carry && gw->carry_since + GW_SYNC_CARRY_US < d)
		d = gw->carry_since + GW_SYNC_CARRY_US;
	if (gw->cfg->sync && pty_out_pending(gw)) {
		uint64_t w = sync_write_due(gw);

		/* due, but the loop has not blocked yet: block a moment */
		if (!gw->sync_slept && w <= now)
			w = now + 1;
		if (w < d)
			d = w;
	}
	if (trim_pending(gw) && gw->last_busy + GW_TRIM_IDLE_US < d)
		d = gw->last_busy + GW_TRIM_IDLE_US;
	if (d <= now)
		return (struct timespec){ 0, 0 };
	if (d - now < 1000000)
		ts = (struct timespec){ 0, (long)(d - now) * 1000 };
	return ts;
}

static int gw_alloc(struct gateway *gw)
{
	gw->tx_buf = malloc((size_t)GW_BATCH * GW_TX_MAX);
	gw->rx_small = malloc(GW_BATCH * sizeof(*gw->rx_small));
	gw->rx = malloc(GW_BATCH * sizeof(*gw->rx));
	gw->pty_out = malloc(GW_PTY_OUT_MAX);
	gw->pty_in = malloc(GW_PTY_READ);
	if (gw->cfg->test_type > 0)
		gw->hold = calloc(GW_TEST_HOLD, sizeof(*gw->hold));
	if (gw->cfg->sync)
		gw->sync_len = calloc(GW_SYNC_FRAMES, sizeof(*gw->sync_len));
	if (!gw->tx_buf || !gw->rx_small || !gw->rx || !gw->pty_out ||
	    !gw->pty_in ||
	    (gw->cfg->test_type > 0 && !gw->hold) ||
	    (gw->cfg->sync && !gw->sync_len))
		return -ENOMEM;
	return 0;
}

static void gw_release(struct gateway *gw)
{
	free(gw->tx_buf);
	free(gw->rx_small);
	free(gw->rx);
	free(gw->pty_out);
	free(gw->pty_in);
	free(gw->hold);
	free(gw->sync_len);
	reorder_free(&gw->rq);
}

/* --gre-check: one warning line per change of verdict (gre_diag.h). */
static void diag_poll(struct gateway *gw, uint64_t now)
{
	enum gre_diag_event ev;
	char a[INET_ADDRSTRLEN], line[400];

	gw->ds.tx_data = gw->st.tx_sent;
	gw->ds.tx_next_seq = gw->gs.tx_next;
	ev = gre_diag_update(&gw->diag, now, &gw->ds);
	if (ev == GD_EV_NONE)
		return;
	inet_ntop(AF_INET, &gw->cfg->server, a, sizeof(a));
	gre_diag_message(&gw->diag, ev, a, line, sizeof(line));
	log_warn("%s", line);
}

static void status_poll(struct gateway *gw, uint64_t now)
{
	struct status_info si;

	memset(&si, 0, sizeof(si));
	si.call_id = gw->cfg->call_id;
	si.peer_call_id = gw->cfg->peer_call_id;
	si.server = gw->cfg->server;
	si.uptime_s = (now - gw->started) / 1000000u;
	si.stats = &gw->st;
	si.tty = gw->cfg->tty_name;
	si.state = "established";
	si.gre_check = gre_diag_verdict_name(gre_diag_verdict(&gw->diag));
	status_serve(gw->status_fd, &si);
}

/* Everything that is due before the loop waits: the reorder queue's
 * timeout, an ack, queued GRE packets, frames for pppd.  Returns false
 * when the pty is gone. */
static bool gw_run_due(struct gateway *gw, uint64_t now)
{
	/* --sync: the rest of a cut frame did not come; it goes as it is. */
	if (gw->sync_carry && now >= gw->carry_since + GW_SYNC_CARRY_US) {
		queue_frame(gw, gw->pty_in, gw->sync_carry, now);
		gw->sync_carry = 0;
	}
	diag_poll(gw, now);
	drain_reorder(gw, now);
	if (now >= gre_session_ack_due(&gw->gs, now))
		send_ack_only(gw, now);
	flush_tx(gw, now);
	if (pty_out_pending(gw))
		return flush_pty(gw, now);
	trim_after_burst(gw, now);
	return true;
}

/* Whether to ask poll for room on the pty: only for bytes that may be
 * written now (a sync frame waiting for its gap waits on the timeout). */
static bool want_pty_out(const struct gateway *gw, uint64_t now)
{
	if (!pty_out_pending(gw))
		return false;
	return !gw->cfg->sync || sync_write_ready(gw, now);
}

struct gw_poll {
	struct pollfd pfd[5];
	nfds_t n;
	int pty, gre, cm, st;
};

static void gw_poll_set(struct gateway *gw, struct gw_poll *p, uint64_t now)
{
	const struct gateway_config *cfg = gw->cfg;

	p->n = 0;
	p->gre = p->cm = p->st = -1;
	p->pty = (int)p->n;
	p->pfd[p->n++] = (struct pollfd){ .fd = cfg->pty_in, .events = POLLIN };
	if (want_pty_out(gw, now)) {
		if (cfg->pty_out == cfg->pty_in)
			p->pfd[p->pty].events |= POLLOUT;
		else
			p->pfd[p->n++] = (struct pollfd){ .fd = cfg->pty_out,
							  .events = POLLOUT };
	}
	/* Backpressure: while pppd is slow, leave GRE in the kernel. */
	if (!pty_out_above(gw, 1)) {
		p->gre = (int)p->n;
		p->pfd[p->n++] = (struct pollfd){ .fd = cfg->gre_fd,
						  .events = POLLIN };
	}
	if (cfg->cm_fd >= 0) {
		p->cm = (int)p->n;
		p->pfd[p->n++] = (struct pollfd){ .fd = cfg->cm_fd,
						  .events = POLLIN };
	}
	if (gw->status_fd >= 0) {
		p->st = (int)p->n;
		p->pfd[p->n++] = (struct pollfd){ .fd = gw->status_fd,
						  .events = POLLIN };
	}
}

static enum gateway_end gw_loop(struct gateway *gw)
{
	for (;;) {
		struct gw_poll p;
		uint64_t now = now_us();
		struct timespec timeout;
		int ready;

		if (gw_stop)
			return GW_END_SIGNAL;
		if (gw_dump_stats) {
			gw_dump_stats = 0;
			gre_stats_dump_syslog(&gw->st);
		}
		if (!gw_run_due(gw, now))
			return GW_END_PTY;
		gw_poll_set(gw, &p, now);
		timeout = gw_timeout(gw, now);
		ready = ppoll(p.pfd, p.n, &timeout, NULL);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll: %s", strerror(errno));
			return GW_END_ERROR;
		}
		/* Nothing was ready for a non-zero timeout: we blocked. */
		if (ready == 0 && (timeout.tv_sec || timeout.tv_nsec))
			gw->sync_slept = true;
		now = now_us();
		if (p.gre >= 0 && (p.pfd[p.gre].revents & POLLIN))
			gre_readable(gw, now);
		if (p.pfd[p.pty].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!pty_readable(gw, now))
				return GW_END_PTY;
		}
		if (p.cm >= 0 && p.pfd[p.cm].revents && !cm_readable(gw))
			return GW_END_CALL;
		if (p.st >= 0 && (p.pfd[p.st].revents & POLLIN))
			status_poll(gw, now);
	}
}

enum gateway_end gateway_run(const struct gateway_config *cfg)
{
	struct gateway *gw = calloc(1, sizeof(*gw));
	enum gateway_end end;

	if (!gw)
		return GW_END_ERROR;
	gw->cfg = cfg;
	gw->send_accm = 0xffffffffu;
	gw->status_fd = -1;
	gw->started = now_us();
	gre_session_init(&gw->gs, GS_FIRST_SEQ, GS_RX_WINDOW);
	gre_diag_init(&gw->diag, cfg->gre_check_s, GS_FIRST_SEQ);
	reorder_init(&gw->rq, cfg->timeout_us, cfg->missing_window,
		     cfg->nobuffer);
	hdlc_rx_init(&gw->hrx);
	mallopt(M_MMAP_THRESHOLD, GW_MMAP_THRESHOLD);
	if (gw_alloc(gw) < 0) {
		log_warn("out of memory");
		gw_release(gw);
		free(gw);
		return GW_END_ERROR;
	}
	set_nonblock(cfg->pty_in, true);
	set_nonblock(cfg->pty_out, true);
	set_nonblock(cfg->gre_fd, true);
	/* Sync pacing waits a few microseconds in poll: let those timers
	 * fire on time (only this process, only in sync mode). */
	if (cfg->sync)
		prctl(PR_SET_TIMERSLACK, GW_SYNC_TIMER_SLACK_NS, 0, 0, 0);
	if (cfg->status_path)
		gw->status_fd = status_listen(cfg->status_path);
	install_holder_signals(gw_on_usr1, gw_on_stop);
	end = gw_loop(gw);
	/* Frames pppd got are acked even now: a server that keeps the
	 * window would otherwise wait for this ack until its time-out. */
	send_ack_only(gw, now_us());
	flush_tx(gw, now_us());
	if (end == GW_END_CALL || end == GW_END_PTY)
		log_info("%s", gw->end_reason);
	else if (end == GW_END_SIGNAL)
		log_info("stopped by signal %d", (int)gw_stop);
	if (gw->status_fd >= 0) {
		close(gw->status_fd);
		unlink(cfg->status_path);
	}
	gw_release(gw);
	free(gw);
	return end;
}
