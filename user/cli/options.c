// SPDX-License-Identifier: GPL-2.0-only
/* The command line, read with getopt_long against one table built from
 * the global options and every command's: an option is recognised
 * wherever it stands, then checked against the command the line names. */
#include "cli/options.h"
#include "kernel/pins.h"
#include "policy/parse.h"
#include "policy/policy.h"
#include "util/log.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define G(field) SF_OPT_AT(struct sf_invocation, field)

const struct sf_option sf_global_options[] = {
	{.name = "pin-dir",
	 .type = SF_OPT_STRING,
	 .arg = "DIR",
	 .offset = G(ctx.pin_dir),
	 .help = "pinned state (default " SF_DEFAULT_PIN_DIR ")"},
	{.name = "config",
	 .type = SF_OPT_STRING,
	 .arg = "FILE",
	 .offset = G(ctx.config),
	 .help = "main configuration (default " SF_DEFAULT_CONFIG ")"},
	{.name = "run-dir",
	 .type = SF_OPT_STRING,
	 .arg = "DIR",
	 .offset = G(ctx.run_dir),
	 .help = "lock, pid file, runtime rules (default " SF_DEFAULT_RUN_DIR ")"},
	{.name = "json",
	 .short_name = 'j',
	 .type = SF_OPT_FLAG,
	 .offset = G(ctx.json),
	 .help = "JSON output, errors too (smtpfence-json(7))"},
	{.name = "verbose",
	 .short_name = 'v',
	 .type = SF_OPT_FLAG,
	 .offset = G(verbose),
	 .help = "show libbpf's messages"},
	{.name = "help",
	 .short_name = 'h',
	 .type = SF_OPT_FLAG,
	 .offset = G(help),
	 .help = "usage (of the command, after one)"},
	{.name = "version", .type = SF_OPT_FLAG, .offset = G(version), .help = "print the version"},
	{NULL},
};

/* One getopt entry: the first option of that name in the tables. */
struct spec {
	const struct sf_option *o;
	bool global;
};

struct given {
	const struct spec *s;
	const char *value;
	char typed[64]; /* as the user spelled it: -f or --follow */
};

struct parser {
	struct spec *specs;
	size_t n_specs;
	struct option *longs;
	char shorts[128];
	struct given *given;
	size_t n_given;
};

static bool takes_value(const struct sf_option *o)
{
	return o->type != SF_OPT_FLAG;
}

static void add_spec(struct parser *p, const struct sf_option *o, bool global)
{
	for (size_t i = 0; i < p->n_specs; i++)
		if (!strcmp(p->specs[i].o->name, o->name))
			return;
	p->longs[p->n_specs] =
		(struct option){o->name, takes_value(o) ? required_argument : no_argument, NULL,
				256 + (int)p->n_specs};
	p->specs[p->n_specs++] = (struct spec){o, global};
	if (o->short_name && !strchr(p->shorts, o->short_name)) {
		size_t n = strlen(p->shorts);

		p->shorts[n++] = o->short_name;
		if (takes_value(o))
			p->shorts[n++] = ':';
		p->shorts[n] = '\0';
	}
}

static size_t count_options(const struct sf_option *t)
{
	size_t n = 0;

	while (t && t[n].name)
		n++;
	return n;
}

static int parser_init(struct parser *p, int argc)
{
	size_t n = count_options(sf_global_options);

	for (size_t i = 0; i < sf_n_commands; i++)
		n += count_options(sf_commands[i]->options);
	*p = (struct parser){.shorts = "-:"};
	p->specs = calloc(n, sizeof(*p->specs));
	p->longs = calloc(n + 1, sizeof(*p->longs));
	p->given = calloc((size_t)argc + 1, sizeof(*p->given));
	if (!p->specs || !p->longs || !p->given)
		return -ENOMEM;
	for (const struct sf_option *o = sf_global_options; o->name; o++)
		add_spec(p, o, true);
	for (size_t i = 0; i < sf_n_commands; i++)
		for (size_t j = 0; j < count_options(sf_commands[i]->options); j++)
			add_spec(p, &sf_commands[i]->options[j], false);
	return 0;
}

static void parser_free(struct parser *p)
{
	free(p->specs);
	free(p->longs);
	free(p->given);
}

static const struct spec *spec_of_short(const struct parser *p, int c)
{
	for (size_t i = 0; i < p->n_specs; i++)
		if (p->specs[i].o->short_name == c)
			return &p->specs[i];
	return NULL;
}

