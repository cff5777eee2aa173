// SPDX-License-Identifier: GPL-2.0-only
/* The policy service's table of message transactions: keyed by the full
 * socket cookie (cookies alike in their low bits are apart), bounded,
 * forgetting the connection used least recently when full. */
#include "daemon/mail_tx.h"
#include "suite.h"
#include "unit.h"

#include <check.h>
#include <string.h>

static struct sf_mail_txs *t;

static void setup(void)
{
	t = sf_mail_txs_new(4);
	ck_assert_ptr_nonnull(t);
}

static void teardown(void)
{
	sf_mail_txs_free(t);
}

START_TEST(cookies_alike_are_apart)
{
	uint64_t base = 12345;

	for (uint64_t i = 0; i < 4; i++) {
		struct sf_mail_tx *tx = sf_mail_txs_get(t, base + (i << 32), true);

		ck_assert_ptr_nonnull(tx);
		ck_assert_str_eq(tx->instance, "");
		snprintf(tx->instance, sizeof(tx->instance), "m%llu", (unsigned long long)i);
	}
	for (uint64_t i = 0; i < 4; i++) {
		struct sf_mail_tx *tx = sf_mail_txs_get(t, base + (i << 32), false);
		char want[8];

		snprintf(want, sizeof(want), "m%llu", (unsigned long long)i);
		ck_assert_ptr_nonnull(tx);
		ck_assert_str_eq(tx->instance, want);
	}
	ck_assert_ptr_null(sf_mail_txs_get(t, base + (4ULL << 32), false));
}
END_TEST

START_TEST(the_least_recently_used_is_forgotten)
{
	for (uint64_t c = 1; c <= 4; c++)
		snprintf(sf_mail_txs_get(t, c, true)->instance, 64, "%llu", (unsigned long long)c);
	ck_assert_ptr_nonnull(sf_mail_txs_get(t, 1, false)); /* 2 is now the oldest */
	ck_assert_str_eq(sf_mail_txs_get(t, 5, true)->instance, "");
	ck_assert_ptr_null(sf_mail_txs_get(t, 2, false));
	ck_assert_str_eq(sf_mail_txs_get(t, 1, false)->instance, "1");
	ck_assert_str_eq(sf_mail_txs_get(t, 3, false)->instance, "3");
	ck_assert_str_eq(sf_mail_txs_get(t, 4, false)->instance, "4");
	ck_assert_ptr_nonnull(sf_mail_txs_get(t, 5, false));
}
END_TEST

START_TEST(a_flood_stays_within_the_bound)
{
	for (uint64_t c = 1; c <= 100000; c++)
		ck_assert_ptr_nonnull(sf_mail_txs_get(t, c, true));
	for (uint64_t c = 1; c <= 99996; c++)
		ck_assert_ptr_null(sf_mail_txs_get(t, c, false));
	for (uint64_t c = 99997; c <= 100000; c++)
		ck_assert_ptr_nonnull(sf_mail_txs_get(t, c, false));
}
END_TEST

int main(void)
{
	return sft_run_tests("mail_tx", setup, teardown,
			     (const TTest *const[]){cookies_alike_are_apart,
						    the_least_recently_used_is_forgotten,
						    a_flood_stays_within_the_bound, NULL});
}
