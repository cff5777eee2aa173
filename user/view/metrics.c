// SPDX-License-Identifier: GPL-2.0-only
#include "view/metrics.h"
#include "view/flows.h"
#include "smtpfence.h"
#include "policy/sync.h"
#include "view/tenant_sum.h"
#include "kernel/tclink.h"
#include "util/version.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/utsname.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	o[i].c.bypass += s->c.bypass;
}

static const struct {
	const char *name;
	const char *help;
	size_t off;
} counter_families[] = {
	{"smtpfence_attempts_total", "Connects to a watched port, per tenant and port.",
	 offsetof(struct sf_counters, attempts)},
	{"smtpfence_allowed_total", "Connects allowed (including logged), per tenant and port.",
	 offsetof(struct sf_counters, allowed)},
	{"smtpfence_denied_total", "Connects denied, per tenant and port.",
	 offsetof(struct sf_counters, denied)},
	{"smtpfence_limited_total", "Connects refused by a rate limit, per tenant and port.",
	 offsetof(struct sf_counters, limited)},
	{"smtpfence_bypass_total",
	 "Of the connects, those from sockets never judged at connect (judged at egress).",
	 offsetof(struct sf_counters, bypass)},
};

static __u64 counter_at(const struct sf_counters *c, size_t off)
{
	return *(const __u64 *)((const char *)c + off);
}

static void sample(FILE *f, const char *name, const char *tenant, __u16 port, __u64 v)
{
	fprintf(f, "%s{tenant=\"", name);
	sf_metrics_label(f, tenant);
	fprintf(f, "\",port=\"%u\"} %llu\n", port, (unsigned long long)v);
}

static int per_tenant(FILE *f, const struct sf_metrics *m, const struct sf_flow_table *ft)
{
	struct sf_tenant_set s;
	struct other *other;
	const char **top;
	size_t n_top = 0, n_other = 0, n_tenants = 0;
	int err = sf_tenant_sum(m->tenants, ft, SF_BY_TENANT, true, &s);

	if (err)
		return err;
	top = top_tenants(&s, m->top_tenants, &n_top);
	other = calloc(s.n + 1, sizeof(*other));
	if (!top || !other) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < s.n; i++) {
		n_tenants += !i || strcmp(s.v[i - 1].tenant, s.v[i].tenant);
		if (!bsearch(s.v[i].tenant, top, n_top, sizeof(*top), cmp_name))
			add_other(other, &n_other, &s.v[i]);
	}
	for (size_t k = 0; k < sizeof(counter_families) / sizeof(counter_families[0]); k++) {
		const char *name = counter_families[k].name;
		size_t off = counter_families[k].off;

		sf_metrics_family(f, name, "counter", counter_families[k].help);
		for (size_t i = 0; i < s.n; i++)
			if (bsearch(s.v[i].tenant, top, n_top, sizeof(*top), cmp_name))
				sample(f, name, s.v[i].tenant, s.v[i].port,
				       counter_at(&s.v[i].c, off));
		for (size_t i = 0; i < n_other; i++)
			sample(f, name, SF_METRICS_OTHER, other[i].port,
			       counter_at(&other[i].c, off));
	}
	sf_metrics_family(f, "smtpfence_tenants", "gauge",
			  "Tenants with at least one flow in the flow table.");
	fprintf(f, "smtpfence_tenants %zu\n", n_tenants);
	sf_metrics_family(f, "smtpfence_tenants_labelled", "gauge",
			  "Tenants with their own label set (metrics_top_tenants at most).");
	fprintf(f, "smtpfence_tenants_labelled %zu\n", n_top);
out:
	free(top);
	free(other);
	sf_tenant_set_free(&s);
	return err;
}

static void host_totals(FILE *f, const struct sf_totals *t)
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

static __u32 max_entries(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

static void map_fill(FILE *f, const struct sf_metrics *m, size_t n_rules, size_t n_flows)
{
	sf_metrics_family(f, "smtpfence_map_entries", "gauge", "Entries in a pinned map.");
	fprintf(f, "smtpfence_map_entries{map=\"rules\"} %zu\n", n_rules);
	fprintf(f, "smtpfence_map_entries{map=\"flows\"} %zu\n", n_flows);
	sf_metrics_family(f, "smtpfence_map_max_entries", "gauge", "Capacity of a pinned map.");
	fprintf(f, "smtpfence_map_max_entries{map=\"rules\"} %u\n", max_entries(m->maps->rules));
	fprintf(f, "smtpfence_map_max_entries{map=\"flows\"} %u\n", max_entries(m->maps->flows));
}

static void rules_per_kind(FILE *f, const size_t n[SF_RULE_KINDS])
{
	static const char *const kinds[SF_RULE_KINDS] = {"default", "exempt", "cgroup",
							 "uid",	    "gid",    "source"};

	sf_metrics_family(f, "smtpfence_rules", "gauge", "Rules in the kernel, per kind.");
	for (size_t k = 0; k < SF_RULE_KINDS; k++)
		if (k != SF_KIND_EXEMPT) /* exempt prefixes live in their own tries */
			fprintf(f, "smtpfence_rules{kind=\"%s\"} %zu\n", kinds[k], n[k]);
}

static bool bpf_stats_enabled(void)
{
	FILE *s = fopen("/proc/sys/kernel/bpf_stats_enabled", "re");
	int on = 0;

	if (s) {
		if (fscanf(s, "%d", &on) != 1)
			on = 0;
		fclose(s);
	}
	return on == 1;
}

static int prog_info(const char *pin_dir, const char *link, struct bpf_prog_info *pi)
{
	struct bpf_link_info li = {};
	__u32 len = sizeof(li);
	char path[PATH_MAX];
	int lfd, pfd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, link);
	lfd = bpf_obj_get(path);
	if (lfd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(lfd, &li, &len))
		err = -errno;
	close(lfd);
	if (err)
		return err;
	pfd = bpf_prog_get_fd_by_id(li.prog_id);
	if (pfd < 0)
		return -errno;
	memset(pi, 0, sizeof(*pi));
	len = sizeof(*pi);
	if (bpf_obj_get_info_by_fd(pfd, pi, &len))
		err = -errno;
	close(pfd);
	return err;
}

