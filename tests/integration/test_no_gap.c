// SPDX-License-Identifier: GPL-2.0-only
/* No gap, ever: a denied tenant and an allowed tenant connect in a loop
 * while the daemon is restarted, reloaded, SIGKILLed, upgraded to a rebuilt
 * binary, downgraded, migrated to a new map layout and stopped. Not one
 * denied connect may get through and not one allowed connect may fail;
 * the kernel's counters, kept across all of it, must match the loops'. */
#include "harness.h"
#include "suite.h"
#include "smtpfence.h"
#include "kernel/counters.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <check.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TENANT_UID  10001
#define TENANT_GID  20001
#define RUNTIME_UID 10003 /* allowed by a --runtime rule */
#define HOST	    "192.0.2.1"
#define PORT	    25
/* Each step must see this many connects from each loop. */
#define PROGRESS     40
#define LOOP_SECONDS 100

struct loop_counts {
	unsigned long ok;
	unsigned long refused; /* EPERM: the verdict of the filter */
	unsigned long failed;  /* any other errno */
	int last_errno;
};

struct shared {
	volatile int stop;	    /* the loops */
	volatile int stop_drain;    /* the listener's drainer, last */
	struct loop_counts loop[2]; /* DENIED, ALLOWED */
};

enum { DENIED, ALLOWED };

static struct sft_env env;
static bool env_up;
static struct shared *sh;
static pid_t loops[2], drainer;
static int lfd = -1;
static char cg[2][PATH_MAX];

/* A child of the test goes when the test goes, even when it is killed by
 * check's timeout, and it never outlives LOOP_SECONDS. */
static void die_with_parent(void)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() == 1)
		_exit(1);
	alarm(LOOP_SECONDS);
}

/* One connect; EPERM is counted apart from any other failure. */
static void connect_once(struct loop_counts *c, const struct sockaddr_in *sa)
{
	struct timeval tv = {.tv_sec = 2};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		c->failed++;
		c->last_errno = errno;
		return;
	}
	/* A connect that hangs is a failure too, not a stall of the test. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0) {
		c->ok++;
	} else if (errno == EPERM) {
		c->refused++;
	} else {
		c->failed++;
		c->last_errno = errno;
	}
	close(fd);
}

static pid_t start_loop(const char *cgroup, struct loop_counts *c)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid)
		return pid;
	die_with_parent();
	if (sft_join_cgroup(cgroup))
		_exit(2);
	if (sft_become(TENANT_UID, TENANT_GID))
		_exit(3);
	inet_pton(AF_INET, HOST, &sa.sin_addr);
	while (!sh->stop) {
		connect_once(c, &sa);
		/* Fast, yet slow enough for the drainer to keep the accept
		 * queue short (flat out, the listener drops SYNs). */
		usleep(200);
	}
	_exit(0);
}

/* Accepts and closes connections, so the accept queue never fills. */
static pid_t start_drainer(int fd)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid)
		return pid;
	die_with_parent();
	while (!sh->stop_drain) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, 50) > 0)
			sft_accept_all(fd);
	}
	_exit(0);
}

static unsigned long attempts(int which)
{
	const struct loop_counts *c = &sh->loop[which];

	return c->ok + c->refused + c->failed;
}

/* Waits until both loops have made PROGRESS more connects: every step is
 * crossed by real traffic. */
static void progress(const char *during)
{
	unsigned long d0 = attempts(DENIED), a0 = attempts(ALLOWED);

	for (int i = 0; i < 1000; i++) {
		if (attempts(DENIED) >= d0 + PROGRESS && attempts(ALLOWED) >= a0 + PROGRESS)
			return;
		usleep(10000);
	}
	ck_abort_msg("the tenant loops stalled during %s (denied %lu, allowed %lu attempts)",
		     during, attempts(DENIED) - d0, attempts(ALLOWED) - a0);
}

