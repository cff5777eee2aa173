// SPDX-License-Identifier: GPL-2.0-only
#include "policy/change.h"
#include "policy/config.h"
#include "policy/dropin.h"
#include "policy/journal.h"
#include "policy/parse_cache.h"
#include "policy/sync_cache.h"
#include "util/log.h"
#include "util/report.h"

#include <errno.h>
#include <stdarg.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sf_change_begin(struct sf_change *c, const struct sf_ctx *ctx, const char *command,
		    bool runtime)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->command = command;
	c->runtime = runtime;
	err = sf_session_begin(&c->s, ctx, true);
	if (err) {
		sf_diag_print(&c->s.diag);
		if (err == -EINVAL)
			sf_err("the configuration has errors: fix them first (nothing was "
			       "changed)");
		return err == -EINVAL ? SF_EXIT_USAGE : SF_EXIT_FAIL;
	}
	sf_target_index_init(&c->cfg_ix);
	sf_target_index_init(&c->rt_ix);
	return SF_EXIT_OK;
}

/* The edits refused so far make the commit refuse; each is said here. */
static int refuse(struct sf_change *c, const char *from, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct sf_change *c, const char *from, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (from)
		sf_report_error(from, line, "%s", msg);
	else
		sf_err("%s", msg);
	c->n_refused++;
	return -EINVAL;
}

struct text_node {
	const char *path;
	size_t idx; /* in c->texts */
};

static int cmp_text(const void *a, const void *b)
{
	return strcmp(((const struct text_node *)a)->path, ((const struct text_node *)b)->path);
}

/* The text of path, read once per change; the tree finds it by path. */
static struct sf_text *text_of(struct sf_change *c, const char *path)
{
	struct text_node key = {.path = path}, *node, **found;
	struct sf_text *t;
	int err;

	found = tfind(&key, &c->text_index, cmp_text);
	if (found)
		return &c->texts[(*found)->idx];
	if (c->n_texts == c->cap_texts) {
		size_t cap = c->cap_texts ? c->cap_texts * 2 : 16;
		struct sf_text *v = realloc(c->texts, cap * sizeof(*v));

		if (!v)
			return NULL;
		c->texts = v;
		c->cap_texts = cap;
	}
	t = &c->texts[c->n_texts];
	err = sf_text_load(t, path);
	node = err ? NULL : malloc(sizeof(*node));
	if (!err && node) {
		*node = (struct text_node){t->path, c->n_texts};
		if (!tsearch(node, &c->text_index, cmp_text)) {
			free(node);
			node = NULL;
		}
	}
	if (!err && !node)
		err = -ENOMEM;
	if (err) {
		sf_err("failed to read %s: %s", path, strerror(-err));
		sf_text_free(t);
		return NULL;
	}
	c->n_texts++;
	return t;
}

static const struct sf_change_loc *loc_of(struct sf_change *c, size_t idx)
{
	static const struct sf_change_loc none;

	return idx < c->cap_loc && c->loc[idx].file ? &c->loc[idx] : &none;
}

