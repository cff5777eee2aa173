/* SPDX-License-Identifier: GPL-2.0-only */
/* The lines `top` shows, as plain text: the full-screen view draws them,
 * --batch prints them. */
#ifndef SF_TOP_TEXT_H
#define SF_TOP_TEXT_H

#include "view/top_model.h"

#include <stdbool.h>
#include <stddef.h>

#define SF_TOP_LINE	    512
#define SF_TOP_HEADER_LINES 4

struct sf_top_state {
	double interval_s;
	bool paused;
};

/* Fills SF_TOP_HEADER_LINES lines. */
void sf_top_text_header(const struct sf_top_model *m, const struct sf_top_state *st,
			char lines[SF_TOP_HEADER_LINES][SF_TOP_LINE]);
/* The tenant column's width for these rows (at least 6, at most max). */
int sf_top_text_tenant_width(const struct sf_top_row *rows, size_t n, int max);
void sf_top_text_titles(int tenant_w, char *buf, size_t len);
void sf_top_text_row(const struct sf_top_row *r, int tenant_w, char *buf, size_t len);

#endif /* SF_TOP_TEXT_H */
