/* SPDX-License-Identifier: GPL-2.0-only */
/* Global options every command sees, and the exit codes. */
#ifndef SF_CONTEXT_H
#define SF_CONTEXT_H

#include <stdbool.h>

#define SF_CTX_MAX_TC_DEVS 64

enum sf_exit {
	SF_EXIT_OK = 0,
	SF_EXIT_FAIL = 1,
	SF_EXIT_USAGE = 2, /* bad arguments, bad configuration, bad target */
};

struct sf_ctx {
	const char *pin_dir;
	const char *cgroup; /* run: attach point (default: the cgroup-v2 root) */
	const char *config; /* main configuration file */
	bool config_explicit;
	const char *run_dir; /* lock, pid file, runtime layer */
	bool json;
	bool runtime_only;			 /* --runtime: live change, not persisted */
	const char *explain_pid;		 /* explain --pid */
	const char *explain_uid;		 /* explain --uid */
	const char *explain_gid;		 /* explain --gid */
	const char *tc_devs[SF_CTX_MAX_TC_DEVS]; /* run --tc-dev, besides `interfaces =` */
	int n_tc_devs;
	/* Listing and viewing options, as typed; each command validates its own. */
	const char *sort;	/* --sort COLUMN */
	const char *target;	/* --target TARGET */
	const char *limit;	/* --limit N */
	const char *iterations; /* -n N */
	const char *delay;	/* -d SECONDS */
	bool follow;		/* -f */
	bool batch;		/* --batch */
	bool now;		/* dnsbl --now */
};

/* Maps a -errno from a setup step to the exit code and says why, once:
 * no root, no BPF, not loaded. Returns the exit code. */
int sf_exit_for(int err, const char *what);
/* 0 when running as root; else one clear line and -EPERM. */
int sf_require_root(void);

#endif /* SF_CONTEXT_H */
