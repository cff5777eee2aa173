// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* make bench-swap: the rules map's lookup, preallocated or not (the rules
 * map is not, since it is sized for two policies). Looks up `count` keys
 * of `n` uid rules in one of two maps filled alike. */
#include "smtpfence.h"
#include <bpf/bpf_helpers.h>

#define ENTRIES (2 * SF_MAX_RULES + 1)

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ENTRIES);
	__type(key, struct sf_rule_key);
	__type(value, struct sf_rule);
} prealloc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, ENTRIES);
	__type(key, struct sf_rule_key);
	__type(value, struct sf_rule);
} noprealloc SEC(".maps");

__u32 which; /* 0: prealloc, 1: noprealloc, 2: the loop alone */
__u32 n = 1;
__u64 first_uid, hits;

static long one(__u64 i, void *ctx)
{
	struct sf_rule_key k = {.id = first_uid + (i * 7919) % n, .kind = SF_KIND_UID};
	struct sf_rule *r = NULL;

	if (which == 1)
		r = bpf_map_lookup_elem(&noprealloc, &k);
	else if (which == 0)
		r = bpf_map_lookup_elem(&prealloc, &k);

	if (r && r->at[0].action)
		hits++;
	return 0;
}

SEC("syscall")
int lookups(void *ctx)
{
	bpf_loop(1000000, one, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
