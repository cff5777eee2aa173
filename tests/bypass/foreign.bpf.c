// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Somebody else's programs, attached before smtpfence on the same cgroup
 * and interface: they count what they see and let everything through. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&seen, &slot);

	if (n)
		__sync_fetch_and_add(n, 1);
}

// cppcheck-suppress unknownMacro
SEC("cgroup_skb/egress")
int foreign_egress(struct __sk_buff *skb)
{
	count(0);
	return 1;
}

// cppcheck-suppress unknownMacro
SEC("tc")
int foreign_tc(struct __sk_buff *skb)
{
	count(1);
	return -1; /* TCX_NEXT */
}

/* Rewrites connects to port 2626 into port 25, after smtpfence judged
 * them (attached after it): the SYN leaves to a port nobody judged. */
// cppcheck-suppress unknownMacro
SEC("cgroup/connect4")
int foreign_rewrite(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port == __builtin_bswap16(2626))
		ctx->user_port = __builtin_bswap16(25);
	return 1;
}

/* A classic clsact filter (direct action), behind the tcx programs. */
// cppcheck-suppress unknownMacro
SEC("tc")
int foreign_filter(struct __sk_buff *skb)
{
	count(2);
	return -1; /* TC_ACT_UNSPEC: on to the next filter */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
