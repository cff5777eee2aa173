// SPDX-License-Identifier: GPL-2.0-only
/* The Prometheus text of figures already read: per tenant and port with
 * the top N labelled and the rest as tenant="other", host totals, rules
 * per kind. Pure: no maps. */
#include "view/metrics_text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sf_metrics_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void sf_metrics_label(FILE *f, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', f);
		if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
}

/* Tenant totals over every port, to choose the top N. */
struct ranked {
	const char *tenant;
	__u64 attempts;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->attempts != y->attempts)
		return x->attempts > y->attempts ? -1 : 1;
	return strcmp(x->tenant, y->tenant);
}

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the top n tenants, sorted by name for bsearch. */
static const char **top_tenants(const struct sf_tenant_set *s, unsigned int n, size_t *n_top)
{
	struct ranked *r = calloc(s->n + 1, sizeof(*r));
	const char **top = calloc((size_t)n + 1, sizeof(*top));
	size_t nr = 0;

	if (!r || !top) {
		free(r);
		free(top);
		return NULL;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (nr && !strcmp(r[nr - 1].tenant, s->v[i].tenant)) {
			r[nr - 1].attempts += s->v[i].c.attempts;
			continue;
		}
		r[nr++] = (struct ranked){s->v[i].tenant, s->v[i].c.attempts};
	}
	qsort(r, nr, sizeof(*r), cmp_ranked);
	*n_top = nr < n ? nr : n;
	for (size_t i = 0; i < *n_top; i++)
		top[i] = r[i].tenant;
	free(r);
	qsort(top, *n_top, sizeof(*top), cmp_names);
	return top;
}

/* The "other" sums, one per port. */
struct other {
	__u16 port;
	struct sf_counters c;
};

static void add_other(struct other *o, size_t *n, const struct sf_tenant_sum *s)
{
	size_t i;

	for (i = 0; i < *n && o[i].port != s->port; i++)
		;
	if (i == *n)
		o[(*n)++] = (struct other){.port = s->port};
	o[i].c.attempts += s->c.attempts;
	o[i].c.allowed += s->c.allowed;
	o[i].c.denied += s->c.denied;
	o[i].c.limited += s->c.limited;
	o[i].c.redirected += s->c.redirected;
	o[i].c.bypass += s->c.bypass;
}

static const struct {
	const char *name; /* after "smtpfence_" (and "user_" for the user view) */
	const char *help; /* followed by ", per tenant and port." or ", per user ..." */
	size_t off;
} counter_families[] = {
	{"attempts_total", "Connects to a watched port", offsetof(struct sf_counters, attempts)},
	{"allowed_total", "Connects allowed (including logged)",
	 offsetof(struct sf_counters, allowed)},
	{"denied_total", "Connects denied", offsetof(struct sf_counters, denied)},
	{"limited_total", "Connects refused by a rate limit",
	 offsetof(struct sf_counters, limited)},
	{"redirected_total", "Connects sent to the relay instead (redirect)",
	 offsetof(struct sf_counters, redirected)},
	{"bypass_total",
	 "Of the connects, those from sockets never judged at connect (judged at "
	 "egress)",
	 offsetof(struct sf_counters, bypass)},
};

/* The two views: by tenant (cgroup) and by user (uid), the same shape. */
struct view_kind {
	const char *prefix; /* of the family names */
	const char *label;  /* "tenant" or "user" */
	const char *strip;  /* taken off each name: "user:" */
	const char *count, *count_help, *labelled, *labelled_help;
};

static const struct view_kind by_tenant = {
	"smtpfence_",
	"tenant",
	"",
	"smtpfence_tenants",
	"Tenants with at least one flow in the flow table.",
	"smtpfence_tenants_labelled",
	"Tenants with their own label set (metrics_top_tenants at most).",
};

static const struct view_kind by_user = {
	"smtpfence_user_",
	"user",
	"user:",
	"smtpfence_users",
	"Users with at least one flow in the flow table.",
	"smtpfence_users_labelled",
	"Users with their own label set (metrics_top_tenants at most).",
};

static __u64 counter_at(const struct sf_counters *c, size_t off)
{
	return *(const __u64 *)((const char *)c + off);
}

static void sample(FILE *f, const char *name, const struct view_kind *k, const char *who,
		   __u16 port, __u64 v)
{
	size_t n = strlen(k->strip);

	fprintf(f, "%s{%s=\"", name, k->label);
	sf_metrics_label(f, n && !strncmp(who, k->strip, n) ? who + n : who);
	fprintf(f, "\",port=\"%u\"} %llu\n", port, (unsigned long long)v);
}

