// SPDX-License-Identifier: GPL-2.0-only
/* The command table: every subcommand, each declared in its cmd_*.c. */
#include "cli/commands.h"
#include "util/log.h"

#include <stdint.h>

#include <string.h>

const struct sf_command *const sf_commands[] = {
	&sf_cmd_run,	      &sf_cmd_allow,   &sf_cmd_deny,	   &sf_cmd_log,	    &sf_cmd_limit,
	&sf_cmd_redirect,     &sf_cmd_unset,   &sf_cmd_apply,	   &sf_cmd_rules,   &sf_cmd_status,
	&sf_cmd_ports,	      &sf_cmd_default, &sf_cmd_explain,	   &sf_cmd_flows,   &sf_cmd_events,
	&sf_cmd_top,	      &sf_cmd_metrics, &sf_cmd_quarantine, &sf_cmd_release, &sf_cmd_dnsbl,
	&sf_cmd_check_config, &sf_cmd_reload,  &sf_cmd_unload,	   &sf_cmd_import,  &sf_cmd_help,
};

const size_t sf_n_commands = sizeof(sf_commands) / sizeof(sf_commands[0]);

const struct sf_command *sf_command_find(const char *name)
{
	for (size_t i = 0; i < sf_n_commands; i++)
		if (!strcmp(name, sf_commands[i]->name))
			return sf_commands[i];
	return NULL;
}

/* Levenshtein distance, one row at a time; words longer than 63 bytes
 * are never near a command name. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (la >= 64 || lb >= 64)
		return 64;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

static const struct sf_command *nearest(const char *word)
{
	const struct sf_command *best = NULL;
	size_t best_d = SIZE_MAX;

	for (size_t i = 0; i < sf_n_commands; i++) {
		size_t d = distance(word, sf_commands[i]->name);

		if (d < best_d) {
			best_d = d;
			best = sf_commands[i];
		}
	}
	/* A typo: a third of the name at most, and never the whole word. */
	return best && best_d <= 1 + strlen(best->name) / 3 && best_d < strlen(word) ? best : NULL;
}

void sf_command_report_unknown(const char *word)
{
	const struct sf_command *near = nearest(word);

	if (near)
		sf_err("unknown command '%s' (did you mean %s?)", word, near->name);
	else
		sf_err("unknown command '%s' (see smtpfence help)", word);
}
