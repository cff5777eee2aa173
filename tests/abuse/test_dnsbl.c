// SPDX-License-Identifier: GPL-2.0-only
/* The blocklist watch against a real DNS server: dnsmasq, started by the
 * test on 127.0.0.1 inside the sandbox's own network namespace, serves a
 * zone that lists one of two configured addresses (and one of the node's
 * own IPv6 addresses, by its reversed nibbles), and a zone that answers
 * Spamhaus' 127.255.255.254 "open resolver" code for everything. A second
 * resolver address drops every query (timeouts). The daemon is told the
 * resolver with dnsbl_resolver: no query leaves the namespace, and
 * /etc/resolv.conf is never read. */
#include "observe_util.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DNSMASQ "/usr/sbin/dnsmasq"
/* 2001:db8::2 (on the sandbox's lo), nibbles reversed */
#define V6_NAME "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"

static const char conf[] =
	"ports = 25\ndefault = allow\nmetrics_address = off\n"
	"dnsbl_zones = bl.test err.test\n"
	"dnsbl_addresses = 203.0.113.7 203.0.113.8\n"
	"dnsbl_resolver = 127.0.0.1:5353\n"
	"dnsbl_interval = 1h\n"
	"on_listed = deny\n"
	"alert_command = env | grep ^SMTPFENCE_ | sort > {DIR}/alert.$SMTPFENCE_ADDRESS.$$\n";
static const char *subs[] = {"t", NULL};
static pid_t dnsmasq = -1;

static void start_dnsmasq(bool listing)
{
	char *argv[] = {DNSMASQ,
			"--no-daemon",
			"--no-resolv",
			"--no-hosts",
			"--conf-file=/dev/null",
			"--user=root",
			"--group=root",
			"--pid-file=",
			"--bind-interfaces",
			"--listen-address=127.0.0.1",
			"--port=5353",
			"--local=/bl.test/",
			"--address=/err.test/127.255.255.254",
			listing ? "--host-record=7.113.0.203.bl.test,127.0.0.2" : NULL,
			"--txt-record=7.113.0.203.bl.test,listed for spam",
			"--host-record=" V6_NAME ".bl.test,127.0.0.4",
			NULL};

	dnsmasq = fork();
	ck_assert_int_ge(dnsmasq, 0);
	if (dnsmasq == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(127);
		execv(DNSMASQ, argv);
		_exit(127);
	}
	/* ready when it answers: wait for its port */
	for (int i = 0; i < 100; i++) {
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(5353)};

		inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
		/* binding fails with EADDRINUSE once dnsmasq holds the port */
		int busy = bind(s, (struct sockaddr *)&a, sizeof(a)) && errno == EADDRINUSE;

		close(s);
		if (busy)
			return;
		sft_sleep_ms(50);
	}
	ck_abort_msg("dnsmasq did not start");
}

static void stop_dnsmasq(void)
{
	if (dnsmasq > 0) {
		kill(dnsmasq, SIGTERM);
		waitpid(dnsmasq, NULL, 0);
	}
	dnsmasq = -1;
}

/* dnsbl -j once the daemon has checked (checked_timestamp > after). */
static json_object *wait_check(long long after)
{
	for (int waited = 0; waited < 15000; waited += 100) {
		json_object *o = sft_cli_json(&obs_env, "dnsbl -j");

		if (sft_json_int(o, "checked_timestamp") > after)
			return o;
		json_object_put(o);
		sft_sleep_ms(100);
	}
	char path[PATH_MAX], text[4096] = "";

	snprintf(path, sizeof(path), "%s/daemon.log", obs_env.dir);
	sft_wait_file(path, "\n", 1, 10, text, sizeof(text));
	ck_abort_msg("the daemon did not check the blocklists; its log:\n%.3000s", text);
	return NULL;
}

