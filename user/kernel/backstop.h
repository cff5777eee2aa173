/* SPDX-License-Identifier: GPL-2.0-only */
/* The programs behind the connect hook: cgroup_skb egress (SYNs from
 * sockets the hook never judged) and tc egress on the named interfaces
 * (forwarded SYNs). Loaded against the same pinned maps. */
#ifndef SF_BACKSTOP_H
#define SF_BACKSTOP_H

#include "kernel/object.h"

struct sf_backstop;

/* Opens and loads both objects; call after the connect object is loaded. */
int sf_backstop_load(const struct sf_load_opts *o, struct sf_backstop **out);
/* Attaches egress at the cgroup and tc at each interface (pinned links,
 * re-adopted when pinned already), and detaches tc from interfaces no
 * longer named. *adopted is cleared when anything had to be attached. */
int sf_backstop_attach(struct sf_backstop *b, int cgfd, __u64 cgroup_id, bool *adopted);
void sf_backstop_close(struct sf_backstop *b);

#endif /* SF_BACKSTOP_H */
