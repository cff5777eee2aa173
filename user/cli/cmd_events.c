// SPDX-License-Identifier: GPL-2.0-only
/* events: the daemon's recent history of denied, logged and limited
 * connects, with process names; -f keeps following new ones. */
#include "cli/commands.h"
#include "view/event_client.h"
#include "daemon/event_hub.h"
#include "util/json_out.h"
#include "util/log.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "?";
}

static long long num(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

static void print_text(json_object *o)
{
	if (!strcmp(str(o, "type"), "lost")) {
		printf("-- %lld events lost: this reader did not keep up --\n", num(o, "count"));
		return;
	}
	if (strcmp(str(o, "type"), "event")) { /* quarantine, dnsbl: a sentence */
		printf("%s %s\n", str(o, "time"), str(o, "message"));
		return;
	}
	printf("%s %s %s[%lld] user %s(%lld) cgroup %s -> %s by %s\n", str(o, "time"),
	       str(o, "verdict"), str(o, "comm"), num(o, "pid"), str(o, "user"), num(o, "uid"),
	       str(o, "cgroup"), str(o, "dest"), str(o, "rule"));
}

struct events_opts {
	bool follow;
};

static int events(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	bool follow = ((const struct events_opts *)opts)->follow;
	struct sf_event_client *c;
	json_object *o, *all = NULL;
	int err;

	(void)argc, (void)argv;
	err = sf_event_client_open(&c, ctx->run_dir, follow, false);
	if (err == -ENOENT || err == -ECONNREFUSED) {
		sf_err("no daemon serves events at %s/%s (events come from 'smtpfence run')",
		       ctx->run_dir, SF_EVENTS_SOCKET);
		return SF_EXIT_FAIL;
	}
	if (err) {
		sf_err("failed to connect to %s/%s: %s", ctx->run_dir, SF_EVENTS_SOCKET,
		       strerror(-err));
		return SF_EXIT_FAIL;
	}
	/* One record a line, as it comes: a pipe sees each at once. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (ctx->json && !follow)
		all = json_object_new_array();
	while ((err = sf_event_client_next(c, &o)) == 1) {
		if (all)
			json_object_array_add(all, o);
		else if (ctx->json)
			sf_json_print(o);
		else {
			print_text(o);
			json_object_put(o);
		}
	}
	sf_event_client_close(c);
	if (all)
		sf_json_print(all);
	if (err != -EPIPE) {
		sf_err("failed to read events: %s", strerror(-err));
		return SF_EXIT_FAIL;
	}
	return SF_EXIT_OK;
}

static const struct sf_option options[] = {
	{.name = "follow",
	 .short_name = 'f',
	 .type = SF_OPT_FLAG,
	 .offset = SF_OPT_AT(struct events_opts, follow),
	 .help = "keep printing new events"},
	{NULL},
};

const struct sf_command sf_cmd_events = {
	.name = "events",
	.summary = "recent denied/logged/limited attempts; -f follows",
	.json = true,
	.needs_root = true,
	.options = options,
	.opts_size = sizeof(struct events_opts),
	.run = events,
};
