/* SPDX-License-Identifier: GPL-2.0-only */
/* `flows --target TARGET`: which flows a target names. A cgroup or unit
 * names its cgroup and everything below it, as a rule on it would. */
#ifndef SF_FLOW_FILTER_H
#define SF_FLOW_FILTER_H

#include "policy/parse.h"
#include "smtpfence.h"

#include <limits.h>
#include <stdbool.h>

struct sf_flow_filter {
	enum sf_target_kind kind;
	char path[PATH_MAX]; /* cgroup, unit: relative cgroup path */
	__u32 uid;	     /* user */
	struct sf_cidr cidr; /* dest */
};

/* 0, or -EINVAL with a message naming the target. A unit is found as the
 * policy finds it (units_root as configured, "" when not set). */
int sf_flow_filter_parse(const char *target, const char *cgroup_mount, const char *units_root,
			 struct sf_flow_filter *f, char *err, size_t errlen);
/* cgroup_path: the flow's relative cgroup path. */
bool sf_flow_filter_match(const struct sf_flow_filter *f, const struct sf_flow_key *k,
			  const char *cgroup_path);

#endif /* SF_FLOW_FILTER_H */
