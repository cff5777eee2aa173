// SPDX-License-Identifier: GPL-2.0-only
#include "policy/action_json.h"
#include "smtpfence.h"

/* {"count","period","period_s","burst"}. */
static json_object *rate_json(const struct sf_rate *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "count", json_object_new_uint64(r->count));
	json_object_object_add(o, "period", json_object_new_string(sf_rate_unit(r, false)));
	json_object_object_add(o, "period_s", json_object_new_uint64(r->period_ns / 1000000000ull));
	json_object_object_add(o, "burst", json_object_new_uint64(r->burst));
	return o;
}

void sf_action_json_add(json_object *o, int action, const struct sf_rate *rate)
{
	json_object_object_add(o, "action", json_object_new_string(sf_action_name(action)));
	if (action == SF_ACT_LIMIT && rate)
		json_object_object_add(o, "rate", rate_json(rate));
}
