// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/object.h"
#include "kernel/migrate.h"
#include "util/log.h"
#include "smtpfence.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

int sf_loader_prepare_maps(struct bpf_object *obj, const struct sf_load_opts *o, bool *reused)
{
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, obj)
	{
		const char *name = bpf_map__name(map);

		/* Twice max_rules, the old and the new policy during a change,
		 * and one more: the default rule has its own entry. */
		if (!strcmp(name, SF_MAP_RULES))
			bpf_map__set_max_entries(map, 2 * o->max_rules + 1);
		else if (!strcmp(name, SF_MAP_RULE_STATS))
			bpf_map__set_max_entries(map, o->max_rules + 2);
		else if (!strcmp(name, SF_MAP_FLOWS))
			bpf_map__set_max_entries(map, o->max_flows);
		err = sf_migrate_prepare_map(o->pin_dir, map, bpf_object__btf(obj), !o->follow,
					     reused);
		if (err) {
			sf_err("failed to inspect pinned map %s/%s: %s", o->pin_dir, name,
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Attaches prog at the cgroup and pins the link, or takes over the pinned
 * link with an atomic program swap so that no connect goes unjudged. */
int sf_attach_cgroup_link(struct bpf_program *prog, const char *link_path, int cgfd, uint64_t cgid,
			  bool *adopted)
{
	struct bpf_link *old = bpf_link__open(link_path);
	struct bpf_link *link;
	int err;

	if (old) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(bpf_link__fd(old), &info, &len) &&
		    info.type == BPF_LINK_TYPE_CGROUP && info.cgroup.cgroup_id == cgid) {
			err = bpf_link__update_program(old, prog);
			bpf_link__destroy(old); /* closes our fd; the pin keeps it */
			if (err)
				return err;
			*adopted = true;
			return 0;
		}
	}
	link = bpf_program__attach_cgroup(prog, cgfd);
	if (!link) {
		err = -errno;
		bpf_link__destroy(old);
		return err;
	}
	/* Attached elsewhere before: both run until the old pin is gone. */
	if (old && unlink(link_path)) {
		err = -errno;
		goto fail;
	}
	err = bpf_link__pin(link, link_path);
	if (err)
		goto fail;
	bpf_link__destroy(old);
	bpf_link__destroy(link);
	return 0;
fail:
	bpf_link__destroy(link);
	bpf_link__destroy(old);
	return err;
}
