// SPDX-License-Identifier: GPL-2.0-only
/* The configuration parser (libinih underneath), on each input twice: as
 * the main file and as a rules.d drop-in. A file accepted has no
 * diagnostics and every rule in it reads back the same from its written
 * form; a file refused says where (file:line) for every problem. */
#include "policy/config.h"
#include "fuzz.h"
#include "smtpfence.h"

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

/* On tmpfs when there is one: ext4 flushes a file truncated and written
 * anew at close, which made every execution wait for the disk. */
static char dir[PATH_MAX];
static char main_path[PATH_MAX], dropin_main[PATH_MAX], dropin_path[PATH_MAX];
static char empty_dir[PATH_MAX];

static void write_file(const char *path, const void *a, size_t alen, const char *b)
{
	FILE *f = fopen(path, "we");

	if (!f || fwrite(a, 1, alen, f) != alen || fputs(b, f) < 0 || fclose(f))
		abort();
}

static void cleanup(void)
{
	unlink(main_path);
	unlink(dropin_main);
	unlink(dropin_path);
	rmdir(empty_dir);
	snprintf(empty_dir, sizeof(empty_dir), "%s/rules.d", dir);
	rmdir(empty_dir);
	rmdir(dir);
}

static void setup_once(void)
{
	char text[PATH_MAX + 64];

	snprintf(dir, sizeof(dir), "%s/smtpfence-fuzz.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(main_path, sizeof(main_path), "%s/main.conf", dir);
	snprintf(empty_dir, sizeof(empty_dir), "%s/empty.d", dir);
	snprintf(dropin_main, sizeof(dropin_main), "%s/dropin-main.conf", dir);
	snprintf(dropin_path, sizeof(dropin_path), "%s/rules.d/fuzz.conf", dir);
	snprintf(text, sizeof(text), "%s/rules.d", dir);
	if (mkdir(empty_dir, 0700) || mkdir(text, 0700))
		abort();
	snprintf(text, sizeof(text), "[global]\nrules_dir = %s/rules.d\n", dir);
	write_file(dropin_main, text, strlen(text), "");
}

static void check_rules(const struct sf_policy *p)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sf_rule_spec *r = &p->rules[i];
		char line[1024], err[SF_ERR_LEN], *eq;
		struct sf_rule_spec again;

		FUZZ_CHECK(r->value && r->value[0], "rule %zu has no target", i);
		sf_rule_format(r, line, sizeof(line));
		eq = strstr(line, " = ");
		FUZZ_CHECK(eq, "'%s'", line);
		*eq = '\0';
		FUZZ_CHECK(sf_rule_from_words(line, eq + 3, &again, err, sizeof(err)) == 0,
			   "'%s = %s' does not read back: %s", line, eq + 3, err);
		FUZZ_CHECK(again.kind == r->kind && again.action == r->action &&
				   !strcmp(again.value, r->value) &&
				   (r->action != SF_ACT_LIMIT ||
				    !memcmp(&again.rate, &r->rate, sizeof(r->rate))),
			   "'%s = %s' reads back differently", line, eq + 3);
		free(again.value);
	}
}

static void load(const char *path, const char *where)
{
	static struct sf_policy p; /* large: keep it off the stack */
	struct sf_diag d = {0};
	int err = sf_config_load(path, true, &p, &d);

	FUZZ_CHECK((err == 0) == (d.n == 0), "%s: returned %d with %zu messages", path, err, d.n);
	if (err == 0)
		check_rules(&p);
	for (size_t i = 0; i < d.n; i++)
		FUZZ_CHECK(!strncmp(d.msgs[i], where, strlen(where)) ||
				   !strncmp(d.msgs[i], path, strlen(path)),
			   "message names no file: %s", d.msgs[i]);
	sf_diag_free(&d);
	sf_policy_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char tail[PATH_MAX + 32];

	if (!ready) {
		setup_once();
		ready = true;
	}
	/* A last rules_dir of our own: no input makes the parser read the
	 * host's directories (the input's own rules_dir is still checked). */
	snprintf(tail, sizeof(tail), "\n[global]\nrules_dir = %s\n", empty_dir);
	write_file(main_path, data, size, tail);
	load(main_path, main_path);
	write_file(dropin_path, data, size, "");
	load(dropin_main, dropin_path);
	return 0;
}
