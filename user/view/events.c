// SPDX-License-Identifier: GPL-2.0-only
#include "view/events.h"
#include "util/cgroupfs.h"
#include "policy/parse.h"

#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAMER_EXTRA_MAX 256

struct sf_namer {
	char mount[4096];
	struct sf_cgroup_names *names;
	time_t loaded_at;
	/* Cgroups born since the last walk, found by id one at a time. */
	struct {
		__u64 id;
		char *path;
	} extra[NAMER_EXTRA_MAX];
	size_t n_extra;
};

static void forget_extra(struct sf_namer *n)
{
	for (size_t i = 0; i < n->n_extra; i++)
		free(n->extra[i].path);
	n->n_extra = 0;
}

/* A new cgroup is looked up by its id at once; the tree is walked again
 * (at most once a second) only when many have appeared. */
static const char *find_new(struct sf_namer *n, __u64 id)
{
	char path[4096];

	for (size_t i = 0; i < n->n_extra; i++)
		if (n->extra[i].id == id)
			return n->extra[i].path;
	if (n->n_extra == NAMER_EXTRA_MAX || sf_cgroup_path_of(n->mount, id, path, sizeof(path)))
		return NULL;
	n->extra[n->n_extra].path = strdup(path);
	if (!n->extra[n->n_extra].path)
		return NULL;
	n->extra[n->n_extra].id = id;
	return n->extra[n->n_extra++].path;
}

struct sf_namer *sf_namer_new(const char *cgroup_mount)
{
	struct sf_namer *n = calloc(1, sizeof(*n));

	if (n)
		snprintf(n->mount, sizeof(n->mount), "%s", cgroup_mount);
	return n;
}

void sf_namer_free(struct sf_namer *n)
{
	if (!n)
		return;
	forget_extra(n);
	sf_cgroup_names_free(n->names);
	free(n);
}

const char *sf_namer_cgroup(struct sf_namer *n, __u64 id)
{
	const char *path = sf_namer_find(n, id);

	return path ? path : "?";
}

const char *sf_namer_find(struct sf_namer *n, __u64 id)
{
	const char *path = sf_cgroup_names_get(n->names, id);
	time_t now = time(NULL);

	if (path || (path = find_new(n, id)))
		return path;
	/* Walk the tree again, at most once a second. */
	if (now != n->loaded_at) {
		forget_extra(n);
		sf_cgroup_names_free(n->names);
		n->names = sf_cgroup_names_load(n->mount);
		n->loaded_at = now;
		path = sf_cgroup_names_get(n->names, id);
	}
	return path;
}

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
	struct passwd *pw;
	struct group *gr;

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
	case SF_KIND_UID:
		pw = getpwuid((uid_t)id);
		if (pw)
			snprintf(buf, len, "user:%s", pw->pw_name);
		else
			snprintf(buf, len, "user:%llu", (unsigned long long)id);
		break;
	case SF_KIND_SOURCE:
		/* The prefix is in the id; the event's source address fills it in. */
		snprintf(buf, len, "source:/%u", sf_source_rule_prefixlen(id));
		break;
	case SF_KIND_GID:
		gr = getgrgid((gid_t)id);
		if (gr)
			snprintf(buf, len, "group:%s", gr->gr_name);
		else
			snprintf(buf, len, "group:%llu", (unsigned long long)id);
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

static void format_forwarded(const struct sf_event *e, const char *dest, const char *rule,
			     char *buf, size_t len)
{
	char src[INET6_ADDRSTRLEN] = "?";

	inet_ntop(e->family == 2 ? AF_INET : AF_INET6, e->saddr, src, sizeof(src));
	snprintf(buf, len, "%s forwarded from %s -> %s by %s", sf_verdict_name(e->verdict), src,
		 dest, rule);
}

void sf_format_event_rule(struct sf_namer *n, const struct sf_event *e, char *buf, size_t len)
{
	if (e->rule_kind == SF_KIND_SOURCE)
		format_source_rule(e, buf, len);
	else
		sf_format_rule(n, e->rule_kind, e->rule_id, buf, len);
}

void sf_format_event(struct sf_namer *n, const struct sf_event *e, char *buf, size_t len)
{
	char dest[64], rule[600], comm[SF_COMM_LEN + 1];
	struct passwd *pw;

	memcpy(comm, e->comm, SF_COMM_LEN);
	comm[SF_COMM_LEN] = '\0';
	sf_format_dest(e->family, e->daddr, e->dport, dest, sizeof(dest));
	sf_format_event_rule(n, e, rule, sizeof(rule));
	if (e->flags & SF_EVENT_FORWARDED) {
		format_forwarded(e, dest, rule, buf, len);
		return;
	}
	pw = getpwuid(e->uid);
	snprintf(buf, len, "%s%s %s[%u] user %s(%u) cgroup %s -> %s by %s",
		 sf_verdict_name(e->verdict), e->flags & SF_EVENT_BYPASS ? " bypass" : "", comm,
		 e->pid, pw ? pw->pw_name : "?", e->uid, sf_namer_cgroup(n, e->cgroup_id), dest,
		 rule);
}
