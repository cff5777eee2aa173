/* SPDX-License-Identifier: GPL-2.0-only */
/* The service loop behind `smtpfence run`. */
#ifndef SF_DAEMON_H
#define SF_DAEMON_H

#include "util/context.h"

#include <stddef.h>

/* Loads or re-adopts, applies the policy, then consumes events, follows
 * recreated cgroups and reloads on SIGHUP until SIGTERM or SIGINT.
 * Returns an exit code (enum sf_exit). */
#define SF_DAEMON_MAX_TC_DEVS 64

/* What `run` takes besides the global options. */
struct sf_daemon_opts {
	const char *cgroup;			    /* attach point (default: the cgroup-v2 root) */
	const char *tc_devs[SF_DAEMON_MAX_TC_DEVS]; /* besides `interfaces =` */
	size_t n_tc_devs;
};

int sf_daemon_run(const struct sf_ctx *ctx, const struct sf_daemon_opts *opts);

#endif /* SF_DAEMON_H */
