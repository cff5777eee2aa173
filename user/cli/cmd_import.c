// SPDX-License-Identifier: GPL-2.0-only
/* import csf [FILE]: the smtpfence policy equivalent to CSF's SMTP_BLOCK
 * setup, printed (redirect it into a file, then check-config it); every
 * setting that cannot be carried over is named on stderr with the reason. */
#include "cli/commands.h"
#include "policy/csf.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sf_cmd_import(const struct sf_ctx *ctx, int argc, char **argv)
{
	struct sf_diag d = {};
	const char *path;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int err;

	(void)ctx;
	if (argc < 1 || argc > 2 || strcmp(argv[0], "csf")) {
		sf_err("usage: smtpfence import csf [FILE] (default %s)", SF_CSF_DEFAULT_CONF);
		return SF_EXIT_USAGE;
	}
	path = argc == 2 ? argv[1] : SF_CSF_DEFAULT_CONF;
	/* Nothing goes to stdout unless the whole file converts. */
	out = open_memstream(&text, &len);
	if (!out) {
		sf_err("failed to allocate the policy: %s", strerror(errno));
		return SF_EXIT_FAIL;
	}
	err = sf_csf_import(path, out, stderr, &d);
	fclose(out);
	sf_diag_print(&d);
	sf_diag_free(&d);
	if (!err)
		fwrite(text, 1, len, stdout);
	free(text);
	if (err == -EINVAL)
		return SF_EXIT_USAGE;
	if (err) {
		sf_err("failed to read %s: %s", path, strerror(-err));
		return SF_EXIT_FAIL;
	}
	return SF_EXIT_OK;
}
