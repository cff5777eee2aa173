/* SPDX-License-Identifier: GPL-2.0-only */
/* Prometheus text exposition of counters already summed (metrics.c reads
 * them from the maps). */
#ifndef SF_METRICS_TEXT_H
#define SF_METRICS_TEXT_H

#include "view/tenant_sum.h"

#include <stdio.h>

#define SF_METRICS_OTHER "other"

/* Writes "# HELP"/"# TYPE" for one metric family. */
void sf_metrics_family(FILE *f, const char *name, const char *type, const char *help);
/* Writes a label value with \\, \" and \n escaped. */
void sf_metrics_label(FILE *f, const char *value);
/* The per-tenant, per-port counter families: the top_n tenants by
 * attempts with their own label, the rest summed per port as "other";
 * then the tenant gauges. 0 or -ENOMEM. */
int sf_metrics_tenants(FILE *f, const struct sf_tenant_set *s, unsigned int top_n);
/* The same per user (a set summed with SF_BY_USER): smtpfence_user_*_total
 * {user="NAME",port}, the same top_n cap, then smtpfence_users and
 * smtpfence_users_labelled. On a node where every account runs in one
 * shared service (cPanel's PHP-FPM), this view still shows who sends. */
int sf_metrics_users(FILE *f, const struct sf_tenant_set *s, unsigned int top_n);
/* Host-wide counters. */
void sf_metrics_totals(FILE *f, const struct sf_totals *t);
/* Rules in the kernel per kind (exempt prefixes are counted apart). */
void sf_metrics_rules(FILE *f, const size_t n[SF_RULE_KINDS]);

#endif /* SF_METRICS_TEXT_H */
