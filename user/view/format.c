// SPDX-License-Identifier: GPL-2.0-only
/* Verdicts, destinations and deciding rules as a person reads them. */
#include "view/format.h"
#include "policy/parse.h"

#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

const char *sf_verdict_name(__u32 verdict)
{
	switch (verdict) {
	case SF_VERDICT_ALLOWED:
		return "allow";
	case SF_VERDICT_LOGGED:
		return "log";
	case SF_VERDICT_DENIED:
		return "deny";
	case SF_VERDICT_LIMITED:
		return "limit";
	case SF_VERDICT_REDIRECTED:
		return "redirect";
	}
	return "?";
}

void sf_format_dest(__u16 family, const __u8 *addr, __be16 port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family == 2 ? AF_INET : AF_INET6, addr, a, sizeof(a));
	if (family == 2)
		snprintf(buf, len, "%s:%u", a, ntohs(port));
	else
		snprintf(buf, len, "[%s]:%u", a, ntohs(port));
}

void sf_format_rule(struct sf_namer *n, __u32 kind, __u64 id, char *buf, size_t len)
{
	struct passwd *pw = kind == SF_KIND_UID ? getpwuid((uid_t)id) : NULL;
	struct group *gr = kind == SF_KIND_GID ? getgrgid((gid_t)id) : NULL;
	const char *name = pw ? pw->pw_name : gr ? gr->gr_name : NULL;

	switch (kind) {
	case SF_KIND_DEFAULT:
		snprintf(buf, len, "default");
		break;
	case SF_KIND_EXEMPT:
		snprintf(buf, len, "exempt");
		break;
	case SF_KIND_CGROUP:
		snprintf(buf, len, "cgroup:%s", sf_namer_cgroup(n, id));
		break;
	case SF_KIND_SOURCE:
		/* The prefix is in the id; the event's source address fills it in. */
		snprintf(buf, len, "source:/%u", sf_source_rule_prefixlen(id));
		break;
	case SF_KIND_UID:
	case SF_KIND_GID:
		if (name)
			snprintf(buf, len, "%s:%s", kind == SF_KIND_UID ? "user" : "group", name);
		else
			snprintf(buf, len, "%s:%llu", kind == SF_KIND_UID ? "user" : "group",
				 (unsigned long long)id);
		break;
	default:
		snprintf(buf, len, "?");
	}
}

/* The source rule that decided a forwarded SYN: its prefix, from the
 * source address and the prefix length the rule id carries. */
static void format_source_rule(const struct sf_event *e, char *buf, size_t len)
{
	struct sf_cidr c = {.family = e->family == 2 ? AF_INET : AF_INET6,
			    .prefixlen = sf_source_rule_prefixlen(e->rule_id)};
	unsigned int bytes = c.family == AF_INET ? 4 : 16;
	char cidr[64];

	memcpy(c.addr, e->saddr, bytes);
	for (unsigned int i = 0; i < bytes; i++) {
		unsigned int keep = c.prefixlen > i * 8 ? c.prefixlen - i * 8 : 0;

		if (keep < 8)
			c.addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
	sf_cidr_format(&c, cidr, sizeof(cidr));
	snprintf(buf, len, "source:%s", cidr);
}

void sf_format_event_rule(struct sf_namer *n, const struct sf_event *e, char *buf, size_t len)
{
	if (e->rule_kind == SF_KIND_SOURCE)
		format_source_rule(e, buf, len);
	else
		sf_format_rule(n, e->rule_kind, e->rule_id, buf, len);
}
