// SPDX-License-Identifier: GPL-2.0-only
/* Tenant policy management on the real kernel: rate limits, explain against
 * real verdicts, whole-or-nothing reloads under load, persistence, unit
 * targets that come and go, concurrent CLI changes, check-config. */
#include "fixture.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TENANT 10001
#define OTHER  10002

static const char base_conf[] = "[global]\nports = 25 587\ndefault = deny\n"
				"exempt = 198.51.100.0/24\n";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long status_field(const char *key)
{
	char pat[64];
	const char *p;

	ck_assert_int_eq(sft_cli(&env, "status -j"), 0);
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(env.out, pat);
	ck_assert_msg(p, "no %s in %s", key, env.out);
	return strtol(p + strlen(pat), NULL, 10);
}

/* Exactly `burst` of 20 rapid connects pass, from 4 processes at once. */
START_TEST(rate_limit_exact_under_concurrency)
{
	int go[2], l;
	pid_t kids[4];
	int passed = 0;

	sft_start("limit", base_conf);
	l = sft_listen("192.0.2.1", 25);
	sft_cli_ok("limit user:10001 5/min burst 5");
	ck_assert_int_eq(pipe(go), 0);
	for (int k = 0; k < 4; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			char c;
			int ok = 0;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(255);
			for (int i = 0; i < 5; i++)
				ok += sft_connect(env.cgroup, TENANT, TENANT, "192.0.2.1", 25,
						  SFT_BLOCKING) == 0;
			_exit(ok);
		}
	}
	close(go[0]);
	close(go[1]); /* all four start now */
	for (int k = 0; k < 4; k++) {
		int status;

		waitpid(kids[k], &status, 0);
		ck_assert(WIFEXITED(status));
		passed += WEXITSTATUS(status);
	}
	ck_assert_int_eq(passed, 5);
	ck_assert_int_eq(sft_accept_all(l), 5);
	ck_assert_int_eq(status_field("limited"), 15);
	ck_assert_int_eq(status_field("allowed"), 5);
	ck_assert_int_eq(status_field("denied"), 0);
	/* over-limit connects see the deny errno */
	ck_assert_int_eq(sft_connect(env.cgroup, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING),
			 EPERM);
}
END_TEST

