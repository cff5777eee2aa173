// SPDX-License-Identifier: GPL-2.0-only
/* Changes in one transaction on the real kernel: apply -f (all or nothing
 * at 10,000 lines, FILE:LINE errors, SIGKILL half-way leaves the old or
 * the new policy; a quarantine too), several targets a call, the rule a change replaced
 * (text and -j), comments kept, truthful headers, no override that
 * changes nothing; the delta sync (the kernel cache) leaves the kernel's
 * table exactly what a full compile gives, and a stale, damaged or missing
 * cache makes it read the table back. */
#include "fixture.h"
#include "suite.h"
#include "unit.h"
#include "kernel/pins.h"
#include "policy/rules_read.h"
#include "policy/session.h"
#include "policy/sync_cache.h"
#include "policy/parse_cache.h"

#include <bpf/bpf.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BULK   10000
#define FIRST  400000
#define ROUNDS 12

static const char base_conf[] = "[global]\nports = 25\ndefault = deny\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long status_rules(void)
{
	const char *p;

	ck_assert_int_eq(sft_cli(&env, "status -j"), 0);
	p = strstr(env.out, "\"rules\":");
	ck_assert_msg(p, "%.400s", env.out);
	return strtol(p + 8, NULL, 10);
}

/* Rules the files hold, as check-config counts them. */
static long config_rules(void)
{
	const char *p;

	ck_assert_msg(sft_cli(&env, "-j check-config") == 0, "%.400s", env.err);
	p = strstr(env.out, "\"rules\":");
	ck_assert_msg(p, "%.400s", env.out);
	return strtol(p + 8, NULL, 10);
}

/* Files in the rules directory (and staged leftovers: *.sf-new). */
static int count_files(const char *suffix)
{
	DIR *d = opendir(env.rules_dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name), k = strlen(suffix);

		n += len > k && !strcmp(e->d_name + len - k, suffix);
	}
	if (d)
		closedir(d);
	return n;
}

/* BULK lines "ACTION user:N" (bad_at: that line is bad), with comments. */
static void write_batch(const char *path, const char *action, int bad_at)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "# a panel's batch\n\n");
	for (int line = 3; line <= BULK + 2; line++) {
		if (line == bad_at)
			fprintf(f, "allow user:\n");
		else
			fprintf(f, "%s user:%d  # account %d\n", action, FIRST + line, line);
	}
	ck_assert_int_eq(fclose(f), 0);
}

static json_object *parse_out(void)
{
	json_object *o = json_tokener_parse(env.out);

	ck_assert_msg(o, "not JSON: %.400s", env.out);
	return o;
}

