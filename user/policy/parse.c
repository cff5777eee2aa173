// SPDX-License-Identifier: GPL-2.0-only
#include "policy/parse.h"
#include "smtpfence.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS_PER_SEC  1000000000ULL
#define SF_RATE_MAX 1000000ULL

/* Strict decimal: no sign, no spaces, no trailing junk, within [min, max]. */
int sf_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int sf_parse_port(const char *s, uint16_t *port, char *err, size_t errlen)
{
	uint64_t v;

	if (sf_parse_uint(s, 1, 65535, &v)) {
		snprintf(err, errlen, "invalid port '%s': expected 1 to 65535", s);
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

static void mask_host_bits(uint8_t *addr, unsigned int prefixlen, unsigned int bytes, bool *had)
{
	*had = false;
	for (unsigned int i = 0; i < bytes; i++) {
		unsigned int keep = prefixlen >= (i + 1) * 8 ? 8
				    : prefixlen > i * 8	     ? prefixlen - i * 8
							     : 0;
		uint8_t mask = keep ? (uint8_t)(0xff << (8 - keep)) : 0;

		if (addr[i] & ~mask)
			*had = true;
		addr[i] &= mask;
	}
}

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int sf_parse_cidr(const char *s, struct sf_cidr *out, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	unsigned int max;
	uint64_t len;
	bool had_host_bits;

	if (!s || strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "invalid address '%s'", s ? s : "");
		return -EINVAL;
	}
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		snprintf(err, errlen, "invalid address '%s'", buf);
		return -EINVAL;
	}
	if (slash && sf_parse_uint(slash, 0, max, &len)) {
		snprintf(err, errlen, "invalid prefix length '/%s' in '%s': expected 0 to %u",
			 slash, s, max);
		return -EINVAL;
	}
	out->prefixlen = slash ? (unsigned int)len : max;
	mask_host_bits(out->addr, out->prefixlen, max / 8, &had_host_bits);
	if (had_host_bits) {
		char canon[INET6_ADDRSTRLEN];

		inet_ntop(out->family, out->addr, canon, sizeof(canon));
		snprintf(err, errlen, "'%s' has host bits set (did you mean %s/%u?)", s, canon,
			 out->prefixlen);
		return -EINVAL;
	}
	/* ::ffff:a.b.c.d/N is judged as IPv4 by the kernel: store it so. */
	if (out->family == AF_INET6 && out->prefixlen >= 96 &&
	    !memcmp(out->addr, v4_mapped_prefix, sizeof(v4_mapped_prefix))) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = AF_INET;
		out->prefixlen -= 96;
	}
	return 0;
}

static const char *const action_names[] = {
	[SF_ACT_NONE] = "none", [SF_ACT_ALLOW] = "allow", [SF_ACT_DENY] = "deny",
	[SF_ACT_LOG] = "log",	[SF_ACT_LIMIT] = "limit", [SF_ACT_REDIRECT] = "redirect",
};

const char *sf_action_name(int action)
{
	if (action < 0 || action > SF_ACT_REDIRECT)
		return "?";
	return action_names[action];
}

int sf_parse_action(const char *s, int *action, char *err, size_t errlen)
{
	for (int a = SF_ACT_ALLOW; a <= SF_ACT_REDIRECT; a++) {
		if (s && !strcmp(s, action_names[a])) {
			*action = a;
			return 0;
		}
	}
	snprintf(err, errlen, "unknown action '%s': expected allow, deny, log, limit or redirect",
		 s ? s : "");
	return -EINVAL;
}

static const struct {
	const char *name;
	uint64_t ns;
} periods[] = {
	{"s", NS_PER_SEC},	     {"sec", NS_PER_SEC},	  {"second", NS_PER_SEC},
	{"m", 60 * NS_PER_SEC},	     {"min", 60 * NS_PER_SEC},	  {"minute", 60 * NS_PER_SEC},
	{"h", 3600 * NS_PER_SEC},    {"hour", 3600 * NS_PER_SEC}, {"d", 86400 * NS_PER_SEC},
	{"day", 86400 * NS_PER_SEC},
};

