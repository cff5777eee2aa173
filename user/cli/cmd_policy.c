// SPDX-License-Identifier: GPL-2.0-only
/* allow, deny, log, limit, redirect and unset: one rule changed, live at once and
 * persisted in the tenant's drop-in (or only live with --runtime). */
#include "cli/commands.h"
#include "policy/config.h"
#include "policy/dropin.h"
#include "util/log.h"
#include "policy/session.h"
#include "smtpfence.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int replace_or_add(struct sf_policy *p, const struct sf_rule_spec *r)
{
	long at = sf_policy_find(p, r->kind, r->value);

	if (at >= 0)
		sf_policy_remove(p, (size_t)at);
	return sf_policy_add_rule(p, r);
}

static void drop(struct sf_policy *p, enum sf_target_kind kind, const char *value)
{
	long at = sf_policy_find(p, kind, value);

	if (at >= 0)
		sf_policy_remove(p, (size_t)at);
}

struct change {
	struct sf_rule_spec rule; /* target; action SF_ACT_NONE to unset */
	bool runtime_only;	  /* --runtime: live change, not persisted */
	struct sf_file_backup files[2];
	int n_files;
};

/* Edits the layers in memory and writes the files that hold them. */
static int write_layers(struct sf_session *s, struct change *ch)
{
	const struct sf_ctx *ctx = s->ctx;
	bool runtime_only = ch->runtime_only;
	struct sf_rule_spec *r = &ch->rule;
	bool unset = r->action == SF_ACT_NONE;
	long in_rt = sf_policy_find(&s->runtime.rules, r->kind, r->value);
	long in_cfg = sf_policy_find(&s->config, r->kind, r->value);
	int err = 0;

	if (unset && in_rt < 0 && (runtime_only || in_cfg < 0)) {
		sf_err("no %srule on %s:%s", runtime_only ? "runtime " : "",
		       sf_target_kind_name(r->kind), r->value);
		return -EINVAL; /* bad input, unlike a file that cannot be written */
	}
	if (!runtime_only) {
		const struct sf_rule_spec *where = in_cfg >= 0 ? &s->config.rules[in_cfg] : NULL;

		/* Checked here: -EROFS from the writer may be a read-only /etc. */
		if (unset && where && !strcmp(where->file, SF_EMBEDDED_FILE)) {
			sf_err("%s:%s comes from the embedded default; write %s to change it",
			       sf_target_kind_name(r->kind), r->value, ctx->config);
			return -EINVAL;
		}
		err = sf_dropin_write(s->config.rules_dir, where, unset ? NULL : r,
				      &ch->files[ch->n_files]);
		if (err) {
			sf_err("failed to write %s: %s", ch->files[ch->n_files].path,
			       strerror(-err));
			return err;
		}
		r->file = ch->files[ch->n_files++].path;
		if (unset)
			drop(&s->config, r->kind, r->value);
		else if ((err = replace_or_add(&s->config, r)))
			return err;
	}
	if (runtime_only || in_rt >= 0) {
		err = sf_file_backup_take(s->runtime_path, &ch->files[ch->n_files]);
		if (err) {
			sf_err("failed to read %s: %s", s->runtime_path, strerror(-err));
			return err;
		}
		ch->n_files++;
		r->file = s->runtime_path;
		r->origin = SF_ORIGIN_RUNTIME;
		if (unset || !runtime_only)
			drop(&s->runtime.rules, r->kind, r->value);
		else if ((err = replace_or_add(&s->runtime.rules, r)))
			return err;
		err = sf_runtime_save(s->runtime_path, &s->runtime);
		if (err)
			sf_err("failed to write %s: %s", s->runtime_path, strerror(-err));
	}
	return err;
}

static void restore_files(struct change *ch)
{
	for (int i = ch->n_files; i-- > 0;) {
		sf_dropin_restore(&ch->files[i]);
		sf_file_backup_free(&ch->files[i]);
	}
	ch->n_files = 0;
}

