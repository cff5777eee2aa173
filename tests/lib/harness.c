// SPDX-License-Identifier: GPL-2.0-only
#include "harness.h"

#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char work_dir[PATH_MAX]; /* temp dir: bpffs mount + per-test dirs */
static char bpffs[PATH_MAX];
static char cg_mount[PATH_MAX];
static char cg_root[PATH_MAX]; /* this binary's throwaway cgroup */
static pid_t owner;	       /* check forks tests: only the parent cleans up */

static void skip(const char *why)
{
	printf("SKIP: %s\n", why);
	fflush(stdout);
	exit(77);
}

static void die(const char *what)
{
	fprintf(stderr, "harness: failed to %s: %s\n", what, strerror(errno));
	exit(1);
}

static int find_cgroup2(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX], fstype[64];
		char *dash = strstr(line, " - ");

		if (dash && sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 &&
		    sscanf(dash + 3, "%63s", fstype) == 1 && !strcmp(fstype, "cgroup2")) {
			snprintf(cg_mount, sizeof(cg_mount), "%s", mnt);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -1;
}

/* Removes a cgroup tree bottom-up (cgroups hold no files to delete). */
static void rmdir_cgroups(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char sub[PATH_MAX];

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rmdir_cgroups(sub);
	}
	closedir(d);
	rmdir(path);
}

static void sandbox_cleanup(void)
{
	char cmd[PATH_MAX + 32];

	if (getpid() != owner)
		return;
	rmdir_cgroups(cg_root);
	umount2(bpffs, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work_dir);
	if (work_dir[0] && system(cmd)) {
		/* nothing more to do: the directory is in /tmp */
	}
}

static void on_fatal_signal(int sig)
{
	sandbox_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run(const char *cmd)
{
	if (system(cmd)) {
		fprintf(stderr, "harness: '%s' failed\n", cmd);
		exit(1);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f || fputs(text, f) < 0 || fclose(f))
		die(path);
}

/* A test binary that was killed could not clean up: its cgroup tree is
 * removed by the next run once its owner is gone. */
static void remove_stale_cgroups(void)
{
	DIR *d = opendir(cg_mount);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		int pid;

		if (sscanf(e->d_name, "smtpfence-test.%d", &pid) != 1 || pid <= 1 ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", cg_mount, e->d_name);
		rmdir_cgroups(path);
	}
	closedir(d);
}

void sft_sandbox_enter(void)
{
	if (geteuid() != 0)
		skip("integration tests need root (BPF, cgroups, namespaces)");
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, NULL) != 1)
		skip("this kernel cannot load cgroup/connect BPF programs");
	if (find_cgroup2())
		skip("no cgroup v2 hierarchy is mounted");
	remove_stale_cgroups();
	if (unshare(CLONE_NEWNS | CLONE_NEWNET))
		die("unshare mount and network namespaces");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("make / private");
	owner = getpid();
	snprintf(work_dir, sizeof(work_dir), "/tmp/smtpfence-test.XXXXXX");
	if (!mkdtemp(work_dir))
		die("create the work directory");
	snprintf(bpffs, sizeof(bpffs), "%s/bpffs", work_dir);
	snprintf(cg_root, sizeof(cg_root), "%s/smtpfence-test.%d", cg_mount, (int)owner);
	atexit(sandbox_cleanup);
	signal(SIGINT, on_fatal_signal);
	signal(SIGTERM, on_fatal_signal);
	signal(SIGSEGV, on_fatal_signal);
	signal(SIGABRT, on_fatal_signal);
	signal(SIGBUS, on_fatal_signal);
	if (mkdir(bpffs, 0700) || mount("bpf", bpffs, "bpf", 0, "mode=0700"))
		die("mount a private bpffs");
	if (mkdir(cg_root, 0755))
		die("create the test cgroup");
	run("ip link set lo up");
	run("ip addr add 192.0.2.1/32 dev lo && ip addr add 192.0.2.2/32 dev lo && "
	    "ip addr add 198.51.100.1/32 dev lo && "
	    "ip -6 addr add 2001:db8::1/128 dev lo nodad && "
	    "ip -6 addr add 2001:db8::2/128 dev lo nodad");
	/* TCP Fast Open client and server, in this namespace only. */
	write_file("/proc/sys/net/ipv4/tcp_fastopen", "3\n");
}

const char *sft_cgroup_mount(void)
{
	return cg_mount;
}

