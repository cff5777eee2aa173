// SPDX-License-Identifier: GPL-2.0-only
/* The redirect action on the real kernel: a tenant's connect to an
 * "internet" address on a watched port arrives at the relay instead (IPv4,
 * IPv6, v4-mapped), getpeername() answers what it asked for, the relay is
 * not judged again, a denied tenant still gets EPERM, and implicit TLS
 * (465) is denied rather than redirected. */
#include "../observe/observe_util.h"
#include "fixture.h"
#include "suite.h"
#include "smtpfence.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define TENANT	   10001
#define OTHER	   10002
#define TENANT_GID 20001
#define OTHER_GID  20002

/* Loopback is deliberately not exempt: the relay is watched and would be
 * denied if it were judged again. */
static const char conf[] = "[global]\nports = 25 465\ndefault = deny\n"
			   "relay = 127.0.0.1:25 [::1]:25\n"
			   "[rules]\nredirect = user:10001\n";

/* What the tenant's process saw. */
struct seen {
	int err;	/* connect()'s errno, 0 when connected */
	char peer[64];	/* getpeername(): "ADDRESS PORT" */
	unsigned lport; /* its own port, as the relay sees it */
};

static void name_of(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
	}
	snprintf(buf, len, "%s %u", a, port);
}

/* In the child: connect host:port (host "::ffff:a.b.c.d" on an AF_INET6
 * socket for v4-mapped), report what it saw on fd w. */
static int tenant_child(const char *host, int port, int w)
{
	struct sockaddr_storage ss = {0}, peer = {0}, self = {0};
	socklen_t len = sizeof(peer), slen = sizeof(self);
	struct seen s = {0};
	int fd, family = strchr(host, ':') ? AF_INET6 : AF_INET;

	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &a->sin_addr);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &a->sin6_addr);
	}
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return SFT_CHILD_FAILED;
	if (connect(fd, (struct sockaddr *)&ss,
		    family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)))
		s.err = errno;
	if (!s.err && !getpeername(fd, (struct sockaddr *)&peer, &len))
		name_of(&peer, s.peer, sizeof(s.peer));
	if (!s.err && !getsockname(fd, (struct sockaddr *)&self, &slen))
		s.lport = ntohs(((struct sockaddr_in *)&self)->sin_port); /* same offset in v6 */
	if (write(w, &s, sizeof(s)) != (ssize_t)sizeof(s))
		return SFT_CHILD_FAILED;
	close(fd);
	return 0;
}

static struct seen tenant_connect(uid_t uid, gid_t gid, const char *host, int port)
{
	struct seen s = {.err = -1};
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (sft_join_cgroup(env.cgroup) || sft_become(uid, gid))
			_exit(SFT_CHILD_FAILED);
		_exit(tenant_child(host, port, p[1]));
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &s, sizeof(s)), (ssize_t)sizeof(s));
	close(p[0]);
	ck_assert_int_eq(sft_wait_child(pid), 0);
	return s;
}

static int listener(const char *host, int port)
{
	int fd = sft_listen(host, port);

	ck_assert_msg(fd >= 0, "cannot listen on %s:%d", host, port);
	return fd;
}

/* The port of the one connection waiting on lfd (0: none). */
static unsigned accepted_port(int lfd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int c = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);

	if (c < 0)
		return 0;
	close(c);
	return ntohs(((struct sockaddr_in *)&peer)->sin_port);
}

/* One redirected connect: it arrives at the relay listener, not at the
 * internet's, and getpeername() names what it asked for. */
static void expect_redirected(const char *host, const char *want_peer, int relay, int internet)
{
	struct seen s = tenant_connect(TENANT, TENANT_GID, host, 25);

	ck_assert_msg(s.err == 0, "connect %s: %s", host, strerror(s.err));
	ck_assert_msg(!strcmp(s.peer, want_peer), "getpeername after connect %s: '%s', want '%s'",
		      host, s.peer, want_peer);
	ck_assert_uint_eq(accepted_port(relay), s.lport);
	ck_assert_int_eq(sft_accept_all(internet), 0);
}

/* The relays' listeners and the internet's, on port 25. */
struct ends {
	int relay4, relay6, inet4, inet6;
};

static struct ends listen_all(const char *relay4, int port4, const char *relay6, int port6)
{
	return (struct ends){listener(relay4, port4), listener(relay6, port6),
			     listener("192.0.2.1", 25), listener("2001:db8::1", 25)};
}

static void close_all(const struct ends *e)
{
	close(e->relay4);
	close(e->relay6);
	close(e->inet4);
	close(e->inet6);
}

/* IPv4, IPv6, and v4-mapped: to the v4-mapped IPv4 relay, where the IPv4
 * listener takes it. */
static void redirect_each_family(const struct ends *e)
{
	expect_redirected("192.0.2.1", "192.0.2.1 25", e->relay4, e->inet4);
	expect_redirected("2001:db8::1", "2001:db8::1 25", e->relay6, e->inet6);
	expect_redirected("::ffff:192.0.2.1", "::ffff:192.0.2.1 25", e->relay4, e->inet4);
	ck_assert_int_eq(sft_accept_all(e->relay6), 0);
}

