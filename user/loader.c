// SPDX-License-Identifier: GPL-2.0-only
#include "loader.h"
#include "cgroupfs.h"
#include "layout.h"
#include "log.h"
#include "pins.h"
#include "smtpfence.h"
#include "connect.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A pinned map made by another build or size. The same layout is reused
 * with its contents and its size (the rules and counters in it are worth
 * more than a new size); another layout is left to the old programs, and
 * this build gets a fresh map, pinned in its place once attached. */
static int match_pinned_map(const char *pin_dir, struct bpf_map *map, const struct btf *btf,
			    bool *reused, bool *migrate)
{
	char path[PATH_MAX];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	bool same = false;
	int fd, err;

	*migrate = false;
	snprintf(path, sizeof(path), "%s/%s", pin_dir, bpf_map__name(map));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = sf_map_layout_same(fd, map, btf, &same);
	if (!err && bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	close(fd);
	if (err)
		return err;
	if (!same) {
		sf_warn("pinned map %s has another layout than this build: migrating it (the "
			"policy is compiled into a new map; its counters start from zero)",
			path);
		*migrate = true;
		return bpf_map__set_pin_path(map, NULL);
	}
	*reused = true;
	if (info.max_entries != bpf_map__max_entries(map)) {
		sf_warn("keeping the size of pinned map %s (%u entries, not %u): resizing needs "
			"'smtpfence unload'",
			path, info.max_entries, bpf_map__max_entries(map));
		return bpf_map__set_max_entries(map, info.max_entries);
	}
	return 0;
}

/* Attaches prog at the cgroup and pins the link, or takes over the pinned
 * link with an atomic program swap so that no connect goes unjudged. */
static int attach_or_adopt(struct bpf_program *prog, const char *link_path, int cgfd,
			   uint64_t cgid, bool *adopted)
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

/* More than the object has: maps are counted at load. */
#define MAX_MAPS 32

struct sf_loader {
	struct connect_bpf *skel;
	const char *pin_dir;
	const char *cgroup;
	int cgfd;
	__u64 cgroup_id;
	struct bpf_map *migrating[MAX_MAPS]; /* fresh maps to pin once attached */
	size_t n_migrating;
};

void sf_loader_close(struct sf_loader *l)
{
	if (!l)
		return;
	connect_bpf__destroy(l->skel);
	if (l->cgfd >= 0)
		close(l->cgfd);
	free(l);
}

int sf_loader_load(const struct sf_load_opts *o, struct sf_loader **out, bool *maps_reused)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = o->pin_dir);
	struct sf_loader *l = calloc(1, sizeof(*l));
	struct bpf_map *map;
	int err;

	*maps_reused = false;
	if (!l)
		return -ENOMEM;
	l->cgfd = -1;
	l->pin_dir = o->pin_dir;
	l->cgroup = o->cgroup;
	err = sf_pin_dir_prepare(o->pin_dir);
	if (err) {
		sf_err("failed to prepare pin directory %s: %s", o->pin_dir,
		       err == -ENOTDIR ? "its parent is not a BPF filesystem" : strerror(-err));
		goto fail;
	}
	l->cgfd = open(o->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->cgfd < 0) {
		err = -errno;
		sf_err("failed to open cgroup %s: %s", o->cgroup, strerror(-err));
		goto fail;
	}
	err = sf_cgroup_id_of(o->cgroup, &l->cgroup_id);
	if (err) {
		sf_err("failed to read the id of cgroup %s: %s", o->cgroup, strerror(-err));
		goto fail;
	}
	l->skel = connect_bpf__open_opts(&open_opts);
	if (!l->skel) {
		err = -errno;
		sf_err("failed to open BPF object: %s", strerror(-err));
		goto fail;
	}
	/* One more than max_rules: the default rule has its own entry. */
	bpf_map__set_max_entries(l->skel->maps.sf_rules, o->max_rules + 1);
	bpf_map__set_max_entries(l->skel->maps.sf_rule_stats, o->max_rules + 2);
	bpf_map__set_max_entries(l->skel->maps.sf_flows, o->max_flows);
	bpf_object__for_each_map(map, l->skel->obj) {
		bool migrate;

		err = match_pinned_map(o->pin_dir, map, bpf_object__btf(l->skel->obj),
				       maps_reused, &migrate);
		if (err) {
			sf_err("failed to inspect pinned map %s/%s: %s", o->pin_dir,
			       bpf_map__name(map), strerror(-err));
			goto fail;
		}
		if (migrate && l->n_migrating == MAX_MAPS) {
			err = -E2BIG;
			goto fail;
		}
		if (migrate)
			l->migrating[l->n_migrating++] = map;
	}
	err = connect_bpf__load(l->skel);
	if (err) {
		sf_err("failed to load BPF programs: %s%s", strerror(-err),
		       sf_verbose ? "" : " (run with -v for the verifier's log)");
		goto fail;
	}
	err = sf_pins_restrict(o->pin_dir);
	if (err) {
		sf_err("failed to restrict pins in %s to root: %s", o->pin_dir, strerror(-err));
		goto fail;
	}
	*out = l;
	return 0;