void sft_env_setup(struct sft_env *e, const char *name, const char *config_text)
{
	memset(e, 0, sizeof(*e));
	e->notify_fd = -1;
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->dir, sizeof(e->dir), "%s/%s", work_dir, name);
	snprintf(e->pin_dir, sizeof(e->pin_dir), "%s/%s", bpffs, name);
	snprintf(e->config, sizeof(e->config), "%s/smtpfence.conf", e->dir);
	snprintf(e->rules_dir, sizeof(e->rules_dir), "%s/rules.d", e->dir);
	snprintf(e->run_dir, sizeof(e->run_dir), "%s/run", e->dir);
	snprintf(e->cgroup, sizeof(e->cgroup), "%s/%s", cg_root, name);
	snprintf(e->cgroup_rel, sizeof(e->cgroup_rel), "%s", e->cgroup + strlen(cg_mount));
	if (mkdir(e->dir, 0700) || mkdir(e->cgroup, 0755))
		die("create the test environment");
	if (!config_text)
		return;

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const char *global = strstr(config_text, "[global]");

	if (!f)
		die("allocate");
	if (strstr(config_text, "rules_dir")) {
		fputs(config_text, f);
	} else if (global) {
		fwrite(config_text, 1, (size_t)(global - config_text) + 8, f);
		fprintf(f, "\nrules_dir = %s%s", e->rules_dir, global + 8);
	} else {
		fprintf(f, "[global]\nrules_dir = %s\n%s", e->rules_dir, config_text);
	}
	fclose(f);
	write_file(e->config, text);
	free(text);
}

void sft_env_teardown(struct sft_env *e)
{
	char cmd[PATH_MAX + 32];

	if (e->daemon > 0)
		sft_daemon_stop(e, SIGTERM);
	sft_cli(e, "unload");
	if (e->notify_fd >= 0)
		close(e->notify_fd);
	rmdir_cgroups(e->cgroup);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (system(cmd)) {
		/* leftovers go with the sandbox's work directory */
	}
}

