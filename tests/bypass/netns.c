// SPDX-License-Identifier: GPL-2.0-only
#include "netns.h"
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int sft_ns_new(struct sft_ns *ns)
{
	int hold[2], ready[2];
	char c;

	if (pipe2(hold, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		return -errno;
	ns->holder = fork();
	if (ns->holder < 0)
		return -errno;
	if (ns->holder == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(hold[1]);
		close(ready[0]);
		c = unshare(CLONE_NEWNET) ? 'n' : 'y';
		if (write(ready[1], &c, 1) != 1 || c != 'y')
			_exit(1);
		/* Until the test closes its end, or dies. */
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(hold[0]);
	close(ready[1]);
	ns->hold_fd = hold[1];
	if (read(ready[0], &c, 1) != 1 || c != 'y') {
		close(ready[0]);
		sft_ns_free(ns);
		return -EIO;
	}
	close(ready[0]);
	snprintf(ns->path, sizeof(ns->path), "/proc/%d/ns/net", (int)ns->holder);
	return 0;
}

void sft_ns_free(struct sft_ns *ns)
{
	if (ns->holder <= 0)
		return;
	close(ns->hold_fd);
	/* A later holder, forked with the pipe open, may keep it from EOF. */
	kill(ns->holder, SIGKILL);
	waitpid(ns->holder, NULL, 0);
	ns->holder = 0;
}

int sft_ns_sh(struct sft_ns *ns, const char *fmt, ...)
{
	char cmd[2048], full[2300];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "nsenter --net=%s sh -c '%s'", ns->path, cmd);
	status = system(full);
	return status < 0 || !WIFEXITED(status) ? -1 : WEXITSTATUS(status);
}

/* Runs fn inside the namespace: sockets keep the namespace they were made in. */
static int in_ns(struct sft_ns *ns, int (*fn)(void *arg), void *arg)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int there = open(ns->path, O_RDONLY | O_CLOEXEC);
	int ret = -1;

	if (self >= 0 && there >= 0 && !setns(there, CLONE_NEWNET)) {
		ret = fn(arg);
		if (setns(self, CLONE_NEWNET)) {
			fprintf(stderr, "netns: cannot return to the test's namespace\n");
			abort();
		}
	}
	if (self >= 0)
		close(self);
	if (there >= 0)
		close(there);
	return ret;
}

static int fill(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
		return -1;
	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons((uint16_t)port);
	*len = sizeof(*a6);
	return AF_INET6;
}

struct listen_args {
	const char *host;
	int port;
};

static int do_listen(void *arg)
{
	const struct listen_args *a = arg;

	return sft_listen(a->host, a->port);
}

int sft_ns_listen(struct sft_ns *ns, const char *host, int port)
{
	struct listen_args a = {host, port};

	return in_ns(ns, do_listen, &a);
}

struct connect_args {
	const char *src, *dst;
	int port;
};

static int do_socket(void *arg)
{
	const struct connect_args *a = arg;
	struct sockaddr_storage src;
	socklen_t len;
	int family = fill(a->src, 0, &src, &len), fd;

	if (family < 0)
		return -1;
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&src, len)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int sft_ns_connect(struct sft_ns *ns, const char *src, const char *dst, int port, int timeout_ms)
{
	struct connect_args a = {src, dst, port};
	struct sockaddr_storage to;
	socklen_t len;
	int fd = in_ns(ns, do_socket, &a), err = 0;
	socklen_t sl = sizeof(err);
	struct pollfd p;

	if (fd < 0 || fill(dst, port, &to, &len) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&to, len) && errno != EINPROGRESS) {
		err = errno;
	} else {
		p = (struct pollfd){.fd = fd, .events = POLLOUT};
		if (poll(&p, 1, timeout_ms) != 1)
			err = ETIMEDOUT;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl))
			err = errno;
	}
	close(fd);
	return err;
}
