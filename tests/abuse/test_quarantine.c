// SPDX-License-Identifier: GPL-2.0-only
/* Quarantine: a tenant crossing an alert threshold with real connects is
 * quarantined with its drop-in's `quarantine =` (or [global]'s), the
 * kernel denies what its rule allowed, `release` and the expiry end it,
 * and a quarantine survives a daemon restart -- one that expired while
 * the daemon was down is ended and logged when it starts again. Every
 * start and end runs the alert command with its details. */
#include "observe_util.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char conf[] =
	"ports = 25\ndefault = allow\nmetrics_address = off\nalert_limited_per_min = 2\n"
	"quarantine = 1h\n"
	"alert_command = env | grep ^SMTPFENCE_ | sort > {DIR}/alert.$SMTPFENCE_ALERT.$$\n";
static const char *subs[] = {"lim", "t", NULL};

/* How many files the alert command wrote for kind. */
static int alerts_of(const char *kind)
{
	char cmd[PATH_MAX * 2];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "ls %s/alert.%s.* 2>/dev/null | wc -l", obs_env.dir, kind);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/* Waits for the n-th file of kind; the environment it holds in buf. */
static void wait_alert(const char *kind, int n, char *buf, size_t len)
{
	char cmd[PATH_MAX * 2], path[PATH_MAX];
	FILE *p;

	for (int waited = 0; waited < 5000; waited += 50) {
		if (alerts_of(kind) >= n) {
			snprintf(cmd, sizeof(cmd), "ls -t %s/alert.%s.* | head -1", obs_env.dir,
				 kind);
			p = popen(cmd, "r");
			ck_assert_ptr_nonnull(p);
			ck_assert_ptr_nonnull(fgets(path, sizeof(path), p));
			pclose(p);
			path[strcspn(path, "\n")] = '\0';
			if (sft_wait_file(path, "SMTPFENCE_UNTIL=", 1, 2000, buf, len))
				return;
		}
		sft_sleep_ms(50);
	}
	ck_abort_msg("no %d. alert command run for %s", n, kind);
}

static void expect_var(const char *vars, const char *name, const char *value)
{
	char line[PATH_MAX];

	snprintf(line, sizeof(line), "%s=%s\n", name, value);
	ck_assert_msg(strstr(vars, line), "no %s in\n%s", line, vars);
}

/* The rules -j row of a target (its text after "cgroup:"). */
static json_object *rule_row(json_object *arr, const char *target)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *r = json_object_array_get_idx(arr, i);

		if (!strcmp(sft_json_str(r, "target"), target))
			return r;
	}
	ck_abort_msg("no rule on %s", target);
	return NULL;
}

static void target_of(const char *sub, char *buf, size_t len)
{
	json_object *arr = sft_cli_json(&obs_env, "rules -j");

	/* the canonical spelling, as the policy holds it */
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *t = sft_json_str(json_object_array_get_idx(arr, i), "target");
		size_t n = strlen(t), m = strlen(sub);

		if (n > m && !strcmp(t + n - m, sub) && t[n - m - 1] == '/') {
			snprintf(buf, len, "%s", t);
			json_object_put(arr);
			return;
		}
	}
	json_object_put(arr);
	ck_abort_msg("no rule ends with /%s", sub);
}

static void write_dropin(const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	mkdir(obs_env.rules_dir, 0755);
	snprintf(path, sizeof(path), "%s/%s", obs_env.rules_dir, name);
	f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fprintf(f, text, obs_env.cgroup_rel);
	fclose(f);
}

