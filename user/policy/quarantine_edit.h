/* SPDX-License-Identifier: GPL-2.0-only */
/* One change to the quarantines, a policy change like any other
 * (policy/change.h): under the policy lock, the list is edited, compiled
 * with the rest of the policy, synced into the maps (when smtpfence is
 * loaded) and written through the change's journal: whole or not at all,
 * even when the process is killed half-way. A policy that does not compile
 * leaves the file as it was. */
#ifndef SF_QUARANTINE_EDIT_H
#define SF_QUARANTINE_EDIT_H

#include "policy/change.h"
#include "policy/quarantine.h"
#include "util/context.h"

/* Edits c->s.quarantines (the policy is read, not yet compiled). Returns
 * 0, 1 for "nothing to change" (nothing is written), or -errno. */
typedef int (*sf_quarantine_edit_fn)(struct sf_change *c, void *arg);

/* 0, 1 (nothing changed), -EINVAL (bad configuration, said), or -errno. */
int sf_quarantine_edit(const struct sf_ctx *ctx, sf_quarantine_edit_fn fn, void *arg);

#endif /* SF_QUARANTINE_EDIT_H */
