// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cgroup_skb/egress: the backstop behind the connect hook. A TCP SYN to a
 * watched port from a socket the connect hook never judged (a raw socket,
 * a destination rewritten after the hook) is judged here by the same
 * policy, with the socket's identity, and dropped unless allowed. */
#include "packet.bpf.h"
#include "peers.bpf.h"
#include "policy.bpf.h"

#define SF_SKB_PASS    1
#define SF_SKB_DROP    0
#define SF_SOCK_STREAM 1

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

/* The connect hook's verdict on this socket for this destination, from
 * its cookie's slot; NULL when the slot names another socket or another
 * destination (rewritten after the hook, or the slot was taken over). */
static __always_inline struct sf_verdict_slot *sf_connect_verdict(struct __sk_buff *skb,
								  const struct sf_flow_key *fk)
{
	__u64 cookie = bpf_get_socket_cookie(skb);
	__u32 slot = (__u32)cookie & (SF_VERDICT_SLOTS - 1);
	struct sf_verdict_slot *v = bpf_map_lookup_elem(&sf_verdicts, &slot);
	__u64 a[2], b[2];

	if (!v || !cookie || v->cookie != cookie)
		return NULL;
	__builtin_memcpy(a, v->daddr, sizeof(a));
	__builtin_memcpy(b, fk->daddr, sizeof(b));
	if (v->family != fk->family || v->dport != fk->dport || a[0] != b[0] || a[1] != b[1])
		return NULL;
	return v;
}

/* The connect hook redirected this socket and the SYN goes to the relay:
 * the relay is never judged again, even when the socket's verdict slot
 * was taken over by a later socket. */
