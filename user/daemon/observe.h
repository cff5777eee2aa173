/* SPDX-License-Identifier: GPL-2.0-only */
/* Everything the daemon does to let the admin see what happens: names each
 * kernel event and hands it to the log, the alerts and the subscribers,
 * and serves the metrics endpoint. daemon.c calls in here and nowhere
 * else for it. */
#ifndef SF_OBSERVE_H
#define SF_OBSERVE_H

#include "util/context.h"
#include "kernel/pins.h"
#include "policy/policy.h"

#include <stddef.h>

struct sf_observe;

struct sf_observe *sf_observe_new(const struct sf_ctx *ctx);
/* After every policy applied: (re)starts the metrics endpoint when its
 * address changed, takes the new thresholds, opens the event socket the
 * first time. Failures are logged; enforcement goes on regardless. */
void sf_observe_configure(struct sf_observe *o, const struct sf_policy *p, const struct sf_maps *m,
			  const char *cgroup_mount);
/* The fd to poll for POLLIN (subscribers), or -1. */
int sf_observe_fd(const struct sf_observe *o);
void sf_observe_io(struct sf_observe *o);
/* A ring buffer record. */
void sf_observe_event(struct sf_observe *o, const void *data, size_t size);
/* About every quarter second: closes folded windows, reaps alert commands. */
void sf_observe_tick(struct sf_observe *o);
/* The alerts (for the quarantine and the blocklist watch). */
struct sf_alerts *sf_observe_alerts(struct sf_observe *o);
/* Hands one JSON record ({"type":...}) to `events -f` subscribers. */
void sf_observe_publish(struct sf_observe *o, const char *json);
/* Logs what is still folded, closes the socket, stops the endpoint. */
/* The result of a configuration load (the start's, then each reload's), for
 * smtpfence_last_reload_success and _timestamp_seconds. */
void sf_observe_reloaded(struct sf_observe *o, bool ok);
void sf_observe_free(struct sf_observe *o);

#endif /* SF_OBSERVE_H */
