// SPDX-License-Identifier: GPL-2.0-only
/* The policy compiler: the exact map contents a policy asks for, and the
 * problems it finds (unknown names, two targets on one key, a full table),
 * each at file:line. */
#include "policy/compile.h"
#include "policy/config.h"
#include "util/cgroupfs.h"
#include "suite.h"
#include "smtpfence.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static struct sf_policy p;
static struct sf_compiled c;
static struct sf_diag d;

static void setup(void)
{
	sf_policy_init(&p);
	memset(&d, 0, sizeof(d));
}

static void teardown(void)
{
	sf_compiled_free(&c);
	sf_policy_free(&p);
	sf_diag_free(&d);
}

/* "ACTION TARGET [RATE]" as a rules line of test.conf, at line n. */
static void rule(const char *words, int line)
{
	struct sf_rule_spec r;
	char action[16], err[SF_ERR_LEN];
	size_t n = strcspn(words, " ");

	snprintf(action, sizeof(action), "%.*s", (int)n, words);
	ck_assert_msg(!sf_rule_from_words(action, words + n, &r, err, sizeof(err)), "%s", err);
	r.file = "test.conf";
	r.line = line;
	ck_assert_int_eq(sf_policy_add_rule(&p, &r), 0);
	free(r.value);
}

static const struct sf_compiled_rule *find(__u32 kind, __u64 id)
{
	for (size_t i = 0; i < c.n_rules; i++)
		if (c.rules[i].key.kind == kind && c.rules[i].key.id == id)
			return &c.rules[i];
	return NULL;
}

START_TEST(users_groups_and_the_default)
{
	const struct sf_compiled_rule *r;

	p.default_action = SF_ACT_DENY;
	rule("allow user:root", 1);
	rule("log group:root", 2);
	ck_assert_int_eq(sf_compile(&p, "/nonexistent", &c, &d), 0);
	ck_assert_int_eq(c.n_rules, 3);
	for (size_t i = 1; i < c.n_rules; i++)
		ck_assert_int_lt(sf_rule_key_cmp(&c.rules[i - 1].key, &c.rules[i].key), 0);
	r = find(SF_KIND_UID, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->value.action, SF_ACT_ALLOW);
	ck_assert_int_eq(r->spec, 0);
	r = find(SF_KIND_GID, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->value.action, SF_ACT_LOG);
	r = find(SF_KIND_DEFAULT, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->value.action, SF_ACT_DENY);
	ck_assert_uint_eq(r->spec, SF_SPEC_DEFAULT);
	ck_assert_uint_eq(c.settings.flags & (SF_HAVE_UID_RULES | SF_HAVE_GID_RULES),
			  SF_HAVE_UID_RULES | SF_HAVE_GID_RULES);
	ck_assert_int_eq(c.settings.deny_errno, 1);
	ck_assert(c.ports[25 / 8] & (1U << (25 % 8)));
}
END_TEST

START_TEST(limits_start_with_a_full_bucket)
{
	const struct sf_compiled_rule *r;

	rule("limit user:root 10/min burst 5", 1);
	ck_assert_int_eq(sf_compile(&p, "/nonexistent", &c, &d), 0);
	r = find(SF_KIND_UID, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->value.action, SF_ACT_LIMIT);
	ck_assert_uint_eq(r->value.period_ns, 60ULL * 1000000000ULL);
	ck_assert_uint_eq(r->value.rate_count, 10);
	ck_assert_uint_eq(r->value.burst, 5);
}
END_TEST

START_TEST(exempt_and_source_prefixes)
{
	rule("allow dest:10.0.0.0/8", 1);
	rule("allow dest:2001:db8::/32", 2);
	rule("deny source:192.0.2.0/24", 3);
	ck_assert_int_eq(sf_compile(&p, "/nonexistent", &c, &d), 0);
	ck_assert_int_eq(c.n_exempt4, 1);
	ck_assert_int_eq(c.exempt4[0].prefixlen, 8);
	ck_assert_int_eq(c.exempt4[0].addr[0], 10);
	ck_assert_int_eq(c.n_exempt6, 1);
	ck_assert_int_eq(c.exempt6[0].prefixlen, 32);
	ck_assert_int_eq(c.exempt6[0].addr[2], 0x0d);
	ck_assert_int_eq(c.n_source4, 1);
	ck_assert_int_eq(c.source4[0].prefixlen, 24);
	ck_assert_ptr_nonnull(find(SF_KIND_SOURCE, c.source4_val[0].rule_id));
	ck_assert_int_eq(c.n_rules, 2); /* the source rule and the default */
}
END_TEST

START_TEST(problems_at_file_and_line)
{
	rule("deny user:root", 1);
	rule("allow user:0", 2);
	rule("deny user:no-such-user-xyz", 3);
	rule("deny group:no-such-group-xyz", 4);
	ck_assert_int_eq(sf_compile(&p, "/nonexistent", &c, &d), -EINVAL);
	ck_assert_int_eq(d.n, 3);
	ck_assert_str_eq(d.msgs[0], "test.conf:3: unknown user 'no-such-user-xyz'");
	ck_assert_str_eq(d.msgs[1], "test.conf:4: unknown group 'no-such-group-xyz'");
	ck_assert_msg(strstr(d.msgs[2], "is the same user as user:"), "%s", d.msgs[2]);
}
END_TEST

START_TEST(a_full_table)
{
	p.max_rules = 1;
	rule("deny user:root", 1);
	rule("deny group:root", 2);
	ck_assert_int_eq(sf_compile(&p, "/nonexistent", &c, &d), -EINVAL);
	ck_assert_int_eq(d.n, 1);
	ck_assert_str_eq(d.msgs[0], "rule table is full: 2 rules, room for 1 (max_rules)");
}
END_TEST

START_TEST(cgroups_resolved_or_pending)
{
	char mount[PATH_MAX];
	const struct sf_compiled_rule *r;
	__u64 root;

	if (sf_cgroup2_mount(mount, sizeof(mount)) || sf_cgroup_id_of(mount, &root)) {
		printf("cgroups_resolved_or_pending: no cgroup v2 mount, not checked\n");
		return;
	}
	rule("allow cgroup:/", 1);
	rule("deny cgroup:/smtpfence-unit-no-such/a", 2);
	rule("deny unit:smtpfence-unit-no-such.slice", 3);
	ck_assert_int_eq(sf_compile(&p, mount, &c, &d), 0);
	r = find(SF_KIND_CGROUP, root);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->value.action, SF_ACT_ALLOW);
	ck_assert_int_eq(c.n_pending, 2);
	ck_assert_int_eq(c.spec_state[0], SF_RESOLVED);
	ck_assert_int_eq(c.spec_state[1], SF_PENDING);
	ck_assert_int_eq(c.spec_state[2], SF_PENDING);
	ck_assert_uint_eq(c.settings.cgroup_levels, 1U << 0);
	ck_assert_int_eq(c.n_rules, 2);
}
END_TEST

int main(void)
{
	return sft_run_tests("compile", setup, teardown,
			     (const TTest *const[]){users_groups_and_the_default, limits_start_with_a_full_bucket, exempt_and_source_prefixes, problems_at_file_and_line, a_full_table, cgroups_resolved_or_pending, NULL});
}
