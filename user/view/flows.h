/* SPDX-License-Identifier: GPL-2.0-only */
/* Reads the per-flow counters (sf_flows) in batches, for flows, top,
 * metrics. */
#ifndef SF_FLOWS_H
#define SF_FLOWS_H

#include "smtpfence.h"

#include <stddef.h>

struct sf_flow_entry {
	struct sf_flow_key key;
	struct sf_flow val;
};

struct sf_flow_table {
	struct sf_flow_entry *v;
	size_t n;
	__u32 max_entries; /* capacity of the kernel map */
};

/* Replaces t's contents with every flow in the map. 0 or -errno; -EPROTO
 * when the pinned map's layout is not the one this build knows. */
int sf_flows_read(int fd, struct sf_flow_table *t);
void sf_flow_table_free(struct sf_flow_table *t);

#endif /* SF_FLOWS_H */
