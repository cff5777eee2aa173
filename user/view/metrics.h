/* SPDX-License-Identifier: GPL-2.0-only */
/* The Prometheus text exposition of what the pinned maps count: per
 * tenant and port (the top N tenants by attempts, the rest summed as
 * tenant="other", so 100,000 tenants stay N+1 label sets), host totals,
 * rules per kind, map fill, lost events, and program run statistics when
 * the kernel keeps them (sysctl kernel.bpf_stats_enabled). */
#ifndef SF_METRICS_H
#define SF_METRICS_H

#include "kernel/pins.h"
#include "view/metrics_text.h"
#include "view/tenants.h"

#include <stdio.h>

struct sf_metrics {
	const struct sf_maps *maps;
	const char *pin_dir;
	struct sf_tenants *tenants;
	unsigned int top_tenants;
	/* Appends metrics only the daemon knows (may be NULL). */
	void (*extra)(FILE *f, void *arg);
	void *extra_arg;
};

/* The whole exposition in a malloc'd buffer. 0 or -errno. */
int sf_metrics_render(const struct sf_metrics *m, char **text, size_t *len);

#endif /* SF_METRICS_H */
