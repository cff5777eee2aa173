// SPDX-License-Identifier: GPL-2.0-only
#include "tenant.h"
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Drops to uid/gid and keeps CAP_NET_RAW alone, effective. */
static int become_tenant(uid_t uid, gid_t gid)
{
	cap_t caps;
	int err;

	if (prctl(PR_SET_KEEPCAPS, 1) || setgroups(0, NULL) || setgid(gid) || setuid(uid))
		return -1;
	caps = cap_from_text("cap_net_raw=ep");
	if (!caps)
		return -1;
	err = cap_set_proc(caps);
	cap_free(caps);
	return err;
}

static int send_child(const struct sft_pkt *p)
{
	uint8_t buf[1024];
	size_t len = sft_pkt_build(p, buf, sizeof(buf));
	struct sockaddr_in to = {.sin_family = AF_INET};
	struct sockaddr_in6 to6 = {.sin6_family = AF_INET6};
	int one = 1, fd;

	if (p->family == 6) {
		/* IPPROTO_RAW: the packet carries its own IPv6 header. */
		fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
		if (fd < 0)
			return errno;
		inet_pton(AF_INET6, p->dst, &to6.sin6_addr);
		if (sendto(fd, buf + SFT_ETH_HLEN, len - SFT_ETH_HLEN, 0, (struct sockaddr *)&to6,
			   sizeof(to6)) < 0)
			return errno;
		return 0;
	}
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
	if (fd < 0)
		return errno;
	if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)))
		return errno;
	inet_pton(AF_INET, p->dst, &to.sin_addr);
	if (sendto(fd, buf + SFT_ETH_HLEN, len - SFT_ETH_HLEN, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return errno;
	return 0;
}

int sft_raw_send(const char *cg_abs, uid_t uid, gid_t gid, const struct sft_pkt *p)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (sft_join_cgroup(cg_abs) || become_tenant(uid, gid))
			_exit(SFT_CHILD_FAILED);
		_exit(send_child(p));
	}
	return sft_wait_child(pid);
}

static int connect_child(const char *host, int port, int protocol, int timeout_ms)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, protocol), err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p;

	if (fd < 0)
		return errno;
	inet_pton(AF_INET, host, &to.sin_addr);
	if (!connect(fd, (struct sockaddr *)&to, sizeof(to)))
		return 0;
	if (errno != EINPROGRESS)
		return errno;
	p = (struct pollfd){.fd = fd, .events = POLLOUT};
	if (poll(&p, 1, timeout_ms) != 1)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return errno;
	return err;
}

int sft_stream_connect(const char *cg_abs, uid_t uid, gid_t gid, const char *host, int port,
		       int protocol, int timeout_ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (sft_join_cgroup(cg_abs) || sft_become(uid, gid))
			_exit(SFT_CHILD_FAILED);
		_exit(connect_child(host, port, protocol, timeout_ms));
	}
	return sft_wait_child(pid);
}

int sft_accept_wait(int lfd, int timeout_ms)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}
