/* SPDX-License-Identifier: GPL-2.0-only */
/* Brings the pinned maps in step with a compiled policy, touching only
 * what differs: an unchanged rule is never removed, not even briefly, and
 * a failed sync puts the previous contents back. */
#ifndef SF_SYNC_H
#define SF_SYNC_H

#include "policy/compile.h"
#include "kernel/pins.h"

#include <stddef.h>

struct sf_sync_stats {
	size_t added;
	size_t changed;
	size_t removed;
	size_t kept;
};

int sf_sync(const struct sf_maps *m, const struct sf_compiled *c, struct sf_sync_stats *st);
/* The same, with cache (policy/sync_cache.h; NULL: none) the file that
 * says what the maps hold after the last complete sync: when it is true,
 * only the rules that differ are read and written, and a change that only
 * adds one rule needs no grace period. It is written again at the end. */
int sf_sync_cached(const struct sf_maps *m, const struct sf_compiled *c, const char *cache,
		   struct sf_sync_stats *st);

#endif /* SF_SYNC_H */
