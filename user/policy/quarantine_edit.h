/* SPDX-License-Identifier: GPL-2.0-only */
/* One change to the quarantines, whole or not at all: under the policy
 * lock, the list is edited, written, compiled with the rest of the policy
 * and synced into the maps (when smtpfence is loaded). A policy that does
 * not compile leaves the file as it was. */
#ifndef SF_QUARANTINE_EDIT_H
#define SF_QUARANTINE_EDIT_H

#include "policy/quarantine.h"
#include "policy/session.h"
#include "util/context.h"

/* Edits s->quarantines (the policy is read, not yet compiled). Returns 0,
 * 1 for "nothing to change" (nothing is written), or -errno. */
typedef int (*sf_quarantine_edit_fn)(struct sf_session *s, void *arg);

/* 0, 1 (nothing changed), -EINVAL (bad configuration, said), or -errno. */
int sf_quarantine_edit(const struct sf_ctx *ctx, sf_quarantine_edit_fn fn, void *arg);

#endif /* SF_QUARANTINE_EDIT_H */
