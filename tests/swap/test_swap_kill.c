// SPDX-License-Identifier: GPL-2.0-only
/* SIGKILL of the CLI or of the daemon at any moment of a 50,000 -> 50,000
 * rule change (issue 12 item 4). After each kill the kernel judges four
 * probe tenants (real connects) all by the old policy or all by the new
 * one, `rules -j` says the same, `status` tells an interrupted change, and
 * the next command (or daemon start) completes it or rolls it back. Half
 * the kills fall at a random moment of the command, half at a random
 * moment after the change started writing the kernel (seen in sf_gen).
 * The CLI's change is a reload (which reads the kernel's table back) or,
 * every other pair of kills, `default allow` (the files' policy again
 * through the kernel cache: only what differs is read and written), where
 * the two policies share their filler rules and differ in a few. */
#include "fixture.h"
#include "suite.h"
#include "swap_policy.h"
#include "smtpfence.h"

#include <bpf/bpf.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* At most this many kills, within this many seconds (the group stays
 * under three minutes on a loaded machine), and at least MIN_KILLS. */
#define CLI_KILLS      24
#define CLI_SECONDS    80
#define DAEMON_KILLS   10
#define DAEMON_SECONDS 60
#define MIN_KILLS      6

struct tally {
	int kills, by_old, by_new, interrupted, in_change;
};

static struct swap_tenants t;
static int drain_fd = -1;
static pid_t drainer;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *binary(void)
{
	const char *b = getenv("SMTPFENCE_BIN");

	return b ? b : "build/smtpfence";
}

/* The pinned journal, mapped; NULL where there is none (a build without
 * generations). */
static volatile struct sf_gen *journal(void)
{
	char path[PATH_MAX + 16];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", env.pin_dir, "sf_gen");
	fd = bpf_obj_get(path);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* The command that applies the files: reload, or a change through the
 * kernel cache. */
static const char *change_of(int i)
{
	return (i / 2) % 2 ? "default allow" : "reload";
}

static pid_t spawn_change(const char *change)
{
	char args[64];
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		snprintf(args, sizeof(args), "%s", change);
		char *word2 = strchr(args, ' ');

		if (word2)
			*word2++ = '\0';
		execl(binary(), "smtpfence", "--pin-dir", env.pin_dir, "--config", env.config,
		      "--run-dir", env.run_dir, args, word2, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Sleeps a random part of `span` seconds, or, every other time, waits for
 * the change to start writing the kernel and then a random part of what a
 * change takes. Returns whether the kill falls inside a change. */
static bool wait_for_moment(int i, double span, pid_t target)
{
	volatile struct sf_gen *g = journal();
	bool in_change = false;

	if (g && i % 2) {
		double until = now_s() + 3 * span;

		while (now_s() < until && g->state == SF_GEN_IDLE &&
		       !waitpid(target, NULL, WNOHANG))
			;
		in_change = g->state != SF_GEN_IDLE;
		span /= 4;
	}
	usleep((useconds_t)(span * 1e6 * (double)rand() / RAND_MAX));
	in_change = in_change && g->state != SF_GEN_IDLE;
	if (g)
		munmap((void *)g, 4096);
	return in_change;
}

/* Whatever the kill left: one policy, the same in rules -j; an unfinished
 * change is said by status. */
static int check_after_kill(int from, struct tally *n)
{
	char seen[256];
	int by = swap_judged_by(&t, seen, sizeof(seen));
	int said = swap_rules_say(&env, &t);

	n->kills++;
	ck_assert_msg(by >= 0, "kill %d: the kernel mixes the two policies: %s", n->kills, seen);
	ck_assert_msg(said == by, "kill %d: rules -j says policy %d, the kernel judges by %d (%s)",
		      n->kills, said, by, seen);
	if (by == from)
		n->by_old++;
	else
		n->by_new++;
	ck_assert_int_eq(sft_cli(&env, "-j status | jq -c .generation"), 0);
	if (strstr(env.out, "\"interrupted\":true")) {
		n->interrupted++;
		ck_assert_msg(strstr(env.out, "\"pending\":true"), "%s", env.out);
	}
	return by;
}

static void check_resolved(int to, const char *after)
{
	char seen[256];

	ck_assert_msg(swap_judged_by(&t, seen, sizeof(seen)) == to,
		      "after %s the kernel does not judge by the new policy: %s", after, seen);
	ck_assert_int_eq(swap_rules_say(&env, &t), to);
	ck_assert_int_eq(sft_cli(&env, "-j status | jq -c .generation"), 0);
	ck_assert_msg(strstr(env.out, "\"pending\":false"), "%s", env.out);
}

static double setup(const char *name)
{
	double t0;

	sft_start(name, SWAP_CONFIG);
	swap_tenants_make(&env, &t);
	swap_policy_write(&env, &t, 0);
	sft_cli_ok("reload");
	drain_fd = sft_listen(SWAP_HOST, SWAP_PORT);
	drainer = swap_drain_start(drain_fd);
	swap_policy_write(&env, &t, 1);
	t0 = now_s();
	sft_cli_ok("reload");
	return now_s() - t0; /* what one change takes, from the command's start */
}

static void done(const char *what, const struct tally *n)
{
	printf("%s: %d kills, %d inside a change; after them the kernel judged by the old "
	       "policy %d times, by the new %d times, never a mix; status said interrupted %d "
	       "times\n",
	       what, n->kills, n->in_change, n->by_old, n->by_new, n->interrupted);
	swap_drain_stop(drainer);
	close(drain_fd);
}

START_TEST(cli_killed_anytime)
{
	double span = setup("swap_kill_cli");
	struct tally n = {};
	int cur = 1;

	double until = now_s() + CLI_SECONDS;

	srand(12);
	for (int i = 0; i < CLI_KILLS && (i < MIN_KILLS || now_s() < until); i++) {
		int to = !cur;
		pid_t pid;

		swap_policy_share_fillers(strcmp(change_of(i), "reload"));
		swap_policy_write(&env, &t, to);
		pid = spawn_change(change_of(i));
		n.in_change += wait_for_moment(i, span, pid);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		sft_notify_drain(&env);
		check_after_kill(cur, &n);
		/* The next command finds what was left and completes its own. */
		sft_cli_ok(change_of(i + 1));
		check_resolved(to, change_of(i + 1));
		cur = to;
	}
	done("CLI", &n);
	ck_assert_int_gt(n.in_change, 0);
	ck_assert_int_gt(n.interrupted, 0);
}
END_TEST

START_TEST(daemon_killed_anytime)
{
	double span = setup("swap_kill_daemon");
	struct tally n = {};
	int cur = 1;

	double until = now_s() + DAEMON_SECONDS;

	srand(34);
	for (int i = 0; i < DAEMON_KILLS && (i < MIN_KILLS || now_s() < until); i++) {
		int to = !cur;

		swap_policy_write(&env, &t, to);
		sft_notify_drain(&env);
		kill(env.daemon, SIGHUP);
		n.in_change += wait_for_moment(i, span, env.daemon);
		sft_daemon_stop(&env, SIGKILL);
		check_after_kill(cur, &n);
		/* The next start finds what was left and applies the files. */
		ck_assert_int_eq(sft_daemon_start(&env), 0);
		check_resolved(to, "the daemon's start");
		cur = to;
	}
	done("daemon", &n);
	ck_assert_int_gt(n.in_change, 0);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("swap_kill");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 170);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, cli_killed_anytime);
	tcase_add_test(tc, daemon_killed_anytime);
	return sft_run_tcase("swap_kill", tc);
}