static int set_loc(struct sf_change *c, size_t idx, const char *file, int line)
{
	if (idx >= c->cap_loc) {
		size_t cap = c->cap_loc ? c->cap_loc : 64;
		struct sf_change_loc *v;

		while (cap <= idx)
			cap *= 2;
		v = realloc(c->loc, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memset(v + c->cap_loc, 0, (cap - c->cap_loc) * sizeof(*v));
		c->loc = v;
		c->cap_loc = cap;
	}
	c->loc[idx].file = file;
	c->loc[idx].line = line;
	return 0;
}

static bool same_action(const struct sf_rule_spec *a, const struct sf_rule_spec *b)
{
	return a->action == b->action &&
	       (a->action != SF_ACT_LIMIT || !memcmp(&a->rate, &b->rate, sizeof(a->rate))) &&
	       !memcmp(&a->mail, &b->mail, sizeof(a->mail));
}

static struct sf_change_state state_of(const struct sf_rule_spec *r, bool runtime)
{
	return (struct sf_change_state){.action = r ? r->action : SF_ACT_NONE,
					.rate = r ? r->rate : (struct sf_rate){},
					.mail = r ? r->mail : (struct sf_mail_limits){},
					.runtime = r && runtime};
}

static struct sf_change_item *add_item(struct sf_change *c, enum sf_change_what what)
{
	struct sf_change_item *it;

	if (c->n_items == c->cap_items) {
		size_t cap = c->cap_items ? c->cap_items * 2 : 16;
		struct sf_change_item *v = realloc(c->items, cap * sizeof(*v));

		if (!v)
			return NULL;
		c->items = v;
		c->cap_items = cap;
	}
	it = &c->items[c->n_items++];
	memset(it, 0, sizeof(*it));
	it->what = what;
	return it;
}

/* The live rule of a layer on the target: -1 when none (or removed). */
static long live(struct sf_target_index *ix, const struct sf_policy *p,
		 const struct sf_rule_spec *r, long *slot)
{
	long at = sf_target_index_find(ix, p, r->kind, r->value);

	if (slot)
		*slot = at;
	return at >= 0 && p->rules[at].action != SF_ACT_NONE ? at : -1;
}

/* Puts rule r in a layer's policy: over the slot its target had (kept in
 * the index), or at the end. Its index, or a negative errno. */
static long put_rule(struct sf_policy *p, struct sf_target_index *ix, long slot,
		     const struct sf_rule_spec *r)
{
	int err;

	if (slot >= 0) {
		struct sf_rule_spec *d = &p->rules[slot];

		d->action = r->action;
		d->rate = r->rate;
		d->mail = r->mail;
		d->origin = r->origin;
		d->file = sf_policy_intern_file(p, r->file);
		d->line = r->line;
		return slot;
	}
	err = sf_policy_add_rule(p, r);
	if (!err)
		err = sf_target_index_put(ix, p, p->n_rules - 1);
	return err ? err : (long)p->n_rules - 1;
}

/* Writes rule r (NULL: removes it) in the files, where the configuration
 * rule cfg stands or in its tenant's drop-in; *file, *line: where now. */
static int write_files(struct sf_change *c, long cfg, const struct sf_rule_spec *r,
		       const char **file, int *line)
{
	const struct sf_rule_spec *old = cfg >= 0 ? &c->s.config.rules[cfg] : NULL;
	const struct sf_change_loc *l = cfg >= 0 ? loc_of(c, (size_t)cfg) : NULL;
	const char *at = l && l->file ? l->file : old ? old->file : NULL;
	int at_line = l && l->file ? l->line : old ? old->line : 0, err;
	char path[PATH_MAX], text[1024];
	struct sf_text *t;

	if (r)
		sf_rule_format(r, text, sizeof(text));
	if (at && strcmp(at, SF_EMBEDDED_FILE)) {
		t = text_of(c, at);
		if (!t)
			return -EIO;
		err = sf_text_replace(t, at_line, r ? text : NULL);
		*file = t->path;
		*line = at_line;
		return err;
	}
	if (!r)
		return 0;
	err = sf_dropin_path(c->s.config.rules_dir, r->kind, r->value, path, sizeof(path));
	if (err) {
		sf_err("%s:%s: no drop-in name for it: %s", sf_target_kind_name(r->kind), r->value,
		       strerror(-err));
		return err;
	}
	t = text_of(c, path);
	if (!t)
		return -EIO;
	err = sf_text_add_rule(t, text, c->command);
	if (err < 0)
		return err;
	*file = t->path;
	*line = err;
	return 0;
}

/* A rule in the files: the runtime layer's rule on it goes. */
static int persistent_rule(struct sf_change *c, const struct sf_rule_spec *r,
			   struct sf_change_item *it, const char *from, int line)
{
	struct sf_policy *cfg_p = &c->s.config, *rt_p = &c->s.runtime.rules;
	long slot, cfg = live(&c->cfg_ix, cfg_p, r, &slot);
	long rt = live(&c->rt_ix, rt_p, r, NULL);
	bool unset = r->action == SF_ACT_NONE;
	const char *file = NULL;
	int at = 0, err = 0;

	if (unset && cfg < 0 && rt < 0)
		return refuse(c, from, line, "no rule on %s:%s", sf_target_kind_name(r->kind),
			      r->value);
	if (unset && cfg >= 0 && !strcmp(cfg_p->rules[cfg].file, SF_EMBEDDED_FILE))
		return refuse(c, from, line,
			      "%s:%s comes from the embedded default; write %s to change it",
			      sf_target_kind_name(r->kind), r->value, c->s.ctx->config);
	if (cfg >= 0 && !unset && same_action(&cfg_p->rules[cfg], r)) {
		/* Already so in the files: nothing to write there. */
		const struct sf_change_loc *l = loc_of(c, (size_t)cfg);

		file = l->file ? l->file : cfg_p->rules[cfg].file;
		at = l->file ? l->line : cfg_p->rules[cfg].line;
	} else {
		err = write_files(c, cfg, unset ? NULL : r, &file, &at);
		if (err)
			return err;
	}
	if (unset) {
		if (cfg >= 0)
			cfg_p->rules[cfg].action = SF_ACT_NONE;
		file = NULL;
	} else if (!(cfg >= 0 && same_action(&cfg_p->rules[cfg], r))) {
		struct sf_rule_spec put = *r;
		long idx;

		put.origin = SF_ORIGIN_CONFIG;
		put.file = from ? from : file;
		put.line = from ? line : at;
		idx = put_rule(cfg_p, &c->cfg_ix, slot, &put);
		if (idx < 0)
			return (int)idx;
		err = set_loc(c, (size_t)idx, file, at);
		if (err)
			return err;
	}
	if (rt >= 0) {
		rt_p->rules[rt].action = SF_ACT_NONE;
		c->runtime_dirty = true;
	}
	it->after = state_of(unset ? NULL : r, false);
	it->file = file;
	it->line = file ? at : 0;
	return 0;
}

/* A rule in the runtime layer only; one equal to the files' goes. */
static int runtime_rule(struct sf_change *c, const struct sf_rule_spec *r,
			struct sf_change_item *it, const char *from, int line)
{
	struct sf_policy *cfg_p = &c->s.config, *rt_p = &c->s.runtime.rules;
	long cfg = live(&c->cfg_ix, cfg_p, r, NULL), slot;
	long rt = live(&c->rt_ix, rt_p, r, &slot);
	bool unset = r->action == SF_ACT_NONE;

	if (unset && rt < 0)
		return refuse(c, from, line, "no runtime rule on %s:%s",
			      sf_target_kind_name(r->kind), r->value);
	if (unset || (cfg >= 0 && same_action(&cfg_p->rules[cfg], r))) {
		if (rt >= 0) {
			rt_p->rules[rt].action = SF_ACT_NONE;
			c->runtime_dirty = true;
		}
		it->after = state_of(cfg >= 0 ? &cfg_p->rules[cfg] : NULL, false);
		if (cfg >= 0) {
			const struct sf_change_loc *l = loc_of(c, (size_t)cfg);

			it->file = l->file ? l->file : cfg_p->rules[cfg].file;
			it->line = l->file ? l->line : cfg_p->rules[cfg].line;
		}
		return 0;
	}
	if (rt < 0 || !same_action(&rt_p->rules[rt], r)) {
		struct sf_rule_spec put = *r;
		long idx;

		put.origin = SF_ORIGIN_RUNTIME;
		put.file = from ? from : c->s.runtime_path;
		put.line = from ? line : 0;
		idx = put_rule(rt_p, &c->rt_ix, slot, &put);
		if (idx < 0)
			return (int)idx;
		c->runtime_dirty = true;
	}
	it->after = state_of(r, true);
	it->file = c->s.runtime_path;
	return 0;
}

int sf_change_rule(struct sf_change *c, const struct sf_rule_spec *r, const char *from, int line)
{
	long cfg = live(&c->cfg_ix, &c->s.config, r, NULL);
	long rt = live(&c->rt_ix, &c->s.runtime.rules, r, NULL);
	struct sf_change_item *it = add_item(c, SF_CHANGE_RULE);
	int err;

	if (!it || !(it->value = strdup(r->value))) {
		sf_err("out of memory");
		return -ENOMEM;
	}
	it->kind = r->kind;
	it->before = rt >= 0	? state_of(&c->s.runtime.rules.rules[rt], true)
		     : cfg >= 0 ? state_of(&c->s.config.rules[cfg], false)
				: state_of(NULL, false);
	if (from)
		from = sf_policy_intern_file(&c->s.config, from);
	err = c->runtime ? runtime_rule(c, r, it, from, line)
			 : persistent_rule(c, r, it, from, line);
	if (err) {
		free(it->value);
		c->n_items--;
		return err; /* -EINVAL: refused (said); else the caller's failure */
	}
	if (r->kind == SF_TARGET_CGROUP || r->kind == SF_TARGET_UNIT ||
	    memcmp(&it->before.mail, &it->after.mail, sizeof(it->before.mail)))
		c->poke_daemon = true;
	return 0;
}

int sf_change_default(struct sf_change *c, int action, const struct sf_rate *rate)
{
	struct sf_runtime *rt = &c->s.runtime;
	const struct sf_policy *cfg = &c->s.config;
	struct sf_change_item *it = add_item(c, SF_CHANGE_DEFAULT);
	struct sf_rate none = {};
	bool as_config =
		action == cfg->default_action &&
		(action != SF_ACT_LIMIT || !memcmp(rate, &cfg->default_rate, sizeof(*rate)));

	if (!it)
		return -ENOMEM;
	if (action != SF_ACT_LIMIT)
		rate = &none;
	it->before = rt->default_action != SF_ACT_NONE
			     ? (struct sf_change_state){.action = rt->default_action,
							.rate = rt->default_rate,
							.runtime = true}
			     : (struct sf_change_state){.action = cfg->default_action,
							.rate = cfg->default_rate,
							.runtime = false};
	if (as_config) {
		c->runtime_dirty |= rt->default_action != SF_ACT_NONE;
		rt->default_action = SF_ACT_NONE;
		it->after = (struct sf_change_state){
			.action = cfg->default_action, .rate = cfg->default_rate, .runtime = false};
		it->file = cfg->embedded ? NULL : c->s.ctx->config;
		return 0;
	}
	c->runtime_dirty |=
		rt->default_action != action || memcmp(&rt->default_rate, rate, sizeof(*rate));
	rt->default_action = action;
	rt->default_rate = *rate;
	it->after = (struct sf_change_state){.action = action, .rate = *rate, .runtime = true};
	it->file = c->s.runtime_path;
	return 0;
}

static bool watched(const struct sf_change *c, unsigned int port)
{
	const struct sf_runtime *rt = &c->s.runtime;

	return !sf_port_get(rt->ports_del, port) &&
	       (sf_port_get(rt->ports_add, port) || sf_port_get(c->s.config.ports, port));
}

int sf_change_port(struct sf_change *c, unsigned int port, bool add)
{
	struct sf_runtime *rt = &c->s.runtime;
	bool in_config = sf_port_get(c->s.config.ports, port), was = watched(c, port);
	struct sf_change_item *it = add_item(c, SF_CHANGE_PORT);
	uint8_t old_add = rt->ports_add[port / 8], old_del = rt->ports_del[port / 8];

	if (!it)
		return -ENOMEM;
	/* Only what differs from the configuration is kept. */
	sf_port_set(rt->ports_add, port, add && !in_config);
	sf_port_set(rt->ports_del, port, !add && in_config);
	c->runtime_dirty |=
		old_add != rt->ports_add[port / 8] || old_del != rt->ports_del[port / 8];
	it->port = port;
	it->before = (struct sf_change_state){.action = was, .runtime = was != in_config};
	it->after = (struct sf_change_state){.action = add, .runtime = add != in_config};
	it->file = add != in_config ? c->s.runtime_path : c->s.ctx->config;
	return 0;
}

static int sync_maps(void *arg)
{
	struct sf_change *c = arg;
	struct sf_maps maps;
	int err;

	if (c->maps)
		return sf_session_sync(&c->s, c->maps);
	err = sf_maps_open(c->s.ctx->pin_dir, &maps);
	if (err == -ENOENT && !c->runtime) {
		c->saved_only = true;
		return 0;
	}
	if (err) {
		sf_exit_for(err, c->s.ctx->pin_dir);
		return err;
	}
	err = sf_session_sync(&c->s, &maps);
	sf_maps_close(&maps);
	if (err)
		sf_err("failed to apply the change to the kernel's maps: %s", strerror(-err));
	return err;
}

/* Every edited file's new content, the runtime layer's, the quarantines'. */
static int contents(struct sf_change *c, struct sf_journal_entry **out, size_t *n)
{
	struct sf_journal_entry *e = calloc(c->n_texts + 2, sizeof(*e));
	int err = 0;

	*n = 0;
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_texts && !err; i++) {
		char *data = NULL;
		size_t len = 0;

		if (!c->texts[i].dirty)
			continue;
		err = sf_text_join(&c->texts[i], c->command, &data, &len);
		if (!err)
			e[(*n)++] = (struct sf_journal_entry){c->texts[i].path, data, len};
	}
	if (!err && c->runtime_dirty) {
		char *data = NULL;
		size_t len = 0;

		err = sf_runtime_format(&c->s.runtime, &data, &len);
		if (!err)
			e[(*n)++] = (struct sf_journal_entry){c->s.runtime_path, data, len};
	}
	if (!err && c->quarantines_dirty) {
		char *data = NULL;
		size_t len = 0;

		sf_quarantines_path(c->s.ctx->run_dir, c->quarantine_path,
				    sizeof(c->quarantine_path));
		err = sf_quarantines_format(&c->s.quarantines, &data, &len);
		if (!err)
			e[(*n)++] = (struct sf_journal_entry){c->quarantine_path, data, len};
	}
	*out = e;
	return err;
}

