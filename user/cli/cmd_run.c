// SPDX-License-Identifier: GPL-2.0-only
/* run: the daemon in the foreground. */
#include "cli/commands.h"
#include "daemon/daemon.h"
#include "policy/parse.h"

static int run(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return sf_daemon_run(ctx, opts);
}

#define O(field) SF_OPT_AT(struct sf_daemon_opts, field)

static const struct sf_option options[] = {
	{.name = "cgroup",
	 .type = SF_OPT_STRING,
	 .arg = "PATH",
	 .offset = O(cgroup),
	 .help = "attach here (default: the cgroup-v2 root)"},
	{.name = "tc-dev",
	 .type = SF_OPT_LIST,
	 .arg = "DEV",
	 .offset = O(tc_devs),
	 .count = O(n_tc_devs),
	 .max = SF_DAEMON_MAX_TC_DEVS,
	 .check = sf_parse_ifname,
	 .help = "also judge traffic forwarded out of DEV (tc), besides `interfaces =`"},
	{NULL},
};

const struct sf_command sf_cmd_run = {
	.name = "run",
	.summary = "daemon: load or re-adopt, enforce, log events",
	.needs_root = true,
	.options = options,
	.opts_size = sizeof(struct sf_daemon_opts),
	.run = run,
};
