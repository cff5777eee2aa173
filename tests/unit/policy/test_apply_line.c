// SPDX-License-Identifier: GPL-2.0-only
/* apply -f's lines: the command line's syntax, comments and blanks. */
#include "policy/apply_line.h"
#include "smtpfence.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

START_TEST(changes_parse_as_on_the_command_line)
{
	static const struct {
		const char *line;
		int action;
		enum sf_target_kind kind;
		const char *value;
	} cases[] = {
		{"allow user:bob\n", SF_ACT_ALLOW, SF_TARGET_USER, "bob"},
		{"  deny group:www-data  # spam\n", SF_ACT_DENY, SF_TARGET_GROUP, "www-data"},
		{"log unit:acme.slice\r\n", SF_ACT_LOG, SF_TARGET_UNIT, "acme.slice"},
		{"redirect cgroup:/t/a", SF_ACT_REDIRECT, SF_TARGET_CGROUP, "/t/a"},
		{"unset user:old", SF_ACT_NONE, SF_TARGET_USER, "old"},
		{"allow dest:192.0.2.0/24", SF_ACT_ALLOW, SF_TARGET_DEST, "192.0.2.0/24"},
		{"limit\tuser:ann 5/min burst 7", SF_ACT_LIMIT, SF_TARGET_USER, "ann"},
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sf_rule_spec r;

		ck_assert_msg(sf_apply_line(cases[i].line, &r, err, sizeof(err)) == 1, "%s: %s",
			      cases[i].line, err);
		ck_assert_int_eq(r.action, cases[i].action);
		ck_assert_int_eq(r.kind, cases[i].kind);
		ck_assert_str_eq(r.value, cases[i].value);
		if (r.action == SF_ACT_LIMIT) {
			ck_assert_uint_eq(r.rate.count, 5);
			ck_assert_uint_eq(r.rate.burst, 7);
		}
		free(r.value);
	}
}
END_TEST

START_TEST(blanks_and_comments_are_nothing)
{
	static const char *const lines[] = {"", "\n", "   \t\n", "# a comment\n", "  # indented"};
	struct sf_rule_spec r;
	char err[256];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_int_eq(sf_apply_line(lines[i], &r, err, sizeof(err)), 0);
}
END_TEST

START_TEST(bad_lines_say_why)
{
	static const struct {
		const char *line, *says;
	} cases[] = {
		{"frobnicate user:bob", "unknown change 'frobnicate'"},
		{"allow", "expected a target after 'allow'"},
		{"allow user:", "invalid target 'user:'"},
		{"allow user:a user:b", "unexpected 'user:b'"},
		{"unset user:a 5/min", "unexpected '5/min'"},
		{"limit user:a", "rate"},
		{"deny dest:10.0.0.0/8", "only be exempted with allow"},
		{"allow = user:bob", "invalid target '='"},
	};
	struct sf_rule_spec r;
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		ck_assert_int_eq(sf_apply_line(cases[i].line, &r, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, cases[i].says), "'%s': '%s' lacks '%s'", cases[i].line,
			      err, cases[i].says);
	}
}
END_TEST

int main(void)
{
	return sft_run_tests("apply_line", NULL, NULL,
			     (const TTest *const[]){changes_parse_as_on_the_command_line,
						    blanks_and_comments_are_nothing,
						    bad_lines_say_why, NULL});
}