static json_object *result(json_object *o, const char *address, const char *zone)
{
	json_object *arr;

	ck_assert(json_object_object_get_ex(o, "results", &arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *r = json_object_array_get_idx(arr, i);

		if (!strcmp(sft_json_str(r, "address"), address) &&
		    !strcmp(sft_json_str(r, "zone"), zone))
			return r;
	}
	ck_abort_msg("no result for %s on %s", address, zone);
	return NULL;
}

static const char *default_action(void)
{
	static char action[64];
	json_object *arr = sft_cli_json(&obs_env, "rules -j");

	snprintf(action, sizeof(action), "%s",
		 sft_json_str(json_object_array_get_idx(arr, 0), "action"));
	json_object_put(arr);
	return action;
}

START_TEST(listed_error_clean_and_relax)
{
	char path[PATH_MAX], text[8192];
	json_object *o, *r;

	start_dnsmasq(true);
	sft_observe_start("dnsbl", conf, subs);
	o = wait_check(0);
	r = result(o, "203.0.113.7", "bl.test");
	ck_assert_str_eq(sft_json_str(r, "status"), "listed");
	ck_assert_str_eq(sft_json_str(r, "answer"), "127.0.0.2");
	ck_assert_str_eq(sft_json_str(r, "detail"), "listed for spam");
	ck_assert_str_eq(sft_json_str(result(o, "203.0.113.8", "bl.test"), "status"), "clean");
	/* the node's own addresses are checked too: nibbles for IPv6 */
	ck_assert_str_eq(sft_json_str(result(o, "2001:db8::2", "bl.test"), "status"), "listed");
	ck_assert_str_eq(sft_json_str(result(o, "192.0.2.1", "bl.test"), "status"), "clean");
	/* 127.255.255.254: an error, never a listing */
	r = result(o, "203.0.113.8", "err.test");
	ck_assert_str_eq(sft_json_str(r, "status"), "error");
	ck_assert_str_eq(sft_json_str(r, "answer"), "127.255.255.254");
	ck_assert_int_ge(sft_json_int(o, "errors"), 2);
	ck_assert_int_eq(sft_json_int(o, "timeouts"), 0);
	long long first = sft_json_int(o, "checked_timestamp");

	json_object_put(o);

	/* a new listing: an alert with its details */
	snprintf(path, sizeof(path), "%s/alert.203.0.113.7.*", obs_env.dir);
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "cat %s", path);
	for (int waited = 0; waited < 3000 && sft_cli(&obs_env, "dnsbl") == 0; waited += 100) {
		FILE *p = popen(cmd, "r");
		size_t n = fread(text, 1, sizeof(text) - 1, p);

		pclose(p);
		text[n] = '\0';
		if (strstr(text, "SMTPFENCE_ZONE="))
			break;
		sft_sleep_ms(100);
	}
	ck_assert_msg(strstr(text, "SMTPFENCE_ALERT=dnsbl_listed\n"), "alert: %s", text);
	ck_assert_msg(strstr(text, "SMTPFENCE_ZONE=bl.test\n"), "alert: %s", text);
	ck_assert_msg(strstr(text, "SMTPFENCE_REASON=listed for spam\n"), "alert: %s", text);

	/* text listing, metrics */
	ck_assert_int_eq(sft_cli(&obs_env, "dnsbl"), 0);
	ck_assert_msg(strstr(obs_env.out, ": LISTED"), "%s", obs_env.out);
	ck_assert_int_eq(sft_cli(&obs_env, "metrics"), 0);
	ck_assert(strstr(obs_env.out,
			 "smtpfence_dnsbl_listed{address=\"203.0.113.7\",zone=\"bl.test\"} 1\n"));
	ck_assert(strstr(obs_env.out,
			 "smtpfence_dnsbl_listed{address=\"203.0.113.8\",zone=\"bl.test\"} 0\n"));
	ck_assert(strstr(obs_env.out,
			 "smtpfence_dnsbl_listed{address=\"203.0.113.8\",zone=\"err.test\"} 0\n"));
	ck_assert(strstr(obs_env.out, "smtpfence_dnsbl_last_check_timestamp_seconds "));

	/* on_listed = deny: the default is tightened while listed */
	for (int waited = 0; waited < 3000 && strcmp(default_action(), "deny"); waited += 100)
		sft_sleep_ms(100);
	ck_assert_str_eq(default_action(), "deny");
	sft_connect_n(sft_sub("t"), SFT_TENANT, "192.0.2.1", 25, 1, EPERM);

	/* delisted: --now checks at once, the default relaxes */
	stop_dnsmasq();
	start_dnsmasq(false);
	sft_sleep_ms(1100); /* checked_timestamp has a resolution of 1 s */
	ck_assert_int_eq(sft_cli(&obs_env, "dnsbl --now -j"), 0);
	o = wait_check(first);
	ck_assert_str_eq(sft_json_str(result(o, "203.0.113.7", "bl.test"), "status"), "clean");
	json_object_put(o);
	for (int waited = 0; waited < 3000 && strcmp(default_action(), "allow"); waited += 100)
		sft_sleep_ms(100);
	ck_assert_str_eq(default_action(), "allow");
	int l = sft_listen("192.0.2.1", 25);

	sft_connect_n(sft_sub("t"), SFT_TENANT, "192.0.2.1", 25, 1, 0);
	ck_assert_int_eq(sft_accept_all(l), 1);
}
END_TEST

