// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/quarantine_watch.h"
#include "daemon/alerts.h"
#include "daemon/event_record.h"
#include "policy/quarantine_edit.h"
#include "util/json_out.h"
#include "util/log.h"
#include "util/walltime.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_PENDING    64 /* alerts waiting for the next tick */
#define EXPIRE_RETRY_S 10

/* What an alert hands over: enough to find the tenant and its rule. */
struct pending {
	char kind[16];
	__u64 count;
	unsigned int threshold;
	__u32 rule_kind;
	__u64 rule_id;
	char cgroup[SF_NAME_LEN + 2];
	char user[64];
};

struct sf_qwatch {
	const struct sf_ctx *ctx;
	struct sf_observe *obs;
	struct sf_quarantines known; /* as last seen in the file */
	struct timespec mtime;
	ino_t ino;
	struct pending pending[MAX_PENDING];
	size_t n_pending;
	const char *alert_user; /* the user of the alert being acted on */
	bool starting;		/* the first look, when the daemon starts */
	int64_t retry_at;	/* after a failed expiry */
};

/* The warning record and the alert command; the JSON record for
 * subscribers when obs is given. */
static void announce_to(struct sf_alerts *alerts, struct sf_observe *obs,
			const struct sf_quarantine *e, bool start, const char *why,
			const char *user)
{
	char target[SF_TARGET_LEN + 16], action[96], until[40], since[40], msg[1200];
	char *vars[12];
	size_t n = 0;
	int64_t now = (int64_t)time(NULL);

	snprintf(target, sizeof(target), "%s:%s", sf_target_kind_name(e->kind), e->value);
	sf_action_text(e->action, &e->rate, action, sizeof(action));
	sf_format_utc(e->expires, until, sizeof(until));
	sf_format_utc(e->started, since, sizeof(since));
	if (start)
		snprintf(msg, sizeof(msg), "quarantine started: %s: %s until %s (%s)", target,
			 action, until, e->reason);
	else
		snprintf(msg, sizeof(msg), "quarantine ended: %s: %s (%s; was %s since %s)", target,
			 why, e->reason, action, since);
	n += asprintf(&vars[n], "SMTPFENCE_ALERT=%s",
		      start ? "quarantine_start" : "quarantine_end") >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_TARGET=%s", target) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_TENANT=%s", e->value) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_USER=%s", user ? user : "") >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_ACTION=%s", action) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_REASON=%s", e->reason) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_SINCE=%s", since) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_UNTIL=%s", until) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_EXPIRES=%lld", (long long)e->expires) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_DURATION_SECONDS=%lld",
		      (long long)(e->expires - e->started)) >= 0;
	if (!start)
		n += asprintf(&vars[n], "SMTPFENCE_END=%s", why) >= 0;
	sf_alerts_notify(alerts, msg, vars, n);
	for (size_t i = 0; i < n; i++)
		free(vars[i]);
	if (!obs)
		return;

	json_object *o = json_object_new_object();

	sf_format_utc(now, since, sizeof(since));
	json_object_object_add(o, "type", json_object_new_string("quarantine"));
	json_object_object_add(o, "time", json_object_new_string(since));
	json_object_object_add(o, "event", json_object_new_string(start ? "start" : "end"));
	json_object_object_add(o, "target", json_object_new_string(target));
	json_object_object_add(o, "action", json_object_new_string(action));
	json_object_object_add(o, "reason", json_object_new_string(e->reason));
	json_object_object_add(o, "expires", json_object_new_int64(e->expires));
	json_object_object_add(o, "message", json_object_new_string(msg));
	sf_observe_publish(obs, sf_json_string(o));
	json_object_put(o);
}

static void announce(struct sf_qwatch *q, const struct sf_quarantine *e, bool start,
		     const char *why, const char *user)
{
	announce_to(sf_observe_alerts(q->obs), q->obs, e, start, why, user);
}

void sf_quarantine_announce(const char *alert_command, const struct sf_quarantine *e, bool start,
			    const char *why)
{
	struct sf_event_log *log = sf_event_log_new(0);
	struct sf_alerts *a = log ? sf_alerts_new(log) : NULL;

	if (a) {
		sf_alerts_configure(a, 0, 0, alert_command);
		announce_to(a, NULL, e, start, why, e->kind == SF_TARGET_USER ? e->value : NULL);
	}
	sf_alerts_free(a);
	sf_event_log_free(log);
}

