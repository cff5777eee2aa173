// SPDX-License-Identifier: GPL-2.0-only
#include "policy/quarantine.h"
#include "policy/config.h"
#include "smtpfence.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int entry_from_json(json_object *o, struct sf_quarantine *e, char *err, size_t errlen)
{
	static struct sf_target_spec t; /* large: keep it off the stack */
	json_object *target, *action, *reason, *started, *expires;
	const char *act;

	if (!json_object_object_get_ex(o, "target", &target) ||
	    !json_object_object_get_ex(o, "action", &action) ||
	    !json_object_object_get_ex(o, "reason", &reason) ||
	    !json_object_object_get_ex(o, "started", &started) ||
	    !json_object_object_get_ex(o, "expires", &expires)) {
		snprintf(err, errlen, "an entry lacks target, action, reason, started or expires");
		return -EINVAL;
	}
	memset(e, 0, sizeof(*e));
	if (sf_parse_target(json_object_get_string(target), &t, err, errlen))
		return -EINVAL;
	e->kind = t.kind;
	snprintf(e->value, sizeof(e->value), "%s", t.value);
	act = json_object_get_string(action);
	if (!strncmp(act, "limit ", 6)) {
		e->action = SF_ACT_LIMIT;
		if (sf_parse_rate(act + 6, &e->rate, err, errlen))
			return -EINVAL;
	} else if (!strcmp(act, "deny")) {
		e->action = SF_ACT_DENY;
	} else {
		snprintf(err, errlen, "invalid action '%s'", act);
		return -EINVAL;
	}
	snprintf(e->reason, sizeof(e->reason), "%s", json_object_get_string(reason));
	e->started = json_object_get_int64(started);
	e->expires = json_object_get_int64(expires);
	return 0;
}

int sf_quarantines_load(const char *run_dir, struct sf_quarantines *q, char *err, size_t errlen)
{
	char path[PATH_MAX];
	json_object *root, *list;
	int ret = 0;

	memset(q, 0, sizeof(*q));
	sf_quarantines_path(run_dir, path, sizeof(path));
	root = json_object_from_file(path);
	if (!root) {
		FILE *f = fopen(path, "re");

		if (!f)
			return errno == ENOENT ? 0 : -errno;
		fclose(f);
		snprintf(err, errlen, "%s: not valid JSON", path);
		return -EINVAL;
	}
	json_object *version;

	/* A later format is refused, never misread (a downgrade keeps the file). */
	if (json_object_object_get_ex(root, "version", &version) &&
	    json_object_get_int(version) > SF_QUARANTINE_FORMAT) {
		snprintf(err, errlen, "%s: format %d is newer than this smtpfence's (%d)", path,
			 json_object_get_int(version), SF_QUARANTINE_FORMAT);
		json_object_put(root);
		return -EINVAL;
	}
	if (!json_object_object_get_ex(root, "quarantines", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		snprintf(err, errlen, "%s: no \"quarantines\" array", path);
		json_object_put(root);
		return -EINVAL;
	}
	size_t n = json_object_array_length(list);

	q->v = calloc(n + 1, sizeof(*q->v));
	if (!q->v) {
		json_object_put(root);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		char why[SF_ERR_LEN];

		ret = entry_from_json(json_object_array_get_idx(list, i), &q->v[q->n], why,
				      sizeof(why));
		if (ret)
			snprintf(err, errlen, "%s: entry %zu: %s", path, i + 1, why);
		else
			q->n++;
	}
	json_object_put(root);
	if (ret)
		sf_quarantines_free(q);
	return ret;
}

json_object *sf_quarantine_json(const struct sf_quarantine *e)
{
	json_object *o = json_object_new_object();
	char target[SF_TARGET_LEN + 16], action[96];

	snprintf(target, sizeof(target), "%s:%s", sf_target_kind_name(e->kind), e->value);
	sf_action_text(e->action, &e->rate, action, sizeof(action));
	json_object_object_add(o, "target", json_object_new_string(target));
	json_object_object_add(o, "action", json_object_new_string(action));
	json_object_object_add(o, "reason", json_object_new_string(e->reason));
	json_object_object_add(o, "started", json_object_new_int64(e->started));
	json_object_object_add(o, "expires", json_object_new_int64(e->expires));
	return o;
}

void sf_quarantines_path(const char *run_dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", run_dir, SF_QUARANTINE_FILE);
}

int sf_quarantines_format(const struct sf_quarantines *q, char **data, size_t *len)
{
	json_object *root = json_object_new_object(), *list = json_object_new_array();
	const char *text;
	int err = 0;

	for (size_t i = 0; i < q->n; i++)
		json_object_array_add(list, sf_quarantine_json(&q->v[i]));
	json_object_object_add(root, "version", json_object_new_int(SF_QUARANTINE_FORMAT));
	json_object_object_add(root, "quarantines", list);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
	*data = text ? strdup(text) : NULL;
	if (!*data)
		err = -ENOMEM;
	*len = err ? 0 : strlen(*data);
	json_object_put(root);
	return err;
}

long sf_quarantines_find(const struct sf_quarantines *q, enum sf_target_kind kind,
			 const char *value)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->v[i].kind == kind && !strcmp(q->v[i].value, value))
			return (long)i;
	return -1;
}

int sf_quarantines_put(struct sf_quarantines *q, const struct sf_quarantine *e)
{
	long at = sf_quarantines_find(q, e->kind, e->value);
	struct sf_quarantine *v;

	if (at >= 0) {
		q->v[at] = *e;
		return 0;
	}
	v = realloc(q->v, (q->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	q->v = v;
	q->v[q->n++] = *e;
	return 0;
}

void sf_quarantines_remove(struct sf_quarantines *q, size_t idx)
{
	memmove(&q->v[idx], &q->v[idx + 1], (q->n - idx - 1) * sizeof(*q->v));
	q->n--;
}

void sf_quarantines_free(struct sf_quarantines *q)
{
	free(q->v);
	q->v = NULL;
	q->n = 0;
}

int sf_quarantine_overlay(struct sf_policy *p, const struct sf_quarantines *q, int64_t now)
{
	for (size_t i = 0; i < q->n; i++) {
		const struct sf_quarantine *e = &q->v[i];
		long at = sf_policy_find(p, e->kind, e->value);

		if (e->expires <= now)
			continue;
		if (at < 0) {
			struct sf_rule_spec r = {.kind = e->kind,
						 .value = (char *)e->value,
						 .origin = SF_ORIGIN_RUNTIME,
						 .file = "(quarantine)"};
			int err = sf_policy_add_rule(p, &r);

			if (err)
				return err;
			at = (long)p->n_rules - 1;
		}
		p->rules[at].action = e->action;
		p->rules[at].rate = e->rate;
		p->rules[at].quarantined = true;
	}
	return 0;
}
