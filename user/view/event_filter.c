// SPDX-License-Identifier: GPL-2.0-only
#include "view/event_filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *field(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static long long number(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

int sf_event_filter_target(struct sf_event_filter *f, const char *target, char *err, size_t len)
{
	struct sf_target_spec *t = &f->target;
	uint64_t id;

	if (sf_parse_target(target, t, err, len))
		return -EINVAL;
	if (t->kind == SF_TARGET_SOURCE) {
		snprintf(err, len, "'%s': events are not about source: targets", target);
		return -EINVAL;
	}
	f->uid_gid = -1;
	if (!sf_parse_uint(t->value, 0, UINT32_MAX, &id)) {
		f->uid_gid = (long long)id;
	} else if (t->kind == SF_TARGET_USER) {
		struct passwd *pw = getpwnam(t->value);

		f->uid_gid = pw ? (long long)pw->pw_uid : -1;
	} else if (t->kind == SF_TARGET_GROUP) {
		struct group *gr = getgrnam(t->value);

		f->uid_gid = gr ? (long long)gr->gr_gid : -1;
	}
	f->has_target = true;
	return 0;
}

static int parse_local(const char *when, time_t *out)
{
	static const char *const forms[] = {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
					    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct tm tm = {.tm_isdst = -1};
		const char *end = strptime(when, forms[i], &tm);

		if (end && !*end) {
			*out = mktime(&tm);
			return 0;
		}
		if (end && !strcmp(end, "Z")) {
			*out = timegm(&tm);
			return 0;
		}
	}
	return -EINVAL;
}

int sf_event_filter_since(struct sf_event_filter *f, const char *when, time_t now, char *err,
			  size_t len)
{
	char *end;
	unsigned long long n = strtoull(when, &end, 10);
	long long unit = 0;

	if (end != when && when[0] >= '0' && when[0] <= '9') {
		unit = !strcmp(end, "s") || !*end ? 1
		       : !strcmp(end, "m")	  ? 60
		       : !strcmp(end, "h")	  ? 3600
		       : !strcmp(end, "d")	  ? 86400
						  : 0;
		if (unit && n <= 100ull * 365 * 86400 / (unsigned long long)unit) {
			f->since = now - (time_t)(n * (unsigned long long)unit);
			f->has_since = true;
			return 0;
		}
	}
	if (!strcmp(when, "today")) {
		struct tm tm;

		localtime_r(&now, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		f->since = mktime(&tm);
		f->has_since = true;
		return 0;
	}
	if (!parse_local(when, &f->since)) {
		f->has_since = true;
		return 0;
	}
	snprintf(err, len,
		 "invalid time '%s': expected a duration ago (90s, 10m, 2h, 1d), "
		 "YYYY-MM-DD [HH:MM[:SS]] (local), an RFC 3339 UTC time or today",
		 when);
	return -EINVAL;
}

/* The record's "time" (RFC 3339, UTC, milliseconds): seconds, or -1. */
static time_t record_time(json_object *o)
{
	const char *s = field(o, "time");
	struct tm tm = {};
	const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;

	return end ? timegm(&tm) : -1;
}

/* path equals sub or lies below it; both without a leading '/'. */
static bool below(const char *path, const char *sub)
{
	size_t n;

	while (*path == '/')
		path++;
	while (*sub == '/')
		sub++;
	n = strlen(sub);
	return !n || (!strncmp(path, sub, n) && (path[n] == '\0' || path[n] == '/'));
}

/* A unit's cgroup is a path component named after it. */
static bool has_component(const char *path, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = path; (p = strstr(p, name)); p++)
		if ((p == path || p[-1] == '/') && (p[n] == '\0' || p[n] == '/'))
			return true;
	return false;
}

static bool in_cidr(const struct sf_cidr *c, const char *addr)
{
	uint8_t a[16];
	unsigned int full = c->prefixlen / 8, rest = c->prefixlen % 8;

	if (!addr || inet_pton(c->family, addr, a) != 1)
		return false;
	if (memcmp(a, c->addr, full))
		return false;
	return !rest || ((a[full] ^ c->addr[full]) & (0xff00 >> rest)) == 0;
}

static bool target_match(const struct sf_event_filter *f, json_object *o)
{
	const struct sf_target_spec *t = &f->target;
	const char *cg = field(o, "cgroup"), *rule = field(o, "rule"), *tg = field(o, "target");
	char text[SF_TARGET_LEN + 16];

	snprintf(text, sizeof(text), "%s:%s", sf_target_kind_name(t->kind), t->value);
	/* the rule that decided, or a quarantine's or a notice's target */
	if ((rule && !strcmp(rule, text)) || (tg && !strcmp(tg, text)))
		return true;
	switch (t->kind) {
	case SF_TARGET_USER: {
		const char *user = field(o, "user");

		return (f->uid_gid >= 0 && number(o, "uid") == f->uid_gid) ||
		       (user && !strcmp(user, t->value));
	}
	case SF_TARGET_GROUP:
		return f->uid_gid >= 0 && number(o, "gid") == f->uid_gid;
	case SF_TARGET_CGROUP:
		return cg && below(cg, t->value);
	case SF_TARGET_UNIT:
		return cg && has_component(cg, t->value);
	case SF_TARGET_DEST:
		return in_cidr(&t->cidr, field(o, "daddr"));
	default:
		return false;
	}
}

bool sf_event_filter_match(const struct sf_event_filter *f, json_object *o)
{
	const char *type = field(o, "type");

	if (type && !strcmp(type, "lost"))
		return true;
	if (f->has_since) {
		time_t t = record_time(o);

		if (t >= 0 && t < f->since)
			return false;
	}
	return !f->has_target || target_match(f, o);
}
