/* SPDX-License-Identifier: GPL-2.0-only */
/* One change to the policy, done whole or not at all: take the lock, read
 * the configuration and the runtime layer, compile, sync the maps. */
#ifndef SF_SESSION_H
#define SF_SESSION_H

#include "policy/compile.h"
#include "util/context.h"
#include "util/diag.h"
#include "kernel/pins.h"
#include "policy/policy.h"
#include "policy/quarantine.h"

#include <limits.h>
#include <stdbool.h>

struct sf_session {
	const struct sf_ctx *ctx;
	int lock_fd;
	char cgroup_mount[PATH_MAX];
	char runtime_path[PATH_MAX];
	struct sf_policy config; /* files (or embedded default) only */
	struct sf_runtime runtime;
	struct sf_quarantines quarantines; /* RUN_DIR/quarantine.json, expired ones too */
	bool listed;			   /* an address is on a blocklist (dnsbl.json) */
	struct sf_policy effective;	   /* config overlaid with runtime and quarantines */
	struct sf_compiled compiled;
	struct sf_diag diag;
	bool compiled_ok;
	/* Not root, reading only: the run directory (root's, 0700) was not
	 * read, so the runtime layer and the quarantines are left out. */
	bool runtime_unread;
};

/* Takes the lock (blocking) if asked, and reads both layers. Problems go to
 * s->diag; returns -EINVAL for a bad configuration. Without the lock and
 * not as root, a run directory this user may not read is left out
 * (runtime_unread) rather than an error: check-config as a user. */
int sf_session_begin(struct sf_session *s, const struct sf_ctx *ctx, bool lock);
/* Rebuilds the effective policy from the layers and compiles it: the
 * quarantines in force at this moment override their tenants' rules, and
 * on_listed the default while an address is listed. */
int sf_session_compile(struct sf_session *s);
/* Begins and compiles; on a problem says each (and, when refused is not
 * NULL, "REFUSED refused: the policy in force is unchanged") and returns
 * its error (-EINVAL: a bad configuration). End the session either way. */
int sf_session_load(struct sf_session *s, const struct sf_ctx *ctx, bool lock, const char *refused);
/* Syncs the compiled policy into the maps (if smtpfence is loaded). */
int sf_session_sync(struct sf_session *s, const struct sf_maps *m);
void sf_session_end(struct sf_session *s);
/* Asks a running daemon to re-read the policy (SIGHUP). */
void sf_session_poke_daemon(const struct sf_ctx *ctx);
int sf_daemon_pid(const struct sf_ctx *ctx);
/* Whether a command or the daemon holds the policy lock now: 1 or 0, or
 * -errno when that cannot be told (the run directory is root's). */
int sf_session_lock_held(const struct sf_ctx *ctx);

#endif /* SF_SESSION_H */
