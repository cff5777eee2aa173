// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/pins.h"
#include "smtpfence.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

int sf_pin_dir_prepare(const char *pin_dir)
{
	char parent[PATH_MAX];
	char *slash;

	if (strlen(pin_dir) >= sizeof(parent))
		return -ENAMETOOLONG;
	strcpy(parent, pin_dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return -EINVAL;
	*slash = '\0';
	if (!on_bpffs(parent)) {
		/* Only the standard location is mounted for the admin. */
		if (strcmp(parent, SF_DEFAULT_BPFFS))
			return -ENOTDIR;
		if (mount("bpf", SF_DEFAULT_BPFFS, "bpf", 0, "mode=0700"))
			return -errno;
	}
	if (mkdir(pin_dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int sf_maps_each(struct sf_maps *m, int (*open_one)(const char *name, int *fd, void *arg),
		 void *arg)
{
	const struct {
		const char *name;
		int *fd;
	} all[] = {
		{SF_MAP_PORTS, &m->ports},     {SF_MAP_SETTINGS, &m->settings},
		{SF_MAP_RULES, &m->rules},     {SF_MAP_RULE_STATS, &m->rule_stats},
		{SF_MAP_EXEMPT4, &m->exempt4}, {SF_MAP_EXEMPT6, &m->exempt6},
		{SF_MAP_FLOWS, &m->flows},     {SF_MAP_TOTALS, &m->totals},
		{SF_MAP_EVENTS, &m->events},   {SF_MAP_SOURCE4, &m->source4},
		{SF_MAP_SOURCE6, &m->source6}, {SF_MAP_GEN, &m->gen},
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		*all[i].fd = -1;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]) && !err; i++)
		err = open_one(all[i].name, all[i].fd, arg);
	if (err)
		sf_maps_close(m);
	return err;
}

static int open_pin(const char *name, int *fd, void *pin_dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", (const char *)pin_dir, name);
	*fd = bpf_obj_get(path);
	return *fd < 0 ? -errno : 0;
}

int sf_maps_open(const char *pin_dir, struct sf_maps *m)
{
	return sf_maps_each(m, open_pin, (void *)pin_dir);
}

void sf_maps_close(struct sf_maps *m)
{
	int *fds = (int *)m;

	for (size_t i = 0; i < sizeof(*m) / sizeof(int); i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

static int for_each_pin(const char *pin_dir, int (*fn)(int dirfd, const char *name))
{
	DIR *d = opendir(pin_dir);
	struct dirent *e;
	int err = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int r = fn(dirfd(d), e->d_name);

		if (r && !err)
			err = r;
	}
	closedir(d);
	return err;
}

static int restrict_one(int dirfd, const char *name)
{
	if (fchownat(dirfd, name, 0, 0, AT_SYMLINK_NOFOLLOW) || fchmodat(dirfd, name, 0600, 0))
		return -errno;
	return 0;
}

int sf_pins_restrict(const char *pin_dir)
{
	if (chmod(pin_dir, 0700))
		return -errno;
	return for_each_pin(pin_dir, restrict_one);
}

static int remove_one(int dirfd, const char *name)
{
	return unlinkat(dirfd, name, 0) ? -errno : 0;
}

int sf_pins_remove(const char *pin_dir)
{
	int err = for_each_pin(pin_dir, remove_one);

	if (err)
		return err;
	return rmdir(pin_dir) ? -errno : 0;
}

bool sf_pins_exist(const char *pin_dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", pin_dir, SF_MAP_RULES);
	return access(path, F_OK) == 0;
}

int sf_link_pins_each(const char *pin_dir, int (*fn)(const char *path, int fd, void *arg),
		      void *arg)
{
	DIR *d = opendir(pin_dir);
	struct dirent *e;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && (e = readdir(d))) {
		char path[PATH_MAX];
		int fd;

		if (strncmp(e->d_name, "link_", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name);
		fd = bpf_obj_get(path);
		ret = fn(path, fd, arg);
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	return ret;
}

int sf_map_id(int fd, uint32_t *id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}
