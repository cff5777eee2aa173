// SPDX-License-Identifier: GPL-2.0-only
/* A target is data from a panel: one that would not read back from the
 * files byte for byte is refused (exit 2) at every entry point, and
 * nothing is written or changed. The attacks: a newline that smuggles an
 * allow line into the drop-in, a [global] section into the runtime layer
 * that stops port 25 being watched, comment starters, path forms. */
#include "fixture.h"
#include "suite.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOBODY 65534

static const char conf[] = "[global]\nports = 25\ndefault = deny\n";

static int count_dropins(void)
{
	DIR *d = opendir(env.rules_dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void refused(const char *args, const char *msg)
{
	int rc = sft_cli(&env, "%s", args);

	ck_assert_msg(rc == 2, "smtpfence %s: exit %d, expected 2: %s", args, rc, env.err);
	ck_assert_msg(strstr(env.err, msg), "smtpfence %s: '%s' not in: %s", args, msg, env.err);
}

START_TEST(injected_lines_are_refused)
{
	int l;

	sft_start("inject", conf);
	l = sft_listen("192.0.2.1", 25);
	/* printf in the shell makes the bytes a panel would pass in argv */
	refused("deny \"$(printf 'cgroup:/t/acme\\nallow=user:65534')\"", "byte 0x0a");
	refused("deny --runtime \"$(printf 'cgroup:/x\\n[global]\\nports_del=25')\"", "byte 0x0a");
	refused("deny \"$(printf 'user:a\\rb')\"", "byte 0x0d");
	refused("allow \"$(printf 'user:a\\001b')\"", "byte 0x01");
	refused("allow 'user:a;b'", "byte 0x3b");
	refused("allow 'user:a#b'", "byte 0x23");
	refused("allow 'cgroup:/a//b'", "empty path part");
	refused("allow 'cgroup:/a/../b'", "'.' or '..' part");
	refused("allow 'cgroup:/a/./b'", "'.' or '..' part");
	refused("allow 'cgroup:/a/'", "trailing '/'");
	refused("allow 'cgroup:/" /* one rule line must hold it */
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"a"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'",
		"longer than 160");
	ck_assert_int_eq(count_dropins(), 0);
	ck_assert_int_eq(access(env.run_dir, F_OK) == 0 && sft_cli(&env, "rules") == 0, 1);
	ck_assert_msg(!strstr(env.out, "65534") && !strstr(env.out, "cgroup:"), "%s", env.out);
	/* the policy in force: port 25 watched, nobody denied */
	ck_assert_int_eq(sft_connect(env.cgroup, NOBODY, NOBODY, "192.0.2.1", 25, SFT_BLOCKING),
			 EPERM);
	close(l);
}
END_TEST

/* The same check guards the files: a drop-in a panel wrote by hand. */
START_TEST(files_are_checked_the_same_way)
{
	char path[4200];
	FILE *f;

	sft_env_setup(&env, "inject-files", conf);
	sft_mark_up();
	ck_assert_int_eq(mkdir(env.rules_dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/acme.conf", env.rules_dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[rules]\ndeny = cgroup:/t//acme\nallow = user:a\x01z\n", f);
	fclose(f);
	ck_assert_int_eq(sft_cli(&env, "check-config"), 2);
	ck_assert_msg(strstr(env.err, "acme.conf:2: invalid cgroup path '/t//acme'"), "%s",
		      env.err);
	ck_assert_msg(strstr(env.err, "acme.conf:3: invalid target 'user:...': byte 0x01"), "%s",
		      env.err);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("inject");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, injected_lines_are_refused);
	tcase_add_test(tc, files_are_checked_the_same_way);
	return sft_run_tcase("inject", tc);
}
