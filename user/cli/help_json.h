/* SPDX-License-Identifier: GPL-2.0-only */
/* The help as JSON (smtpfence-json(7)). */
#ifndef SF_CLI_HELP_JSON_H
#define SF_CLI_HELP_JSON_H

#include "cli/command.h"

#include <json-c/json.h>

/* Every command, global option, target kind and configuration key; or
 * only one command's entry. */
json_object *sf_help_json(const struct sf_command *only);

#endif /* SF_CLI_HELP_JSON_H */
