/* SPDX-License-Identifier: GPL-2.0-only */
/* The soak's load: one process per tenant, each in its own cgroup as its
 * own uid, connecting to a watched port as fast as its pacing allows and
 * counting what it saw; the churner publishes, per tenant, whether a deny
 * rule covers it (a seqlock), so that a connect let through under a deny
 * rule is caught by the tenant that made it. */
#ifndef SOAK_LOAD_H
#define SOAK_LOAD_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SOAK_MAX_TENANTS 256

struct soak_tenant {
	/* written by the churner */
	uint64_t seq; /* bumped before each change of this tenant's rule */
	int denied;   /* a deny rule is in force (set after the CLI returned) */
	/* written by the tenant */
	uint64_t attempts;   /* connect() calls made (each one judged) */
	uint64_t connected;  /* returned 0 */
	uint64_t refused;    /* returned EPERM: denied or limited */
	uint64_t other;	     /* any other error: allowed by the hook, failed later */
	uint64_t covered;    /* attempts made wholly inside a deny window */
	uint64_t violations; /* of those, ones that connected */
};

struct soak_shared {
	int stop;
	struct soak_tenant t[SOAK_MAX_TENANTS];
};

/* Shared with every tenant process (anonymous shared mapping). */
struct soak_shared *soak_shared_new(void);

/* Starts tenant i: joins cg_abs, becomes uid/gid, connects to host:port
 * every pace_us until shared->stop. Returns its pid. */
pid_t soak_tenant_start(struct soak_shared *sh, int i, const char *cg_abs, uid_t uid,
			const char *host, int port, unsigned int pace_us);

/* Accepts and closes connections on lfd in a thread until *stop. */
int soak_acceptor_start(int lfd, const int *stop);
void soak_acceptor_join(void);
uint64_t soak_accepted(void);

#endif /* SOAK_LOAD_H */
