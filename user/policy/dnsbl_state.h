/* SPDX-License-Identifier: GPL-2.0-only */
/* The last blocklist check, per address and zone, as the daemon writes it
 * to RUN_DIR/dnsbl.json (atomically) for `smtpfence dnsbl`, the metrics
 * and on_listed: the policy reads whether any address is listed. */
#ifndef SF_DNSBL_STATE_H
#define SF_DNSBL_STATE_H

#include "policy/policy.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#define SF_DNSBL_FILE "dnsbl.json"

enum sf_dnsbl_status {
	SF_DNSBL_CLEAN = 0,   /* NXDOMAIN */
	SF_DNSBL_LISTED = 1,  /* 127.0.0.x */
	SF_DNSBL_ERROR = 2,   /* 127.255.255.x (refused, quota), SERVFAIL, ... */
	SF_DNSBL_TIMEOUT = 3, /* no answer */
};

struct sf_dnsbl_result {
	char address[SF_DNSBL_ADDR_LEN];
	char zone[SF_DNSBL_ZONE_LEN];
	int status;	      /* enum sf_dnsbl_status */
	char answer[16];      /* the A record, "127.0.0.2" */
	char detail[256];     /* listed: the TXT reason; error: what went wrong */
	int64_t listed_since; /* Unix seconds; 0 when not listed */
};

struct sf_dnsbl_state {
	int64_t checked; /* Unix seconds of the last check, 0: never */
	uint32_t duration_ms;
	uint64_t checks, errors, timeouts; /* totals since the daemon started */
	struct sf_dnsbl_result *v;
	size_t n;
};

const char *sf_dnsbl_status_name(int status);
/* A missing file is an empty state (never checked). */
int sf_dnsbl_state_load(const char *run_dir, struct sf_dnsbl_state *s);
int sf_dnsbl_state_save(const char *run_dir, const struct sf_dnsbl_state *s);
/* {"address","zone","status","answer","detail","listed_since"}. */
json_object *sf_dnsbl_result_json(const struct sf_dnsbl_result *r);
bool sf_dnsbl_state_listed(const struct sf_dnsbl_state *s);
const struct sf_dnsbl_result *sf_dnsbl_state_find(const struct sf_dnsbl_state *s,
						  const char *address, const char *zone);
void sf_dnsbl_state_free(struct sf_dnsbl_state *s);

#endif /* SF_DNSBL_STATE_H */
