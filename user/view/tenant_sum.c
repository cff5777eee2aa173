// SPDX-License-Identifier: GPL-2.0-only
#include "view/tenant_sum.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Flows are grouped in one pass through an open-addressed table keyed by
 * the interned tenant name and the port: sorting 100,000 flows first was a
 * third of a top refresh. */
struct group_slot {
	const char *tenant; /* interned by sf_tenants: equal names, equal pointers */
	__u16 port;
	size_t index; /* into the sums */
};

static size_t group_hash(const char *tenant, __u16 port, size_t mask)
{
	__u64 h = ((__u64)(uintptr_t)tenant ^ port) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & mask;
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
	size_t cap = 16, n = 0;
	struct group_slot *slots;
	struct sf_tenant_sum *v;

	memset(out, 0, sizeof(*out));
	while (cap < 2 * ft->n)
		cap *= 2; /* at most half full */
	slots = calloc(cap, sizeof(*slots));
	v = calloc(ft->n + 1, sizeof(*v));
	if (!slots || !v) {
		free(slots);
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ft->n; i++) {
		const struct sf_flow_key *k = &ft->v[i].key;
		const char *tenant = sf_tenants_of(t, by, k->cgroup_id, k->uid);
		__u16 port = per_port ? ntohs(k->dport) : 0;
		size_t h = group_hash(tenant, port, cap - 1);

		while (slots[h].tenant && (slots[h].tenant != tenant || slots[h].port != port))
			h = (h + 1) & (cap - 1);
		if (!slots[h].tenant) {
			v[n].tenant = strdup(tenant);
			v[n].port = port;
			if (!v[n].tenant) {
				out->v = v;
				out->n = n;
				sf_tenant_set_free(out);
				free(slots);
				return -ENOMEM;
			}
			slots[h] =
				(struct group_slot){.tenant = tenant, .port = port, .index = n++};
		}
		add_flow(&v[slots[h].index], &ft->v[i]);
	}
	free(slots);
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
