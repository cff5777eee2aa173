// SPDX-License-Identifier: GPL-2.0-only
/* Faults that hang or mislead (issue 12 item 8): a FIFO, a directory or a
 * /dev/zero symlink named *.conf, a NUL byte in a line; a second daemon on
 * the same pins; a daemon started at another cgroup than the pinned links;
 * a link pin removed by hand; explain with a mount-prefixed, missing or
 * unjudged cgroup. Each answer must be prompt and say what the kernel does. */
#include "fixture.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TENANT 65534
#define HUNG   -2

static const char conf[] = "[global]\nports = 25\ndefault = deny\nmetrics_address = off\n";

static void read_back(const char *name, char *buf, size_t len)
{
	char path[4200];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", env.dir, name);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* The CLI, given `seconds` to answer; HUNG (and killed) when it did not. */
static int cli_within(double seconds, const char *args)
{
	struct timespec t0, now;
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sft_env mine = env;

		setpgid(0, 0);
		_exit(sft_cli(&mine, "%s", args) & 0xff);
	}
	setpgid(pid, pid);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 > seconds) {
			kill(-pid, SIGKILL); /* the group this test made: sh and smtpfence */
			waitpid(pid, &status, 0);
			return HUNG;
		}
		usleep(20000);
	}
	read_back("cli.out", env.out, sizeof(env.out));
	read_back("cli.err", env.err, sizeof(env.err));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(fifo_dropin_hangs_nothing)
{
	char fifo[4200];
	int rc;

	sft_start("fifo", conf);
	ck_assert_int_eq(mkdir(env.rules_dir, 0755), 0);
	snprintf(fifo, sizeof(fifo), "%s/x.conf", env.rules_dir);
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	rc = cli_within(5, "reload");
	ck_assert_msg(rc == 2, "reload: %s (exit %d): %s", rc == HUNG ? "hung" : "answered", rc,
		      env.err);
	ck_assert_msg(strstr(env.err, "x.conf: not a regular file (a FIFO)"), "%s", env.err);
	rc = cli_within(5, "allow user:12345");
	ck_assert_msg(rc == 2, "allow: exit %d: %s", rc, env.err);
	/* the daemon refuses the reload and goes on */
	kill(env.daemon, SIGHUP);
	ck_assert_msg(sft_notify_wait_n(&env, "READY=1", 2, 5000), "the daemon hung: %s",
		      env.notify_log);
	ck_assert_int_eq(cli_within(5, "status"), 0);
	/* on a build that blocks in open(), let it go so teardown can stop it */
	for (int i = 0; i < 4; i++) {
		int w = open(fifo, O_WRONLY | O_NONBLOCK);

		if (w >= 0)
			close(w);
	}
	unlink(fifo);
}
END_TEST

