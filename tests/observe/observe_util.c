// SPDX-License-Identifier: GPL-2.0-only
#include "observe_util.h"
#include "suite.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void sft_connect_n(const char *cg, uid_t uid, const char *host, int port, int n, int want)
{
	for (int i = 0; i < n; i++) {
		int got = sft_connect(cg, uid, uid, host, port, SFT_BLOCKING);

		ck_assert_msg(got == want, "connect %d of %d to %s:%d from %s: got %d, want %d",
			      i + 1, n, host, port, cg, got, want);
	}
}

static int flood_child(const char *host, int port, int n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int eperm = 0;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno == EPERM)
			eperm++;
		close(fd);
	}
	return eperm;
}

int sft_flood(const char *cg, uid_t uid, const char *host, int port, int n)
{
	int pipefd[2], eperm = -1, status;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int r;

		close(pipefd[0]);
		if (sft_join_cgroup(cg) || sft_become(uid, uid))
			_exit(1);
		r = flood_child(host, port, n);
		_exit(write(pipefd[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &eperm, sizeof(eperm)) != sizeof(eperm))
		eperm = -1;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return eperm;
}

json_object *sft_cli_json(struct sft_env *e, const char *fmt, ...)
{
	char args[4096];
	va_list ap;
	json_object *o;
	int rc;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	rc = sft_cli(e, "%s", args);
	ck_assert_msg(rc == 0, "smtpfence %s: exit %d: %s", args, rc, e->err);
	o = json_tokener_parse(e->out);
	ck_assert_msg(o != NULL, "smtpfence %s: not JSON: %s", args, e->out);
	return o;
}

const char *sft_json_str(json_object *o, const char *key)
{
	json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s in %s", key,
		      json_object_to_json_string(o));
	return json_object_get_string(v);
}

long long sft_json_int(json_object *o, const char *key)
{
	json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s in %s", key,
		      json_object_to_json_string(o));
	return json_object_get_int64(v);
}

json_object *sft_find_flow(json_object *arr, const char *cgroup, int port)
{
	size_t n = json_object_array_length(arr), len = strlen(cgroup);

	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(arr, i);
		const char *cg = sft_json_str(f, "cgroup");
		size_t cl = strlen(cg);

		if (cl >= len && !strcmp(cg + cl - len, cgroup) && sft_json_int(f, "dport") == port)
			return f;
	}
	return NULL;
}

int sft_count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

void sft_sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

bool sft_wait_file(const char *path, const char *needle, int n, int timeout_ms, char *buf,
		   size_t len)
{
	for (int waited = 0;; waited += 50) {
		FILE *f = fopen(path, "re");
		size_t got = 0;

		buf[0] = '\0';
		if (f) {
			got = fread(buf, 1, len - 1, f);
			buf[got] = '\0';
			fclose(f);
		}
		if (sft_count(buf, needle) >= n)
			return true;
		if (waited >= timeout_ms)
			return false;
		sft_sleep_ms(50);
	}
}

const char *sft_comm(void)
{
	static char comm[32];
	FILE *f;

	if (comm[0])
		return comm;
	f = fopen("/proc/self/comm", "re");
	if (!f || !fgets(comm, sizeof(comm), f))
		snprintf(comm, sizeof(comm), "?");
	if (f)
		fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return comm;
}

struct sft_env obs_env;
bool obs_env_up;

void sft_obs_teardown(void)
{
	if (obs_env_up)
		sft_env_teardown(&obs_env);
	obs_env_up = false;
}

const char *sft_sub(const char *name)
{
	static char path[4][PATH_MAX];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", obs_env.cgroup, name);
	return p;
}

static void (*extra_cleanup)(void);

static void teardown(void)
{
	if (extra_cleanup)
		extra_cleanup();
	sft_obs_teardown();
}

int sft_obs_run(const char *name, const TTest *const *tests, size_t n, void (*cleanup)(void))
{
	TCase *tc = tcase_create(name);

	sft_sandbox_enter();
	tcase_set_timeout(tc, 60);
	extra_cleanup = cleanup;
	tcase_add_checked_fixture(tc, NULL, teardown);
	/* A failed test skips its checked teardown: the runner cleans up too. */
	if (cleanup)
		tcase_add_unchecked_fixture(tc, NULL, cleanup);
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	return sft_run_tcase(name, tc);
}

void sft_observe_start(const char *name, const char *conf, const char **subs)
{
	struct sft_env *e = &obs_env;
	char abs[PATH_MAX];
	FILE *f;

	sft_env_setup(e, name, NULL);
	obs_env_up = true;
	for (size_t i = 0; subs && subs[i]; i++)
		ck_assert_int_eq(sft_cgroup_make(e, subs[i], abs, sizeof(abs)), 0);
	f = fopen(e->config, "we");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[global]\nrules_dir = %s\n", e->rules_dir);
	for (const char *p = conf; *p; p++) {
		if (!strncmp(p, "{CG}", 4)) {
			fputs(e->cgroup_rel, f);
			p += 3;
		} else if (!strncmp(p, "{DIR}", 5)) {
			fputs(e->dir, f);
			p += 4;
		} else {
			fputc(*p, f);
		}
	}
	fclose(f);
	ck_assert_msg(sft_daemon_start(e) == 0, "daemon did not start");
}

void sft_prom_parse(struct sft_env *e, const char *text, char *samples, size_t len)
{
	char in[PATH_MAX], out[PATH_MAX], cmd[3 * PATH_MAX];
	FILE *f;
	size_t n;
	int rc;

	snprintf(in, sizeof(in), "%s/exposition.txt", e->dir);
	snprintf(out, sizeof(out), "%s/samples.txt", e->dir);
	f = fopen(in, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 tests/observe/prom_check.py <'%s' >'%s' 2>&1",
		 in, out);
	rc = system(cmd);
	f = fopen(out, "re");
	ck_assert_ptr_nonnull(f);
	/* A leading newline: every sample line can be matched as "\nNAME ..." */
	samples[0] = '\n';
	n = fread(samples + 1, 1, len - 2, f);
	samples[n + 1] = '\0';
	fclose(f);
	ck_assert_msg(rc == 0, "the exposition does not parse: %s\n%s", samples, text);
}
