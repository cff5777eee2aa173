/* SPDX-License-Identifier: GPL-2.0-only */
/* JSON output of every listing command: one line, slashes left as they are
 * (cgroup paths stay readable and greppable). */
#ifndef SF_JSON_OUT_H
#define SF_JSON_OUT_H

#include <json-c/json.h>

/* The same one-line text, owned by o. */
const char *sf_json_string(json_object *o);
/* Prints o and a newline on stdout, then releases o. */
void sf_json_print(json_object *o);

#endif /* SF_JSON_OUT_H */
