// SPDX-License-Identifier: GPL-2.0-only
/* allow, deny, log, limit and unset: one rule changed, live at once and
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
	struct sf_file_backup files[2];
	int n_files;
};

/* Edits the layers in memory and writes the files that hold them. */
static int write_layers(struct sf_session *s, struct change *ch)
{
	const struct sf_ctx *ctx = s->ctx;
	struct sf_rule_spec *r = &ch->rule;
	bool unset = r->action == SF_ACT_NONE;
	long in_rt = sf_policy_find(&s->runtime.rules, r->kind, r->value);
	long in_cfg = sf_policy_find(&s->config, r->kind, r->value);
	int err = 0;

	if (unset && in_rt < 0 && (ctx->runtime_only || in_cfg < 0)) {
		sf_err("no %srule on %s:%s", ctx->runtime_only ? "runtime " : "",
		       sf_target_kind_name(r->kind), r->value);
		return -EINVAL; /* bad input, unlike a file that cannot be written */
	}
	if (!ctx->runtime_only) {
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
	if (ctx->runtime_only || in_rt >= 0) {
		err = sf_file_backup_take(s->runtime_path, &ch->files[ch->n_files]);
		if (err) {
			sf_err("failed to read %s: %s", s->runtime_path, strerror(-err));
			return err;
		}
		ch->n_files++;
		r->file = s->runtime_path;
		r->origin = SF_ORIGIN_RUNTIME;
		if (unset || !ctx->runtime_only)
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
	if (err == -ENOENT && !ctx->runtime_only) {
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

/* ACTION TARGET [RATE...] or unset TARGET. */
int sf_cmd_rule(const struct sf_ctx *ctx, const char *action, int argc, char **argv)
{
	struct change ch = {};
	char err[SF_ERR_LEN], rest[512] = "";
	size_t o = 0;
	bool unset = !strcmp(action, "unset");
	int code;

	if (argc < 1 || (unset && argc != 1) || (!strcmp(action, "limit") && argc < 2) ||
	    (!unset && strcmp(action, "limit") && argc != 1)) {
		sf_err("usage: smtpfence %s TARGET%s", action,
		       !strcmp(action, "limit") ? " N/sec|N/min|N/hour [burst B]" : "");
		return SF_EXIT_USAGE;
	}
	for (int i = 0; i < argc && o < sizeof(rest) - 1; i++)
		o += (size_t)snprintf(rest + o, sizeof(rest) - o, "%s%s", i ? " " : "", argv[i]);
	if (sf_rule_from_words(unset ? "allow" : action, rest, &ch.rule, err, sizeof(err))) {
		sf_err("%s", err);
		return SF_EXIT_USAGE;
	}
	if (unset)
		ch.rule.action = SF_ACT_NONE;
	code = apply_change(ctx, &ch);
	free(ch.rule.value);
	return code;
}
