// SPDX-License-Identifier: GPL-2.0-only
/* Every rule the parser accepts, written by the CLI's own writers (a
 * drop-in, and the runtime layer) and read back by the configuration
 * reader, is the same rule: one rule, same action, kind, value and rate,
 * and nothing else in the files. The first input byte picks the action,
 * the rest is what follows it ("TARGET [RATE]"). */
#include "fuzz.h"
#include "policy/config.h"
#include "policy/dropin.h"
#include "policy/text.h"
#include "smtpfence.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64], main_conf[128], rules_dir[128], runtime_conf[128];

static void cleanup(void)
{
	unlink(main_conf);
	unlink(runtime_conf);
	rmdir(rules_dir);
	rmdir(dir);
}

/* A crash (abort) skips atexit: remove what a dead run left. */
static void remove_stale(void)
{
	DIR *d = opendir("/tmp");
	struct dirent *e;
	int pid;

	while (d && (e = readdir(d))) {
		char path[300];

		if (sscanf(e->d_name, "sf-fuzz-roundtrip.%d", &pid) != 1 || kill(pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "rm -rf '/tmp/%s'", e->d_name);
		if (system(path)) {
			/* left for the next run */
		}
	}
	if (d)
		closedir(d);
}

static void setup(void)
{
	FILE *f;

	remove_stale();
	snprintf(dir, sizeof(dir), "/tmp/sf-fuzz-roundtrip.%d", (int)getpid());
	if (mkdir(dir, 0700))
		abort();
	atexit(cleanup);
	snprintf(main_conf, sizeof(main_conf), "%s/smtpfence.conf", dir);
	snprintf(rules_dir, sizeof(rules_dir), "%s/rules.d", dir);
	snprintf(runtime_conf, sizeof(runtime_conf), "%s/runtime.conf", dir);
	f = fopen(main_conf, "w");
	if (!f || fprintf(f, "[global]\nrules_dir = %s\n", rules_dir) < 0 || fclose(f))
		abort();
}

static void same_rule(const char *in, const struct sf_rule_spec *a, const struct sf_policy *p,
		      const char *where)
{
	FUZZ_CHECK(p->n_rules == 1, "'%s': %zu rules read back from %s", in, p->n_rules, where);
	const struct sf_rule_spec *b = &p->rules[0];

	FUZZ_CHECK(a->action == b->action && a->kind == b->kind && !strcmp(a->value, b->value),
		   "'%s' -> %s:%s read back from %s as %s %s:%s", in, sf_target_kind_name(a->kind),
		   a->value, where, sf_action_name(b->action), sf_target_kind_name(b->kind),
		   b->value);
	FUZZ_CHECK(a->action != SF_ACT_LIMIT || !memcmp(&a->rate, &b->rate, sizeof(a->rate)),
		   "'%s': rate changed in %s", in, where);
	FUZZ_CHECK(!memcmp(&a->cidr, &b->cidr, sizeof(a->cidr)), "'%s': CIDR changed in %s", in,
		   where);
}

static void check_dropin(const char *in, const struct sf_rule_spec *r)
{
	char path[PATH_MAX], line[1024], *data = NULL;
	struct sf_policy p;
	struct sf_diag d = {};
	struct sf_text t;
	size_t len = 0;

	FUZZ_CHECK(sf_dropin_path(rules_dir, r->kind, r->value, path, sizeof(path)) == 0,
		   "'%s': no drop-in name", in);
	sf_rule_format(r, line, sizeof(line));
	FUZZ_CHECK(sf_text_load(&t, path) == 0 && sf_text_add_rule(&t, line, "allow") > 0 &&
			   sf_text_join(&t, "allow", &data, &len) == 0,
		   "'%s': drop-in not made", in);
	mkdir(rules_dir, 0755); /* the change's journal makes it; here, this */
	FUZZ_CHECK(sf_write_atomic(path, data, len) == 0, "'%s': drop-in not written", in);
	sf_config_load(main_conf, true, &p, &d);
	FUZZ_CHECK(d.n == 0, "'%s': the drop-in %s does not read back: %s", in, path,
		   d.n ? d.msgs[0] : "");
	same_rule(in, r, &p, path);
	sf_policy_free(&p);
	sf_diag_free(&d);
	sf_text_free(&t);
	free(data);
	unlink(path);
}

static void check_runtime(const char *in, const struct sf_rule_spec *r)
{
	struct sf_runtime rt, back;
	struct sf_diag d = {};

	sf_runtime_init(&rt);
	if (sf_policy_add_rule(&rt.rules, r))
		abort();
	char *data = NULL;
	size_t len = 0;

	FUZZ_CHECK(sf_runtime_format(&rt, &data, &len) == 0 &&
			   sf_write_atomic(runtime_conf, data, len) == 0,
		   "'%s': runtime layer not written", in);
	free(data);
	sf_runtime_load(runtime_conf, &back, &d);
	FUZZ_CHECK(d.n == 0, "'%s': the runtime layer does not read back: %s", in,
		   d.n ? d.msgs[0] : "");
	same_rule(in, r, &back.rules, runtime_conf);
	FUZZ_CHECK(back.default_action == SF_ACT_NONE, "'%s': the runtime layer got a default", in);
	for (unsigned int i = 0; i < sizeof(back.ports_del); i++)
		FUZZ_CHECK(!back.ports_add[i] && !back.ports_del[i],
			   "'%s': the runtime layer got ports", in);
	sf_runtime_free(&rt);
	sf_runtime_free(&back);
	sf_diag_free(&d);
	unlink(runtime_conf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const actions[] = {"allow", "deny", "log", "limit"};
	struct sf_rule_spec r;
	char err[SF_ERR_LEN], *rest;

	if (!dir[0])
		setup();
	if (size < 1)
		return 0;
	rest = fuzz_cstr(data + 1, size - 1);
	if (sf_rule_from_words(actions[data[0] % 4], rest, &r, err, sizeof(err)) == 0) {
		check_dropin(rest, &r);
		check_runtime(rest, &r);
		free(r.value);
	} else {
		FUZZ_CHECK(err[0] != '\0', "no message for '%s'", rest);
	}
	free(rest);
	return 0;
}
