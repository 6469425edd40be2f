/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_vector.c: unit tests for the sorted call-id container. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "vector.h"

static int payload[1000];

static void test_empty(void)
{
	struct vector *v = vector_create();
	int key = 12345;

	CHECK(v != NULL, "vector_create: expected a vector, saw NULL");
	CHECK(vector_size(v) == 0, "size: expected 0, saw %zu", vector_size(v));
	CHECK(vector_search(v, 1) == NULL, "search empty: expected NULL");
	CHECK(vector_get_nth(v, 0, &key) == NULL && key == 12345,
	      "get_nth(0) on empty: expected NULL and key untouched, saw key %d",
	      key);
	CHECK(vector_remove(v, 1) == -ENOENT, "remove absent: expected -ENOENT");
	CHECK(vector_scan(v, 0, 10) == 0, "scan empty [0,10]: expected 0, saw %d",
	      vector_scan(v, 0, 10));
	CHECK(vector_scan(v, 5, 4) == -1, "scan lo>hi: expected -1, saw %d",
	      vector_scan(v, 5, 4));
	vector_destroy(v);
	vector_destroy(NULL);
}

static void test_sorted_insert(void)
{
	struct vector *v = vector_create();
	static const int keys[] = { 50, 10, 40, 20, 30, 0, 60, -5 };
	static const int sorted[] = { -5, 0, 10, 20, 30, 40, 50, 60 };
	const size_t n = sizeof(keys) / sizeof(keys[0]);

	for (size_t i = 0; i < n; i++) {
		int r = vector_insert(v, keys[i], &payload[i]);

		CHECK(r == 0, "insert %d: expected 0, saw %d", keys[i], r);
	}
	CHECK(vector_size(v) == n, "size: expected %zu, saw %zu", n,
	      vector_size(v));
	for (size_t i = 0; i < n; i++) {
		int key = INT_MIN;
		void *p = vector_get_nth(v, i, &key);

		CHECK(key == sorted[i], "nth(%zu): expected key %d, saw %d", i,
		      sorted[i], key);
		CHECK(p != NULL && p == vector_search(v, sorted[i]),
		      "nth(%zu): pointer differs from search(%d)", i, sorted[i]);
	}
	CHECK(vector_get_nth(v, n, NULL) == NULL,
	      "nth(size): expected NULL");
	for (size_t i = 0; i < n; i++)
		CHECK(vector_search(v, keys[i]) == &payload[i],
		      "search %d: expected its own pointer", keys[i]);
	CHECK(vector_search(v, 35) == NULL, "search 35: expected NULL");

	int r = vector_insert(v, 30, &payload[99]);

	CHECK(r == -EEXIST, "duplicate insert: expected -EEXIST, saw %d", r);
	CHECK(vector_search(v, 30) == &payload[4],
	      "duplicate insert must not replace the pointer");
	CHECK(vector_size(v) == n, "size after dup: expected %zu, saw %zu", n,
	      vector_size(v));

	CHECK(vector_remove(v, 30) == 0, "remove 30: expected 0");
	CHECK(vector_remove(v, 30) == -ENOENT, "remove 30 again: expected -ENOENT");
	CHECK(vector_search(v, 30) == NULL, "search removed: expected NULL");
	CHECK(vector_search(v, 40) == &payload[2], "neighbour 40 kept");
	CHECK(vector_remove(v, -5) == 0, "remove first");
	CHECK(vector_remove(v, 60) == 0, "remove last");
	int key = 0;

	vector_get_nth(v, 0, &key);
	CHECK(key == 0, "first after removals: expected 0, saw %d", key);
	vector_get_nth(v, vector_size(v) - 1, &key);
	CHECK(key == 50, "last after removals: expected 50, saw %d", key);
	vector_destroy(v);
}

