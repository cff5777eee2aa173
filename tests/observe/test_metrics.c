// SPDX-License-Identifier: GPL-2.0-only
/* metrics: the exposition (from `smtpfence metrics` and from the daemon's
 * HTTP endpoint) parses with a real Prometheus parser, its figures equal
 * the connects made, and its tenant labels stay bounded. */
#include "policy/listen.h"
#include "util/version.h"
#include "observe_util.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PORT 19465

static const char conf[] = "ports = 25 587\ndefault = deny\nmetrics_address = 127.0.0.1:19465\n"
			   "metrics_top_tenants = 2\n[rules]\ndeny = cgroup:{CG}/acme\n"
			   "allow = cgroup:{CG}/t3\n";
static const char *subs[] = {"acme/php.service", "acme/cron.service", "t2", "t3", "t4", NULL};

static char samples[65536];

/* acme (php 6 to :25, cron 3 to :587) 9, t2 5, t3 3 allowed, t4 1. */
static void traffic(const char *name)
{
	sft_observe_start(name, conf, subs);
	int l = sft_listen("192.0.2.1", 25);

	sft_connect_n(sft_sub("acme/php.service"), SFT_TENANT, "192.0.2.1", 25, 6, EPERM);
	sft_connect_n(sft_sub("acme/cron.service"), SFT_TENANT, "192.0.2.1", 587, 3, EPERM);
	sft_connect_n(sft_sub("t2"), SFT_OTHER, "192.0.2.1", 25, 5, EPERM);
	sft_connect_n(sft_sub("t3"), SFT_OTHER, "192.0.2.1", 25, 3, 0);
	sft_connect_n(sft_sub("t4"), SFT_OTHER, "192.0.2.1", 25, 1, EPERM);
	ck_assert_int_eq(sft_accept_all(l), 3);
	close(l);
}

static void expect(const char *name, const char *tenant, int port, const char *value)
{
	char line[PATH_MAX];

	if (tenant && port)
		snprintf(line, sizeof(line), "\n%s port=%d,tenant=%s%s %s\n", name, port,
			 tenant[0] == '/' ? obs_env.cgroup_rel : "", tenant, value);
	else
		snprintf(line, sizeof(line), "\n%s %s %s\n", name, tenant ? tenant : "", value);
	ck_assert_msg(strstr(samples, line), "no '%s' in\n%s", line + 1, samples);
}

static void expect_tenant_figures(void)
{
	/* acme is the ruled ancestor of its two services: one tenant, per port */
	expect("smtpfence_attempts_total", "/acme", 25, "6");
	expect("smtpfence_denied_total", "/acme", 25, "6");
	expect("smtpfence_attempts_total", "/acme", 587, "3");
	expect("smtpfence_attempts_total", "/t2", 25, "5");
	expect("smtpfence_allowed_total", "/t2", 25, "0");
	/* top 2 of 4 tenants by attempts get labels; t3 and t4 are "other" */
	expect("smtpfence_attempts_total", "other", 25, "4");
	expect("smtpfence_allowed_total", "other", 25, "3");
	expect("smtpfence_denied_total", "other", 25, "1");
	expect("smtpfence_limited_total", "other", 25, "0");
	ck_assert_ptr_null(strstr(samples, "/t3"));
	ck_assert_ptr_null(strstr(samples, "/t4"));
	expect("smtpfence_tenants", NULL, 0, "4");
	expect("smtpfence_tenants_labelled", NULL, 0, "2");
	expect("smtpfence_host_attempts_total", NULL, 0, "18");
	expect("smtpfence_host_denied_total", NULL, 0, "15");
	expect("smtpfence_host_allowed_total", NULL, 0, "3");
	expect("smtpfence_events_lost_total", NULL, 0, "0");
	expect("smtpfence_rules", "kind=cgroup", 0, "2");
	expect("smtpfence_rules", "kind=default", 0, "1");
	expect("smtpfence_rules", "kind=source", 0, "0");
	expect("smtpfence_host_bypass_total", NULL, 0, "0");
	expect("smtpfence_host_forwarded_total", NULL, 0, "0");
	expect("smtpfence_bypass_total", "/t2", 25, "0");
	expect("smtpfence_map_entries", "map=flows", 0, "5");
	expect("smtpfence_attached", "prog=connect4", 0, "1");
}

