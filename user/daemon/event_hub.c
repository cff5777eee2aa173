// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/event_hub.h"
#include "util/log.h"
#include "util/mkdirs.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CLIENTS 64
#define OUT_MAX	    (4U << 20) /* queued bytes per client before it loses events */
#define REQ_MAX	    32

struct client {
	int fd;
	bool requested, follow, closing;
	char req[REQ_MAX];
	size_t req_len;
	char *out;
	size_t out_len, out_off, out_cap;
	__u64 lost; /* not yet reported to the client */
};

struct sf_event_hub {
	int listen_fd;
	int epfd;
	char path[PATH_MAX];
	char **ring;
	size_t ring_cap, ring_head, ring_n;
	struct client *clients[MAX_CLIENTS];
	__u64 lost_total;
};

static void drop_client(struct sf_event_hub *h, struct client *c)
{
	for (size_t i = 0; i < MAX_CLIENTS; i++)
		if (h->clients[i] == c)
			h->clients[i] = NULL;
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
}

static int queue(struct client *c, const char *data, size_t len)
{
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len - c->out_off + len > OUT_MAX)
		return -ENOBUFS;
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 65536;
		char *out;

		/* Compact before growing (nothing to move before the first line:
		 * out is still NULL then, which memmove must not be given). */
		if (c->out_off) {
			memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
			c->out_len -= c->out_off;
			c->out_off = 0;
		}
		while (cap < c->out_len + len)
			cap *= 2;
		if (cap != c->out_cap) {
			out = realloc(c->out, cap);
			if (!out)
				return -ENOMEM;
			c->out = out;
			c->out_cap = cap;
		}
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return 0;
}

/* Writes what the socket takes; asks for POLLOUT when it takes less.
 * Returns false when the client went away (and has been dropped). */
static bool flush(struct sf_event_hub *h, struct client *c)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};

	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			drop_client(h, c);
			return false;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len && c->closing) {
		drop_client(h, c);
		return false;
	}
	if (c->out_off < c->out_len)
		ev.events |= EPOLLOUT;
	epoll_ctl(h->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	return true;
}

static void send_line(struct sf_event_hub *h, struct client *c, const char *line)
{
	char lost[64];
	size_t len = strlen(line);

	if (c->lost) {
		int n = snprintf(lost, sizeof(lost), "{\"type\":\"lost\",\"count\":%llu}\n",
				 (unsigned long long)c->lost);

		if (queue(c, lost, (size_t)n)) {
			c->lost++;
			__atomic_fetch_add(&h->lost_total, 1, __ATOMIC_RELAXED);
			return;
		}
		c->lost = 0;
	}
	if (queue(c, line, len) || queue(c, "\n", 1)) {
		c->lost++;
		__atomic_fetch_add(&h->lost_total, 1, __ATOMIC_RELAXED);
	}
}

static void on_request(struct sf_event_hub *h, struct client *c)
{
	ssize_t n = read(c->fd, c->req + c->req_len, sizeof(c->req) - 1 - c->req_len);
	char *nl;

	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		drop_client(h, c);
		return;
	}
	if (c->requested)
		return; /* one request per connection; later bytes are ignored */
	c->req_len += (size_t)n;
	c->req[c->req_len] = '\0';
	nl = strchr(c->req, '\n');
	if (!nl) {
		if (c->req_len == sizeof(c->req) - 1)
			drop_client(h, c);
		return;
	}
	*nl = '\0';
	/* history: the ring, then the end; follow: the ring, then every new
	 * record; live: only the new records */
	if (strcmp(c->req, "history") && strcmp(c->req, "follow") && strcmp(c->req, "live")) {
		drop_client(h, c);
		return;
	}
	c->requested = true;
	c->follow = strcmp(c->req, "history") != 0;
	c->closing = !c->follow;
	for (size_t i = 0; strcmp(c->req, "live") && i < h->ring_n; i++)
		send_line(h, c, h->ring[(h->ring_head + i) % h->ring_cap]);
	flush(h, c);
}

static bool peer_is_root(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) && cred.uid == 0;
}

