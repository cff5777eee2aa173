// SPDX-License-Identifier: GPL-2.0-only
/* make bench-swap: what a policy change costs at 100,000 rules (issue 12
 * item 4). In the test sandbox, with the daemon loaded and stopped (the
 * pins enforce, nothing else writes): the time of sf_sync for a swap of
 * 100,000 rules for 100,000 others and for one rule added with 100,000 in
 * force, the same through the CLI (`reload`, `allow`: reading and
 * compiling the files too), and the rules map's kernel memory (memlock, as
 * bpftool map show prints it) before, at the peak of and after a swap.
 * SMTPFENCE_BIN=another build (an older one, say) measures its CLI and
 * memory only: sf_sync is this build's. */
#include "harness.h"
#include "kernel/pins.h"
#include "policy/sync.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define N	 100000
#define ALLOWS	 9
#define BASE_UID 300000

static struct sft_env env;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* The map's memlock from fdinfo, as bpftool reads it. */
static long memlock(int fd)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

struct sampler {
	int fd;
	volatile int stop;
	long peak;
};

static void *sample(void *arg)
{
	struct sampler *s = arg;

	while (!s->stop) {
		long m = memlock(s->fd);

		if (m > s->peak)
			s->peak = m;
		usleep(200);
	}
	return NULL;
}

/* A policy of n uid rules from `first` (and the default), port 25. */
static void policy(struct sf_compiled *c, unsigned int first, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->rules = calloc(n + 2, sizeof(*c->rules)); /* room for one more */
	c->rules[0].key.kind = SF_KIND_DEFAULT;
	c->rules[0].value.action = SF_ACT_ALLOW;
	for (size_t i = 0; i < n; i++) {
		c->rules[i + 1].key.kind = SF_KIND_UID;
		c->rules[i + 1].key.id = first + i;
		c->rules[i + 1].value.action = i % 2 ? SF_ACT_ALLOW : SF_ACT_DENY;
	}
	c->n_rules = n + 1;
	c->settings.deny_errno = 1;
	c->settings.flags = SF_HAVE_UID_RULES;
	c->ports[25 / 8] |= 1U << (25 % 8);
}

static double timed_sync(const struct sf_maps *m, const struct sf_compiled *c, long *peak)
{
	struct sampler s = {.fd = m->rules, .peak = memlock(m->rules)};
	struct sf_sync_stats st;
	pthread_t th;
	double t0, t;

	pthread_create(&th, NULL, sample, &s);
	t0 = now_ms();
	if (sf_sync(m, c, &st)) {
		fprintf(stderr, "sf_sync failed\n");
		exit(1);
	}
	t = now_ms() - t0;
	s.stop = 1;
	pthread_join(th, NULL);
	if (peak)
		*peak = s.peak;
	return t;
}

static void write_rules(unsigned int first, size_t n)
{
	char path[PATH_MAX + 16];
	FILE *f;

	mkdir(env.rules_dir, 0755);
	snprintf(path, sizeof(path), "%s/bulk.conf", env.rules_dir);
	f = fopen(path, "w");
	fprintf(f, "[rules]\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s = user:%zu\n", i % 2 ? "allow" : "deny", first + i);
	fclose(f);
}

/* The command's time; *peak (when given) the rules map's memlock at its
 * highest meanwhile (fd: the map). */
static double timed_cli(const char *fmt, unsigned int arg, int fd, long *peak)
{
	struct sampler s = {.fd = fd, .peak = memlock(fd)};
	pthread_t th;
	double t0;

	if (peak)
		pthread_create(&th, NULL, sample, &s);
	t0 = now_ms();
	if (sft_cli(&env, fmt, arg)) {
		fprintf(stderr, "smtpfence %s failed: %s\n", fmt, env.err);
		exit(1);
	}
	t0 = now_ms() - t0;
	if (peak) {
		s.stop = 1;
		pthread_join(th, NULL);
		*peak = s.peak;
	}
	return t0;
}

/* Through the CLI: files read, compiled, synced. */
static void cli_part(void)
{
	char path[PATH_MAX + 16];
	double swap[2], one[ALLOWS];
	long before, peak, after;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", env.pin_dir, SF_MAP_RULES);
	fd = bpf_obj_get(path);
	write_rules(BASE_UID, N - ALLOWS);
	timed_cli("reload", 0, fd, NULL);
	before = memlock(fd);
	write_rules(BASE_UID + 2 * N, N - ALLOWS);
	swap[0] = timed_cli("reload", 0, fd, &peak);
	write_rules(BASE_UID, N - ALLOWS);
	swap[1] = timed_cli("reload", 0, fd, NULL);
	after = memlock(fd);
	for (int i = 0; i < ALLOWS; i++)
		one[i] = timed_cli("allow user:%u", 10 + (unsigned int)i, fd, NULL);
	printf("smtpfence reload, 100,000 -> 100,000:    %.0f ms, %.0f ms\n", swap[0], swap[1]);
	printf("smtpfence allow with 100,000 in force:   median %.0f ms (of %d)\n",
	       median(one, ALLOWS), ALLOWS);
	printf("  rules map memlock: %.1f MiB with 100,000 rules, %.1f MiB at the peak of the "
	       "reload (+%.1f MiB), %.1f MiB after\n",
	       before / 1048576.0, peak / 1048576.0, (peak - before) / 1048576.0,
	       after / 1048576.0);
	close(fd);
}