START_TEST(timeouts_counted_loop_not_blocked)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(5354)};
	int sink = socket(AF_INET, SOCK_DGRAM, 0);
	struct timespec t0, t1;
	json_object *o;

	/* a resolver that takes every query and never answers */
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	ck_assert_int_eq(bind(sink, (struct sockaddr *)&a, sizeof(a)), 0);
	sft_observe_start("dnsbl_timeout",
			  "ports = 25\ndefault = allow\nmetrics_address = off\n"
			  "dnsbl_zones = bl.test\ndnsbl_addresses = 203.0.113.7\n"
			  "dnsbl_resolver = 127.0.0.1:5354\n",
			  NULL);
	/* while the check waits for its answers, the daemon still serves */
	sft_sleep_ms(500);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(sft_cli(&obs_env, "events"), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_lt((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000,
			 1000);
	o = wait_check(0);
	ck_assert_str_eq(sft_json_str(result(o, "203.0.113.7", "bl.test"), "status"), "timeout");
	ck_assert_int_ge(sft_json_int(o, "timeouts"), 1);
	ck_assert_int_ge(sft_json_int(o, "duration_ms"), 1500);
	json_object_put(o);
	ck_assert_int_eq(sft_cli(&obs_env, "metrics"), 0);
	ck_assert_msg(strstr(obs_env.out, "smtpfence_dnsbl_timeouts_total "), "%s", obs_env.out);
	/* an error or timeout is no listing: the default stays */
	ck_assert_str_eq(default_action(), "allow");
	close(sink);
}
END_TEST

START_TEST(bad_values_refused)
{
	static const char *const bad[][2] = {
		{"dnsbl_zones = zen.spamhaus.org bad..zone", "invalid dnsbl zone 'bad..zone'"},
		{"dnsbl_addresses = 203.0.113.7 300.1.1.1", "invalid dnsbl address '300.1.1.1'"},
		{"dnsbl_interval = 5", "invalid dnsbl_interval '5'"},
		{"dnsbl_interval = soon", "invalid duration 'soon'"},
		{"dnsbl_resolver = 127.0.0.1:99999", "invalid dnsbl_resolver '127.0.0.1:99999'"},
		{"dnsbl_resolver = resolver.example", "invalid dnsbl_resolver 'resolver.example'"},
		{"on_listed = allow", "invalid on_listed 'allow'"},
		{"on_listed = limit 1/fortnight", "invalid rate period 'fortnight'"},
	};
	char text[512], want[256];

	sft_observe_start("dnsbl_bad", "ports = 25\ndefault = allow\nmetrics_address = off\n",
			  NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(obs_env.config, "we");

		ck_assert_ptr_nonnull(f);
		fprintf(f, "[global]\nrules_dir = %s\n%s\n", obs_env.rules_dir, bad[i][0]);
		fclose(f);
		ck_assert_int_eq(sft_cli(&obs_env, "check-config"), 2);
		snprintf(want, sizeof(want), "%s:3: %s", obs_env.config, bad[i][1]);
		snprintf(text, sizeof(text), "%s", obs_env.err);
		ck_assert_msg(strstr(obs_env.err, want), "want %s in %s", want, text);
	}
	ck_assert_int_eq(sft_cli(&obs_env, "dnsbl extra"), 2);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		listed_error_clean_and_relax,
		timeouts_counted_loop_not_blocked,
		bad_values_refused,
	};

	if (access(DNSMASQ, X_OK)) {
		fprintf(stderr, "SKIP: %s is missing (scripts/deps.sh installs dnsmasq-base)\n",
			DNSMASQ);
		return 77;
	}
	return sft_obs_run("dnsbl", tests, sizeof(tests) / sizeof(tests[0]), stop_dnsmasq);
}