static const char *binary(void)
{
	const char *b = getenv("SMTPFENCE_BIN");

	return b ? b : "build/smtpfence";
}

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n = 0;

	buf[0] = '\0';
	if (!f)
		return;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static int cli_run(struct sft_env *e, const char *options, const char *args)
{
	char cmd[16384], out[PATH_MAX + 16], err[PATH_MAX + 16];
	int status;

	snprintf(out, sizeof(out), "%s/cli.out", e->dir);
	snprintf(err, sizeof(err), "%s/cli.err", e->dir);
	snprintf(cmd, sizeof(cmd), "%s %s %s >'%s' 2>'%s'", binary(), options, args, out, err);
	status = system(cmd);
	slurp(out, e->out, sizeof(e->out));
	slurp(err, e->err, sizeof(e->err));
	if (status < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int sft_cli(struct sft_env *e, const char *fmt, ...)
{
	char args[8192], options[3 * PATH_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(options, sizeof(options), "--pin-dir '%s' --config '%s' --run-dir '%s'",
		 e->pin_dir, e->config, e->run_dir);
	return cli_run(e, options, args);
}

int sft_cli_plain(struct sft_env *e, const char *fmt, ...)
{
	char args[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return cli_run(e, "", args);
}

void sft_default_paths_private(void)
{
	char upper[PATH_MAX], work[PATH_MAX], opts[3 * PATH_MAX];

	snprintf(upper, sizeof(upper), "%s/etc-upper", work_dir);
	snprintf(work, sizeof(work), "%s/etc-work", work_dir);
	snprintf(opts, sizeof(opts), "lowerdir=/etc,upperdir=%s,workdir=%s", upper, work);
	if (mkdir(upper, 0755) || mkdir(work, 0755))
		die("create the /etc overlay directories");
	/* The sandbox's mount namespace is private: none of this reaches the host. */
	if (mount("overlay", "/etc", "overlay", 0, opts))
		skip("no overlayfs to give /etc a throwaway upper layer");
	run("rm -rf /etc/smtpfence");
	if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"))
		die("mount a private /run");
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		die("mount a private bpffs on /sys/fs/bpf");
}

static int count_in(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

bool sft_notify_wait(struct sft_env *e, const char *want, int timeout_ms)
{
	return sft_notify_wait_n(e, want, 1, timeout_ms);
}

bool sft_notify_wait_n(struct sft_env *e, const char *want, int count, int timeout_ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = {.fd = e->notify_fd, .events = POLLIN};
		char msg[1024];
		ssize_t n;
		long left;

		if (count_in(e->notify_log, want) >= count)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms - ((now.tv_sec - start.tv_sec) * 1000 +
				     (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0)
			return false;
		if (e->daemon > 0 && waitpid(e->daemon, NULL, WNOHANG) == e->daemon) {
			e->daemon = 0;
			return false;
		}
		if (poll(&p, 1, left > 100 ? 100 : (int)left) <= 0)
			continue;
		n = recv(e->notify_fd, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			continue;
		msg[n] = '\0';
		size_t used = strlen(e->notify_log);

		snprintf(e->notify_log + used, sizeof(e->notify_log) - used, "%s|", msg);
	}
}

void sft_notify_drain(struct sft_env *e)
{
	char msg[1024];
	ssize_t n;

	while (e->notify_fd >= 0 &&
	       (n = recv(e->notify_fd, msg, sizeof(msg) - 1, MSG_DONTWAIT)) > 0) {
		size_t used = strlen(e->notify_log);

		msg[n] = '\0';
		snprintf(e->notify_log + used, sizeof(e->notify_log) - used, "%s|", msg);
	}
}

int sft_daemon_start(struct sft_env *e)
{
	return sft_daemon_start_at(e, e->cgroup, NULL);
}

int sft_daemon_start_at(struct sft_env *e, const char *cg_abs, const char *extra)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char log[PATH_MAX + 16];

	if (e->notify_fd < 0) {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", e->dir);
		unlink(sa.sun_path);
		e->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (e->notify_fd < 0 || bind(e->notify_fd, (struct sockaddr *)&sa, sizeof(sa)))
			die("bind the notify socket");
	}
	/* Messages an earlier daemon left unread must not pass for this one's. */
	while (recv(e->notify_fd, log, sizeof(log), MSG_DONTWAIT) > 0)
		;
	e->notify_log[0] = '\0';
	snprintf(log, sizeof(log), "%s/daemon.log", e->dir);
	e->daemon = fork();
	if (e->daemon < 0)
		die("fork");
	if (e->daemon == 0) {
		char notify[PATH_MAX];
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		snprintf(notify, sizeof(notify), "%s/notify", e->dir);
		setenv("NOTIFY_SOCKET", notify, 1);
		if (fd >= 0)
			dup2(fd, 2);
		execl(binary(), "smtpfence", "--pin-dir", e->pin_dir, "--config", e->config,
		      "--run-dir", e->run_dir, "run", "--cgroup", cg_abs, extra, (char *)NULL);
		_exit(127);
	}
	if (sft_notify_wait(e, "READY=1", 20000))
		return 0;
	slurp(log, e->err, sizeof(e->err));
	fprintf(stderr, "harness: daemon did not become ready; its log:\n%s\n", e->err);
	if (e->daemon > 0)
		sft_daemon_stop(e, SIGKILL);
	return -1;
}

void sft_daemon_log(struct sft_env *e, char *buf, size_t len)
{
	char log[PATH_MAX + 16];

	snprintf(log, sizeof(log), "%s/daemon.log", e->dir);
	slurp(log, buf, len);
}

int sft_daemon_stop(struct sft_env *e, int sig)
{
	int status = -1;

	if (e->daemon <= 0)
		return -1;
	kill(e->daemon, sig);
	waitpid(e->daemon, &status, 0);
	e->daemon = 0;
	return status;
}

int sft_cgroup_make(struct sft_env *e, const char *sub, char *abs, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", e->cgroup, sub);
	for (char *p = path + strlen(e->cgroup) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(abs, len, "%s", path);
	return 0;
}

static int fill_addr(const char *host, int port, bool mapped, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char buf[64];

	memset(ss, 0, sizeof(*ss));
	if (mapped) {
		snprintf(buf, sizeof(buf), "::ffff:%s", host);
		host = buf;
	}
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return AF_INET6;
	}
	return -1;
}

/* The child's side of sft_connect: its exit status is the errno. */
static int connect_child(const char *host, int port, enum sft_connect_mode mode)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = fill_addr(host, port, mode == SFT_V4_MAPPED, &ss, &len);
	int fd, one = 1;

	if (family < 0)
		return 255;
	fd = socket(family, SOCK_STREAM | (mode == SFT_NONBLOCK ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return errno;
	switch (mode) {
	case SFT_FASTOPEN_SENDTO:
		if (sendto(fd, "EHLO\r\n", 6, MSG_FASTOPEN, (struct sockaddr *)&ss, len) < 0)
			return errno;
		return 0;
	case SFT_FASTOPEN_CONNECT:
		if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof(one)))
			return 254;
		break;
	default:
		break;
	}
	if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
		/* With TCP_FASTOPEN_CONNECT the SYN leaves with the first write. */
		if (mode == SFT_FASTOPEN_CONNECT && write(fd, "EHLO\r\n", 6) != 6)
			return errno;
		return 0;
	}
	if (errno != EINPROGRESS)
		return errno;
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (poll(&p, 1, 5000) != 1)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl))
		return errno;
	return soerr;
}

int sft_join_cgroup(const char *cg_abs)
{
	char procs[PATH_MAX];
	int fd, ok;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg_abs);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, "0\n", 2) == 2;
	close(fd);
	return ok ? 0 : -1;
}

int sft_become(uid_t uid, gid_t gid)
{
	return setgroups(0, NULL) || setgid(gid) || setuid(uid) ? -1 : 0;
}

int sft_wait_child(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	status = WEXITSTATUS(status);
	return status >= SFT_CHILD_FAILED ? -1 : status;
}

int sft_connect(const char *cg_abs, uid_t uid, gid_t gid, const char *host, int port,
		enum sft_connect_mode mode)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (sft_join_cgroup(cg_abs) || sft_become(uid, gid))
			_exit(SFT_CHILD_FAILED);
		_exit(connect_child(host, port, mode));
	}
	return sft_wait_child(pid);
}

int sft_listen(const char *host, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = fill_addr(host, port, false, &ss, &len);
	int fd, one = 1, qlen = 16;

	if (family < 0)
		return -1;
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 1024)) {
		close(fd);
		return -1;
	}
	return fd;
}

int sft_accept_all(int fd)
{
	int n = 0, c;

	/* A connect that returned has finished its handshake: it is queued. */
	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		close(c);
		n++;
	}
	return n;
}
