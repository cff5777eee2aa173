/* SPDX-License-Identifier: GPL-2.0-only */
/* A rule's mail limits, beside its connection action: `messages N/PERIOD`
 * and `recipients N/PERIOD` per tenant, counted and enforced by the policy
 * service the MTA asks (not by the kernel). */
#ifndef SF_MAIL_LIMITS_H
#define SF_MAIL_LIMITS_H

#include "policy/parse.h"

#include <stdbool.h>
#include <stddef.h>

struct sf_mail_limits {
	struct sf_rate messages;   /* count 0: none */
	struct sf_rate recipients; /* count 0: none */
};

/* Takes the mail limits off the end of a rule's words: from the first word
 * "messages" or "recipients" on, each followed by N/sec|min|hour|day (once
 * each), and cuts *rest there. 0, or -EINVAL with the reason in err. */
int sf_mail_limits_take(char *rest, struct sf_mail_limits *out, char *err, size_t errlen);
bool sf_mail_limits_any(const struct sf_mail_limits *l);
/* " messages N/PERIOD recipients N/PERIOD" (the ones set; "" for none). */
void sf_mail_limits_format(const struct sf_mail_limits *l, char *buf, size_t len);

#endif /* SF_MAIL_LIMITS_H */
