// SPDX-License-Identifier: GPL-2.0-only
#include "view/top_model.h"
#include "view/mail_counts.h"
#include "view/top_trend.h"
#include "policy/quarantine.h"
#include "view/event_client.h"
#include "view/format.h"
#include "view/flows.h"
#include "kernel/counters.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The last process the daemon named for a tenant (or user:NAME). */
struct proc {
	char *name;
	char process[48];
	__u64 ts_ns;
};

struct sf_top_model {
	const struct sf_maps *maps;
	char run_dir[4096];
	struct sf_tenants *tenants;
	enum sf_group_by by;
	enum sf_top_sort sort;
	bool reverse;
	char filter[128];

	struct sf_flow_table ft;
	struct sf_tenant_set cur, prev;
	bool have_prev;
	struct timespec cur_at, prev_at;
	struct sf_totals prev_totals;

	struct sf_top_row *rows; /* one per tenant */
	struct sf_top_row *view; /* the rows the filter keeps, sorted */
	size_t n_rows, n_view;
	struct sf_top_header h;

	struct sf_event_client *events;
	void *procs; /* tsearch tree of struct proc */
	struct sf_top_trends *trends;
	struct sf_quarantines quarantines; /* read each sample */
	struct sf_mail_counts mail;	   /* the policy service's, each sample */
};

const char *sf_top_sort_label(enum sf_top_sort s)
{
	static const char *const labels[SF_TOP_SORT_COUNT] = {
		"attempts/s", "denied/s", "limited/s", "total attempts", "last seen", "tenant",
	};

	return s < SF_TOP_SORT_COUNT ? labels[s] : "?";
}

static int cmp_proc(const void *a, const void *b)
{
	return strcmp(((const struct proc *)a)->name, ((const struct proc *)b)->name);
}

static void free_proc(void *p)
{
	free(((struct proc *)p)->name);
	free(p);
}

struct sf_top_model *sf_top_model_new(const struct sf_maps *maps, struct sf_tenants *t,
				      const char *run_dir)
{
	struct sf_top_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->maps = maps;
	m->tenants = t;
	m->trends = sf_top_trends_new();
	if (!m->trends) {
		free(m);
		return NULL;
	}
	snprintf(m->run_dir, sizeof(m->run_dir), "%s", run_dir);
	return m;
}

void sf_top_model_free(struct sf_top_model *m)
{
	if (!m)
		return;
	sf_event_client_close(m->events);
	tdestroy(m->procs, free_proc);
	sf_tenant_set_free(&m->cur);
	sf_tenant_set_free(&m->prev);
	sf_flow_table_free(&m->ft);
	sf_tenants_free(m->tenants);
	sf_top_trends_free(m->trends);
	sf_quarantines_free(&m->quarantines);
	sf_mail_counts_free(&m->mail);
	free(m->rows);
	free(m->view);
	free(m);
}

void sf_top_model_group(struct sf_top_model *m, enum sf_group_by by)
{
	if (by == m->by)
		return;
	m->by = by;
	/* Rates compare like with like: the next sample starts afresh. */
	m->have_prev = false;
	sf_top_trends_clear(m->trends);
}

enum sf_group_by sf_top_model_grouping(const struct sf_top_model *m)
{
	return m->by;
}

void sf_top_model_sort(struct sf_top_model *m, enum sf_top_sort sort, bool reverse)
{
	m->sort = sort;
	m->reverse = reverse;
}

enum sf_top_sort sf_top_model_sort_column(const struct sf_top_model *m)
{
	return m->sort;
}

bool sf_top_model_sort_reversed(const struct sf_top_model *m)
{
	return m->reverse;
}

void sf_top_model_filter(struct sf_top_model *m, const char *text)
{
	snprintf(m->filter, sizeof(m->filter), "%s", text);
}

const char *sf_top_model_filter_text(const struct sf_top_model *m)
{
	return m->filter;
}

