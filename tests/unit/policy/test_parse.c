// SPDX-License-Identifier: GPL-2.0-only
/* The parsers for what users type: ports, CIDRs, rates, errnos, targets. */
#include "policy/parse.h"
#include "suite.h"
#include "smtpfence.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char err[SF_ERR_LEN];

START_TEST(ports)
{
	uint16_t p;

	ck_assert_int_eq(sf_parse_port("25", &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p, 25);
	ck_assert_int_eq(sf_parse_port("65535", &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p, 65535);
	const char *bad[] = {
		"0", "65536", "-1", "+25", "25x", "", " 25", "0x19", "99999999999999999999"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(sf_parse_port(bad[i], &p, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, "invalid port"), "message for '%s': %s", bad[i], err);
	}
	ck_assert_str_eq(err, "invalid port '99999999999999999999': expected 1 to 65535");
}
END_TEST

START_TEST(cidrs)
{
	struct sf_cidr c;
	char buf[64];

	ck_assert_int_eq(sf_parse_cidr("10.0.0.0/8", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_uint_eq(c.prefixlen, 8);
	ck_assert_uint_eq(c.addr[0], 10);
	ck_assert_int_eq(sf_parse_cidr("192.0.2.7", &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.prefixlen, 32);
	ck_assert_int_eq(sf_parse_cidr("2001:db8::/32", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_uint_eq(c.prefixlen, 32);
	ck_assert_int_eq(sf_parse_cidr("::1", &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.prefixlen, 128);
	/* An IPv4-mapped prefix is stored as the IPv4 prefix it stands for. */
	ck_assert_int_eq(sf_parse_cidr("::ffff:10.1.0.0/112", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_uint_eq(c.prefixlen, 16);
	sf_cidr_format(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.1.0.0/16");

	ck_assert_int_eq(sf_parse_cidr("10.0.0.1/8", &c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "'10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)");
	ck_assert_int_eq(sf_parse_cidr("10.0.0.0/33", &c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "invalid prefix length '/33' in '10.0.0.0/33': expected 0 to 32");
	ck_assert_int_eq(sf_parse_cidr("2001:db8::/129", &c, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_cidr("300.1.1.1", &c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "invalid address '300.1.1.1'");
	ck_assert_int_eq(sf_parse_cidr("10.0.0.0/", &c, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_cidr("10.0.0.0/-1", &c, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_cidr("", &c, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(rates)
{
	struct sf_rate r;
	char buf[64];

	ck_assert_int_eq(sf_parse_rate("5/min", &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.count, 5);
	ck_assert_uint_eq(r.period_ns, 60ULL * 1000000000ULL);
	ck_assert_uint_eq(r.burst, 5);
	ck_assert_int_eq(sf_parse_rate("100/hour burst 20", &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.burst, 20);
	sf_rate_format(&r, buf, sizeof(buf));
	ck_assert_str_eq(buf, "100/hour burst 20");
	ck_assert_int_eq(sf_parse_rate("1/sec", &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.period_ns, 1000000000ULL);

	ck_assert_int_eq(sf_parse_rate("5/fortnight", &r, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(
		err,
		"invalid rate period 'fortnight' in '5/fortnight': expected sec, min, hour or day");
	ck_assert_int_eq(sf_parse_rate("0/min", &r, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_rate("5", &r, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "malformed rate '5': expected N/sec|N/min|N/hour|N/day [burst B]");
	ck_assert_int_eq(sf_parse_rate("5/min burst", &r, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_rate("5/min burst 0", &r, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_rate("5/min bust 3", &r, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_rate("5/min burst 3 extra", &r, err, sizeof(err)), -EINVAL);
	/* found by fuzz_rate: the kernel's bucket (burst x period) must fit 64 bits */
	ck_assert_int_eq(sf_parse_rate("336666/day", &r, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "invalid burst 336666 in '336666/day': at most 213503 per day");
	ck_assert_int_eq(sf_parse_rate("1/day burst 213503", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(sf_parse_rate("1000000/hour", &r, err, sizeof(err)), 0);
}
END_TEST

START_TEST(errnos)
{
	int e;

	ck_assert_int_eq(sf_parse_errno("EPERM", &e, err, sizeof(err)), 0);
	ck_assert_int_eq(e, EPERM);
	ck_assert_int_eq(sf_parse_errno("econnrefused", &e, err, sizeof(err)), 0);
	ck_assert_int_eq(e, ECONNREFUSED);
	ck_assert_int_eq(sf_parse_errno("13", &e, err, sizeof(err)), 0);
	ck_assert_int_eq(e, 13);
	ck_assert_int_eq(sf_parse_errno("EFOO", &e, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_errno("0", &e, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(targets)
{
	struct sf_target_spec t;
	char buf[600];

	ck_assert_int_eq(sf_parse_target("user:postfix", &t, err, sizeof(err)), 0);
	ck_assert_int_eq(t.kind, SF_TARGET_USER);
	ck_assert_str_eq(t.value, "postfix");
	ck_assert_int_eq(sf_parse_target("group:1000", &t, err, sizeof(err)), 0);
	ck_assert_int_eq(t.kind, SF_TARGET_GROUP);
	ck_assert_int_eq(sf_parse_target("unit:acme.slice", &t, err, sizeof(err)), 0);
	ck_assert_int_eq(t.kind, SF_TARGET_UNIT);
	ck_assert_int_eq(sf_parse_target("unit:php-fpm@acme.service", &t, err, sizeof(err)), 0);
	/* Cgroup paths are kept as written, and must be written canonically. */
	ck_assert_int_eq(sf_parse_target("cgroup:/tenants.slice/acme.slice", &t, err, sizeof(err)),
			 0);
	sf_target_format(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "cgroup:/tenants.slice/acme.slice");
	ck_assert_int_eq(sf_parse_target("cgroup:/", &t, err, sizeof(err)), 0);
	ck_assert_int_eq(
		sf_parse_target("cgroup://tenants.slice//acme.slice/", &t, err, sizeof(err)),
		-EINVAL);
	ck_assert_str_eq(err, "invalid cgroup path '//tenants.slice//acme.slice/': empty path "
			      "part ('//')");
	ck_assert_int_eq(sf_parse_target("cgroup:/a/", &t, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "invalid cgroup path '/a/': trailing '/'");
	ck_assert_int_eq(sf_parse_target("cgroup:/a/./b", &t, err, sizeof(err)), -EINVAL);
	/* Nothing that would not read back the same from a file. */
	ck_assert_int_eq(sf_parse_target("cgroup:/t/acme\nallow=user:65534", &t, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "invalid target 'cgroup:...': byte 0x0a at offset 7 (no control "
			      "characters, blanks, '#' or ';')");
	ck_assert_int_eq(sf_parse_target("user:a;b", &t, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_target("user:a#b", &t, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_target("group:a\x7f", &t, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_target("unit:a\tb.service", &t, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_target("dest:10.0.0.0/8", &t, err, sizeof(err)), 0);
	ck_assert_int_eq(t.kind, SF_TARGET_DEST);
	ck_assert_str_eq(t.value, "10.0.0.0/8");

	ck_assert_int_eq(sf_parse_target("host:foo", &t, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err,
			 "unknown target kind 'host' in 'host:foo': expected cgroup, unit, user, "
			 "group, dest or source");
	ck_assert_int_eq(sf_parse_target("postfix", &t, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_target("user:", &t, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_target("cgroup:relative/path", &t, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_target("cgroup:/a/../etc", &t, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_target("unit:acme", &t, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(
		err, "invalid unit name 'acme': expected NAME.service, NAME.slice or NAME.scope");
	ck_assert_int_eq(sf_parse_target("dest:10.0.0.0/40", &t, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_target("user:a b", &t, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(actions)
{
	int a;

	ck_assert_int_eq(sf_parse_action("allow", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(a, SF_ACT_ALLOW);
	ck_assert_int_eq(sf_parse_action("limit", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(a, SF_ACT_LIMIT);
	ck_assert_int_eq(sf_parse_action("permit", &a, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "unknown action 'permit': expected allow, deny, log, limit or redirect");
}
END_TEST

int main(void)
{
	return sft_run_tests("parse", NULL, NULL,
			     (const TTest *const[]){ports, cidrs, rates, errnos, targets, actions, NULL});
}