static void check_loops(const char *after)
{
	const struct loop_counts *d = &sh->loop[DENIED], *a = &sh->loop[ALLOWED];

	ck_assert_msg(d->ok == 0, "after %s: %lu denied connects got through", after, d->ok);
	ck_assert_msg(d->failed == 0, "after %s: %lu denied connects failed otherwise (%s)", after,
		      d->failed, strerror(d->last_errno));
	ck_assert_msg(a->failed == 0 && a->refused == 0,
		      "after %s: %lu allowed connects refused, %lu failed (%s)", after, a->refused,
		      a->failed, strerror(a->last_errno));
}

static int pin_fd(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", env.pin_dir, name);
	fd = bpf_obj_get(path);
	ck_assert_msg(fd >= 0, "no pin %s: %s", path, strerror(errno));
	return fd;
}

static __u32 map_id(const char *name, __u32 *value_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = pin_fd(name);

	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	close(fd);
	if (value_size)
		*value_size = info.value_size;
	return info.id;
}

/* The program the pinned connect4 link runs: its id and its tag (a hash of
 * its instructions, so another build's program has another tag). */
static __u32 link_prog(__u64 *tag)
{
	struct bpf_link_info link = {};
	struct bpf_prog_info prog = {};
	__u32 len = sizeof(link);
	int fd = pin_fd(SF_LINK_CONNECT4), pfd;

	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &link, &len), 0);
	close(fd);
	pfd = bpf_prog_get_fd_by_id(link.prog_id);
	ck_assert_int_ge(pfd, 0);
	len = sizeof(prog);
	ck_assert_int_eq(bpf_obj_get_info_by_fd(pfd, &prog, &len), 0);
	close(pfd);
	memcpy(tag, prog.tag, sizeof(*tag));
	return link.prog_id;
}

static void totals(struct sf_counters *c)
{
	struct sf_totals t = {};
	int fd = pin_fd(SF_MAP_TOTALS);

	ck_assert_int_eq(sf_totals_read(fd, &t), 0); /* summed over CPUs */
	close(fd);
	*c = t.c;
}

static void start_daemon(const char *bin, const char *step)
{
	setenv("SMTPFENCE_BIN", bin, 1);
	ck_assert_msg(sft_daemon_start(&env) == 0, "%s: %s did not start", step, bin);
}

/* Stops the daemon with sig; the loops must run on while it is gone. */
static void stop_daemon(int sig, const char *step)
{
	int status = sft_daemon_stop(&env, sig);

	if (sig == SIGKILL)
		ck_assert_msg(WIFSIGNALED(status), "%s: status %#x", step, status);
	else
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: status %#x", step,
			      status);
	progress(step);
	check_loops(step);
}

/* An older build's sf_rules: another value layout, pinned where ours is. */
static void pin_foreign_rules_map(void)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "sf_rules", sizeof(struct sf_rule_key), 8, 16,
				NULL);

	ck_assert_int_ge(fd, 0);
	snprintf(tmp, sizeof(tmp), "%s/foreign", env.pin_dir);
	snprintf(path, sizeof(path), "%s/%s", env.pin_dir, SF_MAP_RULES);
	ck_assert_int_eq(bpf_obj_pin(fd, tmp), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
	close(fd);
}

static const char *bin = "build/smtpfence";

/* Two tenant cgroups: "allowed" has an allow rule, "denied" falls to the
 * default deny. */
static void setup_env(const char *name)
{
	char conf[1024], rel[PATH_MAX];
	FILE *f;

	sft_env_setup(&env, name, NULL);
	env_up = true;
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(sft_cgroup_make(&env, i == DENIED ? "denied" : "allowed", cg[i],
						 sizeof(cg[i])),
				 0);
	snprintf(rel, sizeof(rel), "%s/allowed", env.cgroup_rel);
	snprintf(conf, sizeof(conf),
		 "[global]\nports = 25\ndefault = deny\nmax_rules = 1024\nmax_flows = 4096\n"
		 "rules_dir = %s\n[rules]\nallow = cgroup:%s\n",
		 env.rules_dir, rel);
	f = fopen(env.config, "we");
	ck_assert_ptr_nonnull(f);
	fputs(conf, f);
	fclose(f);
}