static __always_inline int sf_redirected_to_relay(struct bpf_sock *sk, const struct sf_flow_key *fk,
						  const struct sf_settings *s)
{
	return bpf_sk_storage_get(&sf_redirects, sk, NULL, 0) && sf_is_relay(fk, s);
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

enum sf_fast {
	SF_FAST_PASS,	/* certainly passes */
	SF_FAST_SYN,	/* a plain SYN to a watched port: *p holds its addresses */
	SF_FAST_OTHER,	/* a plain SYN to another port: *p holds its addresses */
	SF_FAST_UNSURE, /* the full parse must decide */
};

/* The common case in the first instructions, from the packet's linear
 * data: SF_FAST_PASS when it certainly passes (not TCP; TCP that is no SYN
 * without ACK; a SYN to a port not watched), SF_FAST_SYN for a SYN to a
 * watched port with no options in the way, SF_FAST_UNSURE for the rest
 * (fragments, extension headers, a header the linear data does not
 * hold). */
static __always_inline int sf_fast_classify(struct __sk_buff *skb, struct sf_pkt *p)
{
	__u8 *data = (__u8 *)(long)skb->data, *end = (__u8 *)(long)skb->data_end;
	struct ipv6hdr *ip6 = (struct ipv6hdr *)data;
	struct iphdr *ip = (struct iphdr *)data;
	__u8 *tcp;
	int v4 = skb->protocol == bpf_htons(SF_ETH_P_IP);

	if (v4) {
		__u32 hl;

		if ((__u8 *)(ip + 1) > end || ip->version != 4)
			return SF_FAST_UNSURE;
		if (ip->protocol != SF_PROTO_TCP)
			return SF_FAST_PASS;
		if (ip->frag_off & bpf_htons(SF_IP_MF | SF_IP_OFFSET))
			return SF_FAST_UNSURE;
		hl = ip->ihl * 4;
		if (hl < sizeof(*ip) || bpf_ntohs(ip->tot_len) < hl + SF_TCP_FLAGS_AT + 1)
			return SF_FAST_UNSURE;
		tcp = data + hl;
	} else if (skb->protocol == bpf_htons(SF_ETH_P_IPV6)) {
		if ((__u8 *)(ip6 + 1) > end || ip6->version != 6)
			return SF_FAST_UNSURE;
		if (ip6->nexthdr == SF_PROTO_UDP || ip6->nexthdr == SF_PROTO_ICMPV6)
			return SF_FAST_PASS;
		if (ip6->nexthdr != SF_PROTO_TCP ||
		    bpf_ntohs(ip6->payload_len) < SF_TCP_FLAGS_AT + 1)
			return SF_FAST_UNSURE;
		tcp = data + sizeof(*ip6);
	} else {
		return SF_FAST_PASS; /* neither IPv4 nor IPv6: no TCP at all */
	}
	if (tcp + SF_TCP_FLAGS_AT + 1 > end)
		return SF_FAST_UNSURE;
	if (!(tcp[SF_TCP_FLAGS_AT] & SF_TCP_SYN) || (tcp[SF_TCP_FLAGS_AT] & SF_TCP_ACK))
		return SF_FAST_PASS;
	/* A SYN: from here on, judged in one generation. */
	p->slot = sf_slot();
	__builtin_memcpy(&p->sport, tcp, 2);
	__builtin_memcpy(&p->fk.dport, tcp + 2, 2);
	if (v4) {
		p->fk.family = SF_AF_INET;
		__builtin_memcpy(p->fk.daddr, &ip->daddr, 4);
		__builtin_memcpy(p->saddr, &ip->saddr, 4);
	} else {
		p->fk.family = SF_AF_INET6;
		__builtin_memcpy(p->fk.daddr, &ip6->daddr, 16);
		__builtin_memcpy(p->saddr, &ip6->saddr, 16);
	}
	if (!sf_port_watched((__u16)tcp[2] << 8 | tcp[3], p->slot))
		return SF_FAST_OTHER;
	return SF_FAST_SYN;
}

/* The TCP socket that sends skb (NULL for any other). */
static __always_inline struct bpf_sock *sf_tcp_sender(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return NULL;
	sk = bpf_sk_fullsock(sk);
	return sk && sk->type == SF_SOCK_STREAM ? sk : NULL;
}

/* A SYN to a watched port: passed on the connect hook's verdict when it
 * judged this socket for this destination, else judged here. */
static __always_inline int sf_judge_syn(struct __sk_buff *skb, struct sf_pkt *p)
{
	__u32 key = p->slot & 1;
	struct sf_settings *s = bpf_map_lookup_elem(&sf_settings, &key);
	struct bpf_sock *sk = skb->sk, *tcp;
	struct sf_verdict_slot *v;
	struct sf_judged *j = NULL;
	struct sf_identity who;
	__u32 verdict;

	if (!s || !sk)
		return SF_SKB_PASS;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return SF_SKB_PASS;
	/* Only a TCP socket's verdict stands for its SYNs: a raw socket's
	 * every packet is a new attempt. */
	tcp = sk->type == SF_SOCK_STREAM ? sk : NULL;
	if (tcp) {
		v = sf_connect_verdict(skb, &p->fk);
		if (v) {
			verdict = v->verdict;
			goto decided;
		}
		if (sf_redirected_to_relay(sk, &p->fk, s)) {
			verdict = SF_VERDICT_REDIRECTED;
			goto decided;
		}
		j = bpf_sk_storage_get(&sf_judged, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
		if (j && j->family && sf_same_dest(j, &p->fk)) {
			verdict = j->verdict;
			goto decided;
		}
	}
	sf_socket_identity(skb, &who);
	verdict = sf_judge_identity(&p->fk, &who, s, skb, SF_PATH_BYPASS, p->slot);
	/* A TCP socket retransmits its SYN: judge it once, not per copy. */
	if (j) {
		j->family = p->fk.family;
		j->dport = p->fk.dport;
		j->verdict = verdict;
		__builtin_memcpy(j->daddr, p->fk.daddr, sizeof(j->daddr));
	}
decided:
	if (!sf_verdict_passes(verdict))
		return SF_SKB_DROP;
	if (tcp)
		sf_peer_record(skb, tcp, &p->fk, p->saddr, p->sport, s);
	return SF_SKB_PASS;
}

/* A SYN to a port not watched: passes; recorded for who when the port is
 * the relay's (a relay on a port of its own). */
static __always_inline int sf_other_syn(struct __sk_buff *skb, struct sf_pkt *p)
{
	__u32 key = p->slot & 1;
	struct sf_settings *s = bpf_map_lookup_elem(&sf_settings, &key);
	struct bpf_sock *tcp;

	if (!s || !sf_is_relay_port(p->fk.dport, s))
		return SF_SKB_PASS;
	tcp = sf_tcp_sender(skb);
	if (tcp)
		sf_peer_record(skb, tcp, &p->fk, p->saddr, p->sport, s);
	return SF_SKB_PASS;
}

SEC("cgroup_skb/egress")
int sf_egress(struct __sk_buff *skb)
{
	struct sf_pkt p = {};
	int kind = sf_fast_classify(skb, &p);

	if (kind == SF_FAST_PASS)
		return SF_SKB_PASS;
	if (kind == SF_FAST_SYN)
		return sf_judge_syn(skb, &p);
	if (kind == SF_FAST_OTHER)
		return sf_other_syn(skb, &p);
	kind = sf_parse_syn(skb, &p, 1);
	if (kind == SF_PKT_OTHER)
		return SF_SKB_PASS;
	if (kind == SF_PKT_MALFORMED) {
		sf_count_malformed();
		return SF_SKB_DROP;
	}
	p.slot = sf_slot();
	if (!sf_port_watched(bpf_ntohs(p.fk.dport), p.slot))
		return sf_other_syn(skb, &p);
	return sf_judge_syn(skb, &p);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