START_TEST(apply_is_all_or_nothing)
{
	char batch[4200], path[4200];
	double t0, took;
	json_object *o, *changes;

	sft_start("apply", base_conf);
	int l = sft_listen("192.0.2.1", 25);

	sft_cli_ok("allow user:10001");
	snprintf(batch, sizeof(batch), "%s/batch.txt", env.dir);
	/* line 7 of 10,002 is bad: nothing changes, in the kernel or on disk */
	write_batch(batch, "allow", 7);
	ck_assert_int_eq(sft_cli(&env, "apply -f '%s'", batch), 2);
	ck_assert_msg(strstr(env.err, "batch.txt:7: invalid target 'user:'"), "%.400s", env.err);
	ck_assert_msg(strstr(env.err, "nothing was changed"), "%.400s", env.err);
	ck_assert_int_eq(status_rules(), 2);
	ck_assert_int_eq(count_files(".conf"), 1);
	ck_assert_int_eq(sft_connect(env.cgroup, FIRST + 100, 1, "192.0.2.1", 25, SFT_BLOCKING),
			 EPERM);
	/* the same under -j: the error document names the file and the line */
	ck_assert_int_eq(sft_cli(&env, "-j apply -f '%s'", batch), 2);
	o = parse_out();
	ck_assert_int_eq(json_object_get_int(json_object_object_get(o, "line")), 7);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(o, "exit")), 2);
	json_object_put(o);
	/* a line that parses but cannot apply: said at its line, nothing changes */
	write_batch(batch, "allow", 0);
	{
		FILE *f = fopen(batch, "a");

		fprintf(f, "unset user:77\nallow user:nosuchuserxyz\n");
		fclose(f);
	}
	ck_assert_int_eq(sft_cli(&env, "apply -f '%s'", batch), 2);
	ck_assert_msg(strstr(env.err, "batch.txt:10003: no rule on user:77"), "%.400s", env.err);
	ck_assert_int_eq(status_rules(), 2);
	ck_assert_int_eq(count_files(".conf"), 1);
	write_batch(batch, "allow", 0);
	{
		FILE *f = fopen(batch, "a");

		fprintf(f, "allow user:nosuchuserxyz\n");
		fclose(f);
	}
	ck_assert_int_eq(sft_cli(&env, "apply -f - < '%s'", batch), 2);
	ck_assert_msg(strstr(env.err, "-:10003: unknown user 'nosuchuserxyz'"), "%.400s", env.err);
	ck_assert_int_eq(status_rules(), 2);
	ck_assert_int_eq(count_files(".conf"), 1);
	/* all good: one transaction, every line in force */
	write_batch(batch, "allow", 0);
	t0 = now_s();
	/* (the document is larger than the harness keeps: read from its file) */
	ck_assert_msg(sft_cli(&env, "-j apply -f '%s'", batch) == 0, "%.400s", env.err);
	took = now_s() - t0;
	printf("apply -f: %d lines in %.3f s\n", BULK, took);
	snprintf(path, sizeof(path), "%s/cli.out", env.dir);
	o = json_object_from_file(path);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "changes", &changes));
	ck_assert_int_eq((int)json_object_array_length(changes), BULK);
	ck_assert(json_object_get_boolean(json_object_object_get(o, "applied")));
	json_object_put(o);
	ck_assert_int_eq(status_rules(), BULK + 2);
	ck_assert_int_eq(config_rules(), BULK + 1);
	ck_assert_int_eq(count_files(".conf"), BULK + 1);
	ck_assert_int_eq(count_files(".sf-new"), 0);
	ck_assert_int_eq(sft_connect(env.cgroup, FIRST + 100, 1, "192.0.2.1", 25, SFT_BLOCKING), 0);
	sft_notify_drain(&env);
	/* one more allow with 10,000 rules in force */
	t0 = now_s();
	ck_assert_msg(sft_cli(&env, "allow user:10002") == 0, "%.600s", env.err);
	printf("allow with %d rules: %.1f ms\n", BULK + 1, (now_s() - t0) * 1000);
	/* and back: unset them all at once */
	write_batch(batch, "unset", 0);
	ck_assert_msg(sft_cli(&env, "apply -f '%s'", batch) == 0, "%.400s", env.err);
	ck_assert_int_eq(status_rules(), 3);
	ck_assert_int_eq(config_rules(), 2);
	ck_assert_int_eq(sft_connect(env.cgroup, FIRST + 100, 1, "192.0.2.1", 25, SFT_BLOCKING),
			 EPERM);
	close(l);
}
END_TEST

START_TEST(several_targets_one_call)
{
	sft_start("several", base_conf);
	int l = sft_listen("192.0.2.1", 25);

	sft_cli_ok("allow user:10001 user:10002 user:10003");
	ck_assert_int_eq(status_rules(), 4);
	ck_assert_int_eq(sft_connect(env.cgroup, 10002, 1, "192.0.2.1", 25, SFT_BLOCKING), 0);
	/* one bad target: none of them */
	ck_assert_int_eq(sft_cli(&env, "deny user:10001 user: user:10003"), 2);
	ck_assert_msg(strstr(env.err, "invalid target 'user:'"), "%.400s", env.err);
	ck_assert_int_eq(sft_connect(env.cgroup, 10001, 1, "192.0.2.1", 25, SFT_BLOCKING), 0);
	/* one target with no rule to unset: none of them */
	ck_assert_int_eq(sft_cli(&env, "unset user:10001 user:10009"), 2);
	ck_assert_msg(strstr(env.err, "no rule on user:10009"), "%.400s", env.err);
	ck_assert_int_eq(status_rules(), 4);
	sft_cli_ok("limit user:10001 user:10002 5/min burst 2");
	ck_assert_int_eq(sft_cli(&env, "rules"), 0);
	ck_assert_msg(strstr(env.out, "limit 5/min burst 2"), "%.400s", env.out);
	sft_cli_ok("unset user:10001 user:10002 user:10003");
	ck_assert_int_eq(status_rules(), 1);
	close(l);
}
END_TEST

