/* SPDX-License-Identifier: GPL-2.0-only */
/* What the policy service answers the MTA: who a client is (sf_peers),
 * the X-Smtpfence-Tenant header for a tenant's message, and whether the
 * tenant is past its `messages` or `recipients` limit; counts every
 * message and recipient per tenant and per flow (RUN_DIR/mail.json). */
#ifndef SF_MAIL_POLICY_H
#define SF_MAIL_POLICY_H

#include "kernel/pins.h"
#include "policy/compile.h"
#include "policy/policy.h"
#include "util/context.h"

#include <stddef.h>

#define SF_MAIL_HEADER "X-Smtpfence-Tenant"

struct sf_mail_policy;
struct sf_observe;

/* One request of the Postfix policy delegation protocol (NULL: absent). */
struct sf_mail_request {
	const char *protocol_state; /* RCPT, DATA, END-OF-MESSAGE, ... */
	const char *client_address;
	const char *client_port;
	const char *instance; /* one message transaction */
	const char *recipient_count;
	const char *server_address; /* the MTA's side (Postfix 3.2 and later), */
	const char *server_port;    /* which finds a client no record names */
};

struct sf_mail_policy *sf_mail_policy_new(const struct sf_ctx *ctx, struct sf_observe *obs);
void sf_mail_policy_free(struct sf_mail_policy *mp);
/* After every policy applied: the rules' mail limits and the maps. */
void sf_mail_policy_configure(struct sf_mail_policy *mp, const struct sf_policy *p,
			      const struct sf_compiled *c, const struct sf_maps *m,
			      const char *cgroup_mount);
/* The action for a Postfix request ("DUNNO", "PREPEND ...", "DEFER_IF_PERMIT ..."). */
void sf_mail_policy_postfix(struct sf_mail_policy *mp, const struct sf_mail_request *r,
			    char *action, size_t len);
/* The one-line form (Exim's ${readsocket}): "rcpt|data|who ADDRESS PORT
 * [SERVER_ADDRESS SERVER_PORT]" (the MTA's side finds a client no record
 * names) answers "OK TENANT; user=...; process=..." (the header's
 * value), "DEFER 4.7.1 ..." or "DUNNO"; anything else "ERROR ...". */
void sf_mail_policy_line(struct sf_mail_policy *mp, const char *line, char *reply, size_t len);
/* About every quarter second: writes the counts when they changed. */
void sf_mail_policy_tick(struct sf_mail_policy *mp);

#endif /* SF_MAIL_POLICY_H */
