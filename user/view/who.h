/* SPDX-License-Identifier: GPL-2.0-only */
/* Who a local MTA's client is (`who`, the policy service): the kernel's
 * record of the connection (sf_peers) with names for its tenant, cgroup,
 * user and process, and the destination it asked for when redirected. */
#ifndef SF_WHO_H
#define SF_WHO_H

#include "smtpfence.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct sf_tenants;

struct sf_who {
	struct sf_peer peer;
	char client[64]; /* "ADDRESS:PORT" as looked up */
	char tenant[PATH_MAX];
	char cgroup[PATH_MAX];
	char user[64];
	char process[SF_COMM_LEN + 16]; /* "COMM[PID]" */
	char orig[64];			/* "" unless redirected: "ADDRESS:PORT" */
};

/* An address as an MTA logs it (IPv4, IPv6, ::ffff:a.b.c.d becomes IPv4,
 * as the kernel stores it) to a family and bytes. 0 or -EINVAL. */
int sf_who_parse_address(const char *text, int *family, uint8_t addr[16]);
/* "ADDRESS:PORT", "[IPV6]:PORT" or "[::ffff:a.b.c.d]:PORT". 0 or -EINVAL
 * with the reason in err. */
int sf_who_parse_client(const char *text, int *family, uint8_t addr[16], uint16_t *port, char *err,
			size_t errlen);
/* Looks the client up in the calling process's network namespace and
 * names it (t has the rules loaded). server: the MTA's side of the
 * connection when known (NULL otherwise), which finds it from its socket
 * even without a record (see sf_peer_find). 0, -ENOENT (no live
 * connection from there), or another -errno. */
int sf_who_find(struct sf_tenants *t, int peers_fd, uint64_t netns, int family,
		const uint8_t addr[16], uint16_t port, const struct sf_redirect *server,
		struct sf_who *w);

#endif /* SF_WHO_H */
