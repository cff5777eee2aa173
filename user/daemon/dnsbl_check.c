// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/dnsbl_check.h"
#include "daemon/node_addresses.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct query {
	ares_channel ch;
	struct sf_dnsbl_result *r;
	char name[SF_DNSBL_ZONE_LEN + 80];
};

int sf_dnsbl_query_name(const char *address, const char *zone, char *buf, size_t len)
{
	unsigned char a[16];
	size_t o = 0;

	if (inet_pton(AF_INET, address, a) == 1) {
		o = (size_t)snprintf(buf, len, "%u.%u.%u.%u.%s", a[3], a[2], a[1], a[0], zone);
		return o < len ? 0 : -ENAMETOOLONG;
	}
	if (inet_pton(AF_INET6, address, a) != 1)
		return -EINVAL;
	for (int i = 15; i >= 0 && o < len; i--)
		o += (size_t)snprintf(buf + o, len - o, "%x.%x.", a[i] & 0xf, a[i] >> 4);
	if (o < len)
		o += (size_t)snprintf(buf + o, len - o, "%s", zone);
	return o < len ? 0 : -ENAMETOOLONG;
}

static void set_error(struct sf_dnsbl_result *r, int status, const char *what)
{
	r->status = status;
	snprintf(r->detail, sizeof(r->detail), "%s", what);
}

static void on_txt(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct query *q = arg;
	struct ares_txt_ext *txt = NULL;
	size_t o = 0;

	(void)timeouts;
	if (status == ARES_SUCCESS && ares_parse_txt_reply_ext(abuf, alen, &txt) == ARES_SUCCESS) {
		for (struct ares_txt_ext *t = txt; t && o < sizeof(q->r->detail) - 1; t = t->next)
			o += (size_t)snprintf(q->r->detail + o, sizeof(q->r->detail) - o, "%s%.*s",
					      o && t->record_start ? " " : "", (int)t->length,
					      (const char *)t->txt);
		ares_free_data(txt);
	}
	free(q);
}

static void on_a(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct query *q = arg;
	struct sf_dnsbl_result *r = q->r;
	struct ares_addrttl addrs[4];
	int n = 4;

	(void)timeouts;
	if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
		r->status = SF_DNSBL_CLEAN; /* NXDOMAIN (or no A record): not listed */
		free(q);
		return;
	}
	if (status == ARES_ETIMEOUT) {
		set_error(r, SF_DNSBL_TIMEOUT, "no answer from the resolver");
		free(q);
		return;
	}
	if (status != ARES_SUCCESS || ares_parse_a_reply(abuf, alen, NULL, addrs, &n) || n < 1) {
		set_error(r, SF_DNSBL_ERROR, status ? ares_strerror(status) : "malformed answer");
		free(q);
		return;
	}
	const unsigned char *b = (const unsigned char *)&addrs[0].ipaddr;

	inet_ntop(AF_INET, b, r->answer, sizeof(r->answer));
	if (b[0] == 127 && b[1] == 255 && b[2] == 255) {
		set_error(r, SF_DNSBL_ERROR,
			  b[3] == 254	? "refused: query through a public or open resolver"
			  : b[3] == 255 ? "refused: query volume over the limit"
					: "refused by the blocklist (127.255.255.x)");
		free(q);
		return;
	}
	if (b[0] != 127 || b[1] != 0 || b[2] != 0) {
		set_error(r, SF_DNSBL_ERROR, "unexpected answer: not 127.0.0.x");
		free(q);
		return;
	}
	r->status = SF_DNSBL_LISTED;
	ares_query(q->ch, q->name, C_IN, T_TXT, on_txt, q); /* the reason; q freed there */
}

