// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/peers.h"
#include "kernel/sock_diag.h"

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

int sf_peer_find(int fd, const struct sf_peer_key *k, struct sf_peer *p)
{
	__u32 idx = sf_peer_index(k);
	struct sf_peer_slot slot;

	if (bpf_map_lookup_elem(fd, &idx, &slot))
		return -errno;
	if (memcmp(&slot.key, k, sizeof(*k)) || !slot.peer.socket_cookie)
		return -ENOENT;
	*p = slot.peer;
	/* Entries outlive their connections: only the socket it names, still
	 * connected from that address and port, counts. */
	return sf_tcp_socket_find(k->family, k->saddr, k->sport, p->server.daddr, p->server.dport,
				  p->socket_cookie, NULL);
}