/* explain's verdict equals the kernel's for every case of a table. */
START_TEST(explain_matches_kernel)
{
	static const struct {
		const char *cg; /* below the env cgroup */
		unsigned int uid, gid;
		const char *host;
		int port;
		const char *rule; /* the rule explain must name */
	} cases[] = {
		{"tenants/acme/web", OTHER, OTHER, "192.0.2.1", 25, "cgroup:"},
		{"tenants/acme/cron", TENANT, TENANT, "192.0.2.1", 25, "cgroup:"},
		{"tenants/beta", TENANT, TENANT, "192.0.2.1", 25, "user:10001"},
		{"tenants/beta", OTHER, 20002, "192.0.2.1", 587, "group:20002"},
		{"tenants/beta", OTHER, OTHER, "192.0.2.1", 25, "default"},
		{"tenants/beta", OTHER, OTHER, "198.51.100.1", 25, "dest:198.51.100.0/24"},
		{"tenants/beta", OTHER, OTHER, "192.0.2.1", 8080, "none"},
		{"tenants/acme", TENANT, TENANT, "2001:db8::1", 25, "cgroup:"},
		{"tenants/beta", TENANT, TENANT, "2001:db8::1", 25, "user:10001"},
	};
	char abs[4096];
	int ls[3] = {sft_listen("192.0.2.1", 25), sft_listen("192.0.2.1", 587),
		     sft_listen("192.0.2.1", 8080)};

	sft_start("explain", base_conf);
	int l6 = sft_listen("2001:db8::1", 25), lx = sft_listen("198.51.100.1", 25);

	sft_cgroup_make(&env, "tenants/acme/web", abs, sizeof(abs));
	sft_cgroup_make(&env, "tenants/acme/cron", abs, sizeof(abs));
	sft_cgroup_make(&env, "tenants/beta", abs, sizeof(abs));
	ck_assert_int_eq(sft_cli(&env, "deny cgroup:%s/tenants/acme", env.cgroup_rel), 0);
	ck_assert_int_eq(sft_cli(&env, "allow cgroup:%s/tenants/acme/web", env.cgroup_rel), 0);
	sft_cli_ok("allow user:10001");
	sft_cli_ok("log group:20002");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dest[64];
		int rc, got;

		snprintf(abs, sizeof(abs), "%s/%s", env.cgroup, cases[i].cg);
		snprintf(dest, sizeof(dest), strchr(cases[i].host, ':') ? "[%s]:%d" : "%s:%d",
			 cases[i].host, cases[i].port);
		rc = sft_cli(&env, "explain -j --uid %u --gid %u --cgroup %s/%s %s", cases[i].uid,
			     cases[i].gid, env.cgroup_rel, cases[i].cg, dest);
		ck_assert_msg(rc == 0, "explain: %s", env.err);
		got = sft_connect(abs, cases[i].uid, cases[i].gid, cases[i].host, cases[i].port,
				  SFT_BLOCKING);
		bool says_allow = strstr(env.out, "\"verdict\":\"allow\"") ||
				  strstr(env.out, "\"verdict\":\"log\"");

		ck_assert_msg(says_allow == (got == 0), "case %zu: explain says %s, kernel: %s", i,
			      env.out, got ? strerror(got) : "connected");
		ck_assert_msg(strstr(env.out, cases[i].rule), "case %zu: %s lacks rule %s", i,
			      env.out, cases[i].rule);
	}
	/* --pid reads a live process's identity */
	ck_assert_int_eq(sft_cli(&env, "explain --pid %d 192.0.2.1:25", (int)getpid()), 0);
	ck_assert_msg(strstr(env.out, "uid 0"), "%s", env.out);
	/* bad input: exit 2 naming the word */
	ck_assert_int_eq(sft_cli(&env, "explain --uid 1 192.0.2.1"), 2);
	ck_assert_msg(strstr(env.err, "invalid destination '192.0.2.1'"), "%s", env.err);
	ck_assert_int_eq(sft_cli(&env, "explain --uid nosuchuserxyz 192.0.2.1:25"), 2);
	ck_assert_msg(strstr(env.err, "unknown user 'nosuchuserxyz'"), "%s", env.err);
	ck_assert_int_eq(sft_cli(&env, "explain --pid 1 --uid 3 192.0.2.1:25"), 2);
	for (int i = 0; i < 3; i++)
		close(ls[i]);
	close(l6);
	close(lx);
}
END_TEST