/* The listener, its drainer and both tenants' loops, once enforcing. */
static void start_traffic(void)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(sh, MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	lfd = sft_listen(HOST, PORT);
	ck_assert_int_ge(lfd, 0);
	drainer = start_drainer(lfd);
	loops[DENIED] = start_loop(cg[DENIED], &sh->loop[DENIED]);
	loops[ALLOWED] = start_loop(cg[ALLOWED], &sh->loop[ALLOWED]);
	progress("the first run");
	check_loops("the first run");
}

/* Stops the loops (the drainer runs on for single connects). */
static void stop_traffic(void)
{
	sh->stop = 1;
	for (int i = 0; i < 2; i++) {
		waitpid(loops[i], NULL, 0);
		loops[i] = 0;
	}
}

static void teardown(void)
{
	if (sh)
		sh->stop = sh->stop_drain = 1;
	for (int i = 0; i < 2; i++)
		if (loops[i] > 0)
			waitpid(loops[i], NULL, 0);
	if (drainer > 0)
		waitpid(drainer, NULL, 0);
	loops[0] = loops[1] = drainer = 0;
	if (lfd >= 0)
		close(lfd);
	lfd = -1;
	if (env_up)
		sft_env_teardown(&env);
	env_up = false;
}

START_TEST(no_connect_slips_through)
{
	const char *upgrade = getenv("SMTPFENCE_UPGRADE_BIN");
	__u32 rules_id, flows_id, totals_id, prog_a, prog_b, value_size;
	__u64 tag_a, tag_b, tag;
	struct sf_counters k;

	ck_assert_msg(upgrade && access(upgrade, X_OK) == 0,
		      "SMTPFENCE_UPGRADE_BIN must name the rebuilt binary (make test-no-gap)");
	setup_env("nogap");
	start_daemon(bin, "first start");
	ck_assert_int_eq(sft_cli(&env, "allow user:%d --runtime", RUNTIME_UID), 0);
	rules_id = map_id(SF_MAP_RULES, NULL);
	flows_id = map_id(SF_MAP_FLOWS, NULL);
	totals_id = map_id(SF_MAP_TOTALS, NULL);
	prog_a = link_prog(&tag_a);

	start_traffic();

	/* systemctl restart */
	stop_daemon(SIGTERM, "stop for a restart");
	start_daemon(bin, "restart");
	progress("restart");
	ck_assert_uint_ne(link_prog(&tag), prog_a); /* a fresh program, swapped in */

	/* systemctl reload: SIGHUP, and ExecReload's `smtpfence reload` */
	env.notify_log[0] = '\0';
	kill(env.daemon, SIGHUP);
	ck_assert(sft_notify_wait(&env, "RELOADING=1", 5000));
	ck_assert(sft_notify_wait(&env, "READY=1", 5000));
	progress("SIGHUP reload");
	ck_assert_int_eq(sft_cli(&env, "reload"), 0);
	progress("smtpfence reload");
	check_loops("reload");

	/* a crash, or the watchdog's SIGKILL */
	stop_daemon(SIGKILL, "SIGKILL");
	start_daemon(bin, "start after SIGKILL");
	progress("start after SIGKILL");

	/* upgrade to a rebuilt binary with other instructions */
	stop_daemon(SIGTERM, "stop for the upgrade");
	start_daemon(upgrade, "upgrade");
	progress("upgrade");
	prog_b = link_prog(&tag_b);
	ck_assert_msg(tag_b != tag_a, "the upgrade did not swap in the rebuilt program");
	ck_assert_uint_ne(prog_b, prog_a);
	ck_assert_uint_eq(map_id(SF_MAP_RULES, NULL), rules_id); /* maps kept */
	ck_assert_uint_eq(map_id(SF_MAP_FLOWS, NULL), flows_id);
	ck_assert_uint_eq(map_id(SF_MAP_TOTALS, NULL), totals_id);

	/* killed while upgraded, then back to the first build */
	stop_daemon(SIGKILL, "SIGKILL of the upgraded daemon");
	start_daemon(bin, "downgrade");
	progress("downgrade");
	link_prog(&tag);
	ck_assert(tag == tag_a);

	/* a build whose rules map has another layout: migrated, no gap */
	stop_daemon(SIGTERM, "stop for the migration");
	pin_foreign_rules_map();
	start_daemon(upgrade, "migration");
	progress("migration");
	ck_assert_uint_ne(map_id(SF_MAP_RULES, &value_size), rules_id);
	ck_assert_uint_eq(value_size, sizeof(struct sf_rule));
	ck_assert_uint_eq(map_id(SF_MAP_FLOWS, NULL), flows_id);
	ck_assert_uint_eq(map_id(SF_MAP_TOTALS, NULL), totals_id);
	ck_assert_msg(strstr(env.notify_log, "READY=1"), "%s", env.notify_log);

	/* systemctl stop: enforcement stays */
	stop_daemon(SIGTERM, "systemctl stop");

	stop_traffic();
	check_loops("the whole run");
	/* Rules (the runtime layer too) came through the migration. */
	ck_assert_int_eq(sft_connect(cg[DENIED], RUNTIME_UID, TENANT_GID, HOST, PORT, SFT_BLOCKING),
			 0);
	ck_assert_int_eq(sft_connect(cg[DENIED], TENANT_UID, TENANT_GID, HOST, PORT, SFT_BLOCKING),
			 EPERM);
	/* Counters were kept through restarts and upgrades: the kernel counted
	 * exactly what the loops did (plus the two connects just above). */
	totals(&k);
	ck_assert_uint_eq(k.denied, sh->loop[DENIED].refused + 1);
	ck_assert_uint_eq(k.allowed, sh->loop[ALLOWED].ok + 1);
	ck_assert_uint_eq(k.attempts, k.allowed + k.denied + k.limited);
	printf("no-gap: %lu denied connects refused, %lu allowed connects through, none slipped\n",
	       sh->loop[DENIED].refused, sh->loop[ALLOWED].ok);

	/* smtpfence unload is the way to remove enforcement. */
	ck_assert_int_eq(sft_cli(&env, "unload"), 0);
	ck_assert_int_eq(sft_connect(cg[DENIED], TENANT_UID, TENANT_GID, HOST, PORT, SFT_BLOCKING),
			 0);
}
END_TEST

