/* SPDX-License-Identifier: GPL-2.0-only */
/* Wall-clock times as the listings show them. */
#ifndef SF_WALLTIME_H
#define SF_WALLTIME_H

#include <stddef.h>
#include <stdint.h>

/* RFC 3339 in UTC: "2026-12-01T23:00:00Z". */
void sf_format_utc(int64_t unix_s, char *buf, size_t len);

#endif /* SF_WALLTIME_H */
