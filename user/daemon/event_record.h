/* SPDX-License-Identifier: GPL-2.0-only */
/* One kernel event with every name resolved at once (the process, user
 * and cgroup may be gone a moment later): what the log, the history,
 * subscribers and alerts all see. */
#ifndef SF_EVENT_RECORD_H
#define SF_EVENT_RECORD_H

#include "smtpfence.h"
#include "view/tenants.h"

#include <json-c/json.h>
#include <netinet/in.h>
#include <stddef.h>

#define SF_NAME_LEN 512

struct sf_event_record {
	struct sf_event e;
	char comm[SF_COMM_LEN + 1];
	char user[64];
	char cgroup[SF_NAME_LEN];
	char tenant[SF_NAME_LEN];
	char rule[SF_NAME_LEN];
	char daddr[INET6_ADDRSTRLEN];
	char saddr[INET6_ADDRSTRLEN];	 /* forwarded: the source */
	char dest[INET6_ADDRSTRLEN + 8]; /* "1.2.3.4:25", "[2001:db8::1]:25" */
	char time[40];			 /* RFC 3339, UTC */
};

void sf_event_record_fill(struct sf_tenants *t, const struct sf_event *e,
			  struct sf_event_record *r);
/* The sentence the log shows: "deny swaks[123] user bob(1000) cgroup
 * /t/a -> 192.0.2.1:25 by default", or "deny forwarded from 10.0.0.5 ->
 * 192.0.2.1:25 by source:10.0.0.0/24" (the same as sf_format_event). */
void sf_event_record_text(const struct sf_event_record *r, char *buf, size_t len);
/* {"type":"event","time":..,"pid":..,"comm":..,"uid":..,"user":..,
 *  "cgroup":..,"tenant":..,"daddr":..,"dport":..,"verdict":..,"rule":..}. */
json_object *sf_event_record_json(const struct sf_event_record *r);

#endif /* SF_EVENT_RECORD_H */
