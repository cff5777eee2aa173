// SPDX-License-Identifier: GPL-2.0-only
/* unit: targets against tenants. A tenant with a delegated cgroup makes a
 * cgroup named after a unit the policy allows and moves in: it must not get
 * the unit's verdict (naming rules, never inside a delegated subtree). Two
 * cgroups that could be one unit are refused, naming both. A slice is found
 * where systemd puts it. And a tenant's 38-level-deep cgroup named after a
 * pending unit blocks no change, reload or rescan. systemd is not PID 1
 * here: units_root (this test's cgroup) selects the naming rules. */
#include "fixture.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define TENANT 65534

static int listener;

/* rules may name the test's cgroup (relative) as {CG}. */
static void start_units(const char *name, const char *rules_in)
{
	char rules[4096], text[8192];
	const char *cg = strstr(rules_in, "{CG}");
	FILE *f;

	sft_env_setup(&env, name, NULL);
	sft_mark_up();
	if (cg)
		snprintf(rules, sizeof(rules), "%.*s%s%s", (int)(cg - rules_in), rules_in,
			 env.cgroup_rel, cg + 4);
	else
		snprintf(rules, sizeof(rules), "%s", rules_in);
	snprintf(text, sizeof(text),
		 "[global]\nrules_dir = %s\nports = 25\ndefault = deny\nmetrics_address = off\n"
		 "units_root = %s\n[rules]\n%s",
		 env.rules_dir, env.cgroup_rel, rules);
	f = fopen(env.config, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(sft_daemon_start(&env), 0);
	listener = sft_listen("192.0.2.1", 25);
	ck_assert_int_ge(listener, 0);
}

static void root_cgroup(const char *sub, char *abs, size_t len)
{
	ck_assert_int_eq(sft_cgroup_make(&env, sub, abs, len), 0);
}

/* Delegated as systemd does it: the directory and its control files are
 * the tenant's. */
static void delegate(const char *abs, uid_t uid)
{
	static const char *const files[] = {"", "/cgroup.procs", "/cgroup.subtree_control",
					    "/cgroup.threads"};
	char path[4200];

	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", abs, files[i]);
		ck_assert_int_eq(chown(path, uid, uid), 0);
	}
}

