// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/event_record.h"
#include "view/format.h"
#include "util/clock.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static void rule_name(struct sf_tenants *t, const struct sf_event *e, char *buf, size_t len)
{
	switch (e->rule_kind) {
	case SF_KIND_CGROUP:
		snprintf(buf, len, "cgroup:%s", sf_tenants_cgroup(t, e->rule_id));
		break;
	case SF_KIND_UID:
		snprintf(buf, len, "user:%s", sf_tenants_user(t, (__u32)e->rule_id));
		break;
	default:
		/* default, exempt, group, source: no cache needed */
		sf_format_event_rule(NULL, e, buf, len);
	}
}

void sf_event_record_fill(struct sf_tenants *t, const struct sf_event *e, struct sf_event_record *r)
{
	memset(r, 0, sizeof(*r));
	r->e = *e;
	memcpy(r->comm, e->comm, SF_COMM_LEN);
	snprintf(r->user, sizeof(r->user), "%s", sf_tenants_user(t, e->uid));
	snprintf(r->cgroup, sizeof(r->cgroup), "%s", sf_tenants_cgroup(t, e->cgroup_id));
	snprintf(r->tenant, sizeof(r->tenant), "%s",
		 sf_tenants_of(t, SF_BY_TENANT, e->cgroup_id, e->uid));
	rule_name(t, e, r->rule, sizeof(r->rule));
	inet_ntop(e->family == 2 ? AF_INET : AF_INET6, e->daddr, r->daddr, sizeof(r->daddr));
	if (e->flags & SF_EVENT_FORWARDED)
		inet_ntop(e->family == 2 ? AF_INET : AF_INET6, e->saddr, r->saddr,
			  sizeof(r->saddr));
	sf_format_dest(e->family, e->daddr, e->dport, r->dest, sizeof(r->dest));
	sf_format_rfc3339(e->ts_ns, r->time, sizeof(r->time));
}

void sf_event_record_text(const struct sf_event_record *r, char *buf, size_t len)
{
	if (r->e.flags & SF_EVENT_FORWARDED)
		snprintf(buf, len, "%s forwarded from %s -> %s by %s",
			 sf_verdict_name(r->e.verdict), r->saddr, r->dest, r->rule);
	else
		snprintf(buf, len, "%s%s %s[%u] user %s(%u) cgroup %s -> %s by %s",
			 sf_verdict_name(r->e.verdict),
			 r->e.flags & SF_EVENT_BYPASS ? " bypass" : "", r->comm, r->e.pid, r->user,
			 r->e.uid, r->cgroup, r->dest, r->rule);
}

json_object *sf_event_record_json(const struct sf_event_record *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("event"));
	json_object_object_add(o, "time", json_object_new_string(r->time));
	json_object_object_add(o, "ts_ns", json_object_new_uint64(r->e.ts_ns));
	json_object_object_add(o, "pid", json_object_new_int64(r->e.pid));
	json_object_object_add(o, "tid", json_object_new_int64(r->e.tid));
	json_object_object_add(o, "comm", json_object_new_string(r->comm));
	json_object_object_add(o, "uid", json_object_new_int64(r->e.uid));
	json_object_object_add(o, "user", json_object_new_string(r->user));
	json_object_object_add(o, "gid", json_object_new_int64(r->e.gid));
	json_object_object_add(o, "cgroup", json_object_new_string(r->cgroup));
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(r->e.cgroup_id));
	json_object_object_add(o, "tenant", json_object_new_string(r->tenant));
	json_object_object_add(o, "family",
			       json_object_new_string(r->e.family == 2 ? "ipv4" : "ipv6"));
	json_object_object_add(o, "daddr", json_object_new_string(r->daddr));
	json_object_object_add(o, "dport", json_object_new_int(ntohs(r->e.dport)));
	json_object_object_add(o, "dest", json_object_new_string(r->dest));
	json_object_object_add(o, "verdict", json_object_new_string(sf_verdict_name(r->e.verdict)));
	json_object_object_add(o, "rule", json_object_new_string(r->rule));
	/* bypass: judged by the egress backstop, the socket skipped connect */
	json_object_object_add(o, "bypass", json_object_new_boolean(r->e.flags & SF_EVENT_BYPASS));
	json_object_object_add(o, "forwarded",
			       json_object_new_boolean(r->e.flags & SF_EVENT_FORWARDED));
	if (r->e.flags & SF_EVENT_FORWARDED)
		json_object_object_add(o, "saddr", json_object_new_string(r->saddr));
	return o;
}
