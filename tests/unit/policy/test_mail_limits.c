// SPDX-License-Identifier: GPL-2.0-only
/* A rule's mail limits: `messages N/PERIOD` and `recipients N/PERIOD`
 * after its target (and a limit's rate), written back as read. */
#include "policy/config.h"
#include "policy/mail_limits.h"
#include "suite.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char err[256];

START_TEST(take_limits)
{
	struct sf_mail_limits l;
	char w[128];

	strcpy(w, "10/min burst 5 messages 100/hour recipients 1000/day");
	ck_assert_int_eq(sf_mail_limits_take(w, &l, err, sizeof(err)), 0);
	ck_assert_str_eq(w, "10/min burst 5");
	ck_assert_uint_eq(l.messages.count, 100);
	ck_assert_uint_eq(l.messages.period_ns, 3600ULL * 1000000000ULL);
	ck_assert_uint_eq(l.recipients.count, 1000);
	strcpy(w, "recipients 3/min");
	ck_assert_int_eq(sf_mail_limits_take(w, &l, err, sizeof(err)), 0);
	ck_assert_str_eq(w, "");
	ck_assert_uint_eq(l.messages.count, 0);
	ck_assert(sf_mail_limits_any(&l));
	strcpy(w, "");
	ck_assert_int_eq(sf_mail_limits_take(w, &l, err, sizeof(err)), 0);
	ck_assert(!sf_mail_limits_any(&l));

	const char *bad[][2] = {
		{"messages", "expected N/sec|min|hour|day after 'messages'"},
		{"messages 5/week", "invalid rate period 'week'"},
		{"messages 5/hour messages 6/hour", "'messages' is given twice"},
		{"messages 5/hour burst 2", "unexpected 'burst' among the mail limits"},
		{"recipients 0/hour", "invalid rate count '0'"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(w, bad[i][0]);
		ck_assert_int_eq(sf_mail_limits_take(w, &l, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, bad[i][1]), "'%s': %s", bad[i][0], err);
	}
}
END_TEST

START_TEST(rule_round_trip)
{
	struct sf_rule_spec r;
	char line[256];

	ck_assert_int_eq(sf_rule_from_words("redirect", "cgroup:/t/acme messages 2/hour", &r, err,
					    sizeof(err)),
			 0);
	sf_rule_format(&r, line, sizeof(line));
	ck_assert_str_eq(line, "redirect = cgroup:/t/acme messages 2/hour");
	free(r.value);
	ck_assert_int_eq(sf_rule_from_words("limit", "user:1000 3/min recipients 50/day", &r, err,
					    sizeof(err)),
			 0);
	sf_rule_format(&r, line, sizeof(line));
	ck_assert_str_eq(line, "limit = user:1000 3/min burst 3 recipients 50/day");
	free(r.value);
	ck_assert_int_eq(sf_rule_from_words("allow", "dest:10.0.0.0/8 messages 1/hour", &r, err,
					    sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "mail limits belong to a tenant"), "%s", err);
	ck_assert_int_eq(sf_rule_from_words("deny", "user:1000 oops", &r, err, sizeof(err)),
			 -EINVAL);
}
END_TEST

int main(void)
{
	return sft_run_tests("mail_limits", NULL, NULL,
			     (const TTest *const[]){take_limits, rule_round_trip, NULL});
}
