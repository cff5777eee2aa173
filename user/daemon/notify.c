// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/notify.h"

#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#define STATUS_MIN_INTERVAL_USEC 1000000ULL

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

void sf_notify_init(struct sf_notify *n, uint64_t tick_usec)
{
	uint64_t usec = 0;

	memset(n, 0, sizeof(*n));
	n->tick_usec = tick_usec;
	/* Honours WATCHDOG_PID: a watchdog meant for a parent is not ours. */
	if (sd_watchdog_enabled(0, &usec) > 0)
		n->watchdog_usec = usec;
}

static void remember_status(struct sf_notify *n, const char *status, uint64_t now)
{
	snprintf(n->status, sizeof(n->status), "%s", status);
	n->next_status_usec = now + STATUS_MIN_INTERVAL_USEC;
}

void sf_notify_ready(struct sf_notify *n, const char *status)
{
	uint64_t now = now_usec();

	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
	remember_status(n, status, now);
	n->next_ping_usec = now; /* ping at the next tick */
}

void sf_notify_reloading(void)
{
	/* MONOTONIC_USEC lets a newer systemd tell this reload from an older
	 * one; systemd 252 ignores it. */
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)now_usec());
}

void sf_notify_tick(struct sf_notify *n, const char *status)
{
	uint64_t now = now_usec();

	/* At most half the interval apart, as sd_watchdog_enabled(3) advises:
	 * a ping that would be late at the next tick goes now. */
	if (n->watchdog_usec && now + n->tick_usec > n->next_ping_usec) {
		sd_notify(0, "WATCHDOG=1");
		n->next_ping_usec = now + n->watchdog_usec / 2;
	}
	if (now >= n->next_status_usec && strcmp(status, n->status)) {
		sd_notifyf(0, "STATUS=%s", status);
		remember_status(n, status, now);
	}
}

void sf_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopped; enforcement stays pinned");
}

void sf_notify_failed(int err, const char *what)
{
	sd_notifyf(0, "STATUS=failed to start: %s\nERRNO=%d", what, err < 0 ? -err : err);
}
