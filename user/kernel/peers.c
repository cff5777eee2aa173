// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/peers.h"
#include "kernel/sock_diag.h"
#include "util/clock.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int sf_peers_open(const char *pin_dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, SF_MAP_PEERS);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int sf_netns_cookie(uint64_t *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

void sf_peer_key_make(uint64_t netns, int family, const uint8_t addr[16], uint16_t port,
		      struct sf_peer_key *k)
{
	memset(k, 0, sizeof(*k));
	k->netns_cookie = netns;
	k->family = (__u16)family;
	k->sport = htons(port);
	memcpy(k->saddr, addr, family == AF_INET ? 4 : 16);
}

/* No record names the socket (it was never recorded, or another
 * connection's SYN took its slot): the kernel still knows who holds the
 * socket from that address and port to the MTA's side. */
static int peer_of_socket(const struct sf_peer_key *k, const struct sf_redirect *server,
			  struct sf_peer *p)
{
	struct sf_tcp_owner owner;
	int err = sf_tcp_socket_find(k->family, k->saddr, k->sport, server->daddr, server->dport,
				     SF_ANY_COOKIE, &owner);

	if (err)
		return err;
	memset(p, 0, sizeof(*p));
	p->cgroup_id = owner.cgroup_id;
	p->uid = owner.uid;
	p->socket_cookie = owner.cookie; /* names its messages (daemon/mail_tx.c) */
	p->gid = SF_UID_NONE;		 /* a socket records no group */
	p->server = *server;
	return 0;
}

int sf_peer_find(int fd, const struct sf_peer_key *k, const struct sf_redirect *server,
		 struct sf_peer *p)
{
	__u32 idx = sf_peer_index(k);
	struct sf_peer_slot slot;
	int err;

	if (bpf_map_lookup_elem(fd, &idx, &slot))
		return -errno;
	err = -ENOENT;
	/* Records outlive their connections: only the socket it names, still
	 * connected from that address and port, counts. */
	if (!memcmp(&slot.key, k, sizeof(*k)) && slot.peer.socket_cookie &&
	    (!server || (slot.peer.server.family == server->family &&
			 slot.peer.server.dport == server->dport &&
			 !memcmp(slot.peer.server.daddr, server->daddr, sizeof(server->daddr)))))
		err = sf_tcp_socket_find(k->family, k->saddr, k->sport, slot.peer.server.daddr,
					 slot.peer.server.dport, slot.peer.socket_cookie, NULL);
	if (!err) {
		*p = slot.peer;
		p->ts_ns = sf_boot_of_mono_ns(p->ts_ns);
		return 0;
	}
	return err == -ENOENT && server ? peer_of_socket(k, server, p) : err;
}
