// SPDX-License-Identifier: GPL-2.0-only
/* The fleet view for real: Debian's Prometheus server (on loopback in the
 * sandbox's network namespace, its own config and storage) scrapes a
 * running daemon whose tenants connect, loads the alerting rules, and
 * every query of the Grafana dashboard must return data from it. */
#include "observe_util.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROMETHEUS "/usr/bin/prometheus"
#define RULES	   "monitoring/prometheus/smtpfence.rules.yml"
#define DASHBOARD  "monitoring/grafana/smtpfence.json"
#define N_RULES	   "10"

static const char conf[] =
	"ports = 25 587\ndefault = deny\nmetrics_address = 127.0.0.1:19467\n"
	"[rules]\ndeny = cgroup:{CG}/acme\nlimit = cgroup:{CG}/beta 2/min burst 2\n"
	"allow = cgroup:{CG}/mta\n";
static const char *subs[] = {"acme", "beta", "mta", NULL};
static pid_t prometheus;

static void stop_prometheus(void)
{
	if (prometheus > 0) {
		kill(prometheus, SIGTERM);
		waitpid(prometheus, NULL, 0);
		prometheus = 0;
	}
}

static void start_prometheus(void)
{
	char cfg[PATH_MAX], rules[PATH_MAX], arg_cfg[PATH_MAX + 32], arg_db[PATH_MAX + 32],
		log[PATH_MAX];
	FILE *f;

	ck_assert_ptr_nonnull(realpath(RULES, rules));
	snprintf(cfg, sizeof(cfg), "%s/prometheus.yml", obs_env.dir);
	f = fopen(cfg, "we");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
		"rule_files: [\"%s\"]\n"
		"scrape_configs:\n"
		"  - job_name: smtpfence\n"
		"    static_configs: [{targets: [\"127.0.0.1:19467\"]}]\n",
		rules);
	fclose(f);
	snprintf(arg_cfg, sizeof(arg_cfg), "--config.file=%s", cfg);
	snprintf(arg_db, sizeof(arg_db), "--storage.tsdb.path=%s/tsdb", obs_env.dir);
	snprintf(log, sizeof(log), "%s/prometheus.log", obs_env.dir);
	prometheus = fork();
	ck_assert_int_ge(prometheus, 0);
	if (!prometheus) {
		if (!freopen(log, "w", stdout) || dup2(fileno(stdout), 2) < 0)
			_exit(127);
		execl(PROMETHEUS, PROMETHEUS, arg_cfg, arg_db,
		      "--web.listen-address=127.0.0.1:19090", "--storage.tsdb.retention.time=1h",
		      (char *)NULL);
		_exit(127);
	}
}

START_TEST(every_dashboard_query_has_data)
{
	int l, rc;

	if (access(PROMETHEUS, X_OK)) {
		printf("SKIP: %s missing (Debian's prometheus; scripts/deps.sh installs it)\n",
		       PROMETHEUS);
		exit(77);
	}
	sft_observe_start("dashboard", conf, subs);
	l = sft_listen("192.0.2.1", 25);
	sft_connect_n(sft_sub("acme"), SFT_TENANT, "192.0.2.1", 25, 4, EPERM);
	sft_connect_n(sft_sub("beta"), SFT_OTHER, "192.0.2.1", 25, 2, 0); /* the burst */
	sft_connect_n(sft_sub("beta"), SFT_OTHER, "192.0.2.1", 25, 2, EPERM);
	sft_connect_n(sft_sub("mta"), SFT_OTHER, "192.0.2.1", 25, 2, 0);
	start_prometheus();
	/* More traffic while it scrapes, so rates move. */
	sft_connect_n(sft_sub("acme"), SFT_TENANT, "192.0.2.1", 25, 3, EPERM);
	rc = system("tests/observe/dashboard_check.py " DASHBOARD
		    " http://127.0.0.1:19090 " N_RULES);
	close(l);
	stop_prometheus();
	ck_assert_msg(rc == 0, "dashboard_check.py failed (%d); see %s/prometheus.log", rc,
		      obs_env.dir);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {every_dashboard_query_has_data};

	return sft_obs_run("dashboard", tests, 1, stop_prometheus);
}
