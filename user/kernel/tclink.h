/* SPDX-License-Identifier: GPL-2.0-only */
/* tc egress programs attached with tcx links (Linux 6.6+): several
 * programs share an interface's egress hook, and a qdisc or filter set
 * up by anyone else is left as it is. Links are pinned per interface. */
#ifndef SF_TCLINK_H
#define SF_TCLINK_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_program;

/* Attaches prog first on ifname's egress hook, pinned at
 * <pin_dir>/link_tc_<ifname>, or swaps it into the link pinned there when
 * that still holds the same interface. */
int sf_tclink_attach(struct bpf_program *prog, const char *pin_dir, const char *ifname,
		     bool *adopted);
/* Removes the tc link pins of every interface not in names[] (detaching
 * smtpfence from it, and nothing else). */
int sf_tclink_prune(const char *pin_dir, const char *const *names, size_t n);

struct sf_tclink_info {
	char ifname[16];
	unsigned int ifindex; /* 0: the interface is gone, the link is dead */
	unsigned int prog_id;
};

/* The tc links pinned in pin_dir; returns how many (at most max), or -errno. */
int sf_tclink_list(const char *pin_dir, struct sf_tclink_info *out, size_t max);

#endif /* SF_TCLINK_H */
