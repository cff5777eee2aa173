// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/migrate.h"
#include "kernel/layout.h"
#include "util/log.h"
#include "smtpfence.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Where a migrated map waits (bpffs refuses names with a dot). */
#define STAGED_SUFFIX "_migrating"
/* A pin named after the layout version the pinned maps were made with. */
#define MARKER_PREFIX "layout_v"

static bool is_staged(const char *name)
{
	size_t n = strlen(name), k = strlen(STAGED_SUFFIX);

	return n > k && !strcmp(name + n - k, STAGED_SUFFIX);
}

/* True when the pinned maps were made with another SF_LAYOUT_VERSION (an
 * older build without the marker counts as unknown, not as other). */
static bool other_version(const char *pin_dir)
{
	char mine[32];
	DIR *d = opendir(pin_dir);
	struct dirent *e;
	bool other = false;

	if (!d)
		return false;
	snprintf(mine, sizeof(mine), MARKER_PREFIX "%d", SF_LAYOUT_VERSION);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, MARKER_PREFIX, strlen(MARKER_PREFIX)) &&
		    strcmp(e->d_name, mine))
			other = true;
	closedir(d);
	return other;
}

/* Decided by the first object only, so that all objects share one map. */
static int must_migrate(const char *pin_dir, const char *path, int fd, struct bpf_map *map,
			const struct btf *btf, bool *migrate)
{
	bool same = false;
	int err = sf_map_layout_same(fd, map, btf, &same);

	if (err)
		return err;
	*migrate = !same || other_version(pin_dir);
	if (*migrate)
		sf_warn("pinned map %s has another layout than this build: migrating it (the "
			"policy is compiled into a new map; its counters start from zero)",
			path);
	return 0;
}

int sf_migrate_prepare_map(const char *pin_dir, struct bpf_map *map, const struct btf *btf,
			   bool first, bool *reused)
{
	char path[PATH_MAX], staged[PATH_MAX + sizeof(STAGED_SUFFIX)];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	bool migrate = false;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, bpf_map__name(map));
	snprintf(staged, sizeof(staged), "%s%s", path, STAGED_SUFFIX);
	if (!first && !access(staged, F_OK))
		return bpf_map__set_pin_path(map, staged); /* staged by the first */
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (first)
		err = must_migrate(pin_dir, path, fd, map, btf, &migrate);
	if (!err && bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	close(fd);
	if (err)
		return err;
	if (migrate)
		return bpf_map__set_pin_path(map, staged);
	*reused = true;
	/* The rules and counters in it are worth more than a new size. */
	if (info.max_entries != bpf_map__max_entries(map)) {
		if (first)
			sf_warn("keeping the size of pinned map %s (%u entries, not %u): "
				"resizing needs 'smtpfence unload'",
				path, info.max_entries, bpf_map__max_entries(map));
		return bpf_map__set_max_entries(map, info.max_entries);
	}
	return 0;
}

int sf_migrate_drop_staged(const char *pin_dir)
{
	DIR *d = opendir(pin_dir);
	struct dirent *e;
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)))
		if (is_staged(e->d_name) && unlinkat(dirfd(d), e->d_name, 0) && !err)
			err = -errno;
	closedir(d);
	return err;
}

/* rename() puts a staged map in the old one's place in one step, so no
 * command ever finds the name missing. */
static int promote_staged(DIR *d, const char *pin_dir)
{
	struct dirent *e;

	while ((e = readdir(d))) {
		char final[NAME_MAX + 1];

		if (!is_staged(e->d_name))
			continue;
		snprintf(final, sizeof(final), "%.*s",
			 (int)(strlen(e->d_name) - strlen(STAGED_SUFFIX)), e->d_name);
		if (renameat(dirfd(d), e->d_name, dirfd(d), final)) {
			int err = -errno;

			sf_err("failed to pin migrated map %s in %s: %s", final, pin_dir,
			       strerror(-err));
			return err;
		}
		sf_info("migrated map %s to this build's layout", final);
	}
	return 0;
}

static int mark_version(DIR *d, const char *pin_dir, int marker_fd)
{
	char mine[32], path[PATH_MAX];
	struct dirent *e;

	snprintf(mine, sizeof(mine), MARKER_PREFIX "%d", SF_LAYOUT_VERSION);
	rewinddir(d);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, MARKER_PREFIX, strlen(MARKER_PREFIX)) &&
		    strcmp(e->d_name, mine))
			unlinkat(dirfd(d), e->d_name, 0);
	snprintf(path, sizeof(path), "%s/%s", pin_dir, mine);
	if (!access(path, F_OK))
		return 0;
	return bpf_obj_pin(marker_fd, path) ? -errno : 0;
}

int sf_migrate_promote(const char *pin_dir, int marker_fd)
{
	DIR *d = opendir(pin_dir);
	int err;

	if (!d)
		return -errno;
	err = promote_staged(d, pin_dir);
	if (!err) {
		err = mark_version(d, pin_dir, marker_fd);
		if (err)
			sf_err("failed to mark %s with layout version %d: %s", pin_dir,
			       SF_LAYOUT_VERSION, strerror(-err));
	}
	closedir(d);
	return err;
}
