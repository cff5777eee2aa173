/* SPDX-License-Identifier: GPL-2.0-only */
/* Reads the per-flow counters (sf_flows) in batches, for flows, top,
 * metrics; and converts the kernel's boot-time stamps to wall-clock time. */
#ifndef SF_FLOWS_H
#define SF_FLOWS_H

#include "smtpfence.h"

#include <stddef.h>
#include <time.h>

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

/* Wall-clock time of a CLOCK_BOOTTIME stamp (the kernel's bpf_ktime_get_boot_ns). */
struct timespec sf_boot_to_real(__u64 boot_ns);
/* CLOCK_BOOTTIME now, in ns. */
__u64 sf_boot_now_ns(void);
/* "2025-01-31T12:34:56.789Z" (RFC 3339, UTC). */
void sf_format_rfc3339(__u64 boot_ns, char *buf, size_t len);
/* Local "HH:MM:SS". */
void sf_format_clock(__u64 boot_ns, char *buf, size_t len);

#endif /* SF_FLOWS_H */
