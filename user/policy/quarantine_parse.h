/* SPDX-License-Identifier: GPL-2.0-only */
/* Pure parsers for a quarantine as users write it: a duration and an
 * action (config keys and CLI arguments alike). */
#ifndef SF_QUARANTINE_PARSE_H
#define SF_QUARANTINE_PARSE_H

#include "policy/policy.h"

#include <stddef.h>
#include <stdint.h>

#define SF_QUARANTINE_MAX_S (366U * 86400U)

/* "30s", "10m", "2h", "1d" or plain seconds; 1 s to 366 days. */
int sf_parse_duration(const char *s, uint32_t *seconds, char *err, size_t errlen);
/* "DURATION [deny | limit N/PERIOD [burst B]]" (deny when left out). */
int sf_parse_quarantine(const char *s, struct sf_quarantine_spec *q, char *err, size_t errlen);
/* An action as the listings show it: "deny" or "limit 2/min burst 2". */
void sf_action_text(int action, const struct sf_rate *rate, char *buf, size_t len);

#endif /* SF_QUARANTINE_PARSE_H */
