// SPDX-License-Identifier: GPL-2.0-only
/* flows: the per-flow counters (cgroup, user, destination, port), sorted
 * and filtered, as a table or a JSON array. */
#include "util/cgroupfs.h"
#include "cli/commands.h"
#include "policy/config.h"
#include "view/flow_filter.h"
#include "view/flows.h"
#include "util/clock.h"
#include "util/json_out.h"
#include "view/mail_counts.h"
#include "util/log.h"
#include "policy/parse.h"
#include "kernel/pins.h"
#include "view/tenants.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sort_key { SORT_ATTEMPTS, SORT_DENIED, SORT_LIMITED, SORT_LAST };

static const char *const sort_names[] = {"attempts", "denied", "limited", "last", NULL};

struct flows_opts {
	int sort; /* enum sort_key */
	const char *target;
	uint64_t limit; /* rows; 0: all */
};

struct row {
	const struct sf_flow_entry *f;
	const char *cgroup;
};

static __u64 sort_value(const struct row *r, enum sort_key k)
{
	const struct sf_flow *v = &r->f->val;

	switch (k) {
	case SORT_DENIED:
		return v->c.denied;
	case SORT_LIMITED:
		return v->c.limited;
	case SORT_LAST:
		return v->last_ns;
	default:
		return v->c.attempts;
	}
}

/* Largest first; ties by most recent, then by cgroup for a stable order. */
static int cmp_rows(const void *a, const void *b, void *sort)
{
	const struct row *x = a, *y = b;
	enum sort_key k = *(const enum sort_key *)sort;
	__u64 vx = sort_value(x, k), vy = sort_value(y, k);

	if (vx != vy)
		return vx > vy ? -1 : 1;
	if (x->f->val.last_ns != y->f->val.last_ns)
		return x->f->val.last_ns > y->f->val.last_ns ? -1 : 1;
	return strcmp(x->cgroup, y->cgroup);
}

/* A redirected flow's mail, as the policy service counted it. */
static void add_mail(json_object *o, const struct sf_mail_count *c)
{
	json_object_object_add(o, "messages", json_object_new_uint64(c ? c->messages : 0));
	json_object_object_add(o, "recipients", json_object_new_uint64(c ? c->recipients : 0));
	json_object_object_add(o, "deferred_messages",
			       json_object_new_uint64(c ? c->deferred_messages : 0));
	json_object_object_add(o, "deferred_recipients",
			       json_object_new_uint64(c ? c->deferred_recipients : 0));
}

static json_object *row_json(struct sf_tenants *t, const struct row *r,
			     const struct sf_mail_counts *mc)
{
	const struct sf_flow_key *k = &r->f->key;
	const struct sf_flow *v = &r->f->val;
	json_object *o = json_object_new_object();
	char addr[INET6_ADDRSTRLEN] = "?", first[40], last[40];

	inet_ntop(k->family == 2 ? AF_INET : AF_INET6, k->daddr, addr, sizeof(addr));
	sf_format_rfc3339(v->first_ns, first, sizeof(first));
	sf_format_rfc3339(v->last_ns, last, sizeof(last));
	json_object_object_add(o, "cgroup", json_object_new_string(r->cgroup));
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(k->cgroup_id));
	json_object_object_add(
		o, "tenant",
		json_object_new_string(sf_tenants_of(t, SF_BY_TENANT, k->cgroup_id, k->uid)));
	json_object_object_add(o, "uid", json_object_new_int64(k->uid));
	json_object_object_add(o, "user", json_object_new_string(sf_tenants_user(t, k->uid)));
	json_object_object_add(o, "family",
			       json_object_new_string(k->family == 2 ? "ipv4" : "ipv6"));
	json_object_object_add(o, "daddr", json_object_new_string(addr));
	json_object_object_add(o, "dport", json_object_new_int(ntohs(k->dport)));
	json_object_object_add(o, "attempts", json_object_new_uint64(v->c.attempts));
	json_object_object_add(o, "allowed", json_object_new_uint64(v->c.allowed));
	json_object_object_add(o, "denied", json_object_new_uint64(v->c.denied));
	json_object_object_add(o, "limited", json_object_new_uint64(v->c.limited));
	json_object_object_add(o, "bypass", json_object_new_uint64(v->c.bypass));
	json_object_object_add(o, "redirected", json_object_new_uint64(v->c.redirected));
	add_mail(o, sf_mail_counts_flow(mc, k));
	json_object_object_add(o, "first_seen", json_object_new_string(first));
	json_object_object_add(o, "last_seen", json_object_new_string(last));
	if (v->last_pid) {
		char comm[SF_COMM_LEN + 1] = "";

		memcpy(comm, v->last_comm, SF_COMM_LEN);
		json_object_object_add(o, "last_pid", json_object_new_int64(v->last_pid));
		json_object_object_add(o, "last_comm", json_object_new_string(comm));
	}
	return o;
}

