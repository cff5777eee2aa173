/* SPDX-License-Identifier: GPL-2.0-only */
/* A whole file written from memory (mode 0644, truncated first), flushed
 * to disk when asked: the writers of the configuration and of a change's
 * staged files share it. */
#ifndef SF_WRITE_FILE_H
#define SF_WRITE_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* 0 or -errno; flush: fsync(2) before close. */
int sf_write_file(const char *path, const char *data, size_t len, bool flush);
/* The same through a temporary file beside it and rename(2): a reader
 * finds the old content or the new one, whole. */
int sf_write_replace(const char *path, const char *data, size_t len, bool flush);

#endif /* SF_WRITE_FILE_H */
