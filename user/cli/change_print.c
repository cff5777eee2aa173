// SPDX-License-Identifier: GPL-2.0-only
#include "cli/change_print.h"
#include "policy/action_json.h"
#include "util/json_out.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static bool same(const struct sf_change_state *a, const struct sf_change_state *b)
{
	return a->action == b->action && a->runtime == b->runtime &&
	       (a->action != SF_ACT_LIMIT || !memcmp(&a->rate, &b->rate, sizeof(a->rate))) &&
	       !memcmp(&a->mail, &b->mail, sizeof(a->mail));
}

static void target_name(const struct sf_change_item *it, char *buf, size_t len)
{
	if (it->what == SF_CHANGE_DEFAULT)
		snprintf(buf, len, "default");
	else if (it->what == SF_CHANGE_PORT)
		snprintf(buf, len, "port:%u", it->port);
	else
		snprintf(buf, len, "%s:%s", sf_target_kind_name(it->kind), it->value);
}

static void state_text(const struct sf_change_item *it, const struct sf_change_state *s, char *buf,
		       size_t len)
{
	char rate[64] = "", mail[96];

	if (it->what == SF_CHANGE_PORT) {
		snprintf(buf, len, "%s%s", s->action ? "watched" : "not watched",
			 s->runtime ? " (runtime)" : "");
		return;
	}
	if (s->action == SF_ACT_NONE) {
		snprintf(buf, len, "none");
		return;
	}
	if (s->action == SF_ACT_LIMIT) {
		rate[0] = ' ';
		sf_rate_format(&s->rate, rate + 1, sizeof(rate) - 1);
	}
	sf_mail_limits_format(&s->mail, mail, sizeof(mail));
	snprintf(buf, len, "%s%s%s%s", sf_action_name(s->action), rate, mail,
		 s->runtime ? " (runtime)" : "");
}

/* A mail limit as the rules write it ("100/hour"); absent when none. */
static void mail_json(json_object *o, const char *key, const struct sf_rate *r)
{
	struct sf_mail_limits one = {.messages = *r};
	char text[64];

	if (!r->count)
		return;
	sf_mail_limits_format(&one, text, sizeof(text));
	json_object_object_add(o, key, json_object_new_string(text + strlen(" messages ")));
}

static json_object *state_json(const struct sf_change_item *it, const struct sf_change_state *s)
{
	json_object *o;

	if (it->what != SF_CHANGE_PORT && s->action == SF_ACT_NONE)
		return NULL;
	o = json_object_new_object();
	if (it->what == SF_CHANGE_PORT)
		json_object_object_add(o, "watched", json_object_new_boolean(s->action));
	else
		sf_action_json_add(o, s->action, &s->rate);
	mail_json(o, "messages", &s->mail.messages);
	mail_json(o, "recipients", &s->mail.recipients);
	json_object_object_add(o, "layer",
			       json_object_new_string(s->runtime ? "runtime" : "config"));
	return o;
}

static void print_json(const struct sf_change *c)
{
	json_object *doc = json_object_new_object(), *arr = json_object_new_array();

	json_object_object_add(doc, "ok", json_object_new_boolean(1));
	json_object_object_add(doc, "applied", json_object_new_boolean(!c->saved_only));
	for (size_t i = 0; i < c->n_items; i++) {
		const struct sf_change_item *it = &c->items[i];
		json_object *o = json_object_new_object();
		char name[SF_TARGET_LEN + 16];

		target_name(it, name, sizeof(name));
		json_object_object_add(o, "target", json_object_new_string(name));
		json_object_object_add(o, "before", state_json(it, &it->before));
		json_object_object_add(o, "after", state_json(it, &it->after));
		json_object_object_add(o, "changed",
				       json_object_new_boolean(!same(&it->before, &it->after)));
		if (it->file)
			json_object_object_add(o, "file", json_object_new_string(it->file));
		if (it->file && it->line > 0)
			json_object_object_add(o, "line", json_object_new_int(it->line));
		json_object_array_add(arr, o);
	}
	json_object_object_add(doc, "changes", arr);
	sf_json_print(doc);
}

/* Prints the report of a committed change c (exit code 0). */
static void change_print(const struct sf_change *c, bool json)
{
	if (json) {
		print_json(c);
		return;
	}
	for (size_t i = 0; i < c->n_items; i++) {
		const struct sf_change_item *it = &c->items[i];
		char name[SF_TARGET_LEN + 16], before[256], after[256];

		target_name(it, name, sizeof(name));
		state_text(it, &it->before, before, sizeof(before));
		state_text(it, &it->after, after, sizeof(after));
		if (same(&it->before, &it->after))
			printf("%s: %s, unchanged\n", name, after);
		else
			printf("%s: %s -> %s\n", name, before, after);
	}
}

int sf_change_run(const struct sf_ctx *ctx, const char *command, bool runtime,
		  int (*edit)(struct sf_change *c, void *arg), void *arg)
{
	struct sf_change c;
	int code = sf_change_begin(&c, ctx, command, runtime);

	if (code == SF_EXIT_OK && edit(&c, arg))
		code = SF_EXIT_FAIL; /* out of memory, a file unreadable: said */
	if (code == SF_EXIT_OK)
		code = sf_change_commit(&c);
	if (code == SF_EXIT_OK)
		change_print(&c, ctx->json);
	sf_change_end(&c);
	return code;
}
