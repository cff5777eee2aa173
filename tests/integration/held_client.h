/* SPDX-License-Identifier: GPL-2.0-only */
/* A tenant's TCP client for the integration tests: a child process in a
 * given cgroup (and network namespace), as a given uid, connected until
 * the test releases it, so the kernel's record of it can be looked up. */
#ifndef SFT_HELD_CLIENT_H
#define SFT_HELD_CLIENT_H

#include <sys/types.h>

/* A client that stays connected until released. */
struct client {
	pid_t pid;
	int release; /* write end: a byte makes the client close */
	unsigned port;
	int err;
	unsigned long long cookie; /* its socket's */
};

struct client_spec {
	const char *cgroup; /* absolute */
	const char *netns;  /* NULL: the sandbox's */
	uid_t uid;
	gid_t gid;
	const char *src; /* bind to it (with port) first; NULL: let connect choose */
	unsigned src_port;
	const char *host;
	int port;
	/* nonzero: a socket whose cookie equals this one modulo 65536 */
	unsigned long long cookie_like;
};

/* Starts it; err is connect()'s errno (0: connected), port its own. */
struct client client_start(const struct client_spec *s);
/* Makes it close its socket and reaps it. */
void client_end(struct client *c);

#endif /* SFT_HELD_CLIENT_H */
