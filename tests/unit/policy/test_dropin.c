// SPDX-License-Identifier: GPL-2.0-only
/* Drop-ins: a rule on a new target goes to a file named after the tenant. */
#include "policy/dropin.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

START_TEST(new_tenant_new_file)
{
	static const struct {
		enum sf_target_kind kind;
		const char *value, *file;
	} cases[] = {
		{SF_TARGET_UNIT, "acme.slice", "acme.slice.conf"},
		{SF_TARGET_USER, "bob", "user-bob.conf"},
		{SF_TARGET_CGROUP, "/tenants.slice/a+b", "cgroup-tenants.slice-a-b.conf"},
		{SF_TARGET_GROUP, "www-data", "group-www-data.conf"},
		{SF_TARGET_UNIT, ".scopem@acme.service", "scopem@acme.service.conf"},
	};
	char path[256], want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(
			sf_dropin_path("/r", cases[i].kind, cases[i].value, path, sizeof(path)), 0);
		snprintf(want, sizeof(want), "/r/%s", cases[i].file);
		ck_assert_str_eq(path, want);
	}
	ck_assert_int_eq(sf_dropin_path("/r", SF_TARGET_USER, "bob", path, 8), -ENAMETOOLONG);
}
END_TEST

int main(void)
{
	return sft_run_tests("dropin", NULL, NULL,
			     (const TTest *const[]){new_tenant_new_file, NULL});
}
