// SPDX-License-Identifier: GPL-2.0-only
/* metrics -j: the exposition read back into samples, labels unescaped,
 * and a line it cannot read refused rather than misread. */
#include "view/metrics_json.h"
#include "suite.h"

#include <check.h>
#include <string.h>

START_TEST(samples_with_types_and_labels)
{
	static const char text[] =
		"# HELP smtpfence_attempts_total Connects.\n"
		"# TYPE smtpfence_attempts_total counter\n"
		"smtpfence_attempts_total{tenant=\"/t/we\\\"ird\\\\x\\ny\",port=\"25\"} 7\n"
		"# TYPE smtpfence_users gauge\n"
		"smtpfence_users 3\n";
	json_object *o = sf_metrics_text_json(text, strlen(text)), *arr, *s, *v;

	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "samples", &arr));
	ck_assert_int_eq((int)json_object_array_length(arr), 2);
	s = json_object_array_get_idx(arr, 0);
	ck_assert(json_object_object_get_ex(s, "type", &v));
	ck_assert_str_eq(json_object_get_string(v), "counter");
	ck_assert(json_object_object_get_ex(s, "labels", &v));
	ck_assert(json_object_object_get_ex(v, "tenant", &v));
	ck_assert_str_eq(json_object_get_string(v), "/t/we\"ird\\x\ny");
	ck_assert(json_object_object_get_ex(s, "value", &v));
	ck_assert_int_eq((int)json_object_get_double(v), 7);
	s = json_object_array_get_idx(arr, 1);
	ck_assert(json_object_object_get_ex(s, "name", &v));
	ck_assert_str_eq(json_object_get_string(v), "smtpfence_users");
	ck_assert(json_object_object_get_ex(s, "type", &v));
	ck_assert_str_eq(json_object_get_string(v), "gauge");
	json_object_put(o);
}
END_TEST

START_TEST(unreadable_refused)
{
	static const char *const bad[] = {"x{a=\"1\" 2\n", "x 2 3\n", "x{a=1} 2\n", "x\n"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!sf_metrics_text_json(bad[i], strlen(bad[i])), "read '%s'", bad[i]);
}
END_TEST

int main(void)
{
	return sft_run_tests(
		"metrics_json", NULL, NULL,
		(const TTest *const[]){samples_with_types_and_labels, unreadable_refused, NULL});
}
