// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cgroup/connect4 and cgroup/connect6: the primary enforcement point. Every
 * TCP connect (blocking, non-blocking, io_uring, TCP Fast Open) passes the
 * pre-connect hook, so this is where a watched connect is judged. */
#include "policy.bpf.h"
#include <bpf/bpf_core_read.h>

#define SF_IPPROTO_TCP 6
#define SF_SOCK_STREAM 1

/* Whose cgroups the walk looks at: the connecting task's (cgrp 0), or
 * those of the cgroup at kernel address cgrp (an MPTCP subflow's owner). */
struct sf_walk {
	__u64 cgrp;
};

/* What the walk reads of the kernel's structures, through its BTF (CO-RE). */
struct kernfs_node___sf {
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup___sf {
	struct kernfs_node___sf *kn;
	int level;
	struct cgroup___sf *ancestors[];
} __attribute__((preserve_access_index));

struct sock___sf {
	struct {
		__u32 val;
	} sk_uid;
	struct {
		struct cgroup___sf *cgroup;
	} sk_cgrp_data;
} __attribute__((preserve_access_index));

/* The id of the cgroup at kernel address cgrp (0 when unreadable). */
static __always_inline __u64 sf_cgroup_id_at(__u64 cgrp)
{
	__u64 kn = 0, id = 0;

	bpf_probe_read_kernel(&kn, sizeof(kn),
			      (void *)(cgrp + bpf_core_field_offset(struct cgroup___sf, kn)));
	if (kn)
		bpf_probe_read_kernel(
			&id, sizeof(id),
			(void *)(kn + bpf_core_field_offset(struct kernfs_node___sf, id)));
	return id;
}

static __always_inline __u64 sf_ancestor_cgroup_id(void *ctx, int level)
{
	__u64 cgrp = ((struct sf_walk *)ctx)->cgrp, anc = 0;
	int depth = 0;

	if (!cgrp)
		return bpf_get_current_ancestor_cgroup_id(level);
	bpf_probe_read_kernel(&depth, sizeof(depth),
			      (void *)(cgrp + bpf_core_field_offset(struct cgroup___sf, level)));
	if (level > depth)
		return 0;
	bpf_probe_read_kernel(&anc, sizeof(anc),
			      (void *)(cgrp + bpf_core_field_offset(struct cgroup___sf, ancestors) +
				       (__u64)level * sizeof(anc)));
	return anc ? sf_cgroup_id_at(anc) : 0;
}

/* An MPTCP subflow is judged as its connection's owner: the path manager
 * opens additional subflows (after the peer's ADD_ADDR) from a kernel
 * worker, whose own identity is uid 0 in cgroup /. The MPTCP socket holds
 * the owner's uid and cgroup; the owner's group is the task's when the
 * task is the owner, else none. Returns 1 for a subflow. */
static __always_inline int sf_subflow_owner(struct bpf_sock_addr *ctx, struct sf_identity *who,
					    struct sf_walk *walk)
{
	struct bpf_sock *sk = ctx->sk;
	struct sock___sf *msk;
	__u64 cgrp = 0;
	__u32 uid = 0;

