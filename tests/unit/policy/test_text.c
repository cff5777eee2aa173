// SPDX-License-Identifier: GPL-2.0-only
/* A file edited where its rules stand: comments kept (whole lines and a
 * rule line's inline one), a truthful header, line numbers as read. */
#include "policy/text.h"
#include "suite.h"
#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[64], path[128];

static void setup(void)
{
	sft_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/acme.conf", dir);
}

static void teardown(void)
{
	sft_rmtree(dir);
}

static char *joined(struct sf_text *t, const char *command)
{
	char *data = NULL;
	size_t len = 0;

	ck_assert_int_eq(sf_text_join(t, command, &data, &len), 0);
	ck_assert_uint_eq(strlen(data), len);
	return data;
}

START_TEST(inline_comment_kept_on_replace)
{
	char buf[256];

	ck_assert(sf_text_keep_comment("limit = user:bob 5/min  # customer 42", "allow = user:bob",
				       buf, sizeof(buf)));
	ck_assert_str_eq(buf, "allow = user:bob  # customer 42");
	ck_assert(sf_text_keep_comment("deny = user:bob", "allow = user:bob", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "allow = user:bob");
	/* a '#' inside a word is no comment */
	ck_assert(sf_text_keep_comment("deny = user:a#b", "allow = user:a#b", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "allow = user:a#b");
	ck_assert(!sf_text_keep_comment("deny = x # long", "allow = x", buf, 12));
}
END_TEST

START_TEST(lines_replaced_removed_added_comments_stay)
{
	struct sf_text t;
	char *data;

	sft_write(path,
		  "# panel: acme\n[rules]\ndeny = user:bob # was bad\n; old\nlog = user:carol");
	ck_assert_int_eq(sf_text_load(&t, path), 0);
	ck_assert(t.existed);
	ck_assert_int_eq(sf_text_replace(&t, 3, "allow = user:bob"), 0);
	ck_assert_int_eq(sf_text_replace(&t, 5, NULL), 0);
	/* a removed line keeps its number unused: line 5 is gone, not line 4 */
	ck_assert_int_ne(sf_text_replace(&t, 5, "x"), 0);
	ck_assert_int_eq(sf_text_add_rule(&t, "deny = user:dave", "allow"), 6);
	data = joined(&t, "allow");
	/* not smtpfence's header: left as the panel wrote it */
	ck_assert_str_eq(data, "# panel: acme\n[rules]\nallow = user:bob # was bad\n; old\n"
			       "deny = user:dave\n");
	free(data);
	sf_text_free(&t);
}
END_TEST

START_TEST(new_dropin_gets_a_truthful_header)
{
	struct sf_text t;
	char *data;

	ck_assert_int_eq(sf_text_load(&t, path), 0);
	ck_assert(!t.existed);
	ck_assert_int_eq(sf_text_add_rule(&t, "limit = user:bob 5/min", "limit"), 3);
	data = joined(&t, "limit");
	ck_assert_str_eq(data, "# smtpfence drop-in, one tenant's rules (last changed by smtpfence "
			       "limit; comments are kept)\n[rules]\nlimit = user:bob 5/min\n");
	sft_write(path, data);
	free(data);
	sf_text_free(&t);
	/* an allow over it: the header says allow, not limit */
	ck_assert_int_eq(sf_text_load(&t, path), 0);
	ck_assert_int_eq(sf_text_replace(&t, 3, "allow = user:bob"), 0);
	data = joined(&t, "allow");
	ck_assert_msg(strstr(data, "(last changed by smtpfence allow;") && !strstr(data, "limit") &&
			      strstr(data, "\nallow = user:bob\n"),
		      "%s", data);
	free(data);
	sf_text_free(&t);
}
END_TEST

START_TEST(rules_section_added_when_missing)
{
	struct sf_text t;
	char *data;

	sft_write(path, "# empty for now\n");
	ck_assert_int_eq(sf_text_load(&t, path), 0);
	ck_assert_int_eq(sf_text_add_rule(&t, "allow = user:bob", "allow"), 3);
	data = joined(&t, "allow");
	ck_assert_str_eq(data, "# empty for now\n[rules]\nallow = user:bob\n");
	free(data);
	sf_text_free(&t);
}
END_TEST

int main(void)
{
	return sft_run_tests("text", setup, teardown,
			     (const TTest *const[]){inline_comment_kept_on_replace,
						    lines_replaced_removed_added_comments_stay,
						    new_dropin_gets_a_truthful_header,
						    rules_section_added_when_missing, NULL});
}
