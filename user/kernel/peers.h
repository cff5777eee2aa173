/* SPDX-License-Identifier: GPL-2.0-only */
/* The pinned sf_peers map: who made a local MTA connection, found by the
 * client's address and port as the MTA sees them, in this process's
 * network namespace. */
#ifndef SF_PEERS_H
#define SF_PEERS_H

#include "smtpfence.h"

#include <stdint.h>

/* Opens the pinned map: an fd, or -errno (-ENOENT: not loaded). */
int sf_peers_open(const char *pin_dir);
/* The cookie of the calling process's network namespace, 0 or -errno. */
int sf_netns_cookie(uint64_t *cookie);
/* The key of a client: family AF_INET or AF_INET6 (an IPv4 address in
 * the first four bytes, as the kernel stores it), port in host order. */
void sf_peer_key_make(uint64_t netns, int family, const uint8_t addr[16], uint16_t port,
		      struct sf_peer_key *k);
/* 0 with *p filled, -ENOENT when no live connection has that key (an
 * entry whose socket closed, or another socket now uses the port). With
 * the MTA's side of the connection (server, as sf_redirect stores an
 * address; may be NULL), a connection no record names is still found,
 * from its socket: cgroup and uid, no group (SF_UID_NONE), no process
 * (pid 0, comm ""). */
int sf_peer_find(int fd, const struct sf_peer_key *k, const struct sf_redirect *server,
		 struct sf_peer *p);

#endif /* SF_PEERS_H */
