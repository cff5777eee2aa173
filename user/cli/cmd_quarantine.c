// SPDX-License-Identifier: GPL-2.0-only
/* quarantine TARGET DURATION [ACTION] and release TARGET: a quarantine
 * started or ended by hand, live at once; the daemon notices the change,
 * logs it and runs the alert command. */
#include "cli/commands.h"
#include "daemon/quarantine_watch.h"
#include "policy/config.h"
#include "policy/quarantine_edit.h"
#include "policy/session.h"
#include "util/log.h"
#include "util/walltime.h"
#include "smtpfence.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int parse_target(const char *word, struct sf_quarantine *e)
{
	static struct sf_target_spec t; /* large: keep it off the stack */
	char err[SF_ERR_LEN];

	if (sf_parse_target(word, &t, err, sizeof(err))) {
		sf_err("%s", err);
		return -EINVAL;
	}
	if (t.kind == SF_TARGET_DEST || t.kind == SF_TARGET_SOURCE) {
		sf_err("'%s': only a tenant (cgroup:, unit:, user:, group:) can be quarantined",
		       word);
		return -EINVAL;
	}
	e->kind = t.kind;
	snprintf(e->value, sizeof(e->value), "%s", t.value);
	return 0;
}

static int put_entry(struct sf_change *c, void *arg)
{
	return sf_quarantines_put(&c->s.quarantines, arg);
}

static int drop_entry(struct sf_change *c, void *arg)
{
	const struct sf_quarantine *e = arg;
	long at = sf_quarantines_find(&c->s.quarantines, e->kind, e->value);

	if (at < 0 || c->s.quarantines.v[at].expires <= (int64_t)time(NULL)) {
		sf_err("%s:%s is not quarantined", sf_target_kind_name(e->kind), e->value);
		return -ENOENT;
	}
	*(struct sf_quarantine *)arg = c->s.quarantines.v[at]; /* for the record */
	sf_quarantines_remove(&c->s.quarantines, (size_t)at);
	return 0;
}

/* The daemon says every start and end; without one, this command does. */
static void announce_without_daemon(const struct sf_ctx *ctx, const struct sf_quarantine *e,
				    bool start)
{
	struct sf_policy p;
	struct sf_diag d = {};

	if (sf_daemon_pid(ctx) > 0)
		return;
	if (!sf_config_load(ctx->config, ctx->config_explicit, &p, &d))
		sf_quarantine_announce(p.alert_command, e, start, start ? "started" : "released");
	sf_policy_free(&p);
	sf_diag_free(&d);
}

static int exit_code(int err)
{
	return !err ? SF_EXIT_OK : err == -EINVAL || err == -ENOENT ? SF_EXIT_USAGE : SF_EXIT_FAIL;
}

static int quarantine(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	static struct sf_quarantine e; /* large: keep it off the stack */
	struct sf_quarantine_spec spec;
	char err[SF_ERR_LEN], rest[256] = "", action[96], until[40];
	size_t o = 0;

	(void)opts;
	memset(&e, 0, sizeof(e));
	if (parse_target(argv[0], &e))
		return SF_EXIT_USAGE;
	for (int i = 1; i < argc && o < sizeof(rest) - 1; i++)
		o += (size_t)snprintf(rest + o, sizeof(rest) - o, "%s%s", i > 1 ? " " : "",
				      argv[i]);
	if (sf_parse_quarantine(rest, &spec, err, sizeof(err))) {
		sf_err("%s", err);
		return SF_EXIT_USAGE;
	}
	e.action = spec.action;
	e.rate = spec.rate;
	e.started = (int64_t)time(NULL);
	e.expires = e.started + spec.seconds;
	snprintf(e.reason, sizeof(e.reason), "manual");
	int ret = sf_quarantine_edit(ctx, put_entry, &e);

	if (ret)
		return exit_code(ret);
	sf_action_text(e.action, &e.rate, action, sizeof(action));
	sf_format_utc(e.expires, until, sizeof(until));
	announce_without_daemon(ctx, &e, true);
	sf_info("quarantined %s:%s: %s until %s", sf_target_kind_name(e.kind), e.value, action,
		until);
	return SF_EXIT_OK;
}

static int release(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	static struct sf_quarantine e; /* large: keep it off the stack */
	int ret;

	(void)opts, (void)argc;
	memset(&e, 0, sizeof(e));
	if (parse_target(argv[0], &e))
		return SF_EXIT_USAGE;
	ret = sf_quarantine_edit(ctx, drop_entry, &e);
	if (!ret) {
		announce_without_daemon(ctx, &e, false);
		sf_info("released %s:%s", sf_target_kind_name(e.kind), e.value);
	}
	return exit_code(ret);
}

const struct sf_command sf_cmd_quarantine = {
	.name = "quarantine",
	.args = "TARGET DURATION [deny | limit N/PERIOD [burst B]]",
	.min_args = 2,
	.max_args = 6,
	.summary = "contain a tenant for a while (deny by default), live at once",
	.needs_root = true,
	.run = quarantine,
};

const struct sf_command sf_cmd_release = {
	.name = "release",
	.args = "TARGET",
	.min_args = 1,
	.max_args = 1,
	.summary = "end a tenant's quarantine now",
	.needs_root = true,
	.run = release,
};
