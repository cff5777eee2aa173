// SPDX-License-Identifier: GPL-2.0-only
/* flows: the per-flow counters equal the connects made from throwaway
 * tenant cgroups, sorted, filtered, as text and as JSON. */
#include "observe_util.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char conf[] =
	"ports = 25 587\ndefault = deny\nmetrics_address = off\nunits_root = {CG}/bad\n"
	"[rules]\nallow = cgroup:{CG}/ok\nlimit = cgroup:{CG}/lim 3/min burst 3\n";
static const char *subs[] = {"bad/php.service", "ok", "lim", NULL};

static char bad[PATH_MAX], ok[PATH_MAX], lim[PATH_MAX];

/* 7 denied to :25, 4 allowed to :25, 5 to :587 of which 3 allowed and 2 limited. */
static void traffic(const char *name)
{
	int l25 = sft_listen("192.0.2.1", 25), l587 = sft_listen("198.51.100.1", 587);

	sft_observe_start(name, conf, subs);
	snprintf(bad, sizeof(bad), "%s/bad/php.service", obs_env.cgroup);
	snprintf(ok, sizeof(ok), "%s/ok", obs_env.cgroup);
	snprintf(lim, sizeof(lim), "%s/lim", obs_env.cgroup);
	ck_assert_int_ge(l25, 0);
	ck_assert_int_ge(l587, 0);
	sft_connect_n(bad, SFT_TENANT, "192.0.2.1", 25, 7, EPERM);
	sft_connect_n(ok, SFT_OTHER, "192.0.2.1", 25, 4, 0);
	sft_connect_n(lim, SFT_OTHER, "198.51.100.1", 587, 3, 0);
	sft_connect_n(lim, SFT_OTHER, "198.51.100.1", 587, 2, EPERM);
	ck_assert_int_eq(sft_accept_all(l25), 4);
	ck_assert_int_eq(sft_accept_all(l587), 3);
}

static void expect_flow(json_object *arr, const char *cg, int port, int uid, const char *daddr,
			long long attempts, long long allowed, long long denied, long long limited)
{
	json_object *f = sft_find_flow(arr, cg, port);

	ck_assert_msg(f, "no flow for %s:%d in %s", cg, port, json_object_to_json_string(arr));
	ck_assert_int_eq(sft_json_int(f, "uid"), uid);
	ck_assert_str_eq(sft_json_str(f, "daddr"), daddr);
	ck_assert_int_eq(sft_json_int(f, "attempts"), attempts);
	ck_assert_int_eq(sft_json_int(f, "allowed"), allowed);
	ck_assert_int_eq(sft_json_int(f, "denied"), denied);
	ck_assert_int_eq(sft_json_int(f, "limited"), limited);
	/* RFC 3339 UTC stamps, first no later than last */
	ck_assert_int_eq((int)strlen(sft_json_str(f, "last_seen")), 24);
	ck_assert_int_le(strcmp(sft_json_str(f, "first_seen"), sft_json_str(f, "last_seen")), 0);
}

START_TEST(counts_equal_connects)
{
	traffic("counts");
	json_object *arr = sft_cli_json(&obs_env, "flows -j");

	ck_assert_int_eq((int)json_object_array_length(arr), 3);
	expect_flow(arr, "/bad/php.service", 25, SFT_TENANT, "192.0.2.1", 7, 0, 7, 0);
	expect_flow(arr, "/ok", 25, SFT_OTHER, "192.0.2.1", 4, 4, 0, 0);
	expect_flow(arr, "/lim", 587, SFT_OTHER, "198.51.100.1", 5, 3, 0, 2);
	json_object_put(arr);

	/* IPv6 destinations are their own flows, shown as such */
	sft_connect_n(bad, SFT_TENANT, "2001:db8::1", 25, 2, EPERM);
	arr = sft_cli_json(&obs_env, "flows -j --target dest:2001:db8::/64");
	ck_assert_int_eq((int)json_object_array_length(arr), 1);
	expect_flow(arr, "/bad/php.service", 25, SFT_TENANT, "2001:db8::1", 2, 0, 2, 0);
	ck_assert_str_eq(sft_json_str(json_object_array_get_idx(arr, 0), "family"), "ipv6");
	json_object_put(arr);

	/* The table says the same, one line per flow under a header. */
	ck_assert_int_eq(sft_cli(&obs_env, "flows"), 0);
	ck_assert_int_eq(sft_count(obs_env.out, "\n"), 5);
	ck_assert_ptr_nonnull(strstr(obs_env.out, " 2001:db8::1 "));
	ck_assert_ptr_nonnull(strstr(obs_env.out, "ATTEMPTS"));
	ck_assert_ptr_nonnull(strstr(obs_env.out, "/bad/php.service"));
}
END_TEST

