// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/linkview.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Linux 6.6 uapi; Debian 12's headers predate tcx (see tclink.c). */
#define SF_BPF_LINK_TYPE_TCX 11
#define SF_MAX_PINNED_LINKS  256

static const char *const hook_names[] = {
	[SF_HOOK_CONNECT4] = "connect4",
	[SF_HOOK_CONNECT6] = "connect6",
	[SF_HOOK_EGRESS] = "egress",
	[SF_HOOK_TC] = "tc",
};

const char *sf_hook_name(enum sf_hook hook)
{
	return hook_names[hook];
}

const struct sf_link_view *sf_link_find(const struct sf_link_view *v, size_t n, enum sf_hook hook)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].hook == hook)
			return &v[i];
	return NULL;
}

/* A program is ours when it uses our settings or rules map. */
static bool prog_is_ours(__u32 prog_id, const __u32 *ours, size_t n_ours)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[64];
	int fd = bpf_prog_get_fd_by_id(prog_id);
	bool found = false;

	if (fd < 0)
		return false;
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		__u32 n = info.nr_map_ids < 64 ? info.nr_map_ids : 64;

		for (__u32 i = 0; i < n && !found; i++)
			for (size_t j = 0; j < n_ours && !found; j++)
				found = ids[i] == ours[j];
	}
	close(fd);
	return found;
}

struct id_set {
	__u32 *ids;
	size_t n, max;
};

static int add_pinned_id(const char *path, int fd, void *arg)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	struct id_set *set = arg;

	(void)path;
	if (fd >= 0 && set->n < set->max && !bpf_obj_get_info_by_fd(fd, &info, &len))
		set->ids[set->n++] = info.id;
	return 0;
}

static bool hook_of(const struct bpf_link_info *info, struct sf_link_view *v)
{
	if (info->type == BPF_LINK_TYPE_CGROUP) {
		v->cgroup_id = info->cgroup.cgroup_id;
		switch (info->cgroup.attach_type) {
		case BPF_CGROUP_INET4_CONNECT:
			v->hook = SF_HOOK_CONNECT4;
			return true;
		case BPF_CGROUP_INET6_CONNECT:
			v->hook = SF_HOOK_CONNECT6;
			return true;
		case BPF_CGROUP_INET_EGRESS:
			v->hook = SF_HOOK_EGRESS;
			return true;
		default:
			return false;
		}
	}
	if (info->type == SF_BPF_LINK_TYPE_TCX) {
		__u32 ifindex; /* struct { __u32 ifindex, attach_type; } tcx, first in the union */

		memcpy(&ifindex, (const char *)info + offsetof(struct bpf_link_info, cgroup),
		       sizeof(ifindex));
		v->hook = SF_HOOK_TC;
		v->ifindex = ifindex;
		return true;
	}
	return false;
}

int sf_links_in_kernel(const struct sf_maps *m, const char *pin_dir, struct sf_link_view *out,
		       size_t max)
{
	__u32 ours[2], pins[SF_MAX_PINNED_LINKS], id = 0;
	struct id_set pinned = {.ids = pins, .max = SF_MAX_PINNED_LINKS};
	size_t n = 0;
	int err;

	err = sf_map_id(m->settings, &ours[0]);
	if (!err)
		err = sf_map_id(m->rules, &ours[1]);
	if (err)
		return err;
	sf_link_pins_each(pin_dir, add_pinned_id, &pinned);
	while (n < max && !bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue; /* gone meanwhile */
		err = bpf_obj_get_info_by_fd(fd, &info, &len);
		close(fd);
		if (err || !prog_is_ours(info.prog_id, ours, 2))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		/* a detached (defunct) cgroup link names no cgroup */
		if (!hook_of(&info, &out[n]) || (out[n].hook != SF_HOOK_TC && !out[n].cgroup_id))
			continue;
		out[n].link_id = info.id;
		out[n].prog_id = info.prog_id;
		for (size_t i = 0; i < pinned.n; i++)
			out[n].pinned |= pins[i] == info.id;
		n++;
	}
	return (int)n;
}