START_TEST(a_change_says_what_it_replaced)
{
	char path[4200], text[8192];
	json_object *o, *ch, *before, *after;

	sft_start("replaced", base_conf);
	sft_cli_ok("limit user:10001 3/min burst 4");
	ck_assert_msg(strstr(env.out, "user:10001: none -> limit 3/min burst 4"), "%.400s",
		      env.out);
	snprintf(path, sizeof(path), "%s/user-10001.conf", env.rules_dir);
	/* an admin's notes in the drop-in */
	snprintf(text, sizeof(text), "%s", sft_read(path));
	ck_assert_msg(strstr(text, "last changed by smtpfence limit"), "%s", text);
	*strstr(text, "limit = user:10001 3/min burst 4") = '\0';
	strcat(text, "# ticket 4711\nlimit = user:10001 3/min burst 4  # paid plan\n");
	sft_write(path, text);
	ck_assert_int_eq(sft_cli(&env, "-j allow user:10001"), 0);
	o = parse_out();
	ch = json_object_array_get_idx(json_object_object_get(o, "changes"), 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(ch, "target")),
			 "user:10001");
	before = json_object_object_get(ch, "before");
	after = json_object_object_get(ch, "after");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(before, "action")), "limit");
	ck_assert_int_eq(json_object_get_int(json_object_object_get(
				 json_object_object_get(before, "rate"), "count")),
			 3);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(after, "action")), "allow");
	ck_assert(json_object_get_boolean(json_object_object_get(ch, "changed")));
	ck_assert_str_eq(json_object_get_string(json_object_object_get(ch, "file")), path);
	json_object_put(o);
	/* comments kept, the header tells the truth */
	snprintf(text, sizeof(text), "%s", sft_read(path));
	ck_assert_msg(strstr(text, "# ticket 4711\nallow = user:10001  # paid plan\n"), "%s", text);
	ck_assert_msg(strstr(text, "last changed by smtpfence allow") && !strstr(text, "limit"),
		      "%s", text);
	/* in text: the rule replaced */
	sft_cli_ok("deny user:10001");
	ck_assert_msg(strstr(env.out, "user:10001: allow -> deny"), "%.400s", env.out);
	sft_cli_ok("deny user:10001");
	ck_assert_msg(strstr(env.out, "user:10001: deny, unchanged"), "%.400s", env.out);
	sft_cli_ok("unset user:10001");
	ck_assert_msg(strstr(env.out, "user:10001: deny -> none"), "%.400s", env.out);
	ck_assert_msg(strstr(sft_read(path), "# ticket 4711\n"), "%s", sft_read(path));
}
END_TEST

START_TEST(no_override_that_changes_nothing)
{
	char runtime[4200];

	sft_start("noop", base_conf);
	snprintf(runtime, sizeof(runtime), "%s/runtime.conf", env.run_dir);
	sft_cli_ok("default deny");
	ck_assert_msg(strstr(env.out, "default: deny, unchanged"), "%.400s", env.out);
	ck_assert_msg(!strstr(sft_read(runtime), "default ="), "%s", sft_read(runtime));
	sft_cli_ok("default allow");
	ck_assert_msg(strstr(env.out, "default: deny -> allow (runtime)"), "%.400s", env.out);
	ck_assert_msg(strstr(sft_read(runtime), "default = allow"), "%s", sft_read(runtime));
	/* back to the configuration's: the override goes */
	sft_cli_ok("default deny");
	ck_assert_msg(!strstr(sft_read(runtime), "default ="), "%s", sft_read(runtime));
	/* a runtime rule equal to the files' one is none */
	sft_cli_ok("allow user:10001");
	sft_cli_ok("allow --runtime user:10001");
	ck_assert_msg(!strstr(sft_read(runtime), "user:10001"), "%s", sft_read(runtime));
	sft_cli_ok("deny --runtime user:10001");
	ck_assert_msg(strstr(sft_read(runtime), "deny = user:10001"), "%s", sft_read(runtime));
	sft_cli_ok("allow --runtime user:10001");
	ck_assert_msg(!strstr(sft_read(runtime), "user:10001"), "%s", sft_read(runtime));
	ck_assert_int_eq(status_rules(), 2);
	sft_cli_ok("ports add 25");
	ck_assert_msg(!strstr(sft_read(runtime), "ports_add"), "%s", sft_read(runtime));
}
END_TEST

