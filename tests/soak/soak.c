// SPDX-License-Identifier: GPL-2.0-only
/* Soak: tenants connect concurrently, each from its own cgroup, while
 * their rules are churned (allow, deny, limit, log, unset; persisted and
 * --runtime), the configuration is reloaded (CLI and SIGHUP, with and
 * without a change) and the daemon is SIGKILLed and restarted. Checked at
 * the end: per tenant, the attempts the load generator made equal the
 * attempts counted in the kernel (and so do the outcomes); no connect got
 * through while a deny rule covered its tenant; the daemon's file
 * descriptors and memory did not grow over its last lifetime.
 *
 * usage: soak [--seconds N] [--tenants N] [--restarts N] [--pace-us N]
 *             [--rss-slack-kb N] */
#include "util/cgroupfs.h"
#include "harness.h"
#include "load.h"
#include "smtpfence.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SINK	 "192.0.2.1"
#define UID_BASE 10100

enum op { OP_UNSET, OP_ALLOW, OP_DENY, OP_LIMIT, OP_LOG, N_OPS };
static const char *const op_cmd[] = {"unset", "allow", "deny", "limit", "log"};

struct opts {
	int seconds, tenants, restarts;
	unsigned int pace_us;
	long rss_slack_kb;
};

struct usage {
	int fds;
	long rss_kb;
};

struct figures {
	unsigned long churn_ops, reloads, restarts, cli_failures;
	struct usage first_start, base, end; /* base/end: the last lifetime */
	double base_at, end_at;
};

static struct sft_env env;
static struct soak_shared *sh;
static enum op state[SOAK_MAX_TENANTS];
static __u64 cgid[SOAK_MAX_TENANTS];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct usage daemon_usage_once(pid_t pid)
{
	struct usage u = {0, -1};
	char path[64], line[256];
	struct dirent *e;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	while (d && (e = readdir(d)))
		u.fds += e->d_name[0] != '.';
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &u.rss_kb) == 1)
			break;
	if (f)
		fclose(f);
	return u;
}

/* The daemon opens files for a moment while it reloads: the least of a
 * few samples is its steady state. */
static struct usage daemon_usage(pid_t pid)
{
	struct usage least = daemon_usage_once(pid);

	for (int i = 0; i < 4; i++) {
		struct usage u;

		usleep(20000);
		u = daemon_usage_once(pid);
		if (u.fds < least.fds)
			least.fds = u.fds;
		if (u.rss_kb < least.rss_kb)
			least.rss_kb = u.rss_kb;
	}
	return least;
}

/* Written as a configuration tool would: a new file renamed into place. */
static void write_config(bool extra_rule)
{
	char tmp[PATH_MAX + 8];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", env.config);
	f = fopen(tmp, "we");
	if (!f) {
		perror("soak: failed to write the configuration");
		exit(1);
	}
	fprintf(f, "[global]\nports = 25\ndefault = allow\nrules_dir = %s\n[rules]\n%s",
		env.rules_dir, extra_rule ? "allow = user:60000\n" : "");
	if (fclose(f) || rename(tmp, env.config)) {
		perror("soak: failed to write the configuration");
		exit(1);
	}
}

static void cli(struct figures *fg, const char *args)
{
	int rc = sft_cli(&env, "%s", args);

	sft_notify_drain(&env);
	if (rc != 0) {
		fg->cli_failures++;
		fprintf(stderr, "soak: smtpfence %s: exit %d: %s", args, rc, env.err);
	}
}

/* One rule change on tenant i, published around the CLI call. */
static void churn(struct figures *fg, int i)
{
	enum op op = (enum op)(rand() % N_OPS);
	char args[PATH_MAX + 96];
	struct soak_tenant *t = &sh->t[i];

	if (op == OP_UNSET && state[i] == OP_UNSET)
		op = OP_DENY;
	__atomic_store_n(&t->denied, 0, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&t->seq, 1, __ATOMIC_SEQ_CST);
	snprintf(args, sizeof(args), "%s cgroup:%s/tenants/t%02d%s%s", op_cmd[op], env.cgroup_rel,
		 i, op == OP_LIMIT ? " 20/sec burst 5" : "", i % 2 ? " --runtime" : "");
	cli(fg, args);
	state[i] = op;
	fg->churn_ops++;
	if (op == OP_DENY)
		__atomic_store_n(&t->denied, 1, __ATOMIC_SEQ_CST);
}

static void reload(struct figures *fg)
{
	write_config(fg->reloads % 2 == 0);
	if (fg->reloads % 3 == 2 && env.daemon > 0) {
		kill(env.daemon, SIGHUP);
		sft_notify_wait_n(&env, "READY=1", 1, 5000);
	} else {
		cli(fg, "reload");
	}
	fg->reloads++;
}

