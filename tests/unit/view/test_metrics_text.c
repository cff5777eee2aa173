// SPDX-License-Identifier: GPL-2.0-only
/* The Prometheus text: the top N tenants labelled and the rest summed per
 * port as tenant="other", label values escaped, host totals and rules. */
#include "view/metrics_text.h"
#include "suite.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *text;

static void teardown(void)
{
	free(text);
	text = NULL;
}

static struct sf_tenant_sum sum(const char *tenant, __u16 port, __u64 attempts, __u64 denied)
{
	return (struct sf_tenant_sum){
		.tenant = (char *)tenant,
		.port = port,
		.c = {.attempts = attempts, .denied = denied, .allowed = attempts - denied}};
}

static void render_tenants(struct sf_tenant_sum *v, size_t n, unsigned int top)
{
	struct sf_tenant_set s = {.v = v, .n = n};
	size_t len;
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_eq(sf_metrics_tenants(f, &s, top), 0);
	fclose(f);
}

static void has(const char *line)
{
	ck_assert_msg(strstr(text, line), "no '%s' in:\n%s", line, text);
}

START_TEST(top_tenants_and_the_rest)
{
	/* sorted by tenant, then port: b has 7 attempts, a 5, c 1 */
	struct sf_tenant_sum v[] = {sum("a", 25, 5, 5), sum("b", 25, 3, 0), sum("b", 587, 4, 1),
				    sum("c", 25, 1, 1)};

	render_tenants(v, 4, 1);
	has("# HELP smtpfence_attempts_total Connects to a watched port, per tenant and port.\n"
	    "# TYPE smtpfence_attempts_total counter\n");
	has("\nsmtpfence_attempts_total{tenant=\"b\",port=\"25\"} 3\n");
	has("\nsmtpfence_attempts_total{tenant=\"b\",port=\"587\"} 4\n");
	has("\nsmtpfence_attempts_total{tenant=\"other\",port=\"25\"} 6\n");
	has("\nsmtpfence_denied_total{tenant=\"other\",port=\"25\"} 6\n");
	has("\nsmtpfence_allowed_total{tenant=\"b\",port=\"587\"} 3\n");
	ck_assert_ptr_null(strstr(text, "tenant=\"a\""));
	ck_assert_ptr_null(strstr(text, "tenant=\"other\",port=\"587\""));
	has("\nsmtpfence_tenants 3\n");
	has("\nsmtpfence_tenants_labelled 1\n");
}
END_TEST

START_TEST(everyone_labelled_and_escaped)
{
	struct sf_tenant_sum v[] = {sum("cgroup:/t/we\"ird\\x\ny", 25, 2, 0)};

	render_tenants(v, 1, 10);
	has("smtpfence_attempts_total{tenant=\"cgroup:/t/we\\\"ird\\\\x\\ny\",port=\"25\"} 2\n");
	ck_assert_ptr_null(strstr(text, "\"other\""));
	has("\nsmtpfence_tenants_labelled 1\n");
}
END_TEST

START_TEST(users_beside_tenants)
{
	/* one shared service: every user under one tenant, the users apart */
	struct sf_tenant_sum v[] = {sum("user:alice", 25, 9, 9), sum("user:bob", 25, 2, 0),
				    sum("user:carol", 587, 1, 0)};
	struct sf_tenant_set s = {.v = v, .n = 3};
	size_t len;
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_eq(sf_metrics_users(f, &s, 2), 0);
	fclose(f);
	has("# HELP smtpfence_user_attempts_total Connects to a watched port, per user and port.\n"
	    "# TYPE smtpfence_user_attempts_total counter\n");
	has("\nsmtpfence_user_attempts_total{user=\"alice\",port=\"25\"} 9\n");
	has("\nsmtpfence_user_denied_total{user=\"alice\",port=\"25\"} 9\n");
	has("\nsmtpfence_user_attempts_total{user=\"bob\",port=\"25\"} 2\n");
	/* the same cap: the third is "other" */
	has("\nsmtpfence_user_attempts_total{user=\"other\",port=\"587\"} 1\n");
	ck_assert_ptr_null(strstr(text, "carol"));
	ck_assert_ptr_null(strstr(text, "tenant="));
	has("\nsmtpfence_users 3\n");
	has("\nsmtpfence_users_labelled 2\n");
}
END_TEST

START_TEST(host_totals_and_rules)
{
	struct sf_totals t = {
		.c = {.attempts = 9, .allowed = 2, .denied = 7}, .events_lost = 3, .flows_lost = 1};
	size_t n[SF_RULE_KINDS] = {[SF_KIND_DEFAULT] = 1, [SF_KIND_EXEMPT] = 4, [SF_KIND_UID] = 2};
	size_t len;
	FILE *f = open_memstream(&text, &len);

	sf_metrics_totals(f, &t);
	sf_metrics_rules(f, n);
	fclose(f);
	has("# TYPE smtpfence_host_denied_total counter\nsmtpfence_host_denied_total 7\n");
	has("\nsmtpfence_host_attempts_total 9\n");
	has("\nsmtpfence_events_lost_total 3\n");
	has("\nsmtpfence_flows_lost_total 1\n");
	has("\nsmtpfence_rules{kind=\"uid\"} 2\n");
	has("\nsmtpfence_rules{kind=\"default\"} 1\n");
	has("\nsmtpfence_rules{kind=\"gid\"} 0\n");
	ck_assert_ptr_null(strstr(text, "kind=\"exempt\""));
}
END_TEST

int main(void)
{
	return sft_run_tests(
		"metrics_text", NULL, teardown,
		(const TTest *const[]){top_tenants_and_the_rest, everyone_labelled_and_escaped,
				       users_beside_tenants, host_totals_and_rules, NULL});
}
