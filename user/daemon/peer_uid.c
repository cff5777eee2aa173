// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/peer_uid.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

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
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = {.nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST},
		.req = {.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = ~0U,
			.id.idiag_cookie = {INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE}},
	};
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct timeval tv = {.tv_sec = 1};
	union {
		struct nlmsghdr nlh;
		char buf[8192];
	} reply;
	int fam_peer, fam_local, fd, err = -ENOENT;
	ssize_t n;

	/* The peer's socket: its source is the peer, its destination us. */
	fam_peer = end_of(peer, &msg.req.id.idiag_sport, msg.req.id.idiag_src);
	fam_local = end_of(local, &msg.req.id.idiag_dport, msg.req.id.idiag_dst);
	if (fam_peer < 0 || fam_peer != fam_local)
		return -EAFNOSUPPORT;
	msg.req.sdiag_family = (__u8)fam_peer;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(fd, &reply, sizeof(reply), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	for (struct nlmsghdr *h = &reply.nlh; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			err = e->error ? e->error : -ENOENT;
			break;
		}
		if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
		    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
			const struct inet_diag_msg *m = NLMSG_DATA(h);

			*uid = m->idiag_uid;
			err = 0;
			break;
		}
	}
out:
	close(fd);
	return err;
}
