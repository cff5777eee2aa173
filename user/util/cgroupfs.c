// SPDX-License-Identifier: GPL-2.0-only
#include "util/cgroupfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <fts.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sf_cgroup2_mount(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char mnt[4096], fstype[64];
		const char *dash = strstr(line, " - ");

		/* Fields: id parent major:minor root mountpoint ... - fstype ... */
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s", fstype) != 1 || strcmp(fstype, "cgroup2"))
			continue;
		if (strlen(mnt) >= len) {
			err = -ENAMETOOLONG;
			break;
		}
		strcpy(buf, mnt);
		err = 0;
		break;
	}
	free(line);
	fclose(f);
	return err;
}

int sf_cgroup_id_of(const char *abs_path, __u64 *id)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = {.fh.handle_bytes = sizeof(uint64_t)};
	int mount_id;

	/* The kernfs file handle of a cgroup directory is its cgroup id. */
	if (name_to_handle_at(AT_FDCWD, abs_path, &h.fh, &mount_id, 0) < 0)
		return -errno;
	if (h.fh.handle_bytes != sizeof(uint64_t))
		return -EINVAL;
	*id = h.id;
	return 0;
}

int sf_cgroup_path_of(const char *mount, __u64 id, char *buf, size_t len)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = {.fh = {.handle_bytes = sizeof(uint64_t), .handle_type = 0xfe}, .id = id};
	char link[64], target[PATH_MAX];
	size_t mlen = strlen(mount);
	int mfd, fd;
	ssize_t n;

	/* 0xfe is FILEID_KERNFS: the handle that name_to_handle_at gave. */
	mfd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -errno;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(mfd);
	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (strncmp(target, mount, mlen) || (target[mlen] && target[mlen] != '/'))
		return -ENOENT; /* not below our view of the mount */
	if (snprintf(buf, len, "%s", target[mlen] ? target + mlen : "/") >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

unsigned int sf_cgroup_level(const char *rel_path)
{
	unsigned int level = 0;

	for (const char *p = rel_path; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			level++;
	return level;
}

int sf_cgroup_abs(const char *mount, const char *rel, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s", mount, strcmp(rel, "/") ? rel : "");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int visit_tree(const char *mount, int (*fn)(FTSENT *e, size_t mlen, void *arg), void *arg)
{
	char *roots[] = {(char *)mount, NULL};
	FTS *fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR | FTS_XDEV, NULL);
	FTSENT *e;
	int err = 0;

	if (!fts)
		return -errno;
	while (!err && (e = fts_read(fts))) {
		if (e->fts_info == FTS_D)
			err = fn(e, strlen(mount), arg);
	}
	fts_close(fts);
	return err;
}

struct sf_cgroup_name {
	__u64 id;
	char *path;
};

struct sf_cgroup_names {
	struct sf_cgroup_name *v;
	size_t n, cap;
};

static int add_name(FTSENT *e, size_t mlen, void *arg)
{
	struct sf_cgroup_names *n = arg;
	__u64 id;

	if (sf_cgroup_id_of(e->fts_path, &id))
		return 0; /* removed while we walked */
	if (n->n == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 256;
		void *v = realloc(n->v, cap * sizeof(*n->v));

		if (!v)
			return -ENOMEM;
		n->v = v;
		n->cap = cap;
	}
	n->v[n->n].id = id;
	n->v[n->n].path = strdup(e->fts_path[mlen] ? e->fts_path + mlen : "/");
	if (!n->v[n->n].path)
		return -ENOMEM;
	n->n++;
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	const struct sf_cgroup_name *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

struct sf_cgroup_names *sf_cgroup_names_load(const char *mount)
{
	struct sf_cgroup_names *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	if (visit_tree(mount, add_name, n)) {
		sf_cgroup_names_free(n);
		return NULL;
	}
	qsort(n->v, n->n, sizeof(*n->v), cmp_id);
	return n;
}

const char *sf_cgroup_names_get(const struct sf_cgroup_names *n, uint64_t id)
{
	struct sf_cgroup_name key = {.id = id}, *hit;

	if (!n)
		return NULL;
	hit = bsearch(&key, n->v, n->n, sizeof(*n->v), cmp_id);
	return hit ? hit->path : NULL;
}

void sf_cgroup_names_free(struct sf_cgroup_names *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i].path);
	free(n->v);
	free(n);
}
