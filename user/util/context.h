/* SPDX-License-Identifier: GPL-2.0-only */
/* Global options every command sees, and the exit codes. */
#ifndef SF_CONTEXT_H
#define SF_CONTEXT_H

#include <stdbool.h>

enum sf_exit {
	SF_EXIT_OK = 0,
	SF_EXIT_FAIL = 1,
	SF_EXIT_USAGE = 2, /* bad arguments, bad configuration, bad target */
	SF_EXIT_INACTIVE = 3, /* status: nothing is enforced (systemctl's "not active") */
};

/* The global options; each command's own live in its options struct. */
struct sf_ctx {
	const char *pin_dir;
	const char *config; /* main configuration file */
	bool config_explicit;
	const char *run_dir; /* lock, pid file, runtime layer */
	bool json;
};

/* Maps a -errno from a setup step to the exit code and says why, once:
 * no root, no BPF, not loaded. Returns the exit code. */
int sf_exit_for(int err, const char *what);
/* 0 when running as root; else one clear line and -EPERM. */
int sf_require_root(void);

#endif /* SF_CONTEXT_H */