	if (!sk)
		return 0;
	msk = (struct sock___sf *)bpf_skc_to_mptcp_sock(sk);
	if (!msk)
		return 0;
	bpf_probe_read_kernel(&uid, sizeof(uid), &msk->sk_uid.val);
	bpf_probe_read_kernel(&cgrp, sizeof(cgrp), &msk->sk_cgrp_data.cgroup);
	if (!cgrp)
		return 0;
	who->cgroup_id = sf_cgroup_id_at(cgrp);
	if (who->uid != uid) {
		who->uid = uid;
		who->gid = SF_UID_NONE;
	}
	walk->cgrp = cgrp;
	return 1;
}

/* Records the verdict on a socket whose connect was let through, with its
 * destination, in its cookie's slot: the cgroup_skb backstop passes its
 * SYNs without judging them again. An array slot costs no allocation and
 * nothing at close, unlike socket local storage. */
static __always_inline void sf_mark_judged(struct bpf_sock_addr *ctx, const struct sf_flow_key *fk,
					   __u32 verdict)
{
	__u64 cookie;
	__u32 slot;
	struct sf_verdict_slot *v;

	if (ctx->type != SF_SOCK_STREAM)
		return;
	cookie = bpf_get_socket_cookie(ctx);
	slot = (__u32)cookie & (SF_VERDICT_SLOTS - 1);
	v = bpf_map_lookup_elem(&sf_verdicts, &slot);
	if (!v)
		return;
	v->family = fk->family;
	v->dport = fk->dport;
	v->verdict = verdict;
	__builtin_memcpy(v->daddr, fk->daddr, sizeof(v->daddr));
	v->cookie = cookie;
}

static __always_inline void sf_set_user_ip6(struct bpf_sock_addr *ctx, const __u32 *w)
{
	ctx->user_ip6[0] = w[0];
	ctx->user_ip6[1] = w[1];
	ctx->user_ip6[2] = w[2];
	ctx->user_ip6[3] = w[3];
}

/* Sends a redirected connect to the relay: stores what it asked for on
 * the socket (sf_redirects, for getpeername and the mail-flow bridge) and
 * rewrites the destination in place, no packet NAT. *fk becomes the relay,
 * so the backstop passes the SYN. sock6: the program is connect6 (a
 * constant: the verifier refuses an IPv6 write in connect4). */
static __always_inline void sf_redirect(struct bpf_sock_addr *ctx, struct sf_flow_key *fk,
					const struct sf_settings *s, int sock6)
{
	struct bpf_sock *sk = ctx->sk;
	struct sf_redirect *orig;
	__u32 r6[4];

	if (sk) {
		orig = bpf_sk_storage_get(&sf_redirects, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
		if (orig) {
			orig->family = fk->family;
			orig->dport = fk->dport;
			__builtin_memcpy(orig->daddr, fk->daddr, sizeof(orig->daddr));
		}
	}
	__builtin_memset(fk->daddr, 0, sizeof(fk->daddr));
	if (fk->family == SF_AF_INET) {
		/* A v4-mapped connect goes to the v4-mapped form of the relay. */
		if (sock6) {
			__u32 m[4] = {0, 0, bpf_htonl(0xffff), s->relay4};

			sf_set_user_ip6(ctx, m);
		} else {
			ctx->user_ip4 = s->relay4;
		}
		ctx->user_port = s->relay4_port;
		__builtin_memcpy(fk->daddr, &s->relay4, 4);
		fk->dport = s->relay4_port;
		return;
	}
	if (!sock6)
		return; /* cannot happen: connect4 sees IPv4 only */
	__builtin_memcpy(r6, s->relay6, sizeof(r6));
	sf_set_user_ip6(ctx, r6);
	ctx->user_port = s->relay6_port;
	__builtin_memcpy(fk->daddr, r6, sizeof(r6));
	fk->dport = s->relay6_port;
}

/* The verdict on a connect to a watched port whose destination is in *fk,
 * by slot `slot` with its settings *s (counted and reported). Global: the verifier checks it once, with the
 * family unknown, where inlined into connect6 it walked every IPv4 and
 * IPv6 path apart (0.6 s of the daemon's start). */
__noinline int sf_connect_verdict_of(struct bpf_sock_addr *ctx, struct sf_flow_key *fk,
				     const struct sf_settings *s, __u32 slot)
{
	__u64 uid_gid = bpf_get_current_uid_gid();
	struct sf_identity who = {.cgroup_id = bpf_get_current_cgroup_id(),
				  .uid = (__u32)uid_gid,
				  .gid = uid_gid >> 32};
	struct sf_walk walk = {};

	if (!s || !fk)
		return SF_VERDICT_ALLOWED;
	sf_subflow_owner(ctx, &who, &walk);
	return sf_judge_identity(fk, &who, s, &walk, SF_PATH_CONNECT, slot);
}

/* Judges a connect to a watched port whose destination is in *fk.
 * Returns the sock_addr program verdict: 1 lets it through, 0 rejects. */
static __always_inline int sf_judge_connect(struct bpf_sock_addr *ctx, struct sf_flow_key *fk,
					    int sock6, __u32 slot)
{
	__u32 key = slot & 1;
	struct sf_settings *s = bpf_map_lookup_elem(&sf_settings, &key);
	__u32 verdict;

	if (!s)
		return 1;
	verdict = sf_connect_verdict_of(ctx, fk, s, slot);
	if (verdict == SF_VERDICT_REDIRECTED)
		sf_redirect(ctx, fk, s, sock6);
	else if (ctx->sk)
		/* A socket connected again after AF_UNSPEC: not redirected now. */
		bpf_sk_storage_delete(&sf_redirects, ctx->sk);
	if (sf_verdict_passes(verdict)) {
		sf_mark_judged(ctx, fk, verdict);
		return 1;
	}
	if (s->deny_errno && s->deny_errno != SF_EPERM)
		bpf_set_retval(-(int)s->deny_errno);
	return 0;
}

SEC("cgroup/connect4")
int sf_connect4(struct bpf_sock_addr *ctx)
{
	__u16 dport = (__u16)ctx->user_port;
	__u32 slot = sf_slot();

	if (!sf_port_watched(bpf_ntohs(dport), slot))
		return 1;
	if (ctx->protocol != SF_IPPROTO_TCP)
		return 1;

	struct sf_flow_key fk = {.family = SF_AF_INET, .dport = dport};
	__u32 ip4 = ctx->user_ip4;

	__builtin_memcpy(fk.daddr, &ip4, 4);
	return sf_judge_connect(ctx, &fk, 0, slot);
}

SEC("cgroup/connect6")
int sf_connect6(struct bpf_sock_addr *ctx)
{
	__u16 dport = (__u16)ctx->user_port;
	__u32 slot = sf_slot();

	if (!sf_port_watched(bpf_ntohs(dport), slot))
		return 1;
	if (ctx->protocol != SF_IPPROTO_TCP)
		return 1;

	struct sf_flow_key fk = {.dport = dport};
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
	return sf_judge_connect(ctx, &fk, 1, slot);
}

/* getpeername() on a redirected socket answers the destination it asked
 * for, not the relay: the application's logs stay true to its intent. */
SEC("cgroup/getpeername4")
int sf_getpeername4(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	struct sf_redirect *orig;
	__u32 a;

	if (!sk)
		return 1;
	orig = bpf_sk_storage_get(&sf_redirects, sk, NULL, 0);
	if (!orig || orig->family != SF_AF_INET)
		return 1;
	__builtin_memcpy(&a, orig->daddr, 4);
	ctx->user_ip4 = a;
	ctx->user_port = orig->dport;
	return 1;
}

SEC("cgroup/getpeername6")
int sf_getpeername6(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	struct sf_redirect *orig;
	__u32 w[4];

	if (!sk)
		return 1;
	orig = bpf_sk_storage_get(&sf_redirects, sk, NULL, 0);
	if (!orig)
		return 1;
	if (orig->family == SF_AF_INET) {
		/* It asked for ::ffff:a.b.c.d; stored as IPv4. */
		w[0] = 0;
		w[1] = 0;
		w[2] = bpf_htonl(0xffff);
		__builtin_memcpy(&w[3], orig->daddr, 4);
	} else {
		__builtin_memcpy(w, orig->daddr, sizeof(w));
	}
	sf_set_user_ip6(ctx, w);
	ctx->user_port = orig->dport;
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
