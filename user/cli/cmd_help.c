// SPDX-License-Identifier: GPL-2.0-only
/* help [COMMAND]: usage from the command tables. */
#include "cli/commands.h"

#include <stdio.h>

static int run(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	const struct sf_command *cmd;

	(void)ctx;
	(void)opts;
	if (argc == 0) {
		sf_commands_print_help(stdout);
		return SF_EXIT_OK;
	}
	cmd = sf_command_find(argv[0]);
	if (!cmd) {
		sf_command_report_unknown(argv[0]);
		return SF_EXIT_USAGE;
	}
	sf_command_print_help(cmd, stdout);
	return SF_EXIT_OK;
}

const struct sf_command sf_cmd_help = {
	.name = "help",
	.args = "[COMMAND]",
	.max_args = 1,
	.summary = "usage of every command, or of one",
	.run = run,
};