/* Runs c-ares' sockets until every query (and its TXT follow-up) is done. */
static void wait_all(ares_channel ch)
{
	for (;;) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd fds[ARES_GETSOCK_MAXNUM];
		struct timeval tv, *tvp;
		/* c-ares' ARES_GETSOCK_WRITABLE shifts a signed 1 into the sign bit
		 * for the last socket: test the bits unsigned. */
		unsigned int bits = (unsigned int)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
		int n = 0;

		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			short ev =
				(short)(((bits >> i) & 1U ? POLLIN : 0) |
					((bits >> (i + ARES_GETSOCK_MAXNUM)) & 1U ? POLLOUT : 0));

			if (ev)
				fds[n++] = (struct pollfd){.fd = socks[i], .events = ev};
		}
		tvp = ares_timeout(ch, NULL, &tv);
		if (!n && !tvp)
			return; /* nothing queued */
		int ms = tvp ? (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) : 1000;

		if (poll(fds, (nfds_t)n, ms) <= 0) {
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
			continue;
		}
		for (int i = 0; i < n; i++)
			ares_process_fd(ch,
					fds[i].revents & (POLLIN | POLLERR | POLLHUP)
						? fds[i].fd
						: ARES_SOCKET_BAD,
					fds[i].revents & POLLOUT ? fds[i].fd : ARES_SOCKET_BAD);
	}
}

static int open_channel(const struct sf_dnsbl_config *c, ares_channel *ch)
{
	struct ares_options o = {.timeout = SF_DNSBL_TIMEOUT_MS,
				 .tries = SF_DNSBL_TRIES,
				 .lookups = (char *)"b",
				 .flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES};
	int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS | ARES_OPT_FLAGS;
	int st;

	/* With every option resolv.conf could set given, c-ares does not read
	 * /etc/resolv.conf at all: a configured resolver is the only one. */
	if (c->resolver[0]) {
		o.ndots = 1;
		mask |= ARES_OPT_SERVERS | ARES_OPT_DOMAINS | ARES_OPT_SORTLIST | ARES_OPT_NDOTS |
			ARES_OPT_NOROTATE;
	}
	st = ares_init_options(ch, &o, mask);
	if (st == ARES_SUCCESS && c->resolver[0])
		st = ares_set_servers_ports_csv(*ch, c->resolver);
	if (st != ARES_SUCCESS) {
		if (*ch)
			ares_destroy(*ch);
		*ch = NULL;
		return st == ARES_ENOMEM ? -ENOMEM : -EINVAL;
	}
	return 0;
}

int sf_dnsbl_check(const struct sf_dnsbl_config *c, struct sf_dnsbl_state *out)
{
	static char addrs[SF_DNSBL_MAX_ADDRESSES * 2][46]; /* one check at a time */
	struct timespec t0, t1;
	ares_channel ch = NULL;
	size_t n_addrs = 0;
	int err;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < c->n_addresses; i++)
		memcpy(addrs[n_addrs++], c->addresses[i], sizeof(addrs[0]));
	sf_node_addresses(addrs, &n_addrs, sizeof(addrs) / sizeof(addrs[0]));
	out->v = calloc(n_addrs * c->n_zones + 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	err = open_channel(c, &ch);
	if (err) {
		sf_dnsbl_state_free(out);
		return err;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t a = 0; a < n_addrs; a++) {
		for (size_t z = 0; z < c->n_zones; z++) {
			struct sf_dnsbl_result *r = &out->v[out->n++];
			struct query *q = calloc(1, sizeof(*q));

			memcpy(r->address, addrs[a], sizeof(r->address));
			snprintf(r->zone, sizeof(r->zone), "%s", c->zones[z]);
			if (!q ||
			    sf_dnsbl_query_name(addrs[a], c->zones[z], q->name, sizeof(q->name))) {
				set_error(r, SF_DNSBL_ERROR, "cannot make the query name");
				free(q);
				continue;
			}
			q->ch = ch;
			q->r = r;
			ares_query(ch, q->name, C_IN, T_A, on_a, q);
		}
	}
	wait_all(ch);
	ares_destroy(ch);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->checked = (int64_t)time(NULL);
	out->duration_ms =
		(uint32_t)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	return 0;
}
