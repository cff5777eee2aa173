// SPDX-License-Identifier: GPL-2.0-only
#include "util/context.h"
#include "util/log.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int sf_require_root(void)
{
	if (geteuid() == 0)
		return 0;
	sf_err("permission denied: smtpfence needs root (CAP_BPF and CAP_NET_ADMIN)");
	return -EPERM;
}

int sf_exit_for(int err, const char *what)
{
	switch (err) {
	case 0:
		return SF_EXIT_OK;
	case -ENOENT:
		sf_err("smtpfence is not loaded at %s (start it with 'smtpfence run')", what);
		return SF_EXIT_FAIL;
	case -EPERM:
	case -EACCES:
		sf_err("permission denied: smtpfence needs root (CAP_BPF and CAP_NET_ADMIN)");
		return SF_EXIT_FAIL;
	case -ENOSYS:
		sf_err("this kernel has no BPF support (bpf(2) is not implemented)");
		return SF_EXIT_FAIL;
	case -EINVAL:
		return SF_EXIT_USAGE;
	default:
		sf_err("failed to open %s: %s", what, strerror(-err));
		return SF_EXIT_FAIL;
	}
}