START_TEST(non_regular_or_nul_is_an_error)
{
	static const char nul_line[] = "[rules]\nallow = user:root\0allow = user:65534\n";
	char path[4200];

	sft_env_setup(&env, "files", conf);
	sft_mark_up();
	ck_assert_int_eq(mkdir(env.rules_dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/d.conf", env.rules_dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/z.conf", env.rules_dir);
	ck_assert_int_eq(symlink("/dev/zero", path), 0);
	snprintf(path, sizeof(path), "%s/n.conf", env.rules_dir);
	write_file(path, nul_line, sizeof(nul_line) - 1);
	ck_assert_int_eq(cli_within(5, "check-config"), 2);
	ck_assert_msg(strstr(env.err, "d.conf: not a regular file (a directory)"), "%s", env.err);
	ck_assert_msg(strstr(env.err, "z.conf: not a regular file (a device)"), "%s", env.err);
	ck_assert_msg(strstr(env.err, "n.conf:2: NUL byte in the line"), "%s", env.err);
}
END_TEST

START_TEST(second_daemon_is_refused)
{
	char args[8300], pid_line[64];
	pid_t first;

	sft_start("second", conf);
	first = env.daemon;
	snprintf(args, sizeof(args), "run --cgroup '%s'", env.cgroup);
	ck_assert_int_eq(cli_within(5, args), 1);
	snprintf(pid_line, sizeof(pid_line), "already running (pid %d", (int)first);
	ck_assert_msg(strstr(env.err, pid_line), "%s", env.err);
	/* another run dir, the same pins */
	snprintf(args, sizeof(args), "--run-dir '%s/run2' run --cgroup '%s'", env.dir, env.cgroup);
	ck_assert_int_eq(cli_within(5, args), 1);
	ck_assert_msg(strstr(env.err, "another smtpfence run enforces from"), "%s", env.err);
	/* the first one is still the one named running */
	ck_assert_int_eq(cli_within(5, "status"), 0);
	snprintf(pid_line, sizeof(pid_line), "daemon:      running, pid %d", (int)first);
	ck_assert_msg(strstr(env.out, pid_line), "%s", env.out);
}
END_TEST

START_TEST(another_attach_point_needs_move)
{
	char other[4096], args[8300], log[16384];
	int l;

	sft_start("move", conf);
	l = sft_listen("192.0.2.1", 25);
	ck_assert_int_eq(sft_cgroup_make(&env, "other", other, sizeof(other)), 0);
	sft_daemon_stop(&env, SIGTERM); /* enforcement stays, pinned at env.cgroup */
	snprintf(args, sizeof(args), "run --cgroup '%s'", other);
	ck_assert_int_eq(cli_within(5, args), 2);
	ck_assert_msg(strstr(env.err, "refusing to move it there without --move") &&
			      strstr(env.err, env.cgroup) && strstr(env.err, other),
		      "%s", env.err);
	ck_assert_int_eq(sft_connect(env.cgroup, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING),
			 EPERM);
	ck_assert_int_eq(sft_daemon_start_at(&env, other, "--move"), 0);
	sft_daemon_log(&env, log, sizeof(log));
	ck_assert_msg(strstr(log, "moving enforcement from") && strstr(log, env.cgroup), "%s", log);
	ck_assert_int_eq(sft_connect(other, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	ck_assert_int_eq(sft_connect(env.cgroup, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), 0);
	close(l);
}
END_TEST

/* A link pin removed by hand: connect4 ends (the kernel frees the link
 * soon after), connect6 and the egress backstop go on; status says so. */
START_TEST(status_reports_each_link)
{
	char pin[4200];
	int l4, l6;
	bool gone = false;

	sft_start("links", conf);
	l4 = sft_listen("192.0.2.1", 25);
	l6 = sft_listen("2001:db8::1", 25);
	snprintf(pin, sizeof(pin), "%s/link_connect4", env.pin_dir);
	ck_assert_int_eq(unlink(pin), 0);
	for (int i = 0; i < 100 && !gone; i++, usleep(20000))
		gone = cli_within(5, "status") == 0 && strstr(env.out, "connect4   not attached");
	ck_assert_msg(gone, "%s", env.out);
	ck_assert_int_eq(sft_connect(env.cgroup, TENANT, TENANT, "2001:db8::1", 25, SFT_BLOCKING),
			 EPERM);
	/* no EPERM at connect now: the backstop drops the SYN of the unjudged socket */
	ck_assert_int_eq(sft_connect(env.cgroup, TENANT, TENANT, "192.0.2.1", 25, SFT_NONBLOCK),
			 ETIMEDOUT);
	ck_assert_int_eq(cli_within(5, "status"), 0);
	ck_assert_msg(strstr(env.out, "attached:    PARTLY: no connect4 link, IPv4 connects are "
				      "not judged at connect") &&
			      strstr(env.out, "connect4   not attached") &&
			      strstr(env.out, "connect6   on ") &&
			      strstr(env.out, "egress     on "),
		      "%s", env.out);
	ck_assert_int_eq(cli_within(5, "status -j"), 0);
	ck_assert_msg(strstr(env.out, "\"hook\":\"connect4\",\"attached\":false") &&
			      strstr(env.out, "\"hook\":\"connect6\",\"attached\":true"),
		      "%s", env.out);
	snprintf(pin, sizeof(pin), "explain --uid 65534 --cgroup '%s' 192.0.2.1:25", env.cgroup);
	ck_assert_int_eq(cli_within(5, pin), 0);
	ck_assert_msg(!strncmp(env.out, "deny by default", 15) &&
			      strstr(env.out, "no connect4 link: only the egress backstop judges"),
		      "%s", env.out);
	close(l4);
	close(l6);
}
END_TEST

START_TEST(explain_agrees_with_the_kernel)
{
	char ok[4096], args[8300];
	int l;

	sft_start("explain", conf);
	l = sft_listen("192.0.2.1", 25);
	ck_assert_int_eq(sft_cgroup_make(&env, "ok", ok, sizeof(ok)), 0);
	snprintf(args, sizeof(args), "allow cgroup:%s/ok", env.cgroup_rel);
	ck_assert_int_eq(cli_within(5, args), 0);
	ck_assert_int_eq(sft_connect(ok, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), 0);
	/* the path as the shell completes it, mount in front */
	snprintf(args, sizeof(args), "explain --uid 65534 --cgroup '%s' 192.0.2.1:25", ok);
	ck_assert_int_eq(cli_within(5, args), 0);
	ck_assert_msg(!strncmp(env.out, "allow by cgroup:", 16), "%s", env.out);
	snprintf(args, sizeof(args), "explain --uid 65534 --cgroup '%s/nosuch' 192.0.2.1:25",
		 env.cgroup_rel);
	ck_assert_int_eq(cli_within(5, args), 2);
	ck_assert_msg(strstr(env.err, "no such cgroup"), "%s", env.err);
	/* outside the attach point the kernel judges nothing */
	ck_assert_int_eq(
		sft_connect(sft_cgroup_mount(), TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), 0);
	ck_assert_int_eq(cli_within(5, "explain --uid 65534 --cgroup / 192.0.2.1:25"), 0);
	ck_assert_msg(!strncmp(env.out, "allow by none: not judged: / is outside the cgroup", 48),
		      "%s", env.out);
	close(l);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("faults");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 90);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, fifo_dropin_hangs_nothing);
	tcase_add_test(tc, non_regular_or_nul_is_an_error);
	tcase_add_test(tc, second_daemon_is_refused);
	tcase_add_test(tc, another_attach_point_needs_move);
	tcase_add_test(tc, status_reports_each_link);
	tcase_add_test(tc, explain_agrees_with_the_kernel);
	return sft_run_tcase("faults", tc);
}
