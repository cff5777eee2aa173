/* SPDX-License-Identifier: GPL-2.0-only */
/* Turns kernel events into records a person reads: names for the user,
 * the cgroup and the deciding rule. */
#ifndef SF_EVENTS_H
#define SF_EVENTS_H

#include "smtpfence.h"

#include <stddef.h>

struct sf_namer;

struct sf_namer *sf_namer_new(const char *cgroup_mount);
void sf_namer_free(struct sf_namer *n);
/* Relative cgroup path for an id ("?" when it is gone). */
const char *sf_namer_cgroup(struct sf_namer *n, __u64 id);
/* The same, NULL when no cgroup has that id (any more). */
const char *sf_namer_find(struct sf_namer *n, __u64 id);

const char *sf_verdict_name(__u32 verdict);
/* "1.2.3.4:25" or "[2001:db8::1]:25". */
void sf_format_dest(__u16 family, const __u8 *addr, __be16 port, char *buf, size_t len);
/* The deciding rule as a target ("user:bob", "cgroup:/t/acme", "default"). */
void sf_format_rule(struct sf_namer *n, __u32 kind, __u64 id, char *buf, size_t len);
/* The rule that decided an event (a source rule needs the event's address). */
void sf_format_event_rule(struct sf_namer *n, const struct sf_event *e, char *buf, size_t len);
/* One line: "deny swaks[123] user bob(1000) cgroup /t/a -> 1.2.3.4:25 by default". */
void sf_format_event(struct sf_namer *n, const struct sf_event *e, char *buf, size_t len);

#endif /* SF_EVENTS_H */
