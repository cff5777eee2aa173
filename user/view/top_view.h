/* SPDX-License-Identifier: GPL-2.0-only */
/* `top`'s full-screen view (ncurses), driven by keys as top(1) is. */
#ifndef SF_TOP_VIEW_H
#define SF_TOP_VIEW_H

#include "view/top_text.h"

/* Runs until 'q' (or after frames samples, when frames > 0). 0 or -errno. */
int sf_top_view_run(struct sf_top_model *m, struct sf_top_state *st, long frames);

#endif /* SF_TOP_VIEW_H */
