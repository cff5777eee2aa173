// SPDX-License-Identifier: GPL-2.0-only
/* The command tables and the command line read against them: typed
 * options, the refusal of options a command does not take, the nearest
 * command, help generated from the tables. */
#include "cli/commands.h"
#include "cli/options.h"
#include "daemon/daemon.h"
#include "suite.h"
#include "unit.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ARGV(...) ((char *[]){"smtpfence", __VA_ARGS__, NULL})
#define ARGC(v)	  ((int)(sizeof(v) / sizeof(v[0])) - 1)

static struct sf_invocation inv;

/* Parses a line; returns what it wrote on stderr. */
static const char *parse(int want, int argc, char **argv)
{
	int saved = sft_stderr_begin(), err;
	const char *text;

	err = sf_invocation_parse(&inv, argc, argv);
	text = sft_stderr_end(saved);
	ck_assert_msg(err == want, "%s ...: %d, want %d (%s)", argv[1], err, want, text);
	return text;
}

#define PARSE(want, ...) parse(want, ARGC(ARGV(__VA_ARGS__)), ARGV(__VA_ARGS__))

static void teardown(void)
{
	sf_invocation_free(&inv);
}

static void each_option(void (*fn)(const struct sf_command *, const struct sf_option *))
{
	for (size_t i = 0; i < sf_n_commands; i++)
		for (const struct sf_option *o = sf_commands[i]->options; o && o->name; o++)
			fn(sf_commands[i], o);
}

static void check_option(const struct sf_command *c, const struct sf_option *o)
{
	ck_assert_msg(o->help && *o->help, "%s --%s: no help", c->name, o->name);
	ck_assert_msg(c->opts_size >= o->offset + sizeof(void *) || o->type == SF_OPT_FLAG,
		      "%s --%s: outside the options struct", c->name, o->name);
	if (o->type == SF_OPT_UINT || o->type == SF_OPT_SECONDS || o->type == SF_OPT_ENUM)
		ck_assert_msg(o->what, "%s --%s: no noun for its errors", c->name, o->name);
	if (o->type == SF_OPT_ENUM)
		ck_assert_ptr_nonnull(o->choices);
	if (o->type == SF_OPT_LIST)
		ck_assert_msg(o->max > 0 && o->count, "%s --%s: list without room", c->name,
			      o->name);
	/* One getopt table serves all: a name or letter means one thing. */
	for (size_t i = 0; i < sf_n_commands; i++) {
		for (const struct sf_option *p = sf_commands[i]->options; p && p->name; p++) {
			if (!strcmp(p->name, o->name))
				ck_assert_msg((p->type == SF_OPT_FLAG) ==
							      (o->type == SF_OPT_FLAG) &&
						      p->short_name == o->short_name,
					      "--%s means two things", o->name);
			/* A letter is one getopt entry: each command may give it
			 * its own meaning (apply -f FILE, events -f), but it takes
			 * a value everywhere or nowhere. */
			if (o->short_name && p->short_name == o->short_name)
				ck_assert_msg((p->type == SF_OPT_FLAG) == (o->type == SF_OPT_FLAG),
					      "-%c takes a value for --%s, none for --%s",
					      o->short_name, p->name, o->name);
		}
		for (const struct sf_option *g = sf_global_options; g->name; g++)
			ck_assert_msg(strcmp(g->name, o->name) &&
					      (!o->short_name || g->short_name != o->short_name),
				      "%s --%s shadows a global option", c->name, o->name);
	}
}

START_TEST(tables_are_whole)
{
	for (size_t i = 0; i < sf_n_commands; i++) {
		const struct sf_command *c = sf_commands[i];

		ck_assert_msg(c->summary && *c->summary && c->run, "%s: no summary or run",
			      c->name);
		ck_assert_ptr_eq(sf_command_find(c->name), c);
		ck_assert_msg(c->max_args < 0 || c->max_args >= c->min_args, "%s: bad counts",
			      c->name);
		ck_assert_msg(!c->options || c->opts_size, "%s: options without a struct", c->name);
	}
	each_option(check_option);
}
END_TEST

START_TEST(typed_options_anywhere)
{
	const struct {
		int sort;
		const char *target;
		uint64_t limit;
	} * flows;

	PARSE(0, "--pin-dir", "/x", "flows", "--sort", "denied", "--limit=5", "-j");
	ck_assert_ptr_eq(inv.cmd, &sf_cmd_flows);
	ck_assert_str_eq(inv.ctx.pin_dir, "/x");
	ck_assert_str_eq(inv.ctx.run_dir, "/run/smtpfence");
	ck_assert(inv.ctx.json && !inv.ctx.config_explicit);
	flows = inv.opts;
	ck_assert_int_eq(flows->sort, 1);
	ck_assert_int_eq(flows->limit, 5);
	ck_assert_ptr_null(flows->target);
	ck_assert_int_eq(inv.argc, 0);
	sf_invocation_free(&inv);

	PARSE(0, "status", "--config", "/c.conf");
	ck_assert(inv.ctx.config_explicit);
	ck_assert_str_eq(inv.ctx.config, "/c.conf");
}
END_TEST