static void restart(struct figures *fg, int tenants)
{
	struct usage before = daemon_usage(env.daemon);

	sft_daemon_stop(&env, SIGKILL);
	/* changes go straight to the pinned maps while no daemon runs */
	for (int k = 0; k < 3; k++)
		churn(fg, rand() % tenants);
	if (sft_daemon_start(&env)) {
		fprintf(stderr, "soak: the daemon did not come back\n");
		exit(1);
	}
	fg->restarts++;
	printf("restart %lu: before the kill %d fds, %ld kB; after %d fds, %ld kB\n", fg->restarts,
	       before.fds, before.rss_kb, daemon_usage(env.daemon).fds,
	       daemon_usage(env.daemon).rss_kb);
}

/* The kernel's counters of tenant i's flows. */
static struct sf_counters kernel_counts(int map_fd, __u64 id)
{
	struct sf_counters sum = {0};
	struct sf_flow_key key, next;
	struct sf_flow v;
	void *prev = NULL;

	while (!bpf_map_get_next_key(map_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key.cgroup_id != id || bpf_map_lookup_elem(map_fd, &key, &v))
			continue;
		sum.attempts += v.c.attempts;
		sum.allowed += v.c.allowed;
		sum.denied += v.c.denied;
		sum.limited += v.c.limited;
	}
	return sum;
}

/* Host-wide totals, summed over CPUs. */
static struct sf_totals kernel_totals(void)
{
	struct sf_totals sum = {0}, *v;
	char path[PATH_MAX + 16];
	int ncpu = libbpf_num_possible_cpus(), fd;
	__u32 zero = 0;

	snprintf(path, sizeof(path), "%s/%s", env.pin_dir, SF_MAP_TOTALS);
	fd = bpf_obj_get(path);
	v = calloc((size_t)ncpu, sizeof(*v));
	if (fd >= 0 && v && !bpf_map_lookup_elem(fd, &zero, v)) {
		for (int c = 0; c < ncpu; c++) {
			sum.c.attempts += v[c].c.attempts;
			sum.c.allowed += v[c].c.allowed;
			sum.c.denied += v[c].c.denied;
			sum.c.limited += v[c].c.limited;
			sum.events_lost += v[c].events_lost;
			sum.flows_lost += v[c].flows_lost;
		}
	}
	free(v);
	if (fd >= 0)
		close(fd);
	return sum;
}

static int check_counts(const struct opts *o, uint64_t *attempts)
{
	char path[PATH_MAX + 16];
	int fd, bad = 0;

	snprintf(path, sizeof(path), "%s/%s", env.pin_dir, SF_MAP_FLOWS);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		perror("soak: failed to open the flow map");
		return 1;
	}
	*attempts = 0;
	for (int i = 0; i < o->tenants; i++) {
		const struct soak_tenant *t = &sh->t[i];
		struct sf_counters k = kernel_counts(fd, cgid[i]);

		*attempts += t->attempts;
		if (k.attempts != t->attempts || k.allowed != t->connected + t->other ||
		    k.denied + k.limited != t->refused) {
			bad++;
			printf("tenant t%02d: made %lu attempts (%lu connected, %lu other errors, "
			       "%lu refused); the kernel counted %llu (allowed %llu, denied %llu, "
			       "limited %llu)\n",
			       i, t->attempts, t->connected, t->other, t->refused, k.attempts,
			       k.allowed, k.denied, k.limited);
		}
	}
	close(fd);
	return bad;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"seconds", required_argument, NULL, 's'},
		{"tenants", required_argument, NULL, 't'},
		{"restarts", required_argument, NULL, 'r'},
		{"pace-us", required_argument, NULL, 'p'},
		{"rss-slack-kb", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct opts){30, 50, 2, 10000, 1024};
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			o->seconds = atoi(optarg);
			break;
		case 't':
			o->tenants = atoi(optarg);
			break;
		case 'r':
			o->restarts = atoi(optarg);
			break;
		case 'p':
			o->pace_us = (unsigned int)atoi(optarg);
			break;
		case 'k':
			o->rss_slack_kb = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: soak [--seconds N] [--tenants N] [--restarts N] "
					"[--pace-us N] [--rss-slack-kb N]\n");
			exit(2);
		}
	}
	if (o->seconds < 10 || o->tenants < 1 || o->tenants > SOAK_MAX_TENANTS || o->restarts < 0) {
		fprintf(stderr, "soak: need --seconds >= 10 and 1 to %d tenants\n",
			SOAK_MAX_TENANTS);
		exit(2);
	}
}

static void start_load(const struct opts *o, pid_t *kids)
{
	for (int i = 0; i < o->tenants; i++) {
		char sub[32], cg[PATH_MAX];

		snprintf(sub, sizeof(sub), "tenants/t%02d", i);
		if (sft_cgroup_make(&env, sub, cg, sizeof(cg)) || sf_cgroup_id_of(cg, &cgid[i])) {
			fprintf(stderr, "soak: failed to create cgroup %s\n", sub);
			exit(1);
		}
		kids[i] = soak_tenant_start(sh, i, cg, UID_BASE + (uid_t)i, SINK, 25, o->pace_us);
	}
}

