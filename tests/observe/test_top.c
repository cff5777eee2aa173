// SPDX-License-Identifier: GPL-2.0-only
/* top: --batch frames whose figures equal the connects made, rates over
 * the interval, with and without the daemon; and the full-screen view for
 * real, in a terminal under tmux, driven by its keys. */
#include "observe_util.h"

#include <check.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char conf[] = "ports = 25\ndefault = deny\nmetrics_address = off\n[rules]\n"
			   "deny = cgroup:{CG}/acme\nlimit = cgroup:{CG}/t2 2/min burst 2\n";
static const char *subs[] = {"acme/php.service", "acme/cron.service", "t2", "t3", NULL};

/* tmux's socket lives in a directory of the test runner's (TMUX_TMPDIR):
 * the runner's teardown finds it even when a failed test skipped its own. */
static char tmux_sock[] = "smtpfence-test-top";
static char tmux_dir[] = "/tmp/smtpfence-test-tmux.XXXXXX";
static pid_t runner;

static void stop_tmux(void)
{
	char cmd[PATH_MAX];

	snprintf(cmd, sizeof(cmd), "tmux -L %s kill-server 2>/dev/null", tmux_sock);
	if (system(cmd)) {
		/* not running: its only session ended with 'q' */
	}
	if (getpid() == runner) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmux_dir);
		if (system(cmd)) {
			/* nothing there */
		}
	}
}

/* acme: 4 + 2 denied from two services; t2: 2 allowed, 2 limited. */
static void traffic(const char *name)
{
	sft_observe_start(name, conf, subs);
	int l = sft_listen("192.0.2.1", 25);

	sft_connect_n(sft_sub("acme/php.service"), SFT_TENANT, "192.0.2.1", 25, 4, EPERM);
	sft_connect_n(sft_sub("acme/cron.service"), SFT_TENANT, "192.0.2.1", 25, 2, EPERM);
	sft_connect_n(sft_sub("t2"), SFT_OTHER, "192.0.2.1", 25, 2, 0);
	sft_connect_n(sft_sub("t2"), SFT_OTHER, "192.0.2.1", 25, 2, EPERM);
	ck_assert_int_eq(sft_accept_all(l), 2);
	close(l);
}

struct row {
	char tenant[PATH_MAX], action[16], att_s[16], deny_s[16], lim_s[16];
	unsigned long long attempts, denied, limited, redirected, messages, recipients;
	char user[64], dest[64], process[64], last[16];
};

/* The row of tenant (relative to the env cgroup) in the last frame of text. */
static bool find_row(const char *text, const char *tenant, struct row *r)
{
	char want[PATH_MAX];
	const char *frame = text, *p, *line = NULL;

	for (p = text; (p = strstr(p, "smtpfence top - ")); p++)
		frame = p;
	snprintf(want, sizeof(want), "\n%s%s ", tenant[0] == '/' ? obs_env.cgroup_rel : "", tenant);
	line = strstr(frame, want);
	if (!line)
		return false;
	return sscanf(line + 1,
		      "%4095s %15s %15s %15s %15s %llu %llu %llu %llu %llu %llu %63s %63s %63s "
		      "%15s",
		      r->tenant, r->action, r->att_s, r->deny_s, r->lim_s, &r->attempts, &r->denied,
		      &r->limited, &r->redirected, &r->messages, &r->recipients, r->user, r->dest,
		      r->process, r->last) == 15;
}

