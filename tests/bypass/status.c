// SPDX-License-Identifier: GPL-2.0-only
#include "status.h"

#include <check.h>
#include <json-c/json.h>

uint64_t sft_status_field(struct sft_env *e, const char *name)
{
	json_object *o, *v;
	uint64_t n;

	ck_assert_int_eq(sft_cli(e, "status -j"), 0);
	o = json_tokener_parse(e->out);
	ck_assert_msg(o && json_object_object_get_ex(o, name, &v), "status -j has no %s: %s", name,
		      e->out);
	n = json_object_get_uint64(v);
	json_object_put(o);
	return n;
}