static void write_bulk(const char *name, unsigned int first, unsigned int count,
		       unsigned int bad_at)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", env.rules_dir, name);
	mkdir(env.rules_dir, 0755);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[rules]\n");
	for (unsigned int i = 0; i < count; i++) {
		if (i + 2 == bad_at)
			fprintf(f, "allow = user:\n");
		else
			fprintf(f, "allow = user:%u\n", first + i);
	}
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(bad_reload_changes_nothing)
{
	sft_start("bad_reload", base_conf);
	int l = sft_listen("192.0.2.1", 25);

	write_bulk("bulk.conf", 200000, 10000, 0);
	sft_cli_ok("reload");
	ck_assert_int_eq(status_field("rules"), 10001);
	ck_assert_int_eq(sft_connect(env.cgroup, 205000, 1, "192.0.2.1", 25, SFT_BLOCKING), 0);
	/* line 5001 of 10,001 is bad: nothing of the new file applies */
	write_bulk("bulk.conf", 300000, 10000, 5001);
	ck_assert_int_eq(sft_cli(&env, "reload"), 2);
	ck_assert_msg(strstr(env.err, "rules.d/bulk.conf:5001: invalid target 'user:'"), "%s",
		      env.err);
	ck_assert_msg(strstr(env.err, "policy in force is unchanged"), "%s", env.err);
	ck_assert_int_eq(status_field("rules"), 10001);
	ck_assert_int_eq(sft_connect(env.cgroup, 205000, 1, "192.0.2.1", 25, SFT_BLOCKING), 0);
	ck_assert_int_eq(sft_connect(env.cgroup, 305000, 1, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	/* the daemon refuses the same on SIGHUP and keeps running */
	kill(env.daemon, SIGHUP);
	ck_assert(sft_notify_wait(&env, "RELOADING=1", 5000));
	ck_assert(sft_notify_wait_n(&env, "READY=1", 2, 5000));
	ck_assert_int_eq(status_field("rules"), 10001);
	ck_assert_int_eq(kill(env.daemon, 0), 0);
	ck_assert_int_eq(sft_connect(env.cgroup, 205000, 1, "192.0.2.1", 25, SFT_BLOCKING), 0);
	close(l);
}
END_TEST

/* While 100,000 rules are reloaded (half replaced), connects covered by
 * unchanged rules never fail and denied ones never pass. */
START_TEST(big_reload_never_drops_unchanged_rules)
{
	int stop[2], counts[2];
	pid_t loop;
	double t0, t1;

	sft_start("big_reload", base_conf);
	int l = sft_listen("192.0.2.1", 25);

	write_bulk("a.conf", 300000, 50000, 0);
	write_bulk("b.conf", 350000, 49999, 0);
	sft_cli_ok("allow user:10001");
	sft_cli_ok("reload");
	ck_assert_int_eq(status_field("rules"), 100001);
	ck_assert_int_eq(pipe(stop), 0);
	ck_assert_int_eq(pipe(counts), 0);
	loop = fork();
	if (loop == 0) {
		long ok = 0, bad = 0;
		char c;

		close(stop[1]);
		fcntl(stop[0], F_SETFL, O_NONBLOCK);
		while (read(stop[0], &c, 1) < 0) {
			bad += sft_connect(env.cgroup, TENANT, TENANT, "192.0.2.1", 25,
					   SFT_BLOCKING) != 0;
			bad += sft_connect(env.cgroup, 370000, 1, "192.0.2.1", 25, SFT_BLOCKING) !=
			       0;
			bad += sft_connect(env.cgroup, OTHER, OTHER, "192.0.2.1", 25,
					   SFT_BLOCKING) != EPERM;
			ok += 3;
			sft_accept_all(l);
		}
		dprintf(counts[1], "%ld %ld\n", ok, bad);
		_exit(0);
	}
	close(stop[0]);
	usleep(200000);
	write_bulk("a.conf", 400000, 50000, 0); /* 50,000 replaced, 50,000 kept */
	t0 = now_s();
	sft_cli_ok("reload");
	t1 = now_s();
	usleep(200000);
	close(stop[1]);
	waitpid(loop, NULL, 0);
	long ok = 0, bad = 0;
	char buf[64] = "";

	ck_assert_int_gt(read(counts[0], buf, sizeof(buf) - 1), 0);
	sscanf(buf, "%ld %ld", &ok, &bad);
	printf("big reload: 100,001 rules, 50,000 replaced in %.3f s; %ld connects during it, %ld "
	       "wrong\n",
	       t1 - t0, ok, bad);
	ck_assert_int_gt(ok, 30);
	ck_assert_int_eq(bad, 0);
	ck_assert_int_eq(status_field("rules"), 100001);
	ck_assert_int_eq(sft_connect(env.cgroup, 420000, 1, "192.0.2.1", 25, SFT_BLOCKING), 0);
	ck_assert_int_eq(sft_connect(env.cgroup, 320000, 1, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	close(l);
}
END_TEST

START_TEST(cli_changes_persist_runtime_ones_do_not)
{
	char path[4200], text[4096] = "";
	FILE *f;

	sft_start("persist", base_conf);
	int l = sft_listen("192.0.2.1", 25);

	sft_cli_ok("allow user:10001");
	sft_cli_ok("allow user:10003 --runtime");
	snprintf(path, sizeof(path), "%s/user-10001.conf", env.rules_dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
	fclose(f);
	ck_assert_msg(strstr(text, "[rules]\nallow = user:10001\n"), "%s", text);
	/* a limit replaces the allow in place */
	sft_cli_ok("limit user:10001 3/min burst 4");
	f = fopen(path, "r");
	text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
	fclose(f);
	ck_assert_msg(strstr(text, "limit = user:10001 3/min burst 4\n") &&
			      !strstr(text, "allow ="),
		      "%s", text);
	/* a daemon restart keeps both; a reboot (unload, /run emptied) keeps only the file */
	sft_daemon_stop(&env, SIGTERM);
	ck_assert_int_eq(sft_daemon_start(&env), 0);
	ck_assert_int_eq(sft_connect(env.cgroup, 10003, 1, "192.0.2.1", 25, SFT_BLOCKING), 0);
	sft_daemon_stop(&env, SIGTERM);
	sft_cli_ok("unload");
	snprintf(path, sizeof(path), "rm -rf '%s'", env.run_dir);
	ck_assert_int_eq(system(path), 0);
	ck_assert_int_eq(sft_daemon_start(&env), 0);
	ck_assert_int_eq(sft_connect(env.cgroup, 10003, 1, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	ck_assert_int_eq(sft_cli(&env, "rules"), 0);
	ck_assert_msg(strstr(env.out, "limit 3/min burst 4"), "%s", env.out);
	/* unset removes it from the file */
	sft_cli_ok("unset user:10001");
	ck_assert_int_eq(sft_connect(env.cgroup, TENANT, 1, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	ck_assert_int_eq(sft_cli(&env, "check-config"), 0);
	ck_assert_msg(strstr(env.out, "ok, 0 rules and the default"), "%s", env.out);
	close(l);
}
END_TEST

static bool enforced_within(const char *cg, int want, double seconds, double *took)
{
	double t0 = now_s();

	while (now_s() - t0 < seconds) {
		if (sft_connect(cg, OTHER, OTHER, "192.0.2.1", 25, SFT_BLOCKING) == want) {
			*took = now_s() - t0;
			return true;
		}
		usleep(20000);
	}
	return false;
}

/* unit: rules resolve by systemd's naming rules (from units_root, this
 * test's cgroup), wait while pending, and follow the unit when its cgroup
 * is made anew (a new id). */
START_TEST(unit_targets_pending_and_recreated)
{
	char unit[64], abs[4096], parent[4096], text[8192];
	double took;

	snprintf(unit, sizeof(unit), "tenants-sft%dacme.slice", (int)getpid());
	sft_env_setup(&env, "units", NULL);
	sft_mark_up();
	snprintf(text, sizeof(text),
		 "[global]\nrules_dir = %s\nports = 25\ndefault = deny\nunits_root = %s\n",
		 env.rules_dir, env.cgroup_rel);
	write_text(env.config, text);
	ck_assert_int_eq(sft_daemon_start(&env), 0);
	int l = sft_listen("192.0.2.1", 25);

	sft_cgroup_make(&env, "tenants.slice", parent, sizeof(parent));
	ck_assert_int_eq(sft_cli(&env, "allow unit:%s", unit), 0);
	ck_assert_int_eq(sft_cli(&env, "rules"), 0);
	ck_assert_msg(strstr(env.out, "pending"), "%s", env.out);
	snprintf(abs, sizeof(abs), "%s/%s", parent, unit);
	ck_assert_int_eq(mkdir(abs, 0755), 0);
	ck_assert_msg(enforced_within(abs, 0, 1.0, &took), "pending unit not enforced within 1 s");
	printf("pending unit enforced %.3f s after its cgroup appeared\n", took);
	/* made anew: a new cgroup id, the rule follows within a second */
	ck_assert_int_eq(rmdir(abs), 0);
	ck_assert_int_eq(mkdir(abs, 0755), 0);
	ck_assert_msg(enforced_within(abs, 0, 1.0, &took),
		      "recreated unit not enforced within 1 s");
	printf("recreated unit enforced %.3f s after it was made anew\n", took);
	/* a cgroup: path rule follows the same way */
	char path_cg[4096];

	sft_cgroup_make(&env, "tenants.slice/other", path_cg, sizeof(path_cg));
	ck_assert_int_eq(sft_cli(&env, "allow cgroup:%s/tenants.slice/other", env.cgroup_rel), 0);
	ck_assert_int_eq(sft_connect(path_cg, OTHER, OTHER, "192.0.2.1", 25, SFT_BLOCKING), 0);
	ck_assert_int_eq(rmdir(path_cg), 0);
	ck_assert_int_eq(mkdir(path_cg, 0755), 0);
	ck_assert_msg(enforced_within(path_cg, 0, 1.0, &took),
		      "recreated cgroup not enforced within 1 s");
	printf("recreated cgroup enforced %.3f s after it was made anew\n", took);
	close(l);
}
END_TEST

START_TEST(concurrent_cli_changes_all_land)
{
	pid_t kids[20];

	sft_start("concurrent", base_conf);
	for (int i = 0; i < 20; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			struct sft_env mine = env;

			_exit(sft_cli(&mine, "allow user:%d", 50000 + i));
		}
	}
	for (int i = 0; i < 20; i++) {
		int status;

		waitpid(kids[i], &status, 0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_int_eq(sft_cli(&env, "rules -j"), 0);
	for (int i = 0; i < 20; i++) {
		char want[96];

		snprintf(want, sizeof(want),
			 "\"target\":\"user:%d\",\"action\":\"allow\",\"state\":"
			 "\"active\"",
			 50000 + i);
		ck_assert_msg(strstr(env.out, want), "missing %s in %s", want, env.out);
	}
	ck_assert_int_eq(status_field("rules"), 21);
	ck_assert_int_eq(sft_cli(&env, "check-config"), 0);
}
END_TEST

START_TEST(check_config_reports_every_problem)
{
	char text[2048], path[4200];

	sft_env_setup(&env, "check", NULL);
	sft_mark_up();
	snprintf(text, sizeof(text),
		 "[global]\nrules_dir = %s\nports = 25 65536\nmax_rules = 10\n[rules]\n"
		 "allow = user:nosuchuserxyz\ndeny = group:nosuchgroupxyz\nallow = user:0\n",
		 env.rules_dir);
	write_text(env.config, text);
	mkdir(env.rules_dir, 0755);
	snprintf(path, sizeof(path), "%s/acme.conf", env.rules_dir);
	write_text(path, "[rules]\nlimit = user:root 5/min\nallow = user:nobody\n");
	ck_assert_int_eq(sft_cli(&env, "check-config"), 2);
	ck_assert_msg(strstr(env.err, "smtpfence.conf:3: invalid port '65536'"), "%s", env.err);
	/* syntax first: the semantic check runs on a file that parses */
	write_text(env.config, strstr(text, "ports") ? "" : text);
	snprintf(text, sizeof(text),
		 "[global]\nrules_dir = %s\nports = 25\n[rules]\n"
		 "allow = user:nosuchuserxyz\ndeny = group:nosuchgroupxyz\nallow = user:0\n",
		 env.rules_dir);
	write_text(env.config, text);
	ck_assert_int_eq(sft_cli(&env, "check-config"), 2);
	ck_assert_msg(strstr(env.err, "smtpfence.conf:5: unknown user 'nosuchuserxyz'"), "%s",
		      env.err);
	ck_assert_msg(strstr(env.err, "smtpfence.conf:6: unknown group 'nosuchgroupxyz'"), "%s",
		      env.err);
	ck_assert_msg(strstr(env.err, "acme.conf:2: user:root is the same user as user:0 at"), "%s",
		      env.err);
	/* a drop-in alone fixes nothing: the reload path refuses it the same way */
	ck_assert_int_eq(sft_cli(&env, "reload"), 2);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("policy");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, rate_limit_exact_under_concurrency);
	tcase_add_test(tc, explain_matches_kernel);
	tcase_add_test(tc, bad_reload_changes_nothing);
	tcase_add_test(tc, big_reload_never_drops_unchanged_rules);
	tcase_add_test(tc, cli_changes_persist_runtime_ones_do_not);
	tcase_add_test(tc, unit_targets_pending_and_recreated);
	tcase_add_test(tc, concurrent_cli_changes_all_land);
	tcase_add_test(tc, check_config_reports_every_problem);
	return sft_run_tcase("policy", tc);
}
