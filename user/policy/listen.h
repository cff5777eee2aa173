/* SPDX-License-Identifier: GPL-2.0-only */
/* The metrics endpoint's listen address as the user writes it:
 * "127.0.0.1:9465", "[::1]:9465", "0.0.0.0:9465" or "off". */
#ifndef SF_LISTEN_H
#define SF_LISTEN_H

#include "policy/parse.h"

#include <stddef.h>
#include <sys/socket.h>

#define SF_LISTEN_LEN			64
#define SF_DEFAULT_METRICS_ADDRESS	"127.0.0.1:9465"
#define SF_DEFAULT_METRICS_TOP_TENANTS	20
#define SF_DEFAULT_LOG_CONDENSE_SECONDS 10

#define SF_METRICS_ACL_MAX 32

/* Who may read the metrics endpoint: local peers by the uid the kernel
 * knows their socket by (`metrics_allow_users`, root when not set), remote
 * peers by address (`metrics_allow_from`, none when not set). */
struct sf_metrics_access {
	unsigned int uids[SF_METRICS_ACL_MAX];
	size_t n_uids;
	struct sf_cidr from[SF_METRICS_ACL_MAX];
	size_t n_from;
};

/* 0, or -EINVAL with a message naming the address. "off" parses, and
 * leaves *out with family AF_UNSPEC. out may be NULL (validation only). */
int sf_parse_listen(const char *s, struct sockaddr_storage *out, char *err, size_t errlen);

#endif /* SF_LISTEN_H */