/* mkdir -p as the tenant (what it can do in its delegated subtree). */
static void tenant_mkdir(const char *path)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char buf[4200];

		if (sft_become(TENANT, TENANT))
			_exit(SFT_CHILD_FAILED);
		snprintf(buf, sizeof(buf), "%s", path);
		for (char *p = buf + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
		_exit(mkdir(buf, 0755) ? errno : 0);
	}
	ck_assert_int_eq(sft_wait_child(pid), 0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits up to `seconds` for connects from cg to get `want`; the daemon
 * rescans within 250 ms of a cgroup being made. */
static bool verdict_within(const char *cg, int want, double seconds)
{
	double t0 = now_s();

	do {
		if (sft_connect(cg, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING) == want)
			return true;
		usleep(50000);
	} while (now_s() - t0 < seconds);
	return false;
}

START_TEST(tenant_cannot_take_over_a_unit)
{
	char sys[4096], deleg[4096], fake[4200], ct[4096], real[4200];

	start_units("takeover", "allow = unit:victim.service\n"
				"deny = cgroup:{CG}/tenants.slice/deleg\n");
	root_cgroup("system.slice", sys, sizeof(sys));
	root_cgroup("tenants.slice/deleg", deleg, sizeof(deleg));
	delegate(deleg, TENANT);
	/* the same service inside a systemd container (machine scope) */
	root_cgroup("machine.slice/machine-c1.scope/payload/system.slice/victim.service", ct,
		    sizeof(ct));
	/* the real unit is stopped: the tenant makes its namesake and moves in */
	snprintf(fake, sizeof(fake), "%s/victim.service", deleg);
	tenant_mkdir(fake);
	usleep(600000); /* two rescans */
	ck_assert_int_eq(sft_connect(fake, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	ck_assert_int_eq(sft_connect(ct, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	ck_assert_int_eq(sft_cli(&env, "rules"), 0);
	ck_assert_msg(strstr(env.out, "unit:victim.service") && strstr(env.out, "pending"), "%s",
		      env.out);
	/* the unit starts: its own cgroup gets the allow, the namesakes do not */
	snprintf(real, sizeof(real), "%s/victim.service", sys);
	ck_assert_int_eq(mkdir(real, 0755), 0);
	ck_assert_msg(verdict_within(real, 0, 2.0), "the real unit is not allowed");
	ck_assert_int_eq(sft_connect(fake, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	ck_assert_int_eq(sft_connect(ct, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	/* a root-owned slice marked delegated is the tenant's from there down */
	char marked[4096], inside[4200];

	root_cgroup("tenants.slice/tenants-m.slice", marked, sizeof(marked));
	ck_assert_int_eq(setxattr(marked, "trusted.delegate", "1", 1, 0), 0);
	snprintf(inside, sizeof(inside), "%s/other.service", marked);
	ck_assert_int_eq(mkdir(inside, 0755), 0);
	ck_assert_int_eq(sft_cli(&env, "allow unit:other.service"), 0);
	ck_assert_int_eq(sft_connect(inside, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	ck_assert_int_eq(removexattr(marked, "trusted.delegate"), 0);
	ck_assert_int_eq(sft_cli(&env, "reload"), 0);
	ck_assert_int_eq(sft_connect(inside, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), 0);
	close(listener);
}
END_TEST

START_TEST(two_candidates_are_refused)
{
	char a[4096], b[4096];

	start_units("ambiguous", "");
	root_cgroup("system.slice/dup.service", a, sizeof(a));
	root_cgroup("tenants.slice/dup.service", b, sizeof(b));
	ck_assert_int_eq(sft_cli(&env, "allow unit:dup.service"), 2);
	ck_assert_msg(strstr(env.err, "unit:dup.service is ambiguous") && strstr(env.err, a) &&
			      strstr(env.err, b),
		      "%s", env.err);
	ck_assert_int_eq(sft_connect(a, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	ck_assert_int_eq(sft_cli(&env, "rules"), 0);
	ck_assert_msg(!strstr(env.out, "dup.service"), "%s", env.out);
	close(listener);
}
END_TEST

START_TEST(slices_are_where_systemd_puts_them)
{
	char real[4096], decoy[4096], svc[4096];

	start_units("slices", "");
	root_cgroup("acme.slice/acme-web.slice", real, sizeof(real));
	root_cgroup("tenants.slice/acme-web.slice", decoy, sizeof(decoy));
	root_cgroup("acme.slice/acme-web.slice/php.service", svc, sizeof(svc));
	ck_assert_int_eq(sft_cli(&env, "allow unit:acme-web.slice"), 0);
	ck_assert_int_eq(sft_connect(svc, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), 0);
	ck_assert_int_eq(sft_connect(decoy, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	/* a service in a nested slice is found there */
	ck_assert_int_eq(sft_cli(&env, "deny unit:php.service"), 0);
	ck_assert_int_eq(sft_connect(svc, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING), EPERM);
	ck_assert_int_eq(sft_cli(&env, "allow unit:a--b.slice"), 2);
	ck_assert_msg(strstr(env.err, "invalid slice name 'a--b.slice'"), "%s", env.err);
	close(listener);
}
END_TEST

/* Issue 12 item 7: nothing a tenant creates blocks the node's operations. */
START_TEST(deep_tenant_cgroup_blocks_nothing)
{
	char deleg[4096], deep[8192], text[65536];
	size_t o;

	start_units("deep", "allow = unit:pend.service\n");
	root_cgroup("tenants.slice/deleg", deleg, sizeof(deleg));
	delegate(deleg, TENANT);
	o = (size_t)snprintf(deep, sizeof(deep), "%s", deleg);
	for (int i = 0; i < 38; i++)
		o += (size_t)snprintf(deep + o, sizeof(deep) - o, "/a");
	snprintf(deep + o, sizeof(deep) - o, "/pend.service");
	tenant_mkdir(deep);
	usleep(600000);
	ck_assert_int_eq(sft_cli(&env, "allow user:12345"), 0);
	ck_assert_int_eq(sft_cli(&env, "reload"), 0);
	ck_assert_int_eq(sft_cli(&env, "check-config"), 0);
	ck_assert_int_eq(sft_cli(&env, "rules"), 0);
	ck_assert_msg(strstr(env.out, "unit:pend.service") && strstr(env.out, "pending"), "%s",
		      env.out);
	sft_daemon_log(&env, text, sizeof(text));
	ck_assert_msg(!strstr(text, "refused"), "the daemon refused a rescan: %s", text);
	close(listener);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("units");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, tenant_cannot_take_over_a_unit);
	tcase_add_test(tc, two_candidates_are_refused);
	tcase_add_test(tc, slices_are_where_systemd_puts_them);
	tcase_add_test(tc, deep_tenant_cgroup_blocks_nothing);
	return sft_run_tcase("units", tc);
}
