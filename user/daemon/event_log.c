// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/event_log.h"
#include "view/format.h"

#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <sys/uio.h>
#include <unistd.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define MAX_WINDOWS    4096 /* flows folded at once; beyond, every event is logged */
#define NS_PER_SEC     1000000000ULL

/* Events are identical when they have the same flow, verdict and rule. */
struct flood_key {
	__u64 cgroup_id;
	__u64 rule_id;
	__u32 uid;
	__u32 rule_kind;
	__u32 verdict;
	__u16 family;
	__be16 dport;
	__u8 daddr[16];
};

struct window {
	struct flood_key key;
	size_t index; /* in sf_event_log.list */
	__u64 start_ns;
	__u64 suppressed;
	struct sf_event_record last;
};

struct sf_event_log {
	unsigned int window_s;
	void *windows;			  /* tsearch tree of struct window, for lookups */
	struct window *list[MAX_WINDOWS]; /* the same, for closing them */
	size_t n_windows;
	struct sf_event_log_stats st;
};

static int cmp_window(const void *a, const void *b)
{
	return memcmp(&((const struct window *)a)->key, &((const struct window *)b)->key,
		      sizeof(struct flood_key));
}

/* Checked per record: journald may start or stop while we run. */
static bool journal_present(void)
{
	return access(JOURNAL_SOCKET, W_OK) == 0;
}

static int priority_of(__u32 verdict)
{
	/* Logged and redirected attempts are mail flowing as the policy says. */
	return verdict == SF_VERDICT_LOGGED || verdict == SF_VERDICT_REDIRECTED ? LOG_INFO
										: LOG_WARNING;
}

static void write_record(const struct sf_event_record *r, const char *message, __u64 suppressed)
{
	if (!journal_present() ||
	    sd_journal_send("MESSAGE=%s", message, "PRIORITY=%d", priority_of(r->e.verdict),
			    "SYSLOG_IDENTIFIER=smtpfence", "SMTPFENCE_VERDICT=%s",
			    sf_verdict_name(r->e.verdict), "SMTPFENCE_PID=%u", r->e.pid,
			    "SMTPFENCE_COMM=%s", r->comm, "SMTPFENCE_UID=%u", r->e.uid,
			    "SMTPFENCE_USER=%s", r->user, "SMTPFENCE_CGROUP=%s", r->cgroup,
			    "SMTPFENCE_TENANT=%s", r->tenant, "SMTPFENCE_DADDR=%s", r->daddr,
			    "SMTPFENCE_DPORT=%u", ntohs(r->e.dport), "SMTPFENCE_RULE=%s", r->rule,
			    "SMTPFENCE_EVENT_TIME=%s", r->time, "SMTPFENCE_SUPPRESSED=%llu",
			    (unsigned long long)suppressed, "OBJECT_PID=%u", r->e.pid, NULL) < 0)
		fprintf(stderr, "smtpfence: %s\n", message);
}

static void log_event(struct sf_event_log *l, const struct sf_event_record *r)
{
	char text[2048];

	sf_event_record_text(r, text, sizeof(text));
	write_record(r, text, 0);
	__atomic_fetch_add(&l->st.logged, 1, __ATOMIC_RELAXED);
}

static void log_suppressed(struct sf_event_log *l, const struct window *w)
{
	char text[2048], msg[2200];

	sf_event_record_text(&w->last, text, sizeof(text));
	snprintf(msg, sizeof(msg), "suppressed %llu more identical events in %u s: %s",
		 (unsigned long long)w->suppressed, l->window_s, text);
	write_record(&w->last, msg, w->suppressed);
	__atomic_fetch_add(&l->st.suppressed, w->suppressed, __ATOMIC_RELAXED);
}

struct sf_event_log *sf_event_log_new(unsigned int window_s)
{
	struct sf_event_log *l = calloc(1, sizeof(*l));

	if (l)
		l->window_s = window_s;
	return l;
}

void sf_event_log_set_window(struct sf_event_log *l, unsigned int window_s)
{
	if (window_s == l->window_s)
		return;
	sf_event_log_flush(l, 0, true);
	l->window_s = window_s;
}

