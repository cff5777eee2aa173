// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/observe.h"
#include "daemon/alerts.h"
#include "daemon/event_hub.h"
#include "daemon/event_log.h"
#include "daemon/event_record.h"
#include "util/clock.h"
#include "daemon/http_metrics.h"
#include "util/json_out.h"
#include "util/log.h"
#include "view/abuse_metrics.h"
#include "view/mail_metrics.h"
#include "view/metrics.h"
#include "view/tenants.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TENANT_REFRESH_NS (10 * 1000000000ULL) /* rules may change without a reload */

struct sf_observe {
	const struct sf_ctx *ctx;
	const struct sf_maps *maps;
	char mount[PATH_MAX];
	struct sf_tenants *tenants;
	struct sf_event_log *log;
	struct sf_alerts *alerts;
	struct sf_event_hub *hub;
	bool hub_tried;
	struct sf_metrics_access http_acl;
	struct sf_http_metrics *http;
	char http_address[SF_LISTEN_LEN];
	unsigned int http_top;
	__u64 tenants_at;
	struct sf_event_record record; /* the event being handled (event loop only) */
	/* Written by the main thread, read by the endpoint's: atomics. */
	int last_reload_ok;
	long long last_reload_at; /* seconds since the epoch */
};

struct sf_observe *sf_observe_new(const struct sf_ctx *ctx)
{
	struct sf_observe *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->ctx = ctx;
	o->log = sf_event_log_new(SF_DEFAULT_LOG_CONDENSE_SECONDS);
	o->alerts = o->log ? sf_alerts_new(o->log) : NULL;
	if (!o->alerts) {
		sf_observe_free(o);
		return NULL;
	}
	return o;
}

/* What only the daemon counts, appended to the endpoint's exposition. */
static void daemon_metrics(FILE *f, void *arg)
{
	const struct sf_observe *o = arg;
	struct sf_event_log_stats st;

	sf_event_log_stats(o->log, &st);
	sf_metrics_family(f, "smtpfence_events_logged_total", "counter",
			  "Event records the daemon logged.");
	fprintf(f, "smtpfence_events_logged_total %llu\n", (unsigned long long)st.logged);
	sf_metrics_family(f, "smtpfence_events_suppressed_total", "counter",
			  "Identical events folded into 'suppressed N' log records.");
	fprintf(f, "smtpfence_events_suppressed_total %llu\n", (unsigned long long)st.suppressed);
	sf_metrics_family(f, "smtpfence_subscriber_events_lost_total", "counter",
			  "Events a too slow 'events -f' reader did not get (and was told).");
	fprintf(f, "smtpfence_subscriber_events_lost_total %llu\n",
		(unsigned long long)(o->hub ? sf_event_hub_lost(o->hub) : 0));
	sf_metrics_family(f, "smtpfence_last_reload_success", "gauge",
			  "1 when the last configuration load (start or reload) was applied.");
	fprintf(f, "smtpfence_last_reload_success %d\n",
		__atomic_load_n(&o->last_reload_ok, __ATOMIC_RELAXED));
	sf_metrics_family(f, "smtpfence_last_reload_timestamp_seconds", "gauge",
			  "When the last configuration load (start or reload) was tried.");
	fprintf(f, "smtpfence_last_reload_timestamp_seconds %lld\n",
		__atomic_load_n(&o->last_reload_at, __ATOMIC_RELAXED));
	sf_metrics_family(f, "smtpfence_alerts_total", "counter", "Alerts fired.");
	fprintf(f, "smtpfence_alerts_total %llu\n", (unsigned long long)sf_alerts_fired(o->alerts));
	sf_metrics_abuse(f, o->ctx->run_dir);
	sf_metrics_mail(f, o->ctx->run_dir);
}

