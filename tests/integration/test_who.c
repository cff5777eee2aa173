// SPDX-License-Identifier: GPL-2.0-only
/* who on the real kernel: a tenant's connection to the relay (redirected
 * or direct) or to one of the node's addresses on a watched port is
 * recorded when it leaves, keyed as the MTA sees its client, and names
 * the tenant, cgroup, uid, pid and process; it is gone when the socket
 * closes (the kernel says so: the record itself stays), a reused port names its new owner, and two
 * network namespaces with the same client address and port do not mix. */
#include "../bypass/netns.h"
#include "../observe/observe_util.h"
#include "held_client.h"
#include "fixture.h"
#include "suite.h"
#include "smtpfence.h"

#include <bpf/bpf.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/stat.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TENANT	   10001
#define OTHER	   10002
#define TENANT_GID 20001
#define OTHER_GID  20002

static const char conf[] = "[global]\nports = 25\ndefault = deny\n"
			   "relay = 127.0.0.1:25 [::1]:25\n"
			   "[rules]\nredirect = user:10001\nallow = user:10002\n";

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
	struct client_spec spec = {acme, NULL, TENANT, TENANT_GID, NULL, 0, "198.51.100.7", 25, 0};
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
	struct client_spec spec = {acme, NULL,	      TENANT, TENANT_GID, "127.0.0.1",
				   0,	 "192.0.2.1", 25,     0};
	struct client a = client_start(&spec), b;

	ck_assert_int_eq(a.err, 0);
	snprintf(client, sizeof(client), "127.0.0.1:%u", a.port);
	expect_who(client, &a, TENANT, acme_rel, "192.0.2.1:25");
	ck_assert_int_eq(sft_accept_all(relay4), 1);
	client_end(&a);
	expect_unknown(client);

	/* beta (allowed) reuses the port, straight to a node address */
	struct client_spec again = {beta,   NULL,	 OTHER, OTHER_GID, "127.0.0.1",
				    a.port, "192.0.2.1", 25,	0};

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

	struct client_spec sa = {acme, NULL,	    TENANT, TENANT_GID, "127.0.0.1",
				 0,    "127.0.0.1", 25,	    0};
	struct client a = client_start(&sa);

	ck_assert_int_eq(a.err, 0);
	struct client_spec sb = {beta,	 ns.path,     OTHER, OTHER_GID, "127.0.0.1",
				 a.port, "127.0.0.1", 25,    0};
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

/* A build before layout 8 left its sockops recorder attached, its link
 * pinned as link_sockops: the new build detaches and unpins it (else the
 * old program would run at every socket op, on maps no one reads), and
 * records who itself. */
START_TEST(who_retires_the_sockops_link)
{
	const struct bpf_insn ret1[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1},
		{.code = BPF_JMP | BPF_EXIT},
	};
	char pin[PATH_MAX], client[64];
	__u32 attached = 0;
	int prog, link, cgfd;

	sft_env_setup(&env, "who_retire", conf);
	sft_mark_up();
	ck_assert_int_eq(mkdir(env.pin_dir, 0700) == 0 || errno == EEXIST, 1);
	prog = bpf_prog_load(BPF_PROG_TYPE_SOCK_OPS, "old_sockops", "GPL", ret1, 2, NULL);
	ck_assert_msg(prog >= 0, "load: %s", strerror(errno));
	cgfd = open(env.cgroup, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(cgfd, 0);
	link = bpf_link_create(prog, cgfd, BPF_CGROUP_SOCK_OPS, NULL);
	ck_assert_msg(link >= 0, "attach: %s", strerror(errno));
	snprintf(pin, sizeof(pin), "%s/%s", env.pin_dir, SF_LINK_SOCKOPS_RETIRED);
	ck_assert_msg(bpf_obj_pin(link, pin) == 0, "pin: %s", strerror(errno));
	close(link);
	close(prog);
	ck_assert_int_eq(bpf_prog_query(cgfd, BPF_CGROUP_SOCK_OPS, 0, NULL, NULL, &attached), 0);
	ck_assert_uint_eq(attached, 1);

	ck_assert_msg(sft_daemon_start(&env) == 0, "daemon did not start");
	ck_assert_int_eq(access(pin, F_OK) == -1 && errno == ENOENT, 1);
	attached = 0;
	ck_assert_int_eq(bpf_prog_query(cgfd, BPF_CGROUP_SOCK_OPS, 0, NULL, NULL, &attached), 0);
	ck_assert_uint_eq(attached, 0);
	close(cgfd);

	/* and who still knows a tenant's connection to the relay */
	char acme[PATH_MAX], acme_rel[PATH_MAX];

	tenant_cgroup("acme", "allow", acme, sizeof(acme), acme_rel, sizeof(acme_rel));
	int relay4 = listener("127.0.0.1", 25);
	struct client_spec spec = {acme, NULL,	      TENANT, TENANT_GID, "127.0.0.1",
				   0,	 "127.0.0.1", 25,     0};
	struct client a = client_start(&spec);

	ck_assert_int_eq(a.err, 0);
	snprintf(client, sizeof(client), "127.0.0.1:%u", a.port);
	expect_who(client, &a, TENANT, acme_rel, NULL);
	ck_assert_int_eq(sft_accept_all(relay4), 1);
	client_end(&a);
	expect_unknown(client);
	close(relay4);
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
	tcase_add_test(tc, who_retires_the_sockops_link);
	return sft_run_tcase("who", tc);
}
