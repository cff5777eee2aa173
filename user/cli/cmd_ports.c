// SPDX-License-Identifier: GPL-2.0-only
/* ports add|del|list and default: live settings kept in the runtime
 * layer (the configuration file holds the persistent ones). */
#include "cli/change_print.h"
#include "cli/commands.h"
#include "util/json_out.h"
#include "policy/config.h"
#include "util/log.h"
#include "policy/session.h"
#include "smtpfence.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

struct port_edit {
	const uint16_t *ports;
	int n;
	bool add;
};

static int edit_ports(struct sf_change *c, void *arg)
{
	const struct port_edit *pe = arg;

	for (int i = 0; i < pe->n; i++) {
		int err = sf_change_port(c, pe->ports[i], pe->add);

		if (err)
			return err;
	}
	return 0;
}

struct default_edit {
	int action;
	struct sf_rate rate;
};

static int edit_default(struct sf_change *c, void *arg)
{
	const struct default_edit *de = arg;

	return sf_change_default(c, de->action, &de->rate);
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

	(void)opts;
	if ((strcmp(argv[0], "list") && argc < 2) ||
	    (strcmp(argv[0], "list") && strcmp(argv[0], "add") && strcmp(argv[0], "del")) ||
	    (!strcmp(argv[0], "list") && argc != 1))
		return sf_command_usage_error(&sf_cmd_ports);
	for (int i = 1; i < argc; i++) {
		if (sf_parse_port(argv[i], &ports[n++], err, sizeof(err))) {
			sf_err("%s", err);
			return SF_EXIT_USAGE;
		}
	}
	if (strcmp(argv[0], "list")) {
		struct port_edit pe = {ports, n, !strcmp(argv[0], "add")};

		return sf_change_run(ctx, "ports", true, edit_ports, &pe);
	}
	code = sf_session_begin(&s, ctx, false);
	sf_diag_print(&s.diag);
	code = code == -EINVAL ? SF_EXIT_USAGE : code ? SF_EXIT_FAIL : list_ports(ctx, &s);
	sf_session_end(&s);
	return code;
}

static int set_default(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	struct default_edit de = {};
	char err[SF_ERR_LEN], rest[256] = "";
	size_t o = 0;

	(void)opts;
	if (sf_parse_action(argv[0], &de.action, err, sizeof(err))) {
		sf_err("%s", err);
		return SF_EXIT_USAGE;
	}
	for (int i = 1; i < argc && o < sizeof(rest) - 1; i++)
		o += (size_t)snprintf(rest + o, sizeof(rest) - o, "%s%s", i > 1 ? " " : "",
				      argv[i]);
	if (de.action != SF_ACT_LIMIT && argc != 1)
		return sf_command_usage_error(&sf_cmd_default);
	if (de.action == SF_ACT_LIMIT && sf_parse_rate(rest, &de.rate, err, sizeof(err))) {
		sf_err("%s", err);
		return SF_EXIT_USAGE;
	}
	return sf_change_run(ctx, "default", true, edit_default, &de);
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
	.json = true,
	.needs_root = true,
	.run = set_default,
};