/* smtpfence WORDS... in the test's node, output thrown away. */
static pid_t spawn_cli(const char *a, const char *b, const char *c)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const char *bin = getenv("SMTPFENCE_BIN");
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl(bin ? bin : "build/smtpfence", "smtpfence", "--pin-dir", env.pin_dir,
		      "--config", env.config, "--run-dir", env.run_dir, a, b, c, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static pid_t spawn_apply(const char *batch)
{
	return spawn_cli("apply", "-f", batch);
}

/* Files a change leaves in the run directory while it is under way. */
static int count_staged(void)
{
	DIR *d = opendir(env.run_dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strstr(e->d_name, ".sf-new") || strstr(e->d_name, "journal");
	if (d)
		closedir(d);
	return n;
}

/* Kills closing in on a change's commit point: each comes halfway between
 * the latest that left the old state and the earliest that left the new
 * one (hi starts as the time of a whole run). */
struct kills {
	int before, after, finished;
	double lo, hi;
	bool present; /* the new state stands (the next run undoes it) */
};

/* Kills the child pid halfway (*at: when); its wait status. */
static int kill_halfway(struct kills *k, pid_t pid, double *at)
{
	int status;

	*at = (k->lo + k->hi) / 2;
	usleep((useconds_t)(*at * 1e6));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return status;
}

/* now: the new state stands after the kill (and the next command). */
static void count_kill(struct kills *k, double at, int status, bool now)
{
	bool changed = now != k->present;

	k->present = now;
	if (!WIFSIGNALED(status))
		k->finished++;
	else if (changed)
		k->after++; /* past the commit point: finished by the next command */
	else
		k->before++;
	if (changed)
		k->hi = at;
	else if ((k->lo = at) > k->hi * 0.95)
		k->hi *= 2; /* the commit point comes later than in a run alone */
}

static void report_kills(const char *what, const struct kills *k)
{
	printf("SIGKILL of %s: %d killed before the commit point (old), %d after it (new), "
	       "%d finished first; commit point near %.3f s\n",
	       what, k->before, k->after, k->finished, (k->lo + k->hi) / 2);
	ck_assert_int_gt(k->before, 0);
}

/* A node with the base configuration and add, a batch of BULK allows. */
static void start_with_batch(const char *name, char *add, size_t len)
{
	sft_start(name, base_conf);
	snprintf(add, len, "%s/add.txt", env.dir);
	write_batch(add, "allow", 0);
}

/* Killed at any moment, apply leaves the old policy or the new one, on
 * disk and (once the next command has run) in the kernel. */
START_TEST(sigkill_leaves_old_or_new)
{
	char add[4200], del[4200];
	struct kills k = {};

	start_with_batch("sigkill", add, sizeof(add));
	snprintf(del, sizeof(del), "%s/del.txt", env.dir);
	write_batch(del, "unset", 0);
	k.hi = now_s();
	ck_assert_int_eq(sft_cli(&env, "apply -f '%s'", add), 0);
	k.hi = now_s() - k.hi;
	ck_assert_int_eq(sft_cli(&env, "apply -f '%s'", del), 0);
	for (int round = 0; round < ROUNDS; round++) {
		double at;
		int status = kill_halfway(&k, spawn_apply(k.present ? del : add), &at);
		long on_disk, in_kernel;

		/* the next command (under the lock) finishes or undoes it */
		sft_cli_ok("reload");
		on_disk = config_rules();
		in_kernel = status_rules();
		ck_assert_msg(on_disk == 0 || on_disk == BULK, "round %d: %ld rules on disk", round,
			      on_disk);
		ck_assert_int_eq(in_kernel, on_disk + 1);
		ck_assert_int_eq(count_files(".sf-new"), 0);
		count_kill(&k, at, status, on_disk == BULK);
		sft_notify_drain(&env);
	}
	report_kills("apply -f", &k);
}
END_TEST

/* A quarantine is a change like the others: killed at any moment, it
 * leaves the quarantine file as it was or as it is now, whole, and (once
 * the next command has run) the kernel as the file says. BULK rules make
 * each one long enough to be cut short. */
START_TEST(quarantine_sigkill_leaves_old_or_new)
{
	char add[4200], qfile[4200];
	struct kills k = {};

	start_with_batch("qkill", add, sizeof(add));
	ck_assert_int_eq(sft_cli(&env, "apply -f '%s'", add), 0);
	snprintf(qfile, sizeof(qfile), "%s/quarantine.json", env.run_dir);
	k.hi = now_s();
	ck_assert_int_eq(sft_cli(&env, "quarantine user:77 1h"), 0);
	k.hi = now_s() - k.hi;
	ck_assert_int_eq(status_rules(), BULK + 2); /* its rule, and the default */
	ck_assert_int_eq(sft_cli(&env, "release user:77"), 0);
	ck_assert_int_eq(status_rules(), BULK + 1);
	for (int round = 0; round < ROUNDS; round++) {
		pid_t pid = k.present ? spawn_cli("release", "user:77", NULL)
				      : spawn_cli("quarantine", "user:77", "1h");
		double at;
		int status = kill_halfway(&k, pid, &at);
		json_object *o;
		const char *text;
		bool on_disk;

		sft_cli_ok("reload"); /* finishes or undoes it, syncs the file */
		text = sft_read(qfile);
		o = json_tokener_parse(text);
		ck_assert_msg(o || !*text, "round %d: %s", round, text);
		json_object_put(o);
		on_disk = strstr(text, "user:77") != NULL;
		ck_assert_int_eq(status_rules(), BULK + 1 + on_disk);
		ck_assert_int_eq(count_staged(), 0);
		count_kill(&k, at, status, on_disk);
		sft_notify_drain(&env);
	}
	report_kills("quarantine and release", &k);
}
END_TEST

/* The figures of issue 14 and 17 (printed, never asserted: timings are
 * the bench's): one allow with 100,000 rules in force, and apply -f of
 * 10,000 lines on top of them. */
START_TEST(figures_at_100000_rules)
{
	char path[4200], batch[4200];
	double best = 1e9, t0;

	sft_start("figures", "[global]\nports = 25\ndefault = deny\nmax_rules = 120000\n");
	mkdir(env.rules_dir, 0755);
	for (int f = 0; f < 100; f++) {
		FILE *out;

		snprintf(path, sizeof(path), "%s/bulk%03d.conf", env.rules_dir, f);
		out = fopen(path, "w");
		ck_assert_ptr_nonnull(out);
		fprintf(out, "[rules]\n");
		for (int i = 0; i < 1000; i++)
			fprintf(out, "allow = user:%d\n", 600000 + f * 1000 + i);
		ck_assert_int_eq(fclose(out), 0);
	}
	sft_cli_ok("reload");
	ck_assert_int_eq(status_rules(), 100001);
	for (int r = 0; r < 5; r++) {
		t0 = now_s();
		sft_cli_ok("allow user:10001");
		if (now_s() - t0 < best)
			best = now_s() - t0;
		sft_cli_ok("unset user:10001");
		sft_notify_drain(&env);
	}
	printf("allow with 100,000 rules in force: %.1f ms (best of 5)\n", best * 1000);
	/* where it goes: reading and compiling (check-config), and a sync of
	 * everything (reload) */
	for (int i = 0; i < 2; i++) {
		const char *what = i ? "reload" : "check-config";

		best = 1e9;
		for (int r = 0; r < 3; r++) {
			t0 = now_s();
			sft_cli_ok(what);
			if (now_s() - t0 < best)
				best = now_s() - t0;
		}
		printf("  %s with 100,000 rules: %.1f ms (best of 3)\n", what, best * 1000);
	}
	snprintf(batch, sizeof(batch), "%s/batch.txt", env.dir);
	write_batch(batch, "allow", 0);
	t0 = now_s();
	ck_assert_msg(sft_cli(&env, "apply -f '%s'", batch) == 0, "%.400s", env.err);
	printf("apply -f of %d lines with 100,000 rules in force: %.3f s\n", BULK, now_s() - t0);
	ck_assert_int_eq(status_rules(), 100001 + BULK);
}
END_TEST

/* The kernel's rules table, both slots, is exactly what compiling the
 * files as they are now gives (token buckets aside). */
static void assert_kernel_exact(const char *after)
{
	struct sf_ctx ctx = {.pin_dir = env.pin_dir,
			     .config = env.config,
			     .config_explicit = true,
			     .run_dir = env.run_dir};
	struct sf_kernel_rule *have = NULL;
	struct sf_session s;
	struct sf_maps m;
	size_t nh = 0;

	/* No lock: the files parsed, not the parse cache (and the CLI is done). */
	ck_assert_msg(!sf_session_load(&s, &ctx, false, NULL), "after %s: compile failed", after);
	ck_assert_int_eq(sf_maps_open(env.pin_dir, &m), 0);
	ck_assert_int_eq(sf_rules_dump_raw(m.rules, &have, &nh), 0);
	ck_assert_msg(nh == s.compiled.n_rules, "after %s: %zu entries in the kernel, %zu compiled",
		      after, nh, s.compiled.n_rules);
	for (size_t i = 0; i < nh; i++) {
		const struct sf_compiled_rule *w = &s.compiled.rules[i];

		ck_assert_msg(!sf_rule_key_cmp(&have[i].key, &w->key) &&
				      !memcmp(&have[i].value.at[0], &w->value, sizeof(w->value)) &&
				      !memcmp(&have[i].value.at[1], &w->value, sizeof(w->value)),
			      "after %s: entry %zu (kind %u id %llu, action %u/%u) is not the "
			      "compiled rule (kind %u id %llu, action %u)",
			      after, i, have[i].key.kind, (unsigned long long)have[i].key.id,
			      have[i].value.at[0].action, have[i].value.at[1].action, w->key.kind,
			      (unsigned long long)w->key.id, w->value.action);
	}
	free(have);
	sf_maps_close(&m);
	sf_session_end(&s);
}

static void cache_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", env.run_dir, SF_SYNC_CACHE_FILE);
}

static void parse_cache_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", env.run_dir, SF_PARSE_CACHE_FILE);
}

