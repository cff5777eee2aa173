// SPDX-License-Identifier: GPL-2.0-only
/* Issue 12 item 5: MPTCP subflows are judged as their connection's owner.
 * The tenant's MPTCP connect goes to an exempt address of a server in
 * another network namespace; the server announces a second address
 * (ADD_ADDR, `ip mptcp endpoint ... signal`), and the client's path
 * manager opens a subflow to it from a kernel worker (uid 0, cgroup /).
 * That subflow must be judged as the tenant, not as root. */
#include "harness.h"
#include "suite.h"
#include "netns.h"
#include "status.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mptcp.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP 284
#endif

#define TENANT	   10001
#define SERVER	   "10.77.0.2" /* exempt: where the tenant may connect */
#define ANNOUNCED  "10.77.0.3" /* the second address the server announces */
#define CONF_TAIL  "allow = user:root\n"
#define CONF_DENY  "[global]\nports = 25\ndefault = deny\nexempt = " SERVER "/32\n[rules]\n"
#define WAIT_STEPS 60 /* of 50 ms */

static struct sft_ns server;
static struct sft_env env;
static bool env_up;
static char tenant_cg[PATH_MAX];

static void teardown(void)
{
	if (env_up)
		sft_env_teardown(&env);
	env_up = false;
}

/* An MPTCP listener on port 25 in the server's namespace. */
static int server_listen(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(25)};
	int here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int there = open(server.path, O_RDONLY | O_CLOEXEC), one = 1, fd;

	ck_assert_int_ge(here, 0);
	ck_assert_int_ge(there, 0);
	ck_assert_int_eq(setns(there, CLONE_NEWNET), 0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	ck_assert_int_eq(setns(here, CLONE_NEWNET), 0);
	close(here);
	close(there);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	return fd;
}

/* The tenant connects over MPTCP and holds the connection until *hold is
 * closed; returns the child's pid. */
static pid_t tenant_connects(int hold[2])
{
	pid_t pid;

	ck_assert_int_eq(pipe(hold), 0);
	pid = fork();
	if (pid == 0) {
		struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(25)};
		char c;
		int fd;

		close(hold[1]);
		if (sft_join_cgroup(tenant_cg) || sft_become(TENANT, TENANT))
			_exit(SFT_CHILD_FAILED);
		fd = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
		inet_pton(AF_INET, SERVER, &to.sin_addr);
		if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)))
			_exit(errno ? errno : SFT_CHILD_FAILED);
		if (read(hold[0], &c, 1) < 0)
			_exit(SFT_CHILD_FAILED);
		_exit(0);
	}
	close(hold[0]);
	return pid;
}

/* Additional subflows of the server's side of the connection. */
static int subflows(int conn)
{
	struct mptcp_info info = {};
	socklen_t len = sizeof(info);

	ck_assert_int_eq(getsockopt(conn, SOL_MPTCP, MPTCP_INFO, &info, &len), 0);
	return info.mptcpi_subflows;
}

/* Runs the connection; returns the subflows the server saw join within
 * the wait, or as soon as `denied` attempts were counted. */
static int run_connection(uint64_t denied)
{
	int lfd = server_listen(), hold[2], conn, n = 0;
	pid_t child = tenant_connects(hold);
	struct pollfd p = {.fd = lfd, .events = POLLIN};

	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	conn = accept(lfd, NULL, NULL);
	ck_assert_int_ge(conn, 0);
	for (int i = 0; i < WAIT_STEPS; i++) {
		n = subflows(conn);
		if (n || (denied && sft_status_field(&env, "denied") >= denied))
			break;
		usleep(50000);
	}
	/* A denied subflow is not retried: the count stands. */
	n = subflows(conn);
	close(hold[1]);
	ck_assert_int_eq(sft_wait_child(child), 0);
	close(conn);
	close(lfd);
	return n;
}

static void start(const char *name, const char *conf)
{
	sft_env_setup(&env, name, conf);
	env_up = true;
	ck_assert_int_eq(sft_cgroup_make(&env, "tenant", tenant_cg, sizeof(tenant_cg)), 0);
	ck_assert_int_eq(sft_daemon_start(&env), 0);
}

/* The owner is allowed everywhere: its announced subflow joins (the test
 * can see a subflow, so the next one can fail). */
START_TEST(owner_allowed_subflow_joins)
{
	char conf[512], rule[PATH_MAX + 32];

	snprintf(conf, sizeof(conf), "%s%s", CONF_DENY, CONF_TAIL);
	start("mptcp_allowed", conf);
	snprintf(rule, sizeof(rule), "allow cgroup:%s --runtime",
		 tenant_cg + strlen(sft_cgroup_mount()));
	ck_assert_int_eq(sft_cli(&env, "%s", rule), 0);
	ck_assert_int_eq(run_connection(0), 1);
	ck_assert_uint_eq(sft_status_field(&env, "attempts"), 2);
	ck_assert_uint_eq(sft_status_field(&env, "denied"), 0);
}
END_TEST

/* The tenant may reach only the exempt address: the subflow the kernel
 * opens to the announced one is the tenant's, and denied; root's allow
 * does not apply, and the flow is the tenant's. */
START_TEST(announced_subflow_judged_as_owner)
{
	start("mptcp_owner", CONF_DENY CONF_TAIL);
	ck_assert_int_eq(run_connection(1), 0);
	ck_assert_uint_eq(sft_status_field(&env, "attempts"), 2);
	ck_assert_uint_eq(sft_status_field(&env, "denied"), 1);
	ck_assert_int_eq(sft_cli(&env, "flows -j"), 0);
	ck_assert_msg(strstr(env.out, "\"uid\":10001") && strstr(env.out, ANNOUNCED) &&
			      !strstr(env.out, "\"uid\":0,"),
		      "flows: %s", env.out);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("mptcp");

	sft_sandbox_enter();
	if (access("/proc/sys/net/mptcp/enabled", F_OK)) {
		fprintf(stderr, "SKIP: this kernel has no MPTCP\n");
		return 77;
	}
	if (sft_ns_new(&server))
		return 1;
	if (system("ip link add sft-mp type veth peer name sft-mp-srv && "
		   "ip addr add 10.77.0.1/24 dev sft-mp && ip link set sft-mp up && "
		   "ip mptcp limits set subflows 2 add_addr_accepted 2")) {
		fprintf(stderr, "cannot set up the client side\n");
		return 1;
	}
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ip link set sft-mp-srv netns %d", (int)server.holder);
	if (system(cmd) ||
	    sft_ns_sh(&server, "ip link set lo up && ip addr add " SERVER "/24 dev sft-mp-srv && "
			       "ip addr add " ANNOUNCED "/24 dev sft-mp-srv && "
			       "ip link set sft-mp-srv up && "
			       "ip mptcp limits set subflows 2 add_addr_accepted 0 && "
			       "ip mptcp endpoint add " ANNOUNCED " dev sft-mp-srv signal")) {
		fprintf(stderr, "cannot set up the server's namespace\n");
		return 1;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, owner_allowed_subflow_joins);
	tcase_add_test(tc, announced_subflow_judged_as_owner);
	return sft_run_tcase("mptcp", tc);
}
