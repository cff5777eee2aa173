// SPDX-License-Identifier: GPL-2.0-only
/* unload, check-config and reload. */
#include "cli/commands.h"
#include "kernel/loader.h"
#include "util/log.h"
#include "kernel/pins.h"
#include "policy/change.h"
#include "util/json_out.h"
#include "util/plural.h"

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

/* {"ok", "config", "rules", "pending", "exempt", "runtime_read", "errors"}:
 * every problem in the list, each with its file and line. */
static void check_json(const struct sf_ctx *ctx, const struct sf_session *s, int err)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(!err));
	json_object_object_add(o, "config", json_object_new_string(ctx->config));
	if (!err) {
		json_object_object_add(
			o, "rules",
			json_object_new_uint64(s->compiled.n_rules - 1 + s->compiled.n_pending));
		json_object_object_add(o, "pending", json_object_new_uint64(s->compiled.n_pending));
		json_object_object_add(
			o, "exempt",
			json_object_new_uint64(s->compiled.n_exempt4 + s->compiled.n_exempt6));
	}
	json_object_object_add(o, "runtime_read", json_object_new_boolean(!s->runtime_unread));
	json_object_object_add(o, "errors", sf_diag_json(&s->diag));
	sf_json_print(o);
}

static int check_config(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	struct sf_session s;
	int err;

	(void)opts, (void)argc, (void)argv;
	err = sf_session_load(&s, ctx, false, NULL);
	if (s.runtime_unread)
		sf_warn("not root: %s is not readable, the runtime layer and the quarantines were "
			"not checked",
			ctx->run_dir);
	if (ctx->json && (!err || err == -EINVAL)) {
		check_json(ctx, &s, err);
	} else if (!err) {
		size_t n = s.compiled.n_rules - 1 + s.compiled.n_pending;

		printf("%s: ok, %zu %s and the default (%zu pending), %zu exempt %s\n", ctx->config,
		       n, n == 1 ? "rule" : "rules", s.compiled.n_pending,
		       s.compiled.n_exempt4 + s.compiled.n_exempt6,
		       s.compiled.n_exempt4 + s.compiled.n_exempt6 == 1 ? "prefix" : "prefixes");
	}
	sf_session_end(&s);
	return err == -EINVAL ? SF_EXIT_USAGE : err ? SF_EXIT_FAIL : SF_EXIT_OK;
}

/* Re-reads and applies the configuration itself (so it works without the
 * daemon, and reports errors to the caller), then tells the daemon. */
static int reload(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	(void)opts, (void)argc, (void)argv;
	return sf_change_reload(ctx);
}

const struct sf_command sf_cmd_check_config = {
	.name = "check-config",
	.summary = "validate the configuration, apply nothing",
	.json = true,
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
