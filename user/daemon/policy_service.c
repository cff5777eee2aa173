// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/policy_service.h"
#include "daemon/mail_policy.h"
#include "util/log.h"
#include "util/mkdirs.h"
#include "policy/policy.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Postfix keeps one connection per smtpd process (up to its process
 * limit, 100 by default): when all are taken, the one idle longest is
 * ended (Postfix reconnects when it needs it again). */
#define MAX_CLIENTS 256
#define REQ_MAX	    8192 /* a Postfix request is about 1 KiB */
#define IDLE_NS	    (60ULL * 1000000000ULL)
#define MAX_UIDS    32

struct client {
	int fd;
	char buf[REQ_MAX];
	size_t len;
	uint64_t active_ns;
};

struct sf_policy_service {
	int listen_fd, epfd;
	char path[PATH_MAX];
	struct sf_mail_policy *mp;
	struct client *clients[MAX_CLIENTS];
	uid_t uids[MAX_UIDS];
	size_t n_uids;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void drop(struct sf_policy_service *ps, size_t i)
{
	struct client *c = ps->clients[i];

	epoll_ctl(ps->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
	ps->clients[i] = NULL;
}

int sf_policy_service_open(struct sf_policy_service **out, const char *run_dir,
			   struct sf_mail_policy *mp)
{
	struct sf_policy_service *ps = calloc(1, sizeof(*ps));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
	mode_t old;
	int err = 0;

	*out = NULL;
	if (!ps)
		return -ENOMEM;
	ps->mp = mp;
	ps->listen_fd = ps->epfd = -1;
	if (snprintf(ps->path, sizeof(ps->path), "%s/%s", run_dir, SF_POLICY_SOCKET) >=
	    (int)sizeof(sa.sun_path)) {
		free(ps);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, ps->path);
	err = sf_mkdirs(run_dir, 0700);
	if (!err && chmod(run_dir, 0711))
		err = -errno;
	ps->epfd = epoll_create1(EPOLL_CLOEXEC);
	ps->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!err && (ps->epfd < 0 || ps->listen_fd < 0))
		err = -errno;
	/* the instance lock is ours: a socket file left there is stale */
	if (!err && unlink(ps->path) && errno != ENOENT)
		err = -errno;
	old = umask(0111); /* 0666: the MTA's user connects; SO_PEERCRED decides */
	if (!err && bind(ps->listen_fd, (struct sockaddr *)&sa, sizeof(sa)))
		err = -errno;
	umask(old);
	if (!err && listen(ps->listen_fd, 64))
		err = -errno;
	if (!err && epoll_ctl(ps->epfd, EPOLL_CTL_ADD, ps->listen_fd, &ev))
		err = -errno;
	if (err) {
		sf_policy_service_free(ps);
		return err;
	}
	*out = ps;
	return 0;
}

void sf_policy_service_allow(struct sf_policy_service *ps, const struct sf_policy *p)
{
	static const char *const mta_users[] = {"postfix", "Debian-exim", "exim", "mailnull"};

	ps->n_uids = 0;
	if (p->policy_uids_set) {
		for (size_t i = 0; i < p->n_policy_uids && ps->n_uids < MAX_UIDS; i++)
			ps->uids[ps->n_uids++] = (uid_t)p->policy_uids[i];
		return;
	}
	for (size_t i = 0; i < sizeof(mta_users) / sizeof(mta_users[0]); i++) {
		const struct passwd *pw = getpwnam(mta_users[i]);

		if (pw)
			ps->uids[ps->n_uids++] = pw->pw_uid;
	}
}

int sf_policy_service_fd(const struct sf_policy_service *ps)
{
	return ps ? ps->epfd : -1;
}

static bool allowed(const struct sf_policy_service *ps, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return false;
	if (cr.uid == 0)
		return true;
	for (size_t i = 0; i < ps->n_uids; i++)
		if (ps->uids[i] == cr.uid)
			return true;
	return false;
}

static void accept_all(struct sf_policy_service *ps)
{
	int fd;

	while ((fd = accept4(ps->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		size_t slot = MAX_CLIENTS, idlest = 0;
		struct client *c;

		if (!allowed(ps, fd)) {
			close(fd);
			continue;
		}
		for (size_t i = 0; i < MAX_CLIENTS && slot == MAX_CLIENTS; i++)
			if (!ps->clients[i])
				slot = i;
		if (slot == MAX_CLIENTS) {
			for (size_t i = 1; i < MAX_CLIENTS; i++)
				if (ps->clients[i]->active_ns < ps->clients[idlest]->active_ns)
					idlest = i;
			drop(ps, idlest);
			slot = idlest;
		}
		c = calloc(1, sizeof(*c));
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = slot};

		if (!c || epoll_ctl(ps->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			free(c);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->active_ns = mono_ns();
		ps->clients[slot] = c;
	}
}

/* A reply small enough for an empty socket buffer: all of it, or the
 * client (that does not read its answers) is dropped. */
static bool reply(struct client *c, const char *text)
{
	size_t n = strlen(text);

	return send(c->fd, text, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n;
}

static const char *attr(char *block, const char *name)
{
	size_t n = strlen(name);

	for (char *line = block; line && *line; line = strchr(line, '\n') + 1) {
		if (!strncmp(line, name, n) && line[n] == '=')
			return line + n + 1;
		if (!strchr(line, '\n'))
			break;
	}
	return NULL;
}

/* One Postfix request, attributes ended by a blank line (kept in buf). */
static bool postfix_request(struct sf_policy_service *ps, struct client *c, size_t end)
{
	char action[1024], out[1100];
	struct sf_mail_request r;

	c->buf[end] = '\0';
	/* each value ends at its newline: cut them there */
	r = (struct sf_mail_request){
		attr(c->buf, "protocol_state"),	 attr(c->buf, "client_address"),
		attr(c->buf, "client_port"),	 attr(c->buf, "instance"),
		attr(c->buf, "recipient_count"), attr(c->buf, "server_address"),
		attr(c->buf, "server_port")};
	for (char *p = c->buf; p < c->buf + end; p++)
		if (*p == '\n')
			*p = '\0';
	sf_mail_policy_postfix(ps->mp, &r, action, sizeof(action));
	snprintf(out, sizeof(out), "action=%s\n\n", action);
	return reply(c, out);
}

/* Handles what is complete in the buffer; false: the client is done. */
static bool serve(struct sf_policy_service *ps, struct client *c, bool eof)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		size_t used;

		if (!nl && !eof)
			return c->len < sizeof(c->buf) - 1; /* a request too large: drop */
		if (!nl || !memchr(c->buf, '=', (size_t)(nl - c->buf))) {
			/* the one-line form: answer, then close */
			char line[512], out[1100];
			size_t n = nl ? (size_t)(nl - c->buf) : c->len;

			if (!n && !nl)
				return false;
			snprintf(line, sizeof(line), "%.*s", (int)n, c->buf);
			line[strcspn(line, "\r")] = '\0';
			sf_mail_policy_line(ps->mp, line, out, sizeof(out) - 1);
			strcat(out, "\n");
			reply(c, out);
			return false;
		}
		char *blank = NULL;

		for (size_t i = 0; i + 1 < c->len; i++)
			if (c->buf[i] == '\n' && c->buf[i + 1] == '\n') {
				blank = c->buf + i;
				break;
			}
		if (!blank)
			return !eof && c->len < sizeof(c->buf) - 1;
		used = (size_t)(blank - c->buf) + 2;
		if (!postfix_request(ps, c, (size_t)(blank - c->buf) + 1))
			return false;
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
		if (!c->len)
			return !eof;
	}
}

static void client_io(struct sf_policy_service *ps, size_t slot)
{
	struct client *c = ps->clients[slot];
	bool eof = false;

	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			eof = true;
			break;
		}
		c->len += (size_t)n;
		if (c->len == sizeof(c->buf) - 1)
			break;
	}
	c->active_ns = mono_ns();
	if (!serve(ps, c, eof))
		drop(ps, slot);
}

void sf_policy_service_io(struct sf_policy_service *ps)
{
	struct epoll_event evs[32];
	int n = epoll_wait(ps->epfd, evs, 32, 0);

	for (int i = 0; i < n; i++) {
		if (evs[i].data.u64 == UINT64_MAX)
			accept_all(ps);
		else if (evs[i].data.u64 < MAX_CLIENTS && ps->clients[evs[i].data.u64])
			client_io(ps, (size_t)evs[i].data.u64);
	}
}

void sf_policy_service_tick(struct sf_policy_service *ps)
{
	uint64_t now = mono_ns();

	for (size_t i = 0; i < MAX_CLIENTS; i++)
		if (ps->clients[i] && now - ps->clients[i]->active_ns > IDLE_NS)
			drop(ps, i);
}

void sf_policy_service_free(struct sf_policy_service *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < MAX_CLIENTS; i++)
		if (ps->clients[i])
			drop(ps, i);
	if (ps->listen_fd >= 0) {
		close(ps->listen_fd);
		unlink(ps->path);
	}
	if (ps->epfd >= 0)
		close(ps->epfd);
	free(ps);
}
