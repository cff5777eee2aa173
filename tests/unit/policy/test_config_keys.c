// SPDX-License-Identifier: GPL-2.0-only
/* The key table (policy/config_keys.c) against the parser: every key it
 * lists is one the parser takes in its section, and a name it does not
 * list is refused as unknown (make test-docs checks the other way). */
#include "policy/config.h"
#include "policy/config_keys.h"
#include "suite.h"
#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static char dir[64];

static void setup(void)
{
	sft_tmpdir(dir, sizeof(dir));
}

static void teardown(void)
{
	sft_rmtree(dir);
}

/* Whether a main file with "name = value" in [section] calls the name
 * unknown: "unknown key" in [global], "unknown action 'name'" in [rules]. */
static bool unknown(const char *section, const char *name, const char *value)
{
	char path[128], text[512], rules_says[128], line[256];
	struct sf_policy p;
	struct sf_diag d = {};
	bool said = false;

	snprintf(line, sizeof(line), "%s = %s", name, value);
	snprintf(rules_says, sizeof(rules_says), "unknown action '%s'", name);
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	snprintf(text, sizeof(text), "[global]\nrules_dir = %s\n[%s]\n%s\n", dir, section, line);
	sft_write(path, text);
	int saved = sft_stderr_begin();

	sf_config_load(path, true, &p, &d);
	sft_stderr_end(saved);
	for (size_t i = 0; i < d.n; i++)
		said = said ||
		       strstr(d.msgs[i], strcmp(section, "rules") ? "unknown key" : rules_says);
	sf_diag_free(&d);
	sf_policy_free(&p);
	return said;
}

START_TEST(every_listed_key_is_parsed)
{
	size_t n = 0;

	for (const struct sf_config_key *k = sf_config_keys; k->name; k++, n++) {
		ck_assert_msg(!strcmp(k->section, "global") || !strcmp(k->section, "rules"),
			      "%s: section %s", k->name, k->section);
		ck_assert_msg(k->value && *k->value, "%s: no value shape", k->name);
		/* a value the key may refuse, but never as an unknown name */
		ck_assert_msg(!unknown(k->section, k->name, "x"),
			      "[%s] %s: the parser does not know it", k->section, k->name);
	}
	ck_assert_int_gt((int)n, 25);
	ck_assert(unknown("global", "no_such_key", "1"));
	ck_assert(unknown("rules", "frobnicate", "user:root"));
}
END_TEST

int main(void)
{
	return sft_run_tests("config_keys", setup, teardown,
			     (const TTest *const[]){every_listed_key_is_parsed, NULL});
}
