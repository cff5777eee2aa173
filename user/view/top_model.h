/* SPDX-License-Identifier: GPL-2.0-only */
/* What `top` shows, apart from how: per-tenant rows with rates between
 * two samples of the pinned maps, host totals, rules, map fill and lost
 * events; and, when the daemon runs, the last process of each tenant from
 * its event stream. Shared by the full-screen view and --batch. */
#ifndef SF_TOP_MODEL_H
#define SF_TOP_MODEL_H

#include "kernel/pins.h"
#include "view/tenant_sum.h"
#include "view/top_rows.h"

#include <stdbool.h>
#include <stdio.h>

struct sf_top_header {
	struct sf_totals totals;
	bool has_rate;
	double attempts_s, denied_s, limited_s;
	size_t rules_per_kind[SF_RULE_KINDS];
	size_t n_rules, max_rules;
	size_t n_flows, max_flows;
	size_t n_tenants; /* before the filter */
	bool events_live; /* connected to the daemon's event stream */
};

struct sf_top_model;

/* maps must stay open while the model lives; it takes t. run_dir: the
 * daemon's. */
struct sf_top_model *sf_top_model_new(const struct sf_maps *maps, struct sf_tenants *t,
				      const char *run_dir);
void sf_top_model_free(struct sf_top_model *m);

void sf_top_model_group(struct sf_top_model *m, enum sf_group_by by);
enum sf_group_by sf_top_model_grouping(const struct sf_top_model *m);
void sf_top_model_sort(struct sf_top_model *m, enum sf_top_sort sort, bool reverse);
enum sf_top_sort sf_top_model_sort_column(const struct sf_top_model *m);
bool sf_top_model_sort_reversed(const struct sf_top_model *m);
/* Rows whose tenant, user, destination or process contain text ("" = all). */
void sf_top_model_filter(struct sf_top_model *m, const char *text);
const char *sf_top_model_filter_text(const struct sf_top_model *m);

/* Reads the maps and the event stream; rates are against the last sample. */
int sf_top_model_sample(struct sf_top_model *m);
/* Sorts and filters the last sample again (after a key, without reading). */
void sf_top_model_arrange(struct sf_top_model *m);
const struct sf_top_header *sf_top_model_header(const struct sf_top_model *m);
const struct sf_top_row *sf_top_model_rows(const struct sf_top_model *m, size_t *n);

/* "attempts/s", "total attempts", ...: for the header. */
const char *sf_top_sort_label(enum sf_top_sort s);

/* The run dir the model reads events (and the views quarantines) from. */
const char *sf_top_model_run_dir(const struct sf_top_model *m);

#endif /* SF_TOP_MODEL_H */
