// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cgroup_skb/egress: the backstop behind the connect hook. A TCP SYN to a
 * watched port from a socket the connect hook never judged (a raw socket,
 * a destination rewritten after the hook) is judged here by the same
 * policy, with the socket's identity, and dropped unless allowed. */
#include "packet.bpf.h"
#include "policy.bpf.h"

#define SF_SKB_PASS	1
#define SF_SKB_DROP	0
#define SF_SOCK_STREAM	1
#define SF_SOCK_DGRAM	2
#define SF_TCP_SYN_SENT 2

/* The walk looks at the cgroups of the socket that sends. */
static __always_inline __u64 sf_ancestor_cgroup_id(void *ctx, int level)
{
	return bpf_skb_ancestor_cgroup_id(ctx, level);
}

static __always_inline int sf_same_dest(const struct sf_judged *j, const struct sf_flow_key *fk)
{
	__u64 a[2], b[2];

	__builtin_memcpy(a, j->daddr, sizeof(a));
	__builtin_memcpy(b, fk->daddr, sizeof(b));
	return j->family == fk->family && j->dport == fk->dport && a[0] == b[0] && a[1] == b[1];
}

/* The socket's owner and cgroup. A socket records no group: the sending
 * task's is taken when that task is the owner (a raw socket sends in its
 * caller's context); otherwise no group rule can match. */
static __always_inline void sf_socket_identity(struct __sk_buff *skb, struct sf_identity *who)
{
	__u64 uid_gid = bpf_get_current_uid_gid();

	who->cgroup_id = bpf_skb_cgroup_id(skb);
	who->uid = bpf_get_socket_uid(skb);
	who->gid = (__u32)uid_gid == who->uid ? uid_gid >> 32 : SF_UID_NONE;
}

/* Only a raw socket or a TCP socket that is opening can send a SYN: every
 * other packet (data, ACKs, datagrams) passes without being parsed. */
static __always_inline int sf_cannot_send_syn(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk || !(sk = bpf_sk_fullsock(sk)))
		return 0;
	if (sk->type == SF_SOCK_STREAM)
		return sk->state != SF_TCP_SYN_SENT;
	return sk->type == SF_SOCK_DGRAM;
}

SEC("cgroup_skb/egress")
int sf_egress(struct __sk_buff *skb)
{
	struct sf_pkt p = {};

	if (sf_cannot_send_syn(skb))
		return SF_SKB_PASS;

	int kind = sf_parse_syn(skb, &p);

	if (kind == SF_PKT_OTHER)
		return SF_SKB_PASS;
	if (kind == SF_PKT_MALFORMED) {
		sf_count_malformed();
		return SF_SKB_DROP;
	}
	if (!sf_port_watched(bpf_ntohs(p.fk.dport)))
		return SF_SKB_PASS;

	__u32 zero = 0;
	struct sf_settings *s = bpf_map_lookup_elem(&sf_settings, &zero);
	struct bpf_sock *sk = skb->sk;
	struct sf_judged *j = NULL;
	struct sf_identity who;
	__u32 verdict;

	if (!s || !sk)
		return SF_SKB_PASS;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return SF_SKB_PASS;
	/* Only a TCP socket's mark stands for its SYNs: a raw socket's
	 * every packet is a new attempt. */
	if (sk->type == SF_SOCK_STREAM) {
		j = bpf_sk_storage_get(&sf_judged, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
		if (j && j->family && sf_same_dest(j, &p.fk))
			return sf_verdict_passes(j->verdict) ? SF_SKB_PASS : SF_SKB_DROP;
	}
	sf_socket_identity(skb, &who);
	verdict = sf_judge_identity(&p.fk, &who, s, skb, SF_PATH_BYPASS);
	/* A TCP socket retransmits its SYN: judge it once, not per copy. */
	if (j) {
		j->family = p.fk.family;
		j->dport = p.fk.dport;
		j->verdict = verdict;
		__builtin_memcpy(j->daddr, p.fk.daddr, sizeof(j->daddr));
	}
	return sf_verdict_passes(verdict) ? SF_SKB_PASS : SF_SKB_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