START_TEST(threshold_quarantines_release_ends)
{
	char vars[4096], target[PATH_MAX], log[PATH_MAX], text[65536];
	json_object *arr, *row, *q;

	sft_observe_start("quarantine", conf, subs);
	/* the tenant's own setting beats [global]'s 1h deny */
	write_dropin("lim.conf", "[rules]\nlimit = cgroup:%s/lim 1/min burst 1\n"
				 "quarantine = 30m limit 1/day burst 1\n");
	write_dropin("t.conf", "[rules]\nlog = cgroup:%s/t\n");
	ck_assert_int_eq(sft_cli(&obs_env, "reload"), 0);
	target_of("lim", target, sizeof(target));

	int l = sft_listen("198.51.100.1", 25);

	sft_connect_n(sft_sub("lim"), SFT_OTHER, "198.51.100.1", 25, 1, 0);
	/* 2 limited: the 2nd crosses alert_limited_per_min = 2 */
	sft_connect_n(sft_sub("lim"), SFT_OTHER, "198.51.100.1", 25, 2, EPERM);
	wait_alert("quarantine_start", 1, vars, sizeof(vars));
	expect_var(vars, "SMTPFENCE_TARGET", target);
	expect_var(vars, "SMTPFENCE_ACTION", "limit 1/day burst 1");
	expect_var(vars, "SMTPFENCE_REASON", "alert limited: 2 within 60 s (threshold 2)");
	expect_var(vars, "SMTPFENCE_DURATION_SECONDS", "1800");
	expect_var(vars, "SMTPFENCE_USER", "10002");

	arr = sft_cli_json(&obs_env, "rules -j");
	row = rule_row(arr, target);
	ck_assert_str_eq(sft_json_str(row, "action"), "limit");
	ck_assert(json_object_object_get_ex(row, "rate", &q));
	ck_assert_str_eq(sft_json_str(q, "period"), "day");
	ck_assert_int_eq(sft_json_int(q, "count"), 1);
	ck_assert_int_eq(sft_json_int(q, "burst"), 1);
	ck_assert_str_eq(sft_json_str(row, "state"), "active");
	ck_assert(json_object_object_get_ex(row, "quarantine", &q));
	ck_assert_str_eq(sft_json_str(q, "reason"), "alert limited: 2 within 60 s (threshold 2)");
	json_object_put(arr);
	/* the quarantine's bucket is new and full: one more passes, then no more */
	sft_connect_n(sft_sub("lim"), SFT_OTHER, "198.51.100.1", 25, 1, 0);
	sft_connect_n(sft_sub("lim"), SFT_OTHER, "198.51.100.1", 25, 1, EPERM);
	ck_assert_int_eq(sft_accept_all(l), 2);

	/* status, metrics and top name it */
	ck_assert_int_eq(sft_cli(&obs_env, "status"), 0);
	ck_assert_msg(strstr(obs_env.out, "quarantine:  cgroup:"), "status: %s", obs_env.out);
	ck_assert_int_eq(sft_cli(&obs_env, "metrics"), 0);
	ck_assert_msg(
		strstr(obs_env.out, "smtpfence_quarantine_expiry_timestamp_seconds{target=\""),
		"metrics: %s", obs_env.out);
	ck_assert_int_eq(sft_cli(&obs_env, "top --batch -n 1 -d 0.2"), 0);
	ck_assert_msg(strstr(obs_env.out, "quarantine: cgroup:"), "top: %s", obs_env.out);

	/* released by hand: the rule's own limit is back */
	ck_assert_int_eq(sft_cli(&obs_env, "release %s", target), 0);
	wait_alert("quarantine_end", 1, vars, sizeof(vars));
	expect_var(vars, "SMTPFENCE_END", "released");
	expect_var(vars, "SMTPFENCE_TARGET", target);
	arr = sft_cli_json(&obs_env, "rules -j");
	row = rule_row(arr, target);
	ck_assert_str_eq(sft_json_str(row, "action"), "limit");
	ck_assert(json_object_object_get_ex(row, "rate", &q));
	ck_assert_str_eq(sft_json_str(q, "period"), "min");
	ck_assert_int_eq(sft_json_int(q, "count"), 1);
	ck_assert_int_eq(sft_json_int(q, "burst"), 1);
	ck_assert(!json_object_object_get_ex(row, "quarantine", &q));
	json_object_put(arr);
	ck_assert_int_eq(sft_cli(&obs_env, "release %s", target), 2);
	ck_assert_msg(strstr(obs_env.err, "is not quarantined"), "%s", obs_env.err);
	snprintf(log, sizeof(log), "%s/daemon.log", obs_env.dir);
	ck_assert(sft_wait_file(log, "quarantine ended: ", 1, 2000, text, sizeof(text)));
	ck_assert_msg(strstr(text, "quarantine started: "), "log: %s", text);
	ck_assert_int_eq(alerts_of("quarantine_start"), 1);
}
END_TEST

