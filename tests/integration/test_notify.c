// SPDX-License-Identifier: GPL-2.0-only
/* What the daemon tells systemd, read from a real NOTIFY_SOCKET in the
 * order it was sent: READY=1 only with the policy in force, RELOADING=1
 * then READY=1 around every reload (a refused one too), a STATUS= line
 * that follows the counters, WATCHDOG=1 at the asked interval, STOPPING=1
 * last, no READY=1 from a start that failed; and all of it with no more
 * capabilities than the unit grants. */
#include "harness.h"
#include "suite.h"
#include "smtpfence.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TENANT	   10001
#define TENANT_GID 20001
#define MTA	   10025
#define HOST	   "192.0.2.1"
#define UNIT_FILE  "scripts/smtpfence.service"

static const char conf[] = "[global]\nports = 25\ndefault = deny\nmax_rules = 1024\n"
			   "max_flows = 4096\n[rules]\nallow = user:10025\n";

static struct sft_env env;
static bool env_up;
static int lfd = -1;

static void setup(void)
{
	char name[32];

	/* Each test runs in its own process; a failed one leaves its files. */
	snprintf(name, sizeof(name), "notify-%d", (int)getpid());
	sft_env_setup(&env, name, conf);
	env_up = true;
	lfd = sft_listen(HOST, 25);
	ck_assert_int_ge(lfd, 0);
}

static void teardown(void)
{
	if (lfd >= 0)
		close(lfd);
	lfd = -1;
	if (env_up)
		sft_env_teardown(&env);
	env_up = false;
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	unsetenv("SMTPFENCE_BIN");
}

