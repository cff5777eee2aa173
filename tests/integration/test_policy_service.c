// SPDX-License-Identifier: GPL-2.0-only
/* The policy service on RUN_DIR/policy.sock, as the MTA uses it: the
 * Postfix policy delegation protocol and the one-line form for Exim. A
 * tenant's live connection gets the X-Smtpfence-Tenant header (once a
 * message), an unknown client DUNNO; past `messages` or `recipients` the
 * answer defers, with an event; the counts reach metrics and flows -j. A
 * tenant may not use the socket, and idle or excess clients never stall
 * the daemon. */
#include "../observe/observe_util.h"
#include "fixture.h"
#include "held_client.h"
#include "suite.h"
#include "unit.h"
#include "smtpfence.h"

#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define TENANT	   10001
#define TENANT_GID 20001

static const char conf[] = "[global]\nports = 25\ndefault = deny\n"
			   "relay = 127.0.0.1:25 [::1]:25\nalert_deferred_per_min = 2\n"
			   "[rules]\nredirect = user:10001 messages 2/hour recipients 3/hour\n";

static int policy_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/policy.sock", env.run_dir);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect %s: %s",
		      sa.sun_path, strerror(errno));
	return fd;
}

/* What arrives within 5 s up to `until` (or EOF). */
static void read_reply(int fd, const char *until, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	while (n < len - 1 && !strstr(buf, until)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 5000) != 1)
			break;
		r = read(fd, buf + n, len - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
	}
}

/* One Postfix request on fd, with the MTA's side of the connection
 * ("server_address=...\nserver_port=...\n", as Postfix 3.2 and later
 * send it) or without (""); returns the action line's value. */
static const char *ask_at(int fd, const char *state, const char *addr, unsigned port,
			  const char *instance, const char *server)
{
	static char reply[2048];
	char req[1024];
	int n = snprintf(req, sizeof(req),
			 "request=smtpd_access_policy\nprotocol_state=%s\nprotocol_name=ESMTP\n"
			 "client_address=%s\nclient_name=localhost\nclient_port=%u\n%s"
			 "instance=%s\nsender=script@tenant.example\n"
			 "recipient=rcpt@example.org\nrecipient_count=0\n\n",
			 state, addr, port, server, instance);

	ck_assert_int_eq(write(fd, req, (size_t)n), n);
	read_reply(fd, "\n\n", reply, sizeof(reply));
	ck_assert_msg(!strncmp(reply, "action=", 7) && strstr(reply, "\n\n"), "reply '%s'", reply);
	*strstr(reply, "\n\n") = '\0';
	return reply + 7;
}

static const char *ask(int fd, const char *state, const char *addr, unsigned port,
		       const char *instance)
{
	return ask_at(fd, state, addr, port, instance, "");
}

