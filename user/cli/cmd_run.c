// SPDX-License-Identifier: GPL-2.0-only
/* run: the daemon in the foreground. */
#include "cli/commands.h"
#include "daemon/daemon.h"
#include "util/log.h"

int sf_cmd_run(const struct sf_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc) {
		sf_err("usage: smtpfence run [--cgroup PATH] [--pin-dir DIR] [--config FILE]");
		return SF_EXIT_USAGE;
	}
	return sf_daemon_run(ctx);
}
