// SPDX-License-Identifier: GPL-2.0-only
#include "util/mkdirs.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

static int make_one(const char *path, mode_t mode)
{
	struct stat st;

	if (!mkdir(path, mode)) {
		/* the umask must not loosen or tighten what was asked for */
		return chmod(path, mode) ? -errno : 0;
	}
	if (errno != EEXIST)
		return -errno;
	if (stat(path, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int sf_mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	int err;

	if (n == 0 || n >= sizeof(buf))
		return n ? -ENAMETOOLONG : -EINVAL;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		err = make_one(buf, mode);
		*p = '/';
		if (err)
			return err;
	}
	return make_one(buf, mode);
}
