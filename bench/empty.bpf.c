// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The floor of the program-cost table: a cgroup/connect4 program that
 * lets every connect through and does nothing else. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup/connect4")
int empty_connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