static const struct sf_option *find_option(const struct sf_option *t, const char *name)
{
	for (size_t i = 0; i < count_options(t); i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

static const struct sf_option *find_short(const struct sf_option *t, char c)
{
	for (size_t i = 0; i < count_options(t); i++)
		if (t[i].short_name == c)
			return &t[i];
	return NULL;
}

static int set_number(const struct sf_option *o, const char *value, void *dest)
{
	char *end;
	double d;
	uint64_t n;

	if (o->type == SF_OPT_UINT) {
		if (!sf_parse_uint(value, (uint64_t)o->min, (uint64_t)o->max, &n)) {
			*(uint64_t *)dest = n;
			return 0;
		}
		sf_err("invalid %s '%s': expected %llu to %llu", o->what, value,
		       (unsigned long long)o->min, (unsigned long long)o->max);
		return -EINVAL;
	}
	d = strtod(value, &end);
	if (!*end && end != value && d >= o->min && d <= o->max) {
		*(double *)dest = d;
		return 0;
	}
	sf_err("invalid %s '%s': expected %g to %g seconds", o->what, value, o->min, o->max);
	return -EINVAL;
}

static int set_enum(const struct sf_option *o, const char *value, int *dest)
{
	char expect[256] = "";
	size_t len = 0;
	int i;

	for (i = 0; o->choices[i]; i++) {
		if (!strcmp(value, o->choices[i])) {
			*dest = i;
			return 0;
		}
	}
	for (int j = 0; j < i && len < sizeof(expect); j++)
		len += (size_t)snprintf(expect + len, sizeof(expect) - len, "%s%s",
					j == 0	     ? ""
					: j == i - 1 ? " or "
						     : ", ",
					o->choices[j]);
	sf_err("invalid %s '%s': expected %s", o->what, value, expect);
	return -EINVAL;
}

/* Fills opts from one option of a table and its value. 0, or -EINVAL
 * after one line. */
static int set_option(const struct sf_option *o, const char *value, void *opts)
{
	char *dest = (char *)opts + o->offset, err[SF_ERR_LEN];
	size_t *count = (size_t *)((char *)opts + o->count);

	if (o->check && o->check(value, err, sizeof(err))) {
		sf_err("--%s: %s", o->name, err);
		return -EINVAL;
	}
	switch (o->type) {
	case SF_OPT_FLAG:
		*(bool *)dest = true;
		return 0;
	case SF_OPT_STRING:
		*(const char **)dest = value;
		return 0;
	case SF_OPT_UINT:
	case SF_OPT_SECONDS:
		return set_number(o, value, dest);
	case SF_OPT_ENUM:
		return set_enum(o, value, (int *)dest);
	case SF_OPT_LIST:
		if (*count == (size_t)o->max) {
			sf_err("--%s: at most %zu values", o->name, (size_t)o->max);
			return -EINVAL;
		}
		((const char **)dest)[(*count)++] = value;
		return 0;
	}
	return -EINVAL;
}

/* Reads argv into words and p->given; globals are set at once. */
static int scan(struct parser *p, struct sf_invocation *inv, int argc, char **argv, int *n_words)
{
	int c, idx;

	opterr = 0;
	optind = 0; /* glibc: start afresh, also on a second line */
	while ((idx = -1, c = getopt_long(argc, argv, p->shorts, p->longs, &idx)) != -1) {
		const struct spec *s;
		struct given *g;

		if (c == 1) {
			inv->words[(*n_words)++] = optarg;
			continue;
		}
		if (c == ':') {
			sf_err("option '%s' needs a value", argv[optind - 1]);
			return -EINVAL;
		}
		s = c >= 256 ? &p->specs[c - 256] : spec_of_short(p, c);
		if (c == '?' || !s) {
			sf_err("unknown option '%s' (see smtpfence help)", argv[optind - 1]);
			return -EINVAL;
		}
		g = &p->given[p->n_given++];
		g->s = s;
		g->value = optarg;
		if (c >= 256)
			snprintf(g->typed, sizeof(g->typed), "--%s", s->o->name);
		else
			snprintf(g->typed, sizeof(g->typed), "-%c", c);
		if (s->global && set_option(s->o, optarg, inv))
			return -EINVAL;
	}
	/* After "--", every word is a word. */
	while (optind < argc)
		inv->words[(*n_words)++] = argv[optind++];
	return 0;
}

static int find_command(struct sf_invocation *inv, const char *word)
{
	inv->cmd = sf_command_find(word);
	if (inv->cmd)
		return 0;
	sf_command_report_unknown(word);
	return -EINVAL;
}

/* The command's own options, now that the line has named it. */
static int apply_given(const struct parser *p, struct sf_invocation *inv)
{
	const struct sf_command *cmd = inv->cmd;

	for (size_t i = 0; i < p->n_given; i++) {
		const struct given *g = &p->given[i];
		const struct sf_option *o;

		if (g->s->global)
			continue; /* -j too: every command speaks JSON */
		o = g->typed[1] == '-' ? find_option(cmd->options, g->s->o->name)
				       : find_short(cmd->options, g->typed[1]);
		if (!o) {
			sf_err("option %s does not apply to '%s'", g->typed, cmd->name);
			return -EINVAL;
		}
		if (set_option(o, g->value, inv->opts))
			return -EINVAL;
	}
	return 0;
}

int sf_invocation_parse(struct sf_invocation *inv, int argc, char **argv)
{
	struct parser p;
	int n_words = 0, err;

	*inv = (struct sf_invocation){};
	inv->words = calloc((size_t)argc + 1, sizeof(*inv->words));
	err = inv->words ? parser_init(&p, argc) : -ENOMEM;
	if (!err)
		err = scan(&p, inv, argc, argv, &n_words);
	inv->ctx.config_explicit = inv->ctx.config != NULL;
	if (!inv->ctx.pin_dir)
		inv->ctx.pin_dir = SF_DEFAULT_PIN_DIR;
	if (!inv->ctx.config)
		inv->ctx.config = SF_DEFAULT_CONFIG;
	if (!inv->ctx.run_dir)
		inv->ctx.run_dir = SF_DEFAULT_RUN_DIR;
	if (!err && n_words > 0)
		err = find_command(inv, inv->words[0]);
	if (!err && inv->cmd) {
		inv->opts = calloc(1, inv->cmd->opts_size ? inv->cmd->opts_size : 1);
		if (!inv->opts)
			err = -ENOMEM;
		else if (inv->cmd->defaults)
			memcpy(inv->opts, inv->cmd->defaults, inv->cmd->opts_size);
		if (!err)
			err = apply_given(&p, inv);
		inv->argc = n_words - 1;
		inv->argv = inv->words + 1;
	}
	if (inv->words)
		parser_free(&p);
	return err;
}

void sf_invocation_free(struct sf_invocation *inv)
{
	free(inv->opts);
	free(inv->words);
	inv->opts = NULL;
	inv->words = NULL;
}
