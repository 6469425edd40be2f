/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gre_stats.c: what is made of the counter list (gre_stats.h). */
#include "gre_stats.h"

#include <stdio.h>
#include <syslog.h>

/* One "name=value\n" of the status record, typed by the field. */
static int put_u32(char *buf, size_t cap, const char *k, uint32_t v)
{
	return snprintf(buf, cap, "%s=%u\n", k, v);
}

static int put_s32(char *buf, size_t cap, const char *k, int32_t v)
{
	return snprintf(buf, cap, "%s=%d\n", k, v);
}

static int put_u64(char *buf, size_t cap, const char *k, uint64_t v)
{
	return snprintf(buf, cap, "%s=%llu\n", k, (unsigned long long)v);
}

#define GRE_STATS_PUT(v) _Generic((v),					\
	uint32_t: put_u32, int32_t: put_s32, uint64_t: put_u64)

#define GRE_STATS_LINE(type, name, dump, heading, width)		\
	n = GRE_STATS_PUT(s->name)(buf + (len < cap ? len : cap),	\
				   len < cap ? cap - len : 0, #name, s->name); \
	if (n < 0)							\
		return n;						\
	len += (size_t)n;

int gre_stats_format(char *buf, size_t cap, const struct gre_stats *s)
{
	size_t len = 0;
	int n;

	GRE_STATS(GRE_STATS_LINE)
	return (int)len;
}

int gre_stats_format_late(char *buf, size_t cap, const struct gre_stats *s)
{
	size_t len = 0;
	int n;

	GRE_STATS_LATE(GRE_STATS_LINE)
	return (int)len;
}
#undef GRE_STATS_LINE

/* The dump's lines: the heading, then each counter that has one. */
struct dump_row {
	const char *fmt;
	size_t off;
	enum { DUMP_U32, DUMP_S32, DUMP_U64 } type;
};

#define GRE_STATS_TYPE(v) _Generic((v),					\
	uint32_t: DUMP_U32, int32_t: DUMP_S32, uint64_t: DUMP_U64)
#define GRE_STATS_DUMP_ROW(type, name, dump, heading, width)		\
	{ dump, offsetof(struct gre_stats, name),			\
	  GRE_STATS_TYPE(((struct gre_stats *)0)->name) },
static const struct dump_row dump_rows[] = {
	GRE_STATS(GRE_STATS_DUMP_ROW)
	GRE_STATS_LATE(GRE_STATS_DUMP_ROW)
};
#undef GRE_STATS_DUMP_ROW

/* pptp-linux prints every counter as an int. */
static int dump_value(const struct gre_stats *s, const struct dump_row *r)
{
	const char *p = (const char *)s + r->off;

	switch (r->type) {
	case DUMP_S32: return *(const int32_t *)(const void *)p;
	case DUMP_U64: return (int)*(const uint64_t *)(const void *)p;
	default: return (int)*(const uint32_t *)(const void *)p;
	}
}

bool gre_stats_dump_line(const struct gre_stats *s, unsigned i, char *buf,
			 size_t cap)
{
	if (i == 0) {
		snprintf(buf, cap, "GRE statistics:\n");
		return true;
	}
	for (size_t k = 0; k < sizeof(dump_rows) / sizeof(dump_rows[0]); k++) {
		if (!dump_rows[k].fmt || --i > 0)
			continue;
		snprintf(buf, cap, dump_rows[k].fmt, dump_value(s, &dump_rows[k]));
		return true;
	}
	return false;
}

void gre_stats_dump_syslog(const struct gre_stats *s)
{
	char line[64];

	for (unsigned i = 0; gre_stats_dump_line(s, i, line, sizeof(line)); i++)
		syslog(LOG_NOTICE, "%s", line);
}

#define GRE_STATS_COLUMN(type, name, dump, heading, width) { heading, #name, width },
const struct gre_stats_column gre_stats_columns[] = {
	GRE_STATS(GRE_STATS_COLUMN)
	GRE_STATS_LATE(GRE_STATS_COLUMN)
};
#undef GRE_STATS_COLUMN
const size_t gre_stats_ncolumns =
	sizeof(gre_stats_columns) / sizeof(gre_stats_columns[0]);
