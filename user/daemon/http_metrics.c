// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/http_metrics.h"
#include "policy/listen.h"
#include "util/log.h"
#include "policy/parse.h"

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct sf_http_metrics {
	struct MHD_Daemon *mhd;
	struct sf_metrics m;
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

/* Our own socket: a busy port is reported with its errno. */
static int open_listener(const char *address, int *fd)
{
	struct sockaddr_storage ss;
	char err[SF_ERR_LEN];
	socklen_t len;
	int one = 1;

	if (sf_parse_listen(address, &ss, err, sizeof(err)) || ss.ss_family == AF_UNSPEC)
		return -EINVAL;
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
			  const struct sf_metrics *m)
{
	struct sf_http_metrics *h = calloc(1, sizeof(*h));
	int err;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->m = *m;
	err = open_listener(address, &h->fd);
	if (err) {
		free(h);
		return err;
	}
	h->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_LISTEN_SOCKET, h->fd, MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned int)16, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				  MHD_OPTION_END);
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
