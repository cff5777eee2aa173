/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The mail-flow bridge's record of who made a local MTA connection (see
 * struct sf_peer), written by the cgroup_skb backstop at the connection's
 * first SYN: it runs in the connecting task (connect() sends the SYN), the
 * client's port and the route are known, and it already looks at every
 * SYN to a watched port. Only a SYN that passes, from a TCP socket, to the
 * relay or to an address of this host (it leaves through the loopback
 * device) is recorded. The entry stays after the close (no per-socket
 * callback, no delete) until another connection takes its slot; a reader
 * tells a stale entry by the socket cookie it holds (user/kernel/peers.c). */
#ifndef SF_PEERS_BPF_H
#define SF_PEERS_BPF_H

#include "judge.bpf.h"
#include <bpf/bpf_core_read.h>

#define SF_LOOPBACK_IFINDEX 1 /* the loopback device's index in every netns */

struct net___sfpeer {
	__u64 net_cookie;
} __attribute__((preserve_access_index));

struct sock_common___sfpeer {
	struct {
		struct net___sfpeer *net;
	} skc_net;
} __attribute__((preserve_access_index));

struct sock___sfpeer {
	struct sock_common___sfpeer __sk_common;
} __attribute__((preserve_access_index));

/* The cookie of the socket's network namespace (0 when unreadable). */
static __always_inline __u64 sf_sock_netns_cookie(struct bpf_sock *sk)
{
	struct sock___sfpeer *s = (struct sock___sfpeer *)bpf_skc_to_tcp_sock(sk);
	struct net___sfpeer *net = NULL;
	__u64 cookie = 0;

	if (!s)
		return 0;
	bpf_probe_read_kernel(&net, sizeof(net), &s->__sk_common.skc_net.net);
	if (net)
		bpf_probe_read_kernel(&cookie, sizeof(cookie), &net->net_cookie);
	return cookie;
}

static __always_inline int sf_is_relay(const struct sf_flow_key *d, const struct sf_settings *s)
{
	__u64 a[2], b[2];

	if (d->family == SF_AF_INET) {
		__u32 v;

		__builtin_memcpy(&v, d->daddr, 4);
		return v == s->relay4 && d->dport == s->relay4_port;
	}
	__builtin_memcpy(a, d->daddr, sizeof(a));
	__builtin_memcpy(b, s->relay6, sizeof(b));
	return a[0] == b[0] && a[1] == b[1] && d->dport == s->relay6_port;
}

/* The port is the relay's (in either family): its SYNs are recorded even
 * when the port is not watched. */
static __always_inline int sf_is_relay_port(__be16 dport, const struct sf_settings *s)
{
	return dport && (dport == s->relay4_port || dport == s->relay6_port);
}

/* Records the SYN of TCP socket sk, whose addresses *fk (destination),
 * saddr and sport hold, when it goes to the node's MTA. */
static __always_inline void sf_peer_record(struct __sk_buff *skb, struct bpf_sock *sk,
					   const struct sf_flow_key *fk, const __u8 *saddr,
					   __be16 sport, const struct sf_settings *s)
{
	struct sf_peer_key k = {.family = fk->family, .sport = sport};
	struct sf_redirect *orig;
	struct sf_peer_slot *slot;
	__u64 pid_tgid, uid_gid, cookie;
	__u32 idx;

	if (skb->ifindex != SF_LOOPBACK_IFINDEX && !sf_is_relay(fk, s))
		return;
	k.netns_cookie = sf_sock_netns_cookie(sk);
	__builtin_memcpy(k.saddr, saddr, sizeof(k.saddr));
	idx = sf_peer_index(&k);
	slot = bpf_map_lookup_elem(&sf_peers, &idx);
	if (!slot)
		return;
	cookie = bpf_get_socket_cookie(skb);
	/* A retransmitted SYN runs in a timer, not in the connecting task. */
	if (slot->peer.socket_cookie == cookie)
		return;
	/* Cookie 0 while the rest is written: a reader takes none of it. */
	*(volatile __u64 *)&slot->peer.socket_cookie = 0;
	slot->key = k;
	pid_tgid = bpf_get_current_pid_tgid();
	uid_gid = bpf_get_current_uid_gid();
	/* The connecting task, as the connect hook judged it. */
	slot->peer.cgroup_id = bpf_get_current_cgroup_id();
	/* coarse: no clock source read (40 ns a connect here); the reader
	 * turns it into CLOCK_BOOTTIME (user/kernel/peers.c) */
	slot->peer.ts_ns = bpf_ktime_get_coarse_ns();
	slot->peer.uid = (__u32)uid_gid;
	slot->peer.gid = uid_gid >> 32;
	slot->peer.pid = pid_tgid >> 32;
	slot->peer.server.family = fk->family;
	slot->peer.server.dport = fk->dport;
	__builtin_memcpy(slot->peer.server.daddr, fk->daddr, sizeof(slot->peer.server.daddr));
	sf_current_comm(slot->peer.comm);
	orig = bpf_sk_storage_get(&sf_redirects, sk, NULL, 0);
	slot->peer.redirected = orig ? 1 : 0;
	if (orig)
		slot->peer.orig = *orig;
	*(volatile __u64 *)&slot->peer.socket_cookie = cookie;
}

#endif /* SF_PEERS_BPF_H */
