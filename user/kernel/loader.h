/* SPDX-License-Identifier: GPL-2.0-only */
/* Loads the BPF programs, reuses or creates the pinned maps, and attaches
 * or re-adopts the pinned links with no gap in enforcement. */
#ifndef SF_LOADER_H
#define SF_LOADER_H

#include "kernel/object.h"

#include <stdbool.h>

struct sf_maps;

struct sf_loader;

/* Opens the BPF object, reuses the pinned maps or creates and pins them,
 * and loads the programs; nothing is attached yet, so the caller can fill
 * the maps before the first connect is judged. */
int sf_loader_load(const struct sf_load_opts *o, struct sf_loader **out, bool *maps_reused);
/* Duplicates the fds of the maps the loaded programs use (pinned ones, or
 * fresh ones for a migration), to fill them before attaching. */
int sf_loader_maps(const struct sf_loader *l, struct sf_maps *m);
/* Attaches at the cgroup and pins the links, or swaps this build's
 * programs into the pinned links atomically (re-adoption, upgrade), then
 * pins the maps of a migration in place of the old ones. */
int sf_loader_attach(struct sf_loader *l, bool *adopted);
/* Frees the userspace side; what is pinned keeps enforcing. */
void sf_loader_close(struct sf_loader *l);
/* Detaches (by removing the link pins) and removes every pin. */
int sf_unload(const char *pin_dir);

#endif /* SF_LOADER_H */
