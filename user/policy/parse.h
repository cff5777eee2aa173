/* SPDX-License-Identifier: GPL-2.0-only */
/* Pure parsers for what users type: ports, CIDRs, actions, rates, errnos
 * and target syntax. No lookups, no I/O: unit-tested and fuzzed. */
#ifndef SF_PARSE_H
#define SF_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define SF_ERR_LEN 256

struct sf_cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned int prefixlen;
	uint8_t addr[16]; /* network order; IPv4 in the first four bytes */
};

struct sf_rate {
	uint64_t count; /* connects allowed per period */
	uint64_t period_ns;
	uint64_t burst;
};

enum sf_target_kind {
	SF_TARGET_CGROUP,
	SF_TARGET_UNIT,
	SF_TARGET_USER,
	SF_TARGET_GROUP,
	SF_TARGET_DEST,
	SF_TARGET_SOURCE, /* forwarded traffic by source prefix (tc) */
};

#define SF_TARGET_LEN 512
/* "kind:value" at most: a rule line ("limit = TARGET RATE") must fit the
 * 199 characters a configuration line holds, to be read back. */
#define SF_TARGET_TEXT_MAX 160

/* A target as written: kind plus the text after the colon (CIDRs in their
 * canonical form; every other value exactly as written). */
struct sf_target_spec {
	enum sf_target_kind kind;
	char value[SF_TARGET_LEN];
	struct sf_cidr cidr; /* SF_TARGET_DEST, SF_TARGET_SOURCE */
};

/* Each returns 0, or -EINVAL with a message naming the offending word. */
int sf_parse_port(const char *s, uint16_t *port, char *err, size_t errlen);
int sf_parse_cidr(const char *s, struct sf_cidr *out, char *err, size_t errlen);
int sf_parse_action(const char *s, int *action, char *err, size_t errlen);
int sf_parse_rate(const char *s, struct sf_rate *out, char *err, size_t errlen);
int sf_parse_errno(const char *s, int *errnum, char *err, size_t errlen);
int sf_parse_target(const char *s, struct sf_target_spec *out, char *err, size_t errlen);
/* The one check every target value passes, from the CLI, a file or a
 * batch: it must round-trip through the files byte for byte. Refuses
 * control characters, NUL (by construction), blanks, '#' and ';', values
 * longer than SF_TARGET_TEXT_MAX, and cgroup paths with "//", ".", ".." or
 * a trailing "/". 0, or -EINVAL with a message naming the offence. */
int sf_target_check(enum sf_target_kind kind, const char *value, char *err, size_t errlen);
int sf_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* An interface name as the kernel accepts it (IFNAMSIZ, no '/' or blank). */
int sf_parse_ifname(const char *s, char *err, size_t errlen);

/* The rule id of a source:CIDR rule, made from the prefix so that it stays
 * the same across reloads: family (4 or 6) in the top byte, the prefix
 * length in the next, the IPv4 address or a hash of the IPv6 prefix below. */
uint64_t sf_source_rule_id(const struct sf_cidr *c);
/* The family (AF_INET/AF_INET6) and prefix length an id was made from. */
int sf_source_rule_family(uint64_t id);
unsigned int sf_source_rule_prefixlen(uint64_t id);

const char *sf_action_name(int action);
const char *sf_target_kind_name(enum sf_target_kind kind);
/* The i-th kind's name, NULL past the last: every kind, for the help. */
const char *sf_target_kind_at(size_t i);
/* "kind:value", as the user would write it. */
void sf_target_format(const struct sf_target_spec *t, char *buf, size_t len);
void sf_cidr_format(const struct sf_cidr *c, char *buf, size_t len);
/* The rate's period as the configuration writes it ("sec", "min", "hour",
 * "day"), or as a word in a sentence (word: "second", "minute", ...). */
const char *sf_rate_unit(const struct sf_rate *r, bool word);
void sf_rate_format(const struct sf_rate *r, char *buf, size_t len);

#endif /* SF_PARSE_H */
