/* SPDX-License-Identifier: GPL-2.0-only */
/* RUN_DIR/policy.sock: the Postfix policy delegation protocol (attribute
 * lines, a blank line; `action=...` and a blank line back, the connection
 * kept for the next request) and a one-line form for Exim's ${readsocket}
 * (one line, one line back, closed). Only root and the MTA's users may
 * connect (SO_PEERCRED); clients are bounded in number, request size and
 * idle time, and no client ever blocks the daemon's loop. */
#ifndef SF_POLICY_SERVICE_H
#define SF_POLICY_SERVICE_H

#define SF_POLICY_SOCKET "policy.sock"

struct sf_policy_service;
struct sf_mail_policy;
struct sf_policy;

/* Listens on RUN_DIR/policy.sock (the run directory becomes 0711 so that
 * the MTA's user reaches it; its files keep their own modes). */
int sf_policy_service_open(struct sf_policy_service **out, const char *run_dir,
			   struct sf_mail_policy *mp);
/* Who may connect besides root: `policy_allow_users`, or when it is not
 * set the MTA users that exist here (postfix, Debian-exim, exim, mailnull). */
void sf_policy_service_allow(struct sf_policy_service *ps, const struct sf_policy *p);
/* The fd to poll for POLLIN. */
int sf_policy_service_fd(const struct sf_policy_service *ps);
void sf_policy_service_io(struct sf_policy_service *ps);
/* Every tick: ends clients idle too long. */
void sf_policy_service_tick(struct sf_policy_service *ps);
void sf_policy_service_free(struct sf_policy_service *ps);

#endif /* SF_POLICY_SERVICE_H */
