// SPDX-License-Identifier: GPL-2.0-only
/* Usage and help, generated from the command tables: no usage string is
 * typed anywhere else. */
#include "cli/command.h"
#include "cli/options.h"
#include "util/log.h"
#include "policy/config_keys.h"

#include <string.h>

/* "--sort attempts|denied" or "-n N": an option as the synopsis shows it;
 * the list of options names an enum's value COLUMN and lists the words
 * in its help. */
static size_t option_words(const struct sf_option *o, bool in_synopsis, char *buf, size_t len)
{
	bool prefer_short = in_synopsis;

	size_t n;

	if (o->short_name && prefer_short)
		n = (size_t)snprintf(buf, len, "-%c", o->short_name);
	else
		n = (size_t)snprintf(buf, len, "--%s", o->name);
	if (n < len && o->type == SF_OPT_ENUM && in_synopsis) {
		for (int i = 0; o->choices[i] && n < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "|" : " ",
					      o->choices[i]);
	} else if (n < len && o->type != SF_OPT_FLAG) {
		n += (size_t)snprintf(buf + n, len - n, " %s", o->arg ? o->arg : "VALUE");
	}
	return n < len ? n : len - 1;
}

void sf_command_synopsis(const struct sf_command *cmd, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "smtpfence %s%s%s%s", cmd->name, cmd->args ? " " : "",
				    cmd->args ? cmd->args : "", " [-j]");

	for (const struct sf_option *o = cmd->options; o && o->name && n + 1 < len; o++) {
		char flag[4] = {'-', o->short_name, ' ', '\0'};

		/* Shown in the words already ("apply -f FILE|-"): not twice. */
		if (o->short_name && cmd->args && !strncmp(cmd->args, flag, 3))
			continue;
		n += (size_t)snprintf(buf + n, len - n, " [");
		n += n < len ? option_words(o, true, buf + n, len - n) : 0;
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "]%s",
					      o->type == SF_OPT_LIST ? "..." : "");
	}
}

int sf_command_usage_error(const struct sf_command *cmd)
{
	char syn[512];

	sf_command_synopsis(cmd, syn, sizeof(syn));
	sf_err("usage: %s", syn);
	return SF_EXIT_USAGE;
}

static void print_option(FILE *f, const struct sf_option *o)
{
	char words[256], names[300], choices[256] = "";
	size_t n = 0;

	option_words(o, false, words, sizeof(words));
	if (o->short_name)
		snprintf(names, sizeof(names), "-%c, %s", o->short_name, words);
	else
		snprintf(names, sizeof(names), "    %s", words);
	for (int i = 0; o->type == SF_OPT_ENUM && o->choices[i] && n < sizeof(choices); i++)
		n += (size_t)snprintf(choices + n, sizeof(choices) - n, "%s%s",
				      i ? ", " : "; one of ", o->choices[i]);
	fprintf(f, "  %-26s %s%s%s\n", names, o->help, choices,
		o->type == SF_OPT_LIST ? " (repeatable)" : "");
}

void sf_command_print_help(const struct sf_command *cmd, FILE *f)
{
	static const struct sf_option json = {
		.name = "json",
		.short_name = 'j',
		.type = SF_OPT_FLAG,
		.help = "JSON output, errors too (smtpfence-json(7))"};
	char syn[512];

	sf_command_synopsis(cmd, syn, sizeof(syn));
	fprintf(f, "usage: %s\n\n%s\n", syn, cmd->summary);
	{ /* every command takes -j */
		fprintf(f, "\nOptions:\n");
		print_option(f, &json);
		for (const struct sf_option *o = cmd->options; o && o->name; o++)
			print_option(f, o);
	}
	fprintf(f, "\nGlobal options: see 'smtpfence help'.%s\n",
		cmd->needs_root ? " Needs root." : "");
}

void sf_commands_print_help(FILE *f)
{
	fprintf(f, "usage: smtpfence [OPTIONS] COMMAND [ARGS]\n\n"
		   "Targets: cgroup:PATH unit:NAME.service|.slice|.scope user:NAME|UID\n"
		   "         group:NAME|GID dest:CIDR source:CIDR\n\nCommands:\n");
	for (size_t i = 0; i < sf_n_commands; i++)
		fprintf(f, "  %-14s %s\n", sf_commands[i]->name, sf_commands[i]->summary);
	fprintf(f, "\nOptions:\n");
	for (const struct sf_option *o = sf_global_options; o->name; o++)
		print_option(f, o);
	fprintf(f, "\nConfiguration keys (smtpfence.conf(5)):\n");
	for (const char *section = "global"; section;
	     section = strcmp(section, "global") ? NULL : "rules") {
		size_t col = (size_t)fprintf(f, "  [%s]", section);

		for (const struct sf_config_key *k = sf_config_keys; k->name; k++) {
			if (strcmp(k->section, section))
				continue;
			if (col + strlen(k->name) + 1 > 78)
				col = (size_t)fprintf(f, "\n   ") - 1;
			col += (size_t)fprintf(f, " %s", k->name);
		}
		fputc('\n', f);
	}
	fprintf(f, "\nExit status: 0 ok, 1 failure, 2 bad input, 3 status: nothing enforced.\n"
		   "'smtpfence help COMMAND' or 'smtpfence COMMAND --help': its arguments and "
		   "options.\n");
}
