/* SPDX-License-Identifier: GPL-2.0-only */
/* Asks the kernel (NETLINK_SOCK_DIAG) about one TCP socket of this
 * process's network namespace, named by its four addresses and cookie. */
#ifndef SF_SOCK_DIAG_H
#define SF_SOCK_DIAG_H

#include <stdint.h>

/* 0 when the TCP socket whose local end is laddr:lport and remote end
 * raddr:rport (family AF_INET or AF_INET6; IPv4 in the first four bytes,
 * ports in network order) exists and has socket cookie `cookie`; -ENOENT
 * when there is none or it is another socket; else -errno. */
int sf_tcp_socket_live(int family, const uint8_t laddr[16], uint16_t lport, const uint8_t raddr[16],
		       uint16_t rport, uint64_t cookie);

#endif /* SF_SOCK_DIAG_H */
