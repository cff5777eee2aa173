// SPDX-License-Identifier: GPL-2.0-only
/* rules: the policy in force, where each rule comes from, whether the
 * kernel has it, and how often it decided. */
#include "cli/commands.h"
#include "util/json_out.h"
#include "util/log.h"
#include "policy/session.h"
#include "kernel/counters.h"
#include "util/walltime.h"
#include "policy/action_json.h"
#include "policy/rules_read.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <json-c/json.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <string.h>

struct row {
	char target[600];
	char action[80]; /* as the files write it: "limit 5/min burst 5" */
	int act;
	struct sf_rate rate;
	char origin[600];
	const char *state;
	bool has_counters;
	struct sf_counters c;
	const struct sf_quarantine *q; /* in force on this target */
};

static const char *kernel_state(const struct sf_maps *m, bool loaded, const struct sf_rule_key *k,
				const struct sf_compiled_rule *want)
{
	struct sf_rule_at have;

	if (!loaded)
		return "not-loaded";
	if (!want) /* the files do not compile: nothing to compare with */
		return "unknown";
	/* What the kernel judges by now, in the visible generation. */
	if (sf_rule_visible(m->rules, m->gen, k, &have))
		return "not-applied";
	return !memcmp(&have, &want->value, sizeof(have)) ? "active" : "not-applied";
}

/* The text table: columns as wide as their content (libsmartcols). */
static const struct {
	const char *name;
	bool right;
} columns[] = {
	{"TARGET", false}, {"ACTION", false}, {"STATE", false},	 {"ATTEMPTS", true},
	{"ALLOWED", true}, {"DENIED", true},  {"LIMITED", true}, {"REDIRECTED", true},
	{"BYPASS", true},  {"ORIGIN", false},
};

static struct libscols_table *table_new(void)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		if (!scols_table_new_column(tb, columns[i].name, 0,
					    columns[i].right ? SCOLS_FL_RIGHT : 0)) {
			scols_unref_table(tb);
			return NULL;
		}
	return tb;
}

static void text_row(struct libscols_table *tb, const struct row *r)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	const unsigned long long n[] = {r->c.attempts, r->c.allowed,	r->c.denied,
					r->c.limited,  r->c.redirected, r->c.bypass};
	char num[24];

	if (!ln)
		return;
	scols_line_set_data(ln, 0, r->target);
	scols_line_set_data(ln, 1, r->action);
	scols_line_set_data(ln, 2, r->state);
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		snprintf(num, sizeof(num), "%llu", n[i]);
		scols_line_set_data(ln, 3 + i, r->has_counters ? num : "-");
	}
	scols_line_set_data(ln, 3 + sizeof(n) / sizeof(n[0]), r->origin);
}

static void emit(const struct sf_ctx *ctx, void *out, const struct row *r)
{
	if (!ctx->json) {
		text_row(out, r);
		return;
	}
	json_object *arr = out, *o = json_object_new_object();

	json_object_object_add(o, "target", json_object_new_string(r->target));
	sf_action_json_add(o, r->act, &r->rate);
	json_object_object_add(o, "state", json_object_new_string(r->state));
	json_object_object_add(o, "origin", json_object_new_string(r->origin));
	if (r->q) {
		json_object *q = json_object_new_object();
		char t[40];

		json_object_object_add(q, "reason", json_object_new_string(r->q->reason));
		sf_format_utc(r->q->started, t, sizeof(t));
		json_object_object_add(q, "since", json_object_new_string(t));
		sf_format_utc(r->q->expires, t, sizeof(t));
		json_object_object_add(q, "until", json_object_new_string(t));
		json_object_object_add(q, "expires", json_object_new_int64(r->q->expires));
		json_object_object_add(o, "quarantine", q);
	}
	if (r->has_counters) {
		json_object_object_add(o, "attempts", json_object_new_uint64(r->c.attempts));
		json_object_object_add(o, "allowed", json_object_new_uint64(r->c.allowed));
		json_object_object_add(o, "denied", json_object_new_uint64(r->c.denied));
		json_object_object_add(o, "limited", json_object_new_uint64(r->c.limited));
		json_object_object_add(o, "bypass", json_object_new_uint64(r->c.bypass));
		json_object_object_add(o, "redirected", json_object_new_uint64(r->c.redirected));
	}
	json_object_array_add(arr, o);
}

