/* SPDX-License-Identifier: GPL-2.0-only */
/* The [global] keys of acting on abuse: quarantine, dnsbl_zones,
 * dnsbl_addresses, dnsbl_interval, dnsbl_resolver and on_listed. */
#ifndef SF_ABUSE_KEYS_H
#define SF_ABUSE_KEYS_H

#include "policy/policy.h"

#include <stddef.h>

/* 1: not one of these keys; 0: taken; -EINVAL: bad value (said in err). */
int sf_abuse_key(struct sf_policy *p, const char *name, const char *value, char *err,
		 size_t errlen);
/* "ADDRESS" or "ADDRESS:PORT" ("[v6]:PORT") into c-ares' "ADDR:PORT" form. */
int sf_parse_resolver(const char *s, char *out, size_t outlen, char *err, size_t errlen);

#endif /* SF_ABUSE_KEYS_H */
