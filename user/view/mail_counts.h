/* SPDX-License-Identifier: GPL-2.0-only */
/* Messages and recipients per tenant and per flow, as the policy service
 * counted them (the MTA asks it; the kernel never sees a message). The
 * daemon writes RUN_DIR/mail.json; metrics and flows read it. */
#ifndef SF_MAIL_COUNTS_H
#define SF_MAIL_COUNTS_H

#include "smtpfence.h"

#include <stddef.h>
#include <stdint.h>

#define SF_MAIL_FILE	   "mail.json"
#define SF_MAIL_TENANT_LEN 256

struct sf_mail_count {
	uint64_t messages, recipients;			 /* accepted by the policy service */
	uint64_t deferred_messages, deferred_recipients; /* past a limit */
};

struct sf_mail_tenant {
	char tenant[SF_MAIL_TENANT_LEN];
	struct sf_mail_count c;
};

/* A flow as the kernel keys it: the tenant's cgroup and uid, and the
 * destination it asked for (a redirected one's original). */
struct sf_mail_flow {
	struct sf_flow_key key;
	struct sf_mail_count c;
};

struct sf_mail_counts {
	struct sf_mail_tenant *tenants;
	size_t n_tenants;
	struct sf_mail_flow *flows;
	size_t n_flows;
};

/* Replaces the file whole (a reader never sees half of it). 0 or -errno. */
int sf_mail_counts_write(const char *run_dir, const struct sf_mail_counts *mc);
/* Reads it; none (no policy service ran) is an empty set, not an error. */
int sf_mail_counts_read(const char *run_dir, struct sf_mail_counts *mc);
void sf_mail_counts_free(struct sf_mail_counts *mc);
/* The counts of the flow with this key, or NULL. */
const struct sf_mail_count *sf_mail_counts_flow(const struct sf_mail_counts *mc,
						const struct sf_flow_key *k);

#endif /* SF_MAIL_COUNTS_H */