/* Maps made with another SF_LAYOUT_VERSION: every one is migrated (even
 * without CAP_SYS_ADMIN, when BTF cannot tell), with no gap. */
START_TEST(layout_version_bump_migrates_every_map)
{
	static const char *const maps[] = {SF_MAP_RULES, SF_MAP_SETTINGS, SF_MAP_PORTS,
					   SF_MAP_FLOWS, SF_MAP_TOTALS};
	char mine[PATH_MAX], older[PATH_MAX];
	__u32 ids[5];

	setup_env("bump");
	start_daemon(bin, "first start");
	start_traffic();
	for (int i = 0; i < 5; i++)
		ids[i] = map_id(maps[i], NULL);
	snprintf(mine, sizeof(mine), "%s/layout_v%d", env.pin_dir, SF_LAYOUT_VERSION);
	snprintf(older, sizeof(older), "%s/layout_v%d", env.pin_dir, SF_LAYOUT_VERSION - 1);
	ck_assert_msg(access(mine, F_OK) == 0, "the pinned state is not marked with its version");
	stop_daemon(SIGTERM, "stop for the version bump");
	ck_assert_int_eq(rename(mine, older), 0); /* as an older build left it */
	start_daemon(bin, "version bump");
	progress("version bump");
	for (int i = 0; i < 5; i++)
		ck_assert_msg(map_id(maps[i], NULL) != ids[i], "%s was not migrated", maps[i]);
	ck_assert_int_eq(access(mine, F_OK), 0);
	ck_assert_int_eq(access(older, F_OK), -1);
	stop_daemon(SIGTERM, "stop after the version bump");
	stop_traffic();
	check_loops("the version bump");
	ck_assert_int_eq(sft_connect(cg[DENIED], TENANT_UID, TENANT_GID, HOST, PORT, SFT_BLOCKING),
			 EPERM);
	ck_assert_int_eq(sft_connect(cg[ALLOWED], TENANT_UID, TENANT_GID, HOST, PORT, SFT_BLOCKING),
			 0);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("upgrade");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, no_connect_slips_through);
	tcase_add_test(tc, layout_version_bump_migrates_every_map);
	return sft_run_tcase("no-gap", tc);
}
