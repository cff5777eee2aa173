/* SPDX-License-Identifier: GPL-2.0-only */
/* Who is at the other end of a TCP connection made on this host: the
 * kernel's own record of the peer's socket (sock_diag, NETLINK_INET_DIAG),
 * looked up by its 4-tuple. No peer can claim to be someone else. */
#ifndef SF_PEER_UID_H
#define SF_PEER_UID_H

#include <sys/socket.h>
#include <sys/types.h>

/* The uid owning the local socket that connected from peer to local (our
 * side). 0 and *uid, -ENOENT when no socket of this host made it (a
 * remote peer, or one gone meanwhile), other -errno on failure. */
int sf_peer_uid(const struct sockaddr *peer, const struct sockaddr *local, uid_t *uid);

#endif /* SF_PEER_UID_H */
