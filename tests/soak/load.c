// SPDX-License-Identifier: GPL-2.0-only
#include "load.h"
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

struct soak_shared *soak_shared_new(void)
{
	void *p = mmap(NULL, sizeof(struct soak_shared), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static uint64_t load_u64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static int load_int(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

/* One attempt: a connect() that the kernel judges, timed against the
 * churner's seqlock for this tenant. */
static void attempt(struct soak_tenant *t, const struct sockaddr_in *sa)
{
	static const struct linger abort_on_close = {.l_onoff = 1, .l_linger = 0};
	uint64_t seq0 = load_u64(&t->seq);
	int denied0 = load_int(&t->denied);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r, err;

	if (fd < 0)
		return; /* no socket, no attempt */
	/* A reset instead of TIME_WAIT: ephemeral ports never run out. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close));
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	err = errno;
	close(fd);
	t->attempts++;
	if (r == 0)
		t->connected++;
	else if (err == EPERM)
		t->refused++;
	else
		t->other++;
	/* Deny in force before the call, and no change begun until after it. */
	if (denied0 && load_int(&t->denied) && load_u64(&t->seq) == seq0) {
		t->covered++;
		if (r == 0)
			t->violations++;
	}
}

pid_t soak_tenant_start(struct soak_shared *sh, int i, const char *cg_abs, uid_t uid,
			const char *host, int port, unsigned int pace_us)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	pid_t pid;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	pid = fork();
	if (pid != 0)
		return pid;
	if (sft_join_cgroup(cg_abs))
		_exit(2);
	if (sft_become(uid, uid))
		_exit(3);
	while (!load_int(&sh->stop)) {
		attempt(&sh->t[i], &sa);
		if (pace_us)
			usleep(pace_us);
	}
	_exit(0);
}

static pthread_t acceptor;
static uint64_t accepted;

struct acceptor_arg {
	int lfd;
	const int *stop;
};

static void *accept_loop(void *p)
{
	struct acceptor_arg *a = p;

	while (!load_int(a->stop)) {
		struct pollfd pfd = {.fd = a->lfd, .events = POLLIN};
		int c;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		while ((c = accept4(a->lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			close(c);
			__atomic_add_fetch(&accepted, 1, __ATOMIC_RELAXED);
		}
	}
	free(a);
	return NULL;
}

int soak_acceptor_start(int lfd, const int *stop)
{
	struct acceptor_arg *a = malloc(sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->lfd = lfd;
	a->stop = stop;
	if (pthread_create(&acceptor, NULL, accept_loop, a)) {
		free(a);
		return -EAGAIN;
	}
	return 0;
}

void soak_acceptor_join(void)
{
	pthread_join(acceptor, NULL);
}

uint64_t soak_accepted(void)
{
	return __atomic_load_n(&accepted, __ATOMIC_RELAXED);
}
