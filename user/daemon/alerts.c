// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/alerts.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_PER_SEC	    1000000000ULL
#define MAX_TENANTS	    65536 /* tenants in an open window; beyond, no alerts */
#define MAX_RUNNING	    8	  /* alert commands running at once */
#define SF_ALERT_MAIL_KINDS 3

static const char *const mail_kinds[SF_ALERT_MAIL_KINDS] = {"messages", "recipients", "deferred"};

extern char **environ;

struct tenant_window {
	char tenant[SF_NAME_LEN];
	__u64 start_ns;
	__u64 denied, limited;
	bool denied_fired, limited_fired;
	__u64 mail[SF_ALERT_MAIL_KINDS]; /* messages, recipients, deferred */
	bool mail_fired[SF_ALERT_MAIL_KINDS];
	size_t index;
};

struct sf_alerts {
	struct sf_event_log *log;
	unsigned int denied_per_min, limited_per_min;
	unsigned int mail_per_min[SF_ALERT_MAIL_KINDS];
	char command[1024];
	void *tree; /* tsearch tree of struct tenant_window, by tenant */
	struct tenant_window **list;
	size_t n;
	pid_t running[MAX_RUNNING];
	__u64 fired;
	sf_alert_hook hook;
	void *hook_arg;
};

static int cmp_tenant(const void *a, const void *b)
{
	return strcmp(((const struct tenant_window *)a)->tenant,
		      ((const struct tenant_window *)b)->tenant);
}

struct sf_alerts *sf_alerts_new(struct sf_event_log *log)
{
	struct sf_alerts *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->list = calloc(MAX_TENANTS, sizeof(*a->list));
	if (!a->list) {
		free(a);
		return NULL;
	}
	a->log = log;
	return a;
}

void sf_alerts_configure(struct sf_alerts *a, unsigned int denied_per_min,
			 unsigned int limited_per_min, const char *command)
{
	a->denied_per_min = denied_per_min;
	a->limited_per_min = limited_per_min;
	snprintf(a->command, sizeof(a->command), "%s", command);
}

void sf_alerts_configure_mail(struct sf_alerts *a, unsigned int messages_per_min,
			      unsigned int recipients_per_min, unsigned int deferred_per_min)
{
	a->mail_per_min[0] = messages_per_min;
	a->mail_per_min[1] = recipients_per_min;
	a->mail_per_min[2] = deferred_per_min;
}

static void run_command(struct sf_alerts *a, char *const *vars, size_t n_vars)
{
	char *argv[] = {"/bin/sh", "-c", a->command, NULL};
	size_t n_env = 0, slot;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	char **envp;
	pid_t pid;
	int err;

	for (slot = 0; slot < MAX_RUNNING && a->running[slot]; slot++)
		;
	if (slot == MAX_RUNNING) {
		sf_warn("alert command not run: %d earlier ones are still running", MAX_RUNNING);
		return;
	}
	while (environ[n_env])
		n_env++;
	envp = calloc(n_env + n_vars + 1, sizeof(*envp));
	if (!envp)
		return;
	memcpy(envp, environ, n_env * sizeof(*envp));
	memcpy(envp + n_env, vars, n_vars * sizeof(*envp));
	/* The daemon blocks its signals for signalfd: the command must not. */
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	err = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(envp);
	if (err) {
		sf_warn("failed to run the alert command: %s", strerror(err));
		return;
	}
	a->running[slot] = pid;
}

static void fire(struct sf_alerts *a, const struct tenant_window *w, const char *kind, __u64 count,
		 unsigned int threshold, const struct sf_event_record *r)
{
	char *vars[16], msg[1024];
	size_t n = 0;

	__atomic_fetch_add(&a->fired, 1, __ATOMIC_RELAXED);
	n += asprintf(&vars[n], "SMTPFENCE_ALERT=%s", kind) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_TENANT=%s", w->tenant) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_COUNT=%llu", (unsigned long long)count) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_THRESHOLD=%u", threshold) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_WINDOW_SECONDS=%u", SF_ALERT_WINDOW_S) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_DENIED=%llu", (unsigned long long)w->denied) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_LIMITED=%llu", (unsigned long long)w->limited) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_LAST_PROCESS=%s[%u]", r->comm, r->e.pid) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_LAST_PID=%u", r->e.pid) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_LAST_COMM=%s", r->comm) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_LAST_USER=%s", r->user) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_LAST_UID=%u", r->e.uid) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_LAST_CGROUP=%s", r->cgroup) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_LAST_DESTINATION=%s", r->dest) >= 0;
	snprintf(msg, sizeof(msg),
		 "alert: tenant %s: %llu %s connects within %u s (threshold %u); last %s[%u] "
		 "user %s -> %s",
		 w->tenant, (unsigned long long)count, kind, SF_ALERT_WINDOW_S, threshold, r->comm,
		 r->e.pid, r->user, r->dest);
	sf_alerts_notify(a, msg, vars, n);
	for (size_t i = 0; i < n; i++)
		free(vars[i]);
	if (a->hook)
		a->hook(a->hook_arg, kind, count, threshold, r);
}

void sf_alerts_set_hook(struct sf_alerts *a, sf_alert_hook hook, void *arg)
{
	a->hook = hook;
	a->hook_arg = arg;
}

void sf_alerts_notify(struct sf_alerts *a, const char *message, char *const *vars, size_t n_vars)
{
	sf_event_log_alert(a->log, message, (const char *const *)vars, n_vars);
	if (a->command[0])
		run_command(a, vars, n_vars);
}

/* The tenant's window at ts_ns: a new one when the last is over. */
static struct tenant_window *window_of(struct sf_alerts *a, const char *tenant, __u64 ts_ns)
{
	struct tenant_window key;
	struct tenant_window **slot, *w;

