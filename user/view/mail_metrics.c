// SPDX-License-Identifier: GPL-2.0-only
#include "view/mail_metrics.h"
#include "view/mail_counts.h"
#include "view/metrics_text.h"

#include <stddef.h>

static void sample(FILE *f, const char *name, const char *tenant, const char *limit,
		   unsigned long long v)
{
	fprintf(f, "%s{tenant=\"", name);
	sf_metrics_label(f, tenant);
	if (limit)
		fprintf(f, "\",limit=\"%s", limit);
	fprintf(f, "\"} %llu\n", v);
}

void sf_metrics_mail(FILE *f, const char *run_dir)
{
	struct sf_mail_counts mc;

	if (sf_mail_counts_read(run_dir, &mc) || !mc.n_tenants) {
		sf_mail_counts_free(&mc);
		return;
	}
	sf_metrics_family(f, "smtpfence_mail_messages_total", "counter",
			  "Messages the policy service let a tenant send through the MTA.");
	for (size_t i = 0; i < mc.n_tenants; i++)
		sample(f, "smtpfence_mail_messages_total", mc.tenants[i].tenant, NULL,
		       mc.tenants[i].c.messages);
	sf_metrics_family(f, "smtpfence_mail_recipients_total", "counter",
			  "Recipients the policy service let a tenant send to.");
	for (size_t i = 0; i < mc.n_tenants; i++)
		sample(f, "smtpfence_mail_recipients_total", mc.tenants[i].tenant, NULL,
		       mc.tenants[i].c.recipients);
	sf_metrics_family(f, "smtpfence_mail_deferred_total", "counter",
			  "Messages or recipients deferred past a tenant's limit.");
	for (size_t i = 0; i < mc.n_tenants; i++) {
		sample(f, "smtpfence_mail_deferred_total", mc.tenants[i].tenant, "messages",
		       mc.tenants[i].c.deferred_messages);
		sample(f, "smtpfence_mail_deferred_total", mc.tenants[i].tenant, "recipients",
		       mc.tenants[i].c.deferred_recipients);
	}
	sf_mail_counts_free(&mc);
}
