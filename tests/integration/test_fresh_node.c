// SPDX-License-Identifier: GPL-2.0-only
/* A fresh node, as a newcomer meets it: no /etc/smtpfence (the embedded
 * default), no /run/smtpfence, nothing pinned, and every command typed
 * without --config, --run-dir or --pin-dir. The default paths are real
 * (overlay /etc, tmpfs /run, bpffs on /sys/fs/bpf, all private to this
 * sandbox), so what a panel's one command does there is what is tested. */
#include "fixture.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOBODY 65534

static void assert_mode(const char *path, mode_t type, mode_t mode)
{
	struct stat st;

	ck_assert_msg(stat(path, &st) == 0, "%s: %s", path, strerror(errno));
	ck_assert_msg((st.st_mode & S_IFMT) == type, "%s: wrong file type", path);
	ck_assert_msg((st.st_mode & 07777) == mode, "%s: mode %o, expected %o", path,
		      st.st_mode & 07777, mode);
	ck_assert_msg(st.st_uid == 0 && st.st_gid == 0, "%s: not owned by root", path);
}

static void plain_ok(const char *args)
{
	int rc = sft_cli_plain(&env, "%s", args);

	ck_assert_msg(rc == 0, "smtpfence %s: exit %d: %s%s", args, rc, env.err, env.out);
}

static void plain_fails(int want, const char *args, const char *msg)
{
	int rc = sft_cli_plain(&env, "%s", args);

	ck_assert_msg(rc == want, "smtpfence %s: exit %d, expected %d: %s", args, rc, want,
		      env.err);
	ck_assert_msg(strstr(env.err, msg), "smtpfence %s: '%s' not in: %s", args, msg, env.err);
}

/* `run` with the default paths; only the attach point is named (never the
 * cgroup-v2 root on a shared machine). Ready when `status` names it running
 * (its pid file is written once the programs are attached). */
static pid_t start_plain_daemon(void)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const char *bin = getenv("SMTPFENCE_BIN");

		execl(bin ? bin : "build/smtpfence", "smtpfence", "run", "--cgroup", env.cgroup,
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		if (sft_cli_plain(&env, "status") == 0 && strstr(env.out, "daemon:      running"))
			return pid;
		ck_assert_msg(waitpid(pid, NULL, WNOHANG) == 0, "the daemon exited: %s", env.err);
		usleep(50000);
	}
	ck_abort_msg("the daemon did not come up: %s", env.err);
	return -1;
}

