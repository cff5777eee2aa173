// SPDX-License-Identifier: GPL-2.0-only
#include "policy/dnsbl_state.h"
#include "policy/config.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {"clean", "listed", "error", "timeout"};

const char *sf_dnsbl_status_name(int status)
{
	return status >= 0 && status <= SF_DNSBL_TIMEOUT ? status_names[status] : "unknown";
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static int64_t int_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

int sf_dnsbl_state_load(const char *run_dir, struct sf_dnsbl_state *s)
{
	char path[PATH_MAX];
	json_object *root, *list;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/%s", run_dir, SF_DNSBL_FILE);
	root = json_object_from_file(path);
	if (!root)
		return 0;
	s->checked = int_of(root, "checked");
	s->duration_ms = (uint32_t)int_of(root, "duration_ms");
	s->checks = (uint64_t)int_of(root, "checks");
	s->errors = (uint64_t)int_of(root, "errors");
	s->timeouts = (uint64_t)int_of(root, "timeouts");
	if (json_object_object_get_ex(root, "results", &list) &&
	    json_object_is_type(list, json_type_array)) {
		size_t n = json_object_array_length(list);

		s->v = calloc(n + 1, sizeof(*s->v));
		for (size_t i = 0; s->v && i < n; i++) {
			json_object *o = json_object_array_get_idx(list, i);
			struct sf_dnsbl_result *r = &s->v[s->n++];
			const char *st = str_of(o, "status");

			snprintf(r->address, sizeof(r->address), "%s", str_of(o, "address"));
			snprintf(r->zone, sizeof(r->zone), "%s", str_of(o, "zone"));
			snprintf(r->answer, sizeof(r->answer), "%s", str_of(o, "answer"));
			snprintf(r->detail, sizeof(r->detail), "%s", str_of(o, "detail"));
			r->listed_since = int_of(o, "listed_since");
			for (int k = 0; k <= SF_DNSBL_TIMEOUT; k++)
				if (!strcmp(st, status_names[k]))
					r->status = k;
		}
	}
	json_object_put(root);
	return 0;
}

json_object *sf_dnsbl_result_json(const struct sf_dnsbl_result *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "address", json_object_new_string(r->address));
	json_object_object_add(o, "zone", json_object_new_string(r->zone));
	json_object_object_add(o, "status",
			       json_object_new_string(sf_dnsbl_status_name(r->status)));
	json_object_object_add(o, "answer", json_object_new_string(r->answer));
	json_object_object_add(o, "detail", json_object_new_string(r->detail));
	json_object_object_add(o, "listed_since", json_object_new_int64(r->listed_since));
	return o;
}

int sf_dnsbl_state_save(const char *run_dir, const struct sf_dnsbl_state *s)
{
	json_object *root = json_object_new_object(), *list = json_object_new_array();
	char path[PATH_MAX];
	const char *text;
	int err;

	json_object_object_add(root, "checked", json_object_new_int64(s->checked));
	json_object_object_add(root, "duration_ms", json_object_new_int64(s->duration_ms));
	json_object_object_add(root, "checks", json_object_new_uint64(s->checks));
	json_object_object_add(root, "errors", json_object_new_uint64(s->errors));
	json_object_object_add(root, "timeouts", json_object_new_uint64(s->timeouts));
	for (size_t i = 0; i < s->n; i++)
		json_object_array_add(list, sf_dnsbl_result_json(&s->v[i]));
	json_object_object_add(root, "results", list);
	snprintf(path, sizeof(path), "%s/%s", run_dir, SF_DNSBL_FILE);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
	err = sf_write_atomic(path, text, strlen(text));
	json_object_put(root);
	return err;
}

bool sf_dnsbl_state_listed(const struct sf_dnsbl_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].status == SF_DNSBL_LISTED)
			return true;
	return false;
}

const struct sf_dnsbl_result *sf_dnsbl_state_find(const struct sf_dnsbl_state *s,
						  const char *address, const char *zone)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].address, address) && !strcmp(s->v[i].zone, zone))
			return &s->v[i];
	return NULL;
}

void sf_dnsbl_state_free(struct sf_dnsbl_state *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
