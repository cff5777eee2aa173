// SPDX-License-Identifier: GPL-2.0-only
/* top's text lines: a tenant's messages and recipients (the policy
 * service's counts) under their titles, every column in its place
 * however large the numbers. */
#include "view/top_text.h"
#include "suite.h"

#include <check.h>
#include <string.h>

/* Where the title ends in titles, and the text in row: the same column. */
static void expect_under(const char *titles, const char *title, const char *row, const char *text)
{
	const char *t = strstr(titles, title), *r = strstr(row, text);

	ck_assert_msg(t && r, "'%s' in '%s', '%s' in '%s'", title, titles, text, row);
	ck_assert_int_eq(t - titles + (long)strlen(title), r - row + (long)strlen(text));
}

START_TEST(messages_and_recipients_under_their_titles)
{
	struct sf_tenant_sum s = {.tenant = (char *)"acme.slice",
				  .c = {.attempts = 7, .redirected = 5}};
	struct sf_top_row r = {.sum = &s, .action = SF_ACT_NONE, .messages = 4242, .recipients = 9191};
	char titles[SF_TOP_LINE], row[SF_TOP_LINE];
	int w = sf_top_text_tenant_width(&r, 1, 120);

	snprintf(r.user, sizeof(r.user), "u1");
	snprintf(r.dest, sizeof(r.dest), "d1");
	snprintf(r.process, sizeof(r.process), "p1");
	sf_top_text_titles(w, titles, sizeof(titles));
	sf_top_text_row(&r, w, row, sizeof(row));
	expect_under(titles, "REDIRECTED", row, " 5");
	expect_under(titles, "MESSAGES", row, " 4242");
	expect_under(titles, "RECIPIENTS", row, " 9191");
	/* the columns after them stay in place */
	ck_assert_int_eq(strstr(titles, "USER") - titles, strstr(row, "u1") - row);
	ck_assert_int_eq(strstr(titles, "LAST DESTINATION") - titles, strstr(row, "d1") - row);

	/* the largest counts fill their columns without pushing the rest */
	r.messages = 999999999;
	r.recipients = 9999999999ULL;
	sf_top_text_row(&r, w, row, sizeof(row));
	expect_under(titles, "MESSAGES", row, " 999999999");
	expect_under(titles, "RECIPIENTS", row, " 9999999999");
	ck_assert_int_eq(strstr(titles, "USER") - titles, strstr(row, "u1") - row);
}
END_TEST

int main(void)
{
	return sft_run_tests(
		"top_text", NULL, NULL,
		(const TTest *const[]){messages_and_recipients_under_their_titles, NULL});
}
