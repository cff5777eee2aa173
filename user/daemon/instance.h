/* SPDX-License-Identifier: GPL-2.0-only */
/* One daemon per pin directory and per run directory: a second `run` is
 * refused before it touches anything, instead of taking over the pins and
 * deleting the first one's pid file. Both locks are flock(2)s the kernel
 * drops when the daemon dies, however it dies. */
#ifndef SF_INSTANCE_H
#define SF_INSTANCE_H

#include "util/context.h"

struct sf_instance {
	int pin_lock_fd; /* the pin directory, flock'd */
	int pid_fd;	 /* <run_dir>/smtpfence.pid, flock'd */
};

/* Takes both locks (never waiting). -EBUSY after one line naming the
 * daemon that holds them; other -errno after a "failed to" line. */
int sf_instance_claim(const struct sf_ctx *ctx, struct sf_instance *in);
/* Writes our pid into the locked pid file: `status` names us running. */
int sf_instance_publish(struct sf_instance *in);
/* Removes the pid file and drops the locks. */
void sf_instance_release(const struct sf_ctx *ctx, struct sf_instance *in);

#endif /* SF_INSTANCE_H */