static int count(const char *log, const char *what)
{
	int n = 0;

	for (const char *p = log; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* Every message arriving within ms; the log keeps them in order. */
static void collect(int ms)
{
	sft_notify_wait(&env, "\x01 never sent", ms);
}

/* Position of the first `what` at or after `from` in the log, or -1. */
static long at(const char *what, long from)
{
	const char *p = strstr(env.notify_log + from, what);

	return p ? p - env.notify_log : -1;
}

static void expect_connect(uid_t uid, int want)
{
	int got = sft_connect(env.cgroup, uid, TENANT_GID, HOST, 25, SFT_BLOCKING);

	ck_assert_msg(got == want, "uid %u: connect got %d, want %d", uid, got, want);
	sft_accept_all(lfd);
}

static void start(void)
{
	ck_assert_msg(sft_daemon_start(&env) == 0, "daemon did not start: %s", env.err);
}

START_TEST(ready_only_with_the_policy_in_force)
{
	char link[PATH_MAX + 32];

	start();
	/* Freeze it the moment READY=1 arrives: whatever is not done by then
	 * was promised too early. */
	kill(env.daemon, SIGSTOP);
	ck_assert_msg(!strncmp(env.notify_log, "READY=1\nSTATUS=enforcing: ", 26),
		      "first message: %s", env.notify_log);
	ck_assert_msg(strstr(env.notify_log, "enforcing: 2 rules, 0 denied"), "%s", env.notify_log);
	snprintf(link, sizeof(link), "%s/%s", env.pin_dir, SF_LINK_CONNECT4);
	ck_assert_int_eq(access(link, F_OK), 0);
	expect_connect(TENANT, EPERM);
	expect_connect(MTA, 0);
	kill(env.daemon, SIGCONT);
}
END_TEST

START_TEST(status_follows_the_counters)
{
	start();
	for (int i = 0; i < 3; i++)
		expect_connect(TENANT, EPERM);
	/* Sent when it changes, at most once a second. */
	ck_assert_msg(sft_notify_wait(&env, "STATUS=enforcing: 2 rules, 3 denied, 0 limited", 3000),
		      "%s", env.notify_log);
	ck_assert_int_eq(count(env.notify_log, "READY=1"), 1);
}
END_TEST

START_TEST(watchdog_pings_at_half_the_interval)
{
	setenv("WATCHDOG_USEC", "500000", 1);
	start();
	env.notify_log[0] = '\0';
	collect(1500);
	/* every 250 ms, the loop's tick: 5 or 6 in 1.5 s; none twice as often */
	int n = count(env.notify_log, "WATCHDOG=1");

	ck_assert_msg(n >= 4 && n <= 7, "%d pings in 1.5 s: %s", n, env.notify_log);
	sft_daemon_stop(&env, SIGTERM);

	/* A watchdog meant for another process is not this one's. */
	setenv("WATCHDOG_PID", "1", 1);
	start();
	collect(1000);
	ck_assert_int_eq(count(env.notify_log, "WATCHDOG=1"), 0);
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	sft_daemon_stop(&env, SIGTERM);
	start();
	collect(1000);
	ck_assert_int_eq(count(env.notify_log, "WATCHDOG=1"), 0);
}
END_TEST

/* RELOADING=1 (with MONOTONIC_USEC) comes first, READY=1 after it. */
static void expect_reload_bracket(const char *how)
{
	long r, ready;

	ck_assert_msg(sft_notify_wait(&env, "READY=1", 5000), "%s: %s", how, env.notify_log);
	r = at("RELOADING=1\nMONOTONIC_USEC=", 0);
	ready = at("READY=1", 0);
	ck_assert_msg(r >= 0 && ready > r, "%s: %s", how, env.notify_log);
	ck_assert_int_eq(count(env.notify_log, "RELOADING=1"), 1);
}

START_TEST(reload_is_bracketed)
{
	char where[64];
	int lines = 0;
	FILE *f;

	start();
	env.notify_log[0] = '\0';
	kill(env.daemon, SIGHUP);
	expect_reload_bracket("SIGHUP");

	/* ExecReload= runs `smtpfence reload`, which signals the daemon. */
	env.notify_log[0] = '\0';
	ck_assert_int_eq(sft_cli(&env, "reload"), 0);
	expect_reload_bracket("smtpfence reload");

	/* A bad file: the CLI names it, the daemon keeps its policy and still
	 * says READY=1 (systemd would wait in "reloading" for ever). */
	f = fopen(env.config, "a+e");
	ck_assert_ptr_nonnull(f);
	for (int c; (c = fgetc(f)) != EOF;)
		lines += c == '\n';
	fseek(f, 0, SEEK_END);
	fputs("deny = nobody:x\n", f);
	fclose(f);
	ck_assert_int_eq(sft_cli(&env, "reload"), 2);
	snprintf(where, sizeof(where), "smtpfence.conf:%d: unknown target kind", lines + 1);
	ck_assert_msg(strstr(env.err, where), "%s", env.err);
	env.notify_log[0] = '\0';
	kill(env.daemon, SIGHUP);
	expect_reload_bracket("refused reload");
	ck_assert_msg(strstr(env.notify_log, "last reload refused"), "%s", env.notify_log);
	ck_assert_int_eq(waitpid(env.daemon, NULL, WNOHANG), 0);
	expect_connect(TENANT, EPERM);
	expect_connect(MTA, 0);
}
END_TEST

START_TEST(stopping_is_the_last_word)
{
	int status;

	start();
	env.notify_log[0] = '\0';
	status = sft_daemon_stop(&env, SIGTERM);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	collect(300);
	ck_assert_msg(!strncmp(env.notify_log, "STOPPING=1", 10), "%s", env.notify_log);
	ck_assert_int_eq(count(env.notify_log, "|"), 1);
	/* and enforcement stays */
	expect_connect(TENANT, EPERM);
}
END_TEST

START_TEST(failed_start_is_never_ready)
{
	FILE *f = fopen(env.config, "ae");

	ck_assert_ptr_nonnull(f);
	fputs("frobnicate = user:x\n", f);
	fclose(f);
	ck_assert_int_eq(sft_daemon_start(&env), -1);
	ck_assert_msg(!strstr(env.notify_log, "READY=1"), "%s", env.notify_log);
	ck_assert_msg(strstr(env.notify_log, "STATUS=failed to start: bad configuration\nERRNO=22"),
		      "%s", env.notify_log);
	/* exit status 2: the unit's RestartPreventExitStatus= */
	ck_assert_int_eq(sft_cli(&env, "run --cgroup %s", env.cgroup), 2);
	expect_connect(TENANT, 0);
}
END_TEST

/* CapabilityBoundingSet= of the unit, as setpriv(1) wants it. */
static void unit_capabilities(char *out, size_t len)
{
	char line[512];
	FILE *f = fopen(UNIT_FILE, "re");
	size_t n = (size_t)snprintf(out, len, "-all");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "CapabilityBoundingSet=", 22))
			continue;
		for (char *w = strtok(line + 22, " \n"); w; w = strtok(NULL, " \n")) {
			ck_assert_msg(!strncmp(w, "CAP_", 4), "unexpected word %s", w);
			n += (size_t)snprintf(out + n, len - n, ",+");
			for (const char *c = w + 4; *c && n + 1 < len; c++)
				out[n++] = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
			out[n] = '\0';
		}
	}
	fclose(f);
	ck_assert_msg(strlen(out) > 4, "no CapabilityBoundingSet= in %s", UNIT_FILE);
}

