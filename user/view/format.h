/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel values as text: verdicts, destinations, deciding rules. */
#ifndef SF_FORMAT_H
#define SF_FORMAT_H

#include "view/names.h"

#include <stddef.h>

const char *sf_verdict_name(__u32 verdict);
/* "1.2.3.4:25" or "[2001:db8::1]:25". */
void sf_format_dest(__u16 family, const __u8 *addr, __be16 port, char *buf, size_t len);
/* The deciding rule as a target ("user:bob", "cgroup:/t/acme", "default"). */
void sf_format_rule(struct sf_namer *n, __u32 kind, __u64 id, char *buf, size_t len);
/* The rule that decided an event (a source rule needs the event's address). */
void sf_format_event_rule(struct sf_namer *n, const struct sf_event *e, char *buf, size_t len);

#endif /* SF_FORMAT_H */
