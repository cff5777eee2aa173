// SPDX-License-Identifier: GPL-2.0-only
#include "view/abuse_metrics.h"
#include "policy/dnsbl_state.h"
#include "policy/quarantine.h"
#include "view/metrics.h"

#include <time.h>

static void quarantines(FILE *f, const char *run_dir)
{
	struct sf_quarantines q;
	char err[256], action[96], target[SF_TARGET_LEN + 16];
	int64_t now = (int64_t)time(NULL);

	if (sf_quarantines_load(run_dir, &q, err, sizeof(err)))
		return;
	size_t in_force = 0;

	for (size_t i = 0; i < q.n; i++)
		in_force += q.v[i].expires > now;
	sf_metrics_family(f, "smtpfence_quarantined", "gauge", "Tenants in quarantine now.");
	fprintf(f, "smtpfence_quarantined %zu\n", in_force);
	sf_metrics_family(f, "smtpfence_quarantine_expiry_timestamp_seconds", "gauge",
			  "Tenants in quarantine: when each quarantine ends (Unix time).");
	for (size_t i = 0; i < q.n; i++) {
		const struct sf_quarantine *e = &q.v[i];

		if (e->expires <= now)
			continue;
		snprintf(target, sizeof(target), "%s:%s", sf_target_kind_name(e->kind), e->value);
		sf_action_text(e->action, &e->rate, action, sizeof(action));
		fputs("smtpfence_quarantine_expiry_timestamp_seconds{target=\"", f);
		sf_metrics_label(f, target);
		fputs("\",action=\"", f);
		sf_metrics_label(f, action);
		fputs("\",reason=\"", f);
		sf_metrics_label(f, e->reason);
		fprintf(f, "\"} %lld\n", (long long)e->expires);
	}
	sf_quarantines_free(&q);
}

static void dnsbl(FILE *f, const char *run_dir)
{
	struct sf_dnsbl_state st;

	sf_dnsbl_state_load(run_dir, &st);
	if (!st.checked)
		return;
	sf_metrics_family(f, "smtpfence_dnsbl_listed", "gauge",
			  "1 when the address is listed on the zone at the last check.");
	for (size_t i = 0; i < st.n; i++) {
		fputs("smtpfence_dnsbl_listed{address=\"", f);
		sf_metrics_label(f, st.v[i].address);
		fputs("\",zone=\"", f);
		sf_metrics_label(f, st.v[i].zone);
		fprintf(f, "\"} %d\n", st.v[i].status == SF_DNSBL_LISTED);
	}
	sf_metrics_family(f, "smtpfence_dnsbl_last_check_timestamp_seconds", "gauge",
			  "When the blocklists were last checked (Unix time).");
	fprintf(f, "smtpfence_dnsbl_last_check_timestamp_seconds %lld\n", (long long)st.checked);
	sf_metrics_family(f, "smtpfence_dnsbl_errors_total", "counter",
			  "Blocklist queries answered with an error (127.255.255.x, SERVFAIL).");
	fprintf(f, "smtpfence_dnsbl_errors_total %llu\n", (unsigned long long)st.errors);
	sf_metrics_family(f, "smtpfence_dnsbl_timeouts_total", "counter",
			  "Blocklist queries the resolver did not answer in time.");
	fprintf(f, "smtpfence_dnsbl_timeouts_total %llu\n", (unsigned long long)st.timeouts);
	sf_dnsbl_state_free(&st);
}

void sf_metrics_abuse(FILE *f, const char *run_dir)
{
	quarantines(f, run_dir);
	dnsbl(f, run_dir);
}