START_TEST(expiry_and_restart)
{
	char vars[4096], target[PATH_MAX], log[PATH_MAX], text[65536], path[PATH_MAX];

	sft_observe_start("quarantine_restart", conf, subs);
	write_dropin("t.conf", "[rules]\nlog = cgroup:%s/t\n");
	ck_assert_int_eq(sft_cli(&obs_env, "reload"), 0);
	target_of("t", target, sizeof(target));
	int l = sft_listen("198.51.100.1", 25);

	/* by hand, 2 s: denied, then ends by itself */
	ck_assert_int_eq(sft_cli(&obs_env, "quarantine %s 2s", target), 0);
	sft_connect_n(sft_sub("t"), SFT_OTHER, "198.51.100.1", 25, 1, EPERM);
	wait_alert("quarantine_start", 1, vars, sizeof(vars));
	expect_var(vars, "SMTPFENCE_REASON", "manual");
	expect_var(vars, "SMTPFENCE_ACTION", "deny");
	wait_alert("quarantine_end", 1, vars, sizeof(vars));
	expect_var(vars, "SMTPFENCE_END", "expired");
	sft_connect_n(sft_sub("t"), SFT_OTHER, "198.51.100.1", 25, 1, 0);

	/* survives a restart: no new start, still denied */
	ck_assert_int_eq(sft_cli(&obs_env, "quarantine %s 1h", target), 0);
	wait_alert("quarantine_start", 2, vars, sizeof(vars));
	sft_daemon_stop(&obs_env, SIGTERM);
	ck_assert_int_eq(sft_daemon_start(&obs_env), 0);
	sft_connect_n(sft_sub("t"), SFT_OTHER, "198.51.100.1", 25, 1, EPERM);
	sft_sleep_ms(500);
	ck_assert_int_eq(alerts_of("quarantine_start"), 2);

	/* expires while the daemon is down (killed): ended when it starts */
	ck_assert_int_eq(sft_cli(&obs_env, "quarantine %s 2s", target), 0);
	sft_sleep_ms(500);
	sft_daemon_stop(&obs_env, SIGKILL);
	sft_sleep_ms(2500);
	ck_assert_int_eq(sft_daemon_start(&obs_env), 0);
	wait_alert("quarantine_end", 2, vars, sizeof(vars));
	expect_var(vars, "SMTPFENCE_END", "expired while the daemon was down");
	snprintf(log, sizeof(log), "%s/daemon.log", obs_env.dir);
	ck_assert(sft_wait_file(log, "expired while the daemon was down", 1, 2000, text,
				sizeof(text)));
	sft_connect_n(sft_sub("t"), SFT_OTHER, "198.51.100.1", 25, 1, 0);
	ck_assert_int_eq(sft_accept_all(l), 2);
	snprintf(path, sizeof(path), "%s/quarantine.json", obs_env.run_dir);
	ck_assert(sft_wait_file(path, "\"quarantines\":[ ]", 1, 100, text, sizeof(text)) ||
		  sft_wait_file(path, "\"quarantines\": [ ]", 1, 100, text, sizeof(text)) ||
		  !strstr(text, "\"target\""));
}
END_TEST

START_TEST(default_tenant_quarantined_as_its_cgroup)
{
	char vars[4096], want[PATH_MAX];
	json_object *arr, *row;

	/* no rule of its own: the default decides, [global]'s quarantine applies */
	sft_observe_start("quarantine_default",
			  "ports = 25\ndefault = limit 1/min burst 1\nmetrics_address = off\n"
			  "alert_limited_per_min = 2\nquarantine = 10m\n"
			  "alert_command = env | grep ^SMTPFENCE_ | sort > "
			  "{DIR}/alert.$SMTPFENCE_ALERT.$$\n",
			  subs);
	int l = sft_listen("198.51.100.1", 25);

	sft_connect_n(sft_sub("t"), SFT_OTHER, "198.51.100.1", 25, 1, 0);
	sft_connect_n(sft_sub("t"), SFT_OTHER, "198.51.100.1", 25, 2, EPERM);
	wait_alert("quarantine_start", 1, vars, sizeof(vars));
	snprintf(want, sizeof(want), "cgroup:%s/t", obs_env.cgroup_rel);
	expect_var(vars, "SMTPFENCE_TARGET", want);
	expect_var(vars, "SMTPFENCE_ACTION", "deny");
	expect_var(vars, "SMTPFENCE_DURATION_SECONDS", "600");
	/* its own cgroup is ruled now: denied by that rule, not limited */
	sft_connect_n(sft_sub("t"), SFT_OTHER, "198.51.100.1", 25, 1, EPERM);
	arr = sft_cli_json(&obs_env, "rules -j");
	row = rule_row(arr, want);
	ck_assert_str_eq(sft_json_str(row, "action"), "deny");
	ck_assert_int_eq(sft_json_int(row, "denied"), 1);
	ck_assert_int_eq(sft_json_int(row, "limited"), 0);
	json_object_put(arr);
	ck_assert_int_eq(sft_accept_all(l), 1);
}
END_TEST

