/* SPDX-License-Identifier: GPL-2.0-only */
/* Integration test harness: a sandbox per test binary (private mount
 * namespace with its own bpffs, a fresh network namespace, a throwaway
 * cgroup), an environment per test (pin dir, config, run dir, cgroup),
 * the CLI and the daemon as real processes, and real sockets.
 *
 * Addresses inside the sandbox's network namespace, all on lo:
 *   192.0.2.1, 192.0.2.2, 198.51.100.1, 2001:db8::1, 2001:db8::2
 * (this kernel has no dummy interfaces; veth pairs work). */
#ifndef SFT_HARNESS_H
#define SFT_HARNESS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define SFT_OUT_LEN 65536

/* Enters the sandbox; call once from main() before running any suite.
 * Exits 77 with the reason when the machine cannot run the tests (not
 * root, no BPF, no cgroup v2): a skip, never a pass. */
void sft_sandbox_enter(void);
const char *sft_cgroup_mount(void);

struct sft_env {
	char name[64];
	char dir[PATH_MAX]; /* config, rules.d, run dir live here */
	char pin_dir[PATH_MAX];
	char config[PATH_MAX];
	char rules_dir[PATH_MAX];
	char run_dir[PATH_MAX];
	char cgroup[PATH_MAX];	   /* absolute attach cgroup of this test */
	char cgroup_rel[PATH_MAX]; /* the same, relative to the cgroup2 mount */
	pid_t daemon;
	int notify_fd;
	char notify_log[4096]; /* every NOTIFY_SOCKET message, "|"-separated */
	char out[SFT_OUT_LEN]; /* stdout of the last sft_cli */
	char err[SFT_OUT_LEN]; /* stderr of the last sft_cli */
};

/* config_text is written as the main configuration file, with a line
 * "rules_dir = <env rules dir>" added to its [global] section when it has
 * none. NULL writes no file (the CLI then gets --config anyway and sees a
 * missing file). */
void sft_env_setup(struct sft_env *e, const char *name, const char *config_text);
/* Stops the daemon, unloads, removes the cgroups and files. */
void sft_env_teardown(struct sft_env *e);

/* Runs `smtpfence --pin-dir .. --config .. --run-dir .. ARGS` through
 * /bin/sh (ARGS is a printf format). Returns the exit status (or -1). */
int sft_cli(struct sft_env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same as a newcomer types it: no --pin-dir, --config or --run-dir,
 * so the default paths are used (see sft_default_paths_private). */
int sft_cli_plain(struct sft_env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Makes the default paths throwaways of this sandbox: /etc becomes an
 * overlay of the host's (writes land in the work directory; /etc/smtpfence
 * is removed from the view), /run a tmpfs, /sys/fs/bpf a fresh bpffs. The
 * host's files are never touched. Exits 77 when overlayfs is missing. */
void sft_default_paths_private(void);

/* Starts `smtpfence run --cgroup <env cgroup>` and waits for READY=1.
 * 0 on success, -1 when it exited or timed out (its stderr is printed). */
int sft_daemon_start(struct sft_env *e);
/* The same, attached at cg_abs, with one more argument (or NULL). */
int sft_daemon_start_at(struct sft_env *e, const char *cg_abs, const char *extra);
/* Sends sig to the daemon and reaps it; returns its wait status. */
int sft_daemon_stop(struct sft_env *e, int sig);
/* What the daemon wrote to stderr so far (its log), NUL-terminated. */
void sft_daemon_log(struct sft_env *e, char *buf, size_t len);
/* Collects NOTIFY_SOCKET messages until one contains `want` or timeout. */
bool sft_notify_wait(struct sft_env *e, const char *want, int timeout_ms);
/* The same, until `want` has been seen n times since the daemon started. */
bool sft_notify_wait_n(struct sft_env *e, const char *want, int n, int timeout_ms);
/* Reads every message queued on the notify socket into notify_log. The
 * daemon blocks in sd_notify() once 10 messages wait unread (each CLI
 * change makes it reload: RELOADING=1, READY=1): a test that changes much
 * without waiting for notifications calls this now and then. */
void sft_notify_drain(struct sft_env *e);

/* mkdir -p of env cgroup + "/" + sub; writes the absolute path. */
int sft_cgroup_make(struct sft_env *e, const char *sub, char *abs, size_t len);

enum sft_connect_mode {
	SFT_BLOCKING,
	SFT_NONBLOCK,
	SFT_FASTOPEN_SENDTO,  /* sendto(MSG_FASTOPEN) */
	SFT_FASTOPEN_CONNECT, /* TCP_FASTOPEN_CONNECT, then connect() */
	SFT_V4_MAPPED,	      /* AF_INET6 socket to ::ffff:HOST (HOST is IPv4) */
};

/* Connects from a child process placed in cgroup `cg_abs`, running as
 * uid/gid with no supplementary groups. Returns 0 when connected, the
 * errno connect() failed with, or -1 when the harness itself failed. */
int sft_connect(const char *cg_abs, uid_t uid, gid_t gid, const char *host, int port,
		enum sft_connect_mode mode);

/* In a forked child: moves the calling process into cgroup cg_abs. 0 or -1. */
int sft_join_cgroup(const char *cg_abs);
/* In a forked child: becomes uid/gid with no supplementary groups. 0 or -1. */
int sft_become(uid_t uid, gid_t gid);
/* Reaps a child whose exit status is an errno, 0, or SFT_CHILD_FAILED and
 * above for the harness's own failures; returns that errno, 0 or -1. */
#define SFT_CHILD_FAILED 252
int sft_wait_child(pid_t pid);

/* A listening TCP socket on host:port (non-blocking accept). */
int sft_listen(const char *host, int port);
/* Accepts and closes every pending connection; returns how many. */
int sft_accept_all(int fd);

#endif /* SFT_HARNESS_H */
