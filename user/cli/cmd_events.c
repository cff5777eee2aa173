// SPDX-License-Identifier: GPL-2.0-only
/* events: the daemon's recent history of denied, logged and limited
 * connects, with process names, filtered (-n, --target, --since); -f
 * follows new ones (after the history with --history). */
#include "cli/commands.h"
#include "view/event_client.h"
#include "view/event_filter.h"
#include "daemon/event_hub.h"
#include "util/json_out.h"
#include "util/log.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
	bool follow, history;
	uint64_t n; /* 0: all */
	const char *target, *since;
};

/* The history, filtered, its last n kept (0: all), in order. */
struct backlog {
	json_object *all;
	uint64_t max_ts; /* of the events in it: the live stream repeats none */
};

static int open_or_say(const struct sf_ctx *ctx, const char *word, struct sf_event_client **c)
{
	int err = sf_event_client_request(c, ctx->run_dir, word, false);

	if (err == -ENOENT || err == -ECONNREFUSED)
		sf_err("no daemon serves events at %s/%s (events come from 'smtpfence run')",
		       ctx->run_dir, SF_EVENTS_SOCKET);
	else if (err)
		sf_err("failed to connect to %s/%s: %s", ctx->run_dir, SF_EVENTS_SOCKET,
		       strerror(-err));
	return err;
}

static int read_backlog(const struct sf_ctx *ctx, const struct sf_event_filter *f, uint64_t n,
			struct backlog *b)
{
	struct sf_event_client *c;
	json_object *o;
	int err = open_or_say(ctx, "history", &c);

	if (err)
		return err;
	b->all = json_object_new_array();
	while ((err = sf_event_client_next(c, &o)) == 1) {
		json_object *ts;

		if (json_object_object_get_ex(o, "ts_ns", &ts) &&
		    (uint64_t)json_object_get_uint64(ts) > b->max_ts)
			b->max_ts = json_object_get_uint64(ts);
		if (!sf_event_filter_match(f, o)) {
			json_object_put(o);
			continue;
		}
		json_object_array_add(b->all, o);
		if (n && json_object_array_length(b->all) > n)
			json_object_array_del_idx(b->all, 0, 1);
	}
	sf_event_client_close(c);
	if (err != -EPIPE) {
		sf_err("failed to read events: %s", strerror(-err));
		json_object_put(b->all);
		b->all = NULL;
		return err;
	}
	return 0;
}

static void print_one(const struct sf_ctx *ctx, json_object *o)
{
	if (ctx->json)
		sf_json_print(json_object_get(o));
	else
		print_text(o);
}

/* -f: new records as they come, after the backlog if one was asked for. */
static int follow(const struct sf_ctx *ctx, const struct sf_event_filter *f,
		  const struct events_opts *eo)
{
	struct sf_event_client *live;
	struct backlog b = {};
	json_object *o, *ts;
	int err;

	/* Subscribed first, then the history read: nothing falls between. */
	if (open_or_say(ctx, "live", &live))
		return SF_EXIT_FAIL;
	if ((eo->history || eo->n) && read_backlog(ctx, f, eo->n, &b)) {
		sf_event_client_close(live);
		return SF_EXIT_FAIL;
	}
	for (size_t i = 0; b.all && i < json_object_array_length(b.all); i++)
		print_one(ctx, json_object_array_get_idx(b.all, i));
	json_object_put(b.all);
	while ((err = sf_event_client_next(live, &o)) == 1) {
		bool seen = json_object_object_get_ex(o, "ts_ns", &ts) &&
			    (uint64_t)json_object_get_uint64(ts) <= b.max_ts;

		if (!seen && sf_event_filter_match(f, o))
			print_one(ctx, o);
		json_object_put(o);
	}
	sf_event_client_close(live);
	if (err != -EPIPE) {
		sf_err("failed to read events: %s", strerror(-err));
		return SF_EXIT_FAIL;
	}
	return SF_EXIT_OK;
}

static int events(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	const struct events_opts *eo = opts;
	struct sf_event_filter f = {};
	struct backlog b = {};
	char err[SF_ERR_LEN];

	(void)argc, (void)argv;
	if (eo->target && sf_event_filter_target(&f, eo->target, err, sizeof(err))) {
		sf_err("--target: %s", err);
		return SF_EXIT_USAGE;
	}
	if (eo->since && sf_event_filter_since(&f, eo->since, time(NULL), err, sizeof(err))) {
		sf_err("--since: %s", err);
		return SF_EXIT_USAGE;
	}
	if (eo->history && !eo->follow) {
		sf_err("--history goes with -f (without -f, events prints the history)");
		return SF_EXIT_USAGE;
	}
	/* One record a line, as it comes: a pipe sees each at once. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (eo->follow)
		return follow(ctx, &f, eo);
	if (read_backlog(ctx, &f, eo->n, &b))
		return SF_EXIT_FAIL;
	if (ctx->json) {
		sf_json_print(b.all);
		return SF_EXIT_OK;
	}
	for (size_t i = 0; i < json_object_array_length(b.all); i++)
		print_text(json_object_array_get_idx(b.all, i));
	json_object_put(b.all);
	return SF_EXIT_OK;
}

static const struct sf_option options[] = {
	{.name = "follow",
	 .short_name = 'f',
	 .type = SF_OPT_FLAG,
	 .offset = SF_OPT_AT(struct events_opts, follow),
	 .help = "keep printing new events (only new ones: see --history)"},
	{.name = "history",
	 .type = SF_OPT_FLAG,
	 .offset = SF_OPT_AT(struct events_opts, history),
	 .help = "with -f: the daemon's history first"},
	{.name = "count",
	 .short_name = 'n',
	 .type = SF_OPT_UINT,
	 .arg = "N",
	 .what = "count",
	 .min = 1,
	 .max = 1000000,
	 .offset = SF_OPT_AT(struct events_opts, n),
	 .help = "the last N of the history (with -f: then follow)"},
	{.name = "target",
	 .type = SF_OPT_STRING,
	 .arg = "TARGET",
	 .offset = SF_OPT_AT(struct events_opts, target),
	 .help = "only about TARGET (user:, group:, cgroup: subtree, unit:, dest:)"},
	{.name = "since",
	 .type = SF_OPT_STRING,
	 .arg = "TIME",
	 .offset = SF_OPT_AT(struct events_opts, since),
	 .help = "only from TIME on: 10m, 2h, 1d ago, YYYY-MM-DD [HH:MM[:SS]], today"},
	{NULL},
};

const struct sf_command sf_cmd_events = {
	.name = "events",
	.summary = "recent denied/logged/limited attempts; -f follows new ones",
	.json = true,
	.needs_root = true,
	.options = options,
	.opts_size = sizeof(struct events_opts),
	.run = events,
};