static const char *ask_line(const char *line)
{
	static char reply[2048];
	int fd = policy_connect();

	ck_assert_int_eq(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	read_reply(fd, "\n", reply, sizeof(reply));
	close(fd);
	return reply;
}

static int relay_listener(void)
{
	int fd = sft_listen("127.0.0.1", 25);

	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(postfix_protocol)
{
	char header[512], line[128];
	int relay, fd;

	sft_start("policy", conf);
	relay = relay_listener();
	struct client_spec spec = {env.cgroup, NULL,	    TENANT, TENANT_GID, NULL,
				   0,	       "192.0.2.1", 25,	    0};
	struct client a = client_start(&spec);

	ck_assert_int_eq(a.err, 0);
	fd = policy_connect();
	/* not a tenant: nothing to say */
	ck_assert_str_eq(ask(fd, "RCPT", "127.0.0.1", 1, "1.1"), "DUNNO");
	ck_assert_str_eq(ask(fd, "RCPT", "192.0.2.77", a.port, "1.2"), "DUNNO");
	/* a tenant: the header once a message, on its first recipient */
	snprintf(header, sizeof(header),
		 "PREPEND X-Smtpfence-Tenant: %s; user=10001; process=test_policy_ser[%d]",
		 env.cgroup_rel, (int)a.pid);
	ck_assert_str_eq(ask(fd, "CONNECT", "127.0.0.1", a.port, ""), "DUNNO");
	ck_assert_str_eq(ask(fd, "RCPT", "127.0.0.1", a.port, "A.1"), header);
	ck_assert_str_eq(ask(fd, "RCPT", "127.0.0.1", a.port, "A.1"), "DUNNO");
	ck_assert_str_eq(ask(fd, "DATA", "127.0.0.1", a.port, "A.1"), "DUNNO");
	ck_assert_str_eq(ask(fd, "END-OF-MESSAGE", "127.0.0.1", a.port, "A.1"), "DUNNO");
	/* the second message: a third recipient is one too many */
	ck_assert_str_eq(ask(fd, "RCPT", "127.0.0.1", a.port, "A.2"), header);
	const char *r = ask(fd, "RCPT", "127.0.0.1", a.port, "A.2");

	ck_assert_msg(!strncmp(r, "DEFER_IF_PERMIT 4.7.1 ", 22) &&
			      strstr(r, "user:10001 may send 3 recipients per hour"),
		      "%s", r);
	/* a third message is past messages 2/hour */
	r = ask(fd, "RCPT", "127.0.0.1", a.port, "A.3");
	ck_assert_msg(strstr(r, "DEFER_IF_PERMIT 4.7.1 smtpfence: user:10001 may send 2 messages "
				"per hour; try again later"),
		      "%s", r);
	close(fd);

	/* the one-line form, for Exim */
	snprintf(line, sizeof(line), "who 127.0.0.1 %u\n", a.port);
	char want[600];

	snprintf(want, sizeof(want), "OK %s\n", header + strlen("PREPEND X-Smtpfence-Tenant: "));
	ck_assert_str_eq(ask_line(line), want);
	snprintf(line, sizeof(line), "rcpt 127.0.0.1 %u\n", a.port);
	ck_assert_msg(!strncmp(ask_line(line), "DEFER 4.7.1 ", 12), "%s", ask_line(line));
	ck_assert_str_eq(ask_line("who 127.0.0.1 1\n"), "DUNNO\n");
	ck_assert_msg(!strncmp(ask_line("nonsense\n"), "ERROR ", 6), "%s", ask_line("nonsense\n"));

	/* counted per tenant (metrics) and per flow (flows -j), deferrals too */
	char sample[PATH_MAX + 128];

	snprintf(sample, sizeof(sample), "smtpfence_mail_messages_total{tenant=\"%s\"} 2\n",
		 env.cgroup_rel);
	for (int t = 0; t < 30; t++) {
		ck_assert_int_eq(sft_cli(&env, "metrics"), 0);
		if (strstr(env.out, sample))
			break;
		usleep(100000);
	}
	ck_assert_msg(strstr(env.out, sample), "%.4000s", env.out);
	snprintf(sample, sizeof(sample), "smtpfence_mail_recipients_total{tenant=\"%s\"} 3\n",
		 env.cgroup_rel);
	ck_assert_msg(strstr(env.out, sample), "%.4000s", env.out);
	snprintf(sample, sizeof(sample),
		 "smtpfence_mail_deferred_total{tenant=\"%s\",limit=\"recipients\"} 2\n",
		 env.cgroup_rel);
	ck_assert_msg(strstr(env.out, sample), "%.4000s", env.out);
	json_object *flows = sft_cli_json(&env, "flows -j");
	bool found = false;

	for (size_t i = 0; i < json_object_array_length(flows); i++) {
		json_object *f = json_object_array_get_idx(flows, i), *m;

		if (strcmp(sft_json_str(f, "daddr"), "192.0.2.1"))
			continue;
		found = json_object_object_get_ex(f, "messages", &m) &&
			json_object_get_int(m) == 2 && sft_json_int(f, "recipients") == 3;
	}
	ck_assert_msg(found, "%.3000s", json_object_to_json_string(flows));
	json_object_put(flows);
	/* top names them beside the tenant's connects */
	ck_assert_int_eq(sft_cli(&env, "top -j -n 1 -d 0.1"), 0);
	ck_assert_msg(strstr(env.out, "\"messages\":2,\"recipients\":3"), "%.3000s", env.out);
	/* the deferral is logged */
	char log[65536];

	sft_daemon_log(&env, log, sizeof(log));
	ck_assert_msg(strstr(log, "mail deferred: smtpfence: user:10001 may send 2 messages"), "%s",
		      log);
	/* the second deferral within a minute is an alert */
	snprintf(sample, sizeof(sample), "alert: tenant %s: 2 deferred messages and recipients",
		 env.cgroup_rel);
	ck_assert_msg(strstr(log, sample), "%s", log);
	/* and it is an event, in JSON and in text */
	ck_assert_int_eq(sft_cli(&env, "events -j"), 0);
	ck_assert_msg(strstr(env.out, "\"type\":\"mail\"") &&
			      strstr(env.out, "\"event\":\"defer\"") &&
			      strstr(env.out, "\"limit\":\"messages\""),
		      "%.3000s", env.out);
	ck_assert_int_eq(sft_cli(&env, "events"), 0);
	ck_assert_msg(strstr(env.out, "user:10001 may send 2 messages per hour"), "%.3000s",
		      env.out);
	ck_assert_int_eq(sft_accept_all(relay), 1);
	client_end(&a);
	close(relay);
}
END_TEST

/* Two messages at once, on connections whose cookies are alike in their
 * low bits: each is its own message, counted once, stamped once. */
START_TEST(concurrent_messages)
{
	char header[2][512];
	int relay, fd;

	sft_start("policy_concurrent", conf);
	relay = relay_listener();
	struct client_spec spec = {env.cgroup, NULL,	    TENANT, TENANT_GID, NULL,
				   0,	       "192.0.2.1", 25,	    0};
	struct client a = client_start(&spec);

	ck_assert_int_eq(a.err, 0);
	spec.cookie_like = a.cookie;
	struct client b = client_start(&spec);

	ck_assert_int_eq(b.err, 0);
	ck_assert_msg(a.cookie != b.cookie && a.cookie % 65536 == b.cookie % 65536,
		      "cookies %llu and %llu", a.cookie, b.cookie);
	snprintf(header[0], sizeof(header[0]),
		 "PREPEND X-Smtpfence-Tenant: %s; user=10001; process=test_policy_ser[%d]",
		 env.cgroup_rel, (int)a.pid);
	snprintf(header[1], sizeof(header[1]),
		 "PREPEND X-Smtpfence-Tenant: %s; user=10001; process=test_policy_ser[%d]",
		 env.cgroup_rel, (int)b.pid);
	fd = policy_connect();
	ck_assert_str_eq(ask(fd, "RCPT", "127.0.0.1", a.port, "A.1"), header[0]);
	ck_assert_str_eq(ask(fd, "RCPT", "127.0.0.1", b.port, "B.1"), header[1]);
	/* what follows belongs to the same two messages (messages 2/hour) */
	ck_assert_str_eq(ask(fd, "RCPT", "127.0.0.1", a.port, "A.1"), "DUNNO");
	ck_assert_str_eq(ask(fd, "DATA", "127.0.0.1", a.port, "A.1"), "DUNNO");
	ck_assert_str_eq(ask(fd, "DATA", "127.0.0.1", b.port, "B.1"), "DUNNO");
	close(fd);

	char sample[PATH_MAX + 128];

	snprintf(sample, sizeof(sample), "smtpfence_mail_messages_total{tenant=\"%s\"} 2\n",
		 env.cgroup_rel);
	for (int t = 0; t < 30; t++) {
		ck_assert_int_eq(sft_cli(&env, "metrics"), 0);
		if (strstr(env.out, sample))
			break;
		usleep(100000);
	}
	ck_assert_msg(strstr(env.out, sample), "%.4000s", env.out);
	ck_assert_int_eq(sft_accept_all(relay), 2);
	client_end(&a);
	client_end(&b);
	close(relay);
}
END_TEST

/* The rule commands and apply -f set a tenant's mail limits, through the
 * change transaction: the daemon's policy service counts them at once. */
START_TEST(commands_set_mail_limits)
{
	char header[512], batch[PATH_MAX], inst[32];
	int relay, fd;
	const char *r;

	sft_start("policy_commands", "[global]\nports = 25\ndefault = deny\n"
				     "relay = 127.0.0.1:25 [::1]:25\n[rules]\n"
				     "redirect = user:10001\n");
	relay = relay_listener();
	struct client_spec spec = {env.cgroup, NULL,	    TENANT, TENANT_GID, NULL,
				   0,	       "192.0.2.1", 25,	    0};
	struct client a = client_start(&spec);

	ck_assert_int_eq(a.err, 0);
	snprintf(header, sizeof(header),
		 "PREPEND X-Smtpfence-Tenant: %s; user=10001; process=test_policy_ser[%d]",
		 env.cgroup_rel, (int)a.pid);
	/* a target with no kind is not a limit's word */
	ck_assert_int_eq(sft_cli(&env, "redirect user:10001 bob"), 2);
	ck_assert_int_eq(sft_cli(&env, "redirect dest:192.0.2.0/24 messages 1/hour"), 2);
	ck_assert_msg(strstr(env.err, "mail limits belong to a tenant"), "%s", env.err);
	ck_assert_msg(sft_cli(&env, "redirect user:10001 messages 1/hour") == 0, "%s", env.err);
	ck_assert_msg(strstr(env.out, "user:10001: redirect -> redirect messages 1/hour"), "%s",
		      env.out);
	fd = policy_connect();
	ck_assert_str_eq(ask(fd, "RCPT", "127.0.0.1", a.port, "C.1"), header);
	/* a message each: the daemon reloads on the command's SIGHUP */
	for (int t = 0; t < 50; t++) {
		snprintf(inst, sizeof(inst), "C.%d", t);
		r = ask(fd, "RCPT", "127.0.0.1", a.port, inst);
		if (strstr(r, "DEFER_IF_PERMIT"))
			break;
		usleep(100000);
	}
	ck_assert_msg(strstr(r, "user:10001 may send 1 messages per hour"), "%s", r);
	/* apply -f: the rule again, with recipients only */
	snprintf(batch, sizeof(batch), "%s/mail.batch", env.dir);
	sft_write(batch, "redirect user:10001 recipients 1/hour # only recipients\n");
	json_object *o = sft_cli_json(&env, "-j apply -f '%s'", batch), *changes, *after;

	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "changes", &changes));
	ck_assert(
		json_object_object_get_ex(json_object_array_get_idx(changes, 0), "after", &after));
	ck_assert_str_eq(sft_json_str(after, "recipients"), "1/hour");
	ck_assert(!json_object_object_get_ex(after, "messages", NULL));
	json_object_put(o);
	/* messages no longer limited, a message's second recipient is */
	for (int t = 0; t < 50; t++) {
		snprintf(inst, sizeof(inst), "D.%d", t);
		r = ask(fd, "RCPT", "127.0.0.1", a.port, inst);
		if (!strcmp(r, header))
			break;
		usleep(100000);
	}
	ck_assert_str_eq(r, header);
	r = ask(fd, "RCPT", "127.0.0.1", a.port, inst);
	ck_assert_msg(strstr(r, "user:10001 may send 1 recipients per hour"), "%s", r);
	close(fd);
	client_end(&a);
	close(relay);
}
END_TEST

