// SPDX-License-Identifier: GPL-2.0-only
/* The JSON contract's plumbing: "schema" in every object printed, and the
 * error document a command under -j ends with. */
#include "util/diag.h"
#include "util/json_out.h"
#include "util/log.h"
#include "util/report.h"
#include "suite.h"
#include "unit.h"

#include <check.h>
#include <string.h>

/* What f wrote on stdout. */
static const char *stdout_of(void (*f)(void))
{
	int saved = sft_fd_begin(STDOUT_FILENO);

	f();
	return sft_fd_end(STDOUT_FILENO, saved);
}

static void print_object(void)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "a", json_object_new_int(1));
	sf_json_print(o);
}

static void print_array(void)
{
	json_object *a = json_object_new_array();

	json_object_array_add(a, json_object_new_object());
	json_object_array_add(a, json_object_new_int(7));
	sf_json_print(a);
}

static int rc;

static void finish_after_config_error(void)
{
	struct sf_diag d = {};
	int saved = sft_stderr_begin();

	sf_report_json(true);
	sf_diag_add(&d, "/etc/smtpfence/rules.d/acme.conf", 3, "unknown key '%s'", "bogus");
	sf_diag_add(&d, NULL, 0, "second");
	sf_diag_print(&d);
	sf_diag_free(&d);
	ck_assert_str_eq(sft_stderr_end(saved),
			 "/etc/smtpfence/rules.d/acme.conf:3: unknown key 'bogus'\nsecond\n");
	rc = sf_report_finish(2);
}

static void finish_ok(void)
{
	sf_report_json(true);
	rc = sf_report_finish(0);
}

static void finish_plain(void)
{
	int saved = sft_stderr_begin();

	sf_report_json(false);
	sf_err("failed to open %s", "x");
	sft_stderr_end(saved);
	rc = sf_report_finish(1);
}

static void finish_after_document(void)
{
	int saved = sft_stderr_begin();

	sf_report_json(true);
	print_object();
	sf_err("late");
	sft_stderr_end(saved);
	rc = sf_report_finish(1);
}

START_TEST(schema_first_in_every_object)
{
	ck_assert_str_eq(stdout_of(print_object), "{\"schema\":1,\"a\":1}\n");
	ck_assert_str_eq(stdout_of(print_array), "[{\"schema\":1},7]\n");
}
END_TEST

START_TEST(error_document)
{
	ck_assert_str_eq(
		stdout_of(finish_after_config_error),
		"{\"schema\":1,\"error\":\"unknown key 'bogus'\",\"file\":\"/etc/smtpfence/"
		"rules.d/acme.conf\",\"line\":3,\"exit\":2,\"errors\":[{\"error\":"
		"\"unknown key 'bogus'\",\"file\":\"/etc/smtpfence/rules.d/acme.conf\","
		"\"line\":3},{\"error\":\"second\"}]}\n");
	ck_assert_int_eq(rc, 2);
	ck_assert_str_eq(stdout_of(finish_ok), "{\"schema\":1,\"ok\":true}\n");
	ck_assert_int_eq(rc, 0);
	/* without -j, nothing on stdout; after a document of its own, no second one */
	ck_assert_str_eq(stdout_of(finish_plain), "");
	ck_assert_int_eq(rc, 1);
}
END_TEST

START_TEST(one_document_only)
{
	ck_assert_str_eq(stdout_of(finish_after_document), "{\"schema\":1,\"a\":1}\n");
	ck_assert_int_eq(rc, 1);
}
END_TEST

int main(void)
{
	return sft_run_tests("report", NULL, NULL,
			     (const TTest *const[]){schema_first_in_every_object, error_document,
						    one_document_only, NULL});
}
