// SPDX-License-Identifier: GPL-2.0-only
/* Readers of the kernel's counters: per rule, and host-wide over CPUs. */
#include "kernel/counters.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sf_rule_counters(int fd, const struct sf_rule_key *key, struct sf_counters *c)
{
	int ncpu = libbpf_num_possible_cpus();
	struct sf_counters *per;

	memset(c, 0, sizeof(*c));
	/* Per CPU: each CPU counts apart, the sum is the rule's. */
	per = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*per)) : NULL;
	if (!per)
		return;
	if (!bpf_map_lookup_elem(fd, key, per))
		for (int i = 0; i < ncpu; i++) {
			c->attempts += per[i].attempts;
			c->allowed += per[i].allowed;
			c->denied += per[i].denied;
			c->limited += per[i].limited;
			c->redirected += per[i].redirected;
			c->bypass += per[i].bypass;
		}
	free(per);
}

int sf_totals_read(int fd, struct sf_totals *t)
{
	int ncpu = libbpf_num_possible_cpus();
	struct sf_totals *per;
	__u32 zero = 0;

	if (ncpu < 0)
		return ncpu;
	per = calloc((size_t)ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	memset(t, 0, sizeof(*t));
	if (bpf_map_lookup_elem(fd, &zero, per)) {
		free(per);
		return -errno;
	}
	for (int i = 0; i < ncpu; i++) {
		t->c.attempts += per[i].c.attempts;
		t->c.allowed += per[i].c.allowed;
		t->c.denied += per[i].c.denied;
		t->c.limited += per[i].c.limited;
		t->c.redirected += per[i].c.redirected;
		t->c.bypass += per[i].c.bypass;
		t->forwarded += per[i].forwarded;
		t->malformed += per[i].malformed;
		t->events += per[i].events;
		t->events_lost += per[i].events_lost;
		t->flows_lost += per[i].flows_lost;
	}
	free(per);
	return 0;
}
