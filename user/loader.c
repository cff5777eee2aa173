// SPDX-License-Identifier: GPL-2.0-only
#include "loader.h"
#include "backstop.h"
#include "cgroupfs.h"
#include "migrate.h"
#include "log.h"
#include "pins.h"
#include "smtpfence.h"
#include "connect.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sf_loader_prepare_maps(struct bpf_object *obj, const struct sf_load_opts *o, bool *reused)
{
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, obj)
	{
		const char *name = bpf_map__name(map);

		/* One more than max_rules: the default rule has its own entry. */
		if (!strcmp(name, SF_MAP_RULES))
			bpf_map__set_max_entries(map, o->max_rules + 1);
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

struct sf_loader {
	struct connect_bpf *skel;
	struct sf_backstop *backstop; /* cgroup_skb and tc programs */
	const char *pin_dir;
	const char *cgroup;
	int cgfd;
	__u64 cgroup_id;
};

void sf_loader_close(struct sf_loader *l)
{
	if (!l)
		return;
	connect_bpf__destroy(l->skel);
	sf_backstop_close(l->backstop);
	if (l->cgfd >= 0)
		close(l->cgfd);
	free(l);
}

int sf_loader_load(const struct sf_load_opts *o, struct sf_loader **out, bool *maps_reused)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = o->pin_dir);
	struct sf_loader *l = calloc(1, sizeof(*l));
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
	err = sf_migrate_drop_staged(o->pin_dir);
	if (err) {
		sf_err("failed to remove staged maps in %s: %s", o->pin_dir, strerror(-err));
		goto fail;
	}
	l->skel = connect_bpf__open_opts(&open_opts);
	if (!l->skel) {
		err = -errno;
		sf_err("failed to open BPF object: %s", strerror(-err));
		goto fail;
	}
	err = sf_loader_prepare_maps(l->skel->obj, o, maps_reused);
	if (err)
		goto fail;
	err = connect_bpf__load(l->skel);
	if (err) {
		sf_err("failed to load BPF programs: %s%s", strerror(-err),
		       sf_verbose ? "" : " (run with -v for the verifier's log)");
		goto fail;
	}
	/* After connect_bpf: its load created (or staged) the maps these share. */
	struct sf_load_opts later = *o;

	later.follow = true;
	err = sf_backstop_load(&later, &l->backstop);
	if (err)
		goto fail;
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

static int dup_map_fd(const char *name, int *fd, void *obj)
{
	int own = bpf_object__find_map_fd_by_name(obj, name);

	if (own < 0)
		return -ENOENT;
	*fd = fcntl(own, F_DUPFD_CLOEXEC, 3);
	return *fd < 0 ? -errno : 0;
}

int sf_loader_maps(const struct sf_loader *l, struct sf_maps *m)
{
	return sf_maps_each(m, dup_map_fd, l->skel->obj);
}

int sf_loader_attach(struct sf_loader *l, bool *adopted)
{
	char link_path[PATH_MAX];
	bool adopted4 = false, adopted6 = false;
	int err;

	snprintf(link_path, sizeof(link_path), "%s/%s", l->pin_dir, SF_LINK_CONNECT4);
	err = sf_attach_cgroup_link(l->skel->progs.sf_connect4, link_path, l->cgfd, l->cgroup_id,
				    &adopted4);
	if (!err) {
		snprintf(link_path, sizeof(link_path), "%s/%s", l->pin_dir, SF_LINK_CONNECT6);
		err = sf_attach_cgroup_link(l->skel->progs.sf_connect6, link_path, l->cgfd,
					    l->cgroup_id, &adopted6);
	}
	if (err) {
		sf_err("failed to attach to cgroup %s: %s", l->cgroup, strerror(-err));
		return err;
	}
	*adopted = adopted4 && adopted6;
	err = sf_backstop_attach(l->backstop, l->cgfd, l->cgroup_id, adopted);
	if (!err)
		err = sf_migrate_promote(l->pin_dir, bpf_map__fd(l->skel->maps.sf_settings));
	if (err)
		return err;
	err = sf_pins_restrict(l->pin_dir);
	if (err)
		sf_err("failed to restrict pins in %s to root: %s", l->pin_dir, strerror(-err));
	return err;
}

/* Detaches every pinned link now. Removing the pin alone leaves the kernel
 * to free the link later, from a work queue, and a connect made right
 * after `unload` returned could still be judged. */
static int detach_links(const char *pin_dir)
{
	DIR *d = opendir(pin_dir);
	struct dirent *e;
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		int fd;

		if (strncmp(e->d_name, "link_", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0 || bpf_link_detach(fd)) {
			if (!err)
				err = -errno;
			sf_err("failed to detach %s: %s", path, strerror(errno));
		}
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	return err;
}

int sf_unload(const char *pin_dir)
{
	int err, rm;

	if (!sf_pins_exist(pin_dir) && access(pin_dir, F_OK))
		return -ENOENT;
	err = detach_links(pin_dir);
	rm = sf_pins_remove(pin_dir);
	if (rm)
		sf_err("failed to remove pins in %s: %s", pin_dir, strerror(-rm));
	return err ? err : rm;
}
