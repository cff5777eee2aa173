// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/http_metrics.h"
#include "daemon/peer_uid.h"
#include "policy/listen.h"
#include "util/log.h"
#include "policy/parse.h"

#include <errno.h>
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Scrapers are few and quick; a peer holds a slot for CONNECTION_TIMEOUT
 * at most, and one address (all of localhost) at most PER_PEER of them. */
#define SF_HTTP_CONNECTIONS  32
#define SF_HTTP_PER_PEER     8
#define SF_HTTP_IDLE_SECONDS 5

struct sf_http_metrics {
	struct MHD_Daemon *mhd;
	struct sf_metrics m;
	struct sf_metrics_access acl;
	struct sockaddr_storage local; /* the listen address */
	time_t last_refusal_log;
	int fd;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, char *body,
			     size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	static char not_found[] = "smtpfence: see /metrics\n";
	static char bad_method[] = "smtpfence: only GET and HEAD\n";
	static char failed[] = "smtpfence: failed to read the counters\n";
	struct sf_http_metrics *h = cls;
	char *text;
	size_t len;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, bad_method, sizeof(bad_method) - 1,
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
			     MHD_RESPMEM_PERSISTENT);
	if (sf_metrics_render(&h->m, &text, &len))
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, failed, sizeof(failed) - 1,
			     MHD_RESPMEM_PERSISTENT);
	return reply(conn, MHD_HTTP_OK, text, len, MHD_RESPMEM_MUST_FREE);
}

static bool is_wildcard(const struct sockaddr_storage *ss)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;

	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return !memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr, &any6, sizeof(any6));
}

static bool from_allowed_prefix(const struct sf_metrics_access *acl, const struct sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN], err[SF_ERR_LEN];
	struct sf_cidr peer;

	if (getnameinfo(sa,
			sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
						 : sizeof(struct sockaddr_in6),
			host, sizeof(host), NULL, 0, NI_NUMERICHOST) ||
	    sf_parse_cidr(host, &peer, err, sizeof(err)))
		return false;
	for (size_t i = 0; i < acl->n_from; i++) {
		const struct sf_cidr *c = &acl->from[i];
		unsigned int bits = c->prefixlen;

		if (c->family != peer.family)
			continue;
		if (!memcmp(c->addr, peer.addr, bits / 8) &&
		    (bits % 8 == 0 ||
		     !((c->addr[bits / 8] ^ peer.addr[bits / 8]) & (0xff00 >> (bits % 8)))))
			return true;
	}
	return false;
}

/* Before a byte is read: a local peer by the uid of its socket (from the
 * kernel), a remote one by its address. A refused peer is closed at once
 * and never holds a slot. */
static enum MHD_Result accept_peer(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct sf_http_metrics *h = cls;
	struct sockaddr_storage local = h->local;
	uid_t uid = (uid_t)-1;
	int err;

	(void)addrlen;
	if (is_wildcard(&local)) { /* a local client's source is the address it called */
		in_port_t port = local.ss_family == AF_INET
					 ? ((struct sockaddr_in *)&local)->sin_port
					 : ((struct sockaddr_in6 *)&local)->sin6_port;

		memcpy(&local, addr,
		       addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
						  : sizeof(struct sockaddr_in6));
		if (local.ss_family == AF_INET)
			((struct sockaddr_in *)&local)->sin_port = port;
		else
			((struct sockaddr_in6 *)&local)->sin6_port = port;
	}
	err = sf_peer_uid(addr, (struct sockaddr *)&local, &uid);
	if (!err) {
		for (size_t i = 0; i < h->acl.n_uids; i++)
			if (h->acl.uids[i] == uid)
				return MHD_YES;
	} else if (err == -ENOENT && from_allowed_prefix(&h->acl, addr)) {
		return MHD_YES;
	}
	if (time(NULL) - h->last_refusal_log >= 60) {
		h->last_refusal_log = time(NULL);
		if (!err)
			sf_warn("metrics: refused a scrape by uid %u (not in metrics_allow_users; "
				"further refusals are not logged for a minute)",
				(unsigned int)uid);
		else
			sf_warn("metrics: refused a scrape from a peer not in metrics_allow_from "
				"(further refusals are not logged for a minute)");
	}
	return MHD_NO;
}

/* Our own socket: a busy port is reported with its errno. */
static int open_listener(const char *address, struct sockaddr_storage *local, int *fd)
{
	struct sockaddr_storage ss;
	char err[SF_ERR_LEN];
	socklen_t len;
	int one = 1;

	if (sf_parse_listen(address, &ss, err, sizeof(err)) || ss.ss_family == AF_UNSPEC)
		return -EINVAL;
	*local = ss;
	len = ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	*fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return -errno;
	setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(*fd, (struct sockaddr *)&ss, len) || listen(*fd, 32)) {
		int e = -errno;

		close(*fd);
		*fd = -1;
		return e;
	}
	return 0;
}

int sf_http_metrics_start(struct sf_http_metrics **out, const char *address,
			  const struct sf_metrics_access *acl, const struct sf_metrics *m)
{
	struct sf_http_metrics *h = calloc(1, sizeof(*h));
	int err;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->m = *m;
	h->acl = *acl;
	err = open_listener(address, &h->local, &h->fd);
	if (err) {
		free(h);
		return err;
	}
	h->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, accept_peer, h, on_request, h,
				  MHD_OPTION_LISTEN_SOCKET, h->fd, MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned int)SF_HTTP_CONNECTIONS,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				  (unsigned int)SF_HTTP_PER_PEER, MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)SF_HTTP_IDLE_SECONDS, MHD_OPTION_END);
	if (!h->mhd) {
		err = errno ? -errno : -EIO;
		close(h->fd);
		free(h);
		return err;
	}
	*out = h;
	return 0;
}

void sf_http_metrics_stop(struct sf_http_metrics *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd);       /* closes the listening socket too */
	sf_tenants_free(h->m.tenants); /* the server's own, since it started */
	free(h);
}
