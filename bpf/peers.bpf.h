/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The mail-flow bridge's record of who made a local MTA connection (see
 * struct sf_peer). The sockops program calls sf_peer_connect when a TCP
 * connect leaves (BPF_SOCK_OPS_TCP_CONNECT_CB runs in the connecting
 * task, and the client's port and the route are known by then) and
 * sf_peer_closed when the socket reaches TCP_CLOSE. Only a connect to a
 * watched port or the relay's port whose destination is the relay or an
 * address of this host (its route goes through the loopback device) is
 * recorded: every other connection returns after two comparisons. */
#ifndef SF_PEERS_BPF_H
#define SF_PEERS_BPF_H

#include "judge.bpf.h"
#include <bpf/bpf_core_read.h>

#define SF_IFF_LOOPBACK 0x8
#define SF_TCP_CLOSE	7

struct net_device___sfpeer {
	unsigned int flags;
} __attribute__((preserve_access_index));

struct dst_entry___sfpeer {
	struct net_device___sfpeer *dev;
} __attribute__((preserve_access_index));

struct sock___sfpeer {
	struct dst_entry___sfpeer *sk_dst_cache;
} __attribute__((preserve_access_index));

/* The client's side of the connection as its peer sees it, and the
 * destination, both as sf_flow_key stores an address (v4-mapped: IPv4). */
static __always_inline void sf_peer_ends(struct bpf_sock_ops *skops, struct sf_peer_key *k,
					 struct sf_flow_key *dst)
{
	k->netns_cookie = bpf_get_netns_cookie(skops);
	k->sport = bpf_htons((__u16)skops->local_port);
	dst->dport = (__be16)bpf_htons((__u16)bpf_ntohl(skops->remote_port));
	if (skops->family == SF_AF_INET) {
		__u32 l = skops->local_ip4, r = skops->remote_ip4;

		k->family = dst->family = SF_AF_INET;
		__builtin_memcpy(k->saddr, &l, 4);
		__builtin_memcpy(dst->daddr, &r, 4);
		return;
	}
	/* volatile: the context is read 4 bytes at a time, never merged */
	const volatile __u32 *lp = skops->local_ip6, *rp = skops->remote_ip6;
	__u32 l[4] = {lp[0], lp[1], lp[2], lp[3]};
	__u32 r[4] = {rp[0], rp[1], rp[2], rp[3]};

	if (!r[0] && !r[1] && r[2] == bpf_htonl(0xffff)) {
		k->family = dst->family = SF_AF_INET;
		__builtin_memcpy(k->saddr, &l[3], 4);
		__builtin_memcpy(dst->daddr, &r[3], 4);
		return;
	}
	k->family = dst->family = SF_AF_INET6;
	__builtin_memcpy(k->saddr, l, 16);
	__builtin_memcpy(dst->daddr, r, 16);
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

/* The connection's route ends on this host (any of its addresses). */
static __always_inline int sf_route_is_local(struct bpf_sock *sk)
{
	struct sock___sfpeer *s = (struct sock___sfpeer *)bpf_skc_to_tcp_sock(sk);
	struct dst_entry___sfpeer *dst = NULL;
	struct net_device___sfpeer *dev = NULL;
	unsigned int flags = 0;

	if (!s)
		return 0;
	bpf_probe_read_kernel(&dst, sizeof(dst), &s->sk_dst_cache);
	if (dst)
		bpf_probe_read_kernel(&dev, sizeof(dev), &dst->dev);
	if (dev)
		bpf_probe_read_kernel(&flags, sizeof(flags), &dev->flags);
	return !!(flags & SF_IFF_LOOPBACK);
}

static __always_inline void sf_peer_connect(struct bpf_sock_ops *skops)
{
	/* One generation's settings and ports, like every judge. */
	__u32 slot = sf_slot(), key = slot & 1;
	struct sf_settings *s = bpf_map_lookup_elem(&sf_settings, &key);
	struct bpf_sock *sk = skops->sk;
	struct sf_peer_key k = {};
	struct sf_flow_key d = {};
	struct sf_redirect *orig;
	struct sf_peer p = {};
	__u16 port = (__u16)bpf_ntohl(skops->remote_port);
	__u64 pid_tgid, uid_gid;

	if (!s || !sk)
		return;
	if (port != bpf_ntohs(s->relay4_port) && port != bpf_ntohs(s->relay6_port) &&
	    !sf_port_watched(port, slot))
		return;
	sf_peer_ends(skops, &k, &d);
	if (!sf_is_relay(&d, s) && !sf_route_is_local(sk))
		return;
	pid_tgid = bpf_get_current_pid_tgid();
	uid_gid = bpf_get_current_uid_gid();
	p.cgroup_id = bpf_get_current_cgroup_id();
	p.socket_cookie = bpf_get_socket_cookie(skops);
	p.ts_ns = bpf_ktime_get_boot_ns();
	p.uid = (__u32)uid_gid;
	p.gid = uid_gid >> 32;
	p.pid = pid_tgid >> 32;
	bpf_get_current_comm(p.comm, sizeof(p.comm));
	orig = bpf_sk_storage_get(&sf_redirects, sk, NULL, 0);
	if (orig) {
		p.redirected = 1;
		p.orig = *orig;
	}
	if (bpf_map_update_elem(&sf_peers, &k, &p, BPF_ANY))
		return;
	/* Its close removes the entry: a reused port never finds it. */
	bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
}

static __always_inline void sf_peer_closed(struct bpf_sock_ops *skops)
{
	struct sf_peer_key k = {};
	struct sf_flow_key d = {};
	struct sf_peer *p;

	if (skops->args[1] != SF_TCP_CLOSE)
		return;
	sf_peer_ends(skops, &k, &d);
	p = bpf_map_lookup_elem(&sf_peers, &k);
	if (p && p->socket_cookie == bpf_get_socket_cookie(skops))
		bpf_map_delete_elem(&sf_peers, &k);
}

#endif /* SF_PEERS_BPF_H */
