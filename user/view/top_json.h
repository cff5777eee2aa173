/* SPDX-License-Identifier: GPL-2.0-only */
/* `top -j`: each frame as one JSON object (smtpfence-json(7)). */
#ifndef SF_TOP_JSON_H
#define SF_TOP_JSON_H

#include "view/top_text.h"

#include <json-c/json.h>

/* {"time","interval_s","group_by","attempts","allowed","denied","limited",
 *  "attempts_s","denied_s","limited_s","tenants":[{"tenant","action",
 *  "quarantined","attempts_s",...,"trend":[...]}]}; rates null on the first. */
json_object *sf_top_frame_json(const struct sf_top_model *m, const struct sf_top_state *st);

#endif /* SF_TOP_JSON_H */
