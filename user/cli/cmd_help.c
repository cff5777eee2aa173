// SPDX-License-Identifier: GPL-2.0-only
/* help [COMMAND]: usage from the command tables. */
#include "cli/commands.h"
#include "cli/help_json.h"
#include "util/json_out.h"

#include <stdio.h>

static int run(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	const struct sf_command *cmd;

	(void)opts;
	cmd = argc ? sf_command_find(argv[0]) : NULL;
	if (argc && !cmd) {
		sf_command_report_unknown(argv[0]);
		return SF_EXIT_USAGE;
	}
	if (ctx->json)
		sf_json_print(sf_help_json(cmd));
	else if (cmd)
		sf_command_print_help(cmd, stdout);
	else
		sf_commands_print_help(stdout);
	return SF_EXIT_OK;
}

const struct sf_command sf_cmd_help = {
	.name = "help",
	.args = "[COMMAND]",
	.max_args = 1,
	.summary = "usage of every command, or of one (-j: the tables as JSON)",
	.json = true,
	.run = run,
};
