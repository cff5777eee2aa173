// SPDX-License-Identifier: GPL-2.0-only
/* allow, deny, log, limit, redirect and unset: a rule on each target named,
 * all in one change (policy/change.h), live at once and persisted in the
 * tenants' drop-ins (or only live with --runtime). */
#include "cli/change_print.h"
#include "cli/commands.h"
#include "policy/config.h"
#include "util/log.h"
#include "smtpfence.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rule_opts {
	const char *action; /* the command's own word: allow ... limit, unset */
	bool runtime;
};

struct rules {
	struct sf_rule_spec *v;
	int n;
};

static int edit(struct sf_change *c, void *arg)
{
	const struct rules *rs = arg;

	for (int i = 0; i < rs->n; i++) {
		int err = sf_change_rule(c, &rs->v[i], NULL, 0);

		if (err && err != -EINVAL)
			return err;
	}
	return 0;
}

/* ACTION TARGET... or unset TARGET...; limit TARGET... RATE, where a target
 * is a word with a kind ("user:bob") and a rate's words have none; any
 * action but unset may end with the mail limits (messages N/PERIOD,
 * recipients N/PERIOD). The table checked the count. */
static int run(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	const struct rule_opts *o = opts;
	bool unset = !strcmp(o->action, "unset");
	struct rules rs = {.v = calloc((size_t)argc, sizeof(*rs.v))};
	char err[SF_ERR_LEN], rate[256] = "";
	int n_targets = 0, code = SF_EXIT_OK;
	size_t len = 0;

	if (!rs.v)
		return SF_EXIT_FAIL;
	while (n_targets < argc && strchr(argv[n_targets], ':'))
		n_targets++;
	/* Several words: past the targets, only mail limits (a rate for limit). */
	if (strcmp(o->action, "limit") && argc > 1 &&
	    (n_targets == 0 ||
	     (n_targets < argc && (unset || (strcmp(argv[n_targets], "messages") &&
					     strcmp(argv[n_targets], "recipients")))))) {
		free(rs.v);
		return sf_command_usage_error(sf_command_find(o->action));
	}
	if (!n_targets)
		n_targets = 1; /* not a target: said as such below */
	for (int i = n_targets; i < argc && len < sizeof(rate) - 1; i++)
		len += (size_t)snprintf(rate + len, sizeof(rate) - len, " %s", argv[i]);
	for (int i = 0; i < n_targets && code == SF_EXIT_OK; i++) {
		char words[SF_TARGET_LEN + sizeof(rate)];

		snprintf(words, sizeof(words), "%s%s", argv[i], rate);
		if (sf_rule_from_words(unset ? "allow" : o->action, words, &rs.v[i], err,
				       sizeof(err))) {
			sf_err("%s", err);
			code = SF_EXIT_USAGE;
			break;
		}
		if (unset)
			rs.v[i].action = SF_ACT_NONE;
		rs.n++;
	}
	if (code == SF_EXIT_OK)
		code = sf_change_run(ctx, o->action, o->runtime, edit, &rs);
	for (int i = 0; i < rs.n; i++)
		free(rs.v[i].value);
	free(rs.v);
	return code;
}

static const struct sf_option options[] = {
	{.name = "runtime",
	 .type = SF_OPT_FLAG,
	 .offset = SF_OPT_AT(struct rule_opts, runtime),
	 .help = "live only: not persisted, gone at reboot"},
	{NULL},
};

#define RULE_COMMAND(word, synopsis, n_min, text)                                                  \
	{                                                                                          \
		.name = word, .args = synopsis, .min_args = n_min, .max_args = -1,                 \
		.summary = text, .json = true, .needs_root = true, .options = options,             \
		.opts_size = sizeof(struct rule_opts),                                             \
		.defaults = &(const struct rule_opts){.action = word}, .run = run                  \
	}

const struct sf_command sf_cmd_allow = RULE_COMMAND("allow", "TARGET... [messages N/PERIOD] [recipients N/PERIOD]", 1,
						    "allow SMTP for targets (dest:CIDR exempts)");
const struct sf_command sf_cmd_deny =
	RULE_COMMAND("deny", "TARGET... [messages N/PERIOD] [recipients N/PERIOD]", 1, "deny SMTP");
const struct sf_command sf_cmd_log =
	RULE_COMMAND("log", "TARGET... [messages N/PERIOD] [recipients N/PERIOD]", 1, "allow and log every attempt (audit)");
const struct sf_command sf_cmd_redirect =
	RULE_COMMAND("redirect", "TARGET... [messages N/PERIOD] [recipients N/PERIOD]", 1,
		     "send SMTP to the relay (the node's MTA) instead of refusing it");
const struct sf_command sf_cmd_limit =
	RULE_COMMAND("limit", "TARGET... N/sec|N/min|N/hour|N/day [burst B] [messages N/PERIOD] [recipients N/PERIOD]", 2,
		     "at most N attempts a period, then deny");
const struct sf_command sf_cmd_unset =
	RULE_COMMAND("unset", "TARGET...", 1, "remove the rules on targets");
