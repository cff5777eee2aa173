// SPDX-License-Identifier: GPL-2.0-only
/* who on the real kernel: a tenant's connection to the relay (redirected
 * or direct) or to one of the node's addresses on a watched port is
 * recorded when it leaves, keyed as the MTA sees its client, and names
 * the tenant, cgroup, uid, pid and process; it is gone when the socket
 * closes, a reused port names its new owner, and two network namespaces
 * with the same client address and port do not mix. */
#include "../bypass/netns.h"
#include "../observe/observe_util.h"
#include "fixture.h"
#include "suite.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TENANT	   10001
#define OTHER	   10002
#define TENANT_GID 20001
#define OTHER_GID  20002

static const char conf[] = "[global]\nports = 25\ndefault = deny\n"
			   "relay = 127.0.0.1:25 [::1]:25\n"
			   "[rules]\nredirect = user:10001\nallow = user:10002\n";

/* A client that stays connected until released. */
struct client {
	pid_t pid;
	int release; /* write end: a byte makes the client close */
	unsigned port;
	int err;
};

struct client_spec {
	const char *cgroup; /* absolute */
	const char *netns;  /* NULL: the sandbox's */
	uid_t uid;
	gid_t gid;
	const char *src; /* bind to it (with port) first; NULL: let connect choose */
	unsigned src_port;
	const char *host;
	int port;
};

static int fill_addr(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? AF_INET6 : -1;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	*len = sizeof(*a);
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? AF_INET : -1;
}

static int client_child(const struct client_spec *s, int report, int release)
{
	struct sockaddr_storage ss, self;
	socklen_t len, slen = sizeof(self);
	int fd, family, one = 1, res[2] = {0, 0};
	char c;

	if (s->netns) {
		int nfd = open(s->netns, O_RDONLY | O_CLOEXEC);

		if (nfd < 0 || setns(nfd, CLONE_NEWNET))
			return SFT_CHILD_FAILED;
		close(nfd);
	}
	if (sft_join_cgroup(s->cgroup) || sft_become(s->uid, s->gid))
		return SFT_CHILD_FAILED;
	family = fill_addr(s->host, s->port, &ss, &len);
	fd = family < 0 ? -1 : socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return SFT_CHILD_FAILED;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->src) {
		struct sockaddr_storage b;
		socklen_t blen;

		if (fill_addr(s->src, (int)s->src_port, &b, &blen) < 0 ||
		    bind(fd, (struct sockaddr *)&b, blen))
			res[0] = errno;
	}
	if (!res[0] && connect(fd, (struct sockaddr *)&ss, len))
		res[0] = errno;
	if (!res[0] && !getsockname(fd, (struct sockaddr *)&self, &slen))
		res[1] = ntohs(((struct sockaddr_in *)&self)->sin_port); /* same offset in v6 */
	if (write(report, res, sizeof(res)) != (ssize_t)sizeof(res))
		return SFT_CHILD_FAILED;
	while (read(release, &c, 1) < 0 && errno == EINTR)
		;
	close(fd);
	return 0;
}

static struct client client_start(const struct client_spec *s)
{
	struct client c = {.err = -1};
	int rep[2], rel[2], res[2];

