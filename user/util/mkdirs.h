/* SPDX-License-Identifier: GPL-2.0-only */
/* Directories a fresh node lacks (/etc/smtpfence/rules.d, the run dir),
 * made with their parents. */
#ifndef SF_MKDIRS_H
#define SF_MKDIRS_H

#include <sys/types.h>

/* mkdir -p: every missing part is made with mode (0755 for what anyone
 * may read, 0700 where secret); parts that exist are left as they are,
 * but each must be a directory. 0 or -errno. */
int sf_mkdirs(const char *path, mode_t mode);

#endif /* SF_MKDIRS_H */