/* A tenant cannot use the socket; many idle clients do not stop the MTA
 * from being answered. */
START_TEST(bounded_clients)
{
	int fds[300], fd, relay;
	char buf[64];

	sft_start("policy_bounds", conf);
	relay = relay_listener();
	pid_t pid = fork();

	if (pid == 0) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		int s = socket(AF_UNIX, SOCK_STREAM, 0);

		/* from inside the run dir (0711): the test's own dirs are root's */
		snprintf(sa.sun_path, sizeof(sa.sun_path), "policy.sock");
		if (chdir(env.run_dir))
			_exit(10);
		if (sft_become(TENANT, TENANT_GID))
			_exit(11);
		/* it may reach the socket, and is hung up on at once */
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)))
			_exit(100 + errno);
		/* no SIGPIPE: the daemon may have hung up already */
		if (send(s, "who 127.0.0.1 1\n", 16, MSG_NOSIGNAL) < 0) {
			/* a closed peer: as good as EOF */
		}
		/* EOF, or a reset: the request was never read */
		_exit(read(s, buf, sizeof(buf)) <= 0 ? 0 : 1);
	}
	int status = -1;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the tenant's client: status %#x (exit 10 chdir, 11 become, 100+errno "
		      "connect, 1 answered)",
		      status);
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		fds[i] = policy_connect();
	fd = policy_connect();
	ck_assert_str_eq(ask(fd, "RCPT", "127.0.0.1", 1, "x"), "DUNNO");
	/* a request too large is dropped, the daemon carries on */
	int big = policy_connect();
	static char junk[20000];

	memset(junk, 'a', sizeof(junk));
	if (send(big, junk, sizeof(junk), MSG_NOSIGNAL) < 0) {
		/* dropped before the end: fine */
	}
	ck_assert_str_eq(ask(fd, "RCPT", "127.0.0.1", 2, "y"), "DUNNO");
	ck_assert_int_eq(sft_cli(&env, "status"), 0);
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close(fds[i]);
	close(big);
	close(fd);
	close(relay);
}
END_TEST

