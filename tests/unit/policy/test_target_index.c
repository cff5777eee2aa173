// SPDX-License-Identifier: GPL-2.0-only
/* Rules by target: the same answers before the index is built (the first
 * finds search the list) and after, with rules added and replaced. */
#include "policy/target_index.h"
#include "smtpfence.h"
#include "suite.h"

#include <check.h>
#include <stdio.h>

static void add(struct sf_policy *p, struct sf_target_index *ix, enum sf_target_kind kind,
		const char *value)
{
	struct sf_rule_spec r = {.kind = kind, .action = SF_ACT_ALLOW, .value = (char *)value};

	ck_assert_int_eq(sf_policy_add_rule(p, &r), 0);
	ck_assert_int_eq(sf_target_index_put(ix, p, p->n_rules - 1), 0);
}

START_TEST(same_answers_before_and_after_it_is_built)
{
	struct sf_target_index ix;
	struct sf_policy p;
	char name[32];

	sf_policy_init(&p);
	sf_target_index_init(&ix);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "%d", 100000 + i);
		add(&p, &ix, SF_TARGET_USER, name);
	}
	add(&p, &ix, SF_TARGET_GROUP, "100005");  /* another kind, the same value */
	for (int round = 0; round < 3; round++) { /* the index is built on the way */
		for (int i = 0; i < 1000; i += 7) {
			snprintf(name, sizeof(name), "%d", 100000 + i);
			ck_assert_int_eq(sf_target_index_find(&ix, &p, SF_TARGET_USER, name), i);
		}
		ck_assert_int_eq(sf_target_index_find(&ix, &p, SF_TARGET_GROUP, "100005"), 1000);
		ck_assert_int_eq(sf_target_index_find(&ix, &p, SF_TARGET_GROUP, "100006"), -1);
		ck_assert_int_eq(sf_target_index_find(&ix, &p, SF_TARGET_UNIT, "100005"), -1);
	}
	ck_assert_uint_gt(ix.cap, 0);
	/* added after it was built, and a target put again points at the new rule */
	add(&p, &ix, SF_TARGET_UNIT, "acme.slice");
	ck_assert_int_eq(sf_target_index_find(&ix, &p, SF_TARGET_UNIT, "acme.slice"), 1001);
	add(&p, &ix, SF_TARGET_USER, "100003");
	ck_assert_int_eq(sf_target_index_find(&ix, &p, SF_TARGET_USER, "100003"), 1002);
	sf_target_index_free(&ix);
	sf_policy_free(&p);
}
END_TEST

int main(void)
{
	return sft_run_tests(
		"target_index", NULL, NULL,
		(const TTest *const[]){same_answers_before_and_after_it_is_built, NULL});
}
