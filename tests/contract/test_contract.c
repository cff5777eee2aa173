// SPDX-License-Identifier: GPL-2.0-only
/* The panel's contract (smtpfence-json(7)): every command takes -j and
 * prints one versioned JSON document, errors included; the exit codes
 * mean one thing each, for every command; a rate is numbers; check-config
 * lists every problem, and as a user checks what it can read. */
#include "observe_util.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char conf[] = "ports = 25\ndefault = deny\nmetrics_address = off\n"
			   "log_condense_seconds = 0\n[rules]\nlog = cgroup:{CG}/audit\n";
static const char *subs[] = {"bad", "audit", NULL};

/* The document on stdout: one line, JSON, "schema":1 in the object or in
 * every object of the array. Returns it (caller puts). */
static json_object *document(const char *what)
{
	json_object *o = json_tokener_parse(obs_env.out), *v;

	ck_assert_msg(o, "%s: stdout is not one JSON document: '%s' (stderr %s)", what, obs_env.out,
		      obs_env.err);
	ck_assert_msg(strchr(obs_env.out, '\n') == obs_env.out + strlen(obs_env.out) - 1,
		      "%s: more than one line: %s", what, obs_env.out);
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			json_object *e = json_object_array_get_idx(o, i);

			ck_assert_msg(json_object_object_get_ex(e, "schema", &v) &&
					      json_object_get_int(v) == 1,
				      "%s: element %zu has no schema 1: %s", what, i, obs_env.out);
		}
	} else {
		ck_assert_msg(json_object_object_get_ex(o, "schema", &v) &&
				      json_object_get_int(v) == 1,
			      "%s: no \"schema\":1 first: %s", what, obs_env.out);
		ck_assert_msg(!strncmp(obs_env.out, "{\"schema\":1", 11),
			      "%s: schema not first: %s", what, obs_env.out);
	}
	return o;
}

/* Runs the CLI, expects the exit code and a JSON document; returns it. */
static json_object *expect(int want, const char *args)
{
	int rc = sft_cli(&obs_env, "%s", args);

	ck_assert_msg(rc == want, "smtpfence %s: exit %d, expected %d: %s%s", args, rc, want,
		      obs_env.out, obs_env.err);
	return document(args);
}

/* The error document: "error" containing says, "exit" the code. */
static void expect_error(int want, const char *args, const char *says)
{
	json_object *o = expect(want, args);

	ck_assert_msg(strstr(sft_json_str(o, "error"), says), "%s: error '%s', not '%s'", args,
		      sft_json_str(o, "error"), says);
	ck_assert_int_eq(sft_json_int(o, "exit"), want);
	json_object_put(o);
}

static void expect_ok(const char *args)
{
	json_object *o = expect(0, args), *v;

	ck_assert_msg(json_object_object_get_ex(o, "ok", &v) && json_object_get_boolean(v),
		      "%s: %s", args, obs_env.out);
	json_object_put(o);
}

START_TEST(every_command_refuses_in_json)
{
	json_object *help, *cmds;

	sft_env_setup(&obs_env, "refuse", "[global]\nports = 25\n");
	obs_env_up = true;
	help = expect(0, "-j help");
	ck_assert(json_object_object_get_ex(help, "commands", &cmds));
	ck_assert_int_gt((int)json_object_array_length(cmds), 20);
	for (size_t i = 0; i < json_object_array_length(cmds); i++) {
		const char *name = sft_json_str(json_object_array_get_idx(cmds, i), "name");
		char args[256];

		/* -j is taken by every command: the refusal is of the other option */
		snprintf(args, sizeof(args), "%s -j --no-such-option", name);
		expect_error(2, args, "unknown option '--no-such-option'");
		snprintf(args, sizeof(args), "%s --json --bogus-too", name);
		expect_error(2, args, "unknown option '--bogus-too'");
	}
	json_object_put(help);
	expect_error(2, "-j frobnicate", "unknown command 'frobnicate'");
	expect_error(2, "-j allow", "usage: smtpfence allow TARGET");
	expect_error(2, "-j limit user:10009 5/fortnight", "invalid rate period 'fortnight'");
	expect_error(2, "-j events --since yesterday-ish", "invalid time 'yesterday-ish'");
	/* without a daemon: a failure to act, 1 */
	expect_error(1, "-j events", "no daemon serves events");
	expect_error(1, "-j flows", "not loaded");
	/* and status, with nothing enforced: 3, and a document that says so */
	json_object *st = expect(3, "-j status");

	ck_assert_str_eq(sft_json_str(st, "loaded"), "false");
	ck_assert_str_eq(sft_json_str(st, "enforcing"), "false");
	json_object_put(st);
	ck_assert_int_eq(sft_cli(&obs_env, "status"), 3);
	ck_assert_msg(strstr(obs_env.out, "nothing is enforced"), "%s", obs_env.out);
}
END_TEST

