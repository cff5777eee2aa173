/* SPDX-License-Identifier: GPL-2.0-only */
/* The counters the programs keep, as userspace reads them. */
#ifndef SF_COUNTERS_H
#define SF_COUNTERS_H

#include "smtpfence.h"

/* Per-rule counters; zeroes when the rule never matched. */
void sf_rule_counters(int fd, const struct sf_rule_key *key, struct sf_counters *c);
/* Host-wide totals summed over CPUs. */
int sf_totals_read(int fd, struct sf_totals *t);

#endif /* SF_COUNTERS_H */