/* Churns until the end, restarting the daemon at even intervals over the
 * first half; the second half is the daemon's last lifetime, measured. */
static void run_soak(const struct opts *o, struct figures *fg)
{
	double t0 = now_s(), end = t0 + o->seconds, half = t0 + o->seconds / 2.0;
	double next_reload = t0 + 1, last_start = t0;
	int next_restart = 1;

	fg->first_start = daemon_usage(env.daemon);
	while (now_s() < end) {
		double now = now_s();

		churn(fg, rand() % o->tenants);
		if (now >= next_reload) {
			reload(fg);
			next_reload = now + 1;
		}
		if (next_restart <= o->restarts &&
		    now >= t0 + (half - t0) * next_restart / (o->restarts + 0.5)) {
			restart(fg, o->tenants);
			last_start = now_s();
			next_restart++;
		}
		if (next_restart > o->restarts && !fg->base_at && now >= half &&
		    now >= last_start + 2) {
			fg->base = daemon_usage(env.daemon);
			fg->base_at = now - t0;
		}
	}
	fg->end = daemon_usage(env.daemon);
	fg->end_at = now_s() - t0;
}

int main(int argc, char **argv)
{
	struct figures fg = {0};
	pid_t kids[SOAK_MAX_TENANTS];
	uint64_t covered = 0, violations = 0, attempts = 0;
	struct opts o;
	int lfd, bad, failed = 0;

	parse_opts(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sft_sandbox_enter();
	srand((unsigned int)time(NULL));
	sft_env_setup(&env, "soak", "[global]\n");
	write_config(false);
	sh = soak_shared_new();
	lfd = sft_listen(SINK, 25);
	if (!sh || lfd < 0 || soak_acceptor_start(lfd, &sh->stop) || sft_daemon_start(&env)) {
		fprintf(stderr, "soak: failed to set up\n");
		sft_env_teardown(&env);
		return 1;
	}
	start_load(&o, kids);
	run_soak(&o, &fg);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < o.tenants; i++)
		waitpid(kids[i], NULL, 0);
	soak_acceptor_join();

	bad = check_counts(&o, &attempts);
	for (int i = 0; i < o.tenants; i++) {
		covered += sh->t[i].covered;
		violations += sh->t[i].violations;
	}
	printf("soak: %d s, %d tenants: %lu connects (%.0f/s), %lu accepted; %lu churn ops, "
	       "%lu reloads, %lu restarts\n",
	       o.seconds, o.tenants, attempts, attempts / fg.end_at, soak_accepted(), fg.churn_ops,
	       fg.reloads, fg.restarts);
	struct sf_totals tot = kernel_totals();

	printf("soak: the kernel's totals: %llu attempts (allowed %llu, denied %llu, limited "
	       "%llu), "
	       "%llu flows lost\n",
	       tot.c.attempts, tot.c.allowed, tot.c.denied, tot.c.limited, tot.flows_lost);
	printf("soak: %lu connects made under a deny rule, %lu got through\n", covered, violations);
	printf("soak: daemon at first start %d fds, %ld kB; last lifetime at %.0f s %d fds, %ld "
	       "kB, "
	       "at %.0f s %d fds, %ld kB\n",
	       fg.first_start.fds, fg.first_start.rss_kb, fg.base_at, fg.base.fds, fg.base.rss_kb,
	       fg.end_at, fg.end.fds, fg.end.rss_kb);
	if (bad) {
		printf("FAIL: %d tenants' counts differ from the kernel's\n", bad);
		failed = 1;
	}
	if (tot.c.attempts != attempts || tot.flows_lost) {
		printf("FAIL: the kernel's total attempts %llu differ from the %lu made\n",
		       tot.c.attempts, attempts);
		failed = 1;
	}
	if (violations || covered == 0) {
		printf("FAIL: %lu connects through a deny rule (of %lu under one)\n", violations,
		       covered);
		failed = 1;
	}
	if (!fg.base_at || fg.end.fds != fg.base.fds ||
	    fg.end.rss_kb - fg.base.rss_kb > o.rss_slack_kb) {
		printf("FAIL: the daemon grew (or was not measured): fds %d -> %d, RSS %ld -> %ld "
		       "kB (slack %ld kB)\n",
		       fg.base.fds, fg.end.fds, fg.base.rss_kb, fg.end.rss_kb, o.rss_slack_kb);
		failed = 1;
	}
	if (fg.cli_failures) {
		printf("FAIL: %lu CLI commands failed\n", fg.cli_failures);
		failed = 1;
	}
	sft_env_teardown(&env);
	printf("soak: %s\n", failed ? "FAILED" : "passed");
	return failed;
}