START_TEST(every_command_answers_in_json)
{
	char csf[PATH_MAX + 64], args[PATH_MAX + 64];
	json_object *o, *rate, *arr;
	FILE *f;
	bool found = false;

	sft_observe_start("answer", conf, subs);
	sft_connect_n(sft_sub("bad"), SFT_TENANT, "192.0.2.1", 25, 2, EPERM);
	o = expect(0, "-j status");
	ck_assert_str_eq(sft_json_str(o, "enforcing"), "true");
	json_object_put(o);
	static const char *const listing[] = {
		"-j rules",	  "-j flows",		"-j events",
		"-j events -n 1", "-j ports list",	"-j explain --uid 10001 192.0.2.1:25",
		"-j metrics",	  "-j top -n 1 -d 0.1", "-j help",
		"-j help events", "-j check-config",	"-j dnsbl",
	};
	for (size_t i = 0; i < sizeof(listing) / sizeof(listing[0]); i++)
		json_object_put(expect(0, listing[i]));
	/* the changes, each {"ok":true} until it has more to say */
	expect_ok("-j allow user:10009");
	expect_ok("-j limit user:10009 5/day burst 7");
	arr = expect(0, "-j rules");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		o = json_object_array_get_idx(arr, i);
		if (strcmp(sft_json_str(o, "target"), "user:10009"))
			continue;
		ck_assert_str_eq(sft_json_str(o, "action"), "limit");
		ck_assert(json_object_object_get_ex(o, "rate", &rate));
		ck_assert_int_eq(sft_json_int(rate, "count"), 5);
		ck_assert_str_eq(sft_json_str(rate, "period"), "day");
		ck_assert_int_eq(sft_json_int(rate, "period_s"), 86400);
		ck_assert_int_eq(sft_json_int(rate, "burst"), 7);
		found = true;
	}
	ck_assert_msg(found, "no user:10009 rule: %s", obs_env.out);
	json_object_put(arr);
	/* a change says what it replaced: before and after */
	o = expect(0, "-j allow user:10009");
	ck_assert_msg(
		strstr(obs_env.out, "\"before\":{\"action\":\"limit\",\"rate\":{\"count\":5") &&
			strstr(obs_env.out, "\"after\":{\"action\":\"allow\""),
		"%s", obs_env.out);
	json_object_put(o);
	expect_ok("-j unset user:10009");
	snprintf(args, sizeof(args), "%s/batch.txt", obs_env.dir);
	f = fopen(args, "we");
	ck_assert_ptr_nonnull(f);
	fputs("# two accounts\nallow user:10009\ndeny user:10010\n", f);
	fclose(f);
	snprintf(csf, sizeof(csf), "-j apply -f %s", args);
	expect_ok(csf);
	ck_assert_msg(strstr(obs_env.out, "\"target\":\"user:10010\",\"before\":null"), "%s",
		      obs_env.out);
	f = fopen(args, "we");
	fputs("allow user:10011\nfrobnicate user:10012\n", f);
	fclose(f);
	expect_error(2, csf, "unknown change 'frobnicate'");
	ck_assert_msg(strstr(obs_env.out, "\"line\":2"), "%s", obs_env.out);
	expect_ok("-j unset user:10009 user:10010");
	expect_ok("-j ports add 587");
	o = expect(0, "-j ports list");
	ck_assert_msg(strstr(obs_env.out, "\"ports\":[25,587]"), "%s", obs_env.out);
	json_object_put(o);
	expect_ok("-j default deny");
	expect_ok("-j reload");
	snprintf(args, sizeof(args), "-j quarantine cgroup:%s/bad 1h", obs_env.cgroup_rel);
	expect_ok(args);
	snprintf(args, sizeof(args), "-j release cgroup:%s/bad", obs_env.cgroup_rel);
	expect_ok(args);
	snprintf(csf, sizeof(csf), "%s/csf.conf", obs_env.dir);
	f = fopen(csf, "we");

	ck_assert_ptr_nonnull(f);
	fputs("SMTP_BLOCK = \"1\"\nSMTP_PORTS = \"25\"\nSMTP_ALLOWUSER = \"\"\n", f);
	fclose(f);
	snprintf(args, sizeof(args), "-j import csf '%s'", csf);
	o = expect(0, args);
	ck_assert_msg(strstr(sft_json_str(o, "config"), "[global]"), "%s", obs_env.out);
	json_object_put(o);
	ck_assert_int_eq(sft_daemon_stop(&obs_env, SIGTERM), 0);
	expect_ok("-j unload");
	json_object_put(expect(3, "-j status"));
}
END_TEST

