// SPDX-License-Identifier: GPL-2.0-only
/* Repeated 50,000 -> 50,000 rule reloads, the two policies together larger
 * than a table of one (issue 12 item 4): a tenant denied by both policies
 * (by its cgroup in one, by its uid in the other) connects in a loop and
 * not one connect gets through; a tenant allowed by both is never refused. */
#include "fixture.h"
#include "suite.h"
#include "swap_policy.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RELOADS 16

struct counts {
	unsigned long ok, refused, failed;
	int last_errno;
};

struct shared {
	volatile int stop;
	struct counts c[2]; /* DENIED, ALLOWED */
};

static void hammer(const struct swap_tenants *t, int who, struct shared *sh)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(SWAP_PORT)};
	struct counts *c = &sh->c[who];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(170);
	if (sft_join_cgroup(t->cgroup[who]) || sft_become(t->uid[who], t->uid[who]))
		_exit(2);
	inet_pton(AF_INET, SWAP_HOST, &sa.sin_addr);
	while (!sh->stop) {
		struct timeval tv = {.tv_sec = 2};
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			_exit(3);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			c->ok++;
		} else if (errno == EPERM) {
			c->refused++;
		} else {
			c->failed++;
			c->last_errno = errno;
		}
		close(fd);
		usleep(100);
	}
	_exit(0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(reloads_never_open_the_policy)
{
	struct swap_tenants t;
	struct shared *sh =
		mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t loops[2], drainer;
	unsigned long before[2];
	int l;

	ck_assert_ptr_ne(sh, MAP_FAILED);
	sft_start("swap", SWAP_CONFIG);
	swap_tenants_make(&env, &t);
	swap_policy_write(&env, &t, 0);
	sft_cli_ok("reload");
	l = sft_listen(SWAP_HOST, SWAP_PORT);
	drainer = swap_drain_start(l);
	for (int i = 0; i < 2; i++) {
		loops[i] = fork();
		ck_assert_int_ge(loops[i], 0);
		if (!loops[i])
			hammer(&t, i == 0 ? DENIED : ALLOWED, sh);
	}
	for (int r = 0; r < RELOADS; r++) {
		double t0 = now_s();

		before[0] = sh->c[0].ok + sh->c[0].refused;
		before[1] = sh->c[1].ok + sh->c[1].refused;
		swap_policy_write(&env, &t, (r + 1) % 2);
		sft_cli_ok("reload");
		sft_notify_drain(&env);
		printf("reload %d to policy %d: %.2f s, %lu + %lu connects during it\n", r,
		       (r + 1) % 2, now_s() - t0, sh->c[0].ok + sh->c[0].refused - before[0],
		       sh->c[1].ok + sh->c[1].refused - before[1]);
	}
	usleep(200000);
	sh->stop = 1;
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(sft_wait_child(loops[i]), 0);
	swap_drain_stop(drainer);
	close(l);
	printf("denied tenant: %lu refused, %lu through, %lu failed\n", sh->c[0].refused,
	       sh->c[0].ok, sh->c[0].failed);
	printf("allowed tenant: %lu connected, %lu refused, %lu failed\n", sh->c[1].ok,
	       sh->c[1].refused, sh->c[1].failed);
	ck_assert_msg(sh->c[0].ok == 0, "%lu connects of the denied tenant got through",
		      sh->c[0].ok);
	ck_assert_msg(sh->c[1].refused == 0, "%lu connects of the allowed tenant were refused",
		      sh->c[1].refused);
	ck_assert_msg(!sh->c[0].failed && !sh->c[1].failed, "connects failed: %s",
		      strerror(sh->c[0].failed ? sh->c[0].last_errno : sh->c[1].last_errno));
	ck_assert_uint_gt(sh->c[0].refused, 1000);
	ck_assert_uint_gt(sh->c[1].ok, 1000);
	munmap(sh, sizeof(*sh));
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("swap");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 180);
	tcase_add_checked_fixture(tc, NULL, sft_teardown);
	tcase_add_test(tc, reloads_never_open_the_policy);
	return sft_run_tcase("swap", tc);
}
