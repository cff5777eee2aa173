// SPDX-License-Identifier: GPL-2.0-only
#include "view/top_text.h"
#include "util/clock.h"

#include <langinfo.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void rate_text(bool has, double v, char *buf, size_t len)
{
	if (!has)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", v);
}

void sf_top_text_header(const struct sf_top_model *m, const struct sf_top_state *st,
			char lines[SF_TOP_HEADER_LINES][SF_TOP_LINE])
{
	const struct sf_top_header *h = sf_top_model_header(m);
	const struct sf_counters *c = &h->totals.c;
	char now[16], a[24], d[24], l[24];
	const char *filter = sf_top_model_filter_text(m);
	time_t t = time(NULL);
	struct tm tm;
	size_t shown;

	localtime_r(&t, &tm);
	strftime(now, sizeof(now), "%H:%M:%S", &tm);
	sf_top_model_rows(m, &shown);
	rate_text(h->has_rate, h->attempts_s, a, sizeof(a));
	rate_text(h->has_rate, h->denied_s, d, sizeof(d));
	rate_text(h->has_rate, h->limited_s, l, sizeof(l));
	snprintf(lines[0], SF_TOP_LINE, "smtpfence top - %s  every %.1f s%s  by %s  sorted by %s%s",
		 now, st->interval_s, st->paused ? " (paused)" : "",
		 sf_top_model_grouping(m) == SF_BY_USER ? "user" : "tenant",
		 sf_top_sort_label(sf_top_model_sort_column(m)),
		 sf_top_model_sort_reversed(m) ? " (reversed)" : "");
	snprintf(lines[1], SF_TOP_LINE,
		 "Connects: %llu total, %s/s | allowed %llu | denied %llu, %s/s | limited %llu, "
		 "%s/s | redirected %llu | bypass %llu | forwarded %llu",
		 (unsigned long long)c->attempts, a, (unsigned long long)c->allowed,
		 (unsigned long long)c->denied, d, (unsigned long long)c->limited, l,
		 (unsigned long long)c->redirected, (unsigned long long)c->bypass,
		 (unsigned long long)h->totals.forwarded);
	snprintf(lines[2], SF_TOP_LINE,
		 "Rules: %zu of %zu (cgroup %zu, uid %zu, gid %zu, source %zu, default %zu) | "
		 "flows: %zu of %zu (%.1f%%) | events lost: %llu | daemon events: %s",
		 h->n_rules, h->max_rules, h->rules_per_kind[SF_KIND_CGROUP],
		 h->rules_per_kind[SF_KIND_UID], h->rules_per_kind[SF_KIND_GID],
		 h->rules_per_kind[SF_KIND_SOURCE], h->rules_per_kind[SF_KIND_DEFAULT], h->n_flows,
		 h->max_flows,
		 h->max_flows ? 100.0 * (double)h->n_flows / (double)h->max_flows : 0.0,
		 (unsigned long long)h->totals.events_lost,
		 h->events_live ? "live" : "not running");
	snprintf(lines[3], SF_TOP_LINE, "Tenants: %zu shown of %zu%s%s%s", shown, h->n_tenants,
		 *filter ? "  filter: \"" : "", filter, *filter ? "\"" : "");
}

int sf_top_text_tenant_width(const struct sf_top_row *rows, size_t n, int max)
{
	int w = 6;

	for (size_t i = 0; i < n; i++) {
		int len = (int)strlen(rows[i].sum->tenant);

		if (len > w)
			w = len;
	}
	return w < max ? w : max;
}

/* The locale's characters are UTF-8 (the trend draws blocks, not ASCII). */
static bool locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && !strcmp(cs, "UTF-8");
}

void sf_top_text_titles(int tenant_w, char *buf, size_t len)
{
	snprintf(buf, len,
		 "%-*s %-11s %8s %8s %8s %9s %9s %9s %10s %9s %10s %-12s %-22s %-22s %-8s %s",
		 tenant_w, "TENANT", "ACTION", "ATT/s", "DENY/s", "LIM/s", "ATTEMPTS", "DENIED",
		 "LIMITED", "REDIRECTED", "MESSAGES", "RECIPIENTS", "USER", "LAST DESTINATION",
		 "LAST PROCESS", "LAST", "TREND 1m");
}

void sf_top_text_row(const struct sf_top_row *r, int tenant_w, char *buf, size_t len)
{
	char a[24], d[24], l[24], last[16], trend[SF_TOP_TREND_WIDTH * 4 + 1];
	const char *tenant = r->sum->tenant;
	int tlen = (int)strlen(tenant);

	rate_text(r->has_rate, r->attempts_s, a, sizeof(a));
	rate_text(r->has_rate, r->denied_s, d, sizeof(d));
	rate_text(r->has_rate, r->limited_s, l, sizeof(l));
	sf_format_clock(r->sum->last_ns, last, sizeof(last));
	sf_top_sparkline(r->trend, r->n_trend, SF_TOP_TREND_WIDTH, locale_utf8(), trend,
			 sizeof(trend));
	/* A long tenant keeps its end: the unit name is what tells tenants apart. */
	if (tlen > tenant_w)
		tenant += tlen - tenant_w;
	/* the trend last: it is its width in columns, not in bytes */
	snprintf(buf, len,
		 "%-*s %-11s %8s %8s %8s %9llu %9llu %9llu %10llu %9llu %10llu %-12s %-22s %-22s "
		 "%-8s %s",
		 tenant_w, tenant, sf_top_row_action(r), a, d, l,
		 (unsigned long long)r->sum->c.attempts, (unsigned long long)r->sum->c.denied,
		 (unsigned long long)r->sum->c.limited, (unsigned long long)r->sum->c.redirected,
		 (unsigned long long)r->messages, (unsigned long long)r->recipients, r->user,
		 r->dest, r->process, last, trend);
}