static bool cache_exists(void)
{
	char path[PATH_MAX];

	cache_path(path, sizeof(path));
	return !access(path, F_OK);
}

/* Runs a command and checks the kernel after it. */
static void step(const char *args)
{
	ck_assert_msg(sft_cli(&env, "%s", args) == 0, "%s: %.400s", args, env.err);
	assert_kernel_exact(args);
	ck_assert_msg(cache_exists(), "no kernel cache after %s", args);
}

static void copy_file(const char *from, const char *to)
{
	char cmd[3 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	ck_assert_int_eq(system(cmd), 0);
}

/* Starts the daemon as `name` with a drop-in bulk.conf (its path in path)
 * of `n` user rules from FIRST on, one in every `deny_every` a deny; the
 * file is left open in *f for more lines. */
static FILE *start_with_bulk(const char *name, int n, int deny_every, char *path, size_t len)
{
	FILE *f;

	sft_start(name, base_conf);
	mkdir(env.rules_dir, 0755);
	snprintf(path, len, "%s/bulk.conf", env.rules_dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[rules]\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s = user:%d\n", i % deny_every ? "allow" : "deny", FIRST + i);
	return f;
}

START_TEST(delta_sync_is_exact)
{
	char path[PATH_MAX], old[PATH_MAX + 8], batch[PATH_MAX + 16];
	struct sf_maps m;
	FILE *f;

	f = start_with_bulk("delta", 300, 3, path, sizeof(path));
	fprintf(f, "limit = group:%d 10/min\n", FIRST);
	ck_assert_int_eq(fclose(f), 0);
	step("reload");
	step("allow user:1001");	       /* added alone */
	step("allow user:1001");	       /* nothing to do */
	step("deny user:1001");		       /* changed */
	step("limit user:1002 5/min burst 3"); /* a limit added alone */
	step("limit user:1002 6/min");	       /* its rate changed */
	step("unset user:1001");	       /* removed */
	step("deny user:1001 user:1003");      /* two at once */
	step("default allow");		       /* the default rule */
	step("default deny");
	step("ports add 465"); /* not a rule: settings */
	step("ports del 465");
	step("allow --runtime user:1004"); /* the runtime layer */
	step("unset --runtime user:1004");
	snprintf(batch, sizeof(batch), "%s/batch.txt", env.dir);
	f = fopen(batch, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "allow user:1005\ndeny user:%d\nunset user:1003\n", FIRST + 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(sft_cli(&env, "apply -f '%s'", batch) == 0, "%.400s", env.err);
	assert_kernel_exact("apply -f");
	step("reload");

	/* A drop-in edited behind the tool's back: the next change reads it. */
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "deny = user:1006\nallow = user:%d\n", FIRST + 400);
	ck_assert_int_eq(fclose(f), 0);
	step("allow user:1007");

	/* A damaged cache (truncated, a byte changed, empty) is not read. */
	cache_path(path, sizeof(path));
	ck_assert_int_eq(truncate(path, 100), 0);
	step("unset user:1007");
	f = fopen(path, "r+");
	ck_assert_ptr_nonnull(f);
	fseek(f, -9, SEEK_END);
	fputc('\x7f', f);
	ck_assert_int_eq(fclose(f), 0);
	step("deny user:1007");
	ck_assert_int_eq(truncate(path, 0), 0);
	step("allow user:1008");

	/* A stale cache (the state before the last changes, put back) is not
	 * trusted: with it the next change would not remove user:1009. */
	snprintf(old, sizeof(old), "%s.old", path);
	copy_file(path, old);
	step("allow user:1009"); /* added alone: no flip */
	copy_file(old, path);
	step("unset user:1009");
	copy_file(path, old);
	step("deny user:1009");
	step("unset user:1009"); /* through a flip */
	copy_file(old, path);
	step("allow user:1010");

	/* The kernel's table written behind its back: reload repairs it. */
	ck_assert_int_eq(sf_maps_open(env.pin_dir, &m), 0);
	{
		struct sf_rule_key k = {.kind = SF_KIND_UID, .id = 1011};
		struct sf_rule v = {};

		v.at[0].action = v.at[1].action = SF_ACT_ALLOW;
		ck_assert_int_eq(bpf_map_update_elem(m.rules, &k, &v, BPF_NOEXIST), 0);
	}
	sf_maps_close(&m);
	step("reload");
}
END_TEST

/* Drop-ins taken from the parse cache give what parsing them gives: one
 * edited behind the tool's back in place (same size, same inode) is
 * parsed again, a damaged cache is not read. */
START_TEST(parse_cache_is_exact)
{
	char path[PATH_MAX], cache[PATH_MAX];
	struct stat st;
	FILE *f;

	f = start_with_bulk("parsecache", 2 * SF_PARSE_CACHE_FRESH, 2, path, sizeof(path));
	ck_assert_int_eq(fclose(f), 0);
	parse_cache_path(cache, sizeof(cache));
	step("reload");
	ck_assert_msg(access(cache, F_OK), "a drop-in a second old went into the cache");
	sleep(2); /* stable now: the next change records it */
	step("allow user:2001");
	ck_assert_int_eq(stat(cache, &st), 0);
	step("allow user:2002"); /* from the cache */
	step("unset user:2001");

	/* "deny " becomes "log  " in place: the same size and inode */
	f = fopen(path, "r+");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, (long)strlen("[rules]\n"), SEEK_SET), 0);
	fputs("log  ", f);
	ck_assert_int_eq(fclose(f), 0);
	step("deny user:2003");
	sleep(2);
	step("unset user:2003"); /* recorded again, edited */
	step("allow user:2003");

	/* damaged: a digit changed, then cut short, then empty */
	ck_assert_int_eq(stat(cache, &st), 0);
	f = fopen(cache, "r+");
	ck_assert_ptr_nonnull(f);
	fseek(f, st.st_size / 2, SEEK_SET);
	fputc('\x01', f);
	ck_assert_int_eq(fclose(f), 0);
	step("unset user:2003");
	ck_assert_int_eq(truncate(cache, st.st_size / 3), 0);
	step("allow user:2004");
	ck_assert_int_eq(truncate(cache, 0), 0);
	step("unset user:2004");
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("apply");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, apply_is_all_or_nothing);
	tcase_add_test(tc, several_targets_one_call);
	tcase_add_test(tc, a_change_says_what_it_replaced);
	tcase_add_test(tc, no_override_that_changes_nothing);
	tcase_add_test(tc, sigkill_leaves_old_or_new);
	tcase_add_test(tc, quarantine_sigkill_leaves_old_or_new);
	tcase_add_test(tc, figures_at_100000_rules);
	tcase_add_test(tc, delta_sync_is_exact);
	tcase_add_test(tc, parse_cache_is_exact);
	return sft_run_tcase("apply", tc);
}
