/* SPDX-License-Identifier: GPL-2.0-only */
/* The daemon's side of quarantines: an alert that crosses a threshold
 * quarantines its tenant (with the rule's or [global]'s `quarantine =`),
 * quarantines end on time, and every start and end -- by an alert, by
 * hand with the CLI, by expiry, also one that expired while the daemon was
 * down -- is logged with SMTPFENCE_* fields, published to `events -f`
 * subscribers and handed to the alert command. */
#ifndef SF_QUARANTINE_WATCH_H
#define SF_QUARANTINE_WATCH_H

#include "daemon/observe.h"
#include "policy/quarantine.h"
#include "util/context.h"

#include <stdbool.h>

struct sf_qwatch;

/* Ends what expired while the daemon was down; hooks into the alerts. */
struct sf_qwatch *sf_qwatch_new(const struct sf_ctx *ctx, struct sf_observe *obs);
/* About every quarter second: notices the CLI's changes, ends expired
 * quarantines. True when the maps were changed (tenants are re-read). */
bool sf_qwatch_tick(struct sf_qwatch *q);
void sf_qwatch_free(struct sf_qwatch *q);
/* When no daemon runs, the CLI says a start or end itself: the same
 * record and alert command (the daemon, when it starts, knows it). */
void sf_quarantine_announce(const char *alert_command, const struct sf_quarantine *e, bool start,
			    const char *why);

#endif /* SF_QUARANTINE_WATCH_H */