/* How many capabilities the process has in effect (CapEff). */
static int effective_caps(pid_t pid)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &mask) == 1)
			break;
	fclose(f);
	return __builtin_popcountll(mask);
}

START_TEST(runs_with_only_the_units_capabilities)
{
	char caps[256], wrapper[PATH_MAX + 16], cwd[PATH_MAX];
	FILE *f;

	unit_capabilities(caps, sizeof(caps));
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	snprintf(wrapper, sizeof(wrapper), "%s/smtpfence-capped", env.dir);
	f = fopen(wrapper, "we");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"#!/bin/sh\nexec setpriv --no-new-privs --bounding-set %s --inh-caps -all -- "
		"%s/build/smtpfence \"$@\"\n",
		caps, cwd);
	fclose(f);
	chmod(wrapper, 0755);
	setenv("SMTPFENCE_BIN", wrapper, 1);
	start();
	ck_assert_int_eq(effective_caps(env.daemon), count(caps, ",+"));
	expect_connect(TENANT, EPERM);
	expect_connect(MTA, 0);
	env.notify_log[0] = '\0';
	ck_assert_int_eq(sft_cli(&env, "reload"), 0);
	expect_reload_bracket("reload with the unit's capabilities");
	ck_assert_int_eq(sft_cli(&env, "allow user:%d --runtime", TENANT), 0);
	expect_connect(TENANT, 0);
	ck_assert_int_eq(WEXITSTATUS(sft_daemon_stop(&env, SIGTERM)), 0);
	/* the upgrade path: re-adopting the pinned links and maps; without
	 * CAP_SYS_ADMIN no BTF can be read, and that is no reason to migrate */
	start();
	expect_connect(TENANT, 0);
	char text[8192];

	sft_daemon_log(&env, text, sizeof(text));
	ck_assert_msg(!strstr(text, "migrat"), "%s", text);
	printf("notify: daemon ran with capabilities %s\n", caps);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("sd_notify");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ready_only_with_the_policy_in_force);
	tcase_add_test(tc, status_follows_the_counters);
	tcase_add_test(tc, watchdog_pings_at_half_the_interval);
	tcase_add_test(tc, reload_is_bracketed);
	tcase_add_test(tc, stopping_is_the_last_word);
	tcase_add_test(tc, failed_start_is_never_ready);
	tcase_add_test(tc, runs_with_only_the_units_capabilities);
	return sft_run_tcase("notify", tc);
}