/* Run statistics advance only while the kernel keeps them: the sysctl, or
 * a process holding a BPF_ENABLE_STATS fd (the sysctl does not show that
 * one, so counters that moved are shown as well). */
static void prog_stats(FILE *f, const char *pin_dir)
{
	static const struct {
		const char *link, *prog;
	} progs[] = {{SF_LINK_CONNECT4, "connect4"}, {SF_LINK_CONNECT6, "connect6"}};
	struct bpf_prog_info pi[2];
	bool have[2], on = bpf_stats_enabled(), counted = false;

	sf_metrics_family(f, "smtpfence_attached", "gauge",
			  "1 when the program is attached (its link is pinned).");
	for (size_t i = 0; i < 2; i++) {
		have[i] = !prog_info(pin_dir, progs[i].link, &pi[i]);
		counted |= have[i] && pi[i].run_cnt;
		fprintf(f, "smtpfence_attached{prog=\"%s\"} %d\n", progs[i].prog, have[i]);
	}
	sf_metrics_family(f, "smtpfence_bpf_stats_enabled", "gauge",
			  "1 when sysctl kernel.bpf_stats_enabled is set.");
	fprintf(f, "smtpfence_bpf_stats_enabled %d\n", on);
	if (!on && !counted)
		return;
	sf_metrics_family(f, "smtpfence_prog_run_count_total", "counter",
			  "Runs of the program while the kernel kept statistics.");
	for (size_t i = 0; i < 2; i++)
		if (have[i])
			fprintf(f, "smtpfence_prog_run_count_total{prog=\"%s\"} %llu\n",
				progs[i].prog, (unsigned long long)pi[i].run_cnt);
	sf_metrics_family(f, "smtpfence_prog_run_seconds_total", "counter",
			  "Time spent in the program while the kernel kept statistics.");
	for (size_t i = 0; i < 2; i++)
		if (have[i])
			fprintf(f, "smtpfence_prog_run_seconds_total{prog=\"%s\"} %.9f\n",
				progs[i].prog, (double)pi[i].run_time_ns / 1e9);
}

/* Which release runs where: joins with any series by instance. */
static void build_info(FILE *f)
{
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	sf_metrics_family(f, "smtpfence_build_info", "gauge",
			  "Always 1; the labels say which smtpfence, libbpf and kernel run here.");
	fprintf(f, "smtpfence_build_info{version=\"%s\",libbpf=\"%u.%u\",kernel=\"", SF_VERSION,
		libbpf_major_version(), libbpf_minor_version());
	sf_metrics_label(f, u.release);
	fprintf(f, "\"} 1\n");
}

static bool link_pinned(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Every link enforcement rests on: 0 for connect4/6 means nothing is judged. */
static void links_attached(FILE *f, const char *pin_dir)
{
	static const struct {
		const char *pin, *link;
	} links[] = {{SF_LINK_CONNECT4, "connect4"},
		     {SF_LINK_CONNECT6, "connect6"},
		     {SF_LINK_EGRESS, "egress"}};
	struct sf_tclink_info tc[64];
	int n_tc = sf_tclink_list(pin_dir, tc, sizeof(tc) / sizeof(tc[0]));

	sf_metrics_family(f, "smtpfence_link_attached", "gauge",
			  "1 when the link is pinned and attached (tc: its interface exists).");
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		fprintf(f, "smtpfence_link_attached{link=\"%s\"} %d\n", links[i].link,
			link_pinned(pin_dir, links[i].pin));
	for (int i = 0; i < n_tc; i++)
		fprintf(f, "smtpfence_link_attached{link=\"tc:%s\"} %d\n", tc[i].ifname,
			tc[i].ifindex != 0);
}

int sf_metrics_render(const struct sf_metrics *m, char **text, size_t *len)
{
	struct sf_flow_table ft = {};
	struct sf_totals t;
	size_t n_kind[SF_RULE_KINDS], n_rules = 0;
	FILE *f;
	int err;

	*text = NULL;
	err = sf_tenants_load_rules(m->tenants, m->maps->rules, n_kind);
	if (!err)
		err = sf_flows_read(m->maps->flows, &ft);
	if (!err)
		err = sf_totals_read(m->maps->totals, &t);
	if (err) {
		sf_flow_table_free(&ft);
		return err;
	}
	f = open_memstream(text, len);
	if (!f) {
		sf_flow_table_free(&ft);
		return -errno;
	}
	err = per_tenant(f, m, &ft);
	host_totals(f, &t);
	for (size_t k = 0; k < SF_RULE_KINDS; k++)
		n_rules += n_kind[k];
	rules_per_kind(f, n_kind);
	map_fill(f, m, n_rules, ft.n);
	prog_stats(f, m->pin_dir);
	links_attached(f, m->pin_dir);
	build_info(f);
	if (m->extra)
		m->extra(f, m->extra_arg);
	if (fclose(f) && !err)
		err = -errno;
	sf_flow_table_free(&ft);
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}