static void key_of(const struct sf_event *e, struct flood_key *k)
{
	memset(k, 0, sizeof(*k));
	k->cgroup_id = e->cgroup_id;
	k->rule_id = e->rule_id;
	k->uid = e->uid;
	k->rule_kind = e->rule_kind;
	k->verdict = e->verdict;
	k->family = e->family;
	k->dport = e->dport;
	memcpy(k->daddr, e->daddr, sizeof(k->daddr));
}

void sf_event_log_event(struct sf_event_log *l, const struct sf_event_record *r)
{
	struct window key, *w, **slot;

	if (!l->window_s) {
		log_event(l, r);
		return;
	}
	key_of(&r->e, &key.key);
	slot = tfind(&key, &l->windows, cmp_window);
	/* Stamps from two CPUs may arrive a little out of order. */
	if (slot && (r->e.ts_ns < (*slot)->start_ns ||
		     r->e.ts_ns - (*slot)->start_ns < l->window_s * NS_PER_SEC)) {
		(*slot)->suppressed++;
		(*slot)->last = *r;
		return;
	}
	if (slot) {
		/* The window is over: its count first, then this event opens a new one. */
		w = *slot;
		if (w->suppressed)
			log_suppressed(l, w);
		w->start_ns = r->e.ts_ns;
		w->suppressed = 0;
		w->last = *r;
		log_event(l, r);
		return;
	}
	log_event(l, r);
	if (l->n_windows >= MAX_WINDOWS || !(w = calloc(1, sizeof(*w))))
		return;
	w->key = key.key;
	w->start_ns = r->e.ts_ns;
	w->last = *r;
	if (!tsearch(w, &l->windows, cmp_window)) {
		free(w);
		return;
	}
	w->index = l->n_windows;
	l->list[l->n_windows++] = w;
}

void sf_event_log_flush(struct sf_event_log *l, __u64 now_ns, bool all)
{
	for (size_t i = 0; i < l->n_windows;) {
		struct window *w = l->list[i];

		if (!all &&
		    (now_ns < w->start_ns || now_ns - w->start_ns < l->window_s * NS_PER_SEC)) {
			i++;
			continue;
		}
		if (w->suppressed)
			log_suppressed(l, w);
		tdelete(w, &l->windows, cmp_window);
		l->list[i] = l->list[--l->n_windows];
		l->list[i]->index = i;
		free(w);
	}
}

void sf_event_log_alert(struct sf_event_log *l, const char *message, const char *const *fields,
			size_t n_fields)
{
	struct iovec iov[32];
	char *msg = NULL;
	size_t n = 0;

	(void)l;
	if (journal_present() && n_fields + 3 <= 32 && asprintf(&msg, "MESSAGE=%s", message) >= 0) {
		iov[n++] = (struct iovec){.iov_base = msg, .iov_len = strlen(msg)};
		iov[n++] = (struct iovec){.iov_base = "PRIORITY=4", .iov_len = 10};
		iov[n++] = (struct iovec){.iov_base = "SYSLOG_IDENTIFIER=smtpfence", .iov_len = 27};
		for (size_t i = 0; i < n_fields; i++)
			iov[n++] = (struct iovec){.iov_base = (void *)fields[i],
						  .iov_len = strlen(fields[i])};
		int err = sd_journal_sendv(iov, (int)n);

		free(msg);
		if (err >= 0)
			return;
	}
	fprintf(stderr, "smtpfence: warning: %s\n", message);
}

void sf_event_log_free(struct sf_event_log *l)
{
	if (!l)
		return;
	sf_event_log_flush(l, 0, true);
	tdestroy(l->windows, free);
	free(l);
}

void sf_event_log_stats(const struct sf_event_log *l, struct sf_event_log_stats *st)
{
	st->logged = __atomic_load_n(&l->st.logged, __ATOMIC_RELAXED);
	st->suppressed = __atomic_load_n(&l->st.suppressed, __ATOMIC_RELAXED);
}
