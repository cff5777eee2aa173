// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The floor of the program-cost table: a cgroup/connect4 and a
 * cgroup_skb/egress program that let everything through and do nothing
 * else. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup/connect4")
int empty_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup_skb/egress")
int empty_egress(struct __sk_buff *skb)
{
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
