// SPDX-License-Identifier: GPL-2.0-only
/* Every CLI command, in its working and its failing forms, run from a
 * binary built with AddressSanitizer, LeakSanitizer and UBSan
 * (SMTPFENCE_BIN): the exit code is the documented one and no sanitizer
 * said a word. */
#include "harness.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The blocklist resolver is a closed port inside the sandbox: every query
 * fails at once, and the daemon's check, alerts and quarantines all run. */
static const char conf[] = "[global]\nports = 25 587\ndefault = deny\n"
			   "exempt = 198.51.100.0/24\nalert_denied_per_min = 1\nquarantine = 1h\n"
			   "dnsbl_zones = bl.test\ndnsbl_addresses = 203.0.113.7\n"
			   "dnsbl_resolver = 127.0.0.1:5399\n[rules]\nallow = user:10001\n";

static struct sft_env env;
static bool env_up;

static void teardown(void)
{
	if (env_up)
		sft_env_teardown(&env);
	env_up = false;
}

static void no_report(const char *args, const char *text)
{
	static const char *const words[] = {"LeakSanitizer", "AddressSanitizer",
					    "runtime error:", "SUMMARY:"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		ck_assert_msg(!strstr(text, words[i]), "smtpfence %s:\n%s", args, text);
}

static void daemon_log(char *text, size_t len)
{
	char path[PATH_MAX + 16];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/daemon.log", env.dir);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, text, len - 1) : 0;
	text[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* Runs one command line; its exit code must be `want`. */
static void run(int want, const char *args)
{
	static char log[SFT_OUT_LEN];
	int rc = sft_cli(&env, "%s", args);

	sft_notify_drain(&env);
	no_report(args, env.err);
	if (rc != want)
		daemon_log(log, sizeof(log));
	ck_assert_msg(rc == want, "smtpfence %s: exit %d, want %d: %s\ndaemon log:\n%s", args, rc,
		      want, env.err, log);
}

START_TEST(binary_is_sanitized)
{
	const char *bin = getenv("SMTPFENCE_BIN");
	char cmd[PATH_MAX + 64];

	ck_assert_msg(bin, "SMTPFENCE_BIN names no sanitized binary");
	snprintf(cmd, sizeof(cmd), "grep -q __asan_init '%s' && grep -q __ubsan_handle '%s'", bin,
		 bin);
	ck_assert_msg(system(cmd) == 0, "%s was built without ASan and UBSan", bin);
}
END_TEST

/* import csf: a good file (with notes), a bad one, a missing one. */
static void csf_import(void)
{
	char good[PATH_MAX + 64], bad[PATH_MAX + 64], args[3 * PATH_MAX];
	FILE *f;

	snprintf(good, sizeof(good), "%s/csf.conf", env.dir);
	snprintf(bad, sizeof(bad), "%s/bad-csf.conf", env.dir);
	f = fopen(good, "we");
	ck_assert_ptr_nonnull(f);
	fputs("SMTP_BLOCK = \"1\"\nSMTP_ALLOWLOCAL = \"1\"\nSMTP_ALLOWUSER = \"nobody,ghost\"\n"
	      "SMTP_ALLOWGROUP = \"root\"\nSMTPAUTH_RESTRICT = \"1\"\nRT_RELAY_ALERT = \"100\"\n",
	      f);
	fclose(f);
	f = fopen(bad, "we");
	ck_assert_ptr_nonnull(f);
	fputs("SMTP_BLOCK = \"2\"\nSMTP_PORTS = \"25,x\"\nnot a line\n", f);
	fclose(f);
	snprintf(args, sizeof(args), "import csf %s", good);
	run(0, args);
	snprintf(args, sizeof(args), "import csf %s -o %s/imported.conf", good, env.dir);
	run(0, args);
	snprintf(args, sizeof(args), "import csf %s", bad);
	run(2, args);
	snprintf(args, sizeof(args), "import csf %s/absent.conf", env.dir);
	run(1, args);
}

START_TEST(commands_without_a_daemon)
{
	sft_env_setup(&env, "nodaemon", conf);
	env_up = true;
	run(0, "--help");
	run(0, "--version");
	run(2, "");
	run(2, "frobnicate");
	run(2, "status --bogus");
	run(2, "rules --runtime");
	run(2, "--pin-dir");
	run(0, "check-config");
	run(3, "status"); /* nothing loaded yet: nothing enforced */
	run(3, "-j status");
	run(2, "-j frobnicate"); /* the error document */
	run(2, "-j rules --runtime");
	run(0, "-j help");
	run(0, "-j help events");
	run(0, "-j check-config");
	run(1, "-j events");
	run(0, "allow user:10002"); /* persisted for the daemon to apply */
	run(0, "rules");
	run(0, "rules -j");
	run(2, "allow user:no-such-user-xyz");
	run(2, "limit user:10001 5/fortnight");
	run(0, "unset user:10002");
	run(0, "unload");
	csf_import();
}
END_TEST

START_TEST(commands_with_a_daemon)
{
	char cg[PATH_MAX];
	int status;

	sft_env_setup(&env, "daemon", conf);
	env_up = true;
	ck_assert_int_eq(sft_daemon_start(&env), 0);
	ck_assert_int_eq(sft_cgroup_make(&env, "tenants/acme", cg, sizeof(cg)), 0);
	run(0, "allow user:10002");
	run(0, "deny group:20002 --runtime");
	run(0, "log user:10003");
	run(0, "limit user:10004 5/min burst 2");
	ck_assert_int_eq(sft_cli(&env, "deny cgroup:%s/tenants/acme", env.cgroup_rel), 0);
	no_report("deny cgroup", env.err);
	run(0, "allow unit:nonexistent-xyz.slice");
	run(0, "rules");
	run(0, "rules -j");
	run(0, "status");
	run(0, "status -j");
	run(0, "ports add 2525 465");
	run(0, "ports list");
	run(0, "ports list -j");
	run(0, "ports del 2525");
	run(2, "ports add 0");
	run(0, "default log");
	run(0, "default limit 10/min");
	run(0, "default deny");
	run(2, "default maybe");
	ck_assert_int_eq(sft_cli(&env, "explain --uid 10002 --cgroup %s/tenants/acme 192.0.2.1:25",
				 env.cgroup_rel),
			 0);
	no_report("explain --uid", env.err);
	ck_assert_int_eq(sft_cli(&env, "explain -j --pid %d 192.0.2.1:25", (int)getpid()), 0);
	no_report("explain --pid", env.err);
	run(2, "explain --uid 10002 nowhere");
	/* something to show: a denied and an allowed connect */
	int l = sft_listen("192.0.2.1", 25);

	ck_assert_int_ge(l, 0);
	ck_assert_int_eq(sft_connect(env.cgroup, 10005, 10005, "192.0.2.1", 25, SFT_BLOCKING),
			 EPERM);
	ck_assert_int_eq(sft_connect(cg, 10002, 10002, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	run(0, "flows");
	run(0, "flows -j --sort denied --limit 5");
	run(0, "flows --target user:10005");
	run(2, "flows --sort sideways");
	run(0, "events");
	run(0, "events -j");
	run(0, "events -j -n 1 --target user:10005 --since 1h");
	run(0, "events --target cgroup:/ --since 2026-01-01");
	run(2, "events --since never");
	run(0, "top --batch -n 2 -d 0.2");
	run(0, "top -j -n 2 -d 0.2");
	run(0, "metrics");
	run(0, "metrics -j");
	run(0, "-j allow user:10009");
	run(0, "-j unset user:10009");
	/* many changes in one: several targets, and apply from a file */
	run(0, "limit user:10011 user:10012 5/min burst 2");
	run(2, "deny user:10011 user:");
	run(0, "-j apply -f - < /dev/null");
	{
		char path[PATH_MAX + 16], args[PATH_MAX + 32];
		FILE *f;

		snprintf(path, sizeof(path), "%s/batch.txt", env.dir);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs("# batch\nallow user:10011\nunset user:10012\nlog user:10013 # note\n", f);
		fclose(f);
		snprintf(args, sizeof(args), "-j apply -f %s", path);
		run(0, args);
		f = fopen(path, "w");
		fputs("unset user:10011\nunset user:10013\nallow user:\nbogus\n", f);
		fclose(f);
		snprintf(args, sizeof(args), "apply -f %s", path);
		run(2, args);
		f = fopen(path, "w");
		fputs("unset user:10011\nunset user:10013\n", f);
		fclose(f);
		run(0, args);
	}
	run(0, "quarantine user:10004 1h limit 1/hour");
	run(0, "rules -j");
	run(0, "status -j");
	run(0, "top --batch -n 1 -d 0.2");
	run(0, "metrics");
	run(0, "release user:10004");
	run(2, "release user:10004");
	run(2, "quarantine user:10004 1y");
	run(0, "dnsbl --now");
	run(0, "dnsbl -j");
	run(0, "unset user:10002");
	run(0, "unset group:20002 --runtime");
	run(2, "unset user:10002");
	run(0, "check-config");
	env.notify_log[0] = '\0';
	run(0, "reload");
	ck_assert(sft_notify_wait(&env, "READY=1", 10000));
	/* the daemon's own exit: LeakSanitizer runs there too */
	status = sft_daemon_stop(&env, SIGTERM);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "daemon exit status %#x",
		      status);
	{
		static char text[SFT_OUT_LEN];

		daemon_log(text, sizeof(text));
		ck_assert_msg(strstr(text, "stopping on signal 15"), "daemon log: %s", text);
		/* the alerts quarantined, the blocklist check ran */
		ck_assert_msg(strstr(text, "quarantine started: "), "daemon log: %s", text);
		ck_assert_msg(strstr(text, "dnsbl: checked "), "daemon log: %s", text);
		no_report("run", text);
	}
	run(0, "unload");
}
END_TEST

START_TEST(bad_configuration)
{
	sft_env_setup(&env, "badconf", "[global]\nports = 25 smtp\n[rules]\nallow = nobody\n");
	env_up = true;
	run(2, "check-config");
	run(2, "allow user:10002");
	run(2, "reload");
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("sanitized");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, binary_is_sanitized);
	tcase_add_test(tc, commands_without_a_daemon);
	tcase_add_test(tc, commands_with_a_daemon);
	tcase_add_test(tc, bad_configuration);
	return sft_run_tcase("cli_leaks", tc);
}
