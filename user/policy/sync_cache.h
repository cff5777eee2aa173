/* SPDX-License-Identifier: GPL-2.0-only */
/* What the kernel's policy maps hold after the last complete sync (every
 * rule in both slots alike), kept in RUN_DIR so that the next change
 * computes its delta without reading the whole rules table back. It is
 * trusted only while the generation map still shows that sync as the last
 * one: the same boot, the same maps (ids), the same generation and journal
 * fields (any change begun since, finished or not, moves them), no change
 * pending, the other slot quiet. It is removed before any kernel write and
 * written again after the sync ends complete: a kill in between leaves no
 * file, and the next change syncs in full. */
#ifndef SF_SYNC_CACHE_H
#define SF_SYNC_CACHE_H

#include "kernel/pins.h"
#include "policy/compile.h"

#include <stdint.h>

#define SF_SYNC_CACHE_FILE "kernel.cache"

struct sf_cached_rule {
	struct sf_rule_key key;
	struct sf_rule_at value;
};

struct sf_sync_cache {
	void *buf;			    /* the file, read whole; the arrays point into it */
	const struct sf_cached_rule *rules; /* sorted by key */
	size_t n_rules;
	const struct sf_settings *settings;
	const uint8_t *ports; /* 65536 / 8 */
	const struct sf_lpm4 *exempt4, *source4;
	const struct sf_lpm6 *exempt6, *source6;
	const struct sf_source *source4_val, *source6_val;
	size_t n_exempt4, n_exempt6, n_source4, n_source6;
};

/* Reads path and checks it against the maps and the mapped generation g.
 * 0: *out describes the kernel; -ENOENT, -ESTALE (another state) or
 * -EBADMSG (damaged): not to be used. */
int sf_sync_cache_load(const char *path, const struct sf_maps *m, const struct sf_gen *g,
		       struct sf_sync_cache *out);
void sf_sync_cache_free(struct sf_sync_cache *sc);
/* Records c as what the maps hold now, under the state of g. */
int sf_sync_cache_save(const char *path, const struct sf_maps *m, const struct sf_gen *g,
		       const struct sf_compiled *c);
/* Before a kernel write: from here the file would not be true (the
 * journal's fields move as well, so a file that could not be removed is
 * stale anyway). */
int sf_sync_cache_drop(const char *path);
/* Whether everything but the rules (settings, ports, prefix tries) is the
 * same in the cache and in c. */
bool sf_sync_cache_same_rest(const struct sf_sync_cache *sc, const struct sf_compiled *c);

#endif /* SF_SYNC_CACHE_H */
