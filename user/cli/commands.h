/* SPDX-License-Identifier: GPL-2.0-only */
/* The subcommands. Each returns an exit code (enum sf_exit). */
#ifndef SF_COMMANDS_H
#define SF_COMMANDS_H

#include "util/context.h"

int sf_cmd_run(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_rule(const struct sf_ctx *ctx, const char *action, int argc, char **argv);
int sf_cmd_rules(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_status(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_ports(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_default(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_unload(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_check_config(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_explain(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_flows(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_events(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_top(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_metrics(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_quarantine(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_release(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_dnsbl(const struct sf_ctx *ctx, int argc, char **argv);
int sf_cmd_reload(const struct sf_ctx *ctx, int argc, char **argv);

#endif /* SF_COMMANDS_H */
