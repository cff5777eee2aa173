/* SPDX-License-Identifier: GPL-2.0-only */
/* Which cgroup hierarchies a host mounts, read from a mountinfo file:
 * cgroup v2 alone (unified), v2 beside v1 controllers (hybrid), or v1
 * only (legacy, EL8's default), where no program can see a tenant's cgroup. */
#ifndef SF_CGROUP_MODE_H
#define SF_CGROUP_MODE_H

#include <stddef.h>

enum sf_cgroup_mode {
	SF_CGROUP_UNIFIED,
	SF_CGROUP_HYBRID,
	SF_CGROUP_LEGACY,
	SF_CGROUP_NONE, /* neither v1 nor v2 mounted */
};

#define SF_MOUNTINFO "/proc/self/mountinfo"

/* Reads mountinfo (SF_MOUNTINFO on a live host); v2_mount gets the first
 * cgroup2 mount point, or "" when there is none. 0 or -errno. */
int sf_cgroup_mode_read(const char *mountinfo, enum sf_cgroup_mode *mode, char *v2_mount,
			size_t len);
const char *sf_cgroup_mode_name(enum sf_cgroup_mode mode);

#endif /* SF_CGROUP_MODE_H */
