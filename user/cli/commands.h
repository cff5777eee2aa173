/* SPDX-License-Identifier: GPL-2.0-only */
/* The subcommands, each declared with its table in its cmd_*.c. A new
 * command: one cmd_*.c with its `const struct sf_command`, one line here
 * and one in commands.c. */
#ifndef SF_COMMANDS_H
#define SF_COMMANDS_H

#include "cli/command.h"

extern const struct sf_command sf_cmd_run;
extern const struct sf_command sf_cmd_allow, sf_cmd_deny, sf_cmd_log, sf_cmd_limit, sf_cmd_redirect,
	sf_cmd_unset, sf_cmd_apply;
extern const struct sf_command sf_cmd_rules;
extern const struct sf_command sf_cmd_status;
extern const struct sf_command sf_cmd_ports, sf_cmd_default;
extern const struct sf_command sf_cmd_explain;
extern const struct sf_command sf_cmd_flows;
extern const struct sf_command sf_cmd_events;
extern const struct sf_command sf_cmd_top;
extern const struct sf_command sf_cmd_metrics;
extern const struct sf_command sf_cmd_check_config, sf_cmd_reload, sf_cmd_unload;
extern const struct sf_command sf_cmd_quarantine, sf_cmd_release, sf_cmd_dnsbl;
extern const struct sf_command sf_cmd_help;
extern const struct sf_command sf_cmd_import;

#endif /* SF_COMMANDS_H */
