/* SPDX-License-Identifier: GPL-2.0-only */
/* Opens a configuration file that must be a regular file, never blocking:
 * a FIFO, a device or a directory named like one is refused, not read. */
#ifndef SF_REGULAR_H
#define SF_REGULAR_H

#include <stdio.h>

/* errno of a path that is there but is no regular file. */
#define SF_ENOTREG EBADFD

/* Opens path for reading (O_NONBLOCK, so that a FIFO cannot hang us),
 * then checks it is a regular file. NULL with errno set: ENOENT and the
 * like from open(2), or SF_ENOTREG for anything but a regular file. */
FILE *sf_fopen_regular(const char *path);
/* What path is, for an error: "a FIFO", "a directory", "a device". */
const char *sf_file_kind(const char *path);

#endif /* SF_REGULAR_H */
