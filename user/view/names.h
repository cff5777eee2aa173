/* SPDX-License-Identifier: GPL-2.0-only */
/* Names for cgroup ids, cached, for events and views. */
#ifndef SF_NAMES_H
#define SF_NAMES_H

#include "smtpfence.h"

struct sf_namer;

struct sf_namer *sf_namer_new(const char *cgroup_mount);
void sf_namer_free(struct sf_namer *n);
/* Relative cgroup path for an id ("?" when it is gone). */
const char *sf_namer_cgroup(struct sf_namer *n, __u64 id);
/* The same, NULL when no cgroup has that id (any more). */
const char *sf_namer_find(struct sf_namer *n, __u64 id);

#endif /* SF_NAMES_H */
