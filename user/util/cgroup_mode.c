// SPDX-License-Identifier: GPL-2.0-only
#include "util/cgroup_mode.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sf_cgroup_mode_read(const char *mountinfo, enum sf_cgroup_mode *mode, char *v2_mount,
			size_t len)
{
	FILE *f = fopen(mountinfo, "re");
	char *line = NULL;
	size_t cap = 0;
	bool v1 = false;
	int err = 0;

	if (!f)
		return -errno;
	v2_mount[0] = '\0';
	while (getline(&line, &cap, f) > 0) {
		char mnt[4096], fstype[64];
		const char *dash = strstr(line, " - ");

		/* Fields: id parent major:minor root mountpoint ... - fstype ... */
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s", fstype) != 1)
			continue;
		if (!strcmp(fstype, "cgroup")) {
			v1 = true;
		} else if (!strcmp(fstype, "cgroup2") && !v2_mount[0]) {
			if (strlen(mnt) >= len) {
				err = -ENAMETOOLONG;
				break;
			}
			strcpy(v2_mount, mnt);
		}
	}
	free(line);
	fclose(f);
	if (!err)
		*mode = v2_mount[0] ? (v1 ? SF_CGROUP_HYBRID : SF_CGROUP_UNIFIED)
				    : (v1 ? SF_CGROUP_LEGACY : SF_CGROUP_NONE);
	return err;
}

const char *sf_cgroup_mode_name(enum sf_cgroup_mode mode)
{
	switch (mode) {
	case SF_CGROUP_UNIFIED:
		return "unified (cgroup v2)";
	case SF_CGROUP_HYBRID:
		return "hybrid (cgroup v2 beside v1 controllers)";
	case SF_CGROUP_LEGACY:
		return "legacy (cgroup v1 only)";
	default:
		return "none mounted";
	}
}