static void configure_http(struct sf_observe *o, const struct sf_policy *p)
{
	struct sf_metrics m = {.maps = o->maps,
			       .pin_dir = o->ctx->pin_dir,
			       .top_tenants = p->metrics_top_tenants,
			       .extra = daemon_metrics,
			       .extra_arg = o};
	int err;

	if (o->http && !strcmp(o->http_address, p->metrics_address) &&
	    o->http_top == p->metrics_top_tenants &&
	    !memcmp(&o->http_acl, &p->metrics_access, sizeof(o->http_acl)))
		return;
	sf_http_metrics_stop(o->http);
	o->http = NULL;
	snprintf(o->http_address, sizeof(o->http_address), "%s", p->metrics_address);
	o->http_top = p->metrics_top_tenants;
	o->http_acl = p->metrics_access;
	if (!p->metrics_address[0])
		return;
	/* The endpoint's thread gets its own name cache. */
	m.tenants = sf_tenants_new(o->mount);
	err = m.tenants
		      ? sf_http_metrics_start(&o->http, p->metrics_address, &p->metrics_access, &m)
		      : -ENOMEM;
	if (err) {
		sf_tenants_free(m.tenants);
		sf_err("failed to serve metrics on %s: %s", p->metrics_address, strerror(-err));
		return;
	}
	sf_info("serving metrics on http://%s/metrics", p->metrics_address);
}

static void refresh_tenants(struct sf_observe *o)
{
	int err = sf_tenants_load_rules(o->tenants, o->maps->rules, o->maps->gen, NULL);

	if (err)
		sf_warn("failed to read the rules for tenant names: %s", strerror(-err));
	o->tenants_at = sf_boot_now_ns();
}

void sf_observe_configure(struct sf_observe *o, const struct sf_policy *p, const struct sf_maps *m,
			  const char *cgroup_mount)
{
	int err;

	o->maps = m;
	if (!o->tenants) {
		snprintf(o->mount, sizeof(o->mount), "%s", cgroup_mount);
		o->tenants = sf_tenants_new(cgroup_mount);
		if (!o->tenants)
			return;
	}
	refresh_tenants(o);
	sf_event_log_set_window(o->log, p->log_condense_seconds);
	sf_alerts_configure(o->alerts, p->alert_denied_per_min, p->alert_limited_per_min,
			    p->alert_command);
	sf_alerts_configure_mail(o->alerts, p->alert_messages_per_min,
				 p->alert_recipients_per_min, p->alert_deferred_per_min);
	if (!o->hub_tried) {
		o->hub_tried = true;
		err = sf_event_hub_open(&o->hub, o->ctx->run_dir, SF_EVENT_HISTORY);
		if (err)
			sf_err("failed to open the event socket in %s: %s%s", o->ctx->run_dir,
			       strerror(-err),
			       err == -EADDRINUSE ? " (another daemon serves it)" : "");
	}
	configure_http(o, p);
}

int sf_observe_fd(const struct sf_observe *o)
{
	return o->hub ? sf_event_hub_fd(o->hub) : -1;
}

void sf_observe_io(struct sf_observe *o)
{
	if (o->hub)
		sf_event_hub_io(o->hub);
}

void sf_observe_event(struct sf_observe *o, const void *data, size_t size)
{
	struct sf_event_record *r = &o->record;
	struct sf_event e;

	if (size < sizeof(e) || !o->tenants)
		return;
	memcpy(&e, data, sizeof(e));
	sf_event_record_fill(o->tenants, &e, r);
	sf_event_log_event(o->log, r);
	sf_alerts_event(o->alerts, r);
	if (o->hub) {
		json_object *j = sf_event_record_json(r);

		sf_event_hub_publish(o->hub, sf_json_string(j));
		json_object_put(j);
	}
}

void sf_observe_tick(struct sf_observe *o)
{
	__u64 now = sf_boot_now_ns();

	sf_event_log_flush(o->log, now, false);
	sf_alerts_tick(o->alerts, now);
	if (o->tenants && now - o->tenants_at >= TENANT_REFRESH_NS)
		refresh_tenants(o);
}

struct sf_alerts *sf_observe_alerts(struct sf_observe *o)
{
	return o->alerts;
}

void sf_observe_publish(struct sf_observe *o, const char *json)
{
	if (o->hub)
		sf_event_hub_publish(o->hub, json);
}

void sf_observe_reloaded(struct sf_observe *o, bool ok)
{
	__atomic_store_n(&o->last_reload_ok, ok, __ATOMIC_RELAXED);
	__atomic_store_n(&o->last_reload_at, (long long)time(NULL), __ATOMIC_RELAXED);
}

void sf_observe_free(struct sf_observe *o)
{
	if (!o)
		return;
	sf_http_metrics_stop(o->http);
	sf_event_hub_close(o->hub);
	sf_alerts_free(o->alerts);
	sf_event_log_free(o->log);
	sf_tenants_free(o->tenants);
	free(o);
}