START_TEST(redirect_v4_v6_mapped)
{
	sft_start("redirect", conf);
	struct ends e = listen_all("127.0.0.1", 25, "::1", 25);
	int relay4 = e.relay4, inet4 = e.inet4;

	redirect_each_family(&e);
	/* every way to connect passes the hook: non-blocking, TCP Fast Open */
	static const enum sft_connect_mode modes[] = {SFT_NONBLOCK, SFT_FASTOPEN_SENDTO,
						      SFT_FASTOPEN_CONNECT};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ck_assert_int_eq(
			sft_connect(env.cgroup, TENANT, TENANT_GID, "192.0.2.1", 25, modes[i]), 0);
		ck_assert_msg(sft_accept_all(relay4) == 1, "mode %d did not reach the relay",
			      modes[i]);
		ck_assert_int_eq(sft_accept_all(inet4), 0);
	}

	/* a denied tenant is still refused, to the internet and to the relay */
	ck_assert_int_eq(tenant_connect(OTHER, OTHER_GID, "192.0.2.1", 25).err, EPERM);
	ck_assert_int_eq(tenant_connect(OTHER, OTHER_GID, "127.0.0.1", 25).err, EPERM);
	ck_assert_int_eq(tenant_connect(OTHER, OTHER_GID, "2001:db8::1", 25).err, EPERM);
	ck_assert_int_eq(sft_accept_all(inet4) + sft_accept_all(relay4), 0);

	/* a non-redirected socket's getpeername is untouched */
	sft_cli_ok("allow user:10002");
	struct seen s = tenant_connect(OTHER, OTHER_GID, "192.0.2.1", 25);

	ck_assert_int_eq(s.err, 0);
	ck_assert_str_eq(s.peer, "192.0.2.1 25");
	ck_assert_uint_eq(accepted_port(inet4), s.lport);

	/* live: the default redirects every other tenant */
	sft_cli_ok("unset user:10002");
	sft_cli_ok("default redirect");
	s = tenant_connect(OTHER, OTHER_GID, "192.0.2.1", 25);
	ck_assert_int_eq(s.err, 0);
	ck_assert_str_eq(s.peer, "192.0.2.1 25");
	ck_assert_uint_eq(accepted_port(relay4), s.lport);
	close_all(&e);
}
END_TEST

START_TEST(implicit_tls_is_denied)
{
	sft_start("smtps", conf);
	int relay = listener("127.0.0.1", 25), inet = listener("192.0.2.1", 465);

	ck_assert_int_eq(tenant_connect(TENANT, TENANT_GID, "192.0.2.1", 465).err, EPERM);
	ck_assert_int_eq(tenant_connect(TENANT, TENANT_GID, "::ffff:192.0.2.1", 465).err, EPERM);
	ck_assert_int_eq(sft_accept_all(relay) + sft_accept_all(inet), 0);
	/* explain says what the kernel does */
	ck_assert_int_eq(
		sft_cli(&env, "explain --uid 10001 --cgroup %s 192.0.2.1:465", env.cgroup_rel), 0);
	ck_assert_msg(strstr(env.out, "deny by user:10001: ") && strstr(env.out, "implicit TLS"),
		      "%s", env.out);
	ck_assert_int_eq(
		sft_cli(&env, "explain --uid 10001 --cgroup %s [2001:db8::1]:25", env.cgroup_rel),
		0);
	ck_assert_msg(strstr(env.out, "redirect by user:10001: ") &&
			      strstr(env.out, "sent to the relay [::1]:25"),
		      "%s", env.out);
	close(relay);
	close(inet);
}
END_TEST

START_TEST(relay_from_the_config)
{
	static const char moved[] = "[global]\nports = 25\ndefault = redirect\n"
				    "relay = [::1]:2526 127.0.0.2:2525\n";

	sft_start("relay_moved", moved);
	struct ends e = listen_all("127.0.0.2", 2525, "::1", 2526);

	redirect_each_family(&e);
	close_all(&e);
}
END_TEST

static json_object *flow_to(json_object *arr, int uid, const char *daddr, int port)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *f = json_object_array_get_idx(arr, i);

		if (sft_json_int(f, "uid") == uid && !strcmp(sft_json_str(f, "daddr"), daddr) &&
		    sft_json_int(f, "dport") == port)
			return f;
	}
	return NULL;
}

static void expect_counts(json_object *o, long long attempts, long long allowed, long long denied,
			  long long redirected)
{
	const char *text = json_object_to_json_string(o);

	ck_assert_msg(sft_json_int(o, "attempts") == attempts, "attempts: %s", text);
	ck_assert_msg(sft_json_int(o, "allowed") == allowed, "allowed: %s", text);
	ck_assert_msg(sft_json_int(o, "denied") == denied, "denied: %s", text);
	ck_assert_msg(sft_json_int(o, "limited") == 0, "limited: %s", text);
	ck_assert_msg(sft_json_int(o, "redirected") == redirected, "redirected: %s", text);
}

/* Redirected is its own verdict: attempts = allowed + denied + limited +
 * redirected in the totals, per flow and per rule; the flow and the event
 * name the destination asked for, and the relay has no flow of its own. */