/* The user a target names, for panels that act per account. */
static const char *user_of(const struct sf_qwatch *q, const struct sf_quarantine *e)
{
	return e->kind == SF_TARGET_USER ? e->value : q->alert_user;
}

static bool same(const struct sf_quarantine *a, const struct sf_quarantine *b)
{
	return a->started == b->started && a->expires == b->expires && a->action == b->action;
}

/* Announces what changed between what the daemon knew and the file. */
static void diff(struct sf_qwatch *q, const struct sf_quarantines *now_list, int64_t now)
{
	for (size_t i = 0; i < q->known.n; i++) {
		const struct sf_quarantine *e = &q->known.v[i];
		long at = sf_quarantines_find(now_list, e->kind, e->value);

		if (at < 0)
			announce(q, e, false,
				 e->expires > now ? "released"
				 : q->starting	  ? "expired while the daemon was down"
						  : "expired",
				 user_of(q, e));
	}
	for (size_t i = 0; i < now_list->n; i++) {
		const struct sf_quarantine *e = &now_list->v[i];
		long at = sf_quarantines_find(&q->known, e->kind, e->value);

		if (e->expires > now && (at < 0 || !same(&q->known.v[at], e)))
			announce(q, e, true, "started", user_of(q, e));
	}
}

static int drop_expired(struct sf_change *c, void *arg)
{
	int64_t now = *(const int64_t *)arg;
	bool any = false;

	for (size_t i = c->s.quarantines.n; i-- > 0;) {
		if (c->s.quarantines.v[i].expires > now)
			continue;
		sf_quarantines_remove(&c->s.quarantines, i);
		any = true;
	}
	return any ? 0 : 1;
}

static bool file_changed(struct sf_qwatch *q)
{
	char path[PATH_MAX];
	struct stat st = {};

	snprintf(path, sizeof(path), "%s/%s", q->ctx->run_dir, SF_QUARANTINE_FILE);
	if (stat(path, &st))
		st.st_ino = 0;
	if (st.st_ino == q->ino && st.st_mtim.tv_sec == q->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == q->mtime.tv_nsec)
		return false;
	q->ino = st.st_ino;
	q->mtime = st.st_mtim;
	return true;
}

/* Reads the file anew; announces the differences. */
static void resync(struct sf_qwatch *q, const char *what)
{
	struct sf_quarantines cur;
	char err[SF_ERR_LEN];
	int ret = sf_quarantines_load(q->ctx->run_dir, &cur, err, sizeof(err));

	if (ret) {
		sf_warn("%s: failed to read the quarantines: %s", what,
			ret == -EINVAL ? err : strerror(-ret));
		return;
	}
	diff(q, &cur, (int64_t)time(NULL));
	sf_quarantines_free(&q->known);
	q->known = cur;
}

static bool expire(struct sf_qwatch *q)
{
	int64_t now = (int64_t)time(NULL);
	bool due = false;
	int ret;

	for (size_t i = 0; i < q->known.n && !due; i++)
		due = q->known.v[i].expires <= now;
	if (!due || now < q->retry_at)
		return false;
	ret = sf_quarantine_edit(q->ctx, drop_expired, &now);
	if (ret < 0) {
		/* a broken configuration cannot be compiled: try again, not every tick */
		sf_warn("failed to end the expired quarantines: %s; trying again in %d s",
			strerror(-ret), EXPIRE_RETRY_S);
		q->retry_at = now + EXPIRE_RETRY_S;
	}
	file_changed(q);
	resync(q, "expiry");
	return ret == 0;
}

