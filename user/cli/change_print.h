/* SPDX-License-Identifier: GPL-2.0-only */
/* What a change did, as the commands that make one print it: a line per
 * edit ("user:bob: limit 5/min burst 5 -> allow"), or under -j one
 * document {"schema":1,"ok":true,"applied":..,"changes":[..]} with each
 * edit's before and after (smtpfence-json(7)). */
#ifndef SF_CLI_CHANGE_PRINT_H
#define SF_CLI_CHANGE_PRINT_H

#include "policy/change.h"

/* The whole transaction of the commands that change: edits made by
 * edit(c, arg) (which goes on past refused ones, -EINVAL, and returns any
 * other error), then commit and report. An exit code. */
int sf_change_run(const struct sf_ctx *ctx, const char *command, bool runtime,
		  int (*edit)(struct sf_change *c, void *arg), void *arg);

#endif /* SF_CLI_CHANGE_PRINT_H */