static int apply_change(const struct sf_ctx *ctx, struct change *ch)
{
	struct sf_session s;
	struct sf_maps maps;
	int err, code = SF_EXIT_OK;

	err = sf_session_begin(&s, ctx, true);
	if (err) {
		sf_diag_print(&s.diag);
		code = err == -EINVAL ? SF_EXIT_USAGE : SF_EXIT_FAIL;
		if (err == -EINVAL)
			sf_err("the configuration has errors: fix them first (nothing was "
			       "changed)");
		goto out;
	}
	err = write_layers(&s, ch);
	if (!err && sf_session_compile(&s)) {
		sf_diag_print(&s.diag);
		err = -EINVAL;
	}
	if (err) {
		code = err == -EINVAL ? SF_EXIT_USAGE : SF_EXIT_FAIL;
		goto undo;
	}
	err = sf_maps_open(ctx->pin_dir, &maps);
	if (err == -ENOENT && !ch->runtime_only) {
		sf_info("saved; smtpfence is not loaded at %s, the rule applies when it runs",
			ctx->pin_dir);
		goto done;
	}
	if (err) {
		code = sf_exit_for(err, ctx->pin_dir);
		goto undo;
	}
	err = sf_session_sync(&s, &maps);
	sf_maps_close(&maps);
	if (err) {
		code = SF_EXIT_FAIL;
		goto undo;
	}
done:
	for (int i = 0; i < ch->n_files; i++)
		sf_file_backup_free(&ch->files[i]);
	sf_session_end(&s);
	/* Only path rules concern the daemon: it follows their cgroups. */
	if (ch->rule.kind == SF_TARGET_CGROUP || ch->rule.kind == SF_TARGET_UNIT)
		sf_session_poke_daemon(ctx);
	return code;
undo:
	restore_files(ch);
out:
	sf_session_end(&s);
	return code;
}

struct rule_opts {
	const char *action; /* the command's own word: allow ... limit, unset */
	bool runtime;
};

/* ACTION TARGET [RATE...] or unset TARGET; the table checked the count. */
static int run(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	const struct rule_opts *o = opts;
	struct change ch = {.runtime_only = o->runtime};
	char err[SF_ERR_LEN], rest[512] = "";
	size_t len = 0;
	bool unset = !strcmp(o->action, "unset");
	int code;

	for (int i = 0; i < argc && len < sizeof(rest) - 1; i++)
		len += (size_t)snprintf(rest + len, sizeof(rest) - len, "%s%s", i ? " " : "",
					argv[i]);
	if (sf_rule_from_words(unset ? "allow" : o->action, rest, &ch.rule, err, sizeof(err))) {
		sf_err("%s", err);
		return SF_EXIT_USAGE;
	}
	if (unset)
		ch.rule.action = SF_ACT_NONE;
	code = apply_change(ctx, &ch);
	free(ch.rule.value);
	return code;
}

static const struct sf_option options[] = {
	{.name = "runtime",
	 .type = SF_OPT_FLAG,
	 .offset = SF_OPT_AT(struct rule_opts, runtime),
	 .help = "live only: not persisted, gone at reboot"},
	{NULL},
};

#define RULE_COMMAND(word, synopsis, n_max, text)                                                  \
	{                                                                                          \
		.name = word, .args = synopsis, .min_args = (n_max) < 0 ? 2 : 1,                   \
		.max_args = n_max, .summary = text, .needs_root = true, .options = options,        \
		.opts_size = sizeof(struct rule_opts),                                             \
		.defaults = &(const struct rule_opts){.action = word}, .run = run                  \
	}

const struct sf_command sf_cmd_allow =
	RULE_COMMAND("allow", "TARGET", 1, "allow SMTP for a target (dest:CIDR exempts)");
const struct sf_command sf_cmd_deny = RULE_COMMAND("deny", "TARGET", 1, "deny SMTP");
const struct sf_command sf_cmd_log =
	RULE_COMMAND("log", "TARGET", 1, "allow and log every attempt (audit)");
const struct sf_command sf_cmd_redirect = RULE_COMMAND(
	"redirect", "TARGET", 1, "send SMTP to the relay (the node's MTA) instead of refusing it");
const struct sf_command sf_cmd_limit =
	RULE_COMMAND("limit", "TARGET N/sec|N/min|N/hour|N/day [burst B]", -1,
		     "at most N attempts a period, then deny");
const struct sf_command sf_cmd_unset =
	RULE_COMMAND("unset", "TARGET", 1, "remove the rule on a target");
