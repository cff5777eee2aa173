/* SPDX-License-Identifier: GPL-2.0-only */
/* The service loop behind `smtpfence run`. */
#ifndef SF_DAEMON_H
#define SF_DAEMON_H

#include "util/context.h"

/* Loads or re-adopts, applies the policy, then consumes events, follows
 * recreated cgroups and reloads on SIGHUP until SIGTERM or SIGINT.
 * Returns an exit code (enum sf_exit). */
int sf_daemon_run(const struct sf_ctx *ctx);

#endif /* SF_DAEMON_H */
