/* SPDX-License-Identifier: GPL-2.0-only */
/* The cgroup-v2 hierarchy: where it is mounted, ids, levels, names. */
#ifndef SF_CGROUPFS_H
#define SF_CGROUPFS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

/* Finds the cgroup2 mount in /proc/self/mountinfo. 0 or -ENOENT. */
int sf_cgroup2_mount(char *buf, size_t len);
/* Kernel cgroup id of a directory (as bpf_get_current_cgroup_id sees it). */
int sf_cgroup_id_of(const char *abs_path, __u64 *id);
/* Relative path of a live cgroup, found from its id alone (by file
 * handle: needs CAP_DAC_READ_SEARCH). -ESTALE or -ENOENT when it is gone. */
int sf_cgroup_path_of(const char *mount, __u64 id, char *buf, size_t len);
/* Level below the mount of a canonical "/a/b" path: "/" is 0. */
unsigned int sf_cgroup_level(const char *rel_path);
/* Joins the mount and a path relative to it. */
int sf_cgroup_abs(const char *mount, const char *rel, char *buf, size_t len);

struct sf_cgroup_names;
/* An id -> relative path table of the whole tree, for listings. */
struct sf_cgroup_names *sf_cgroup_names_load(const char *mount);
const char *sf_cgroup_names_get(const struct sf_cgroup_names *n, uint64_t id);
void sf_cgroup_names_free(struct sf_cgroup_names *n);

#endif /* SF_CGROUPFS_H */
