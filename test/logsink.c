/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logsink.c: a tiny syslog receiver for tests: binds a unix datagram
 * socket (default /dev/log) and appends every message as one line to a
 * file, until SIGTERM or --max-time seconds. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "/dev/log";
	long max_time = argc > 3 ? atol(argv[3]) : 3600;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	time_t end = time(NULL) + max_time;
	FILE *out;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: logsink OUTFILE [SOCKET] [MAXSECS]\n");
		return 2;
	}
	out = fopen(argv[1], "a");
	if (!out || strlen(path) >= sizeof(sun.sun_path))
		return 1;
	strcpy(sun.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror("logsink: bind");
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (!stop && time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[2048];
		ssize_t n;

		if (poll(&p, 1, 500) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
			n--;
		buf[n] = '\0';
		fprintf(out, "%s\n", buf);
		fflush(out);
	}
	unlink(path);
	return 0;
}