START_TEST(batch_figures_equal_connects)
{
	struct row r;
	char proc[64];

	traffic("batch");
	ck_assert_int_eq(sft_cli(&obs_env, "top --batch -n 1 -d 0.2"), 0);
	ck_assert_int_eq(sft_count(obs_env.out, "smtpfence top - "), 1);
	ck_assert_ptr_nonnull(strstr(obs_env.out, "Connects: 10 total"));
	ck_assert_ptr_nonnull(strstr(obs_env.out, "denied 6, 0.0/s | limited 2, 0.0/s"));
	ck_assert_ptr_nonnull(strstr(obs_env.out, "Rules: 3 of "));
	ck_assert_ptr_nonnull(strstr(obs_env.out, "(cgroup 2, uid 0, gid 0, source 0, default 1)"));
	ck_assert_ptr_nonnull(strstr(obs_env.out, "events lost: 0 | daemon events: live"));
	ck_assert_ptr_nonnull(strstr(obs_env.out, "Tenants: 2 shown of 2"));
	/* both services of acme add up under the ruled cgroup */
	ck_assert_msg(find_row(obs_env.out, "/acme", &r), "no acme row: %s", obs_env.out);
	ck_assert_str_eq(r.action, "deny");
	ck_assert_int_eq(r.attempts, 6);
	ck_assert_int_eq(r.denied, 6);
	ck_assert_int_eq(r.limited, 0);
	ck_assert_int_eq(r.messages, 0); /* no mail through the policy service */
	ck_assert_int_eq(r.recipients, 0);
	ck_assert_str_eq(r.att_s, "0.0");
	ck_assert_str_eq(r.user, "10001");
	ck_assert_str_eq(r.dest, "192.0.2.1:25");
	snprintf(proc, sizeof(proc), "%s[", sft_comm());
	ck_assert_msg(!strncmp(r.process, proc, strlen(proc)), "process %s", r.process);
	ck_assert_msg(find_row(obs_env.out, "/t2", &r), "no t2 row: %s", obs_env.out);
	ck_assert_str_eq(r.action, "limit");
	ck_assert_int_eq(r.attempts, 4);
	ck_assert_int_eq(r.denied, 0);
	ck_assert_int_eq(r.limited, 2);
	/* sorted by attempts/s, then total: acme first */
	ck_assert(strstr(obs_env.out, "/acme ") < strstr(obs_env.out, "/t2 "));
	/* -j: the same frame as JSON, the action and the trend per tenant */
	json_object *frame = sft_cli_json(&obs_env, "top -j -n 2 -d 0.1 --sort tenant"), *tenants;

	ck_assert_msg(strstr(obs_env.out, "\"tenant\":\"") && sft_count(obs_env.out, "\n") == 2,
		      "%s", obs_env.out);
	json_object_put(frame);
	frame = json_tokener_parse(strchr(obs_env.out, '\n') + 1);
	ck_assert(json_object_object_get_ex(frame, "tenants", &tenants));
	ck_assert_int_eq((int)json_object_array_length(tenants), 2);
	ck_assert_str_eq(sft_json_str(json_object_array_get_idx(tenants, 0), "action"), "deny");
	ck_assert_str_eq(sft_json_str(json_object_array_get_idx(tenants, 1), "action"), "limit");
	ck_assert_msg(strstr(obs_env.out, "\"trend\":[0"), "%s", obs_env.out);
	json_object_put(frame);
	ck_assert_int_eq(sft_cli(&obs_env, "top --batch -n 3 -d 0.1 --sort tenant"), 0);
	ck_assert_int_eq(sft_count(obs_env.out, "smtpfence top - "), 3);
	ck_assert_int_eq(sft_count(obs_env.out, "sorted by tenant"), 3);
}
END_TEST

START_TEST(batch_rates_over_the_interval)
{
	char path[PATH_MAX], text[65536];
	struct row r;

	traffic("rates");
	snprintf(path, sizeof(path), "%s/top.out", obs_env.dir);
	ck_assert_int_eq(sft_cli(&obs_env, "top --batch -n 2 -d 1 >'%s' 2>&1 & echo $!", path), 0);
	ck_assert_msg(sft_wait_file(path, "Tenants: ", 1, 5000, text, sizeof(text)), "%s", text);
	/* 10 connects within the second interval, from one new tenant */
	ck_assert_int_eq(sft_flood(sft_sub("t3"), SFT_OTHER, "192.0.2.1", 25, 10), 10);
	ck_assert_msg(sft_wait_file(path, "Tenants: ", 2, 5000, text, sizeof(text)), "%s", text);
	sft_sleep_ms(100); /* the rows follow the header line */
	ck_assert(sft_wait_file(path, "Tenants: ", 2, 100, text, sizeof(text)));
	ck_assert_msg(find_row(text, "/t3", &r), "no t3 row: %s", text);
	ck_assert_int_eq(r.attempts, 10);
	ck_assert_int_eq(r.denied, 10);
	/* 10 in one interval of a little over 1 s */
	ck_assert_msg(atof(r.att_s) >= 9.0 && atof(r.att_s) <= 10.0, "ATT/s %s", r.att_s);
	ck_assert_str_eq(r.deny_s, r.att_s);
	ck_assert_str_eq(r.lim_s, "0.0");
	/* the busiest now sorts first */
	const char *frame2 = strstr(text, "Tenants: 3 shown of 3");

	ck_assert_ptr_nonnull(frame2);
	ck_assert(strstr(frame2, "/t3 ") < strstr(frame2, "/acme "));
}
END_TEST

