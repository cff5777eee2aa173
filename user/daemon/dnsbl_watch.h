/* SPDX-License-Identifier: GPL-2.0-only */
/* The blocklist watch: every dnsbl_interval (and at start, and on
 * `smtpfence dnsbl --now`, SIGUSR1) one check runs in a worker thread, so
 * the DNS work never blocks the event loop. Its result is written to
 * RUN_DIR/dnsbl.json; a new listing is logged with SMTPFENCE_* fields,
 * published to subscribers and handed to the alert command. */
#ifndef SF_DNSBL_WATCH_H
#define SF_DNSBL_WATCH_H

#include "daemon/observe.h"
#include "policy/policy.h"
#include "util/context.h"

#include <stdbool.h>

struct sf_dnsbl_watch;

struct sf_dnsbl_watch *sf_dnsbl_watch_new(const struct sf_ctx *ctx, struct sf_observe *obs);
/* After every policy applied: new zones or addresses are checked at once. */
void sf_dnsbl_watch_configure(struct sf_dnsbl_watch *w, const struct sf_dnsbl_config *c);
/* Readable when a check finished; then call sf_dnsbl_watch_done. */
int sf_dnsbl_watch_fd(const struct sf_dnsbl_watch *w);
/* Takes the finished check. True when "any address listed" changed. */
bool sf_dnsbl_watch_done(struct sf_dnsbl_watch *w);
/* Starts a check when one is due and none is running. */
void sf_dnsbl_watch_tick(struct sf_dnsbl_watch *w);
/* Checks at the next tick. */
void sf_dnsbl_watch_now(struct sf_dnsbl_watch *w);
/* Waits for a running check, then frees. */
void sf_dnsbl_watch_free(struct sf_dnsbl_watch *w);

#endif /* SF_DNSBL_WATCH_H */
