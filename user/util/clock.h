/* SPDX-License-Identifier: GPL-2.0-only */
/* Boot-time stamps (bpf_ktime_get_boot_ns) and their wall-clock text. */
#ifndef SF_CLOCK_H
#define SF_CLOCK_H

#include <linux/types.h>
#include <stddef.h>
#include <time.h>

/* CLOCK_BOOTTIME now, in ns. */
__u64 sf_boot_now_ns(void);
/* A CLOCK_MONOTONIC stamp (bpf_ktime_get_coarse_ns) as CLOCK_BOOTTIME. */
__u64 sf_boot_of_mono_ns(__u64 mono_ns);
/* "2025-01-31T12:34:56.789Z" (RFC 3339, UTC). */
void sf_format_rfc3339(__u64 boot_ns, char *buf, size_t len);
/* Local "HH:MM:SS". */
void sf_format_clock(__u64 boot_ns, char *buf, size_t len);

#endif /* SF_CLOCK_H */