static void note_process(struct sf_top_model *m, const char *name, const char *process, __u64 ts)
{
	struct proc key = {.name = (char *)name}, **slot, *p;

	slot = tfind(&key, &m->procs, cmp_proc);
	if (slot) {
		if (ts >= (*slot)->ts_ns) {
			snprintf((*slot)->process, sizeof((*slot)->process), "%s", process);
			(*slot)->ts_ns = ts;
		}
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->name = strdup(name))) {
		free(p);
		return;
	}
	snprintf(p->process, sizeof(p->process), "%s", process);
	p->ts_ns = ts;
	if (!tsearch(p, &m->procs, cmp_proc))
		free_proc(p);
}

static const char *field(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void take_event(struct sf_top_model *m, json_object *o)
{
	const char *type = field(o, "type"), *tenant = field(o, "tenant");
	const char *user = field(o, "user"), *comm = field(o, "comm"), *pid = field(o, "pid");
	const char *ts = field(o, "ts_ns");
	char process[48], by_user[128];

	if (!type || strcmp(type, "event") || !tenant || !user || !comm || !pid || !ts)
		return;
	snprintf(process, sizeof(process), "%s[%s]", comm, pid);
	/* forwarded traffic has no user: it stays "(forwarded)" either way */
	snprintf(by_user, sizeof(by_user), "%s%s", strcmp(user, "-") ? "user:" : "",
		 strcmp(user, "-") ? user : tenant);
	note_process(m, tenant, process, strtoull(ts, NULL, 10));
	note_process(m, by_user, process, strtoull(ts, NULL, 10));
}

/* Everything the daemon sent since the last sample; reconnects when it
 * (re)appears. Without a daemon, processes stay unknown. */
static void drain_events(struct sf_top_model *m)
{
	json_object *o;
	int r;

	if (!m->events && sf_event_client_open(&m->events, m->run_dir, true, true))
		m->events = NULL;
	while (m->events && (r = sf_event_client_next(m->events, &o)) != 0) {
		if (r < 0) {
			sf_event_client_close(m->events);
			m->events = NULL;
			break;
		}
		take_event(m, o);
		json_object_put(o);
	}
	m->h.events_live = m->events != NULL;
}

/* A quarantine in force names this tenant: its cgroup path, its unit (the
 * path's last component), or user:NAME. */
static bool quarantined(const struct sf_top_model *m, const char *tenant, time_t now)
{
	const char *base = strrchr(tenant, '/');

	for (size_t i = 0; i < m->quarantines.n; i++) {
		const struct sf_quarantine *q = &m->quarantines.v[i];

		if (q->expires <= now)
			continue;
		if ((q->kind == SF_TARGET_CGROUP && !strcmp(q->value, tenant)) ||
		    (q->kind == SF_TARGET_UNIT && base && !strcmp(q->value, base + 1)) ||
		    (q->kind == SF_TARGET_USER && !strncmp(tenant, "user:", 5) &&
		     !strcmp(q->value, tenant + 5)))
			return true;
	}
	return false;
}

static void fill_row(struct sf_top_model *m, struct sf_top_row *r, const struct sf_tenant_sum *s,
		     double dt)
{
	struct proc key = {.name = s->tenant}, **p;

	sf_top_row_rates(r, s, m->have_prev ? &m->prev : NULL, dt);
	r->action = sf_tenants_action(m->tenants, s->last.cgroup_id, s->last.uid, SF_UID_NONE);
	r->quarantined = quarantined(m, s->tenant, time(NULL));
	r->messages = r->recipients = 0;
	for (size_t i = 0; i < m->mail.n_tenants; i++)
		if (!strcmp(m->mail.tenants[i].tenant, s->tenant)) {
			r->messages = m->mail.tenants[i].c.messages;
			r->recipients = m->mail.tenants[i].c.recipients;
		}
	sf_top_trends_push(m->trends, r);
	sf_format_dest(s->last.family, s->last.daddr, s->last.dport, r->dest, sizeof(r->dest));
	snprintf(r->user, sizeof(r->user), "%s", sf_tenants_user(m->tenants, s->last.uid));
	p = tfind(&key, &m->procs, cmp_proc);
	/* The kernel's flow names the latest process; an event may be newer. */
	if (p && (!s->last_pid || (*p)->ts_ns >= s->proc_ns))
		snprintf(r->process, sizeof(r->process), "%s", (*p)->process);
	else if (s->last_pid)
		snprintf(r->process, sizeof(r->process), "%s[%u]", s->last_comm, s->last_pid);
	else
		snprintf(r->process, sizeof(r->process), "-");
}

static void fill_header(struct sf_top_model *m, const struct sf_totals *t, double dt)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	m->h.totals = *t;
	m->h.has_rate = m->have_prev;
	m->h.attempts_s = sf_top_rate(t->c.attempts, m->prev_totals.c.attempts, dt);
	m->h.denied_s = sf_top_rate(t->c.denied, m->prev_totals.c.denied, dt);
	m->h.limited_s = sf_top_rate(t->c.limited, m->prev_totals.c.limited, dt);
	m->h.n_rules = 0;
	for (size_t k = 0; k < SF_RULE_KINDS; k++)
		m->h.n_rules += m->h.rules_per_kind[k];
	m->h.max_rules =
		!bpf_obj_get_info_by_fd(m->maps->rules, &info, &len) ? info.max_entries : 0;
	m->h.n_flows = m->ft.n;
	m->h.max_flows = m->ft.max_entries;
	m->h.n_tenants = m->cur.n;
}

