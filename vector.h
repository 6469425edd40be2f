/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vector.h: a small container mapping int keys (call ids) to pointers, sorted by key. */
#ifndef PPTP_VECTOR_H
#define PPTP_VECTOR_H

#include <stddef.h>

struct vector;

/* An empty vector, or NULL when out of memory. */
struct vector *vector_create(void);
/* Frees the container only, never the pointers stored in it. NULL is fine. */
void vector_destroy(struct vector *v);
/* 0, -EEXIST if key is present (nothing changed), -ENOMEM. Kept sorted. */
int vector_insert(struct vector *v, int key, void *ptr);
/* 0, -ENOENT if key is absent. */
int vector_remove(struct vector *v, int key);
/* The pointer stored under key, NULL if absent (binary search). */
void *vector_search(const struct vector *v, int key);
size_t vector_size(const struct vector *v);
/* The n-th entry in ascending key order (key stored in *key unless key is
 * NULL), NULL if n is out of range. */
void *vector_get_nth(const struct vector *v, size_t n, int *key);
/* The lowest key in [lo,hi] not present, or -1 if all are used (or lo > hi).
 * Meant for non-negative key ranges such as call ids. */
int vector_scan(const struct vector *v, int lo, int hi);

#endif
