/* SPDX-License-Identifier: GPL-2.0-only */
/* One blocklist check with c-ares: every address (the configured ones and
 * the node's global ones) against every zone, all queries at once. An A
 * answer of 127.0.0.x is a listing (its TXT record gives the reason),
 * 127.255.255.x (Spamhaus: query through an open or public resolver,
 * over quota) and any other answer are errors, NXDOMAIN is clean, no
 * answer within the timeout is a timeout. Blocks for up to a few seconds:
 * the daemon runs it in a worker thread. */
#ifndef SF_DNSBL_CHECK_H
#define SF_DNSBL_CHECK_H

#include "policy/dnsbl_state.h"
#include "policy/policy.h"

#include <stddef.h>

#define SF_DNSBL_TIMEOUT_MS 1500
#define SF_DNSBL_TRIES	    2

/* "4.3.2.1.zone" for 1.2.3.4; 32 reversed nibbles for IPv6. 0 or -EINVAL. */
int sf_dnsbl_query_name(const char *address, const char *zone, char *buf, size_t len);
/* Fills out (results, checked, duration). 0, or -errno when c-ares
 * could not be set up at all (then out is empty). */
int sf_dnsbl_check(const struct sf_dnsbl_config *c, struct sf_dnsbl_state *out);

#endif /* SF_DNSBL_CHECK_H */
