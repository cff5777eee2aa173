/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-tenant sums of the flow counters (top, metrics). */
#ifndef SF_TENANT_SUM_H
#define SF_TENANT_SUM_H

#include "view/flows.h"
#include "view/tenants.h"

struct sf_tenant_sum {
	char *tenant;
	__u16 port; /* host order; 0 when summed over every port */
	struct sf_counters c;
	__u64 first_ns, last_ns;
	struct sf_flow_key last; /* the flow seen most recently */
	__u32 last_pid;		 /* the latest process seen at connect (0: none) */
	char last_comm[SF_COMM_LEN + 1];
	__u64 proc_ns; /* when that process was seen */
	size_t n_flows;
};

struct sf_tenant_set {
	struct sf_tenant_sum *v; /* sorted by tenant, then port */
	size_t n;
};

/* Sums the flows per tenant (and per destination port if per_port). */
int sf_tenant_sum(struct sf_tenants *t, const struct sf_flow_table *ft, enum sf_group_by by,
		  bool per_port, struct sf_tenant_set *out);
void sf_tenant_set_free(struct sf_tenant_set *s);
const struct sf_tenant_sum *sf_tenant_set_find(const struct sf_tenant_set *s, const char *tenant,
					       __u16 port);

#endif /* SF_TENANT_SUM_H */
