/* SPDX-License-Identifier: GPL-2.0-only */
/* The rows of `top`: one tenant's rates between two samples, and their
 * order. Pure: no maps, no clock. */
#ifndef SF_TOP_ROWS_H
#define SF_TOP_ROWS_H

#include "view/tenant_sum.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sf_top_sort {
	SF_TOP_SORT_ATTEMPTS, /* attempts/s */
	SF_TOP_SORT_DENIED,   /* denied/s */
	SF_TOP_SORT_LIMITED,  /* limited/s */
	SF_TOP_SORT_TOTAL,    /* attempts since counted */
	SF_TOP_SORT_LAST,     /* most recent first */
	SF_TOP_SORT_TENANT,   /* by name */
	SF_TOP_SORT_COUNT,
};

/* The trend column: attempts/s of the last minute, one point a sample. */
#define SF_TOP_TREND	   60 /* points kept */
#define SF_TOP_TREND_WIDTH 10 /* characters shown */

struct sf_top_row {
	const struct sf_tenant_sum *sum;
	int action;		   /* enum sf_action the rules give it; SF_ACT_NONE: none */
	bool quarantined;	   /* a quarantine is in force on it */
	float trend[SF_TOP_TREND]; /* oldest first */
	size_t n_trend;
	bool has_rate; /* false on the first sample */
	double attempts_s, denied_s, limited_s;
	char dest[64];
	char user[64];
	char process[48];	       /* "comm[pid]", or "-" when no event named it */
	uint64_t messages, recipients; /* the policy service counted (by tenant) */
};

/* The columns' names, as --sort takes them, NULL-terminated. */
extern const char *const sf_top_sort_names[SF_TOP_SORT_COUNT + 1];

/* Per second between two readings of a counter; 0 when it did not grow. */
double sf_top_rate(__u64 now, __u64 before, double dt);
/* r's rates from s against the previous sample (NULL: the first, no
 * rates); a tenant new since then counts from zero. */
void sf_top_row_rates(struct sf_top_row *r, const struct sf_tenant_sum *s,
		      const struct sf_tenant_set *prev, double dt);
/* Largest first by the column (tenant: A to Z); ties by total attempts,
 * then by name. reverse turns the order round. */
void sf_top_rows_sort(struct sf_top_row *v, size_t n, enum sf_top_sort sort, bool reverse);

/* "deny", "log", "limit", "redirect", "allow", "quarantined" or "-". */
const char *sf_top_row_action(const struct sf_top_row *r);
/* The last `width` points of v as a sparkline scaled to their maximum:
 * block characters (utf8) or " .:-=+*#"; a space for no point. */
void sf_top_sparkline(const float *v, size_t n, size_t width, bool utf8, char *buf, size_t len);

#endif /* SF_TOP_ROWS_H */
