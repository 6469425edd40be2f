/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_kernel.c: unit tests for the kernel data path's pieces that need
 * no PPTP socket: the ppp unit's counters out of /proc/net/dev text
 * (netdev.c) and the channel socket's offer with an fd (kchan.c). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "netdev.h"
#include "pptp_kernel.h"

static const char NETDEV[] =
"Inter-|   Receive                                                |  Transmit\n"
" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
"    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0\n"
"  ppp1: 4194304    3000    1    2    0     0          0         0  8388608    6000    3    4    0     0       0          0\n"
"  ppp10: 18446744073709551615 7 0 0 0 0 0 0 9 8 0 0 0 0 0 0\n"
"  bad0: 1 2 3\n";

static void test_netdev(void)
{
	struct netdev_counters c;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = netdev_parse(NETDEV, sizeof(NETDEV) - 1, "ppp1", &c);
	CHECK(rc == 0, "ppp1: expected 0, saw %d", rc);
	CHECK(c.rx_bytes == 4194304 && c.rx_packets == 3000 &&
	      c.rx_errors == 1 && c.rx_dropped == 2,
	      "ppp1 rx: expected 4194304/3000/1/2, saw %llu/%llu/%llu/%llu",
	      (unsigned long long)c.rx_bytes, (unsigned long long)c.rx_packets,
	      (unsigned long long)c.rx_errors, (unsigned long long)c.rx_dropped);
	CHECK(c.tx_bytes == 8388608 && c.tx_packets == 6000 &&
	      c.tx_errors == 3 && c.tx_dropped == 4,
	      "ppp1 tx: expected 8388608/6000/3/4, saw %llu/%llu/%llu/%llu",
	      (unsigned long long)c.tx_bytes, (unsigned long long)c.tx_packets,
	      (unsigned long long)c.tx_errors, (unsigned long long)c.tx_dropped);
	/* "ppp1" must not match "ppp10", and the largest value parses. */
	rc = netdev_parse(NETDEV, sizeof(NETDEV) - 1, "ppp10", &c);
	CHECK(rc == 0 && c.rx_bytes == UINT64_MAX && c.tx_packets == 8,
	      "ppp10: expected 0, max rx bytes, 8 tx packets; saw %d %llu %llu",
	      rc, (unsigned long long)c.rx_bytes,
	      (unsigned long long)c.tx_packets);
	rc = netdev_parse(NETDEV, sizeof(NETDEV) - 1, "ppp2", &c);
	CHECK(rc == -ENOENT, "absent ppp2: expected -ENOENT, saw %d", rc);
	rc = netdev_parse(NETDEV, sizeof(NETDEV) - 1, "bad0", &c);
	CHECK(rc == -EINVAL, "short line: expected -EINVAL, saw %d", rc);
	rc = netdev_parse(NETDEV, sizeof(NETDEV) - 1, "", &c);
	CHECK(rc == -ENOENT, "empty name: expected -ENOENT, saw %d", rc);
	/* Cut inside ppp1's numbers: the parser stops at len. */
	rc = netdev_parse(NETDEV, (size_t)(strstr(NETDEV, "  ppp1:") - NETDEV) + 20,
			  "ppp1", &c);
	CHECK(rc == -EINVAL, "line cut by len: expected -EINVAL, saw %d", rc);
	rc = netdev_parse("  ppp0: 99999999999999999999 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
			  60, "ppp0", &c);
	CHECK(rc == -EINVAL, "overflowing number: expected -EINVAL, saw %d", rc);
}

static void test_offer_round_trip(void)
{
	struct kchan_offer o, r;
	struct stat a, b;
	int sv[2], fd = -1, pass = open("/dev/null", O_RDONLY), rc;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	memset(&o, 0, sizeof(o));
	o.magic = KCHAN_MAGIC;
	o.kind = KCHAN_KERNEL;
	o.call_id = 4660;
	o.peer_call_id = 22136;
	strcpy(o.server, "192.0.2.1");
	rc = kchan_send_offer(sv[0], &o, pass);
	CHECK(rc == 0, "send: expected 0, saw %d", rc);
	rc = kchan_recv_offer(sv[1], &r, &fd, 1000);
	CHECK(rc == 0, "recv: expected 0, saw %d", rc);
	CHECK(r.kind == KCHAN_KERNEL && r.call_id == 4660 &&
	      r.peer_call_id == 22136 && strcmp(r.server, "192.0.2.1") == 0,
	      "offer fields: expected kernel 4660/22136 192.0.2.1, saw %u %u/%u %s",
	      r.kind, r.call_id, r.peer_call_id, r.server);
	CHECK(fd >= 0 && fstat(fd, &a) == 0 && fstat(pass, &b) == 0 &&
	      a.st_rdev == b.st_rdev && a.st_ino == b.st_ino,
	      "passed fd: expected /dev/null, saw fd %d", fd);
	CHECK(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	      "passed fd: expected close-on-exec");
	if (fd >= 0)
		close(fd);
	/* A kernel offer without its fd is refused. */
	kchan_send_offer(sv[0], &o, -1);
	rc = kchan_recv_offer(sv[1], &r, &fd, 1000);
	CHECK(rc == -EPROTO && fd == -1,
	      "kernel offer without fd: expected -EPROTO, saw %d fd %d", rc, fd);
	/* A failure offer needs none; its text is NUL-terminated. */
	o.kind = KCHAN_FAILED;
	memset(o.text, 'x', sizeof(o.text));
	kchan_send_offer(sv[0], &o, -1);
	rc = kchan_recv_offer(sv[1], &r, &fd, 1000);
	CHECK(rc == 0 && r.kind == KCHAN_FAILED &&
	      strlen(r.text) == sizeof(r.text) - 1,
	      "failed offer: expected 0 and a terminated text, saw %d", rc);
	/* Wrong magic: refused, and the attached fd is not leaked. */
	o.magic = 0;
	kchan_send_offer(sv[0], &o, pass);
	rc = kchan_recv_offer(sv[1], &r, &fd, 1000);
	CHECK(rc == -EPROTO && fd == -1,
	      "wrong magic: expected -EPROTO and no fd, saw %d fd %d", rc, fd);
	/* Short record. */
	CHECK(write(sv[0], "abc", 3) == 3, "write");
	rc = kchan_recv_offer(sv[1], &r, &fd, 1000);
	CHECK(rc == -EPROTO, "short record: expected -EPROTO, saw %d", rc);
	/* Nothing within the timeout, then the peer closes. */
	rc = kchan_recv_offer(sv[1], &r, &fd, 50);
	CHECK(rc == -ETIMEDOUT, "silence: expected -ETIMEDOUT, saw %d", rc);
	close(sv[0]);
	rc = kchan_recv_offer(sv[1], &r, &fd, 1000);
	CHECK(rc == -EPIPE, "closed: expected -EPIPE, saw %d", rc);
	close(sv[1]);
	close(pass);
}

int main(void)
{
	test_netdev();
	test_offer_round_trip();
	return check_done("test_kernel");
}
