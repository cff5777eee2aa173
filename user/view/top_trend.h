/* SPDX-License-Identifier: GPL-2.0-only */
/* top's trend column: each tenant's attempts/s over the last samples
 * (SF_TOP_TREND of them), kept by tenant name across samples. */
#ifndef SF_TOP_TREND_H
#define SF_TOP_TREND_H

#include "view/top_rows.h"

struct sf_top_trends;

struct sf_top_trends *sf_top_trends_new(void);
void sf_top_trends_free(struct sf_top_trends *t);
/* Adds r's attempts/s (when it has a rate) to its tenant's history and
 * copies the history into r->trend. A sample with no row for a tenant
 * adds nothing for it: its history waits. */
void sf_top_trends_push(struct sf_top_trends *t, struct sf_top_row *r);
/* Forgets every history (the grouping changed: other names). */
void sf_top_trends_clear(struct sf_top_trends *t);

#endif /* SF_TOP_TREND_H */
