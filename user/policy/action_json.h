/* SPDX-License-Identifier: GPL-2.0-only */
/* An action in JSON (smtpfence-json(7)): "action" a word, and for limit
 * "rate" as numbers a panel need not parse:
 *   "action":"limit","rate":{"count":5,"period":"min","period_s":60,"burst":5} */
#ifndef SF_ACTION_JSON_H
#define SF_ACTION_JSON_H

#include "policy/parse.h"

#include <json-c/json.h>

/* Adds "action" (and "rate" for limit) to o. */
void sf_action_json_add(json_object *o, int action, const struct sf_rate *rate);

#endif /* SF_ACTION_JSON_H */
