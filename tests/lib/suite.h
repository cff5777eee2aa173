/* SPDX-License-Identifier: GPL-2.0-only */
/* Runs a check test case as a test binary's whole suite; returns the
 * binary's exit code. */
#ifndef SFT_SUITE_H
#define SFT_SUITE_H

#include <check.h>
#include <stdlib.h>

static inline int sft_run_tcase(const char *suite, TCase *tc)
{
	Suite *s = suite_create(suite);
	SRunner *sr;
	int failed;

	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Runs tests (NULL-terminated) as one test case around the fixture
 * (either may be NULL). */
static inline int sft_run_tests(const char *suite, void (*setup)(void), void (*teardown)(void),
				const TTest *const *tests)
{
	TCase *tc = tcase_create(suite);

	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	for (; *tests; tests++)
		tcase_add_test(tc, *tests);
	return sft_run_tcase(suite, tc);
}

#endif /* SFT_SUITE_H */
