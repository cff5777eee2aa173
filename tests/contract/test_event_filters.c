// SPDX-License-Identifier: GPL-2.0-only
/* events -n, --target, --since against a real daemon's history, and -f
 * that follows new events only (--history: the history first, nothing
 * twice). */
#include "observe_util.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char conf[] = "ports = 25\ndefault = deny\nmetrics_address = off\n"
			   "log_condense_seconds = 0\n[rules]\nlog = cgroup:{CG}/audit\n";
static const char *subs[] = {"bad", "audit", "audit/php.service", NULL};

/* 3 denied from bad as SFT_TENANT, 2 logged from audit/php as SFT_OTHER. */
static void traffic(const char *name)
{
	sft_observe_start(name, conf, subs);
	int l = sft_listen("192.0.2.1", 25);

	sft_connect_n(sft_sub("bad"), SFT_TENANT, "192.0.2.1", 25, 3, EPERM);
	sft_connect_n(sft_sub("audit/php.service"), SFT_OTHER, "192.0.2.1", 25, 2, 0);
	ck_assert_int_eq(sft_accept_all(l), 2);
	close(l);
}

static int length(json_object *arr)
{
	return (int)json_object_array_length(arr);
}

/* How many records `events -j ARGS` prints. */
static int records(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int records(const char *fmt, ...)
{
	char args[PATH_MAX + 128];
	json_object *arr;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	arr = sft_cli_json(&obs_env, "events -j %s", args);
	n = length(arr);
	json_object_put(arr);
	return n;
}

START_TEST(filters_on_the_history)
{
	char args[PATH_MAX + 64];
	json_object *arr;

	traffic("filters");
	ck_assert_int_eq(records("%s", ""), 5);
	/* the last two: the logged ones */
	arr = sft_cli_json(&obs_env, "events -j -n 2");
	ck_assert_int_eq(length(arr), 2);
	ck_assert_str_eq(sft_json_str(json_object_array_get_idx(arr, 0), "verdict"), "log");
	ck_assert_str_eq(sft_json_str(json_object_array_get_idx(arr, 1), "verdict"), "log");
	json_object_put(arr);
	ck_assert_int_eq(records("--target user:%d", SFT_TENANT), 3);
	/* a cgroup: its subtree */
	ck_assert_int_eq(records("--target cgroup:%s/audit", obs_env.cgroup_rel), 2);
	ck_assert_int_eq(records("--target unit:php.service"), 2);
	ck_assert_int_eq(records("--target dest:192.0.2.0/24 -n 4"), 4);
	ck_assert_int_eq(records("--target dest:198.51.100.0/24"), 0);
	ck_assert_int_eq(records("--since 1h"), 5);
	ck_assert_int_eq(records("--since 2099-01-01T00:00:00Z"), 0);
	/* text too, filtered the same */
	ck_assert_int_eq(sft_cli(&obs_env, "events --target user:%d", SFT_OTHER), 0);
	ck_assert_int_eq(sft_count(obs_env.out, "\n"), 2);
	ck_assert_int_eq(sft_count(obs_env.out, " log "), 2);
	/* bad words: exit 2, named */
	snprintf(args, sizeof(args), "events --target source:10.0.0.0/8");
	ck_assert_int_eq(sft_cli(&obs_env, "%s", args), 2);
	ck_assert_msg(strstr(obs_env.err, "--target: "), "%s", obs_env.err);
	ck_assert_int_eq(sft_cli(&obs_env, "events --history"), 2);
	ck_assert_msg(strstr(obs_env.err, "--history goes with -f"), "%s", obs_env.err);
	ck_assert_int_eq(sft_cli(&obs_env, "events -n 0"), 2);
}
END_TEST

/* Starts `events ARGS` in the background into a file; returns its pid. */
static pid_t follower(const char *args, char *path, size_t len)
{
	snprintf(path, len, "%s/follow.%d.out", obs_env.dir, rand());
	ck_assert_int_eq(sft_cli(&obs_env, "%s >'%s' 2>&1 & echo $!", args, path), 0);
	pid_t pid = atoi(obs_env.out);

	ck_assert_int_gt(pid, 1);
	return pid;
}

START_TEST(follow_is_new_events_only)
{
	char live[PATH_MAX], hist[PATH_MAX], target[PATH_MAX + 64], text[16384];
	pid_t a, b, c;

	traffic("follow");
	a = follower("events -f -j", live, sizeof(live));
	b = follower("events -f --history -j", hist, sizeof(hist));
	snprintf(target, sizeof(target), "events -f -j -n 1 --target cgroup:%s/bad",
		 obs_env.cgroup_rel);
	char last[PATH_MAX];

	c = follower(target, last, sizeof(last));
	/* the history follower has the 5 old ones: the others are subscribed by then */
	ck_assert_msg(sft_wait_file(hist, "\"type\":\"event\"", 5, 5000, text, sizeof(text)), "%s",
		      text);
	ck_assert(sft_wait_file(last, "\"type\":\"event\"", 1, 5000, text, sizeof(text)));
	sft_sleep_ms(300);
	sft_connect_n(sft_sub("bad"), SFT_TENANT, "192.0.2.1", 25, 2, EPERM);
	sft_connect_n(sft_sub("audit/php.service"), SFT_OTHER, "192.0.2.1", 25, 1, ECONNREFUSED);
	ck_assert_msg(sft_wait_file(live, "\"type\":\"event\"", 3, 5000, text, sizeof(text)),
		      "live follower: %s", text);
	ck_assert(sft_wait_file(hist, "\"type\":\"event\"", 8, 5000, text, sizeof(text)));
	ck_assert(sft_wait_file(last, "\"type\":\"event\"", 3, 5000, text, sizeof(text)));
	sft_sleep_ms(300); /* nothing more comes */
	kill(a, SIGTERM);
	kill(b, SIGTERM);
	kill(c, SIGTERM);
	/* only the new: 2 denied, 1 logged */
	ck_assert(sft_wait_file(live, "\n", 1, 100, text, sizeof(text)));
	ck_assert_int_eq(sft_count(text, "\"type\":\"event\""), 3);
	ck_assert_int_eq(sft_count(text, "\"verdict\":\"deny\""), 2);
	ck_assert_int_eq(sft_count(text, "{\"schema\":1,"), 3);
	/* the history, then the new, none twice */
	ck_assert(sft_wait_file(hist, "\n", 1, 100, text, sizeof(text)));
	ck_assert_int_eq(sft_count(text, "\"type\":\"event\""), 8);
	/* the last one of bad's history, then bad's 2 new: not audit's */
	ck_assert(sft_wait_file(last, "\n", 1, 100, text, sizeof(text)));
	ck_assert_int_eq(sft_count(text, "\"type\":\"event\""), 3);
	ck_assert_int_eq(sft_count(text, "\"verdict\":\"log\""), 0);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {filters_on_the_history, follow_is_new_events_only};

	return sft_obs_run("event_filters", tests, sizeof(tests) / sizeof(tests[0]), NULL);
}
