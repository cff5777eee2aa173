/* SPDX-License-Identifier: GPL-2.0-only */
/* JSON output of every listing command: one line, slashes left as they are
 * (cgroup paths stay readable and greppable). */
#ifndef SF_JSON_OUT_H
#define SF_JSON_OUT_H

#include <json-c/json.h>
#include <stdbool.h>

/* The version of every JSON document smtpfence prints ("schema"): see
 * smtpfence-json(7). A field's meaning never changes under one version. */
#define SF_JSON_SCHEMA 1

/* The same one-line text, owned by o. */
const char *sf_json_string(json_object *o);
/* Prints o and a newline on stdout, then releases o: an object gets
 * "schema", and so does every object of an array (smtpfence-json(7)). */
void sf_json_print(json_object *o);

/* Whether sf_json_print printed a document since the start (or the reset). */
bool sf_json_printed(void);
void sf_json_printed_reset(void);

#endif /* SF_JSON_OUT_H */