/* "N/PERIOD" or "N/PERIOD burst B" (the burst defaults to N). */
int sf_parse_rate(const char *s, struct sf_rate *out, char *err, size_t errlen)
{
	char buf[128], *count, *period, *word, *extra, *save = NULL;
	uint64_t v;
	size_t i;

	if (!s || strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	count = strtok_r(buf, " \t", &save);
	word = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (!count || !(period = strchr(count, '/')))
		goto bad;
	*period++ = '\0';
	if (sf_parse_uint(count, 1, SF_RATE_MAX, &out->count)) {
		snprintf(err, errlen, "invalid rate count '%s' in '%s': expected 1 to %llu", count,
			 s, SF_RATE_MAX);
		return -EINVAL;
	}
	for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
		if (!strcmp(period, periods[i].name))
			break;
	if (i == sizeof(periods) / sizeof(periods[0])) {
		snprintf(err, errlen,
			 "invalid rate period '%s' in '%s': expected sec, min, hour or day", period,
			 s);
		return -EINVAL;
	}
	out->period_ns = periods[i].ns;
	out->burst = out->count;
	if (word) {
		if (strcmp(word, "burst") || !extra)
			goto bad;
		if (sf_parse_uint(extra, 1, SF_RATE_MAX, &v)) {
			snprintf(err, errlen, "invalid burst '%s' in '%s': expected 1 to %llu",
				 extra, s, SF_RATE_MAX);
			return -EINVAL;
		}
		out->burst = v;
		if (strtok_r(NULL, " \t", &save))
			goto bad;
	}
	/* The kernel's bucket holds burst * period_ns in a __u64. */
	if (out->burst > UINT64_MAX / out->period_ns) {
		snprintf(err, errlen, "invalid burst %llu in '%s': at most %llu per %s",
			 (unsigned long long)out->burst, s,
			 (unsigned long long)(UINT64_MAX / out->period_ns), period);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, errlen, "malformed rate '%s': expected N/sec|N/min|N/hour|N/day [burst B]",
		 s ? s : "");
	return -EINVAL;
}

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{"EPERM", EPERM},
	{"EACCES", EACCES},
	{"ECONNREFUSED", ECONNREFUSED},
	{"ENETUNREACH", ENETUNREACH},
	{"EHOSTUNREACH", EHOSTUNREACH},
	{"ETIMEDOUT", ETIMEDOUT},
};

int sf_parse_errno(const char *s, int *errnum, char *err, size_t errlen)
{
	uint64_t v;

	for (size_t i = 0; s && i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		if (!strcasecmp(s, errnos[i].name)) {
			*errnum = errnos[i].value;
			return 0;
		}
	}
	if (!sf_parse_uint(s, 1, 4095, &v)) {
		*errnum = (int)v;
		return 0;
	}
	snprintf(err, errlen,
		 "invalid errno '%s': expected EPERM, EACCES, ECONNREFUSED, ENETUNREACH, "
		 "EHOSTUNREACH, ETIMEDOUT or a number from 1 to 4095",
		 s ? s : "");
	return -EINVAL;
}

static const char *const kind_names[] = {
	[SF_TARGET_CGROUP] = "cgroup", [SF_TARGET_UNIT] = "unit", [SF_TARGET_USER] = "user",
	[SF_TARGET_GROUP] = "group",   [SF_TARGET_DEST] = "dest", [SF_TARGET_SOURCE] = "source",
};

const char *sf_target_kind_name(enum sf_target_kind kind)
{
	return kind_names[kind];
}

const char *sf_target_kind_at(size_t i)
{
	return i < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[i] : NULL;
}

static bool unit_name_valid(const char *name)
{
	static const char *const suffixes[] = {".service", ".slice", ".scope"};
	size_t n = strlen(name);

	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(":-_.\\@", *p))
			return false;
	for (size_t i = 0; i < 3; i++) {
		size_t sl = strlen(suffixes[i]);

		if (n > sl && !strcmp(name + n - sl, suffixes[i]))
			return true;
	}
	return false;
}

/* A path as the kernel names it: absolute, no empty, "." or ".." part,
 * no trailing "/" (except "/" itself). Written as it stands, never rewritten:
 * what the panel sent is what the files hold. */
static const char *cgroup_path_problem(const char *v)
{
	if (v[0] != '/')
		return "expected an absolute path below the cgroup-v2 mount";
	if (!v[1])
		return NULL;
	for (const char *p = v; *p;) {
		const char *end = strchrnul(p + 1, '/');
		size_t part = (size_t)(end - p - 1);

		if (part == 0)
			return *end || p[1] ? "empty path part ('//')" : "trailing '/'";
		if ((part == 1 && p[1] == '.') || (part == 2 && p[1] == '.' && p[2] == '.'))
			return "'.' or '..' part";
		p = end;
	}
	return NULL;
}

int sf_target_check(enum sf_target_kind kind, const char *value, char *err, size_t errlen)
{
	size_t n = strlen(value);

	if (n == 0 || n + strlen(kind_names[kind]) + 1 > SF_TARGET_TEXT_MAX) {
		snprintf(err, errlen,
			 "invalid target '%s:%.40s%s': empty or longer than %d characters",
			 kind_names[kind], value, n > 40 ? "..." : "", SF_TARGET_TEXT_MAX);
		return -EINVAL;
	}
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		/* A line break, a blank or a comment starter would change what the
		 * files say when the rule is written there and read back. */
		if (*p < 0x20 || *p == 0x7f || *p == ' ' || *p == '#' || *p == ';') {
			snprintf(err, errlen,
				 "invalid target '%s:%s': byte 0x%02x at offset %zu (no control "
				 "characters, blanks, '#' or ';')",
				 kind_names[kind], *p < 0x20 || *p == 0x7f ? "..." : value, *p,
				 (size_t)(p - (const unsigned char *)value));
			return -EINVAL;
		}
	}
	if (kind == SF_TARGET_CGROUP) {
		const char *why = cgroup_path_problem(value);

		if (why) {
			snprintf(err, errlen, "invalid cgroup path '%s': %s", value, why);
			return -EINVAL;
		}
	}
	return 0;
}

