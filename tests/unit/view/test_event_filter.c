// SPDX-License-Identifier: GPL-2.0-only
/* events' filters: which records --target and --since let through, and
 * the words they refuse. */
#include "view/event_filter.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <string.h>

static json_object *event(const char *time, long uid, long gid, const char *cgroup,
			  const char *daddr, const char *rule)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("event"));
	json_object_object_add(o, "time", json_object_new_string(time));
	json_object_object_add(o, "uid", json_object_new_int64(uid));
	json_object_object_add(o, "user", json_object_new_string("10001"));
	json_object_object_add(o, "gid", json_object_new_int64(gid));
	json_object_object_add(o, "cgroup", json_object_new_string(cgroup));
	json_object_object_add(o, "daddr", json_object_new_string(daddr));
	json_object_object_add(o, "rule", json_object_new_string(rule));
	return o;
}

static bool passes(const char *target, json_object *o)
{
	struct sf_event_filter f = {};
	char err[256];

	ck_assert_msg(!sf_event_filter_target(&f, target, err, sizeof(err)), "%s: %s", target, err);
	return sf_event_filter_match(&f, o);
}

START_TEST(target_kinds)
{
	json_object *e = event("2026-12-02T07:00:00.000Z", 10001, 20001,
			       "/tenants.slice/acme.slice/php-fpm.service", "192.0.2.1",
			       "cgroup:/tenants.slice/acme.slice");

	ck_assert(passes("user:10001", e));
	ck_assert(!passes("user:10002", e));
	ck_assert(passes("group:20001", e));
	ck_assert(!passes("group:0", e));
	ck_assert(passes("cgroup:/tenants.slice", e));
	ck_assert(passes("cgroup:/tenants.slice/acme.slice/php-fpm.service", e));
	ck_assert(!passes("cgroup:/tenants.slice/acme", e)); /* a prefix, not a parent */
	ck_assert(passes("unit:acme.slice", e));
	ck_assert(passes("unit:php-fpm.service", e));
	ck_assert(!passes("unit:cme.slice", e));
	ck_assert(passes("dest:192.0.2.0/24", e));
	ck_assert(!passes("dest:198.51.100.0/24", e));
	ck_assert(!passes("dest:2001:db8::/32", e));
	json_object_put(e);
	e = event("2026-12-02T07:00:00.000Z", 0, 0, "/x", "2001:db8::7", "default");
	ck_assert(passes("dest:2001:db8::/33", e));
	ck_assert(!passes("dest:2001:db9::/32", e));
	json_object_put(e);
}
END_TEST

START_TEST(lost_always_passes)
{
	struct sf_event_filter f = {};
	char err[256];
	json_object *lost = json_tokener_parse("{\"type\":\"lost\",\"count\":3}");

	ck_assert_int_eq(sf_event_filter_target(&f, "user:10001", err, sizeof(err)), 0);
	ck_assert_int_eq(sf_event_filter_since(&f, "1s", time(NULL), err, sizeof(err)), 0);
	ck_assert(sf_event_filter_match(&f, lost));
	json_object_put(lost);
}
END_TEST

START_TEST(since_forms)
{
	struct sf_event_filter f = {};
	char err[256];
	time_t now = 1796194800; /* 2026-12-02T07:00:00Z */
	json_object *old = event("2026-12-02T06:49:59.999Z", 1, 1, "/a", "192.0.2.1", "default"),
		    *fresh = event("2026-12-02T06:50:00.000Z", 1, 1, "/a", "192.0.2.1", "default");

	ck_assert_int_eq(sf_event_filter_since(&f, "10m", now, err, sizeof(err)), 0);
	ck_assert_int_eq(f.since, now - 600);
	ck_assert(!sf_event_filter_match(&f, old));
	ck_assert(sf_event_filter_match(&f, fresh));
	ck_assert_int_eq(sf_event_filter_since(&f, "2h", now, err, sizeof(err)), 0);
	ck_assert_int_eq(f.since, now - 7200);
	ck_assert_int_eq(sf_event_filter_since(&f, "1d", now, err, sizeof(err)), 0);
	ck_assert_int_eq(f.since, now - 86400);
	ck_assert_int_eq(sf_event_filter_since(&f, "90", now, err, sizeof(err)), 0);
	ck_assert_int_eq(f.since, now - 90);
	ck_assert_int_eq(sf_event_filter_since(&f, "2026-12-02T06:50:00Z", now, err, sizeof(err)),
			 0);
	ck_assert_int_eq(f.since, now - 600);
	ck_assert_int_eq(sf_event_filter_since(&f, "2026-12-02 06:50", now, err, sizeof(err)), 0);
	ck_assert_int_eq(sf_event_filter_since(&f, "today", now, err, sizeof(err)), 0);
	ck_assert_int_le(f.since, now);
	ck_assert_int_eq(sf_event_filter_since(&f, "yesterday-ish", now, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "invalid time 'yesterday-ish'"), "%s", err);
	ck_assert_int_eq(sf_event_filter_since(&f, "5w", now, err, sizeof(err)), -EINVAL);
	json_object_put(old);
	json_object_put(fresh);
}
END_TEST

START_TEST(refused_targets)
{
	struct sf_event_filter f = {};
	char err[256];

	ck_assert_int_eq(sf_event_filter_target(&f, "source:10.0.0.0/8", err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "source:"), "%s", err);
	ck_assert_int_eq(sf_event_filter_target(&f, "tenant:x", err, sizeof(err)), -EINVAL);
}
END_TEST

int main(void)
{
	return sft_run_tests("event_filter", NULL, NULL,
			     (const TTest *const[]){target_kinds, lost_always_passes, since_forms,
						    refused_targets, NULL});
}
