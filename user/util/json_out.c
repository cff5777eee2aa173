// SPDX-License-Identifier: GPL-2.0-only
#include "util/json_out.h"

#include <stdio.h>

static bool printed;

const char *sf_json_string(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* o with "schema" (SF_JSON_SCHEMA) as its first member; o itself when it
 * is no object or has one. Takes o. */
static json_object *versioned(json_object *o)
{
	json_object *v;

	if (!json_object_is_type(o, json_type_object) ||
	    json_object_object_get_ex(o, "schema", NULL))
		return o;
	/* "schema" first, where a reader's eye starts */
	v = json_object_new_object();
	json_object_object_add(v, "schema", json_object_new_int(SF_JSON_SCHEMA));
	for (struct json_object_iterator it = json_object_iter_begin(o),
					 end = json_object_iter_end(o);
	     !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		json_object_object_add(v, json_object_iter_peek_name(&it),
				       json_object_get(json_object_iter_peek_value(&it)));
	json_object_put(o);
	return v;
}

void sf_json_print(json_object *o)
{
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			json_object *e = json_object_array_get_idx(o, i), *v;

			if (!json_object_is_type(e, json_type_object))
				continue;
			v = versioned(json_object_get(e));
			if (v != e)
				json_object_array_put_idx(o, i, v); /* puts e */
			else
				json_object_put(e);
		}
	} else {
		o = versioned(o);
	}
	puts(sf_json_string(o));
	json_object_put(o);
	printed = true;
}

bool sf_json_printed(void)
{
	return printed;
}

void sf_json_printed_reset(void)
{
	printed = false;
}
