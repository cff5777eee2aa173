// SPDX-License-Identifier: GPL-2.0-only
/* The metrics endpoint against local tenants (issue 12 item 7): sixteen and
 * more idle connections from uid 65534 do not stop a scrape, uid 65534 is
 * refused (it would read every tenant's labels and counts), and the users
 * the admin names in metrics_allow_users get the data. The peer's uid is
 * the kernel's (sock_diag), not anything the peer says. */
#include "fixture.h"
#include "suite.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT	 19466
#define TENANT	 65534
#define SCRAPER	 10002
#define HOG_CONN 20

static int connect_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* GET /metrics as uid; 0 when a 200 with smtpfence's figures came back
 * within 5 s, 1 when refused or nothing came, 2 on a harness failure. */
static int scrape_as(uid_t uid)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static const char req[] = "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
		char buf[65536];
		size_t got = 0;
		int fd;

		if (uid && sft_become(uid, uid))
			_exit(2);
		fd = connect_port();
		if (fd < 0)
			_exit(1);
		if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1)
			_exit(1);
		for (;;) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			ssize_t n;

			if (poll(&p, 1, 5000) != 1)
				_exit(1);
			n = read(fd, buf + got, sizeof(buf) - 1 - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		buf[got] = '\0';
		_exit(strstr(buf, " 200 ") && strstr(buf, "smtpfence_") ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) != 2);
	return WEXITSTATUS(status);
}

/* A tenant holds connections open and idle until killed. */
static pid_t hog(int n, int *held)
{
	int ready[2];
	pid_t pid;
	char c = 0;

	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int count = 0;

		close(ready[0]);
		if (sft_become(TENANT, TENANT))
			_exit(2);
		for (int i = 0; i < n; i++)
			count += connect_port() >= 0;
		c = (char)count;
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		pause();
		_exit(0);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*held = c;
	return pid;
}

START_TEST(idle_tenants_block_no_scrape_and_read_nothing)
{
	int held;
	pid_t hogger;

	sft_start("metrics-acl", "[global]\nports = 25\ndefault = deny\n"
				 "metrics_address = 127.0.0.1:19466\n"
				 "metrics_allow_users = daemon 10002\n");
	hogger = hog(HOG_CONN, &held);
	printf("metrics: uid %d opened %d of %d connections\n", TENANT, held, HOG_CONN);
	ck_assert_int_ge(held, 16);
	ck_assert_msg(scrape_as(1) == 0, "the named user 'daemon' got no metrics");
	ck_assert_msg(scrape_as(SCRAPER) == 0, "the named uid 10002 got no metrics");
	ck_assert_msg(scrape_as(TENANT) == 1, "uid 65534 read the metrics");
	ck_assert_msg(scrape_as(0) == 1, "root is not named, yet read the metrics");
	kill(hogger, SIGKILL);
	waitpid(hogger, NULL, 0);
}
END_TEST

/* Unset, only root may read; a config that names nobody valid is refused. */
START_TEST(default_is_root_only)
{
	sft_start("metrics-root", "[global]\nports = 25\ndefault = deny\n"
				  "metrics_address = 127.0.0.1:19466\n");
	ck_assert_int_eq(scrape_as(0), 0);
	ck_assert_int_eq(scrape_as(TENANT), 1);
	sft_teardown();
	sft_env_setup(&env, "metrics-bad", "[global]\nmetrics_allow_users = nosuchuser-x\n");
	sft_mark_up();
	ck_assert_int_eq(sft_cli(&env, "check-config"), 2);
	ck_assert_msg(strstr(env.err, "metrics_allow_users: unknown user 'nosuchuser-x'"), "%s",
		      env.err);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("metrics-access");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, idle_tenants_block_no_scrape_and_read_nothing);
	tcase_add_test(tc, default_is_root_only);
	return sft_run_tcase("metrics-access", tc);
}