int sf_top_model_sample(struct sf_top_model *m)
{
	char qerr[256];
	struct sf_totals t;
	double dt;
	int err;

	err = sf_tenants_load_rules(m->tenants, m->maps->rules, m->maps->gen, m->h.rules_per_kind);
	if (!err)
		err = sf_flows_read(m->maps->flows, &m->ft);
	if (!err)
		err = sf_totals_read(m->maps->totals, &t);
	if (err)
		return err;
	drain_events(m);
	sf_quarantines_free(&m->quarantines);
	if (sf_quarantines_load(m->run_dir, &m->quarantines, qerr, sizeof(qerr)))
		sf_quarantines_free(&m->quarantines); /* none known: a view, not a judge */
	sf_mail_counts_free(&m->mail);
	if (sf_mail_counts_read(m->run_dir, &m->mail))
		sf_mail_counts_free(&m->mail); /* none counted, or not readable */
	sf_tenant_set_free(&m->prev);
	m->prev = m->cur;
	m->prev_at = m->cur_at;
	err = sf_tenant_sum(m->tenants, &m->ft, m->by, false, &m->cur);
	if (err) {
		m->have_prev = false;
		return err;
	}
	clock_gettime(CLOCK_MONOTONIC, &m->cur_at);
	dt = (double)(m->cur_at.tv_sec - m->prev_at.tv_sec) +
	     (double)(m->cur_at.tv_nsec - m->prev_at.tv_nsec) / 1e9;
	free(m->rows);
	free(m->view);
	m->rows = calloc(m->cur.n + 1, sizeof(*m->rows));
	m->view = calloc(m->cur.n + 1, sizeof(*m->view));
	m->n_rows = m->n_view = 0;
	if (!m->rows || !m->view)
		return -ENOMEM;
	m->n_rows = m->cur.n;
	for (size_t i = 0; i < m->cur.n; i++)
		fill_row(m, &m->rows[i], &m->cur.v[i], dt);
	fill_header(m, &t, dt);
	m->prev_totals = t;
	m->have_prev = true;
	sf_top_model_arrange(m);
	return 0;
}

static bool matches(const struct sf_top_row *r, const char *text)
{
	return !*text || strstr(r->sum->tenant, text) || strstr(r->user, text) ||
	       strstr(r->dest, text) || strstr(r->process, text);
}

void sf_top_model_arrange(struct sf_top_model *m)
{
	m->n_view = 0;
	for (size_t i = 0; i < m->n_rows; i++)
		if (matches(&m->rows[i], m->filter))
			m->view[m->n_view++] = m->rows[i];
	sf_top_rows_sort(m->view, m->n_view, m->sort, m->reverse);
}

const struct sf_top_header *sf_top_model_header(const struct sf_top_model *m)
{
	return &m->h;
}

const struct sf_top_row *sf_top_model_rows(const struct sf_top_model *m, size_t *n)
{
	*n = m->n_view;
	return m->view;
}

const char *sf_top_model_run_dir(const struct sf_top_model *m)
{
	return m->run_dir;
}