/* The slot of sf_peers a client from 127.0.0.1:port takes. */
static __u32 slot_of(__u64 netns, const char *ip, unsigned port)
{
	struct sf_peer_key k = {
		.netns_cookie = netns, .family = AF_INET, .sport = htons((uint16_t)port)};

	inet_pton(AF_INET, ip, k.saddr);
	return sf_peer_index(&k);
}

/* A tenant takes its own connection's record away (a SYN from another
 * address and a port it picks, whose key lands in the same slot of
 * sf_peers) to send unnamed and past its limits. With the MTA's side of
 * the connection in the request, the kernel's own socket still names the
 * tenant (no process), and its limits hold. */
START_TEST(record_taken_away)
{
	const char *srv = "server_address=127.0.0.1\nserver_port=25\n";
	char header[512], spoof_ip[32];
	unsigned spoof_port = 0;
	__u64 netns = 0;
	socklen_t len = sizeof(netns);
	int relay, fd, s = socket(AF_UNIX, SOCK_DGRAM, 0);

	ck_assert_int_eq(getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &netns, &len), 0);
	close(s);
	sft_start("policy_taken", conf);
	relay = relay_listener();
	struct client_spec spec = {env.cgroup, NULL,	    TENANT, TENANT_GID, NULL,
				   0,	       "192.0.2.1", 25,	    0};
	struct client a = client_start(&spec), b;

	ck_assert_int_eq(a.err, 0);
	ck_assert_int_eq(sft_accept_all(relay), 1);
	fd = policy_connect();
	snprintf(header, sizeof(header),
		 "PREPEND X-Smtpfence-Tenant: %s; user=10001; process=test_policy_ser[%d]",
		 env.cgroup_rel, (int)a.pid);
	ck_assert_str_eq(ask_at(fd, "RCPT", "127.0.0.1", a.port, "T.1", srv), header);

	/* the attack: an unprivileged port on another loopback address whose
	 * key lands in a's slot */
	__u32 victim = slot_of(netns, "127.0.0.1", a.port);

	for (int host = 2; host < 250 && !spoof_port; host++) {
		snprintf(spoof_ip, sizeof(spoof_ip), "127.0.0.%d", host);
		for (unsigned p = 1024; p < 65536; p++)
			if (slot_of(netns, spoof_ip, p) == victim) {
				spoof_port = p;
				break;
			}
	}
	ck_assert_uint_ne(spoof_port, 0);
	struct client_spec taker = {env.cgroup, NULL,	     TENANT, TENANT_GID, spoof_ip,
				    spoof_port, "192.0.2.1", 25,     0};

	b = client_start(&taker);
	ck_assert_int_eq(b.err, 0);
	ck_assert_int_eq(sft_accept_all(relay), 1);
	/* the record is b's now: without the MTA's side, a is unknown */
	ck_assert_str_eq(ask(fd, "RCPT", "127.0.0.1", a.port, "T.2"), "DUNNO");
	/* with it, the socket names the tenant, and the limits count */
	snprintf(header, sizeof(header),
		 "PREPEND X-Smtpfence-Tenant: %s; user=10001; process=unknown", env.cgroup_rel);
	ck_assert_str_eq(ask_at(fd, "RCPT", "127.0.0.1", a.port, "T.2", srv), header);
	/* the one-line form too, with the MTA's side as its last two words */
	char line[128], want[600];

	snprintf(line, sizeof(line), "who 127.0.0.1 %u\n", a.port);
	ck_assert_str_eq(ask_line(line), "DUNNO\n");
	snprintf(line, sizeof(line), "who 127.0.0.1 %u 127.0.0.1 25\n", a.port);
	snprintf(want, sizeof(want), "OK %s\n", header + strlen("PREPEND X-Smtpfence-Tenant: "));
	ck_assert_str_eq(ask_line(line), want);
	const char *r = ask_at(fd, "RCPT", "127.0.0.1", a.port, "T.3", srv);

	ck_assert_msg(strstr(r, "DEFER_IF_PERMIT 4.7.1 smtpfence: user:10001 may send 2 messages "
				"per hour; try again later"),
		      "%s", r);
	close(fd);
	client_end(&b);
	client_end(&a);
	close(relay);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("policy_service");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, postfix_protocol);
	tcase_add_test(tc, concurrent_messages);
	tcase_add_test(tc, commands_set_mail_limits);
	tcase_add_test(tc, bounded_clients);
	tcase_add_test(tc, record_taken_away);
	return sft_run_tcase("policy_service", tc);
}
