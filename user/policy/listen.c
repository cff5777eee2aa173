// SPDX-License-Identifier: GPL-2.0-only
#include "policy/listen.h"
#include "policy/parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int sf_parse_listen(const char *s, struct sockaddr_storage *out, char *err, size_t errlen)
{
	struct sockaddr_storage ss = {.ss_family = AF_UNSPEC};
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	uint64_t port;
	size_t hlen;

	if (!strcmp(s, "off") || !*s)
		goto done;
	/* "[v6]:port" or "v4:port": the port follows the last colon. */
	colon = strrchr(s, ':');
	hlen = colon ? (size_t)(colon - s) : 0;
	if (!colon || hlen == 0 || hlen >= sizeof(host) ||
	    sf_parse_uint(colon + 1, 1, 65535, &port))
		goto bad;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (host[0] == '[' && host[hlen - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			goto bad;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			goto bad;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
	}
done:
	if (out)
		*out = ss;
	return 0;
bad:
	snprintf(err, errlen,
		 "invalid metrics_address '%s': expected ADDRESS:PORT ([ADDRESS]:PORT for IPv6) "
		 "or off",
		 s);
	return -EINVAL;
}
