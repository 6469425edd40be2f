/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dirutil.c: the /var/run/pptp directory and the call manager socket names. */
#include "dirutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *pptp_rundir(void)
{
	const char *d = getenv("PPTP_RUNDIR");

	return (d && *d) ? d : PPTP_RUNDIR_DEFAULT;
}

int make_valid_path(const char *dir, mode_t mode)
{
	char path[PATH_MAX];
	size_t n = strlen(dir);
	char *p;

	if (n == 0 || n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int callmgr_socket_name(struct sockaddr_un *sun, struct in_addr server,
			struct in_addr localbind)
{
	char local[INET_ADDRSTRLEN], remote[INET_ADDRSTRLEN];
	int n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	inet_ntop(AF_INET, &localbind, local, sizeof(local));
	inet_ntop(AF_INET, &server, remote, sizeof(remote));
	n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s:%s",
		     pptp_rundir(), local, remote);
	if (n < 0 || (size_t)n >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	return 0;
}
