// SPDX-License-Identifier: GPL-2.0-only
/* Privilege: the pinned state belongs to root alone (pins 0600, their
 * directory 0700); a non-root user running any command gets one clear line
 * and exit 1; a tenant without CAP_BPF, plain or root in its own user
 * namespace, can neither read nor change the maps. */
#include "harness.h"
#include "suite.h"
#include "smtpfence.h"

#include <bpf/bpf.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TENANT 10001

static const char conf[] = "[global]\nports = 25\ndefault = deny\n[rules]\nallow = user:10002\n";

static struct sft_env env;
static bool env_up;

static void start(const char *name)
{
	sft_env_setup(&env, name, conf);
	env_up = true;
	ck_assert_msg(sft_daemon_start(&env) == 0, "daemon did not start");
}

static void teardown(void)
{
	if (env_up)
		sft_env_teardown(&env);
	env_up = false;
}

static void assert_root_only(const char *path, mode_t want)
{
	struct stat st;

	ck_assert_msg(stat(path, &st) == 0, "%s: %s", path, strerror(errno));
	ck_assert_msg(st.st_uid == 0 && st.st_gid == 0, "%s is owned by %u:%u", path, st.st_uid,
		      st.st_gid);
	ck_assert_msg((st.st_mode & 07777) == want, "%s has mode %04o, want %04o", path,
		      st.st_mode & 07777, want);
}

/* Every pin in the directory is root's alone; returns how many of the core
 * maps and links were among them. */
static int check_pins(void)
{
	static const char *const core[] = {SF_MAP_PORTS,      SF_MAP_SETTINGS, SF_MAP_RULES,
					   SF_MAP_RULE_STATS, SF_MAP_EXEMPT4,  SF_MAP_EXEMPT6,
					   SF_MAP_FLOWS,      SF_MAP_TOTALS,   SF_MAP_EVENTS,
					   SF_LINK_CONNECT4,  SF_LINK_CONNECT6};
	DIR *d = opendir(env.pin_dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	assert_root_only(env.pin_dir, 0700);
	while ((e = readdir(d))) {
		char path[PATH_MAX + 256];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", env.pin_dir, e->d_name);
		assert_root_only(path, 0600);
		for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++)
			n += !strcmp(e->d_name, core[i]);
	}
	closedir(d);
	return n;
}

START_TEST(pins_belong_to_root)
{
	start("pins");
	ck_assert_int_eq(check_pins(), 11);
	/* still so after a change, a reload and a restart re-adopting them */
	ck_assert_int_eq(sft_cli(&env, "deny user:10003"), 0);
	ck_assert_int_eq(sft_cli(&env, "reload"), 0);
	sft_daemon_stop(&env, SIGKILL);
	ck_assert_int_eq(sft_daemon_start(&env), 0);
	ck_assert_int_eq(check_pins(), 11);
}
END_TEST

/* Runs the CLI as uid/gid 65534 with `args`; returns the exit status and
 * its stderr in err. */
