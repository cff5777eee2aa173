/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers the observation tests share: real connects in bulk, JSON from
 * the CLI, waiting for a file to say something. */
#ifndef SFT_OBSERVE_UTIL_H
#define SFT_OBSERVE_UTIL_H

#include "harness.h"

#include <check.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#define SFT_TENANT 10001
#define SFT_OTHER  10002
/* What the kernel records as comm for a process forked by a test binary. */
#define SFT_COMM_MAX 15

/* n connects, one process each (sft_connect); asserts every errno. */
void sft_connect_n(const char *cg, uid_t uid, const char *host, int port, int n, int want);
/* n connects from one child process in cg as uid (fast, for floods).
 * Returns how many failed with EPERM, or -1. */
int sft_flood(const char *cg, uid_t uid, const char *host, int port, int n);
/* Runs the CLI, asserts exit 0, and parses its stdout as JSON. */
json_object *sft_cli_json(struct sft_env *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The array element whose "cgroup" ends with suffix and "dport" is port. */
json_object *sft_find_flow(json_object *arr, const char *cgroup, int port);
long long sft_json_int(json_object *o, const char *key);
const char *sft_json_str(json_object *o, const char *key);
/* Waits until the file contains needle at least n times; its text in buf. */
bool sft_wait_file(const char *path, const char *needle, int n, int timeout_ms, char *buf,
		   size_t len);
int sft_count(const char *hay, const char *needle);
/* The comm the kernel gives this test binary's children. */
const char *sft_comm(void);
void sft_sleep_ms(int ms);

/* The environment of the running test, and whether it is set up. */
extern struct sft_env obs_env;
extern bool obs_env_up;
/* The checked teardown of every observation test: stops, unloads, removes. */
void sft_obs_teardown(void);
/* The env's cgroup + "/" + name (four results stay valid at once). */
const char *sft_sub(const char *name);
/* Runs the tests as one suite in the sandbox, each followed by cleanup (if
 * any) and sft_obs_teardown; returns the process exit code. */
int sft_obs_run(const char *name, const TTest *const *tests, size_t n, void (*cleanup)(void));

/* Sets up env `name` with the sub-cgroups given (NULL-terminated), writes
 * conf with every "{CG}" replaced by the env's cgroup path relative to the
 * mount and "{DIR}" by its directory, and starts the daemon. */
void sft_observe_start(const char *name, const char *conf, const char **subs);
/* Validates exposition text with the prometheus_client parser (Debian's
 * python3-prometheus-client); fills samples with its "NAME LABELS VALUE"
 * lines. Fails the test when the text does not parse. */
void sft_prom_parse(struct sft_env *e, const char *text, char *samples, size_t len);

#endif /* SFT_OBSERVE_UTIL_H */
