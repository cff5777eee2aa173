/* SPDX-License-Identifier: GPL-2.0-only */
/* The daemon's event log: one record per denied, logged or limited
 * connect, to the journal with structured fields (SMTPFENCE_*) when
 * journald is there, else one line on stderr. A flood of identical events
 * from one flow is folded: the first is logged, the rest are counted and
 * logged as one "suppressed N" record when the window closes. Nothing is
 * dropped silently. */
#ifndef SF_EVENT_LOG_H
#define SF_EVENT_LOG_H

#include "daemon/event_record.h"

#include <stdbool.h>

struct sf_event_log;

/* window_s = 0 logs every event. */
struct sf_event_log *sf_event_log_new(unsigned int window_s);
void sf_event_log_set_window(struct sf_event_log *l, unsigned int window_s);
void sf_event_log_event(struct sf_event_log *l, const struct sf_event_record *r);
/* Closes windows that are over (call about once a second). now_ns: boot time. */
void sf_event_log_flush(struct sf_event_log *l, __u64 now_ns, bool all);
/* One warning record for an alert; fields are appended as SMTPFENCE_* . */
void sf_event_log_alert(struct sf_event_log *l, const char *message, const char *const *fields,
			size_t n_fields);
void sf_event_log_free(struct sf_event_log *l);

struct sf_event_log_stats {
	__u64 logged;	  /* records written for events */
	__u64 suppressed; /* events folded into "suppressed N" records */
};
void sf_event_log_stats(const struct sf_event_log *l, struct sf_event_log_stats *st);

#endif /* SF_EVENT_LOG_H */