int sf_change_compile(struct sf_change *c)
{
	int err = sf_session_compile(&c->s);

	if (err)
		sf_diag_print(&c->s.diag);
	return err;
}

int sf_change_commit(struct sf_change *c)
{
	struct sf_journal_entry *e = NULL;
	size_t n = 0;
	int err, code = SF_EXIT_OK;

	if (c->n_refused)
		return SF_EXIT_USAGE; /* each said, nothing written */
	if (!c->loaded) {
		sf_policy_drop_removed(&c->s.config);
		sf_policy_drop_removed(&c->s.runtime.rules);
		if (sf_change_compile(c))
			return SF_EXIT_USAGE;
	}
	err = contents(c, &e, &n);
	if (err)
		sf_err("failed to prepare the files of the change: %s", strerror(-err));
	else if (n)
		err = sf_journal_commit(c->s.ctx->run_dir, e, n, sync_maps, c);
	else
		err = sync_maps(c); /* no file to write: nothing to journal */
	if (err) {
		if (!c->loaded)
			sf_err("nothing was changed");
		c->err = err;
		code = SF_EXIT_FAIL; /* what failed was said */
	}
	for (size_t i = 0; i < n; i++)
		free((char *)e[i].data);
	free(e);
	if (code == SF_EXIT_OK && c->saved_only && !c->quiet)
		sf_info("saved; smtpfence is not loaded at %s, the change applies when it runs",
			c->s.ctx->pin_dir);
	/* Only path rules and mail limits concern the daemon. */
	if (code == SF_EXIT_OK && c->poke_daemon && !c->saved_only)
		sf_session_poke_daemon(c->s.ctx);
	return code;
}