START_TEST(defaults_words_and_lists)
{
	const struct sf_daemon_opts *run;
	const struct {
		const char *action;
		bool runtime;
	} * rule;
	const struct {
		int sort;
		bool batch;
		uint64_t frames;
		double delay;
	} * top;

	PARSE(0, "limit", "user:bob", "--runtime", "10/min", "burst", "3");
	rule = inv.opts;
	ck_assert_str_eq(rule->action, "limit");
	ck_assert(rule->runtime);
	ck_assert_int_eq(inv.argc, 4);
	ck_assert_str_eq(inv.argv[0], "user:bob");
	ck_assert_str_eq(inv.argv[3], "3");
	sf_invocation_free(&inv);

	PARSE(0, "top", "--batch", "-n", "3", "-d", "0.5");
	top = inv.opts;
	ck_assert(top->batch);
	ck_assert_int_eq(top->frames, 3);
	ck_assert_double_eq(top->delay, 0.5);
	ck_assert_int_eq(top->sort, 0);
	sf_invocation_free(&inv);

	PARSE(0, "top");
	top = inv.opts;
	ck_assert_double_eq(top->delay, 2.0); /* the command's default */
	sf_invocation_free(&inv);

	PARSE(0, "run", "--tc-dev", "eth0", "--cgroup", "/sys/fs/cgroup/t", "--tc-dev", "veth1");
	run = inv.opts;
	ck_assert_int_eq(run->n_tc_devs, 2);
	ck_assert_str_eq(run->tc_devs[1], "veth1");
	ck_assert_str_eq(run->cgroup, "/sys/fs/cgroup/t");
	sf_invocation_free(&inv);

	PARSE(0, "allow", "--", "-x");
	ck_assert_int_eq(inv.argc, 1);
	ck_assert_str_eq(inv.argv[0], "-x");
}
END_TEST

START_TEST(refusals_name_the_word)
{
	static const struct {
		const char *a, *b, *msg;
	} cases[] = {
		{"rules", "--runtime", "option --runtime does not apply to 'rules'\n"},
		{"flows", "-f", "option -f does not apply to 'flows'\n"},
		{"status", "--bogus", "unknown option '--bogus' (see smtpfence help)\n"},
		{"stauts", "-j", "unknown command 'stauts' (did you mean status?)\n"},
		{"frobnicate", "-j", "unknown command 'frobnicate' (see smtpfence help)\n"},
		{"flows", "--limit=0", "invalid limit '0': expected 1 to 4294967295\n"},
		{"top", "--sort=x",
		 "invalid sort column 'x': expected attempts, denied, limited, total, last or "
		 "tenant\n"},
		{"top", "-d0.01", "invalid delay '0.01': expected 0.1 to 3600 seconds\n"},
		{"run", "--tc-dev=a/b", "--tc-dev: invalid interface name 'a/b'"},
		{"flows", "--limit", "option '--limit' needs a value\n"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *err = PARSE(-EINVAL, (char *)cases[i].a, (char *)cases[i].b);

		ck_assert_msg(strstr(err, cases[i].msg), "%s %s: '%s', want '%s'", cases[i].a,
			      cases[i].b, err, cases[i].msg);
		sf_invocation_free(&inv);
	}
}
END_TEST

START_TEST(list_has_room_for_64)
{
	char *argv[2 + 2 * 65 + 1] = {"smtpfence", "run"};
	int argc = 2;

	for (int i = 0; i < 65; i++) {
		argv[argc++] = "--tc-dev";
		argv[argc++] = "eth0";
	}
	ck_assert_str_eq(parse(-EINVAL, argc, argv), "smtpfence: --tc-dev: at most 64 values\n");
	sf_invocation_free(&inv);
	ck_assert_str_eq(parse(0, argc - 2, argv), "");
}
END_TEST

static const char *render(void (*fn)(FILE *))
{
	static char *text;
	size_t len;
	FILE *f;

	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	fn(f);
	fclose(f);
	return text;
}

static void flows_help(FILE *f)
{
	sf_command_print_help(&sf_cmd_flows, f);
}

static void all_help(FILE *f)
{
	sf_commands_print_help(f);
}

START_TEST(help_from_the_tables)
{
	const char *h = render(flows_help);
	char syn[512];

	ck_assert_msg(!strncmp(h,
			       "usage: smtpfence flows [-j] [--sort "
			       "attempts|denied|limited|last] [--target TARGET] [--limit N]\n",
			       70),
		      "%s", h);
	ck_assert_ptr_nonnull(strstr(h, "--limit N"));
	ck_assert_ptr_nonnull(strstr(h, "at most N rows"));
	h = render(all_help);
	for (size_t i = 0; i < sf_n_commands; i++) {
		char line[64];

		snprintf(line, sizeof(line), "\n  %-14s %s\n", sf_commands[i]->name,
			 sf_commands[i]->summary);
		ck_assert_msg(strstr(h, line), "help lacks %s", sf_commands[i]->name);
	}
	ck_assert_ptr_nonnull(strstr(h, "--pin-dir DIR"));
	sf_command_synopsis(&sf_cmd_limit, syn, sizeof(syn));
	ck_assert_str_eq(
		syn, "smtpfence limit TARGET... N/sec|N/min|N/hour|N/day [burst B] [messages N/PERIOD] "
		"[recipients N/PERIOD] [-j] [--runtime]");
	sf_command_synopsis(&sf_cmd_run, syn, sizeof(syn));
	ck_assert_str_eq(syn, "smtpfence run [-j] [--cgroup PATH] [--tc-dev DEV]... [--move]");
}
END_TEST

int main(void)
{
	return sft_run_tests("command", NULL, teardown,
			     (const TTest *const[]){tables_are_whole, typed_options_anywhere,
						    defaults_words_and_lists,
						    refusals_name_the_word, list_has_room_for_64,
						    help_from_the_tables, NULL});
}
