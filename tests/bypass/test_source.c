// SPDX-License-Identifier: GPL-2.0-only
/* The userspace side of forwarded-traffic rules: source:CIDR targets, their
 * stable rule ids, `interfaces =`, and what compile puts in the tries. */
#include "policy/compile.h"
#include "suite.h"
#include "policy/config.h"
#include "policy/parse.h"
#include "smtpfence.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[SF_ERR_LEN];

START_TEST(source_targets)
{
	struct sf_target_spec t;
	struct sf_rule_spec r;

	ck_assert_int_eq(sf_parse_target("source:203.0.113.8/29", &t, err, sizeof(err)), 0);
	ck_assert_int_eq(t.kind, SF_TARGET_SOURCE);
	ck_assert_str_eq(t.value, "203.0.113.8/29");
	ck_assert_int_eq(sf_parse_target("source:2001:db8:1::/64", &t, err, sizeof(err)), 0);
	ck_assert_int_eq(t.cidr.family, AF_INET6);
	/* A mapped IPv4 prefix is stored as IPv4, as the packets carry it. */
	ck_assert_int_eq(sf_parse_target("source:::ffff:203.0.113.0/120", &t, err, sizeof(err)), 0);
	ck_assert_str_eq(t.value, "203.0.113.0/24");
	ck_assert_int_eq(sf_parse_target("source:203.0.113.9/29", &t, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "'203.0.113.9/29' has host bits set (did you mean 203.0.113.8/29?)");
	ck_assert_int_eq(sf_parse_target("source:vm1", &t, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "invalid address 'vm1'");
	/* Unlike dest:, every action applies to a source. */
	ck_assert_int_eq(
		sf_rule_from_words("limit", "source:203.0.113.0/24 5/min", &r, err, sizeof(err)),
		0);
	ck_assert_int_eq(r.action, SF_ACT_LIMIT);
	free(r.value);
	ck_assert_int_eq(sf_rule_from_words("deny", "source:10.0.0.0/8", &r, err, sizeof(err)), 0);
	free(r.value);
	ck_assert_int_eq(sf_rule_from_words("deny", "dest:10.0.0.0/8", &r, err, sizeof(err)),
			 -EINVAL);
}
END_TEST

START_TEST(source_rule_ids)
{
	struct sf_cidr a, b;

	ck_assert_int_eq(sf_parse_cidr("203.0.113.8/29", &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(sf_source_rule_id(&a), (4ULL << 56) | (29ULL << 48) | 0xcb007108ULL);
	ck_assert_int_eq(sf_source_rule_family(sf_source_rule_id(&a)), AF_INET);
	ck_assert_uint_eq(sf_source_rule_prefixlen(sf_source_rule_id(&a)), 29);
	/* Same address, another length: another rule. */
	ck_assert_int_eq(sf_parse_cidr("203.0.113.8/30", &b, err, sizeof(err)), 0);
	ck_assert_uint_ne(sf_source_rule_id(&a), sf_source_rule_id(&b));
	ck_assert_int_eq(sf_parse_cidr("2001:db8:1::/64", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(sf_parse_cidr("2001:db8:2::/64", &b, err, sizeof(err)), 0);
	ck_assert_uint_ne(sf_source_rule_id(&a), sf_source_rule_id(&b));
	ck_assert_int_eq(sf_source_rule_family(sf_source_rule_id(&a)), AF_INET6);
	ck_assert_uint_eq(sf_source_rule_prefixlen(sf_source_rule_id(&a)), 64);
}
END_TEST

START_TEST(interface_names)
{
	ck_assert_int_eq(sf_parse_ifname("eth0", err, sizeof(err)), 0);
	ck_assert_int_eq(sf_parse_ifname("br-vm.100", err, sizeof(err)), 0);
	ck_assert_int_eq(sf_parse_ifname("0123456789abcde", err, sizeof(err)), 0);
	ck_assert_int_eq(sf_parse_ifname("0123456789abcdef", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_ifname("a/b", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "invalid interface name 'a/b': expected 1 to 15 characters, no '/', "
			      "':' or blanks");
	ck_assert_int_eq(sf_parse_ifname("..", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(sf_parse_ifname("", err, sizeof(err)), -EINVAL);
}
END_TEST

static char dir[64];

static int load_text(const char *text, struct sf_policy *p, struct sf_diag *d)
{
	char path[128];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/smtpfence-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[global]\nrules_dir = %s/none\n%s", dir, text);
	fclose(f);
	return sf_config_load(path, true, p, d);
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(interfaces_key)
{
	struct sf_policy p;
	struct sf_diag d = {};

	ck_assert_int_eq(load_text("interfaces = eth0, br0 eth0\n", &p, &d), 0);
	ck_assert_uint_eq(p.n_interfaces, 2);
	ck_assert_str_eq(p.interfaces[0], "eth0");
	ck_assert_str_eq(p.interfaces[1], "br0");
	sf_policy_free(&p);
	remove_dir();
	ck_assert_int_eq(load_text("interfaces = eth0 some/thing\n", &p, &d), -EINVAL);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_ptr_nonnull(
		strstr(d.msgs[0], "main.conf:3: invalid interface name 'some/thing'"));
	sf_policy_free(&p);
	sf_diag_free(&d);
	remove_dir();
}
END_TEST

/* Source rules land in the rule table under their id and in the tries. */
START_TEST(compile_sources)
{
	struct sf_policy p;
	struct sf_diag d = {};
	struct sf_compiled c;
	struct sf_cidr v4;

	ck_assert_int_eq(load_text("[rules]\nallow = source:203.0.113.8/29\n"
				   "limit = source:2001:db8:1::/64 10/min\n"
				   "deny = source:198.51.100.0/24\n",
				   &p, &d),
			 0);
	ck_assert_int_eq(sf_compile(&p, "/nonexistent", &c, &d), 0);
	ck_assert_uint_eq(c.n_source4, 2);
	ck_assert_uint_eq(c.n_source6, 1);
	ck_assert_uint_eq(c.n_rules, 4); /* three sources and the default */
	sf_parse_cidr("203.0.113.8/29", &v4, err, sizeof(err));
	ck_assert_uint_eq(c.source4[0].prefixlen, 29);
	ck_assert_uint_eq(c.source4_val[0].rule_id, sf_source_rule_id(&v4));
	ck_assert_uint_eq(c.source6[0].prefixlen, 64);
	ck_assert_uint_eq(c.spec_keys[1].kind, SF_KIND_SOURCE);
	ck_assert_uint_eq(c.spec_keys[1].id, c.source6_val[0].rule_id);
	sf_compiled_free(&c);
	sf_policy_free(&p);
	sf_diag_free(&d);
	remove_dir();
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("source");

	tcase_add_test(tc, source_targets);
	tcase_add_test(tc, source_rule_ids);
	tcase_add_test(tc, interface_names);
	tcase_add_test(tc, interfaces_key);
	tcase_add_test(tc, compile_sources);
	return sft_run_tcase("source", tc);
}
