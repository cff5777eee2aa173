// SPDX-License-Identifier: GPL-2.0-only
/* unload, check-config and reload. */
#include "cli/commands.h"
#include "kernel/loader.h"
#include "util/log.h"
#include "kernel/pins.h"
#include "policy/session.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int unload(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	int err;

	(void)opts, (void)argc, (void)argv;
	err = sf_unload(ctx->pin_dir);
	if (err == -ENOENT) {
		sf_info("nothing is loaded at %s", ctx->pin_dir);
		return SF_EXIT_OK;
	}
	return err ? SF_EXIT_FAIL : SF_EXIT_OK;
}

static int check_config(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	struct sf_session s;
	int err;

	(void)opts, (void)argc, (void)argv;
	err = sf_session_begin(&s, ctx, false);
	if (!err)
		err = sf_session_compile(&s);
	sf_diag_print(&s.diag);
	if (!err)
		printf("%s: ok, %zu rules and the default (%zu pending), %zu exempt prefixes\n",
		       ctx->config, s.compiled.n_rules - 1 + s.compiled.n_pending,
		       s.compiled.n_pending, s.compiled.n_exempt4 + s.compiled.n_exempt6);
	sf_session_end(&s);
	return err == -EINVAL ? SF_EXIT_USAGE : err ? SF_EXIT_FAIL : SF_EXIT_OK;
}

/* Re-reads and applies the configuration itself (so it works without the
 * daemon, and reports errors to the caller), then tells the daemon. */
static int reload(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	struct sf_session s;
	struct sf_maps m;
	int err, code;

	(void)opts, (void)argc, (void)argv;
	err = sf_session_begin(&s, ctx, true);
	if (!err)
		err = sf_session_compile(&s);
	if (err) {
		sf_diag_print(&s.diag);
		sf_err("reload refused: the policy in force is unchanged");
		sf_session_end(&s);
		return err == -EINVAL ? SF_EXIT_USAGE : SF_EXIT_FAIL;
	}
	err = sf_maps_open(ctx->pin_dir, &m);
	code = sf_exit_for(err, ctx->pin_dir);
	if (!err) {
		code = sf_session_sync(&s, &m) ? SF_EXIT_FAIL : SF_EXIT_OK;
		sf_maps_close(&m);
	}
	sf_session_end(&s);
	if (code == SF_EXIT_OK)
		sf_session_poke_daemon(ctx);
	return code;
}

const struct sf_command sf_cmd_check_config = {
	.name = "check-config",
	.summary = "validate the configuration, apply nothing",
	.run = check_config,
};

const struct sf_command sf_cmd_reload = {
	.name = "reload",
	.summary = "re-read and apply the configuration",
	.needs_root = true,
	.run = reload,
};

const struct sf_command sf_cmd_unload = {
	.name = "unload",
	.summary = "detach and remove everything pinned",
	.needs_root = true,
	.run = unload,
};
