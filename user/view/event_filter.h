/* SPDX-License-Identifier: GPL-2.0-only */
/* Which records `events` shows: --target (the tenant, user, group,
 * cgroup subtree, unit or destination a record is about) and --since (a
 * time, or a duration ago). Pure: unit-tested without a daemon. */
#ifndef SF_EVENT_FILTER_H
#define SF_EVENT_FILTER_H

#include "policy/parse.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct sf_event_filter {
	bool has_target;
	struct sf_target_spec target;
	long long uid_gid; /* user:/group: resolved to a number, -1: by name only */
	bool has_since;
	time_t since; /* UTC seconds */
};

/* "user:NAME|UID", "group:...", "cgroup:/P", "unit:NAME", "dest:CIDR" (not
 * "source:", which no event is about). 0, or -EINVAL with err. */
int sf_event_filter_target(struct sf_event_filter *f, const char *target, char *err, size_t len);
/* "90s", "10m", "2h", "1d" (that long before now), "2026-12-02T07:00:00Z"
 * (UTC), "2026-12-02 07:00[:SS]" (local time), or "today". 0, or -EINVAL. */
int sf_event_filter_since(struct sf_event_filter *f, const char *when, time_t now, char *err,
			  size_t len);
/* Whether record o (one line of the event socket) passes. A "lost" marker
 * always passes: a reader must know it missed some. */
bool sf_event_filter_match(const struct sf_event_filter *f, json_object *o);

#endif /* SF_EVENT_FILTER_H */
