/* SPDX-License-Identifier: GPL-2.0-only */
/* What the kernel has attached for this smtpfence, link by link, found by
 * iterating every BPF link and keeping those whose program uses our pinned
 * maps: pins alone can lie (a link with its pin removed may still run, a
 * pin may outlive its interface). */
#ifndef SF_LINKVIEW_H
#define SF_LINKVIEW_H

#include "kernel/pins.h"

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

enum sf_hook {
	SF_HOOK_CONNECT4,
	SF_HOOK_CONNECT6,
	SF_HOOK_EGRESS,
	SF_HOOK_TC,
	SF_N_HOOKS,
};

struct sf_link_view {
	enum sf_hook hook;
	__u32 link_id, prog_id;
	__u64 cgroup_id;      /* cgroup hooks */
	unsigned int ifindex; /* tc */
	bool pinned;	      /* a pin in the pin directory holds it */
};

/* Fills out with every link of ours the kernel has (at most max); returns
 * how many, or -errno. */
int sf_links_in_kernel(const struct sf_maps *m, const char *pin_dir, struct sf_link_view *out,
		       size_t max);
const char *sf_hook_name(enum sf_hook hook);
/* The first link of a hook in v[0..n), or NULL. */
const struct sf_link_view *sf_link_find(const struct sf_link_view *v, size_t n, enum sf_hook hook);

#endif /* SF_LINKVIEW_H */
