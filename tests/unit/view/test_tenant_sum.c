// SPDX-License-Identifier: GPL-2.0-only
/* Per-tenant sums of flows (top, metrics): every flow lands in exactly one
 * sum, per tenant or per tenant and port, with the counters added up and
 * the latest flow kept; many flows of many tenants, in any order. */
#include "view/tenant_sum.h"
#include "suite.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

static struct sf_flow_entry flow(__u32 uid, __u16 port, __u64 attempts, __u64 denied, __u64 last)
{
	struct sf_flow_entry f = {
		.key = {.uid = uid, .dport = htons(port), .family = 2},
		.val = {.c = {.attempts = attempts, .denied = denied, .allowed = attempts - denied},
			.first_ns = last - 1,
			.last_ns = last,
			.last_pid = (__u32)last}};

	return f;
}

static struct sf_tenants *tenants(void)
{
	struct sf_tenants *t = sf_tenants_new("/sys/fs/cgroup");

	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(sums_per_user_and_per_port)
{
	struct sf_flow_entry v[] = {flow(0, 25, 3, 1, 10), flow(65534, 25, 2, 2, 20),
				    flow(0, 587, 4, 0, 30), flow(0, 25, 1, 0, 5)};
	struct sf_flow_table ft = {.v = v, .n = 4};
	struct sf_tenants *t = tenants();
	struct sf_tenant_set s;
	const struct sf_tenant_sum *root, *nobody;

	ck_assert_int_eq(sf_tenant_sum(t, &ft, SF_BY_USER, false, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	root = sf_tenant_set_find(&s, "user:root", 0);
	nobody = sf_tenant_set_find(&s, "user:nobody", 0);
	ck_assert_ptr_nonnull(root);
	ck_assert_ptr_nonnull(nobody);
	ck_assert_uint_eq(root->c.attempts, 8);
	ck_assert_uint_eq(root->c.denied, 1);
	ck_assert_uint_eq(root->n_flows, 3);
	ck_assert_uint_eq(root->last_ns, 30); /* the latest flow: port 587 */
	ck_assert_uint_eq(ntohs(root->last.dport), 587);
	ck_assert_uint_eq(root->first_ns, 4);
	ck_assert_uint_eq(nobody->c.denied, 2);
	sf_tenant_set_free(&s);

	ck_assert_int_eq(sf_tenant_sum(t, &ft, SF_BY_USER, true, &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(sf_tenant_set_find(&s, "user:root", 25)->c.attempts, 4);
	ck_assert_uint_eq(sf_tenant_set_find(&s, "user:root", 587)->c.attempts, 4);
	ck_assert_ptr_null(sf_tenant_set_find(&s, "user:nobody", 587));
	sf_tenant_set_free(&s);
	sf_tenants_free(t);
}
END_TEST

/* 50,000 flows of 5,000 users in a scrambled order: 5,000 sums, sorted,
 * each holding its ten flows and nothing else. */
START_TEST(many_flows_many_tenants)
{
	const size_t n = 50000, users = 5000;
	struct sf_flow_entry *v = calloc(n, sizeof(*v));
	struct sf_flow_table ft = {.v = v, .n = n};
	struct sf_tenants *t = tenants();
	struct sf_tenant_set s;
	__u64 total = 0;

	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < n; i++) {
		size_t j = (i * 7919) % n; /* a permutation: 7919 is prime to n */

		v[j] = flow(100000 + (__u32)(i % users), 25, i % users + 1, 0, i + 1);
	}
	ck_assert_int_eq(sf_tenant_sum(t, &ft, SF_BY_USER, false, &s), 0);
	ck_assert_uint_eq(s.n, users);
	for (size_t i = 0; i < s.n; i++) {
		unsigned uid = (unsigned)strtoul(s.v[i].tenant + 5, NULL, 10);

		ck_assert_uint_eq(s.v[i].n_flows, n / users);
		ck_assert_uint_eq(s.v[i].c.attempts, (uid - 100000 + 1) * (n / users));
		if (i)
			ck_assert_str_lt(s.v[i - 1].tenant, s.v[i].tenant);
		total += s.v[i].c.attempts;
	}
	ck_assert_uint_eq(total, (__u64)(n / users) * users * (users + 1) / 2);
	sf_tenant_set_free(&s);
	sf_tenants_free(t);
	free(v);
}
END_TEST

int main(void)
{
	return sft_run_tests(
		"tenant_sum", NULL, NULL,
		(const TTest *const[]){sums_per_user_and_per_port, many_flows_many_tenants, NULL});
}
