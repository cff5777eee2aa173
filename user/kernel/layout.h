/* SPDX-License-Identifier: GPL-2.0-only */
/* Whether a pinned map has the layout this build expects: kind, sizes,
 * flags, and the key and value types member by member (from BTF), so a
 * reordered struct of the same size is caught too. Without CAP_SYS_ADMIN
 * the pinned BTF cannot be read: then the sizes alone are compared, and a
 * same-size change relies on SF_LAYOUT_VERSION (migrate.h). */
#ifndef SF_LAYOUT_H
#define SF_LAYOUT_H

#include <stdbool.h>

struct bpf_map;
struct btf;

/* Compares the map behind fd with this build's map (opened, not loaded;
 * btf is its object's). 0 or -errno; *same is false when the pinned map
 * must be migrated. */
int sf_map_layout_same(int fd, const struct bpf_map *map, const struct btf *btf, bool *same);

#endif /* SF_LAYOUT_H */