static void on_accept(struct sf_event_hub *h)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct client *c;
	size_t slot;
	int fd = accept4(h->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (slot = 0; slot < MAX_CLIENTS && h->clients[slot]; slot++)
		;
	if (slot == MAX_CLIENTS || !peer_is_root(fd) || !(c = calloc(1, sizeof(*c)))) {
		close(fd);
		return;
	}
	c->fd = fd;
	ev.data.ptr = c;
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		free(c);
		return;
	}
	h->clients[slot] = c;
}

/* A socket file another daemon answers on is left alone. */
static int claim_path(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), busy;

	if (fd < 0)
		return -errno;
	strcpy(sa.sun_path, path); /* its length was checked by the caller */
	busy = !connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (busy)
		return -EADDRINUSE;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

static int listen_on(struct sf_event_hub *h, const char *run_dir)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	mode_t old;
	int err;

	if (snprintf(h->path, sizeof(h->path), "%s/%s", run_dir, SF_EVENTS_SOCKET) >=
	    (int)sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	err = sf_mkdirs(run_dir, 0700);
	if (err)
		return err;
	err = claim_path(h->path);
	if (err)
		return err;
	strcpy(sa.sun_path, h->path);
	h->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->listen_fd < 0)
		return -errno;
	old = umask(0177); /* born 0600: no window in which others may connect */
	err = bind(h->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (!err && listen(h->listen_fd, 16))
		err = -errno;
	if (!err && epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->listen_fd, &ev))
		err = -errno;
	return err;
}

int sf_event_hub_open(struct sf_event_hub **out, const char *run_dir, size_t history)
{
	struct sf_event_hub *h = calloc(1, sizeof(*h));
	int err;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->listen_fd = -1;
	h->ring_cap = history ? history : 1;
	h->ring = calloc(h->ring_cap, sizeof(*h->ring));
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	err = !h->ring ? -ENOMEM : h->epfd < 0 ? -errno : listen_on(h, run_dir);
	if (err) {
		h->path[0] = '\0'; /* not ours to remove */
		sf_event_hub_close(h);
		return err;
	}
	*out = h;
	return 0;
}

int sf_event_hub_fd(const struct sf_event_hub *h)
{
	return h->epfd;
}

void sf_event_hub_io(struct sf_event_hub *h)
{
	struct epoll_event evs[16];
	int n = epoll_wait(h->epfd, evs, 16, 0);

	for (int i = 0; i < n; i++) {
		struct client *c = evs[i].data.ptr;

		if (!c) {
			on_accept(h);
			continue;
		}
		if (evs[i].events & EPOLLOUT) {
			if (!flush(h, c))
				continue; /* dropped: the other bits are stale */
		}
		if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			on_request(h, c);
	}
}

void sf_event_hub_publish(struct sf_event_hub *h, const char *line)
{
	char *copy = strdup(line);
	size_t tail;

	if (copy) {
		if (h->ring_n == h->ring_cap) {
			free(h->ring[h->ring_head]);
			h->ring[h->ring_head] = copy;
			h->ring_head = (h->ring_head + 1) % h->ring_cap;
		} else {
			tail = (h->ring_head + h->ring_n) % h->ring_cap;
			h->ring[tail] = copy;
			h->ring_n++;
		}
	}
	for (size_t i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = h->clients[i];

		if (!c || !c->follow)
			continue;
		send_line(h, c, line);
		flush(h, c);
	}
}

__u64 sf_event_hub_lost(const struct sf_event_hub *h)
{
	return __atomic_load_n(&h->lost_total, __ATOMIC_RELAXED);
}

void sf_event_hub_close(struct sf_event_hub *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < MAX_CLIENTS; i++)
		if (h->clients[i])
			drop_client(h, h->clients[i]);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	if (h->path[0])
		unlink(h->path);
	if (h->epfd >= 0)
		close(h->epfd);
	for (size_t i = 0; i < h->ring_n; i++)
		free(h->ring[(h->ring_head + i) % h->ring_cap]);
	free(h->ring);
	free(h);
}
