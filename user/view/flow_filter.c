// SPDX-License-Identifier: GPL-2.0-only
#include "view/flow_filter.h"
#include "util/cgroupfs.h"
#include "policy/compile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int sf_flow_filter_parse(const char *target, const char *cgroup_mount, struct sf_flow_filter *f,
			 char *err, size_t errlen)
{
	struct sf_target_spec t;
	struct sf_unit_index *units;
	const char *rel;
	__u64 id;

	memset(f, 0, sizeof(*f));
	if (sf_parse_target(target, &t, err, errlen))
		return -EINVAL;
	f->kind = t.kind;
	switch (t.kind) {
	case SF_TARGET_CGROUP:
		snprintf(f->path, sizeof(f->path), "%s", t.value);
		return 0;
	case SF_TARGET_UNIT:
		units = sf_unit_index_load(cgroup_mount);
		rel = units ? sf_unit_index_find(units, t.value) : NULL;
		if (rel)
			snprintf(f->path, sizeof(f->path), "%s", rel);
		sf_unit_index_free(units);
		if (!rel) {
			snprintf(err, errlen, "unknown unit '%s': no such cgroup below %s", t.value,
				 cgroup_mount);
			return -EINVAL;
		}
		return 0;
	case SF_TARGET_USER:
		if (sf_resolve_id(t.value, true, &id)) {
			snprintf(err, errlen, "unknown user '%s'", t.value);
			return -EINVAL;
		}
		f->uid = (__u32)id;
		return 0;
	case SF_TARGET_DEST:
		f->cidr = t.cidr;
		return 0;
	default:
		snprintf(err, errlen,
			 "'%s': flows are counted per cgroup, user and destination; a group: "
			 "target cannot select them",
			 target);
		return -EINVAL;
	}
}

static bool below(const char *path, const char *top)
{
	size_t n = strlen(top);

	if (!strcmp(top, "/"))
		return path[0] == '/';
	return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
}

static bool in_cidr(const struct sf_cidr *c, const struct sf_flow_key *k)
{
	unsigned int full = c->prefixlen / 8, rest = c->prefixlen % 8;

	if (k->family != (c->family == AF_INET ? 2 : 10))
		return false;
	if (memcmp(k->daddr, c->addr, full))
		return false;
	return !rest || !((k->daddr[full] ^ c->addr[full]) & (0xff << (8 - rest)));
}

bool sf_flow_filter_match(const struct sf_flow_filter *f, const struct sf_flow_key *k,
			  const char *cgroup_path)
{
	switch (f->kind) {
	case SF_TARGET_CGROUP:
	case SF_TARGET_UNIT:
		return below(cgroup_path, f->path);
	case SF_TARGET_USER:
		return k->uid == f->uid;
	case SF_TARGET_DEST:
		return in_cidr(&f->cidr, k);
	default:
		return false;
	}
}
