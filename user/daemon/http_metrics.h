/* SPDX-License-Identifier: GPL-2.0-only */
/* The daemon's metrics endpoint: GET /metrics over HTTP (libmicrohttpd,
 * in its own thread), the same text `smtpfence metrics` prints. */
#ifndef SF_HTTP_METRICS_H
#define SF_HTTP_METRICS_H

#include "policy/listen.h"
#include "view/metrics.h"

struct sf_http_metrics;

/* Listens on address ("127.0.0.1:9465", "[::1]:9465") for the peers acl
 * names (copied; see struct sf_metrics_access). m is copied; its
 * tenants must be used by this server alone, which frees them when it stops
 * (after a failed start they are still the caller's). 0 or -errno. */
int sf_http_metrics_start(struct sf_http_metrics **out, const char *address,
			  const struct sf_metrics_access *acl, const struct sf_metrics *m);
void sf_http_metrics_stop(struct sf_http_metrics *h);

#endif /* SF_HTTP_METRICS_H */