static int run_unprivileged(const char *args, char *err, size_t len)
{
	char cmd[PATH_MAX * 2], path[PATH_MAX + 16];
	const char *bin = getenv("SMTPFENCE_BIN") ? getenv("SMTPFENCE_BIN") : "build/smtpfence";
	int status, fd;
	ssize_t n;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/unpriv.err", env.dir);
	snprintf(cmd, sizeof(cmd), "exec %s --pin-dir '%s' --config '%s' --run-dir '%s' %s", bin,
		 env.pin_dir, env.config, env.run_dir, args);
	pid = fork();
	if (pid == 0) {
		if (!freopen(path, "w", stderr) || !freopen("/dev/null", "w", stdout) ||
		    setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(99);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(98);
	}
	waitpid(pid, &status, 0);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, err, len - 1) : 0;
	err[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(non_root_gets_one_line_from_every_command)
{
	static const char *const commands[] = {
		"run",
		"allow user:10003",
		"deny user:10003",
		"log user:10003",
		"limit user:10003 5/min",
		"unset user:10002",
		"rules",
		"rules -j",
		"status",
		"status -j",
		"ports list",
		"ports add 587",
		"default allow",
		"explain --uid 10001 192.0.2.1:25",
		"reload",
		"unload",
		"flows",
		"events",
		"top --batch -n 1",
		"metrics",
	};
	char err[4096], before[SFT_OUT_LEN];

	start("nonroot");
	ck_assert_int_eq(sft_cli(&env, "rules -j"), 0);
	snprintf(before, sizeof(before), "%s", env.out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int rc = run_unprivileged(commands[i], err, sizeof(err));

		ck_assert_msg(rc == 1, "'%s' as uid 65534: exit %d: %s", commands[i], rc, err);
		ck_assert_msg(!strcmp(err, "smtpfence: permission denied: smtpfence needs root "
					   "(CAP_BPF and CAP_NET_ADMIN)\n"),
			      "'%s' as uid 65534 said: %s", commands[i], err);
	}
	/* nothing changed, the daemon still runs */
	ck_assert_int_eq(sft_cli(&env, "rules -j"), 0);
	ck_assert_str_eq(env.out, before);
	ck_assert_int_eq(sft_cli(&env, "status"), 0);
	/* check-config reads a file and touches nothing: a user may run it,
	 * on a file the user can read */
	char readable[] = "/tmp/smtpfence-test-priv.XXXXXX", args[PATH_MAX];
	int fd = mkstemp(readable);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	dprintf(fd, "[global]\nports = 25\nrules_dir = /nonexistent\n[rules]\nallow = "
		    "user:10002\n");
	close(fd);
	snprintf(args, sizeof(args), "--config %s --run-dir /nonexistent check-config", readable);
	int rc = run_unprivileged(args, err, sizeof(err));

	unlink(readable);
	ck_assert_msg(rc == 0, "check-config as uid 65534: exit %d: %s", rc, err);
}
END_TEST

/* What a tenant's process can do to the maps: each attempt's errno,
 * packed as the child's exit code (0 would mean it succeeded). */
enum probe { PROBE_OPEN, PROBE_OBJ_GET, PROBE_GET_BY_ID, N_PROBES };

static int probe_child(enum probe p, const char *path, __u32 map_id, bool userns_root)
{
	int fd;

	if (setgroups(0, NULL) || setgid(TENANT) || setuid(TENANT))
		return 200;
	if (userns_root) {
		int f;

		/* root with every capability, in a user namespace of its own
		 * (setuid cleared the dumpable flag that /proc/self needs) */
		if (prctl(PR_SET_DUMPABLE, 1) || unshare(CLONE_NEWUSER))
			return 201;
		f = open("/proc/self/uid_map", O_WRONLY);
		if (f < 0 || write(f, "0 10001 1\n", 10) != 10)
			return 202;
		close(f);
		if (getuid() != 0)
			return 203;
	}
	switch (p) {
	case PROBE_OPEN:
		fd = open(path, O_RDWR);
		break;
	case PROBE_OBJ_GET:
		fd = bpf_obj_get(path);
		break;
	default:
		fd = bpf_map_get_fd_by_id(map_id);
		break;
	}
	return fd >= 0 ? 0 : errno;
}

static int probe(enum probe p, const char *path, __u32 map_id, bool userns_root)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(probe_child(p, path, map_id, userns_root));
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(tenant_cannot_touch_the_maps)
{
	static const char *const maps[] = {SF_MAP_RULES, SF_MAP_FLOWS, SF_MAP_SETTINGS,
					   SF_MAP_PORTS};
	char path[PATH_MAX + 64];

	start("tenant");
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd;

		snprintf(path, sizeof(path), "%s/%s", env.pin_dir, maps[i]);
		fd = bpf_obj_get(path);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
		close(fd);
		for (int userns = 0; userns < 2; userns++) {
			int e;

			e = probe(PROBE_OPEN, path, info.id, userns);
			ck_assert_msg(e == EACCES, "%s: open as %s: %d", maps[i],
				      userns ? "userns root" : "tenant", e);
			/* EPERM where unprivileged bpf() is off, EACCES otherwise */
			e = probe(PROBE_OBJ_GET, path, info.id, userns);
			ck_assert_msg(e == EACCES || e == EPERM, "%s: BPF_OBJ_GET as %s: %d",
				      maps[i], userns ? "userns root" : "tenant", e);
			e = probe(PROBE_GET_BY_ID, path, info.id, userns);
			ck_assert_msg(e == EPERM, "%s: BPF_MAP_GET_FD_BY_ID as %s: %d", maps[i],
				      userns ? "userns root" : "tenant", e);
		}
	}
	/* the policy still holds for that tenant */
	int l = sft_listen("192.0.2.1", 25);

	ck_assert_int_ge(l, 0);
	ck_assert_int_eq(sft_connect(env.cgroup, TENANT, TENANT, "192.0.2.1", 25, SFT_BLOCKING),
			 EPERM);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("root_only");

	sft_sandbox_enter();
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, pins_belong_to_root);
	tcase_add_test(tc, non_root_gets_one_line_from_every_command);
	tcase_add_test(tc, tenant_cannot_touch_the_maps);
	return sft_run_tcase("privilege", tc);
}