int sf_parse_target(const char *s, struct sf_target_spec *out, char *err, size_t errlen)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	size_t klen;
	const char *value;
	int kind = -1;

	memset(out, 0, sizeof(*out));
	if (!colon) {
		snprintf(err, errlen,
			 "invalid target '%s': expected cgroup:PATH, unit:NAME, user:NAME|UID, "
			 "group:NAME|GID, dest:CIDR or source:CIDR",
			 s ? s : "");
		return -EINVAL;
	}
	klen = (size_t)(colon - s);
	value = colon + 1;
	for (int k = SF_TARGET_CGROUP; k <= SF_TARGET_SOURCE; k++)
		if (strlen(kind_names[k]) == klen && !strncmp(s, kind_names[k], klen))
			kind = k;
	if (kind < 0) {
		snprintf(err, errlen,
			 "unknown target kind '%.*s' in '%s': expected cgroup, unit, user, group, "
			 "dest or source",
			 (int)klen, s, s);
		return -EINVAL;
	}
	out->kind = kind;
	if (sf_target_check(kind, value, err, errlen))
		return -EINVAL;
	switch (kind) {
	case SF_TARGET_CGROUP:
		break;
	case SF_TARGET_UNIT:
		if (!unit_name_valid(value)) {
			snprintf(err, errlen,
				 "invalid unit name '%s': expected NAME.service, NAME.slice or "
				 "NAME.scope",
				 value);
			return -EINVAL;
		}
		break;
	case SF_TARGET_USER:
	case SF_TARGET_GROUP:
		for (const char *p = value; *p; p++) {
			if (isspace((unsigned char)*p) || *p == ':' || *p == '/') {
				snprintf(err, errlen, "invalid %s name '%s'", kind_names[kind],
					 value);
				return -EINVAL;
			}
		}
		break;
	case SF_TARGET_DEST:
	case SF_TARGET_SOURCE:
		if (sf_parse_cidr(value, &out->cidr, err, errlen))
			return -EINVAL;
		sf_cidr_format(&out->cidr, out->value, sizeof(out->value));
		return 0;
	}
	strcpy(out->value, value);
	return 0;
}

int sf_parse_ifname(const char *s, char *err, size_t errlen)
{
	size_t n = s ? strlen(s) : 0;
	bool ok = n > 0 && n < 16 && strcmp(s, ".") && strcmp(s, "..");

	for (size_t i = 0; ok && i < n; i++)
		ok = !isspace((unsigned char)s[i]) && s[i] != '/' && s[i] != ':';
	if (ok)
		return 0;
	snprintf(err, errlen,
		 "invalid interface name '%s': expected 1 to 15 characters, no '/', "
		 "':' or blanks",
		 s ? s : "");
	return -EINVAL;
}

#define SF_SOURCE_LOW_BITS 48

uint64_t sf_source_rule_id(const struct sf_cidr *c)
{
	uint64_t low = 0;

	if (c->family == AF_INET) {
		low = (uint64_t)c->addr[0] << 24 | (uint64_t)c->addr[1] << 16 |
		      (uint64_t)c->addr[2] << 8 | c->addr[3];
	} else {
		/* FNV-1a; compile reports the (unlikely) clash of two prefixes. */
		low = 0xcbf29ce484222325ULL;
		for (int i = 0; i < 16; i++)
			low = (low ^ c->addr[i]) * 0x100000001b3ULL;
		low &= (1ULL << SF_SOURCE_LOW_BITS) - 1;
	}
	return (uint64_t)(c->family == AF_INET ? 4 : 6) << 56 | (uint64_t)c->prefixlen << 48 | low;
}

int sf_source_rule_family(uint64_t id)
{
	return id >> 56 == 4 ? AF_INET : AF_INET6;
}

unsigned int sf_source_rule_prefixlen(uint64_t id)
{
	return (id >> 48) & 0xff;
}

void sf_cidr_format(const struct sf_cidr *c, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(c->family, c->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, c->prefixlen);
}

void sf_target_format(const struct sf_target_spec *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s", kind_names[t->kind], t->value);
}

const char *sf_rate_unit(const struct sf_rate *r, bool word)
{
	switch (r->period_ns / NS_PER_SEC) {
	case 86400:
		return "day";
	case 3600:
		return "hour";
	case 60:
		return word ? "minute" : "min";
	default:
		return word ? "second" : "sec";
	}
}

void sf_rate_format(const struct sf_rate *r, char *buf, size_t len)
{
	snprintf(buf, len, "%llu/%s burst %llu", (unsigned long long)r->count,
		 sf_rate_unit(r, false), (unsigned long long)r->burst);
}
