// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/node_addresses.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static bool v4_global(const unsigned char *a)
{
	return a[0] != 0 && a[0] != 127 && !(a[0] == 169 && a[1] == 254) && a[0] < 224;
}

static bool v6_global(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	       !IN6_IS_ADDR_LINKLOCAL(a) && !IN6_IS_ADDR_SITELOCAL(a) &&
	       !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_V4MAPPED(a);
}

bool sf_address_is_global(const char *text)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, text, &a4) == 1)
		return v4_global((const unsigned char *)&a4);
	return inet_pton(AF_INET6, text, &a6) == 1 && v6_global(&a6);
}

static void add(char (*out)[46], size_t *n, size_t max, const char *text)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(out[i], text))
			return;
	if (*n < max)
		snprintf(out[(*n)++], 46, "%s", text);
}

int sf_node_addresses(char (*out)[46], size_t *n, size_t max)
{
	struct ifaddrs *list, *ifa;
	char text[INET6_ADDRSTRLEN];

	if (getifaddrs(&list))
		return -errno;
	for (ifa = list; ifa; ifa = ifa->ifa_next) {
		const struct sockaddr *sa = ifa->ifa_addr;

		if (!sa)
			continue;
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *s4 = (const void *)sa;

			if (!v4_global((const unsigned char *)&s4->sin_addr))
				continue;
			inet_ntop(AF_INET, &s4->sin_addr, text, sizeof(text));
		} else if (sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const void *)sa;

			if (!v6_global(&s6->sin6_addr))
				continue;
			inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
		} else {
			continue;
		}
		add(out, n, max, text);
	}
	freeifaddrs(list);
	return 0;
}