/* The tenant an alert names, and its quarantine setting. */
static int start_from_alert(struct sf_change *c, void *arg)
{
	const struct pending *p = arg;
	const struct sf_policy *pol = &c->s.effective;
	const struct sf_quarantine_spec *spec = &c->s.config.quarantine;
	static struct sf_quarantine e; /* large: keep it off the stack */
	int err = sf_change_compile(c);

	if (err)
		return err;
	memset(&e, 0, sizeof(e));
	for (size_t i = 0; i < c->s.compiled.n_specs && p->rule_kind != SF_KIND_DEFAULT; i++) {
		const struct sf_rule_key *k = &c->s.compiled.spec_keys[i];

		if (k->kind != p->rule_kind || k->id != p->rule_id ||
		    c->s.compiled.spec_state[i] != SF_RESOLVED)
			continue;
		if (pol->rules[i].quarantine.seconds)
			spec = &pol->rules[i].quarantine;
		e.kind = pol->rules[i].kind;
		snprintf(e.value, sizeof(e.value), "%s", pol->rules[i].value);
		break;
	}
	if (!e.value[0]) {
		/* decided by the default: the tenant is its own cgroup */
		static struct sf_target_spec t;
		char target[SF_NAME_LEN + 16], why[SF_ERR_LEN];

		snprintf(target, sizeof(target), "cgroup:%s", p->cgroup);
		if (p->rule_kind != SF_KIND_DEFAULT || !p->cgroup[0] ||
		    sf_parse_target(target, &t, why, sizeof(why)))
			return 1;
		e.kind = t.kind;
		memcpy(e.value, t.value, sizeof(e.value));
	}
	long at = sf_quarantines_find(&c->s.quarantines, e.kind, e.value);

	if (!spec->seconds || (at >= 0 && c->s.quarantines.v[at].expires > (int64_t)time(NULL)))
		return 1; /* no quarantine configured, or one is in force */
	e.action = spec->action;
	e.rate = spec->rate;
	e.started = (int64_t)time(NULL);
	e.expires = e.started + spec->seconds;
	snprintf(e.reason, sizeof(e.reason), "alert %s: %llu within %u s (threshold %u)", p->kind,
		 (unsigned long long)p->count, SF_ALERT_WINDOW_S, p->threshold);
	return sf_quarantines_put(&c->s.quarantines, &e);
}

static bool run_pending(struct sf_qwatch *q)
{
	bool changed = false;

	for (size_t i = 0; i < q->n_pending; i++) {
		int ret = sf_quarantine_edit(q->ctx, start_from_alert, &q->pending[i]);

		if (ret < 0)
			sf_warn("failed to quarantine %s: %s", q->pending[i].cgroup,
				strerror(-ret));
		if (ret)
			continue;
		changed = true;
		file_changed(q);
		q->alert_user = q->pending[i].user;
		resync(q, "quarantine");
		q->alert_user = NULL;
	}
	q->n_pending = 0;
	return changed;
}

static void on_alert(void *arg, const char *kind, __u64 count, unsigned int threshold,
		     const struct sf_event_record *r)
{
	struct sf_qwatch *q = arg;
	struct pending *p;

	if (q->n_pending == MAX_PENDING)
		return;
	p = &q->pending[q->n_pending++];
	snprintf(p->kind, sizeof(p->kind), "%s", kind);
	p->count = count;
	p->threshold = threshold;
	p->rule_kind = r->e.rule_kind;
	p->rule_id = r->e.rule_id;
	/* the tenant's cgroup with a leading '/', as targets write it */
	snprintf(p->cgroup, sizeof(p->cgroup), "%s%s", r->cgroup[0] == '/' ? "" : "/", r->cgroup);
	if (r->cgroup[0] == '(')
		p->cgroup[0] = '\0';
	snprintf(p->user, sizeof(p->user), "%s", r->user);
}

struct sf_qwatch *sf_qwatch_new(const struct sf_ctx *ctx, struct sf_observe *obs)
{
	struct sf_qwatch *q = calloc(1, sizeof(*q));
	char err[SF_ERR_LEN];
	int ret;

	if (!q)
		return NULL;
	q->ctx = ctx;
	q->obs = obs;
	file_changed(q);
	/* What is in the file survived a restart: only its expired ones are news. */
	ret = sf_quarantines_load(ctx->run_dir, &q->known, err, sizeof(err));
	if (ret)
		sf_warn("failed to read the quarantines: %s",
			ret == -EINVAL ? err : strerror(-ret));
	q->starting = true;
	expire(q);
	q->starting = false;
	sf_alerts_set_hook(sf_observe_alerts(obs), on_alert, q);
	return q;
}

bool sf_qwatch_tick(struct sf_qwatch *q)
{
	bool changed = run_pending(q);

	if (file_changed(q)) {
		resync(q, "change");
		changed = true;
	}
	return expire(q) || changed;
}

void sf_qwatch_free(struct sf_qwatch *q)
{
	if (!q)
		return;
	sf_alerts_set_hook(sf_observe_alerts(q->obs), NULL, NULL);
	sf_quarantines_free(&q->known);
	free(q);
}
