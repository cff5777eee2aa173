/* SPDX-License-Identifier: GPL-2.0-only */
/* `metrics -j`: the exposition smtpfence renders, as JSON samples
 * {"name","type","labels":{...},"value"} (smtpfence-json(7)). */
#ifndef SF_METRICS_JSON_H
#define SF_METRICS_JSON_H

#include <json-c/json.h>
#include <stddef.h>

/* {"samples":[...]} from the text (our own: one sample a line, label
 * values escaped as the format says); NULL on a line it cannot read. */
json_object *sf_metrics_text_json(const char *text, size_t len);

#endif /* SF_METRICS_JSON_H */
