/* SPDX-License-Identifier: GPL-2.0-only */
/* A hosting node's mail software for end-to-end tests: Postfix's smtp-sink
 * playing the internet, a real Postfix instance (its own configuration
 * and queue directories) playing the node's MTA, and tenant commands run
 * as a given uid inside a given cgroup. Everything runs inside the
 * harness's network namespace; nothing is left behind. */
#ifndef SFT_MAILNODE_H
#define SFT_MAILNODE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

/* Relayed by the node's Postfix: *@v4.test to [192.0.2.2]:25, *@v6.test
 * to [2001:db8::2]:25, where the sinks listen. */
#define SFT_SINK4     "192.0.2.2"
#define SFT_SINK6     "2001:db8::2"
#define SFT_NODE_HELO "node.test"
/* The tenant's script: its uid and what it says in EHLO. */
#define SFT_TENANT_UID	10001
#define SFT_TENANT_HELO "tenant.example"

struct sft_env;

struct sft_mailnode {
	char dir[PATH_MAX]; /* everything: etc/, spool/, data/, sink/, logs */
	char conf_dir[PATH_MAX];
	char sink_dir[PATH_MAX];
	char mta_cgroup[PATH_MAX];	/* Postfix's processes live here */
	char internet_cgroup[PATH_MAX]; /* and the sinks' here */
	pid_t sink[2];
	bool postfix_up;
};

/* Reports why when the mail software is missing (the caller skips). */
const char *sft_mailnode_missing(void);
/* Creates `dir` (it must not exist) for everything, starts both sinks
 * (inside internet_cgroup) and Postfix (inside mta_cgroup). 0 or -1 with
 * the reason on stderr. */
int sft_mailnode_start(struct sft_mailnode *m, const char *dir, const char *mta_cgroup,
		       const char *internet_cgroup);
/* The same, with lines added to Postfix's main.cf (the policy service). */
int sft_mailnode_start_with(struct sft_mailnode *m, const char *dir, const char *mta_cgroup,
			    const char *internet_cgroup, const char *main_cf_extra);
/* Stops Postfix and the sinks (by pid) and removes the directory. */
void sft_mailnode_stop(struct sft_mailnode *m);
/* Kills whatever still runs in cgroup `abs` (a test that failed or timed
 * out), then reaps any child that has exited. */
void sft_mailnode_reap_cgroup(const char *abs);
/* swaks as the tenant (SFT_TENANT_UID, in cgroup cg): one message to
 * rcpt@LABEL.test through server:port, its Subject `subject`; its output
 * in *out. swaks's exit code. */
int sft_swaks(const char *cg, const char *server, const char *port, const char *label,
	      const char *subject, char *out, size_t len);

/* The bridge tests' tenants and cgroups: tenants/acme is redirected with
 * a limit of 2 messages an hour, tenants/bad is denied; the MTA and the
 * internet have cgroups of their own. */
struct sft_bridge {
	char acme[PATH_MAX], acme_rel[PATH_MAX], bad[PATH_MAX];
	char mta[PATH_MAX], internet[PATH_MAX];
};
/* In env (set up by the caller): those cgroups and rules; starts the
 * daemon and lets the MTA's user reach RUN_DIR/policy.sock (the test's own
 * directories are root's). Asserts on every step. */
void sft_bridge_setup(struct sft_env *env, struct sft_bridge *b);
/* The mail directory of node `name` in the run of main's pid owner. */
void sft_mail_dir(pid_t owner, const char *name, char *buf, size_t len);
/* A failed test (check's forked child exits at the failed assertion) never
 * ran its teardown: what it left running in the cgroups of each node in
 * names (mta, internet, the tenants) is ended, by pid, and its mail
 * directory removed. */
void sft_mailnode_reap_leftovers(pid_t owner, const char *const *names, size_t n);

/* Messages in the sink whose Subject is `subject` and whose sender said
 * HELO/EHLO `helo`; waits up to timeout_ms for `want` of them (0: just
 * counts). */
int sft_sink_count(const struct sft_mailnode *m, const char *subject, const char *helo, int want,
		   int timeout_ms);

/* The value of header `name` of the (first) message in the sink whose
 * Subject is `subject`, in buf; 0, or -1 when no such message. */
int sft_sink_header(const struct sft_mailnode *m, const char *subject, const char *name, char *buf,
		    size_t len);

/* Runs argv from a child that joined cgroup `cg_abs` as uid/gid, its
 * stdout and stderr into `out` (len bytes). Returns the exit status, or
 * -1. */
int sft_run_as(const char *cg_abs, uid_t uid, gid_t gid, char *const argv[], char *out, size_t len);

#endif /* SFT_MAILNODE_H */
