// SPDX-License-Identifier: GPL-2.0-only
#include "view/top_json.h"

#include <time.h>

static json_object *rate(bool has, double v)
{
	return has ? json_object_new_double(v) : NULL;
}

static json_object *row_json(const struct sf_top_row *r)
{
	json_object *o = json_object_new_object(), *trend = json_object_new_array();
	const struct sf_counters *c = &r->sum->c;

	json_object_object_add(o, "tenant", json_object_new_string(r->sum->tenant));
	json_object_object_add(o, "action", json_object_new_string(sf_top_row_action(r)));
	json_object_object_add(o, "quarantined", json_object_new_boolean(r->quarantined));
	json_object_object_add(o, "attempts_s", rate(r->has_rate, r->attempts_s));
	json_object_object_add(o, "denied_s", rate(r->has_rate, r->denied_s));
	json_object_object_add(o, "limited_s", rate(r->has_rate, r->limited_s));
	json_object_object_add(o, "attempts", json_object_new_uint64(c->attempts));
	json_object_object_add(o, "allowed", json_object_new_uint64(c->allowed));
	json_object_object_add(o, "denied", json_object_new_uint64(c->denied));
	json_object_object_add(o, "limited", json_object_new_uint64(c->limited));
	json_object_object_add(o, "user", json_object_new_string(r->user));
	json_object_object_add(o, "last_dest", json_object_new_string(r->dest));
	json_object_object_add(o, "last_process", json_object_new_string(r->process));
	json_object_object_add(o, "messages", json_object_new_uint64(r->messages));
	json_object_object_add(o, "recipients", json_object_new_uint64(r->recipients));
	for (size_t i = 0; i < r->n_trend; i++)
		json_object_array_add(trend, json_object_new_double(r->trend[i]));
	json_object_object_add(o, "trend", trend);
	return o;
}

json_object *sf_top_frame_json(const struct sf_top_model *m, const struct sf_top_state *st)
{
	const struct sf_top_header *h = sf_top_model_header(m);
	const struct sf_counters *c = &h->totals.c;
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	const struct sf_top_row *rows;
	size_t n;

	rows = sf_top_model_rows(m, &n);
	json_object_object_add(o, "time", json_object_new_int64((int64_t)time(NULL)));
	json_object_object_add(o, "interval_s", json_object_new_double(st->interval_s));
	json_object_object_add(
		o, "group_by",
		json_object_new_string(sf_top_model_grouping(m) == SF_BY_USER ? "user" : "tenant"));
	json_object_object_add(o, "attempts", json_object_new_uint64(c->attempts));
	json_object_object_add(o, "allowed", json_object_new_uint64(c->allowed));
	json_object_object_add(o, "denied", json_object_new_uint64(c->denied));
	json_object_object_add(o, "limited", json_object_new_uint64(c->limited));
	json_object_object_add(o, "attempts_s", rate(h->has_rate, h->attempts_s));
	json_object_object_add(o, "denied_s", rate(h->has_rate, h->denied_s));
	json_object_object_add(o, "limited_s", rate(h->has_rate, h->limited_s));
	json_object_object_add(o, "events_live", json_object_new_boolean(h->events_live));
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, row_json(&rows[i]));
	json_object_object_add(o, "tenants", arr);
	return o;
}
