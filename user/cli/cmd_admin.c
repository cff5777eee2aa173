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

int sf_cmd_unload(const struct sf_ctx *ctx, int argc, char **argv)
{
	int err;

	(void)argv;
	if (argc) {
		sf_err("usage: smtpfence unload");
		return SF_EXIT_USAGE;
	}
	err = sf_unload(ctx->pin_dir);
	if (err == -ENOENT) {
		sf_info("nothing is loaded at %s", ctx->pin_dir);
		return SF_EXIT_OK;
	}
	return err ? SF_EXIT_FAIL : SF_EXIT_OK;
}

int sf_cmd_check_config(const struct sf_ctx *ctx, int argc, char **argv)
{
	struct sf_session s;
	int err;

	(void)argv;
	if (argc) {
		sf_err("usage: smtpfence check-config");
		return SF_EXIT_USAGE;
	}
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
int sf_cmd_reload(const struct sf_ctx *ctx, int argc, char **argv)
{
	struct sf_session s;
	struct sf_maps m;
	int err, code;

	(void)argv;
	if (argc) {
		sf_err("usage: smtpfence reload");
		return SF_EXIT_USAGE;
	}
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
