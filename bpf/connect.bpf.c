// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cgroup/connect4 and cgroup/connect6: the primary enforcement point. Every
 * TCP connect (blocking, non-blocking, io_uring, TCP Fast Open) passes the
 * pre-connect hook, so this is where a watched connect is judged. */
#include "policy.bpf.h"

#define SF_IPPROTO_TCP 6

SEC("cgroup/connect4")
int sf_connect4(struct bpf_sock_addr *ctx)
{
	__u16 dport = (__u16)ctx->user_port;

	if (!sf_port_watched(bpf_ntohs(dport)))
		return 1;
	if (ctx->protocol != SF_IPPROTO_TCP)
		return 1;

	struct sf_flow_key fk = { .family = SF_AF_INET, .dport = dport };
	__u32 ip4 = ctx->user_ip4;

	__builtin_memcpy(fk.daddr, &ip4, 4);
	return sf_judge_connect(&fk);
}

SEC("cgroup/connect6")
int sf_connect6(struct bpf_sock_addr *ctx)
{
	__u16 dport = (__u16)ctx->user_port;

	if (!sf_port_watched(bpf_ntohs(dport)))
		return 1;
	if (ctx->protocol != SF_IPPROTO_TCP)
		return 1;

	struct sf_flow_key fk = { .dport = dport };
	__u32 w0 = ctx->user_ip6[0], w1 = ctx->user_ip6[1];
	__u32 w2 = ctx->user_ip6[2], w3 = ctx->user_ip6[3];

	if (w0 == 0 && w1 == 0 && w2 == bpf_htonl(0xffff)) {
		/* ::ffff:a.b.c.d is an IPv4 connect in every respect. */
		fk.family = SF_AF_INET;
		__builtin_memcpy(fk.daddr, &w3, 4);
	} else {
		fk.family = SF_AF_INET6;
		__builtin_memcpy(fk.daddr, &w0, 4);
		__builtin_memcpy(fk.daddr + 4, &w1, 4);
		__builtin_memcpy(fk.daddr + 8, &w2, 4);
		__builtin_memcpy(fk.daddr + 12, &w3, 4);
	}
	return sf_judge_connect(&fk);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
