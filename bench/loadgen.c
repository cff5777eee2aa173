// SPDX-License-Identifier: GPL-2.0-only
/* loadgen: loopback connect+accept rate. Each worker process listens on its
 * own loopback address (127.0.0.<n>) at PORT, then connects to it, accepts
 * and closes both ends with an RST (SO_LINGER 0: no TIME_WAIT, no port
 * exhaustion), as fast as it can. Workers can enter a network namespace,
 * join a cgroup and take a uid first, so that the connects are judged as a
 * tenant's. With --prog-id it also reports what the kernel measured for
 * those BPF programs (run_time_ns / run_cnt) across the timed window.
 * With --dest the worker connects to that address instead of its own: a
 * connect smtpfence redirects to the relay (its listener) then arrives.
 *
 * Two rates come out: connects per second of wall time over all workers,
 * and connects per CPU-second the workers used. The second holds still on
 * a machine shared with other work: without IRQ time accounting the
 * loopback softirq work a connect causes is charged to the worker that
 * runs it, and a VM's steal time is not. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 64
#define MAX_PROGS   8

struct opts {
	int port;
	int workers;
	double seconds;
	const char *cgroup;
	const char *netns;
	long uid; /* -1: keep */
	bool once;
	struct in_addr dest; /* s_addr 0: the worker's own address */
	__u32 prog_ids[MAX_PROGS];
	int n_progs;
};

struct result {
	long long connects;
	long long errors;
	int first_errno;
	double elapsed;
	double cpu; /* seconds of CPU this worker used */
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static int join_cgroup(const char *dir)
{
	char path[4096];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "0\n", 2) != 2)
		err = -errno;
	close(fd);
	return err;
}

static int enter_netns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET))
		err = -errno;
	close(fd);
	return err;
}

static int take_uid(long uid)
{
	if (uid < 0)
		return 0;
	if (setgroups(0, NULL) || setgid((gid_t)uid) || setuid((uid_t)uid))
		return -errno;
	return 0;
}

static int listen_on(const struct sockaddr_in *a)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)a, sizeof(*a)) || listen(fd, 4096)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* One connect to a, accepted on lfd and reset. Returns 0 or -errno of
 * connect(). */
static int one_connect(int lfd, const struct sockaddr_in *a)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), s, err = 0;

	if (c < 0)
		return -errno;
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (connect(c, (const struct sockaddr *)a, sizeof(*a))) {
		err = -errno;
	} else {
		s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			err = -errno;
		else
			close(s);
	}
	close(c);
	return err;
}