START_TEST(counted_as_redirected)
{
	sft_start("counted", conf);
	struct ends e = listen_all("127.0.0.1", 25, "::1", 25);

	redirect_each_family(&e);
	ck_assert_int_eq(tenant_connect(TENANT, TENANT_GID, "192.0.2.1", 465).err, EPERM);
	ck_assert_int_eq(tenant_connect(OTHER, OTHER_GID, "192.0.2.1", 25).err, EPERM);

	json_object *st = sft_cli_json(&env, "status -j");

	expect_counts(st, 5, 0, 2, 3);
	json_object_put(st);

	json_object *flows = sft_cli_json(&env, "flows -j");

	ck_assert_int_eq((int)json_object_array_length(flows), 4);
	ck_assert_ptr_nonnull(flow_to(flows, TENANT, "192.0.2.1", 25));
	expect_counts(flow_to(flows, TENANT, "192.0.2.1", 25), 2, 0, 0, 2);
	ck_assert_ptr_nonnull(flow_to(flows, TENANT, "2001:db8::1", 25));
	expect_counts(flow_to(flows, TENANT, "2001:db8::1", 25), 1, 0, 0, 1);
	ck_assert_ptr_nonnull(flow_to(flows, TENANT, "192.0.2.1", 465));
	expect_counts(flow_to(flows, TENANT, "192.0.2.1", 465), 1, 0, 1, 0);
	ck_assert_ptr_null(flow_to(flows, TENANT, "127.0.0.1", 25));
	json_object_put(flows);

	json_object *rules = sft_cli_json(&env, "rules -j"), *mine = NULL;

	for (size_t i = 0; i < json_object_array_length(rules); i++)
		if (!strcmp(sft_json_str(json_object_array_get_idx(rules, i), "target"),
			    "user:10001"))
			mine = json_object_array_get_idx(rules, i);
	ck_assert_msg(mine, "no rule user:10001: %.3000s", json_object_to_json_string(rules));
	ck_assert_str_eq(sft_json_str(mine, "action"), "redirect");
	expect_counts(mine, 4, 0, 1, 3);
	json_object_put(rules);

	json_object *ev = sft_cli_json(&env, "events -j");
	int redirected = 0, to_relay = 0;

	for (size_t i = 0; i < json_object_array_length(ev); i++) {
		json_object *e = json_object_array_get_idx(ev, i);
		const char *d = sft_json_str(e, "daddr");

		redirected += !strcmp(sft_json_str(e, "verdict"), "redirect");
		to_relay += !strcmp(d, "127.0.0.1") || !strcmp(d, "::1");
	}
	ck_assert_msg(redirected == 3 && to_relay == 0, "events: %.3000s",
		      json_object_to_json_string(ev));
	json_object_put(ev);

	ck_assert_int_eq(sft_cli(&env, "metrics"), 0);
	ck_assert_msg(strstr(env.out, "\nsmtpfence_host_redirected_total 3\n"), "%.3000s", env.out);
	char sample[PATH_MAX + 64];

	snprintf(sample, sizeof(sample),
		 "\nsmtpfence_redirected_total{tenant=\"%s\",port=\"25\"} 3\n", env.cgroup_rel);
	ck_assert_msg(strstr(env.out, sample), "%.3000s", env.out);
	ck_assert_int_eq(sft_cli(&env, "status"), 0);
	ck_assert_msg(strstr(env.out, "(allowed 0, denied 2, limited 0, redirected 3)"), "%s",
		      env.out);
	ck_assert_int_eq(sft_cli(&env, "top --batch -n 1 -d 0.2"), 0);
	ck_assert_msg(strstr(env.out, "| redirected 3 |"), "%.3000s", env.out);
	close_all(&e);
}
END_TEST

START_TEST(bad_relay_is_refused)
{
	static const struct {
		const char *value, *msg;
	} cases[] = {
		{"127.0.0.1", "invalid relay '127.0.0.1'"},
		{"127.0.0.1:25 127.0.0.2:25", "relay '127.0.0.2:25': one IPv4 relay only"},
		{"[::ffff:127.0.0.1]:25", "write the IPv4 address as IPv4"},
		{"localhost:25", "invalid relay 'localhost:25'"},
	};

	sft_start("bad_relay", conf);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[PATH_MAX + 16];
		FILE *f;

		snprintf(path, sizeof(path), "%s/bad.conf", env.dir);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fprintf(f, "[global]\nrelay = %s\n", cases[i].value);
		fclose(f);
		ck_assert_int_eq(sft_cli(&env, "--config %s check-config", path), 2);
		ck_assert_msg(strstr(env.err, "bad.conf:2: ") && strstr(env.err, cases[i].msg),
			      "'%s': %s", cases[i].value, env.err);
	}
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("redirect");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, redirect_v4_v6_mapped);
	tcase_add_test(tc, implicit_tls_is_denied);
	tcase_add_test(tc, counted_as_redirected);
	tcase_add_test(tc, relay_from_the_config);
	tcase_add_test(tc, bad_relay_is_refused);
	return sft_run_tcase("redirect", tc);
}
