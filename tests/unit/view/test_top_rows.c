// SPDX-License-Identifier: GPL-2.0-only
/* top's rows: per-second rates between two samples (a new tenant counts
 * from zero, a counter that went back gives 0) and the order of rows. */
#include "view/top_rows.h"
#include "suite.h"

#include <check.h>
#include <string.h>

static struct sf_tenant_sum sum(const char *tenant, __u64 attempts, __u64 denied, __u64 limited)
{
	return (struct sf_tenant_sum){.tenant = (char *)tenant,
				      .c = {.attempts = attempts,
					    .denied = denied,
					    .limited = limited,
					    .allowed = attempts - denied - limited}};
}

START_TEST(rates_between_samples)
{
	struct sf_tenant_sum before[] = {sum("acme", 10, 2, 0), sum("zeta", 50, 0, 0)};
	struct sf_tenant_set prev = {.v = before, .n = 2}; /* sorted by tenant */
	struct sf_tenant_sum now = sum("acme", 30, 6, 2), fresh = sum("beta", 4, 4, 0),
			     reset = sum("zeta", 5, 0, 0);
	struct sf_top_row r;

	sf_top_row_rates(&r, &now, NULL, 2.0);
	ck_assert(!r.has_rate);
	ck_assert_ptr_eq(r.sum, &now);
	ck_assert_double_eq(r.attempts_s, 0);

	sf_top_row_rates(&r, &now, &prev, 2.0);
	ck_assert(r.has_rate);
	ck_assert_double_eq(r.attempts_s, 10.0);
	ck_assert_double_eq(r.denied_s, 2.0);
	ck_assert_double_eq(r.limited_s, 1.0);

	sf_top_row_rates(&r, &fresh, &prev, 0.5);
	ck_assert_double_eq(r.attempts_s, 8.0);
	ck_assert_double_eq(r.denied_s, 8.0);

	sf_top_row_rates(&r, &reset, &prev, 1.0); /* counters started again */
	ck_assert_double_eq(r.attempts_s, 0);
	ck_assert_double_eq(sf_top_rate(10, 5, 0), 0); /* no time passed */
}
END_TEST

static void rows_of(struct sf_top_row *v, struct sf_tenant_sum *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = (struct sf_top_row){.sum = &s[i],
					   .attempts_s = (double)s[i].c.attempts / 10,
					   .denied_s = (double)s[i].c.denied / 10};
}

static void expect_order(const struct sf_top_row *v, const char *want)
{
	char got[64] = "";

	for (size_t i = 0; i < 4; i++)
		strcat(got, v[i].sum->tenant);
	ck_assert_str_eq(got, want);
}

START_TEST(order_of_rows)
{
	struct sf_tenant_sum s[] = {sum("b", 20, 0, 0), sum("a", 20, 5, 0), sum("d", 90, 1, 0),
				    sum("c", 10, 9, 0)};
	struct sf_top_row v[4];

	rows_of(v, s, 4);
	sf_top_rows_sort(v, 4, SF_TOP_SORT_ATTEMPTS, false);
	expect_order(v, "dabc"); /* a and b tie: by name */
	sf_top_rows_sort(v, 4, SF_TOP_SORT_DENIED, false);
	expect_order(v, "cadb");
	sf_top_rows_sort(v, 4, SF_TOP_SORT_TENANT, false);
	expect_order(v, "abcd");
	sf_top_rows_sort(v, 4, SF_TOP_SORT_TENANT, true);
	expect_order(v, "dcba");
	sf_top_rows_sort(v, 4, SF_TOP_SORT_ATTEMPTS, true);
	expect_order(v, "cbad");
	ck_assert_str_eq(sf_top_sort_names[SF_TOP_SORT_LAST], "last");
	ck_assert_ptr_null(sf_top_sort_names[SF_TOP_SORT_COUNT]);
}
END_TEST

START_TEST(trend_as_a_sparkline)
{
	const float v[] = {0, 1, 2, 4, 8};
	struct sf_top_row r = {.action = SF_ACT_LIMIT};
	char buf[64];

	/* fewer points than the width: blanks first, the newest at the right */
	sf_top_sparkline(v, 5, 8, false, buf, sizeof(buf));
	ck_assert_str_eq(buf, "    .:=@");
	sf_top_sparkline(v, 5, 3, false, buf, sizeof(buf));
	ck_assert_str_eq(buf, ":=@"); /* scaled to the points shown */
	sf_top_sparkline(v, 5, 2, true, buf, sizeof(buf));
	ck_assert_str_eq(buf, "\u2584\u2588");
	sf_top_sparkline(v, 0, 4, true, buf, sizeof(buf));
	ck_assert_str_eq(buf, "    ");
	sf_top_sparkline(v, 5, 8, false, buf, 4); /* a short buffer stays a string */
	ck_assert_int_lt((int)strlen(buf), 4);
	ck_assert_str_eq(sf_top_row_action(&r), "limit");
	r.action = SF_ACT_REDIRECT;
	ck_assert_str_eq(sf_top_row_action(&r), "redirect");
	r.quarantined = true;
	ck_assert_str_eq(sf_top_row_action(&r), "quarantined");
	r = (struct sf_top_row){.action = SF_ACT_NONE};
	ck_assert_str_eq(sf_top_row_action(&r), "-");
}
END_TEST

int main(void)
{
	return sft_run_tests("top_rows", NULL, NULL,
			     (const TTest *const[]){rates_between_samples, order_of_rows,
						    trend_as_a_sparkline, NULL});
}
