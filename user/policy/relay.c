// SPDX-License-Identifier: GPL-2.0-only
#include "policy/relay.h"
#include "policy/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void sf_relay_default(struct sf_relay *r)
{
	struct in_addr lo4 = {.s_addr = htonl(INADDR_LOOPBACK)};

	memcpy(r->addr4, &lo4, 4);
	memcpy(r->addr6, &in6addr_loopback, 16);
	r->port4 = r->port6 = htons(25);
}

/* Each family once. */
static int first_of_family(bool *seen, const char *w, const char *family, char *err, size_t errlen)
{
	if (*seen) {
		snprintf(err, errlen, "relay '%s': one %s relay only", w, family);
		return -EINVAL;
	}
	*seen = true;
	return 0;
}

static int relay_word(const char *w, struct sf_relay *r, bool *seen4, bool *seen6, char *err,
		      size_t errlen)
{
	struct sockaddr_storage ss;
	char sub[SF_ERR_LEN];

	if (sf_parse_listen(w, &ss, sub, sizeof(sub)) || ss.ss_family == AF_UNSPEC) {
		snprintf(err, errlen,
			 "invalid relay '%s': expected ADDRESS:PORT ([ADDRESS]:PORT for IPv6)", w);
		return -EINVAL;
	}
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

		if (first_of_family(seen4, w, "IPv4", err, errlen))
			return -EINVAL;
		memcpy(r->addr4, &a->sin_addr, 4);
		r->port4 = a->sin_port;
		return 0;
	}
	const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

	if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
		/* A v4-mapped connect already goes to the IPv4 relay. */
		snprintf(err, errlen, "relay '%s': write the IPv4 address as IPv4", w);
		return -EINVAL;
	}
	if (first_of_family(seen6, w, "IPv6", err, errlen))
		return -EINVAL;
	memcpy(r->addr6, &a->sin6_addr, 16);
	r->port6 = a->sin6_port;
	return 0;
}

int sf_parse_relay(const char *value, struct sf_relay *r, char *err, size_t errlen)
{
	char buf[256], *save = NULL;
	bool seen4 = false, seen6 = false;
	struct sf_relay out = *r;
	int n = 0;

	if (strlen(value) >= sizeof(buf)) {
		snprintf(err, errlen, "relay: value too long");
		return -EINVAL;
	}
	strcpy(buf, value);
	for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save), n++)
		if (relay_word(w, &out, &seen4, &seen6, err, errlen))
			return -EINVAL;
	if (!n) {
		snprintf(err, errlen, "relay: expected HOST:PORT [HOST:PORT]");
		return -EINVAL;
	}
	*r = out;
	return 0;
}