static void print_table(struct sf_tenants *t, const struct row *rows, size_t n)
{
	int wc = 6, wd = 11;

	for (size_t i = 0; i < n; i++) {
		int len = (int)strlen(rows[i].cgroup);

		wc = len > wc ? (len < 120 ? len : 120) : wc;
		wd = rows[i].f->key.family == 10 ? 39 : wd < 15 ? 15 : wd;
	}
	printf("%-*s %-12s %-*s %5s %9s %9s %9s %9s %10s %-8s %-8s\n", wc, "CGROUP", "USER", wd,
	       "DESTINATION", "PORT", "ATTEMPTS", "ALLOWED", "DENIED", "LIMITED", "REDIRECTED",
	       "FIRST", "LAST");
	for (size_t i = 0; i < n; i++) {
		const struct sf_flow_key *k = &rows[i].f->key;
		const struct sf_flow *v = &rows[i].f->val;
		char addr[INET6_ADDRSTRLEN] = "?", first[16], last[16];

		inet_ntop(k->family == 2 ? AF_INET : AF_INET6, k->daddr, addr, sizeof(addr));
		sf_format_clock(v->first_ns, first, sizeof(first));
		sf_format_clock(v->last_ns, last, sizeof(last));
		printf("%-*s %-12s %-*s %5u %9llu %9llu %9llu %9llu %10llu %-8s %-8s\n", wc,
		       rows[i].cgroup, sf_tenants_user(t, k->uid), wd, addr, ntohs(k->dport),
		       (unsigned long long)v->c.attempts, (unsigned long long)v->c.allowed,
		       (unsigned long long)v->c.denied, (unsigned long long)v->c.limited,
		       (unsigned long long)v->c.redirected, first, last);
	}
}

/* A unit target is found where the policy finds it: by its units_root. */
static int flow_filter(const struct sf_ctx *ctx, const char *target, const char *mount,
		       struct sf_flow_filter *f, char *err, size_t errlen)
{
	static struct sf_policy p; /* large: keep it off the stack */
	struct sf_diag d = {};
	int ret;

	sf_config_load(ctx->config, ctx->config_explicit, &p, &d);
	ret = sf_flow_filter_parse(target, mount, p.units_root_set ? p.units_root : "", f, err,
				   errlen);
	sf_policy_free(&p);
	sf_diag_free(&d);
	return ret;
}

static int flows(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	const struct flows_opts *o = opts;
	struct sf_flow_filter filter;
	struct sf_flow_table ft = {};
	struct sf_tenants *t = NULL;
	struct sf_maps m;
	struct row *rows = NULL;
	char err_msg[SF_ERR_LEN];
	size_t n = 0;
	int err, code = SF_EXIT_OK;

	(void)argc, (void)argv;
	err = sf_tenants_open(ctx, &m, &t);
	if (err)
		return err;
	if (o->target &&
	    flow_filter(ctx, o->target, sf_tenants_mount(t), &filter, err_msg, sizeof(err_msg))) {
		sf_err("%s", err_msg);
		code = SF_EXIT_USAGE;
		goto out;
	}
	err = sf_tenants_load_rules(t, m.rules, m.gen, NULL);
	if (!err)
		err = sf_flows_read(m.flows, &ft);
	if (err) {
		sf_err("failed to read the flow table: %s", strerror(-err));
		goto out;
	}
	rows = calloc(ft.n + 1, sizeof(*rows));
	if (!rows) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < ft.n; i++) {
		const char *cg = sf_tenants_cgroup(t, ft.v[i].key.cgroup_id);

		if (o->target && !sf_flow_filter_match(&filter, &ft.v[i].key, cg))
			continue;
		rows[n++] = (struct row){.f = &ft.v[i], .cgroup = cg};
	}
	qsort_r(rows, n, sizeof(*rows), cmp_rows, &(enum sort_key){(enum sort_key)o->sort});
	if (o->limit && n > o->limit)
		n = (size_t)o->limit;
	if (ctx->json) {
		json_object *arr = json_object_new_array();
		struct sf_mail_counts mc;

		/* unreadable (not root): no mail counted, the flows still show */
		if (sf_mail_counts_read(ctx->run_dir, &mc))
			memset(&mc, 0, sizeof(mc));
		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, row_json(t, &rows[i], &mc));
		sf_mail_counts_free(&mc);
		sf_json_print(arr);
	} else {
		print_table(t, rows, n);
	}
out:
	free(rows);
	sf_flow_table_free(&ft);
	sf_tenants_free(t);
	sf_maps_close(&m);
	return err ? SF_EXIT_FAIL : code;
}

#define O(field) SF_OPT_AT(struct flows_opts, field)

static const struct sf_option options[] = {
	{.name = "sort",
	 .type = SF_OPT_ENUM,
	 .arg = "COLUMN",
	 .choices = sort_names,
	 .offset = O(sort),
	 .what = "sort column",
	 .help = "largest first by this column (default attempts)"},
	{.name = "target",
	 .type = SF_OPT_STRING,
	 .arg = "TARGET",
	 .offset = O(target),
	 .help = "only flows of this target"},
	{.name = "limit",
	 .type = SF_OPT_UINT,
	 .arg = "N",
	 .offset = O(limit),
	 .what = "limit",
	 .min = 1,
	 .max = UINT32_MAX,
	 .help = "at most N rows"},
	{NULL},
};

const struct sf_command sf_cmd_flows = {
	.name = "flows",
	.summary = "per-flow counters, sorted, filtered",
	.json = true,
	.needs_root = true,
	.options = options,
	.opts_size = sizeof(struct flows_opts),
	.run = flows,
};
