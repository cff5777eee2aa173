/* SPDX-License-Identifier: GPL-2.0-only */
/* Asks the kernel (NETLINK_SOCK_DIAG, through libmnl) about one TCP socket
 * of this process's network namespace, named by its two ends. */
#ifndef SF_SOCK_DIAG_H
#define SF_SOCK_DIAG_H

#include <stdint.h>
#include <sys/types.h>

#define SF_ANY_COOKIE UINT64_MAX /* no cookie to match */

/* Who holds a socket, as the kernel recorded it at its creation. */
struct sf_tcp_owner {
	uid_t uid;
	uint64_t cgroup_id; /* 0: the kernel did not say */
	uint64_t cookie;    /* the socket's cookie */
};

/* The TCP socket whose local end is laddr:lport and remote end
 * raddr:rport (family AF_INET or AF_INET6; an IPv4 address in the first
 * four bytes, ports in network order) and, unless cookie is
 * SF_ANY_COOKIE, whose socket cookie is `cookie`: 0 with its owner in
 * *owner (may be NULL), -ENOENT when there is none, else -errno. */
int sf_tcp_socket_find(int family, const uint8_t laddr[16], uint16_t lport, const uint8_t raddr[16],
		       uint16_t rport, uint64_t cookie, struct sf_tcp_owner *owner);

#endif /* SF_SOCK_DIAG_H */