START_TEST(cli_announces_without_daemon)
{
	char vars[4096], target[PATH_MAX];

	sft_observe_start("quarantine_nodaemon", conf, subs);
	write_dropin("t.conf", "[rules]\nlog = cgroup:%s/t\n");
	ck_assert_int_eq(sft_cli(&obs_env, "reload"), 0);
	target_of("t", target, sizeof(target));
	sft_daemon_stop(&obs_env, SIGTERM);
	/* no daemon: the command says it, enforcement (pinned) applies it */
	ck_assert_int_eq(sft_cli(&obs_env, "quarantine %s 1h", target), 0);
	wait_alert("quarantine_start", 1, vars, sizeof(vars));
	expect_var(vars, "SMTPFENCE_TARGET", target);
	sft_connect_n(sft_sub("t"), SFT_OTHER, "198.51.100.1", 25, 1, EPERM);
	/* the daemon, started, knows it: no second start */
	ck_assert_int_eq(sft_daemon_start(&obs_env), 0);
	sft_sleep_ms(500);
	ck_assert_int_eq(alerts_of("quarantine_start"), 1);
	sft_daemon_stop(&obs_env, SIGTERM);
	ck_assert_int_eq(sft_cli(&obs_env, "release %s", target), 0);
	wait_alert("quarantine_end", 1, vars, sizeof(vars));
	expect_var(vars, "SMTPFENCE_END", "released");
	expect_var(vars, "SMTPFENCE_REASON", "manual");
	int l = sft_listen("198.51.100.1", 25);

	sft_connect_n(sft_sub("t"), SFT_OTHER, "198.51.100.1", 25, 1, 0);
	ck_assert_int_eq(sft_accept_all(l), 1);
}
END_TEST

START_TEST(bad_values_refused)
{
	sft_observe_start("quarantine_bad", conf, subs);
	ck_assert_int_eq(sft_cli(&obs_env, "quarantine cgroup:/x 1y"), 2);
	ck_assert_msg(strstr(obs_env.err, "invalid duration '1y'"), "%s", obs_env.err);
	ck_assert_int_eq(sft_cli(&obs_env, "quarantine cgroup:/x 1h allow"), 2);
	ck_assert_msg(strstr(obs_env.err, "invalid quarantine action 'allow'"), "%s", obs_env.err);
	ck_assert_int_eq(sft_cli(&obs_env, "quarantine cgroup:/x 1h limit 5/fortnight"), 2);
	ck_assert_int_eq(sft_cli(&obs_env, "quarantine dest:192.0.2.1/32 1h"), 2);
	ck_assert_int_eq(sft_cli(&obs_env, "quarantine bogus:x 1h"), 2);
	ck_assert_int_eq(sft_cli(&obs_env, "quarantine cgroup:/x"), 2);
	ck_assert_int_eq(sft_cli(&obs_env, "release"), 2);
	write_dropin("bad.conf", "[rules]\nlog = cgroup:%s/t\nquarantine = soon\n");
	ck_assert_int_eq(sft_cli(&obs_env, "check-config"), 2);
	ck_assert_msg(strstr(obs_env.err, "bad.conf:3: invalid duration 'soon'"), "%s",
		      obs_env.err);
	/* a refused reload keeps the policy; no quarantine was started */
	ck_assert_int_eq(sft_cli(&obs_env, "rules"), 0);
	ck_assert_int_eq(alerts_of("quarantine_start"), 0);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		threshold_quarantines_release_ends,
		expiry_and_restart,
		default_tenant_quarantined_as_its_cgroup,
		cli_announces_without_daemon,
		bad_values_refused,
	};

	return sft_obs_run("quarantine", tests, sizeof(tests) / sizeof(tests[0]), NULL);
}
