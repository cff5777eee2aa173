// SPDX-License-Identifier: GPL-2.0-only
/* import csf [FILE] [--output PATH]: the smtpfence policy equivalent to
 * CSF's SMTP_BLOCK setup, printed or written to a new file; every setting
 * that cannot be carried over is named on stderr with file:line and why. */
#include "cli/commands.h"
#include "util/json_out.h"
#include "policy/csf.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct import_opts {
	const char *output;
};

/* A new file only, never over an existing policy: O_EXCL. */
static int write_new(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (err)
		unlink(path);
	return err;
}

static int import(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	const struct import_opts *o = opts;
	struct sf_diag d = {};
	const char *path;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int err;

	(void)ctx;
	if (strcmp(argv[0], "csf")) {
		sf_err("invalid source '%s': expected csf", argv[0]);
		return SF_EXIT_USAGE;
	}
	path = argc == 2 ? argv[1] : SF_CSF_DEFAULT_CONF;
	/* Nothing is printed or written unless the whole file converts. */
	out = open_memstream(&text, &len);
	if (!out) {
		sf_err("failed to allocate the policy: %s", strerror(errno));
		return SF_EXIT_FAIL;
	}
	err = sf_csf_import(path, out, stderr, &d);
	fclose(out);
	sf_diag_print(&d);
	sf_diag_free(&d);
	if (err == -EINVAL) {
		free(text);
		return SF_EXIT_USAGE;
	}
	if (err) {
		sf_err("failed to read %s: %s", path, strerror(-err));
		free(text);
		return SF_EXIT_FAIL;
	}
	if (!o->output && ctx->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "source", json_object_new_string(path));
		json_object_object_add(j, "config", json_object_new_string_len(text, (int)len));
		sf_json_print(j);
	} else if (!o->output) {
		fwrite(text, 1, len, stdout);
	} else if ((err = write_new(o->output, text, len))) {
		sf_err("failed to write %s: %s%s", o->output, strerror(-err),
		       err == -EEXIST ? " (it is never overwritten)" : "");
	} else {
		sf_info("wrote %s: check it with smtpfence --config %s check-config", o->output,
			o->output);
	}
	free(text);
	return err ? SF_EXIT_FAIL : SF_EXIT_OK;
}

static const struct sf_option options[] = {
	{.name = "output",
	 .short_name = 'o',
	 .type = SF_OPT_STRING,
	 .arg = "PATH",
	 .offset = SF_OPT_AT(struct import_opts, output),
	 .help = "write the policy to PATH, a new file, instead of printing it"},
	{NULL},
};

const struct sf_command sf_cmd_import = {
	.name = "import",
	.args = "csf [FILE]",
	.min_args = 1,
	.max_args = 2,
	.summary = "the policy equivalent to CSF's SMTP_BLOCK (FILE: /etc/csf/csf.conf)",
	.json = true,
	.options = options,
	.opts_size = sizeof(struct import_opts),
	.run = import,
};
