// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/dnsbl_watch.h"
#include "daemon/alerts.h"
#include "daemon/dnsbl_check.h"
#include "policy/dnsbl_state.h"
#include "util/json_out.h"
#include "util/log.h"
#include "util/walltime.h"

#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

struct sf_dnsbl_watch {
	const struct sf_ctx *ctx;
	struct sf_observe *obs;
	struct sf_dnsbl_config cfg;
	struct sf_dnsbl_state last; /* the previous check (also from before a restart) */
	bool running, requested, configured;
	pthread_t thread;
	int efd;
	/* The worker's own copy and result: touched by it only while running. */
	struct sf_dnsbl_config job_cfg;
	struct sf_dnsbl_state job_out;
	int job_err;
	uint64_t next_ms; /* CLOCK_MONOTONIC */
	uint64_t checks, errors, timeouts;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *worker(void *arg)
{
	struct sf_dnsbl_watch *w = arg;
	uint64_t one = 1;

	w->job_err = sf_dnsbl_check(&w->job_cfg, &w->job_out);
	if (write(w->efd, &one, sizeof(one)) != sizeof(one))
		sf_warn("failed to signal the end of a blocklist check");
	return NULL;
}

struct sf_dnsbl_watch *sf_dnsbl_watch_new(const struct sf_ctx *ctx, struct sf_observe *obs)
{
	struct sf_dnsbl_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->ctx = ctx;
	w->obs = obs;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		free(w);
		return NULL;
	}
	sf_dnsbl_state_load(ctx->run_dir, &w->last);
	return w;
}

void sf_dnsbl_watch_configure(struct sf_dnsbl_watch *w, const struct sf_dnsbl_config *c)
{
	bool changed = !w->configured || memcmp(&w->cfg, c, sizeof(*c));

	w->cfg = *c;
	w->configured = true;
	if (changed)
		w->next_ms = 0; /* what is watched changed: check at once */
}

int sf_dnsbl_watch_fd(const struct sf_dnsbl_watch *w)
{
	return w->efd;
}

void sf_dnsbl_watch_now(struct sf_dnsbl_watch *w)
{
	w->requested = true;
}

void sf_dnsbl_watch_tick(struct sf_dnsbl_watch *w)
{
	if (w->running || !w->cfg.n_zones || (!w->requested && mono_ms() < w->next_ms))
		return;
	w->job_cfg = w->cfg;
	w->requested = false;
	w->next_ms = mono_ms() + (uint64_t)w->cfg.interval_s * 1000;
	if (pthread_create(&w->thread, NULL, worker, w)) {
		sf_warn("failed to start a blocklist check: %s", strerror(errno));
		return;
	}
	w->running = true;
}

static void publish(struct sf_dnsbl_watch *w, const struct sf_dnsbl_result *r, const char *event,
		    const char *msg)
{
	json_object *o = json_object_new_object();
	char now[40];

	sf_format_utc((int64_t)time(NULL), now, sizeof(now));
	json_object_object_add(o, "type", json_object_new_string("dnsbl"));
	json_object_object_add(o, "time", json_object_new_string(now));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "address", json_object_new_string(r->address));
	json_object_object_add(o, "zone", json_object_new_string(r->zone));
	json_object_object_add(o, "answer", json_object_new_string(r->answer));
	json_object_object_add(o, "message", json_object_new_string(msg));
	sf_observe_publish(w->obs, sf_json_string(o));
	json_object_put(o);
}

static void listed(struct sf_dnsbl_watch *w, const struct sf_dnsbl_result *r)
{
	char msg[1024], *vars[6];
	size_t n = 0;

	snprintf(msg, sizeof(msg), "dnsbl: %s is listed on %s (%s%s%s)", r->address, r->zone,
		 r->answer, r->detail[0] ? ": " : "", r->detail);
	n += asprintf(&vars[n], "SMTPFENCE_ALERT=dnsbl_listed") >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_ADDRESS=%s", r->address) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_ZONE=%s", r->zone) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_ANSWER=%s", r->answer) >= 0;
	n += asprintf(&vars[n], "SMTPFENCE_REASON=%s", r->detail) >= 0;
	sf_alerts_notify(sf_observe_alerts(w->obs), msg, vars, n);
	for (size_t i = 0; i < n; i++)
		free(vars[i]);
	publish(w, r, "listed", msg);
}

/* Compares with the previous check: new listings alert, ended ones are said. */
static void compare(struct sf_dnsbl_watch *w, struct sf_dnsbl_state *cur)
{
	for (size_t i = 0; i < cur->n; i++) {
		struct sf_dnsbl_result *r = &cur->v[i];
		const struct sf_dnsbl_result *old =
			sf_dnsbl_state_find(&w->last, r->address, r->zone);

		if (r->status == SF_DNSBL_LISTED) {
			if (old && old->status == SF_DNSBL_LISTED) {
				r->listed_since = old->listed_since;
				continue;
			}
			r->listed_since = cur->checked;
			listed(w, r);
		} else if (r->status == SF_DNSBL_CLEAN && old && old->status == SF_DNSBL_LISTED) {
			char msg[512];

			snprintf(msg, sizeof(msg), "dnsbl: %s is no longer listed on %s",
				 r->address, r->zone);
			sf_info("%s", msg);
			publish(w, r, "delisted", msg);
		} else if (r->status == SF_DNSBL_ERROR || r->status == SF_DNSBL_TIMEOUT) {
			/* an error says nothing about the listing: keep what was known */
			if (old && old->status == SF_DNSBL_LISTED)
				r->listed_since = old->listed_since;
			sf_warn("dnsbl: %s on %s: %s: %s", r->address, r->zone,
				sf_dnsbl_status_name(r->status), r->detail);
		}
	}
}

bool sf_dnsbl_watch_done(struct sf_dnsbl_watch *w)
{
	uint64_t v;
	bool was, now;
	int err;

	if (read(w->efd, &v, sizeof(v)) != sizeof(v) || !w->running)
		return false;
	pthread_join(w->thread, NULL);
	w->running = false;
	if (w->job_err) {
		sf_warn("blocklist check failed: %s", strerror(-w->job_err));
		return false;
	}
	struct sf_dnsbl_state *cur = &w->job_out;

	w->checks++;
	for (size_t i = 0; i < cur->n; i++) {
		w->errors += cur->v[i].status == SF_DNSBL_ERROR;
		w->timeouts += cur->v[i].status == SF_DNSBL_TIMEOUT;
	}
	cur->checks = w->checks;
	cur->errors = w->errors;
	cur->timeouts = w->timeouts;
	compare(w, cur);
	was = sf_dnsbl_state_listed(&w->last);
	now = sf_dnsbl_state_listed(cur);
	err = sf_dnsbl_state_save(w->ctx->run_dir, cur);
	if (err)
		sf_warn("failed to write %s/%s: %s", w->ctx->run_dir, SF_DNSBL_FILE,
			strerror(-err));
	sf_dnsbl_state_free(&w->last);
	w->last = *cur;
	memset(cur, 0, sizeof(*cur));
	sf_info("dnsbl: checked %zu address/zone pairs in %u ms: %s", w->last.n,
		w->last.duration_ms, now ? "listed" : "not listed");
	return was != now;
}

void sf_dnsbl_watch_free(struct sf_dnsbl_watch *w)
{
	if (!w)
		return;
	if (w->running) {
		pthread_join(w->thread, NULL);
		sf_dnsbl_state_free(&w->job_out);
	}
	sf_dnsbl_state_free(&w->last);
	close(w->efd);
	free(w);
}