START_TEST(textfile_figures_equal_connects)
{
	traffic("textfile");
	ck_assert_int_eq(sft_cli(&obs_env, "metrics"), 0);
	sft_prom_parse(&obs_env, obs_env.out, samples, sizeof(samples));
	expect_tenant_figures();
	/* metrics of the daemon alone are not in the one-shot text */
	ck_assert_ptr_null(strstr(samples, "smtpfence_events_logged_total"));
}
END_TEST

/* One HTTP/1.0 exchange with the endpoint; the whole reply in buf. */
static void http(const char *request, char *buf, size_t len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect: %s",
		      strerror(errno));
	ck_assert_int_eq(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
}

START_TEST(endpoint_serves_the_same)
{
	static char reply[65536];
	char *body;

	traffic("endpoint");
	/* The daemon logs the events as it reads them from the ring buffer:
	 * give it up to 5 s (a sanitized build is slow) to get the four. */
	for (int i = 0; i < 50; i++) {
		http("GET /metrics HTTP/1.0\r\n\r\n", reply, sizeof(reply));
		if (strstr(reply, "\nsmtpfence_events_logged_total 4\n"))
			break;
		usleep(100000);
	}
	ck_assert_msg(!strncmp(reply, "HTTP/1.0 200", 12) || !strncmp(reply, "HTTP/1.1 200", 12),
		      "reply: %.200s", reply);
	ck_assert_ptr_nonnull(strstr(reply, "text/plain; version=0.0.4"));
	body = strstr(reply, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	sft_prom_parse(&obs_env, body + 4, samples, sizeof(samples));
	expect_tenant_figures();
	/* and what only the daemon knows: 15 denied events from 4 flows, one
	 * line each so far (the rest is folded until the 10 s window ends) */
	expect("smtpfence_events_logged_total", NULL, 0, "4");
	expect("smtpfence_events_suppressed_total", NULL, 0, "0");
	expect("smtpfence_alerts_total", NULL, 0, "0");
	expect("smtpfence_last_reload_success", NULL, 0, "1");
	expect("smtpfence_link_attached", "link=connect4", 0, "1");
	expect("smtpfence_link_attached", "link=connect6", 0, "1");
	ck_assert_ptr_nonnull(strstr(samples, "\nsmtpfence_build_info kernel="));
	ck_assert_ptr_nonnull(strstr(samples, ",version=" SF_VERSION " 1\n"));
	http("GET /other HTTP/1.0\r\n\r\n", reply, sizeof(reply));
	ck_assert_ptr_nonnull(strstr(reply, " 404 "));
	http("POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n", reply, sizeof(reply));
	ck_assert_ptr_nonnull(strstr(reply, " 405 "));
}
END_TEST

/* A SIGHUP with a broken file: refused, said so, and the time moves. */
START_TEST(reload_result_and_time)
{
	static char reply[65536];
	char *at, *body;
	long long t0, t1;
	FILE *f;

	traffic("reload");
	http("GET /metrics HTTP/1.0\r\n\r\n", reply, sizeof(reply));
	at = strstr(reply, "\nsmtpfence_last_reload_timestamp_seconds ");
	ck_assert_ptr_nonnull(at);
	t0 = atoll(strchr(at + 1, ' ') + 1);
	ck_assert_int_gt(t0, 1700000000);
	sft_sleep_ms(1100);
	f = fopen(obs_env.config, "ae");
	ck_assert_ptr_nonnull(f);
	fputs("deny = nonsense:target\n", f);
	fclose(f);
	sft_notify_drain(&obs_env);
	ck_assert_int_eq(kill(obs_env.daemon, SIGHUP), 0);
	ck_assert(sft_notify_wait(&obs_env, "last reload refused", 5000));
	http("GET /metrics HTTP/1.0\r\n\r\n", reply, sizeof(reply));
	body = strstr(reply, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	sft_prom_parse(&obs_env, body + 4, samples, sizeof(samples));
	expect("smtpfence_last_reload_success", NULL, 0, "0");
	at = strstr(reply, "\nsmtpfence_last_reload_timestamp_seconds ");
	t1 = atoll(strchr(at + 1, ' ') + 1);
	ck_assert_int_gt(t1, t0);
	/* the policy in force is kept: acme is still denied */
	sft_connect_n(sft_sub("acme/php.service"), SFT_TENANT, "192.0.2.1", 25, 1, EPERM);
}
END_TEST

START_TEST(program_statistics_when_enabled)
{
	/* Statistics stay on only while this fd is open. */
	int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);

	ck_assert_msg(stats >= 0, "BPF_ENABLE_STATS: %s", strerror(errno));
	traffic("stats");
	/* 18 watched connects, and two more to a port nobody watches: the
	 * program runs for every connect in the cgroup */
	int l = sft_listen("192.0.2.1", 8080);

	sft_connect_n(sft_sub("t2"), SFT_OTHER, "192.0.2.1", 8080, 2, 0);
	close(l);
	ck_assert_int_eq(sft_cli(&obs_env, "metrics"), 0);
	sft_prom_parse(&obs_env, obs_env.out, samples, sizeof(samples));
	/* enabled by fd, which the sysctl does not show: the counters do */
	ck_assert_ptr_nonnull(strstr(samples, "\nsmtpfence_bpf_stats_enabled "));
	expect("smtpfence_prog_run_count_total", "prog=connect4", 0, "20");
	expect("smtpfence_prog_run_count_total", "prog=connect6", 0, "0");
	ck_assert_ptr_nonnull(strstr(samples, "smtpfence_prog_run_seconds_total prog=connect4 "));
	ck_assert_ptr_null(strstr(samples, "smtpfence_prog_run_seconds_total prog=connect4 0\n"));
	close(stats);
}
END_TEST

/* The sum of every sample of one metric. */
static double sum_of(const char *name)
{
	char want[128];
	double sum = 0;

	snprintf(want, sizeof(want), "\n%s ", name);
	for (const char *p = samples; (p = strstr(p, want)); p++) {
		const char *end = strchr(p + 1, '\n'), *v = end;

		while (v > p && v[-1] != ' ')
			v--;
		sum += atof(v);
	}
	return sum;
}

START_TEST(many_tenants_bounded_labels)
{
	/* 200 tenants, one connect each: 20 label sets and "other", and the
	 * sum still equals the connects */
	const int n = 200;
	char name[32], abs[PATH_MAX];

	sft_observe_start("many", "ports = 25\ndefault = deny\nmetrics_address = off\n", NULL);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "tenant%03d", i);
		ck_assert_int_eq(sft_cgroup_make(&obs_env, name, abs, sizeof(abs)), 0);
		ck_assert_int_eq(sft_flood(abs, SFT_TENANT, "192.0.2.1", 25, 1), 1);
	}
	ck_assert_int_eq(sft_cli(&obs_env, "metrics"), 0);
	sft_prom_parse(&obs_env, obs_env.out, samples, sizeof(samples));
	ck_assert_int_eq(sft_count(samples, "\nsmtpfence_attempts_total "), 21);
	ck_assert_int_eq((int)sum_of("smtpfence_attempts_total"), n);
	ck_assert_int_eq((int)sum_of("smtpfence_denied_total"), n);
	expect("smtpfence_attempts_total", "other", 25, "180");
	expect("smtpfence_tenants", NULL, 0, "200");
	expect("smtpfence_tenants_labelled", NULL, 0, "20");
}
END_TEST

