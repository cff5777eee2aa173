// SPDX-License-Identifier: GPL-2.0-only
/* Alert windows: a tenant's denied (limited) connects within 60 s reach
 * the threshold and fire once for that window; other tenants, other
 * verdicts and a later window count apart. */
#include "daemon/alerts.h"
#include "suite.h"
#include "unit.h"

#include <check.h>
#include <string.h>

#define S 1000000000ULL

static struct sf_event_log *l;
static struct sf_alerts *a;
static int saved_stderr;

static void setup(void)
{
	saved_stderr = sft_stderr_begin();
	l = sf_event_log_new(0);
	a = sf_alerts_new(l);
	ck_assert_ptr_nonnull(a);
}

static void teardown(void)
{
	sf_alerts_free(a);
	sf_event_log_free(l);
	sft_stderr_end(saved_stderr);
}

static void event(const char *tenant, __u32 verdict, __u64 ts_s)
{
	struct sf_event_record r = {};

	r.e.ts_ns = ts_s * S;
	r.e.verdict = verdict;
	snprintf(r.tenant, sizeof(r.tenant), "%s", tenant);
	sf_alerts_event(a, &r);
}

START_TEST(fires_once_a_window)
{
	sf_alerts_configure(a, 3, 0, "");
	event("acme", SF_VERDICT_DENIED, 100);
	event("acme", SF_VERDICT_DENIED, 110);
	ck_assert_uint_eq(sf_alerts_fired(a), 0);
	event("acme", SF_VERDICT_DENIED, 120);
	ck_assert_uint_eq(sf_alerts_fired(a), 1);
	event("acme", SF_VERDICT_DENIED, 121);
	event("acme", SF_VERDICT_DENIED, 159);
	ck_assert_uint_eq(sf_alerts_fired(a), 1);
	/* 60 s after the window opened, a new one opens and counts anew */
	event("acme", SF_VERDICT_DENIED, 160);
	event("acme", SF_VERDICT_DENIED, 161);
	ck_assert_uint_eq(sf_alerts_fired(a), 1);
	event("acme", SF_VERDICT_DENIED, 162);
	ck_assert_uint_eq(sf_alerts_fired(a), 2);
}
END_TEST

START_TEST(tenants_and_verdicts_count_apart)
{
	sf_alerts_configure(a, 2, 3, "");
	event("acme", SF_VERDICT_DENIED, 100);
	event("other", SF_VERDICT_DENIED, 100);
	event("acme", SF_VERDICT_LIMITED, 101);
	event("acme", SF_VERDICT_LOGGED, 101);
	event("acme", SF_VERDICT_ALLOWED, 101);
	ck_assert_uint_eq(sf_alerts_fired(a), 0);
	event("acme", SF_VERDICT_DENIED, 102);
	ck_assert_uint_eq(sf_alerts_fired(a), 1);
	event("acme", SF_VERDICT_LIMITED, 103);
	ck_assert_uint_eq(sf_alerts_fired(a), 1);
	event("acme", SF_VERDICT_LIMITED, 104);
	ck_assert_uint_eq(sf_alerts_fired(a), 2);
	event("other", SF_VERDICT_DENIED, 105);
	ck_assert_uint_eq(sf_alerts_fired(a), 3);
}
END_TEST

START_TEST(a_threshold_of_zero_is_off)
{
	sf_alerts_configure(a, 0, 1, "");
	for (int i = 0; i < 10; i++)
		event("acme", SF_VERDICT_DENIED, 100 + (unsigned int)i);
	ck_assert_uint_eq(sf_alerts_fired(a), 0);
	event("acme", SF_VERDICT_LIMITED, 111);
	ck_assert_uint_eq(sf_alerts_fired(a), 1);
}
END_TEST

START_TEST(tick_forgets_closed_windows)
{
	sf_alerts_configure(a, 2, 0, "");
	event("acme", SF_VERDICT_DENIED, 100);
	sf_alerts_tick(a, 200 * S); /* the window is over and forgotten */
	event("acme", SF_VERDICT_DENIED, 201);
	ck_assert_uint_eq(sf_alerts_fired(a), 0);
	event("acme", SF_VERDICT_DENIED, 202);
	ck_assert_uint_eq(sf_alerts_fired(a), 1);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("alerts");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fires_once_a_window);
	tcase_add_test(tc, tenants_and_verdicts_count_apart);
	tcase_add_test(tc, a_threshold_of_zero_is_off);
	tcase_add_test(tc, tick_forgets_closed_windows);
	return sft_run_tcase("alerts", tc);
}
