/* SPDX-License-Identifier: GPL-2.0-only */
/* What every smtpfence BPF object shares when it is loaded and attached:
 * its maps sized as asked (or as the pinned ones are), and its cgroup
 * programs attached through pinned links. The loader (connect hook) and
 * the backstop (egress, tc) both build on it. */
#ifndef SF_OBJECT_H
#define SF_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

struct sf_load_opts {
	const char *pin_dir;
	const char *cgroup; /* absolute path of the attach cgroup */
	uint32_t max_rules;
	uint32_t max_flows;
	const char *const *tc_devs; /* interfaces for the tc program */
	size_t n_tc_devs;
	bool follow; /* a later object: shares the maps the first one pinned */
	bool move;   /* links pinned at another cgroup may be moved to this one */
};

struct bpf_object;
struct bpf_program;
/* Sizes the object's maps as asked, or as the pinned ones are. */
int sf_loader_prepare_maps(struct bpf_object *obj, const struct sf_load_opts *o, bool *reused);
/* Attaches at the cgroup with a pinned link, or swaps the program into the
 * link pinned there already; *adopted tells which. */
int sf_attach_cgroup_link(struct bpf_program *prog, const char *link_path, int cgfd, uint64_t cgid,
			  bool *adopted);

#endif /* SF_OBJECT_H */
