// SPDX-License-Identifier: GPL-2.0-only
#include "util/regular.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *sf_fopen_regular(const char *path)
{
	struct stat st;
	FILE *f = NULL;
	int e = 0, fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st))
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = SF_ENOTREG;
	/* A regular file never blocks; clear the flag for plain reads. */
	else if (fcntl(fd, F_SETFL, 0) || !(f = fdopen(fd, "re")))
		e = errno;
	if (e) {
		close(fd);
		errno = e;
	}
	return f;
}

const char *sf_file_kind(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return "gone";
	if (S_ISDIR(st.st_mode))
		return "a directory";
	if (S_ISFIFO(st.st_mode))
		return "a FIFO";
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return "a device";
	if (S_ISSOCK(st.st_mode))
		return "a socket";
	return "a regular file";
}
