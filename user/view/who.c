// SPDX-License-Identifier: GPL-2.0-only
#include "view/who.h"
#include "kernel/peers.h"
#include "view/format.h"
#include "view/tenants.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sf_who_parse_address(const char *text, int *family, uint8_t addr[16])
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(addr, 0, 16);
	if (inet_pton(AF_INET, text, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, addr) != 1)
		return -EINVAL;
	*family = AF_INET6;
	if (!memcmp(addr, mapped, sizeof(mapped))) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = AF_INET;
	}
	return 0;
}

int sf_who_parse_client(const char *text, int *family, uint8_t addr[16], uint16_t *port, char *err,
			size_t errlen)
{
	const char *colon = strrchr(text, ':');
	char host[INET6_ADDRSTRLEN + 2], *end;
	size_t n = colon ? (size_t)(colon - text) : 0;
	unsigned long p;

	if (n && text[0] == '[') {
		if (n < 3 || text[n - 1] != ']')
			goto bad;
		text++;
		n -= 2;
	} else if (n && memchr(text, ':', n)) {
		goto bad; /* a bare IPv6 address: its port is ambiguous */
	}
	if (!n || n >= sizeof(host))
		goto bad;
	memcpy(host, text, n);
	host[n] = '\0';
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (sf_who_parse_address(host, family, addr) || !colon[1] || *end || errno || !p ||
	    p > 65535)
		goto bad;
	*port = (uint16_t)p;
	return 0;
bad:
	snprintf(err, errlen,
		 "invalid client '%s': expected ADDRESS:PORT or [IPV6]:PORT, as the MTA logged it",
		 text);
	return -EINVAL;
}

int sf_who_find(struct sf_tenants *t, int peers_fd, uint64_t netns, int family,
		const uint8_t addr[16], uint16_t port, const struct sf_redirect *server,
		struct sf_who *w)
{
	struct sf_peer_key k;
	int err;

	memset(w, 0, sizeof(*w));
	sf_peer_key_make(netns, family, addr, port, &k);
	sf_format_dest((__u16)family, k.saddr, k.sport, w->client, sizeof(w->client));
	err = sf_peer_find(peers_fd, &k, server, &w->peer);
	if (err)
		return err;
	snprintf(w->tenant, sizeof(w->tenant), "%s",
		 sf_tenants_of(t, SF_BY_TENANT, w->peer.cgroup_id, w->peer.uid));
	snprintf(w->cgroup, sizeof(w->cgroup), "%s", sf_tenants_cgroup(t, w->peer.cgroup_id));
	snprintf(w->user, sizeof(w->user), "%s", sf_tenants_user(t, w->peer.uid));
	if (w->peer.pid)
		snprintf(w->process, sizeof(w->process), "%.*s[%u]", SF_COMM_LEN, w->peer.comm,
			 w->peer.pid);
	else /* found from its socket, no record of the process */
		snprintf(w->process, sizeof(w->process), "unknown");
	if (w->peer.redirected)
		sf_format_dest(w->peer.orig.family, w->peer.orig.daddr, w->peer.orig.dport, w->orig,
			       sizeof(w->orig));
	return 0;
}
