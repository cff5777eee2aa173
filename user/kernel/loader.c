// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/loader.h"
#include "kernel/backstop.h"
#include "util/cgroupfs.h"
#include "kernel/migrate.h"
#include "util/log.h"
#include "kernel/pins.h"
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

/* The cgroup the pinned connect4 link is attached to; 0 when none is. */
static __u64 pinned_cgroup(const char *pin_dir)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, SF_LINK_CONNECT4);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_LINK_TYPE_CGROUP)
		info.cgroup.cgroup_id = 0;
	close(fd);
	return info.cgroup.cgroup_id;
}

/* Enforcement pinned at another cgroup moves only when asked (--move):
 * attaching here silently would end it there. Both are logged. */
static int check_move(const struct sf_load_opts *o, __u64 cgroup_id)
{
	char mount[PATH_MAX], old[PATH_MAX];
	__u64 old_id = pinned_cgroup(o->pin_dir);

	if (!old_id || old_id == cgroup_id)
		return 0;
	if (sf_cgroup2_mount(mount, sizeof(mount)) ||
	    sf_cgroup_path_of(mount, old_id, old, sizeof(old))) {
		sf_info("the pinned links' cgroup (id %llu) is gone; attaching to %s",
			(unsigned long long)old_id, o->cgroup);
		return 0;
	}
	if (!o->move) {
		sf_err("enforcement is attached to %s%s (cgroup id %llu), not %s: refusing to "
		       "move it there without --move",
		       mount, strcmp(old, "/") ? old : "", (unsigned long long)old_id, o->cgroup);
		return -EINVAL;
	}
	sf_info("moving enforcement from %s%s (cgroup id %llu) to %s (cgroup id %llu)", mount,
		strcmp(old, "/") ? old : "", (unsigned long long)old_id, o->cgroup,
		(unsigned long long)cgroup_id);
	return 0;
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
	err = check_move(o, l->cgroup_id);
	if (err)
		goto fail;
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

/* The getpeername hooks answer a redirected socket's original destination;
 * they change nothing for any other socket, so whether they were adopted
 * does not matter to the caller. */
static int attach_getpeername(struct sf_loader *l)
{
	struct bpf_program *progs[] = {l->skel->progs.sf_getpeername4,
				       l->skel->progs.sf_getpeername6};
	const char *pins[] = {SF_LINK_GETPEERNAME4, SF_LINK_GETPEERNAME6};
	char link_path[PATH_MAX];
	bool adopted;
	int err = 0;

	for (size_t i = 0; i < 2 && !err; i++) {
		snprintf(link_path, sizeof(link_path), "%s/%s", l->pin_dir, pins[i]);
		err = sf_attach_cgroup_link(progs[i], link_path, l->cgfd, l->cgroup_id, &adopted);
	}
	return err;
}

/* Builds before layout 8 recorded who in a sockops program; the backstop
 * does now. Its link goes, or it would keep running on the old maps. */
static int retire_sockops(struct sf_loader *l)
{
	char link_path[PATH_MAX];
	int fd;

	snprintf(link_path, sizeof(link_path), "%s/%s", l->pin_dir, SF_LINK_SOCKOPS_RETIRED);
	fd = bpf_obj_get(link_path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_link_detach(fd) && errno != EINVAL) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return unlink(link_path) ? -errno : 0;
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
	if (!err)
		err = attach_getpeername(l);
	if (!err)
		err = retire_sockops(l);
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
static int detach_one(const char *path, int fd, void *arg)
{
	int *err = arg;

	if (fd < 0 || bpf_link_detach(fd)) {
		if (!*err)
			*err = -errno;
		sf_err("failed to detach %s: %s", path, strerror(errno));
	}
	return 0; /* detach every other one all the same */
}

static int detach_links(const char *pin_dir)
{
	int err = 0, walk = sf_link_pins_each(pin_dir, detach_one, &err);

	return walk ? walk : err;
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
