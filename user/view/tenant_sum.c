// SPDX-License-Identifier: GPL-2.0-only
#include "view/tenant_sum.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct tagged {
	const char *tenant; /* interned by sf_tenants: equal names, equal pointers */
	__u16 port;
	const struct sf_flow_entry *f;
};

/* Pointer order first: cheap, and groups equal tenants together. */
static int cmp_tagged(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;

	if (x->tenant != y->tenant)
		return x->tenant < y->tenant ? -1 : 1;
	return (int)x->port - (int)y->port;
}

static int cmp_sum(const void *a, const void *b)
{
	const struct sf_tenant_sum *x = a, *y = b;
	int c = strcmp(x->tenant, y->tenant);

	return c ? c : (int)x->port - (int)y->port;
}

static void merge_into(struct sf_tenant_sum *dst, const struct sf_tenant_sum *src)
{
	dst->c.attempts += src->c.attempts;
	dst->c.allowed += src->c.allowed;
	dst->c.denied += src->c.denied;
	dst->c.limited += src->c.limited;
	dst->c.redirected += src->c.redirected;
	dst->c.bypass += src->c.bypass;
	if (!dst->n_flows || src->first_ns < dst->first_ns)
		dst->first_ns = src->first_ns;
	if (!dst->n_flows || src->last_ns > dst->last_ns) {
		dst->last_ns = src->last_ns;
		dst->last = src->last;
	}
	if (src->last_pid && (!dst->last_pid || src->proc_ns > dst->proc_ns)) {
		dst->last_pid = src->last_pid;
		dst->proc_ns = src->proc_ns;
		memcpy(dst->last_comm, src->last_comm, sizeof(dst->last_comm));
	}
	dst->n_flows += src->n_flows;
}

/* Two cgroup ids may carry one name (a cgroup removed and created again
 * while the name table was being read): one row per name. */
static size_t merge_equal(struct sf_tenant_sum *v, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (out && !cmp_sum(&v[out - 1], &v[i])) {
			merge_into(&v[out - 1], &v[i]);
			free(v[i].tenant);
			continue;
		}
		v[out++] = v[i];
	}
	return out;
}

static void add_flow(struct sf_tenant_sum *s, const struct sf_flow_entry *f)
{
	struct sf_tenant_sum one = {.c = f->val.c,
				    .first_ns = f->val.first_ns,
				    .last_ns = f->val.last_ns,
				    .last = f->key,
				    .last_pid = f->val.last_pid,
				    .proc_ns = f->val.last_ns,
				    .n_flows = 1};

	memcpy(one.last_comm, f->val.last_comm, SF_COMM_LEN);
	merge_into(s, &one);
}

int sf_tenant_sum(struct sf_tenants *t, const struct sf_flow_table *ft, enum sf_group_by by,
		  bool per_port, struct sf_tenant_set *out)
{
	struct tagged *tags = calloc(ft->n + 1, sizeof(*tags));
	struct sf_tenant_sum *v = calloc(ft->n + 1, sizeof(*v));
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (!tags || !v) {
		free(tags);
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ft->n; i++) {
		const struct sf_flow_key *k = &ft->v[i].key;

		tags[i].tenant = sf_tenants_of(t, by, k->cgroup_id, k->uid);
		tags[i].port = per_port ? ntohs(k->dport) : 0;
		tags[i].f = &ft->v[i];
	}
	qsort(tags, ft->n, sizeof(*tags), cmp_tagged);
	for (size_t i = 0; i < ft->n; i++) {
		if (!n || cmp_tagged(&tags[i - 1], &tags[i])) {
			v[n].tenant = strdup(tags[i].tenant);
			v[n].port = tags[i].port;
			if (!v[n].tenant) {
				out->v = v;
				out->n = n;
				sf_tenant_set_free(out);
				free(tags);
				return -ENOMEM;
			}
			n++;
		}
		add_flow(&v[n - 1], tags[i].f);
	}
	free(tags);
	qsort(v, n, sizeof(*v), cmp_sum);
	out->v = v;
	out->n = merge_equal(v, n);
	return 0;
}

void sf_tenant_set_free(struct sf_tenant_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].tenant);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

const struct sf_tenant_sum *sf_tenant_set_find(const struct sf_tenant_set *s, const char *tenant,
					       __u16 port)
{
	struct sf_tenant_sum key = {.tenant = (char *)tenant, .port = port};

	return bsearch(&key, s->v, s->n, sizeof(*s->v), cmp_sum);
}
