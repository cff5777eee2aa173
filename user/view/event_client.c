// SPDX-License-Identifier: GPL-2.0-only
#include "view/event_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LINE_MAX_LEN 65536

struct sf_event_client {
	int fd;
	bool nonblock;
	bool eof;
	size_t len;
	char buf[LINE_MAX_LEN];
};

int sf_event_client_open(struct sf_event_client **out, const char *run_dir, bool follow,
			 bool nonblock)
{
	return sf_event_client_request(out, run_dir, follow ? "follow" : "history", nonblock);
}

int sf_event_client_request(struct sf_event_client **out, const char *run_dir, const char *word,
			    bool nonblock)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char req[16];
	struct sf_event_client *c;
	int err = 0;

	*out = NULL;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", run_dir, SF_EVENTS_SOCKET) >=
	    (int)sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	snprintf(req, sizeof(req), "%s\n", word);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->nonblock = nonblock;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    send(c->fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		err = -errno;
	if (err) {
		sf_event_client_close(c);
		return err;
	}
	*out = c;
	return 0;
}

int sf_event_client_next(struct sf_event_client *c, json_object **o)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t n;

		if (nl) {
			size_t used = (size_t)(nl - c->buf) + 1;

			*nl = '\0';
			*o = json_tokener_parse(c->buf);
			memmove(c->buf, c->buf + used, c->len - used);
			c->len -= used;
			if (*o)
				return 1;
			return -EPROTO;
		}
		if (c->eof)
			return -EPIPE;
		if (c->len == sizeof(c->buf))
			return -EMSGSIZE;
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len,
			 c->nonblock ? MSG_DONTWAIT : 0);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		if (n == 0)
			c->eof = true;
		c->len += (size_t)n;
	}
}

void sf_event_client_close(struct sf_event_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}
