// SPDX-License-Identifier: GPL-2.0-only
/* smtpfence: command-line entry. The line is read against the command
 * tables (options.c); each command runs with its own options filled. */
#include "cli/options.h"
#include "util/log.h"
#include "util/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/version.h"

static int dispatch(const struct sf_invocation *inv)
{
	const struct sf_command *cmd = inv->cmd;

	if (inv->version) {
		printf("smtpfence %s\n", SF_VERSION);
		return SF_EXIT_OK;
	}
	if (inv->help && !cmd) {
		sf_commands_print_help(stdout);
		return SF_EXIT_OK;
	}
	if (!cmd) {
		sf_commands_print_help(stderr);
		return SF_EXIT_USAGE;
	}
	if (inv->help) {
		sf_command_print_help(cmd, stdout);
		return SF_EXIT_OK;
	}
	if (inv->argc < cmd->min_args)
		return sf_command_usage_error(cmd);
	if (cmd->max_args >= 0 && inv->argc > cmd->max_args) {
		char syn[512];

		sf_command_synopsis(cmd, syn, sizeof(syn));
		sf_err("unexpected '%s' (usage: %s)", inv->argv[cmd->max_args], syn);
		return SF_EXIT_USAGE;
	}
	if (cmd->needs_root && sf_require_root())
		return SF_EXIT_FAIL;
	return cmd->run(&inv->ctx, inv->opts, inv->argc, inv->argv);
}

int main(int argc, char **argv)
{
	struct sf_invocation inv;
	int err, rc;

	err = sf_invocation_parse(&inv, argc, argv);
	sf_log_init(inv.verbose);
	sf_report_json(inv.ctx.json);
	rc = err == -ENOMEM ? SF_EXIT_FAIL : err ? SF_EXIT_USAGE : dispatch(&inv);
	fflush(stdout);
	sf_invocation_free(&inv);
	return sf_report_finish(rc);
}
