// SPDX-License-Identifier: GPL-2.0-only
/* Drop-ins: a rule change written where the target is ruled, or in a new
 * file named after the tenant, and the file put back as it was. */
#include "policy/config.h"
#include "policy/dropin.h"
#include "suite.h"
#include "unit.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static char dir[64], rules[128];
static struct sf_file_backup backup;

static void setup(void)
{
	sft_tmpdir(dir, sizeof(dir));
	snprintf(rules, sizeof(rules), "%s/rules.d", dir);
}

static void teardown(void)
{
	sf_file_backup_free(&backup);
	sft_rmtree(dir);
}

static struct sf_rule_spec spec(const char *action, const char *target)
{
	struct sf_rule_spec r;
	char err[SF_ERR_LEN];

	ck_assert_msg(!sf_rule_from_words(action, target, &r, err, sizeof(err)), "%s", err);
	return r;
}

START_TEST(new_tenant_new_file)
{
	static const struct {
		const char *target, *file;
	} cases[] = {
		{"unit:acme.slice", "acme.slice.conf"},
		{"user:bob", "user-bob.conf"},
		{"cgroup:/tenants.slice/a+b", "cgroup-tenants.slice-a-b.conf"},
		{"group:www-data", "group-www-data.conf"},
	};
	char path[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sf_rule_spec r = spec("deny", cases[i].target);
		char want[512];

		ck_assert_int_eq(sf_dropin_write(rules, NULL, &r, &backup), 0);
		snprintf(path, sizeof(path), "%s/%s", rules, cases[i].file);
		ck_assert_str_eq(backup.path, path);
		ck_assert_ptr_null(backup.data); /* it did not exist */
		snprintf(want, sizeof(want),
			 "# smtpfence drop-in, one tenant's rules (written by smtpfence deny)\n"
			 "[rules]\ndeny = %s\n",
			 cases[i].target);
		ck_assert_str_eq(sft_read(path), want);
		sf_file_backup_free(&backup);
		free(r.value);
	}
}
END_TEST

START_TEST(changed_and_removed_where_it_stands)
{
	char path[256];
	struct sf_rule_spec where = spec("deny", "user:bob"), now = spec("allow", "user:bob");

	snprintf(path, sizeof(path), "%s/panel.conf", dir);
	sft_write(path, "[rules]\ndeny = user:bob\n# kept\nlog = user:carol");
	where.file = path;
	where.line = 2;
	ck_assert_int_eq(sf_dropin_write(rules, &where, &now, &backup), 0);
	ck_assert_str_eq(backup.path, path);
	ck_assert_str_eq(sft_read(path), "[rules]\nallow = user:bob\n# kept\nlog = user:carol\n");
	ck_assert_str_eq(backup.data, "[rules]\ndeny = user:bob\n# kept\nlog = user:carol");
	sf_file_backup_free(&backup);

	ck_assert_int_eq(sf_dropin_write(rules, &where, NULL, &backup), 0);
	ck_assert_str_eq(sft_read(path), "[rules]\n# kept\nlog = user:carol\n");
	ck_assert_int_eq(sf_dropin_restore(&backup), 0);
	ck_assert_str_eq(sft_read(path), "[rules]\nallow = user:bob\n# kept\nlog = user:carol\n");
	free(where.value);
	free(now.value);
}
END_TEST

START_TEST(restore_removes_a_new_file)
{
	struct sf_rule_spec r = spec("limit", "user:bob 5/min burst 2");
	struct stat st;

	ck_assert_int_eq(sf_dropin_write(rules, NULL, &r, &backup), 0);
	ck_assert_ptr_nonnull(strstr(sft_read(backup.path), "limit = user:bob 5/min burst 2\n"));
	ck_assert_int_eq(sf_dropin_restore(&backup), 0);
	ck_assert_int_eq(stat(backup.path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	free(r.value);
}
END_TEST

START_TEST(the_embedded_default_is_read_only)
{
	struct sf_rule_spec where = spec("allow", "user:root");

	where.file = SF_EMBEDDED_FILE;
	ck_assert_int_eq(sf_dropin_write(rules, &where, NULL, &backup), -EROFS);
	free(where.value);
}
END_TEST

int main(void)
{
	return sft_run_tests("dropin", setup, teardown,
			     (const TTest *const[]){new_tenant_new_file, changed_and_removed_where_it_stands, restore_removes_a_new_file, the_embedded_default_is_read_only, NULL});
}