/* A worker: set up, wait for the go byte, run, write its result. */
static void worker(const struct opts *o, int n, int go_fd, int out_fd)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)}, to;
	struct result r = {};
	int lfd, err;
	char go;

	/* A worker never outlives loadgen, so the bench's cgroups can go. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	a.sin_addr.s_addr = htonl(0x7f000001 + (uint32_t)n);
	/* Cgroup first: the listener's packets then pass the same cgroup
	 * programs as the connecting socket's, as on a host-wide attach. */
	err = o->cgroup ? join_cgroup(o->cgroup) : 0;
	if (err) {
		fprintf(stderr, "loadgen: failed to join cgroup %s: %s\n", o->cgroup,
			strerror(-err));
		_exit(1);
	}
	lfd = listen_on(&a);
	if (lfd < 0) {
		fprintf(stderr, "loadgen: failed to listen on 127.0.0.%d:%d: %s\n", n + 1, o->port,
			strerror(-lfd));
		_exit(1);
	}
	err = take_uid(o->uid);
	if (err) {
		fprintf(stderr, "loadgen: failed to take uid %ld: %s\n", o->uid, strerror(-err));
		_exit(1);
	}
	to = a;
	if (o->dest.s_addr)
		to.sin_addr = o->dest;
	if (read(go_fd, &go, 1) != 1)
		_exit(1);
	double cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	double start = now_s(), end = start + o->seconds, t = start;

	do {
		/* Checking the clock every 64 connects keeps it off the profile. */
		for (int i = 0; i < (o->once ? 1 : 64); i++) {
			err = one_connect(lfd, &to);
			if (!err) {
				r.connects++;
			} else {
				if (!r.errors++)
					r.first_errno = -err;
				if (!o->once)
					break;
			}
		}
		t = now_s();
	} while (!o->once && t < end && r.errors == 0);
	r.elapsed = t - start;
	r.cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	if (write(out_fd, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(0);
}

static int prog_stats(__u32 id, __u64 *ns, __u64 *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	*ns = info.run_time_ns;
	*cnt = info.run_cnt;
	close(fd);
	return err;
}

static void usage(void)
{
	fprintf(stderr, "usage: loadgen --port P [--workers N] [--seconds S] [--cgroup DIR]\n"
			"               [--uid U] [--netns PATH] [--prog-id ID]... [--once]\n"
			"               [--dest IPV4]\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"port", required_argument, NULL, 'p'},
		{"workers", required_argument, NULL, 'w'},
		{"seconds", required_argument, NULL, 't'},
		{"cgroup", required_argument, NULL, 'c'},
		{"uid", required_argument, NULL, 'u'},
		{"netns", required_argument, NULL, 'n'},
		{"prog-id", required_argument, NULL, 'P'},
		{"once", no_argument, NULL, '1'},
		{"dest", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		errno = 0;
		switch (c) {
		case 'p':
			o->port = (int)strtol(optarg, &end, 10);
			break;
		case 'w':
			o->workers = (int)strtol(optarg, &end, 10);
			break;
		case 't':
			o->seconds = strtod(optarg, &end);
			break;
		case 'u':
			o->uid = strtol(optarg, &end, 10);
			break;
		case 'P':
			if (o->n_progs == MAX_PROGS)
				return -1;
			o->prog_ids[o->n_progs++] = (__u32)strtoul(optarg, &end, 10);
			break;
		case 'c':
			o->cgroup = optarg;
			continue;
		case 'n':
			o->netns = optarg;
			continue;
		case '1':
			o->once = true;
			continue;
		case 'd':
			if (inet_pton(AF_INET, optarg, &o->dest) != 1 || !o->dest.s_addr) {
				fprintf(stderr, "loadgen: invalid --dest '%s'\n", optarg);
				return -1;
			}
			continue;
		default:
			return -1;
		}
		if (errno || *end || end == optarg) {
			fprintf(stderr, "loadgen: invalid number '%s'\n", optarg);
			return -1;
		}
	}
	if (optind != argc || o->port < 1 || o->port > 65535 || o->workers < 1 ||
	    o->workers > MAX_WORKERS || o->seconds <= 0)
		return -1;
	if (o->once)
		o->workers = 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {.workers = (int)sysconf(_SC_NPROCESSORS_ONLN), .seconds = 1, .uid = -1};
	__u64 ns0[MAX_PROGS] = {}, cnt0[MAX_PROGS] = {}, ns1, cnt1;
	int go[2], out[2], err, failed = 0;
	struct result total = {}, r;
	double rate = 0;

	if (parse_args(argc, argv, &o)) {
		usage();
		return 2;
	}
	if (o.netns && (err = enter_netns(o.netns))) {
		fprintf(stderr, "loadgen: failed to enter netns %s: %s\n", o.netns, strerror(-err));
		return 1;
	}
	if (pipe2(go, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		perror("loadgen: pipe");
		return 1;
	}
	for (int i = 0; i < o.workers; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("loadgen: fork");
			return 1;
		}
		if (pid == 0) {
			close(go[1]);
			close(out[0]);
			worker(&o, i, go[0], out[1]);
		}
	}
	close(go[0]);
	close(out[1]);
	for (int i = 0; i < o.n_progs; i++) {
		err = prog_stats(o.prog_ids[i], &ns0[i], &cnt0[i]);
		if (err) {
			fprintf(stderr, "loadgen: failed to read prog %u: %s\n", o.prog_ids[i],
				strerror(-err));
			return 1;
		}
	}
	/* Workers that failed to set up have exited: the write then fails. */
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < o.workers; i++)
		if (write(go[1], "g", 1) != 1)
			failed = 1;
	while (read(out[0], &r, sizeof(r)) == sizeof(r)) {
		total.connects += r.connects;
		if (!total.errors && r.errors)
			total.first_errno = r.first_errno;
		total.errors += r.errors;
		total.cpu += r.cpu;
		if (r.elapsed > 0)
			rate += (double)r.connects / r.elapsed;
	}
	for (int i = 0; i < o.workers; i++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed = 1;
	}
	if (failed)
		return 1;
	if (o.once) {
		printf("%s\n", total.errors ? strerrorname_np(total.first_errno) : "connected");
		return total.errors ? 3 : 0;
	}
	printf("rate=%.1f cpu_rate=%.1f connects=%lld errors=%lld", rate,
	       total.cpu > 0 ? (double)total.connects / total.cpu : 0.0, total.connects,
	       total.errors);
	for (int i = 0; i < o.n_progs; i++) {
		if (prog_stats(o.prog_ids[i], &ns1, &cnt1))
			return 1;
		printf(" prog%u_runs=%llu prog%u_ns=%.2f", o.prog_ids[i],
		       (unsigned long long)(cnt1 - cnt0[i]), o.prog_ids[i],
		       cnt1 > cnt0[i] ? (double)(ns1 - ns0[i]) / (double)(cnt1 - cnt0[i]) : 0.0);
	}
	printf("\n");
	if (total.errors) {
		fprintf(stderr, "loadgen: %lld connects failed, first with %s\n", total.errors,
			strerror(total.first_errno));
		return 3;
	}
	return 0;
}
