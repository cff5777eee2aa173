/* SPDX-License-Identifier: GPL-2.0-only */
/* Tells the service manager the truth about the daemon (sd_notify): READY=1
 * once the policy is in force, RELOADING=1 ... READY=1 around a reload,
 * STOPPING=1, a STATUS= line kept current, WATCHDOG=1 while the loop runs.
 * Without $NOTIFY_SOCKET every call does nothing. */
#ifndef SF_NOTIFY_H
#define SF_NOTIFY_H

#include <stdint.h>

#define SF_STATUS_LEN 256

struct sf_notify {
	uint64_t tick_usec;	/* how often sf_notify_tick() is called */
	uint64_t watchdog_usec; /* 0: no watchdog asked for */
	uint64_t next_ping_usec;
	uint64_t next_status_usec;
	char status[SF_STATUS_LEN]; /* last STATUS= sent */
};

void sf_notify_init(struct sf_notify *n, uint64_t tick_usec);
void sf_notify_ready(struct sf_notify *n, const char *status);
void sf_notify_reloading(void);
/* Called often from the event loop: pings the watchdog when due and sends
 * the status when it changed (at most once a second). */
void sf_notify_tick(struct sf_notify *n, const char *status);
void sf_notify_stopping(void);
/* Startup failed: the reason, and the errno systemd shows. */
void sf_notify_failed(int err, const char *what);

#endif /* SF_NOTIFY_H */