START_TEST(every_command_on_a_fresh_node)
{
	static const char *const changes[] = {"deny user:65534", "log user:65534",
					      "limit user:65534 5/min", "allow user:65534"};
	int l = sft_listen("192.0.2.1", 25);
	char batch[4200];
	pid_t daemon;
	FILE *f;

	sft_env_setup(&env, "fresh", NULL);
	sft_mark_up();
	ck_assert_msg(access("/etc/smtpfence", F_OK) && access("/run/smtpfence", F_OK),
		      "the default paths are not fresh");
	/* Nothing loaded: persisted changes work, and make what they need;
	 * the first is a panel's batch on standard input. */
	snprintf(batch, sizeof(batch), "%s/batch.txt", env.dir);
	f = fopen(batch, "w");
	ck_assert_ptr_nonnull(f);
	fputs("# first accounts\nallow user:65534\nlog group:0\n", f);
	fclose(f);
	ck_assert_msg(sft_cli_plain(&env, "-j apply -f - < '%s'", batch) == 0, "apply: %s",
		      env.err);
	ck_assert_msg(strstr(env.out, "\"applied\":false") &&
			      strstr(env.out, "\"target\":\"group:0\""),
		      "%s", env.out);
	ck_assert_int_eq(access("/run/smtpfence/change.journal", F_OK), -1);
	assert_mode("/etc/smtpfence", S_IFDIR, 0755);
	assert_mode("/etc/smtpfence/rules.d", S_IFDIR, 0755);
	assert_mode("/etc/smtpfence/rules.d/user-65534.conf", S_IFREG, 0644);
	assert_mode("/run/smtpfence", S_IFDIR, 0700);
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
		plain_ok(changes[i]);
	plain_ok("check-config");
	{
		char csf[4200];
		FILE *f;

		snprintf(csf, sizeof(csf), "%s/csf.conf", env.dir);
		f = fopen(csf, "w");
		ck_assert_ptr_nonnull(f);
		fputs("SMTP_BLOCK = \"1\"\nSMTP_ALLOWLOCAL = \"1\"\nSMTP_PORTS = \"25\"\n", f);
		fclose(f);
		ck_assert_msg(sft_cli_plain(&env, "import csf '%s'", csf) == 0, "import: %s",
			      env.err);
	}
	plain_ok("help");
	plain_ok("help allow");
	plain_ok("--version");
	plain_ok("rules");
	ck_assert_msg(strstr(env.out, "user:65534") && strstr(env.out, "not-loaded"), "%s",
		      env.out);
	plain_ok("unset user:65534");
	plain_fails(2, "unset user:65534", "no rule on user:65534");
	/* nothing enforced: 3, as systemctl is-active says "not active" */
	ck_assert_int_eq(sft_cli_plain(&env, "status"), 3);
	ck_assert_msg(strstr(env.out, "nothing is enforced"), "%s", env.out);
	plain_ok("unload");
	plain_ok("deny user:65534");

	/* Running on the defaults: every command, and the rule enforced. */
	daemon = start_plain_daemon();
	ck_assert_int_eq(sft_connect(env.cgroup, NOBODY, NOBODY, "192.0.2.1", 25, SFT_BLOCKING),
			 EPERM);
	plain_ok("allow user:65534");
	ck_assert_int_eq(sft_connect(env.cgroup, NOBODY, NOBODY, "192.0.2.1", 25, SFT_BLOCKING), 0);
	plain_ok("deny --runtime user:65534");
	ck_assert_int_eq(sft_connect(env.cgroup, NOBODY, NOBODY, "192.0.2.1", 25, SFT_BLOCKING),
			 EPERM);
	plain_ok("unset --runtime user:65534");
	f = fopen(batch, "w");
	ck_assert_ptr_nonnull(f);
	fputs("deny user:65534\n", f);
	fclose(f);
	ck_assert_msg(sft_cli_plain(&env, "apply --runtime -f '%s'", batch) == 0, "apply: %s",
		      env.err);
	ck_assert_int_eq(sft_connect(env.cgroup, NOBODY, NOBODY, "192.0.2.1", 25, SFT_BLOCKING),
			 EPERM);
	plain_ok("unset --runtime user:65534");
	plain_ok("unset group:0");
	ck_assert_int_eq(sft_connect(env.cgroup, NOBODY, NOBODY, "192.0.2.1", 25, SFT_BLOCKING), 0);
	plain_ok("status");
	plain_ok("status -j");
	plain_ok("rules -j");
	plain_ok("ports add 587");
	plain_ok("ports list");
	ck_assert_msg(strstr(env.out, "587"), "%s", env.out);
	plain_ok("ports del 587");
	plain_ok("default deny");
	plain_ok("explain --uid 65534 192.0.2.1:25");
	ck_assert_msg(strstr(env.out, "allow"), "%s", env.out);
	plain_ok("quarantine user:65534 10m");
	ck_assert_int_eq(sft_connect(env.cgroup, NOBODY, NOBODY, "192.0.2.1", 25, SFT_BLOCKING),
			 EPERM);
	plain_ok("release user:65534");
	ck_assert_int_eq(sft_connect(env.cgroup, NOBODY, NOBODY, "192.0.2.1", 25, SFT_BLOCKING), 0);
	plain_ok("dnsbl");
	plain_ok("flows");
	plain_ok("events");
	plain_ok("top --batch -n 1");
	plain_ok("metrics");
	plain_ok("check-config");
	plain_ok("reload");
	kill(daemon, SIGTERM);
	waitpid(daemon, NULL, 0);
	/* enforcement outlives the daemon, and the rule survives a restart */
	ck_assert_int_eq(sft_connect(env.cgroup, NOBODY, NOBODY, "192.0.2.1", 25, SFT_BLOCKING), 0);
	plain_ok("unload");
	ck_assert_int_eq(sft_connect(env.cgroup, NOBODY, NOBODY, "192.0.2.1", 25, SFT_BLOCKING), 0);
	close(l);
}
END_TEST

/* A file that cannot be written is a failure (1), never bad input (2). */
START_TEST(write_failure_is_exit_1)
{
	sft_env_setup(&env, "rofs", NULL);
	sft_mark_up();
	plain_ok("allow user:65534");
	ck_assert_int_eq(mount("tmpfs", "/etc/smtpfence", "tmpfs", MS_RDONLY, NULL), 0);
	plain_fails(1, "deny user:65534", "failed to write /etc/smtpfence/rules.d/user-65534.conf");
	ck_assert_int_eq(umount2("/etc/smtpfence", 0), 0);
	plain_ok("unset user:65534");
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("fresh-node");

	sft_sandbox_enter();
	sft_default_paths_private();
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, every_command_on_a_fresh_node);
	tcase_add_test(tc, write_failure_is_exit_1);
	return sft_run_tcase("fresh-node", tc);
}