fail:
	sf_loader_close(l);
	return err;
}

int sf_loader_maps(const struct sf_loader *l, struct sf_maps *m)
{
	const struct {
		const struct bpf_map *map;
		int *fd;
	} all[] = {
		{ l->skel->maps.sf_ports, &m->ports },
		{ l->skel->maps.sf_settings, &m->settings },
		{ l->skel->maps.sf_rules, &m->rules },
		{ l->skel->maps.sf_rule_stats, &m->rule_stats },
		{ l->skel->maps.sf_exempt4, &m->exempt4 },
		{ l->skel->maps.sf_exempt6, &m->exempt6 },
		{ l->skel->maps.sf_flows, &m->flows },
		{ l->skel->maps.sf_totals, &m->totals },
		{ l->skel->maps.sf_events, &m->events },
	};

	memset(m, -1, sizeof(*m));
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		*all[i].fd = fcntl(bpf_map__fd(all[i].map), F_DUPFD_CLOEXEC, 3);
		if (*all[i].fd < 0) {
			int err = -errno;

			sf_maps_close(m);
			return err;
		}
	}
	return 0;
}

/* Puts a migrated map where the old one was pinned. rename() swaps the
 * pin in one step, so no command ever finds the name missing. (bpffs
 * refuses names with a dot.) */
static int repin(const char *pin_dir, struct bpf_map *map)
{
	char tmp[PATH_MAX], path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", pin_dir, bpf_map__name(map));
	snprintf(tmp, sizeof(tmp), "%s/%s_migrating", pin_dir, bpf_map__name(map));
	unlink(tmp);
	if (bpf_obj_pin(bpf_map__fd(map), tmp))
		return -errno;
	if (rename(tmp, path)) {
		int err = -errno;

		unlink(tmp);
		return err;
	}
	return 0;
}

int sf_loader_attach(struct sf_loader *l, bool *adopted)
{
	char link_path[PATH_MAX];
	bool adopted4 = false, adopted6 = false;
	int err;

	snprintf(link_path, sizeof(link_path), "%s/%s", l->pin_dir, SF_LINK_CONNECT4);
	err = attach_or_adopt(l->skel->progs.sf_connect4, link_path, l->cgfd, l->cgroup_id,
			      &adopted4);
	if (!err) {
		snprintf(link_path, sizeof(link_path), "%s/%s", l->pin_dir, SF_LINK_CONNECT6);
		err = attach_or_adopt(l->skel->progs.sf_connect6, link_path, l->cgfd,
				      l->cgroup_id, &adopted6);
	}
	if (err) {
		sf_err("failed to attach to cgroup %s: %s", l->cgroup, strerror(-err));
		return err;
	}
	*adopted = adopted4 && adopted6;
	/* The new programs use the new maps from here on: pin them. */
	for (size_t i = 0; i < l->n_migrating; i++) {
		const char *name = bpf_map__name(l->migrating[i]);

		err = repin(l->pin_dir, l->migrating[i]);
		if (err) {
			sf_err("failed to pin migrated map %s in %s: %s", name, l->pin_dir,
			       strerror(-err));
			return err;
		}
		sf_info("migrated map %s to this build's layout", name);
	}
	err = sf_pins_restrict(l->pin_dir);
	if (err)
		sf_err("failed to restrict pins in %s to root: %s", l->pin_dir, strerror(-err));
	return err;
}

int sf_unload(const char *pin_dir)
{
	int err;

	if (!sf_pins_exist(pin_dir) && access(pin_dir, F_OK))
		return -ENOENT;
	err = sf_pins_remove(pin_dir);
	if (err)
		sf_err("failed to remove pins in %s: %s", pin_dir, strerror(-err));
	return err;
}
