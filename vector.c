/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vector.c: a small container mapping int keys (call ids) to pointers, sorted by key. */
#include "vector.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Room for a handful of calls before the first growth; the array doubles. */
#define VECTOR_INITIAL_CAP 8

struct vector_entry {
	int key;
	void *ptr;
};

struct vector {
	struct vector_entry *e;
	size_t n;   /* entries used, sorted by ascending key, keys unique */
	size_t cap; /* entries allocated */
};

struct vector *vector_create(void)
{
	return calloc(1, sizeof(struct vector));
}

void vector_destroy(struct vector *v)
{
	if (!v)
		return;
	free(v->e);
	free(v);
}

/* Index of the first entry whose key is >= key (v->n if none). */
static size_t lower_bound(const struct vector *v, int key)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->e[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool has_key_at(const struct vector *v, size_t i, int key)
{
	return i < v->n && v->e[i].key == key;
}

static int grow(struct vector *v)
{
	size_t cap = v->cap ? v->cap * 2 : VECTOR_INITIAL_CAP;
	struct vector_entry *e;

	if (cap < v->cap || cap > SIZE_MAX / sizeof(*e))
		return -ENOMEM;
	e = realloc(v->e, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	v->e = e;
	v->cap = cap;
	return 0;
}

int vector_insert(struct vector *v, int key, void *ptr)
{
	size_t i = lower_bound(v, key);

	if (has_key_at(v, i, key))
		return -EEXIST;
	if (v->n == v->cap) {
		int err = grow(v);

		if (err)
			return err;
	}
	memmove(&v->e[i + 1], &v->e[i], (v->n - i) * sizeof(v->e[0]));
	v->e[i].key = key;
	v->e[i].ptr = ptr;
	v->n++;
	return 0;
}

int vector_remove(struct vector *v, int key)
{
	size_t i = lower_bound(v, key);

	if (!has_key_at(v, i, key))
		return -ENOENT;
	v->n--;
	memmove(&v->e[i], &v->e[i + 1], (v->n - i) * sizeof(v->e[0]));
	return 0;
}

void *vector_search(const struct vector *v, int key)
{
	size_t i = lower_bound(v, key);

	return has_key_at(v, i, key) ? v->e[i].ptr : NULL;
}

size_t vector_size(const struct vector *v)
{
	return v->n;
}

void *vector_get_nth(const struct vector *v, size_t n, int *key)
{
	if (n >= v->n)
		return NULL;
	if (key)
		*key = v->e[n].key;
	return v->e[n].ptr;
}

int vector_scan(const struct vector *v, int lo, int hi)
{
	if (lo > hi)
		return -1;

	/* keys are unique and sorted: walk the run of used keys from lo */
	size_t i = lower_bound(v, lo);
	int candidate = lo;

	while (has_key_at(v, i, candidate)) {
		if (candidate == hi)
			return -1;
		candidate++;
		i++;
	}
	return candidate;
}
