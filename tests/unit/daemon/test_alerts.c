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

/* One event (tenant NULL: a tick at ts) and the alerts fired after it. */
struct step {
	const char *tenant;
	__u32 verdict;
	__u64 ts_s;
	__u64 fired;
};

static void play(unsigned int denied, unsigned int limited, const struct step *st, size_t n)
{
	sf_alerts_configure(a, denied, limited, "");
	for (size_t i = 0; i < n; i++) {
		struct sf_event_record r = {};

		r.e.ts_ns = st[i].ts_s * S;
		r.e.verdict = st[i].verdict;
		if (!st[i].tenant) {
			sf_alerts_tick(a, r.e.ts_ns);
			continue;
		}
		snprintf(r.tenant, sizeof(r.tenant), "%s", st[i].tenant);
		sf_alerts_event(a, &r);
		ck_assert_msg(sf_alerts_fired(a) == st[i].fired, "step %zu: %llu fired, want %llu",
			      i, (unsigned long long)sf_alerts_fired(a),
			      (unsigned long long)st[i].fired);
	}
}

#define PLAY(denied, limited, ...)                                                                 \
	do {                                                                                       \
		const struct step st[] = {__VA_ARGS__};                                            \
		play(denied, limited, st, sizeof(st) / sizeof(st[0]));                             \
	} while (0)

#define D SF_VERDICT_DENIED
#define L SF_VERDICT_LIMITED

START_TEST(fires_once_a_window)
{
	/* the window opens at 100 s; at 160 s a new one counts anew */
	PLAY(3, 0, {"acme", D, 100, 0}, {"acme", D, 110, 0}, {"acme", D, 120, 1},
	     {"acme", D, 121, 1}, {"acme", D, 159, 1}, {"acme", D, 160, 1}, {"acme", D, 161, 1},
	     {"acme", D, 162, 2});
}
END_TEST

START_TEST(tenants_and_verdicts_count_apart)
{
	PLAY(2, 3, {"acme", D, 100, 0}, {"other", D, 100, 0}, {"acme", L, 101, 0},
	     {"acme", SF_VERDICT_LOGGED, 101, 0}, {"acme", SF_VERDICT_ALLOWED, 101, 0},
	     {"acme", D, 102, 1}, {"acme", L, 103, 1}, {"acme", L, 104, 2}, {"other", D, 105, 3});
}
END_TEST

START_TEST(a_threshold_of_zero_is_off)
{
	PLAY(0, 1, {"acme", D, 100, 0}, {"acme", D, 101, 0}, {"acme", D, 102, 0},
	     {"acme", L, 111, 1});
}
END_TEST

START_TEST(tick_forgets_closed_windows)
{
	PLAY(2, 0, {"acme", D, 100, 0}, {NULL, 0, 200, 0}, {"acme", D, 201, 0},
	     {"acme", D, 202, 1});
}
END_TEST

static void mail(const char *tenant, __u64 ts_s, __u64 messages, __u64 recipients, __u64 deferred,
		 __u64 fired)
{
	struct sf_alert_mail m = {tenant,   "u1",     "php[42]",  "127.0.0.1:40000",
				  ts_s * S, messages, recipients, deferred};

	sf_alerts_mail(a, &m);
	ck_assert_msg(sf_alerts_fired(a) == fired, "%s at %llu s: %llu fired, want %llu", tenant,
		      (unsigned long long)ts_s, (unsigned long long)sf_alerts_fired(a),
		      (unsigned long long)fired);
}

/* Mail counts fire like connects: once a window, each kind apart. */
START_TEST(mail_counts_fire_once_a_window)
{
	sf_alerts_configure(a, 1, 0, "");
	sf_alerts_configure_mail(a, 3, 10, 2);
	mail("acme", 100, 1, 1, 0, 0);
	mail("acme", 101, 1, 4, 0, 0);
	mail("other", 101, 1, 0, 0, 0);
	mail("acme", 102, 1, 1, 0, 1);	/* 3 messages */
	mail("acme", 103, 1, 4, 0, 2);	/* 10 recipients */
	mail("acme", 104, 1, 10, 0, 2); /* each fired once in the window */
	mail("acme", 105, 0, 0, 1, 2);
	mail("acme", 106, 0, 0, 1, 3); /* 2 deferred */
	/* a denied connect in the same window counts apart */
	struct sf_event_record r = {};

	r.e.ts_ns = 107 * S;
	r.e.verdict = SF_VERDICT_DENIED;
	snprintf(r.tenant, sizeof(r.tenant), "acme");
	sf_alerts_event(a, &r);
	ck_assert_uint_eq(sf_alerts_fired(a), 4);
	/* the next window counts anew */
	mail("acme", 160, 3, 0, 0, 5);
	/* off */
	sf_alerts_configure_mail(a, 0, 0, 0);
	mail("other", 300, 100, 100, 100, 5);
}
END_TEST

int main(void)
{
	return sft_run_tests(
		"alerts", setup, teardown,
		(const TTest *const[]){fires_once_a_window, tenants_and_verdicts_count_apart,
				       a_threshold_of_zero_is_off, tick_forgets_closed_windows,
				       mail_counts_fire_once_a_window, NULL});
}
