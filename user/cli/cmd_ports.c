// SPDX-License-Identifier: GPL-2.0-only
/* ports add|del|list and default: live settings kept in the runtime
 * layer (the configuration file holds the persistent ones). */
#include "cli/commands.h"
#include "util/json_out.h"
#include "policy/config.h"
#include "policy/dropin.h"
#include "util/log.h"
#include "policy/session.h"
#include "smtpfence.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* Applies an edit of the runtime layer whole: files and maps, or neither. */
static int commit_runtime(const struct sf_ctx *ctx, struct sf_session *s)
{
	struct sf_file_backup backup;
	struct sf_maps maps;
	int err, code = SF_EXIT_OK;

	if (sf_session_compile(s)) {
		sf_diag_print(&s->diag);
		return SF_EXIT_USAGE;
	}
	err = sf_maps_open(ctx->pin_dir, &maps);
	if (err)
		return sf_exit_for(err, ctx->pin_dir);
	err = sf_file_backup_take(s->runtime_path, &backup);
	if (!err)
		err = sf_runtime_save(s->runtime_path, &s->runtime);
	if (err) {
		sf_err("failed to write %s: %s", s->runtime_path, strerror(-err));
		code = SF_EXIT_FAIL;
	} else if (sf_session_sync(s, &maps)) {
		sf_dropin_restore(&backup);
		code = SF_EXIT_FAIL;
	}
	sf_file_backup_free(&backup);
	sf_maps_close(&maps);
	return code;
}

static int begin(const struct sf_ctx *ctx, struct sf_session *s)
{
	int err = sf_session_begin(s, ctx, true);

	if (err) {
		sf_diag_print(&s->diag);
		if (err == -EINVAL)
			sf_err("the configuration has errors: fix them first (nothing was "
			       "changed)");
		return err == -EINVAL ? SF_EXIT_USAGE : SF_EXIT_FAIL;
	}
	return SF_EXIT_OK;
}

static int list_ports(const struct sf_ctx *ctx, struct sf_session *s)
{
	json_object *arr = ctx->json ? json_object_new_array() : NULL;
	bool any = false;

	if (sf_session_compile(s))
		sf_diag_print(&s->diag);
	for (unsigned int port = 1; port < 65536; port++) {
		if (!sf_port_get(s->effective.ports, port))
			continue;
		if (ctx->json)
			json_object_array_add(arr, json_object_new_int((int)port));
		else
			printf("%s%u", any ? " " : "", port);
		any = true;
	}
	if (ctx->json) { /* an object, to carry "schema" */
		json_object *o = json_object_new_object();

		json_object_object_add(o, "ports", arr);
		sf_json_print(o);
	} else if (any) {
		putchar('\n');
	}
	return SF_EXIT_OK;
}

static int ports(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	struct sf_session s;
	char err[SF_ERR_LEN];
	uint16_t ports[64];
	int n = 0, code;
	bool add;

	(void)opts;
	if ((strcmp(argv[0], "list") && argc < 2) ||
	    (strcmp(argv[0], "list") && strcmp(argv[0], "add") && strcmp(argv[0], "del")) ||
	    (!strcmp(argv[0], "list") && argc != 1))
		return sf_command_usage_error(&sf_cmd_ports);
	add = !strcmp(argv[0], "add");
	for (int i = 1; i < argc; i++) {
		if (sf_parse_port(argv[i], &ports[n++], err, sizeof(err))) {
			sf_err("%s", err);
			return SF_EXIT_USAGE;
		}
	}
	code = begin(ctx, &s);
	if (code == SF_EXIT_OK && !strcmp(argv[0], "list"))
		code = list_ports(ctx, &s);
	else if (code == SF_EXIT_OK) {
		for (int i = 0; i < n; i++) {
			bool in_config = sf_port_get(s.config.ports, ports[i]);

			sf_port_set(s.runtime.ports_add, ports[i], add && !in_config);
			sf_port_set(s.runtime.ports_del, ports[i], !add && in_config);
		}
		code = commit_runtime(ctx, &s);
	}
	sf_session_end(&s);
	return code;
}

static int set_default(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	struct sf_session s;
	struct sf_rate rate = {};
	char err[SF_ERR_LEN], rest[256] = "";
	int action, code;
	size_t o = 0;

	(void)opts;
	if (sf_parse_action(argv[0], &action, err, sizeof(err))) {
		sf_err("%s", err);
		return SF_EXIT_USAGE;
	}
	for (int i = 1; i < argc && o < sizeof(rest) - 1; i++)
		o += (size_t)snprintf(rest + o, sizeof(rest) - o, "%s%s", i > 1 ? " " : "",
				      argv[i]);
	if (action != SF_ACT_LIMIT && argc != 1)
		return sf_command_usage_error(&sf_cmd_default);
	if (action == SF_ACT_LIMIT && sf_parse_rate(rest, &rate, err, sizeof(err))) {
		sf_err("%s", err);
		return SF_EXIT_USAGE;
	}
	code = begin(ctx, &s);
	if (code == SF_EXIT_OK) {
		s.runtime.default_action = action;
		s.runtime.default_rate = rate;
		code = commit_runtime(ctx, &s);
	}
	sf_session_end(&s);
	return code;
}

const struct sf_command sf_cmd_ports = {
	.name = "ports",
	.args = "add|del PORT... | list",
	.min_args = 1,
	.max_args = 65,
	.summary = "watched destination ports (live)",
	.json = true,
	.needs_root = true,
	.run = ports,
};

const struct sf_command sf_cmd_default = {
	.name = "default",
	.args = "allow|deny|log|limit|redirect [N/PERIOD [burst B]]",
	.min_args = 1,
	.max_args = -1,
	.summary = "set the default action (live)",
	.needs_root = true,
	.run = set_default,
};
