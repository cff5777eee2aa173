// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/instance.h"
#include "kernel/pins.h"
#include "util/log.h"
#include "util/mkdirs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static int holder_pid(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	int pid = 0;

	if (n > 0 && sscanf(buf, "%d", &pid) == 1)
		return pid;
	return 0;
}

static int lock_now(int fd)
{
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EINTR)
			return errno == EWOULDBLOCK ? -EBUSY : -errno;
	}
	return 0;
}

int sf_instance_claim(const struct sf_ctx *ctx, struct sf_instance *in)
{
	char path[PATH_MAX];
	int err;

	in->pin_lock_fd = in->pid_fd = -1;
	err = sf_mkdirs(ctx->run_dir, 0700);
	if (err) {
		sf_err("failed to create %s: %s", ctx->run_dir, strerror(-err));
		return err;
	}
	snprintf(path, sizeof(path), "%s/smtpfence.pid", ctx->run_dir);
	in->pid_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (in->pid_fd < 0) {
		err = -errno;
		sf_err("failed to open %s: %s", path, strerror(-err));
		return err;
	}
	err = lock_now(in->pid_fd);
	if (err == -EBUSY) {
		sf_err("smtpfence run is already running (pid %d, %s): refusing a second one",
		       holder_pid(in->pid_fd), path);
		goto fail;
	}
	if (err) {
		sf_err("failed to lock %s: %s", path, strerror(-err));
		goto fail;
	}
	err = sf_pin_dir_prepare(ctx->pin_dir);
	if (err) {
		sf_err("failed to prepare pin directory %s: %s", ctx->pin_dir,
		       err == -ENOTDIR ? "its parent is not a BPF filesystem" : strerror(-err));
		goto fail;
	}
	in->pin_lock_fd = open(ctx->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = in->pin_lock_fd < 0 ? -errno : lock_now(in->pin_lock_fd);
	if (err == -EBUSY)
		sf_err("another smtpfence run enforces from %s (with another --run-dir): "
		       "refusing a second one",
		       ctx->pin_dir);
	else if (err)
		sf_err("failed to lock %s: %s", ctx->pin_dir, strerror(-err));
	if (!err)
		return 0;
fail:
	if (in->pin_lock_fd >= 0)
		close(in->pin_lock_fd);
	close(in->pid_fd);
	in->pin_lock_fd = in->pid_fd = -1;
	return err;
}

int sf_instance_publish(struct sf_instance *in)
{
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

	if (ftruncate(in->pid_fd, 0) || pwrite(in->pid_fd, pid, (size_t)n, 0) != n)
		return errno ? -errno : -EIO;
	return 0;
}

void sf_instance_release(const struct sf_ctx *ctx, struct sf_instance *in)
{
	char path[PATH_MAX];

	if (in->pid_fd < 0)
		return;
	/* Still ours: no second daemon could take the lock meanwhile. */
	snprintf(path, sizeof(path), "%s/smtpfence.pid", ctx->run_dir);
	unlink(path);
	close(in->pid_fd);
	if (in->pin_lock_fd >= 0)
		close(in->pin_lock_fd);
	in->pin_lock_fd = in->pid_fd = -1;
}
