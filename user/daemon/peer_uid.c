// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/peer_uid.h"

#include "kernel/sock_diag.h"

#include <errno.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <string.h>

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* One end as the kernel's diag id wants it; a v4-mapped address is the
 * AF_INET socket it stands for. Returns the family, or -1. */
static int end_of(const struct sockaddr *sa, __be16 *port, __be32 addr[4])
{
	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		*port = in->sin_port;
		memcpy(addr, &in->sin_addr, 4);
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		*port = in6->sin6_port;
		if (!memcmp(&in6->sin6_addr, v4_mapped, sizeof(v4_mapped))) {
			memcpy(addr, (const char *)&in6->sin6_addr + 12, 4);
			return AF_INET;
		}
		memcpy(addr, &in6->sin6_addr, 16);
		return AF_INET6;
	}
	return -1;
}

int sf_peer_uid(const struct sockaddr *peer, const struct sockaddr *local, uid_t *uid)
{
	__be32 src[4], dst[4];
	__be16 sport, dport;
	/* The peer's socket: its source is the peer, its destination us. */
	int fam_peer = end_of(peer, &sport, src), fam_local = end_of(local, &dport, dst);

	struct sf_tcp_owner owner;
	int err;

	if (fam_peer < 0 || fam_peer != fam_local)
		return -EAFNOSUPPORT;
	err = sf_tcp_socket_find(fam_peer, (const uint8_t *)src, sport, (const uint8_t *)dst, dport,
				 SF_ANY_COOKIE, &owner);
	if (!err)
		*uid = owner.uid;
	return err;
}
