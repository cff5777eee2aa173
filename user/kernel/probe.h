/* SPDX-License-Identifier: GPL-2.0-only */
/* What the running kernel and the cgroup setup provide, probed with
 * libbpf's feature probes (program and map types, helpers), a link probe
 * for tcx, and the mount table for cgroup v2; and which missing feature
 * stops smtpfence, named with the kernel release that brought it. */
#ifndef SF_PROBE_H
#define SF_PROBE_H

#include "util/cgroup_mode.h"

#include <stdbool.h>
#include <stddef.h>

enum sf_feature_need {
	SF_NEED_ALWAYS,	    /* nothing works without it */
	SF_NEED_INTERFACES, /* only `interfaces =` / --tc-dev (forwarded traffic) */
};

struct sf_feature {
	const char *name;   /* as the refusal names it */
	const char *kernel; /* the first mainline release that has it */
	const char *for_what;
	enum sf_feature_need need;
	bool present;
};

#define SF_MAX_FEATURES 24

struct sf_probe {
	struct sf_feature f[SF_MAX_FEATURES];
	size_t n;
	enum sf_cgroup_mode cgroup_mode;
	char cgroup2_mount[4096];
	char release[65]; /* uname -r */
};

/* Probes the running kernel and reads mountinfo (SF_MOUNTINFO live).
 * 0 or -errno (mountinfo unreadable); a missing feature is no error. */
int sf_probe_kernel(struct sf_probe *p, const char *mountinfo);
/* The first feature a start with (or without) interfaces cannot do
 * without, or NULL. A missing cgroup v2 mount is reported by
 * sf_probe_refusal, not here. */
const struct sf_feature *sf_probe_missing(const struct sf_probe *p, bool interfaces);
/* One line saying why smtpfence cannot start here, or false when it can. */
bool sf_probe_refusal(const struct sf_probe *p, bool interfaces, char *buf, size_t len);

/* One line for status: release, cgroup mode, what is missing. */
void sf_probe_summary(const struct sf_probe *p, char *buf, size_t len);

#endif /* SF_PROBE_H */