	snprintf(key.tenant, sizeof(key.tenant), "%s", tenant);
	slot = tfind(&key, &a->tree, cmp_tenant);
	if (slot) {
		w = *slot;
		if (ts_ns > w->start_ns && ts_ns - w->start_ns >= SF_ALERT_WINDOW_S * NS_PER_SEC) {
			size_t index = w->index;

			memset(w, 0, sizeof(*w));
			snprintf(w->tenant, sizeof(w->tenant), "%s", tenant);
			w->start_ns = ts_ns;
			w->index = index;
		}
		return w;
	}
	if (a->n == MAX_TENANTS || !(w = calloc(1, sizeof(*w))))
		return NULL;
	snprintf(w->tenant, sizeof(w->tenant), "%s", tenant);
	w->start_ns = ts_ns;
	if (!tsearch(w, &a->tree, cmp_tenant)) {
		free(w);
		return NULL;
	}
	w->index = a->n;
	a->list[a->n++] = w;
	return w;
}

void sf_alerts_event(struct sf_alerts *a, const struct sf_event_record *r)
{
	struct tenant_window *w;

	if (r->e.verdict == SF_VERDICT_DENIED	 ? !a->denied_per_min
	    : r->e.verdict == SF_VERDICT_LIMITED ? !a->limited_per_min
						 : true)
		return;
	w = window_of(a, r->tenant, r->e.ts_ns);
	if (!w)
		return;
	if (r->e.verdict == SF_VERDICT_DENIED) {
		w->denied++;
		if (!w->denied_fired && w->denied >= a->denied_per_min) {
			w->denied_fired = true;
			fire(a, w, "denied", w->denied, a->denied_per_min, r);
		}
	} else {
		w->limited++;
		if (!w->limited_fired && w->limited >= a->limited_per_min) {
			w->limited_fired = true;
			fire(a, w, "limited", w->limited, a->limited_per_min, r);
		}
	}
}

static void fire_mail(struct sf_alerts *a, const struct tenant_window *w, size_t k,
		      const struct sf_alert_mail *m)
{
	char *vars[16], msg[1024];
	size_t n = 0;

	__atomic_fetch_add(&a->fired, 1, __ATOMIC_RELAXED);
	n += asprintf(&vars[n], "SMTPFENCE_ALERT=%s", mail_kinds[k]) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_TENANT=%s", w->tenant) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_COUNT=%llu", (unsigned long long)w->mail[k]) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_THRESHOLD=%u", a->mail_per_min[k]) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_WINDOW_SECONDS=%u", SF_ALERT_WINDOW_S) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_MESSAGES=%llu", (unsigned long long)w->mail[0]) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_RECIPIENTS=%llu", (unsigned long long)w->mail[1]) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_DEFERRED=%llu", (unsigned long long)w->mail[2]) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_LAST_PROCESS=%s", m->process) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_LAST_USER=%s", m->user) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_LAST_CLIENT=%s", m->client) >= 0;
	snprintf(msg, sizeof(msg),
		 "alert: tenant %s: %llu %s%s within %u s (threshold %u); last %s user %s "
		 "client %s",
		 w->tenant, (unsigned long long)w->mail[k], k == 2 ? "deferred " : "",
		 k == 2 ? "messages and recipients" : mail_kinds[k], SF_ALERT_WINDOW_S,
		 a->mail_per_min[k], m->process, m->user, m->client);
	sf_alerts_notify(a, msg, vars, n);
	for (size_t i = 0; i < n; i++)
		free(vars[i]);
}

void sf_alerts_mail(struct sf_alerts *a, const struct sf_alert_mail *m)
{
	const __u64 add[SF_ALERT_MAIL_KINDS] = {m->messages, m->recipients, m->deferred};
	struct tenant_window *w;
	bool any = false;

	for (size_t k = 0; k < SF_ALERT_MAIL_KINDS; k++)
		any = any || (add[k] && a->mail_per_min[k]);
	if (!any || !(w = window_of(a, m->tenant, m->ts_ns)))
		return;
	for (size_t k = 0; k < SF_ALERT_MAIL_KINDS; k++) {
		w->mail[k] += add[k];
		if (a->mail_per_min[k] && !w->mail_fired[k] && w->mail[k] >= a->mail_per_min[k]) {
			w->mail_fired[k] = true;
			fire_mail(a, w, k, m);
		}
	}
}

static void reap(struct sf_alerts *a)
{
	for (size_t i = 0; i < MAX_RUNNING; i++) {
		int status;

		if (!a->running[i] || waitpid(a->running[i], &status, WNOHANG) <= 0)
			continue;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			sf_warn("alert command (pid %d) failed with status %d", a->running[i],
				WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		a->running[i] = 0;
	}
}

void sf_alerts_tick(struct sf_alerts *a, __u64 now_ns)
{
	reap(a);
	for (size_t i = 0; i < a->n;) {
		struct tenant_window *w = a->list[i];

		if (now_ns < w->start_ns || now_ns - w->start_ns < SF_ALERT_WINDOW_S * NS_PER_SEC) {
			i++;
			continue;
		}
		tdelete(w, &a->tree, cmp_tenant);
		a->list[i] = a->list[--a->n];
		a->list[i]->index = i;
		free(w);
	}
}

__u64 sf_alerts_fired(const struct sf_alerts *a)
{
	return __atomic_load_n(&a->fired, __ATOMIC_RELAXED);
}

void sf_alerts_free(struct sf_alerts *a)
{
	if (!a)
		return;
	reap(a);
	tdestroy(a->tree, free);
	free(a->list);
	free(a);
}