START_TEST(batch_without_daemon)
{
	struct row r;

	traffic("nodaemon");
	sft_daemon_stop(&obs_env, SIGTERM);
	ck_assert_int_eq(sft_cli(&obs_env, "top --batch -n 1 -d 0.1"), 0);
	ck_assert_ptr_nonnull(strstr(obs_env.out, "daemon events: not running"));
	ck_assert_msg(find_row(obs_env.out, "/acme", &r), "no acme row: %s", obs_env.out);
	ck_assert_int_eq(r.attempts, 6);
	/* without events, the kernel's flow still names the latest process */
	ck_assert_msg(!strncmp(r.process, "test_top[", 9), "process %s", r.process);
}
END_TEST

START_TEST(bad_options_refused)
{
	static const struct {
		const char *args, *says;
	} bad[] = {
		{"top --batch --sort bogus", "invalid sort column 'bogus'"},
		{"top --batch -n 0", "invalid number of frames '0'"},
		{"top --batch -d 0", "invalid delay '0'"},
		{"top --batch -d 1x", "invalid delay '1x'"},
		{"top -n 1", "top needs a terminal; use 'top --batch'"},
		{"top -j --sort bogus", "invalid sort column 'bogus'"},
		{"top --batch --target user:root", "option --target does not apply to 'top'"},
	};

	sft_observe_start("top_bad", conf, subs);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = sft_cli(&obs_env, "%s </dev/null", bad[i].args);

		ck_assert_msg(rc == 2, "%s: exit %d", bad[i].args, rc);
		ck_assert_msg(strstr(obs_env.err, bad[i].says), "%s: said %s", bad[i].args,
			      obs_env.err);
	}
}
END_TEST

static void tmux(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void tmux(const char *fmt, ...)
{
	char args[PATH_MAX * 2], cmd[PATH_MAX * 3];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "tmux -L %s %s", tmux_sock, args);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

/* Waits until the screen shows needle; the screen in buf. */
static bool screen_shows(const char *needle, char *buf, size_t len)
{
	char cmd[256];

	for (int waited = 0; waited < 5000; waited += 50) {
		FILE *p;
		size_t n;

		snprintf(cmd, sizeof(cmd), "tmux -L %s capture-pane -p -t top", tmux_sock);
		p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		n = fread(buf, 1, len - 1, p);
		buf[n] = '\0';
		pclose(p);
		if (strstr(buf, needle))
			return true;
		sft_sleep_ms(50);
	}
	return false;
}

static void keys_then_see(const char *keys, const char *needle)
{
	static char screen[65536];

	tmux("send-keys -t top %s", keys);
	ck_assert_msg(screen_shows(needle, screen, sizeof(screen)),
		      "after keys %s, no '%s' on the screen:\n%s", keys, needle, screen);
}

/* The action cells in colour (want) or not: deny red (SGR 31), limit yellow (33). */
static void colour_check(bool want)
{
	char cmd[256], buf[65536];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "tmux -L %s capture-pane -e -p -t top", tmux_sock);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	pclose(p);
	ck_assert_msg(!want == !(strstr(buf, "31mdeny") && strstr(buf, "33mlimit")),
		      "colours %s:\n%s", want ? "missing" : "despite NO_COLOR", buf);
	if (!want)
		ck_assert_msg(strstr(buf, "deny "), "no action:\n%s", buf);
}

