// SPDX-License-Identifier: GPL-2.0-only
/* Cgroup ids to paths, cached: the tree is walked at most once a second. */
#include "view/names.h"
#include "util/cgroupfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAMER_EXTRA_MAX 256

struct sf_namer {
	char mount[4096];
	struct sf_cgroup_names *names;
	time_t loaded_at;
	/* Cgroups born since the last walk, found by id one at a time. */
	struct {
		__u64 id;
		char *path;
	} extra[NAMER_EXTRA_MAX];
	size_t n_extra;
};

static void forget_extra(struct sf_namer *n)
{
	for (size_t i = 0; i < n->n_extra; i++)
		free(n->extra[i].path);
	n->n_extra = 0;
}

/* A new cgroup is looked up by its id at once; the tree is walked again
 * (at most once a second) only when many have appeared. */
static const char *find_new(struct sf_namer *n, __u64 id)
{
	char path[4096];

	for (size_t i = 0; i < n->n_extra; i++)
		if (n->extra[i].id == id)
			return n->extra[i].path;
	if (n->n_extra == NAMER_EXTRA_MAX || sf_cgroup_path_of(n->mount, id, path, sizeof(path)))
		return NULL;
	n->extra[n->n_extra].path = strdup(path);
	if (!n->extra[n->n_extra].path)
		return NULL;
	n->extra[n->n_extra].id = id;
	return n->extra[n->n_extra++].path;
}

struct sf_namer *sf_namer_new(const char *cgroup_mount)
{
	struct sf_namer *n = calloc(1, sizeof(*n));

	if (n)
		snprintf(n->mount, sizeof(n->mount), "%s", cgroup_mount);
	return n;
}

void sf_namer_free(struct sf_namer *n)
{
	if (!n)
		return;
	forget_extra(n);
	sf_cgroup_names_free(n->names);
	free(n);
}

const char *sf_namer_cgroup(struct sf_namer *n, __u64 id)
{
	const char *path = sf_namer_find(n, id);

	return path ? path : "?";
}

const char *sf_namer_find(struct sf_namer *n, __u64 id)
{
	const char *path = sf_cgroup_names_get(n->names, id);
	time_t now = time(NULL);

	if (path || (path = find_new(n, id)))
		return path;
	/* Walk the tree again, at most once a second. */
	if (now != n->loaded_at) {
		forget_extra(n);
		sf_cgroup_names_free(n->names);
		n->names = sf_cgroup_names_load(n->mount);
		n->loaded_at = now;
		path = sf_cgroup_names_get(n->names, id);
	}
	return path;
}
