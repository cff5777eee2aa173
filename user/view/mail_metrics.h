/* SPDX-License-Identifier: GPL-2.0-only */
/* Metrics of the policy service, from RUN_DIR/mail.json: per tenant,
 * smtpfence_mail_messages_total, smtpfence_mail_recipients_total and
 * smtpfence_mail_deferred_total{limit="messages"|"recipients"}. */
#ifndef SF_MAIL_METRICS_H
#define SF_MAIL_METRICS_H

#include <stdio.h>

void sf_metrics_mail(FILE *f, const char *run_dir);

#endif /* SF_MAIL_METRICS_H */
