/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-tenant alerts: when a tenant's denied (or limited) connects within
 * one minute reach alert_denied_per_min (alert_limited_per_min), one
 * warning record is logged for that window and, if configured, the alert
 * command runs with the details in SMTPFENCE_* environment variables.
 * Likewise for the mail the policy service counts: a tenant's messages,
 * recipients or deferred messages and recipients within a minute
 * reaching alert_messages_per_min, alert_recipients_per_min or
 * alert_deferred_per_min.
 * A window opens at the tenant's first such event and lasts 60 s. */
#ifndef SF_ALERTS_H
#define SF_ALERTS_H

#include "daemon/event_log.h"
#include "daemon/event_record.h"

#define SF_ALERT_WINDOW_S 60U

struct sf_alerts;

/* Called after a tenant crossed a threshold (kind "denied" or "limited"),
 * with the event that crossed it: the quarantine starts here. */
typedef void (*sf_alert_hook)(void *arg, const char *kind, __u64 count, unsigned int threshold,
			      const struct sf_event_record *r);

struct sf_alerts *sf_alerts_new(struct sf_event_log *log);
/* Thresholds of 0 are off; command may be empty. */
void sf_alerts_configure(struct sf_alerts *a, unsigned int denied_per_min,
			 unsigned int limited_per_min, const char *command);
/* Thresholds of 0 are off. */
void sf_alerts_configure_mail(struct sf_alerts *a, unsigned int messages_per_min,
			      unsigned int recipients_per_min, unsigned int deferred_per_min);
void sf_alerts_set_hook(struct sf_alerts *a, sf_alert_hook hook, void *arg);
/* One warning record with SMTPFENCE_* fields ("NAME=value" each), and a
 * run of the alert command with them in its environment. */
void sf_alerts_notify(struct sf_alerts *a, const char *message, char *const *vars, size_t n_vars);
void sf_alerts_event(struct sf_alerts *a, const struct sf_event_record *r);

/* Mail the policy service counted for a tenant, at ts_ns (CLOCK_BOOTTIME). */
struct sf_alert_mail {
	const char *tenant, *user, *process, *client;
	__u64 ts_ns;
	__u64 messages, recipients, deferred; /* deferred: messages and recipients */
};

void sf_alerts_mail(struct sf_alerts *a, const struct sf_alert_mail *m);
/* Forgets windows that are over and reaps finished alert commands. */
void sf_alerts_tick(struct sf_alerts *a, __u64 now_ns);
__u64 sf_alerts_fired(const struct sf_alerts *a);
void sf_alerts_free(struct sf_alerts *a);

#endif /* SF_ALERTS_H */
