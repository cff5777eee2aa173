// SPDX-License-Identifier: GPL-2.0-only
#include "held_client.h"
#include "harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int fill_addr(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? AF_INET6 : -1;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	*len = sizeof(*a);
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? AF_INET : -1;
}

#define COOKIE_MOD   65536ULL
#define COOKIE_TRIES (1 << 22)

static unsigned long long cookie_of(int fd)
{
	unsigned long long cookie = 0;
	socklen_t len = sizeof(cookie);

	return getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) ? 0 : cookie;
}

/* A socket of family, its cookie like `like` modulo COOKIE_MOD if nonzero. */
static int socket_like(int family, unsigned long long like)
{
	for (int i = 0; i < COOKIE_TRIES; i++) {
		int fd = socket(family, SOCK_STREAM, 0);

		if (fd < 0 || !like || cookie_of(fd) % COOKIE_MOD == like % COOKIE_MOD)
			return fd;
		close(fd);
	}
	return -1;
}

static int client_child(const struct client_spec *s, int report, int release)
{
	struct sockaddr_storage ss, self;
	socklen_t len, slen = sizeof(self);
	int fd, family, one = 1, res[4] = {0, 0, 0, 0};
	unsigned long long cookie;
	char c;

	if (s->netns) {
		int nfd = open(s->netns, O_RDONLY | O_CLOEXEC);

		if (nfd < 0 || setns(nfd, CLONE_NEWNET))
			return SFT_CHILD_FAILED;
		close(nfd);
	}
	if (sft_join_cgroup(s->cgroup) || sft_become(s->uid, s->gid))
		return SFT_CHILD_FAILED;
	family = fill_addr(s->host, s->port, &ss, &len);
	fd = family < 0 ? -1 : socket_like(family, s->cookie_like);
	if (fd < 0)
		return SFT_CHILD_FAILED;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->src) {
		struct sockaddr_storage b;
		socklen_t blen;

		if (fill_addr(s->src, (int)s->src_port, &b, &blen) < 0 ||
		    bind(fd, (struct sockaddr *)&b, blen))
			res[0] = errno;
	}
	if (!res[0] && connect(fd, (struct sockaddr *)&ss, len))
		res[0] = errno;
	if (!res[0] && !getsockname(fd, (struct sockaddr *)&self, &slen))
		res[1] = ntohs(((struct sockaddr_in *)&self)->sin_port); /* same offset in v6 */
	cookie = cookie_of(fd);
	memcpy(&res[2], &cookie, sizeof(cookie));
	if (write(report, res, sizeof(res)) != (ssize_t)sizeof(res))
		return SFT_CHILD_FAILED;
	while (read(release, &c, 1) < 0 && errno == EINTR)
		;
	close(fd);
	return 0;
}

struct client client_start(const struct client_spec *s)
{
	struct client c = {.err = -1};
	int rep[2], rel[2], res[4];

	ck_assert_int_eq(pipe2(rep, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(rel, O_CLOEXEC), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test ends its clients */
		close(rep[0]);
		close(rel[1]);
		_exit(client_child(s, rep[1], rel[0]));
	}
	close(rep[1]);
	close(rel[0]);
	ck_assert_int_eq(read(rep[0], res, sizeof(res)), (ssize_t)sizeof(res));
	close(rep[0]);
	c.release = rel[1];
	c.err = res[0];
	c.port = (unsigned)res[1];
	memcpy(&c.cookie, &res[2], sizeof(c.cookie));
	return c;
}

void client_end(struct client *c)
{
	/* a byte, not EOF: later clients hold this pipe's write end too */
	ck_assert_int_eq(write(c->release, "x", 1), 1);
	close(c->release);
	ck_assert_int_eq(sft_wait_child(c->pid), 0);
}
