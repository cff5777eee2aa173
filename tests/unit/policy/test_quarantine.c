// SPDX-License-Identifier: GPL-2.0-only
/* Quarantines and the blocklist settings without root: durations and
 * quarantine actions as users write them, resolver addresses, and the
 * quarantine and blocklist files round-tripped and overlaid. */
#include "policy/abuse_keys.h"
#include "policy/dnsbl_state.h"
#include "policy/quarantine.h"
#include "smtpfence.h"
#include "util/write_file.h"
#include "suite.h"
#include "unit.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(durations)
{
	static const struct {
		const char *in;
		uint32_t s;
	} ok[] = {{"1", 1},	{"90s", 90},   {"30m", 1800},	     {"5min", 300},
		  {"2h", 7200}, {"1d", 86400}, {"366d", 366 * 86400}};
	static const char *const bad[] = {
		"", "0", "1y", "-5m", "1.5h", "h", "367d", "1 h", "99999999999999999999"};
	char err[SF_ERR_LEN];
	uint32_t s;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(!sf_parse_duration(ok[i].in, &s, err, sizeof(err)), "%s", ok[i].in);
		ck_assert_uint_eq(s, ok[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(sf_parse_duration(bad[i], &s, err, sizeof(err)), "%s", bad[i]);
		ck_assert_msg(strstr(err, "invalid duration '"), "%s", err);
	}
}
END_TEST

START_TEST(quarantine_actions)
{
	struct sf_quarantine_spec q;
	char err[SF_ERR_LEN], text[96];

	ck_assert(!sf_parse_quarantine("1h", &q, err, sizeof(err)));
	ck_assert_uint_eq(q.seconds, 3600);
	ck_assert_int_eq(q.action, SF_ACT_DENY);
	ck_assert(!sf_parse_quarantine("30m deny", &q, err, sizeof(err)));
	ck_assert_int_eq(q.action, SF_ACT_DENY);
	ck_assert(!sf_parse_quarantine("2h limit 5/hour burst 2", &q, err, sizeof(err)));
	ck_assert_int_eq(q.action, SF_ACT_LIMIT);
	sf_action_text(q.action, &q.rate, text, sizeof(text));
	ck_assert_str_eq(text, "limit 5/hour burst 2");
	ck_assert(sf_parse_quarantine("1h allow", &q, err, sizeof(err)));
	ck_assert_str_eq(err, "invalid quarantine action 'allow': expected deny or limit N/PERIOD");
	ck_assert(sf_parse_quarantine("1h deny now", &q, err, sizeof(err)));
	ck_assert(sf_parse_quarantine("1h limit", &q, err, sizeof(err)));
	ck_assert(sf_parse_quarantine("deny", &q, err, sizeof(err)));
	ck_assert(strstr(err, "invalid duration 'deny'"));
}
END_TEST

START_TEST(resolvers)
{
	char out[SF_LISTEN_LEN], err[SF_ERR_LEN];

	ck_assert(!sf_parse_resolver("192.0.2.53", out, sizeof(out), err, sizeof(err)));
	ck_assert_str_eq(out, "192.0.2.53:53");
	ck_assert(!sf_parse_resolver("2001:db8::53", out, sizeof(out), err, sizeof(err)));
	ck_assert_str_eq(out, "[2001:db8::53]:53");
	ck_assert(!sf_parse_resolver("127.0.0.1:5353", out, sizeof(out), err, sizeof(err)));
	ck_assert_str_eq(out, "127.0.0.1:5353");
	ck_assert(!sf_parse_resolver("[::1]:5353", out, sizeof(out), err, sizeof(err)));
	ck_assert_str_eq(out, "[::1]:5353");
	ck_assert(sf_parse_resolver("ns.example:53", out, sizeof(out), err, sizeof(err)));
	ck_assert(strstr(err, "'ns.example:53'"));
	ck_assert(sf_parse_resolver("127.0.0.1:0", out, sizeof(out), err, sizeof(err)));
	/* a bare IPv6 address is an address, even one ending in ":53": ports need [] */
	ck_assert(!sf_parse_resolver("::1:53", out, sizeof(out), err, sizeof(err)));
	ck_assert_str_eq(out, "[::1:53]:53");
}
END_TEST

START_TEST(files_round_trip)
{
	char dir[64], err[SF_ERR_LEN], path[PATH_MAX], *text;
	size_t len;
	struct sf_quarantines q = {}, back;
	struct sf_quarantine e = {.kind = SF_TARGET_UNIT, .action = SF_ACT_DENY};
	struct sf_dnsbl_state st = {}, st2;
	struct sf_dnsbl_result r = {.status = SF_DNSBL_LISTED, .listed_since = 42};
	struct sf_policy p;

	sft_tmpdir(dir, sizeof(dir));
	snprintf(e.value, sizeof(e.value), "acme.slice");
	snprintf(e.reason, sizeof(e.reason), "alert denied: \"5\" within 60 s");
	e.started = 1000;
	e.expires = 2000;
	ck_assert(!sf_quarantines_put(&q, &e));
	e.kind = SF_TARGET_USER;
	snprintf(e.value, sizeof(e.value), "bob");
	e.action = SF_ACT_LIMIT;
	e.rate = (struct sf_rate){.count = 1, .period_ns = 3600000000000ULL, .burst = 1};
	e.expires = 900; /* already over at 1500 */
	ck_assert(!sf_quarantines_put(&q, &e));
	ck_assert(!sf_quarantines_format(&q, &text, &len));
	sf_quarantines_path(dir, path, sizeof(path));
	ck_assert(!sf_write_file(path, text, len, false));
	free(text);
	ck_assert(!sf_quarantines_load(dir, &back, err, sizeof(err)));
	ck_assert_uint_eq(back.n, 2);
	ck_assert_str_eq(back.v[0].reason, "alert denied: \"5\" within 60 s");
	ck_assert_int_eq(back.v[1].action, SF_ACT_LIMIT);
	ck_assert_uint_eq(back.v[1].rate.period_ns, 3600000000000ULL);

	/* only the one in force at 1500 overrides, on a rule it adds */
	sf_policy_init(&p);
	ck_assert(!sf_quarantine_overlay(&p, &back, 1500));
	ck_assert_uint_eq(p.n_rules, 1);
	ck_assert_str_eq(p.rules[0].value, "acme.slice");
	ck_assert(p.rules[0].quarantined);
	ck_assert_int_eq(p.rules[0].action, SF_ACT_DENY);
	sf_policy_free(&p);
	sf_quarantines_free(&q);
	sf_quarantines_free(&back);

	snprintf(r.address, sizeof(r.address), "2001:db8::2");
	snprintf(r.zone, sizeof(r.zone), "bl.test");
	snprintf(r.answer, sizeof(r.answer), "127.0.0.4");
	st.v = &r;
	st.n = 1;
	st.checked = 77;
	ck_assert(!sf_dnsbl_state_save(dir, &st));
	ck_assert(!sf_dnsbl_state_load(dir, &st2));
	ck_assert_int_eq(st2.checked, 77);
	ck_assert(sf_dnsbl_state_listed(&st2));
	ck_assert_ptr_nonnull(sf_dnsbl_state_find(&st2, "2001:db8::2", "bl.test"));
	ck_assert_int_eq(sf_dnsbl_state_find(&st2, "2001:db8::2", "bl.test")->listed_since, 42);
	sf_dnsbl_state_free(&st2);

	/* a damaged quarantine file is an error, not an empty list */
	sft_write(path, "{\"quarantines\":[{\"target\":\"bogus:x\",\"action\":\"deny\","
			"\"reason\":\"\",\"started\":1,\"expires\":2}]}");
	ck_assert_int_eq(sf_quarantines_load(dir, &back, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "entry 1"));
	sft_rmtree(dir);
}
END_TEST

int main(void)
{
	return sft_run_tests("quarantine", NULL, NULL,
			     (const TTest *const[]){durations, quarantine_actions, resolvers,
						    files_round_trip, NULL});
}
