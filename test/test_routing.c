/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_routing.c: drive routing.c for test_routing.sh, plus root-free self checks. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routing.h"
#include "check.h"

/* Longest line route_host_format() makes: two dotted quads, a name, words. */
#define ROUTE_TEXT_MAX 96

static void print_result(const char *step, int rc, const struct host_route *r)
{
	char text[ROUTE_TEXT_MAX];

	if (rc < 0) {
		printf("%s: rc=%d (%s)\n", step, rc, strerror(-rc));
		return;
	}
	if (route_host_format(r, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "?");
	printf("%s: rc=%d added=%d route=%s\n", step, rc, r->added, text);
}

static int cmd_add(struct in_addr dst, uint32_t mark)
{
	struct host_route r;
	int rc = route_host_add(dst, mark, &r);

	print_result("add", rc, &r);
	return rc < 0;
}

/* Delete the /32 proto-static route to dst as the kernel now routes it:
 * what a pptp exiting after an earlier `add` would remove. An existing /32
 * makes route_host_add() report added=0, so claim it, as a crashed earlier
 * run would have; the delete still matches only our proto static route. */
static int cmd_del(struct in_addr dst, uint32_t mark)
{
	struct host_route r;
	int rc = route_host_add(dst, mark, &r);

	if (rc < 0) {
		print_result("del-lookup", rc, &r);
		return 1;
	}
	r.added = true;
	rc = route_host_del(&r);
	print_result("del", rc, &r);
	return rc < 0;
}

static bool same_path(const struct host_route *a, const struct host_route *b)
{
	return a->dst.s_addr == b->dst.s_addr && a->has_gw == b->has_gw &&
	       a->gw.s_addr == b->gw.s_addr && a->oif == b->oif;
}

/* add; add again (must see our /32 and not add); del; del again (no-op);
 * forced del of the now missing route (must say -ESRCH). */
static int cmd_cycle(struct in_addr dst, uint32_t mark)
{
	struct host_route r, again;
	int rc = route_host_add(dst, mark, &r);

	print_result("add", rc, &r);
	if (rc < 0)
		return 1;
	if (r.added) {
		rc = route_host_add(dst, mark, &again);
		print_result("add-again", rc, &again);
		CHECK(rc == 0 && !again.added && same_path(&r, &again),
		      "second add: expected rc=0 added=0 same path, seen rc=%d added=%d",
		      rc, again.added);
	}
	bool was_added = r.added;
	rc = route_host_del(&r);
	print_result("del", rc, &r);
	CHECK(rc == 0 && !r.added, "del: expected rc=0 added=0, seen rc=%d added=%d",
	      rc, r.added);
	rc = route_host_del(&r);
	CHECK(rc == 0, "repeated del: expected no-op rc=0, seen %d", rc);
	if (was_added) {
		r.added = true;
		rc = route_host_del(&r);
		print_result("del-gone", rc, &r);
		CHECK(rc == -ESRCH && !r.added,
		      "del of a gone route: expected rc=%d added=0, seen rc=%d added=%d",
		      -ESRCH, rc, r.added);
	}
	return check_done("cycle");
}

/* Checks that need no root and no network: formatting and argument guards. */
static int cmd_selftest(void)
{
	struct host_route r = { .has_gw = true, .oif = 1 };
	char buf[ROUTE_TEXT_MAX];
	int n;

	inet_pton(AF_INET, "192.0.2.1", &r.dst);
	inet_pton(AF_INET, "198.51.100.1", &r.gw);
	n = route_host_format(&r, buf, sizeof(buf));
	CHECK(n > 0 && strncmp(buf, "192.0.2.1 via 198.51.100.1 dev ", 31) == 0,
	      "format with gw: expected '192.0.2.1 via 198.51.100.1 dev <lo>', seen %d '%s'",
	      n, buf);
	CHECK(n == (int)strlen(buf), "format length: expected %zu, seen %d",
	      strlen(buf), n);

	r.has_gw = false;
	r.oif = 0;
	n = route_host_format(&r, buf, sizeof(buf));
	CHECK(n > 0 && strcmp(buf, "192.0.2.1 dev if0") == 0,
	      "format without gw: expected '192.0.2.1 dev if0', seen %d '%s'", n, buf);

	memset(buf, 'x', sizeof(buf));
	n = route_host_format(&r, buf, 8);
	CHECK(n == -ENOSPC && strlen(buf) == 7,
	      "format truncated: expected %d and 7 chars, seen %d and %zu", -ENOSPC,
	      n, strnlen(buf, sizeof(buf)));
	n = route_host_format(&r, buf, 0);
	CHECK(n == -EINVAL, "format cap 0: expected %d, seen %d", -EINVAL, n);

	r.added = false;
	n = route_host_del(&r);
	CHECK(n == 0, "del when not added: expected 0, seen %d", n);
	CHECK(route_host_del(NULL) == -EINVAL, "del NULL: expected %d", -EINVAL);
	CHECK(route_host_add(r.dst, 0, NULL) == -EINVAL,
	      "add NULL: expected %d", -EINVAL);
	return check_done("routing-selftest");
}

static int usage(void)
{
	fprintf(stderr, "usage: test_routing add|del|cycle DST [MARK]\n"
			"       test_routing selftest\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct in_addr dst;
	uint32_t mark = 0;
	char *end;

	if (argc == 2 && strcmp(argv[1], "selftest") == 0)
		return cmd_selftest();
	if (argc < 3 || argc > 4 || inet_pton(AF_INET, argv[2], &dst) != 1)
		return usage();
	if (argc == 4) {
		errno = 0;
		unsigned long v = strtoul(argv[3], &end, 0);
		if (errno || *end || v > UINT32_MAX)
			return usage();
		mark = (uint32_t)v;
	}
	if (strcmp(argv[1], "add") == 0)
		return cmd_add(dst, mark);
	if (strcmp(argv[1], "del") == 0)
		return cmd_del(dst, mark);
	if (strcmp(argv[1], "cycle") == 0)
		return cmd_cycle(dst, mark);
	return usage();
}