int sf_change_commit_to(struct sf_change *c, const struct sf_maps *m)
{
	c->maps = m;
	return sf_change_commit(c) == SF_EXIT_OK ? 0 : c->err ? c->err : -EINVAL;
}

void sf_change_end(struct sf_change *c)
{
	for (size_t i = 0; i < c->n_items; i++)
		free(c->items[i].value);
	free(c->items);
	tdestroy(c->text_index, free);
	for (size_t i = 0; i < c->n_texts; i++)
		sf_text_free(&c->texts[i]);
	free(c->texts);
	free(c->loc);
	sf_target_index_free(&c->cfg_ix);
	sf_target_index_free(&c->rt_ix);
	sf_session_end(&c->s);
}

int sf_change_load(struct sf_change *c, const struct sf_ctx *ctx, const char *why)
{
	memset(c, 0, sizeof(*c));
	c->command = why;
	c->runtime = true; /* a kernel to sync, or it fails */
	c->loaded = true;
	sf_target_index_init(&c->cfg_ix);
	sf_target_index_init(&c->rt_ix);
	return sf_session_load(&c->s, ctx, true, why);
}

/* A reload parses every file and reads the kernel's whole table back: it
 * repairs anything the caches could not have seen (a file on a network
 * filesystem whose stat lags, the maps written by another tool). */
static void drop_cache(const struct sf_ctx *ctx, const char *name)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", ctx->run_dir, name) < (int)sizeof(path))
		sf_sync_cache_drop(path);
}

int sf_change_reload(const struct sf_ctx *ctx)
{
	struct sf_change c;
	int err, code;

	drop_cache(ctx, SF_PARSE_CACHE_FILE); /* before the lock: a race only costs a parse */
	err = sf_change_load(&c, ctx, "reload");
	if (!err)
		drop_cache(ctx, SF_SYNC_CACHE_FILE);
	code = err == -EINVAL ? SF_EXIT_USAGE : err ? SF_EXIT_FAIL : sf_change_commit(&c);

	sf_change_end(&c);
	if (code == SF_EXIT_OK)
		sf_session_poke_daemon(ctx);
	return code;
}
