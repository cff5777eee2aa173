/* SPDX-License-Identifier: GPL-2.0-only */
/* Pinned maps across builds. A map whose layout is unchanged is reused
 * with its rules and counters. A map of another layout (see layout.h), or
 * every map when the pinned state carries another SF_LAYOUT_VERSION, stays
 * with the old programs while this build fills a fresh one, staged beside
 * it; once this build's programs are attached, the staged maps take the
 * old ones' names. Every object of a load shares the same maps. */
#ifndef SF_MIGRATE_H
#define SF_MIGRATE_H

#include <stdbool.h>

struct bpf_map;
struct btf;

/* Before a load. first: the object that decides (the connect programs);
 * the later objects share what it reused or staged. Adopts the size of a
 * reused map. *reused is set when a pinned map is kept. */
int sf_migrate_prepare_map(const char *pin_dir, struct bpf_map *map, const struct btf *btf,
			   bool first, bool *reused);
/* Removes maps staged by a start that failed half-way. */
int sf_migrate_drop_staged(const char *pin_dir);
/* After the attach: staged maps replace the old ones, and the pinned state
 * is marked with this build's layout version (marker_fd: any of its maps). */
int sf_migrate_promote(const char *pin_dir, int marker_fd);

#endif /* SF_MIGRATE_H */
