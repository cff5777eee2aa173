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

enum op { EVENT, FLUSH, FLUSH_ALL, WINDOW };

/* One step and the log's figures after it. */
struct step {
	enum op op;
	__u64 s; /* EVENT, FLUSH: the time; WINDOW: its length */
	__u32 uid;
	__u16 port;
	__u64 logged, suppressed;
};

static void play(unsigned int window_s, const struct step *st, size_t n)
{
	struct sf_event_log_stats got;

	l = sf_event_log_new(window_s);
	ck_assert_ptr_nonnull(l);
	for (size_t i = 0; i < n; i++) {
		struct sf_event_record r = {};

		r.e.ts_ns = st[i].s * S;
		r.e.uid = st[i].uid;
		r.e.cgroup_id = 7;
		r.e.verdict = SF_VERDICT_DENIED;
		r.e.family = 2;
		r.e.dport = htons(st[i].port);
		if (st[i].op == EVENT)
			sf_event_log_event(l, &r);
		else if (st[i].op == WINDOW)
			sf_event_log_set_window(l, (unsigned int)st[i].s);
		else
			sf_event_log_flush(l, r.e.ts_ns, st[i].op == FLUSH_ALL);
		sf_event_log_stats(l, &got);
		ck_assert_msg(got.logged == st[i].logged && got.suppressed == st[i].suppressed,
			      "step %zu: logged %llu suppressed %llu, want %llu %llu", i,
			      (unsigned long long)got.logged, (unsigned long long)got.suppressed,
			      (unsigned long long)st[i].logged, (unsigned long long)st[i].suppressed);
	}
}

#define PLAY(window, ...)                                                                          \
	do {                                                                                       \
		const struct step st[] = {__VA_ARGS__};                                            \
		play(window, st, sizeof(st) / sizeof(st[0]));                                      \
	} while (0)

START_TEST(window_zero_logs_each)
{
	PLAY(0, {EVENT, 100, 1000, 25, 1, 0}, {EVENT, 101, 1000, 25, 2, 0},
	     {EVENT, 102, 1000, 25, 3, 0});
}
END_TEST

START_TEST(a_flood_is_folded_until_the_window_closes)
{
	PLAY(10, {EVENT, 100, 1000, 25, 1, 0}, {EVENT, 101, 1000, 25, 1, 0},
	     {EVENT, 102, 1000, 25, 1, 0}, {EVENT, 104, 1000, 25, 1, 0},
	     {FLUSH, 105, 0, 0, 1, 0}, /* still open */
	     {FLUSH, 110, 0, 0, 1, 3}, {EVENT, 111, 1000, 25, 2, 3} /* a new window */);
}
END_TEST

START_TEST(the_next_event_after_the_window_closes_it)
{
	/* 99 s: another CPU's earlier stamp, the same window; 130 s: no flush between */
	PLAY(10, {EVENT, 100, 1000, 25, 1, 0}, {EVENT, 101, 1000, 25, 1, 0},
	     {EVENT, 99, 1000, 25, 1, 0}, {EVENT, 130, 1000, 25, 2, 2});
}
END_TEST

START_TEST(other_flows_are_not_folded)
{
	PLAY(10, {EVENT, 100, 1000, 25, 1, 0}, {EVENT, 100, 1001, 25, 2, 0},
	     {EVENT, 100, 1000, 587, 3, 0}, {EVENT, 101, 1000, 587, 3, 0},
	     {FLUSH_ALL, 0, 0, 0, 3, 1});
}
END_TEST

START_TEST(a_new_window_length_flushes)
{
	PLAY(60, {EVENT, 100, 1000, 25, 1, 0}, {EVENT, 101, 1000, 25, 1, 0},
	     {WINDOW, 60, 0, 0, 1, 0}, /* unchanged: nothing happens */
	     {WINDOW, 0, 0, 0, 1, 1}, {EVENT, 102, 1000, 25, 2, 1});
}
END_TEST

int main(void)
{
	return sft_run_tests("event_log", setup, teardown,
			     (const TTest *const[]){window_zero_logs_each, a_flood_is_folded_until_the_window_closes, the_next_event_after_the_window_closes_it, other_flows_are_not_folded, a_new_window_length_flushes, NULL});
}
