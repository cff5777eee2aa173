// SPDX-License-Identifier: GPL-2.0-only
/* The parse cache: a drop-in taken from it gives exactly what parsing it
 * gives, every part of every rule kind; a drop-in changed since, a
 * recent one, a damaged or missing cache give a parse. */
#include "policy/config.h"
#include "policy/parse_cache.h"
#include "suite.h"
#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64], main_conf[128], cache[128], dropin[128];

static const char dropin_text[] =
	"[rules]\n"
	"quarantine = 1h limit 5/min burst 2\n"
	"allow = user:1001\n"
	"deny = group:1002\n"
	"log = cgroup:/tenants.slice/acme.slice\n"
	"limit = user:1003 10/min burst 5 messages 100/hour recipients 1000/day\n"
	"redirect = unit:acme.service\n"
	"allow = dest:192.0.2.0/24\n"
	"allow = dest:2001:db8::/32\n"
	"allow = source:198.51.100.0/24\n";

static void setup(void)
{
	char rules[128], text[256];

	snprintf(dir, sizeof(dir), "/tmp/smtpfence-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(rules, sizeof(rules), "%s/rules.d", dir);
	mkdir(rules, 0755);
	snprintf(main_conf, sizeof(main_conf), "%s/main.conf", dir);
	snprintf(text, sizeof(text), "[global]\nports = 25\nrules_dir = %s\n", rules);
	sft_write(main_conf, text);
	snprintf(cache, sizeof(cache), "%s/%s", dir, SF_PARSE_CACHE_FILE);
	snprintf(dropin, sizeof(dropin), "%s/acme.conf", rules);
	sft_write(dropin, dropin_text);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Every field of every rule the same (texts compared, not pointers). */
static void assert_same(const struct sf_policy *a, const struct sf_policy *b)
{
	ck_assert_uint_eq(a->n_rules, b->n_rules);
	for (size_t i = 0; i < a->n_rules; i++) {
		const struct sf_rule_spec *x = &a->rules[i], *y = &b->rules[i];

		ck_assert_str_eq(x->value, y->value);
		ck_assert_str_eq(x->file, y->file);
		ck_assert_int_eq(x->kind, y->kind);
		ck_assert_int_eq(x->action, y->action);
		ck_assert_int_eq(x->origin, y->origin);
		ck_assert_int_eq(x->line, y->line);
		ck_assert_int_eq(x->quarantined, y->quarantined);
		ck_assert(!memcmp(&x->cidr, &y->cidr, sizeof(x->cidr)));
		ck_assert(!memcmp(&x->rate, &y->rate, sizeof(x->rate)));
		ck_assert(!memcmp(&x->mail, &y->mail, sizeof(x->mail)));
		ck_assert_uint_eq(x->quarantine.seconds, y->quarantine.seconds);
		ck_assert_int_eq(x->quarantine.action, y->quarantine.action);
		ck_assert(!memcmp(&x->quarantine.rate, &y->quarantine.rate,
				  sizeof(x->quarantine.rate)));
	}
}

static void load(struct sf_policy *p, bool cached)
{
	struct sf_diag d = {0};

	ck_assert_int_eq(cached ? sf_config_load_cached(main_conf, true, cache, p, &d)
				: sf_config_load(main_conf, true, p, &d),
			 0);
	sf_diag_free(&d);
}

/* Enough rules that they are recorded (SF_PARSE_CACHE_FRESH). */
static void add_bulk(void)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/rules.d/bulk.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[rules]\n");
	for (int i = 0; i < SF_PARSE_CACHE_FRESH; i++)
		fprintf(f, "allow = user:%d\n", 500000 + i);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(taken_is_parsed)
{
	struct sf_policy parsed, first, second;
	struct stat st;

	add_bulk();
	load(&first, true); /* just written: not recorded */
	ck_assert_int_ne(stat(cache, &st), 0);
	sf_policy_free(&first);
	sleep(2);
	load(&parsed, false);
	load(&first, true); /* parsed, recorded */
	ck_assert_int_eq(stat(cache, &st), 0);
	ck_assert_ptr_null(first.arena);
	load(&second, true); /* taken */
	ck_assert_ptr_nonnull(second.arena);
	assert_same(&parsed, &first);
	assert_same(&parsed, &second);
	sf_policy_free(&parsed);
	sf_policy_free(&first);
	sf_policy_free(&second);
}
END_TEST

START_TEST(changed_or_damaged_is_parsed)
{
	struct sf_policy parsed, p;
	struct stat st;
	FILE *f;

	add_bulk();
	sleep(2);
	load(&p, true);
	sf_policy_free(&p);
	/* the same size, in place: "allow = user:1001" -> "allow = user:1009" */
	f = fopen(dropin, "r+");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, (long)(strstr(dropin_text, "1001") - dropin_text + 3), SEEK_SET),
			 0);
	fputc('9', f);
	ck_assert_int_eq(fclose(f), 0);
	load(&parsed, false);
	load(&p, true);
	assert_same(&parsed, &p);
	ck_assert_int_eq(sf_policy_find(&p, SF_TARGET_USER, "1001"), -1);
	sf_policy_free(&p);
	/* damaged: one byte in the middle, then cut short */
	ck_assert_int_eq(stat(cache, &st), 0);
	f = fopen(cache, "r+");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, st.st_size / 2, SEEK_SET), 0);
	int c = fgetc(f);

	ck_assert_int_eq(fseek(f, st.st_size / 2, SEEK_SET), 0);
	fputc(c ^ 0x20, f);
	ck_assert_int_eq(fclose(f), 0);
	load(&p, true);
	assert_same(&parsed, &p);
	ck_assert_ptr_null(p.arena);
	sf_policy_free(&p);
	ck_assert_int_eq(truncate(cache, st.st_size / 3), 0);
	load(&p, true);
	assert_same(&parsed, &p);
	ck_assert_ptr_null(p.arena);
	sf_policy_free(&p);
	sf_policy_free(&parsed);
}
END_TEST

int main(void)
{
	return sft_run_tests(
		"parse_cache", setup, teardown,
		(const TTest *const[]){taken_is_parsed, changed_or_damaged_is_parsed, NULL});
}
