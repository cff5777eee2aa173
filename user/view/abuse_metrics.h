/* SPDX-License-Identifier: GPL-2.0-only */
/* Metrics of acting on abuse, from the daemon's files in the run dir:
 * smtpfence_quarantined (how many), smtpfence_quarantine_expiry_timestamp_
 * seconds{target,action,reason},
 * smtpfence_dnsbl_listed{address,zone}, smtpfence_dnsbl_last_check_
 * timestamp_seconds and the error and timeout counts. */
#ifndef SF_ABUSE_METRICS_H
#define SF_ABUSE_METRICS_H

#include <stdio.h>

void sf_metrics_abuse(FILE *f, const char *run_dir);

#endif /* SF_ABUSE_METRICS_H */