static void test_scan(void)
{
	struct vector *v = vector_create();

	for (int k = 1; k <= 5; k++)
		vector_insert(v, k, &payload[k]);
	vector_insert(v, 7, &payload[7]);
	CHECK(vector_scan(v, 0, 10) == 0, "scan [0,10]: expected 0, saw %d",
	      vector_scan(v, 0, 10));
	CHECK(vector_scan(v, 1, 10) == 6, "scan [1,10]: expected 6, saw %d",
	      vector_scan(v, 1, 10));
	CHECK(vector_scan(v, 1, 5) == -1, "scan [1,5] all used: expected -1, saw %d",
	      vector_scan(v, 1, 5));
	CHECK(vector_scan(v, 7, 7) == -1, "scan [7,7]: expected -1, saw %d",
	      vector_scan(v, 7, 7));
	CHECK(vector_scan(v, 7, 9) == 8, "scan [7,9]: expected 8, saw %d",
	      vector_scan(v, 7, 9));
	CHECK(vector_scan(v, 3, 3) == -1, "scan [3,3]: expected -1");
	CHECK(vector_scan(v, 6, 6) == 6, "scan [6,6]: expected 6");
	vector_insert(v, 6, &payload[6]);
	CHECK(vector_scan(v, 1, 10) == 8, "scan after filling 6: expected 8, saw %d",
	      vector_scan(v, 1, 10));

	/* the top of the int range must not overflow */
	vector_insert(v, INT_MAX, &payload[0]);
	CHECK(vector_scan(v, INT_MAX, INT_MAX) == -1,
	      "scan [INT_MAX,INT_MAX] used: expected -1, saw %d",
	      vector_scan(v, INT_MAX, INT_MAX));
	vector_insert(v, INT_MAX - 1, &payload[0]);
	CHECK(vector_scan(v, INT_MAX - 1, INT_MAX) == -1,
	      "scan top two used: expected -1");
	CHECK(vector_scan(v, INT_MAX - 2, INT_MAX) == INT_MAX - 2,
	      "scan top three: expected INT_MAX-2");
	vector_destroy(v);
}

/* Random inserts/removes against a plain array model, many growth steps. */
static void test_random_model(void)
{
	enum { KEYS = 1000, OPS = 20000 };
	static bool present[KEYS];
	struct vector *v = vector_create();
	size_t count = 0;
	unsigned seed = 12345;
	int mismatches = 0;

	for (int i = 0; i < OPS; i++) {
		seed = seed * 1103515245u + 12345u;
		int key = (int)((seed >> 8) % KEYS);
		bool insert = (seed >> 30) & 1;
		int r;

		if (insert) {
			r = vector_insert(v, key, &payload[key]);
			if (r != (present[key] ? -EEXIST : 0))
				mismatches++;
			if (!present[key])
				count++;
			present[key] = true;
		} else {
			r = vector_remove(v, key);
			if (r != (present[key] ? 0 : -ENOENT))
				mismatches++;
			if (present[key])
				count--;
			present[key] = false;
		}
		if (vector_size(v) != count)
			mismatches++;
	}
	CHECK(mismatches == 0, "random model: expected 0 mismatches, saw %d",
	      mismatches);

	int prev = -1, lowest_free = -1;

	for (int k = 0; k < KEYS; k++) {
		void *p = vector_search(v, k);

		if (p != (present[k] ? &payload[k] : NULL))
			mismatches++;
		if (!present[k] && lowest_free < 0)
			lowest_free = k;
	}
	for (size_t i = 0; i < vector_size(v); i++) {
		int key;

		vector_get_nth(v, i, &key);
		if (key <= prev)
			mismatches++;
		prev = key;
	}
	CHECK(mismatches == 0, "final contents/order: expected 0 mismatches, saw %d",
	      mismatches);
	CHECK(vector_scan(v, 0, KEYS - 1) == lowest_free,
	      "scan: expected %d, saw %d", lowest_free, vector_scan(v, 0, KEYS - 1));
	vector_destroy(v);
}

int main(void)
{
	test_empty();
	test_sorted_insert();
	test_scan();
	test_random_model();
	return check_done("test_vector");
}