static const struct sf_compiled_rule *find_compiled(const struct sf_compiled *c,
						    const struct sf_rule_key *k)
{
	for (size_t lo = 0, hi = c->n_rules; lo < hi;) {
		size_t mid = (lo + hi) / 2;
		int cmp = sf_rule_key_cmp(&c->rules[mid].key, k);

		if (!cmp)
			return &c->rules[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void list(const struct sf_ctx *ctx, struct sf_session *s, const struct sf_maps *m,
		 bool loaded, void *arr)
{
	const struct sf_policy *p = &s->effective;
	const struct sf_compiled *c = &s->compiled;
	struct sf_rule_key def = {.kind = SF_KIND_DEFAULT};
	struct row r = {};

	snprintf(r.target, sizeof(r.target), "default");
	sf_action_text(p->default_action, &p->default_rate, r.action, sizeof(r.action));
	r.act = p->default_action;
	r.rate = p->default_rate;
	snprintf(r.origin, sizeof(r.origin), "%s",
		 p->default_listed	     ? "on_listed: an address is on a blocklist"
		 : s->runtime.default_action ? "runtime"
		 : p->embedded		     ? SF_EMBEDDED_FILE
					     : "config");
	r.state = kernel_state(m, loaded, &def, find_compiled(c, &def));
	r.has_counters = loaded;
	if (loaded)
		sf_rule_counters(m->rule_stats, &def, &r.c);
	emit(ctx, arr, &r);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sf_rule_spec *spec = &p->rules[i];
		const struct sf_compiled_rule *cr = NULL;

		memset(&r, 0, sizeof(r));
		snprintf(r.target, sizeof(r.target), "%s:%s", sf_target_kind_name(spec->kind),
			 spec->value);
		sf_action_text(spec->action, &spec->rate, r.action, sizeof(r.action));
		r.act = spec->action;
		r.rate = spec->rate;
		long qi = spec->quarantined
				  ? sf_quarantines_find(&s->quarantines, spec->kind, spec->value)
				  : -1;

		if (qi >= 0) {
			char until[40];

			r.q = &s->quarantines.v[qi];
			sf_format_utc(r.q->expires, until, sizeof(until));
			snprintf(r.origin, sizeof(r.origin), "quarantine until %s: %s", until,
				 r.q->reason);
		} else if (spec->origin == SF_ORIGIN_RUNTIME)
			snprintf(r.origin, sizeof(r.origin), "runtime");
		else if (spec->line > 0)
			snprintf(r.origin, sizeof(r.origin), "%s:%d", spec->file, spec->line);
		else
			snprintf(r.origin, sizeof(r.origin), "%s", spec->file ? spec->file : "");
		if (spec->kind == SF_TARGET_DEST) {
			r.state = loaded ? "active" : "not-loaded";
		} else if (i < c->n_specs && c->spec_state[i] == SF_PENDING) {
			r.state = "pending";
		} else if (i < c->n_specs && (cr = find_compiled(c, &c->spec_keys[i]))) {
			r.state = kernel_state(m, loaded, &cr->key, cr);
			r.has_counters = loaded;
			if (loaded)
				sf_rule_counters(m->rule_stats, &cr->key, &r.c);
		} else {
			r.state = "invalid";
		}
		emit(ctx, arr, &r);
	}
}

static int rules(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	struct sf_session s;
	struct sf_maps m;
	json_object *arr = NULL;
	struct libscols_table *tb = NULL;
	bool loaded;
	int err;

	(void)opts, (void)argc, (void)argv;
	sf_session_load(&s, ctx, false, NULL); /* a problem is said; what is read is listed */
	err = sf_maps_open(ctx->pin_dir, &m);
	if (err && err != -ENOENT) {
		sf_session_end(&s);
		return sf_exit_for(err, ctx->pin_dir);
	}
	loaded = !err;
	if (ctx->json)
		arr = json_object_new_array();
	else if (!(tb = table_new())) {
		sf_err("out of memory");
		err = -ENOMEM;
	}
	if (arr || tb)
		list(ctx, &s, &m, loaded, arr ? (void *)arr : (void *)tb);
	if (arr)
		sf_json_print(arr);
	if (tb) {
		scols_print_table(tb);
		scols_unref_table(tb);
	}
	if (loaded)
		sf_maps_close(&m);
	sf_session_end(&s);
	return err == -ENOMEM ? SF_EXIT_FAIL : SF_EXIT_OK;
}

const struct sf_command sf_cmd_rules = {
	.name = "rules",
	.summary = "list the policy",
	.json = true,
	.needs_root = true,
	.run = rules,
};