/* The layout of make bench: drop-ins of 1,000 user rules each (n rules in
 * all, one file per thousand) and the allow/unset pair it times. */
static void write_dropins(unsigned int first, size_t n)
{
	char path[PATH_MAX + 32];
	FILE *f = NULL;

	mkdir(env.rules_dir, 0755);
	snprintf(path, sizeof(path), "%s/bulk.conf", env.rules_dir);
	unlink(path);
	for (size_t i = 0; i < n; i++) {
		if (i % 1000 == 0) {
			if (f)
				fclose(f);
			snprintf(path, sizeof(path), "%s/users-%07zu.conf", env.rules_dir, i / 1000);
			f = fopen(path, "w");
			fprintf(f, "[rules]\n");
		}
		fprintf(f, "allow = user:%zu\n", first + i);
	}
	if (f)
		fclose(f);
}

static void dropin_part(size_t n, const char *label)
{
	double allow[ALLOWS], unset[ALLOWS];

	write_dropins(BASE_UID, n);
	timed_cli("reload", 0, -1, NULL);
	/* As on a node (and in make bench) the drop-ins were written a while
	 * before: the first change records them in the parse cache. */
	sleep(2);
	timed_cli("allow user:%u", 42, -1, NULL);
	timed_cli("unset user:%u", 42, -1, NULL);
	for (int i = 0; i < ALLOWS; i++) {
		allow[i] = timed_cli("allow user:%u", 42, -1, NULL);
		unset[i] = timed_cli("unset user:%u", 42, -1, NULL);
	}
	printf("drop-ins of 1,000, %s: allow median %.1f ms, unset median %.1f ms (of %d)\n",
	       label, median(allow, ALLOWS), median(unset, ALLOWS), ALLOWS);
}

static void sync_part(void)
{
	struct sf_compiled a, b, c;
	struct sf_maps m;
	double swap[4], one[ALLOWS];
	long before, peak, after, empty;

	if (sf_maps_open(env.pin_dir, &m)) {
		fprintf(stderr, "no pinned maps\n");
		exit(1);
	}
	empty = memlock(m.rules);
	policy(&a, BASE_UID, N);
	policy(&b, BASE_UID + 2 * N, N);
	timed_sync(&m, &a, NULL);
	before = memlock(m.rules);
	for (int i = 0; i < 4; i++)
		swap[i] = timed_sync(&m, i % 2 ? &a : &b, i ? NULL : &peak);
	after = memlock(m.rules);
	/* One rule more with 100,000 in force, the kernel part. */
	for (int i = 0; i < ALLOWS; i++) {
		policy(&c, BASE_UID, N);
		/* uid 10 + i sorts before BASE_UID: it goes right after the default */
		memmove(&c.rules[2], &c.rules[1], N * sizeof(*c.rules));
		c.rules[1].key.kind = SF_KIND_UID;
		c.rules[1].key.id = 10 + (unsigned int)i;
		c.rules[1].value.action = SF_ACT_ALLOW;
		c.n_rules++;
		one[i] = timed_sync(&m, &c, NULL);
		free(c.rules);
	}
	printf("rules map (sf_rules, 2 x 100,000 + 1 entries, not preallocated), memlock:\n");
	printf("  empty (default rule only):            %8.1f MiB\n", empty / 1048576.0);
	printf("  100,000 rules in force:                %8.1f MiB\n", before / 1048576.0);
	printf("  peak during a 100,000 -> 100,000 swap: %8.1f MiB (+%.1f MiB)\n", peak / 1048576.0,
	       (peak - before) / 1048576.0);
	printf("  after the swap:                        %8.1f MiB\n", after / 1048576.0);
	printf("sf_sync, 100,000 -> 100,000 swap:        median %.1f ms (of 4: %.1f %.1f %.1f "
	       "%.1f)\n",
	       median(swap, 4), swap[0], swap[1], swap[2], swap[3]);
	printf("sf_sync, one rule added to 100,000:       median %.1f ms (of %d)\n",
	       median(one, ALLOWS), ALLOWS);
	sf_maps_close(&m);
	free(a.rules);
	free(b.rules);
}

int main(void)
{
	sft_sandbox_enter();
	sft_env_setup(&env, "bench_swap",
		      "[global]\nports = 25\ndefault = allow\nmetrics_address = off\n");
	if (sft_daemon_start(&env)) {
		fprintf(stderr, "the daemon did not start\n");
		return 1;
	}
	sft_daemon_stop(&env, 15); /* the pins enforce; nothing else writes now */
	if (getenv("SWAP_BENCH_HOLD")) {
		/* Leaves the sandbox up for a look by hand (nsenter -t PID -m -n). */
		write_dropins(BASE_UID, N - 10);
		timed_cli("reload", 0, -1, NULL);
		printf("pid %d: %s --pin-dir %s --config %s --run-dir %s\n", (int)getpid(),
		       "build/smtpfence", env.pin_dir, env.config, env.run_dir);
		fflush(stdout);
		pause();
	}
	if (!getenv("SMTPFENCE_BIN"))
		sync_part();
	cli_part();
	dropin_part(1, "1 rule");
	dropin_part(N - 10, "100,000 rules");
	sft_env_teardown(&env);
	return 0;
}
