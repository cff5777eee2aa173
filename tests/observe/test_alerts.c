// SPDX-License-Identifier: GPL-2.0-only
/* Alerts: a tenant crossing alert_denied_per_min or alert_limited_per_min
 * gets one warning record per window and one run of the alert command,
 * with the details in its environment; a tenant below stays quiet. */
#include "observe_util.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char conf[] =
	"ports = 25\ndefault = deny\nmetrics_address = off\nalert_denied_per_min = 5\n"
	"alert_limited_per_min = 3\n"
	"alert_command = env | grep ^SMTPFENCE_ | sort > {DIR}/alert.$SMTPFENCE_ALERT.$$\n"
	"[rules]\nlimit = cgroup:{CG}/lim 1/min burst 1\n";
static const char *subs[] = {"noisy/php.service", "quiet", "lim", NULL};

/* The one file the command wrote for this kind of alert. */
static void read_alert(const char *kind, char *buf, size_t len)
{
	char cmd[PATH_MAX * 2], path[PATH_MAX];
	FILE *p;

	for (int waited = 0; waited < 5000; waited += 50) {
		snprintf(cmd, sizeof(cmd), "ls %s/alert.%s.* 2>/dev/null", obs_env.dir, kind);
		p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		path[0] = '\0';
		if (!fgets(path, sizeof(path), p))
			path[0] = '\0';
		ck_assert_msg(fgets(cmd, sizeof(cmd), p) == NULL, "the command ran twice for %s",
			      kind);
		pclose(p);
		path[strcspn(path, "\n")] = '\0';
		if (path[0] &&
		    sft_wait_file(path, "SMTPFENCE_WINDOW_SECONDS=60\n", 1, 2000, buf, len))
			return;
		sft_sleep_ms(50);
	}
	ck_abort_msg("the alert command did not run for %s", kind);
}

static void expect_var(const char *env_text, const char *name, const char *value)
{
	char line[PATH_MAX];

	snprintf(line, sizeof(line), "%s=%s\n", name, value);
	ck_assert_msg(strstr(env_text, line), "no %s in\n%s", line, env_text);
}

START_TEST(threshold_crossed_once_per_window)
{
	char log[PATH_MAX], text[65536], vars[4096], want[PATH_MAX], process[64];

	sft_observe_start("alerts", conf, subs);
	/* 8 denied from noisy: the 5th crosses; 6 to 8 are in the same window */
	sft_connect_n(sft_sub("noisy/php.service"), SFT_TENANT, "192.0.2.1", 25, 8, EPERM);
	/* 4 denied from quiet: below the threshold */
	sft_connect_n(sft_sub("quiet"), SFT_OTHER, "192.0.2.1", 25, 4, EPERM);
	/* lim: 1 allowed, then 4 limited: the 3rd limited crosses */
	int l = sft_listen("198.51.100.1", 25);

	sft_connect_n(sft_sub("lim"), SFT_OTHER, "198.51.100.1", 25, 1, 0);
	sft_connect_n(sft_sub("lim"), SFT_OTHER, "198.51.100.1", 25, 4, EPERM);
	ck_assert_int_eq(sft_accept_all(l), 1);

	read_alert("denied", vars, sizeof(vars));
	snprintf(want, sizeof(want), "%s/noisy/php.service", obs_env.cgroup_rel);
	expect_var(vars, "SMTPFENCE_TENANT", want);
	expect_var(vars, "SMTPFENCE_LAST_CGROUP", want);
	expect_var(vars, "SMTPFENCE_COUNT", "5");
	expect_var(vars, "SMTPFENCE_THRESHOLD", "5");
	expect_var(vars, "SMTPFENCE_DENIED", "5");
	expect_var(vars, "SMTPFENCE_LAST_COMM", sft_comm());
	expect_var(vars, "SMTPFENCE_LAST_UID", "10001");
	expect_var(vars, "SMTPFENCE_LAST_DESTINATION", "192.0.2.1:25");
	snprintf(process, sizeof(process), "SMTPFENCE_LAST_PROCESS=%s[", sft_comm());
	ck_assert_ptr_nonnull(strstr(vars, process));

	read_alert("limited", vars, sizeof(vars));
	snprintf(want, sizeof(want), "%s/lim", obs_env.cgroup_rel);
	expect_var(vars, "SMTPFENCE_TENANT", want);
	expect_var(vars, "SMTPFENCE_COUNT", "3");
	expect_var(vars, "SMTPFENCE_LIMITED", "3");
	expect_var(vars, "SMTPFENCE_LAST_DESTINATION", "198.51.100.1:25");

	/* one warning record each, none for quiet */
	snprintf(log, sizeof(log), "%s/daemon.log", obs_env.dir);
	ck_assert(sft_wait_file(log, "smtpfence: warning: alert: tenant ", 2, 2000, text,
				sizeof(text)));
	ck_assert_int_eq(sft_count(text, "smtpfence: warning: alert: tenant "), 2);
	snprintf(want, sizeof(want),
		 "alert: tenant %s/noisy/php.service: 5 denied connects within "
		 "60 s (threshold 5)",
		 obs_env.cgroup_rel);
	ck_assert_msg(strstr(text, want), "log: %s", text);
	ck_assert_ptr_null(strstr(text, "/quiet: "));
	/* more in the same window: no second alert */
	sft_connect_n(sft_sub("noisy/php.service"), SFT_TENANT, "192.0.2.1", 25, 6, EPERM);
	sft_sleep_ms(300);
	read_alert("denied", vars, sizeof(vars));
	ck_assert(sft_wait_file(log, "smtpfence: warning: alert: tenant ", 2, 100, text,
				sizeof(text)));
	ck_assert_int_eq(sft_count(text, "smtpfence: warning: alert: tenant "), 2);
}
END_TEST

START_TEST(no_command_still_warns)
{
	char log[PATH_MAX], text[16384];

	sft_observe_start("alerts_nocmd",
			  "ports = 25\ndefault = deny\nmetrics_address = off\n"
			  "alert_denied_per_min = 2\n",
			  NULL);
	sft_connect_n(obs_env.cgroup, SFT_TENANT, "192.0.2.1", 25, 3, EPERM);
	snprintf(log, sizeof(log), "%s/daemon.log", obs_env.dir);
	ck_assert(sft_wait_file(log, ": 2 denied connects within 60 s (threshold 2)", 1, 2000, text,
				sizeof(text)));
	ck_assert_int_eq(sft_count(text, "warning: alert:"), 1);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		threshold_crossed_once_per_window,
		no_command_still_warns,
	};

	return sft_obs_run("alerts", tests, sizeof(tests) / sizeof(tests[0]), NULL);
}