START_TEST(interactive_under_tmux)
{
	static char screen[65536];
	char bin[PATH_MAX], want[PATH_MAX];
	const char *b = getenv("SMTPFENCE_BIN");

	traffic("tmux");
	ck_assert_ptr_nonnull(realpath(b ? b : "build/smtpfence", bin));
	/* top ends by itself in any case; tmux goes with its last session */
	tmux("-f /dev/null new-session -d -s top -x 200 -y 30 \"timeout --foreground 60 %s "
	     "--pin-dir '%s' --config '%s' --run-dir '%s' top -d 0.3\"",
	     bin, obs_env.pin_dir, obs_env.config, obs_env.run_dir);
	/* the help line is drawn last: then the frame is whole */
	ck_assert_msg(screen_shows("q quit", screen, sizeof(screen)), "screen:\n%s", screen);
	ck_assert_ptr_nonnull(strstr(screen, "Tenants: 2 shown of 2"));
	ck_assert_ptr_nonnull(strstr(screen, "sorted by attempts/s"));
	snprintf(want, sizeof(want), "%s/acme ", obs_env.cgroup_rel);
	ck_assert_msg(strstr(screen, want), "no acme row:\n%s", screen);
	ck_assert_msg(strstr(screen, "deny ") && strstr(screen, "limit "), "actions:\n%s", screen);
	colour_check(true);
	keys_then_see("'>'", "sorted by denied/s");
	keys_then_see("'>' '>' '>' '>'", "sorted by tenant");
	keys_then_see("R", "sorted by tenant (reversed)");
	keys_then_see("/ acme Enter", "Tenants: 1 shown of 2  filter: \"acme\"");
	keys_then_see("=", "Tenants: 2 shown of 2\n");
	/* Esc cancels a prompt: nothing typed lands anywhere */
	keys_then_see("/ zz Escape", "filter unchanged");
	ck_assert_msg(screen_shows("Tenants: 2 shown of 2\n", screen, sizeof(screen)), "%s",
		      screen);
	keys_then_see("'?'", "this help; any key closes it");
	keys_then_see("x", "sorted by tenant (reversed)");
	ck_assert_msg(screen_shows(want, screen, sizeof(screen)), "rows back:\n%s", screen);
	keys_then_see("g", "by user");
	keys_then_see("Space", "user:10002 ");
	keys_then_see("p", "(paused)");
	keys_then_see("p", "every 0.3 s  by user");
	keys_then_see("d 1.5 Enter", "every 1.5 s");
	keys_then_see("d x Enter", "invalid interval 'x'");
	/* new traffic shows up while it runs */
	keys_then_see("g", "by tenant");
	ck_assert_int_eq(sft_flood(sft_sub("t3"), SFT_OTHER, "192.0.2.1", 25, 3), 3);
	snprintf(want, sizeof(want), "%s/t3 ", obs_env.cgroup_rel);
	ck_assert_msg(screen_shows(want, screen, sizeof(screen)), "no t3 row:\n%s", screen);
	/* q ends it: the session goes with its only pane */
	tmux("send-keys -t top q");
	for (int waited = 0;; waited += 50) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "tmux -L %s has-session -t top 2>/dev/null", tmux_sock);
		if (system(cmd))
			break;
		ck_assert_msg(waited < 5000, "top did not quit on q");
		sft_sleep_ms(50);
	}
	/* NO_COLOR set: the same screen without colours */
	tmux("-f /dev/null new-session -d -s top -x 200 -y 30 \"NO_COLOR=1 timeout --foreground 60 "
	     "%s --pin-dir '%s' --config '%s' --run-dir '%s' top -d 0.3\"",
	     bin, obs_env.pin_dir, obs_env.config, obs_env.run_dir);
	ck_assert_msg(screen_shows("q quit", screen, sizeof(screen)), "screen:\n%s", screen);
	colour_check(false);
	tmux("send-keys -t top q");
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		batch_figures_equal_connects, batch_rates_over_the_interval, batch_without_daemon,
		bad_options_refused,	      interactive_under_tmux,
	};

	runner = getpid();
	if (!mkdtemp(tmux_dir) || setenv("TMUX_TMPDIR", tmux_dir, 1))
		return EXIT_FAILURE;
	return sft_obs_run("top", tests, sizeof(tests) / sizeof(tests[0]), stop_tmux);
}
