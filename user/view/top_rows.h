/* SPDX-License-Identifier: GPL-2.0-only */
/* The rows of `top`: one tenant's rates between two samples, and their
 * order. Pure: no maps, no clock. */
#ifndef SF_TOP_ROWS_H
#define SF_TOP_ROWS_H

#include "view/tenant_sum.h"

#include <stdbool.h>
#include <stddef.h>

enum sf_top_sort {
	SF_TOP_SORT_ATTEMPTS, /* attempts/s */
	SF_TOP_SORT_DENIED,   /* denied/s */
	SF_TOP_SORT_LIMITED,  /* limited/s */
	SF_TOP_SORT_TOTAL,    /* attempts since counted */
	SF_TOP_SORT_LAST,     /* most recent first */
	SF_TOP_SORT_TENANT,   /* by name */
	SF_TOP_SORT_COUNT,
};

struct sf_top_row {
	const struct sf_tenant_sum *sum;
	bool has_rate; /* false on the first sample */
	double attempts_s, denied_s, limited_s;
	char dest[64];
	char user[64];
	char process[48]; /* "comm[pid]", or "-" when no event named it */
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

#endif /* SF_TOP_ROWS_H */