START_TEST(listen_addresses)
{
	struct sockaddr_storage ss;
	char err[256];

	ck_assert_int_eq(sf_parse_listen("127.0.0.1:9465", &ss, err, sizeof(err)), 0);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_int_eq(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9465);
	ck_assert_int_eq(sf_parse_listen("[::1]:80", &ss, err, sizeof(err)), 0);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert_int_eq(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 80);
	ck_assert_int_eq(sf_parse_listen("off", &ss, err, sizeof(err)), 0);
	ck_assert_int_eq(ss.ss_family, AF_UNSPEC);
	static const char *const bad[] = {"::1:80", "[::1]",	    "1.2.3.4:",	   "1.2.3.4:0",
					  ":80",    "[1.2.3.4]:80", "1.2.3.4:80x", "host:80"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(sf_parse_listen(bad[i], &ss, err, sizeof(err)) == -EINVAL, "%s",
			      bad[i]);
		ck_assert_msg(strstr(err, bad[i]), "%s: %s", bad[i], err);
	}
}
END_TEST

START_TEST(bad_settings_refused)
{
	static const struct {
		const char *line, *says;
	} bad[] = {
		{"metrics_address = 127.0.0.1", "invalid metrics_address '127.0.0.1'"},
		{"metrics_address = localhost:9465", "invalid metrics_address 'localhost:9465'"},
		{"metrics_address = [::1]:99999", "invalid metrics_address '[::1]:99999'"},
		{"metrics_top_tenants = 0", "invalid metrics_top_tenants '0'"},
		{"alert_denied_per_min = lots", "invalid alert_denied_per_min 'lots'"},
		{"log_condense_seconds = -1", "invalid log_condense_seconds '-1'"},
	};
	char text[256];

	sft_env_setup(&obs_env, "bad_settings", "[global]\nports = 25\n");
	obs_env_up = true;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(obs_env.config, "we");

		ck_assert_ptr_nonnull(f);
		snprintf(text, sizeof(text), "[global]\nports = 25\n%s\n", bad[i].line);
		fputs(text, f);
		fclose(f);
		ck_assert_int_eq(sft_cli(&obs_env, "check-config"), 2);
		ck_assert_msg(strstr(obs_env.err, bad[i].says), "%s: said %s", bad[i].line,
			      obs_env.err);
		ck_assert_msg(strstr(obs_env.err, ":3:"), "%s: no line number: %s", bad[i].line,
			      obs_env.err);
	}
	ck_assert_int_eq(sft_cli(&obs_env, "metrics"), 2); /* the config is still bad */
	/* -j too, with the problem at its file and line */
	ck_assert_int_eq(sft_cli(&obs_env, "metrics -j"), 2);
	ck_assert_msg(strstr(obs_env.out, "\"line\":3,\"exit\":2"), "%s", obs_env.out);
}
END_TEST

START_TEST(busy_port_keeps_enforcing)
{
	int busy = sft_listen("127.0.0.1", PORT);
	char log[PATH_MAX], text[16384];

	ck_assert_int_ge(busy, 0);
	traffic("busy"); /* the daemon starts, and enforces, without its endpoint */
	snprintf(log, sizeof(log), "%s/daemon.log", obs_env.dir);
	ck_assert(sft_wait_file(log,
				"failed to serve metrics on 127.0.0.1:19465: Address already "
				"in use",
				1, 2000, text, sizeof(text)));
	close(busy);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		textfile_figures_equal_connects,
		endpoint_serves_the_same,
		reload_result_and_time,
		program_statistics_when_enabled,
		many_tenants_bounded_labels,
		listen_addresses,
		bad_settings_refused,
		busy_port_keeps_enforcing,
	};

	return sft_obs_run("metrics", tests, sizeof(tests) / sizeof(tests[0]), NULL);
}
