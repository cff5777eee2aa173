// SPDX-License-Identifier: GPL-2.0-only
/* The configuration reader: values, drop-ins, and every problem reported
 * as file:line: message. */
#include "policy/config.h"
#include "suite.h"
#include "smtpfence.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	char rules[128];

	snprintf(dir, sizeof(dir), "/tmp/smtpfence-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(rules, sizeof(rules), "%s/rules.d", dir);
	mkdir(rules, 0755);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int load(struct sf_policy *p, struct sf_diag *d)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/main.conf", dir);
	return sf_config_load(path, true, p, d);
}

static bool has(const struct sf_diag *d, const char *msg)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->msgs[i], msg))
			return true;
	return false;
}

START_TEST(good_file)
{
	struct sf_policy p;
	struct sf_diag d = {};
	char text[512];

	snprintf(text, sizeof(text),
		 "# comment\n[global]\nports = 25, 587 2525\ndefault = limit 10/min burst 20\n"
		 "deny_errno = ECONNREFUSED\nexempt = 192.0.2.0/24 2001:db8::/32  # relays\n"
		 "rules_dir = %s/rules.d\nmax_rules = 5000\n[rules]\nallow = user:root\n",
		 dir);
	write_file("main.conf", text);
	write_file("rules.d/acme.conf", "[rules]\n  limit = unit:acme.slice 5/min burst 5\n");
	write_file("rules.d/ignored.txt", "this is not a drop-in\n");
	ck_assert_int_eq(load(&p, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert(sf_port_get(p.ports, 25) && sf_port_get(p.ports, 587) &&
		  sf_port_get(p.ports, 2525));
	ck_assert(!sf_port_get(p.ports, 465));
	ck_assert_int_eq(p.default_action, SF_ACT_LIMIT);
	ck_assert_uint_eq(p.default_rate.burst, 20);
	ck_assert_int_eq(p.deny_errno, 111);
	ck_assert_uint_eq(p.max_rules, 5000);
	ck_assert_uint_eq(p.n_rules, 4); /* two exempt prefixes, root, acme */
	long acme = sf_policy_find(&p, SF_TARGET_UNIT, "acme.slice");

	ck_assert_int_ge(acme, 0);
	ck_assert_int_eq(p.rules[acme].action, SF_ACT_LIMIT);
	ck_assert_int_eq(p.rules[acme].line, 2);
	ck_assert(strstr(p.rules[acme].file, "rules.d/acme.conf"));
	sf_policy_free(&p);
}
END_TEST

START_TEST(every_problem_reported)
{
	struct sf_policy p;
	struct sf_diag d = {};
	char text[512];

	snprintf(text, sizeof(text),
		 "[global]\nports = 25 0 70000\ncolour = blue\ndefault = maybe\n"
		 "rules_dir = %s/rules.d\n[rules]\nallow = host:x\nlimit = user:root 5/fortnight\n"
		 "deny = dest:10.0.0.0/8\nallow = dest:10.0.0.0/33\n[extra]\nx = 1\n",
		 dir);
	write_file("main.conf", text);
	write_file("rules.d/a.conf", "[rules]\nallow = user:bob\n");
	write_file("rules.d/b.conf", "[global]\nports = 25\n[rules]\ndeny = user:bob\n");
	ck_assert_int_eq(load(&p, &d), -EINVAL);
	sf_diag_print(&d);
	ck_assert(has(&d, "main.conf:2: invalid port '0': expected 1 to 65535"));
	ck_assert(has(&d, "main.conf:2: invalid port '70000': expected 1 to 65535"));
	ck_assert(has(&d, "main.conf:3: unknown key 'colour'"));
	ck_assert(has(&d, "main.conf:4: unknown action 'maybe'"));
	ck_assert(has(&d, "main.conf:7: unknown target kind 'host'"));
	ck_assert(has(&d, "main.conf:8: invalid rate period 'fortnight'"));
	ck_assert(has(
		&d,
		"main.conf:9: 'dest:10.0.0.0/8': dest: targets can only be exempted with allow"));
	ck_assert(has(&d, "main.conf:10: invalid prefix length '/33'"));
	ck_assert(has(&d, "main.conf:12: unknown section [extra]"));
	ck_assert(
		has(&d, "rules.d/b.conf:2: a drop-in holds only a [rules] section, not [global]"));
	/* The same target in two files: both are named. */
	ck_assert(has(&d, "rules.d/b.conf:4: user:bob is already ruled at"));
	ck_assert(has(&d, "rules.d/a.conf:2"));
	sf_policy_free(&p);
	sf_diag_free(&d);
}
END_TEST

START_TEST(missing_named_file)
{
	struct sf_policy p;
	struct sf_diag d = {};

	ck_assert_int_eq(load(&p, &d), -EINVAL);
	ck_assert(has(&d, "main.conf: cannot read: No such file or directory"));
	sf_policy_free(&p);
	sf_diag_free(&d);
}
END_TEST

START_TEST(embedded_default)
{
	struct sf_policy p;
	struct sf_diag d = {};
	char path[128];

	snprintf(path, sizeof(path), "%s/absent.conf", dir);
	ck_assert_int_eq(sf_config_load(path, false, &p, &d), 0);
	ck_assert(p.embedded);
	ck_assert(sf_port_get(p.ports, 25));
	ck_assert_int_eq(p.default_action, SF_ACT_DENY);
	ck_assert_int_ge(sf_policy_find(&p, SF_TARGET_USER, "root"), 0);
	ck_assert_int_ge(sf_policy_find(&p, SF_TARGET_DEST, "127.0.0.0/8"), 0);
	ck_assert_int_ge(sf_policy_find(&p, SF_TARGET_DEST, "::1/128"), 0);
	sf_policy_free(&p);
}
END_TEST

int main(void)
{
	return sft_run_tests("config", setup, teardown,
			     (const TTest *const[]){good_file, every_problem_reported, missing_named_file, embedded_default, NULL});
}
