// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/sock_diag.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

struct answer {
	bool found;
	struct sf_tcp_owner owner;
};

static int on_attr(const struct nlattr *a, void *arg)
{
	if (mnl_attr_get_type(a) == INET_DIAG_CGROUP_ID &&
	    mnl_attr_get_payload_len(a) >= sizeof(uint64_t))
		((struct answer *)arg)->owner.cgroup_id = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

/* The answer to an exact lookup: one socket, or an error message. */
static int on_answer(const struct nlmsghdr *nlh, void *arg)
{
	struct answer *a = arg;

	if (nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
	    mnl_nlmsg_get_payload_len(nlh) >= sizeof(struct inet_diag_msg)) {
		const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);

		a->found = true;
		a->owner.uid = m->idiag_uid;
		a->owner.cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
		mnl_attr_parse(nlh, sizeof(*m), on_attr, a);
	}
	return MNL_CB_OK;
}

int sf_tcp_socket_find(int family, const uint8_t laddr[16], uint16_t lport, const uint8_t raddr[16],
		       uint16_t rport, uint64_t cookie, struct sf_tcp_owner *owner)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct timeval tv = {.tv_sec = 1};
	struct answer found = {0};
	struct inet_diag_req_v2 *req;
	unsigned int seq = (unsigned int)time(NULL);
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int err = 0;
	ssize_t n;

	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST; /* no dump: the kernel looks it up by hash */
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~0U;
	req->id.idiag_sport = lport;
	req->id.idiag_dport = rport;
	memcpy(req->id.idiag_src, laddr, family == AF_INET ? 4 : 16);
	memcpy(req->id.idiag_dst, raddr, family == AF_INET ? 4 : 16);
	/* The kernel compares it (another socket: -ESTALE); SF_ANY_COOKIE is
	 * INET_DIAG_NOCOOKIE in both words: any socket. */
	req->id.idiag_cookie[0] = (uint32_t)cookie;
	req->id.idiag_cookie[1] = (uint32_t)(cookie >> 32);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		int r = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), on_answer,
				   &found);

		if (r == MNL_CB_ERROR) {
			err = errno == ESTALE || errno == ENOENT ? -ENOENT : -errno;
			goto out;
		}
		if (r == MNL_CB_STOP || found.found)
			break;
	}
	if (n < 0)
		err = -errno;
	else if (!found.found)
		err = -ENOENT;
	else if (owner)
		*owner = found.owner;
out:
	mnl_socket_close(nl);
	return err;
}
