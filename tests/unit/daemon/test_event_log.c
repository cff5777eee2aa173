// SPDX-License-Identifier: GPL-2.0-only
/* The event log's folding: the first of a flood of identical events is
 * logged, the rest counted and logged as one "suppressed N" record when
 * the window closes; other flows, and window 0, log every event. */
#include "daemon/event_log.h"
#include "suite.h"
#include "unit.h"

#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#define S 1000000000ULL

static struct sf_event_log *l;
static int saved_stderr;

/* Records go to stderr when there is no journal: keep them for a look. */
static void setup(void)
{
	saved_stderr = sft_stderr_begin();
}

static void teardown(void)
{
	sf_event_log_free(l);
	sft_stderr_end(saved_stderr);
}

static void event(__u64 ts_s, __u32 uid, __u16 port)
{
	struct sf_event_record r = {};

	r.e.ts_ns = ts_s * S;
	r.e.uid = uid;
	r.e.cgroup_id = 7;
	r.e.verdict = SF_VERDICT_DENIED;
	r.e.family = 2;
	r.e.dport = htons(port);
	snprintf(r.tenant, sizeof(r.tenant), "user:%u", uid);
	sf_event_log_event(l, &r);
}

static void expect(__u64 logged, __u64 suppressed)
{
	struct sf_event_log_stats st;

	sf_event_log_stats(l, &st);
	ck_assert_uint_eq(st.logged, logged);
	ck_assert_uint_eq(st.suppressed, suppressed);
}

START_TEST(window_zero_logs_each)
{
	l = sf_event_log_new(0);
	for (int i = 0; i < 5; i++)
		event(100 + (unsigned int)i, 1000, 25);
	expect(5, 0);
}
END_TEST

START_TEST(a_flood_is_folded_until_the_window_closes)
{
	l = sf_event_log_new(10);
	for (int i = 0; i < 5; i++)
		event(100 + (unsigned int)i, 1000, 25);
	expect(1, 0);
	sf_event_log_flush(l, 105 * S, false); /* still open */
	expect(1, 0);
	sf_event_log_flush(l, 110 * S, false);
	expect(1, 4);
	event(111, 1000, 25); /* a new window */
	expect(2, 4);
}
END_TEST

START_TEST(the_next_event_after_the_window_closes_it)
{
	l = sf_event_log_new(10);
	event(100, 1000, 25);
	event(101, 1000, 25);
	event(99, 1000, 25); /* another CPU's earlier stamp: same window */
	expect(1, 0);
	event(130, 1000, 25); /* no flush in between */
	expect(2, 2);
}
END_TEST

START_TEST(other_flows_are_not_folded)
{
	l = sf_event_log_new(10);
	event(100, 1000, 25);
	event(100, 1001, 25);
	event(100, 1000, 587);
	event(101, 1000, 587);
	expect(3, 0);
	sf_event_log_flush(l, 0, true);
	expect(3, 1);
}
END_TEST

START_TEST(a_new_window_length_flushes)
{
	l = sf_event_log_new(60);
	event(100, 1000, 25);
	event(101, 1000, 25);
	sf_event_log_set_window(l, 60); /* unchanged: nothing happens */
	expect(1, 0);
	sf_event_log_set_window(l, 0);
	expect(1, 1);
	event(102, 1000, 25);
	expect(2, 1);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("event_log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, window_zero_logs_each);
	tcase_add_test(tc, a_flood_is_folded_until_the_window_closes);
	tcase_add_test(tc, the_next_event_after_the_window_closes_it);
	tcase_add_test(tc, other_flows_are_not_folded);
	tcase_add_test(tc, a_new_window_length_flushes);
	return sft_run_tcase("event_log", tc);
}
