// SPDX-License-Identifier: GPL-2.0-only
#include "util/json_out.h"

#include <stdio.h>

const char *sf_json_string(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
}

void sf_json_print(json_object *o)
{
	puts(sf_json_string(o));
	json_object_put(o);
}
