/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ptymerge.c: how often do frames written one per write() to a pty come
 * out of the other side run together?  Writes N 100-byte frames to the
 * master, GAP_US apart (0: back to back), and counts reads on the slave
 * that return more than one frame.  The measurement behind pptp's pacing
 * of sync frames (README, "Sync mode").
 *   ptymerge GAP_US [N] */
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define FRAME 100

static void raw(int fd)
{
	struct termios t;

	tcgetattr(fd, &t);
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
}

int main(int argc, char **argv)
{
	int m, s, gap = argc > 1 ? atoi(argv[1]) : 0;
	long n = argc > 2 ? atol(argv[2]) : 20000;
	long reads = 0, bytes = 0, merged = 0;
	char buf[65536];

	if (openpty(&m, &s, NULL, NULL, NULL) < 0)
		return 1;
	raw(m);
	raw(s);
	if (fork() == 0) {
		char frame[FRAME] = { 1 };
		struct timespec ts = { 0, (long)gap * 1000 };

		for (long i = 0; i < n; i++) {
			if (write(m, frame, FRAME) != FRAME)
				_exit(1);
			if (gap)
				nanosleep(&ts, NULL);
		}
		sleep(1);
		_exit(0);
	}
	while (bytes < n * FRAME) {
		ssize_t r = read(s, buf, sizeof(buf));

		if (r <= 0)
			break;
		reads++;
		bytes += r;
		if (r > FRAME)
			merged += r / FRAME - 1;
	}
	printf("gap=%dus frames=%ld reads=%ld merged=%ld (%.2f%%)\n", gap,
	       bytes / FRAME, reads, merged, 100.0 * merged / (bytes / FRAME));
	wait(NULL);
	return 0;
}