START_TEST(sort_limit_and_target)
{
	traffic("sort");
	json_object *arr = sft_cli_json(&obs_env, "flows -j --sort denied --limit 1");

	ck_assert_int_eq((int)json_object_array_length(arr), 1);
	ck_assert_int_eq(sft_json_int(json_object_array_get_idx(arr, 0), "denied"), 7);
	json_object_put(arr);
	arr = sft_cli_json(&obs_env, "flows -j --sort limited");
	ck_assert_int_eq(sft_json_int(json_object_array_get_idx(arr, 0), "limited"), 2);
	json_object_put(arr);
	/* attempts: 7, 5, 4 */
	arr = sft_cli_json(&obs_env, "flows -j");
	ck_assert_int_eq(sft_json_int(json_object_array_get_idx(arr, 0), "attempts"), 7);
	ck_assert_int_eq(sft_json_int(json_object_array_get_idx(arr, 1), "attempts"), 5);
	ck_assert_int_eq(sft_json_int(json_object_array_get_idx(arr, 2), "attempts"), 4);
	json_object_put(arr);

	/* A cgroup target selects its subtree: bad covers bad/php.service. */
	arr = sft_cli_json(&obs_env, "flows -j --target cgroup:%s/bad", obs_env.cgroup_rel);
	ck_assert_int_eq((int)json_object_array_length(arr), 1);
	ck_assert_int_eq(sft_json_int(json_object_array_get_idx(arr, 0), "attempts"), 7);
	json_object_put(arr);
	arr = sft_cli_json(&obs_env, "flows -j --target unit:php.service");
	ck_assert_int_eq((int)json_object_array_length(arr), 1);
	json_object_put(arr);
	arr = sft_cli_json(&obs_env, "flows -j --target user:%d", SFT_OTHER);
	ck_assert_int_eq((int)json_object_array_length(arr), 2);
	json_object_put(arr);
	arr = sft_cli_json(&obs_env, "flows -j --target dest:198.51.100.0/24");
	ck_assert_int_eq((int)json_object_array_length(arr), 1);
	ck_assert_int_eq(sft_json_int(json_object_array_get_idx(arr, 0), "dport"), 587);
	json_object_put(arr);
	arr = sft_cli_json(&obs_env, "flows -j --sort last --limit 1");
	ck_assert_ptr_nonnull(sft_find_flow(arr, "/lim", 587)); /* the last connects made */
	json_object_put(arr);
}
END_TEST

START_TEST(bad_options_refused)
{
	traffic("bad_options");
	static const struct {
		const char *args, *says;
	} bad_args[] = {
		{"flows --sort bogus", "invalid sort column 'bogus'"},
		{"flows --limit 0", "invalid limit '0'"},
		{"flows --limit x", "invalid limit 'x'"},
		{"flows --target group:root", "'group:root'"},
		{"flows --target user:nosuchuser-x", "unknown user 'nosuchuser-x'"},
		{"flows --target unit:nosuch.service", "unknown unit 'nosuch.service'"},
		{"flows --target bogus", "invalid target 'bogus'"},
		{"flows -f", "option -f does not apply to 'flows'"},
		{"flows extra", "unexpected 'extra'"},
	};

	for (size_t i = 0; i < sizeof(bad_args) / sizeof(bad_args[0]); i++) {
		int rc = sft_cli(&obs_env, "%s", bad_args[i].args);

		ck_assert_msg(rc == 2, "%s: exit %d", bad_args[i].args, rc);
		ck_assert_msg(strstr(obs_env.err, bad_args[i].says), "%s: said %s",
			      bad_args[i].args, obs_env.err);
		ck_assert_str_eq(obs_env.out, "");
	}
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		counts_equal_connects,
		sort_limit_and_target,
		bad_options_refused,
	};

	return sft_obs_run("flows", tests, sizeof(tests) / sizeof(tests[0]), NULL);
}