	ck_assert_int_eq(pipe2(rep, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(rel, O_CLOEXEC), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test ends its clients */
		close(rep[0]);
		close(rel[1]);
		_exit(client_child(s, rep[1], rel[0]));
	}
	close(rep[1]);
	close(rel[0]);
	ck_assert_int_eq(read(rep[0], res, sizeof(res)), (ssize_t)sizeof(res));
	close(rep[0]);
	c.release = rel[1];
	c.err = res[0];
	c.port = (unsigned)res[1];
	return c;
}

static void client_end(struct client *c)
{
	/* a byte, not EOF: later clients hold this pipe's write end too */
	ck_assert_int_eq(write(c->release, "x", 1), 1);
	close(c->release);
	ck_assert_int_eq(sft_wait_child(c->pid), 0);
}

static int listener(const char *host, int port)
{
	int fd = sft_listen(host, port);

	ck_assert_msg(fd >= 0, "cannot listen on %s:%d", host, port);
	return fd;
}

/* `who -j CLIENT` must name uid, pid and the comm of the test binary. */
static json_object *who_json(const char *client)
{
	ck_assert_msg(sft_cli(&env, "who -j '%s'", client) == 0, "who %s: %s", client, env.err);
	return sft_cli_json(&env, "who -j '%s'", client);
}

static void expect_who(const char *client, const struct client *c, uid_t uid, const char *cg_rel,
		       const char *orig)
{
	json_object *o = who_json(client);
	const char *text = json_object_to_json_string(o);

	ck_assert_msg(sft_json_int(o, "schema") == 1, "%s", text);
	ck_assert_msg(sft_json_int(o, "uid") == (long long)uid, "%s", text);
	ck_assert_msg(sft_json_int(o, "pid") == (long long)c->pid, "%s", text);
	ck_assert_msg(!strcmp(sft_json_str(o, "comm"), "test_who"), "%s", text);
	ck_assert_msg(!strcmp(sft_json_str(o, "cgroup"), cg_rel), "%s", text);
	ck_assert_msg(!strcmp(sft_json_str(o, "tenant"), cg_rel), "%s", text);
	if (orig)
		ck_assert_msg(!strcmp(sft_json_str(o, "orig_dest"), orig), "%s", text);
	else
		ck_assert_msg(
			!json_object_object_get_ex(o, "orig_dest", NULL) ||
				!json_object_get_string(json_object_object_get(o, "orig_dest")),
			"%s", text);
	json_object_put(o);
}

static void expect_unknown(const char *client)
{
	ck_assert_int_eq(sft_cli(&env, "who '%s'", client), 1);
	ck_assert_msg(strstr(env.err, "no live connection from"), "%s", env.err);
}

/* A tenant's cgroup with its rule (ACTION cgroup:PATH). */
static void tenant_cgroup(const char *name, const char *action, char *abs, size_t len, char *rel,
			  size_t rlen)
{
	ck_assert_int_eq(sft_cgroup_make(&env, name, abs, len), 0);
	snprintf(rel, rlen, "%s/%s", env.cgroup_rel, name);
	ck_assert_msg(sft_cli(&env, "%s cgroup:%s", action, rel) == 0, "%s", env.err);
}

START_TEST(who_names_each_family)
{
	char acme[PATH_MAX], acme_rel[PATH_MAX], client[64];

	sft_start("who", conf);
	tenant_cgroup("acme", "redirect", acme, sizeof(acme), acme_rel, sizeof(acme_rel));
	int relay4 = listener("127.0.0.1", 25), relay6 = listener("::1", 25);
	int inet4 = listener("192.0.2.1", 25);
	struct client_spec spec = {acme, NULL, TENANT, TENANT_GID, NULL, 0, "198.51.100.7", 25};
	struct client a = client_start(&spec), b, m;

	ck_assert_int_eq(a.err, 0);
	snprintf(client, sizeof(client), "127.0.0.1:%u", a.port);
	expect_who(client, &a, TENANT, acme_rel, "198.51.100.7:25");
	ck_assert_int_eq(sft_cli(&env, "who '%s'", client), 0);
	ck_assert_msg(strstr(env.out, "tenant:  ") && strstr(env.out, "test_who[") &&
			      strstr(env.out, "198.51.100.7:25"),
		      "%s", env.out);
	/* as the MTA may log it: v4-mapped on a dual-stack listener */
	snprintf(client, sizeof(client), "[::ffff:127.0.0.1]:%u", a.port);
	expect_who(client, &a, TENANT, acme_rel, "198.51.100.7:25");

	spec.host = "2001:db8::9";
	b = client_start(&spec);
	ck_assert_int_eq(b.err, 0);
	snprintf(client, sizeof(client), "[::1]:%u", b.port);
	expect_who(client, &b, TENANT, acme_rel, "[2001:db8::9]:25");

	/* an AF_INET6 socket to ::ffff:a.b.c.d is an IPv4 client */
	spec.host = "::ffff:198.51.100.7";
	m = client_start(&spec);
	ck_assert_int_eq(m.err, 0);
	snprintf(client, sizeof(client), "127.0.0.1:%u", m.port);
	expect_who(client, &m, TENANT, acme_rel, "198.51.100.7:25");

	/* the MTA hangs up first, as after QUIT: then the client's socket closes */
	ck_assert_int_eq(sft_accept_all(relay4), 2);
	ck_assert_int_eq(sft_accept_all(relay6), 1);
	client_end(&a);
	client_end(&b);
	client_end(&m);
	snprintf(client, sizeof(client), "127.0.0.1:%u", a.port);
	expect_unknown(client);
	expect_unknown("127.0.0.1:1");
	ck_assert_int_eq(sft_cli(&env, "who 127.0.0.1"), 2);
	ck_assert_int_eq(sft_cli(&env, "who -j 127.0.0.1:1"), 1);
	ck_assert_msg(strstr(env.out, "\"error\"") || strstr(env.err, "\"error\""), "%s|%s",
		      env.out, env.err);
	close(relay4);
	close(relay6);
	close(inet4);
}
END_TEST

/* Only connections to the relay or to the node's own addresses: one to
 * a remote address (through a veth) is not recorded. A direct connect to
 * a node address (on lo here) is, with no original destination. */
START_TEST(who_direct_and_reuse)
{
	char acme[PATH_MAX], acme_rel[PATH_MAX], beta[PATH_MAX], beta_rel[PATH_MAX];
	char client[64];

	sft_start("who_reuse", conf);
	tenant_cgroup("acme", "redirect", acme, sizeof(acme), acme_rel, sizeof(acme_rel));
	tenant_cgroup("beta", "allow", beta, sizeof(beta), beta_rel, sizeof(beta_rel));
	int relay4 = listener("127.0.0.1", 25), inet4 = listener("192.0.2.1", 25);
	/* acme's redirected connection from 127.0.0.1:P */
	struct client_spec spec = {acme, NULL, TENANT, TENANT_GID, "127.0.0.1", 0, "192.0.2.1", 25};
	struct client a = client_start(&spec), b;

	ck_assert_int_eq(a.err, 0);
	snprintf(client, sizeof(client), "127.0.0.1:%u", a.port);
	expect_who(client, &a, TENANT, acme_rel, "192.0.2.1:25");
	ck_assert_int_eq(sft_accept_all(relay4), 1);
	client_end(&a);
	expect_unknown(client);

	/* beta (allowed) reuses the port, straight to a node address */
	struct client_spec again = {beta,	 NULL,	 OTHER,	      OTHER_GID,
				    "127.0.0.1", a.port, "192.0.2.1", 25};

	b = client_start(&again);
	ck_assert_int_eq(b.err, 0);
	ck_assert_uint_eq(b.port, a.port);
	ck_assert_int_eq(sft_accept_all(inet4), 1);
	expect_who(client, &b, OTHER, beta_rel, NULL);
	client_end(&b);
	expect_unknown(client);
	close(relay4);
	close(inet4);
}
END_TEST

/* The same client address and port in two network namespaces: each
 * namespace's `who` finds its own. */
START_TEST(who_netns_do_not_mix)
{
	char acme[PATH_MAX], acme_rel[PATH_MAX], beta[PATH_MAX], beta_rel[PATH_MAX];
	char client[64];
	struct sft_ns ns;
	int self, relay4 = -1, relay_b;

	sft_start("who_netns", conf);
	tenant_cgroup("acme", "redirect", acme, sizeof(acme), acme_rel, sizeof(acme_rel));
	tenant_cgroup("beta", "allow", beta, sizeof(beta), beta_rel, sizeof(beta_rel));
	ck_assert_int_eq(sft_ns_new(&ns), 0);
	ck_assert_int_eq(sft_ns_sh(&ns, "ip link set lo up"), 0);
	relay4 = listener("127.0.0.1", 25);
	relay_b = sft_ns_listen(&ns, "127.0.0.1", 25);
	ck_assert_int_ge(relay_b, 0);

	struct client_spec sa = {acme, NULL, TENANT, TENANT_GID, "127.0.0.1", 0, "127.0.0.1", 25};
	struct client a = client_start(&sa);

	ck_assert_int_eq(a.err, 0);
	struct client_spec sb = {beta,	      ns.path, OTHER,	    OTHER_GID,
				 "127.0.0.1", a.port,  "127.0.0.1", 25};
	struct client b = client_start(&sb);

	ck_assert_int_eq(b.err, 0);
	ck_assert_uint_eq(b.port, a.port);
	snprintf(client, sizeof(client), "127.0.0.1:%u", a.port);
	/* redirected to the relay it asked for */
	expect_who(client, &a, TENANT, acme_rel, "127.0.0.1:25");

	/* from inside the other namespace */
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int nfd = open(ns.path, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(self, 0);
	ck_assert_int_ge(nfd, 0);
	ck_assert_int_eq(setns(nfd, CLONE_NEWNET), 0);
	int rc = sft_cli(&env, "who -j %s", client);

	ck_assert_int_eq(setns(self, CLONE_NEWNET), 0);
	close(nfd);
	close(self);
	ck_assert_msg(rc == 0, "who in the other namespace: %s", env.err);
	ck_assert_msg(strstr(env.out, "\"uid\":10002") && strstr(env.out, beta_rel), "%s", env.out);
	ck_assert_int_eq(sft_accept_all(relay4), 1);
	ck_assert_int_eq(sft_accept_all(relay_b), 1);
	client_end(&a);
	client_end(&b);
	expect_unknown(client);
	sft_ns_free(&ns);
	close(relay4);
	close(relay_b);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("who");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, who_names_each_family);
	tcase_add_test(tc, who_direct_and_reuse);
	tcase_add_test(tc, who_netns_do_not_mix);
	return sft_run_tcase("who", tc);
}