START_TEST(configuration_problems_named)
{
	char path[PATH_MAX];
	json_object *o, *errs, *e;
	FILE *f;

	sft_observe_start("problems", conf, subs);
	snprintf(path, sizeof(path), "%s/acme.conf", obs_env.rules_dir);
	mkdir(obs_env.rules_dir, 0755);
	f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs("[rules]\ndeny = user:10001\nfrobnicate = user:10002\nlimit = user:10003 x/min\n", f);
	fclose(f);
	o = expect(2, "-j check-config");
	ck_assert_str_eq(sft_json_str(o, "ok"), "false");
	ck_assert(json_object_object_get_ex(o, "errors", &errs));
	ck_assert_int_eq((int)json_object_array_length(errs), 2);
	e = json_object_array_get_idx(errs, 0);
	ck_assert_str_eq(sft_json_str(e, "file"), path);
	ck_assert_int_eq(sft_json_int(e, "line"), 3);
	ck_assert_msg(strstr(sft_json_str(e, "error"), "frobnicate"), "%s", obs_env.out);
	ck_assert_int_eq(sft_json_int(json_object_array_get_idx(errs, 1), "line"), 4);
	json_object_put(o);
	/* a reload is refused with the same file and line; the policy stays */
	o = expect(2, "-j reload");
	ck_assert_str_eq(sft_json_str(o, "file"), path);
	ck_assert_int_eq(sft_json_int(o, "line"), 3);
	ck_assert_int_eq(sft_json_int(o, "exit"), 2);
	ck_assert(json_object_object_get_ex(o, "errors", &errs));
	json_object_put(o);
	sft_connect_n(sft_sub("audit"), SFT_TENANT, "192.0.2.1", 25, 1, ECONNREFUSED);
	/* the text says the same on stderr, as file:line */
	ck_assert_int_eq(sft_cli(&obs_env, "check-config"), 2);
	ck_assert_msg(strstr(obs_env.err, ":3: unknown action 'frobnicate'"), "%s", obs_env.err);
	ck_assert_str_eq(obs_env.out, "");
}
END_TEST

/* check-config as nobody: a world-readable configuration and a run
 * directory only root may enter (as /run/smtpfence is). */
START_TEST(check_config_as_a_user)
{
	char dir[] = "/tmp/smtpfence-contract.XXXXXX", conf_path[PATH_MAX], run[PATH_MAX],
	     cmd[4 * PATH_MAX], bin[PATH_MAX], out[PATH_MAX], err[PATH_MAX], text[8192];
	const char *b = getenv("SMTPFENCE_BIN");
	int status;
	FILE *f;

	sft_env_setup(&obs_env, "asuser", "[global]\nports = 25\n");
	obs_env_up = true;
	ck_assert_ptr_nonnull(realpath(b ? b : "build/smtpfence", bin));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	snprintf(conf_path, sizeof(conf_path), "%s/smtpfence.conf", dir);
	snprintf(run, sizeof(run), "%s/run", dir);
	ck_assert_int_eq(mkdir(run, 0700), 0);
	snprintf(out, sizeof(out), "%s/out", run);
	f = fopen(conf_path, "we");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[global]\nports = 25\nrules_dir = %s/rules.d\n[rules]\nallow = user:0\n", dir);
	fclose(f);
	chmod(conf_path, 0644);
	for (int pass = 0; pass < 3; pass++) {
		snprintf(err, sizeof(err), "%s/err", run);
		snprintf(cmd, sizeof(cmd),
			 "setpriv --reuid=65534 --regid=65534 --clear-groups %s %s --config '%s' "
			 "--run-dir '%s' check-config >'%s' 2>'%s'",
			 bin, pass == 1 ? "-j" : "", conf_path, run, out, err);
		if (pass == 2) { /* a bad line: still found and named */
			f = fopen(conf_path, "ae");
			fputs("deny = user:\n", f);
			fclose(f);
		}
		status = system(cmd);
		ck_assert(WIFEXITED(status));
		f = fopen(pass == 2 ? err : out, "re");
		ck_assert_ptr_nonnull(f);
		text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
		fclose(f);
		if (pass == 0)
			ck_assert_msg(WEXITSTATUS(status) == 0 && strstr(text, ": ok, 1 rule and"),
				      "exit %d: %s", WEXITSTATUS(status), text);
		else if (pass == 1)
			ck_assert_msg(WEXITSTATUS(status) == 0 && strstr(text, "\"ok\":true") &&
					      strstr(text, "\"runtime_read\":false"),
				      "exit %d: %s", WEXITSTATUS(status), text);
		else
			ck_assert_msg(WEXITSTATUS(status) == 2 && strstr(text, "smtpfence.conf:6:"),
				      "exit %d: %s", WEXITSTATUS(status), text);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		every_command_refuses_in_json,
		every_command_answers_in_json,
		configuration_problems_named,
		check_config_as_a_user,
	};

	return sft_obs_run("contract", tests, sizeof(tests) / sizeof(tests[0]), NULL);
}