static int metrics_view(FILE *f, const struct sf_tenant_set *s, unsigned int top_n,
			const struct view_kind *k)
{
	struct other *other;
	const char **top;
	size_t n_top = 0, n_other = 0, n_tenants = 0;
	char name[64], help[256];
	int err = 0;

	top = top_tenants(s, top_n, &n_top);
	other = calloc(s->n + 1, sizeof(*other));
	if (!top || !other) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < s->n; i++) {
		n_tenants += !i || strcmp(s->v[i - 1].tenant, s->v[i].tenant);
		if (!bsearch(s->v[i].tenant, top, n_top, sizeof(*top), cmp_name))
			add_other(other, &n_other, &s->v[i]);
	}
	for (size_t c = 0; c < sizeof(counter_families) / sizeof(counter_families[0]); c++) {
		size_t off = counter_families[c].off;

		snprintf(name, sizeof(name), "%s%s", k->prefix, counter_families[c].name);
		snprintf(help, sizeof(help), "%s, per %s and port.", counter_families[c].help,
			 k->label);
		sf_metrics_family(f, name, "counter", help);
		for (size_t i = 0; i < s->n; i++)
			if (bsearch(s->v[i].tenant, top, n_top, sizeof(*top), cmp_name))
				sample(f, name, k, s->v[i].tenant, s->v[i].port,
				       counter_at(&s->v[i].c, off));
		for (size_t i = 0; i < n_other; i++)
			sample(f, name, k, SF_METRICS_OTHER, other[i].port,
			       counter_at(&other[i].c, off));
	}
	sf_metrics_family(f, k->count, "gauge", k->count_help);
	fprintf(f, "%s %zu\n", k->count, n_tenants);
	sf_metrics_family(f, k->labelled, "gauge", k->labelled_help);
	fprintf(f, "%s %zu\n", k->labelled, n_top);
out:
	free(top);
	free(other);
	return err;
}

int sf_metrics_tenants(FILE *f, const struct sf_tenant_set *s, unsigned int top_n)
{
	return metrics_view(f, s, top_n, &by_tenant);
}

int sf_metrics_users(FILE *f, const struct sf_tenant_set *s, unsigned int top_n)
{
	return metrics_view(f, s, top_n, &by_user);
}

void sf_metrics_totals(FILE *f, const struct sf_totals *t)
{
	const struct {
		const char *name, *help;
		__u64 v;
	} all[] = {
		{"smtpfence_host_attempts_total", "Connects to a watched port on this host.",
		 t->c.attempts},
		{"smtpfence_host_allowed_total", "Connects allowed on this host.", t->c.allowed},
		{"smtpfence_host_denied_total", "Connects denied on this host.", t->c.denied},
		{"smtpfence_host_limited_total", "Connects refused by a rate limit on this host.",
		 t->c.limited},
		{"smtpfence_host_redirected_total",
		 "Connects sent to the relay instead (redirect) on this host.", t->c.redirected},
		{"smtpfence_host_bypass_total",
		 "Connects from sockets never judged at connect, judged by the egress backstop.",
		 t->c.bypass},
		{"smtpfence_host_forwarded_total", "Forwarded SYNs to a watched port judged by tc.",
		 t->forwarded},
		{"smtpfence_host_malformed_total",
		 "Packets that cannot be judged (TCP fragments, header chains), dropped.",
		 t->malformed},
		{"smtpfence_events_total", "Events written to the ring buffer.", t->events},
		{"smtpfence_events_lost_total", "Events lost because the ring buffer was full.",
		 t->events_lost},
		{"smtpfence_flows_lost_total", "Connects not counted per flow (flow table full).",
		 t->flows_lost},
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		sf_metrics_family(f, all[i].name, "counter", all[i].help);
		fprintf(f, "%s %llu\n", all[i].name, (unsigned long long)all[i].v);
	}
}

void sf_metrics_rules(FILE *f, const size_t n[SF_RULE_KINDS])
{
	static const char *const kinds[SF_RULE_KINDS] = {"default", "exempt", "cgroup",
							 "uid",	    "gid",    "source"};

	sf_metrics_family(f, "smtpfence_rules", "gauge", "Rules in the kernel, per kind.");
	for (size_t k = 0; k < SF_RULE_KINDS; k++)
		if (k != SF_KIND_EXEMPT) /* exempt prefixes live in their own tries */
			fprintf(f, "smtpfence_rules{kind=\"%s\"} %zu\n", kinds[k], n[k]);
}
