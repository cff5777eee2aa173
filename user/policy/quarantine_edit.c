// SPDX-License-Identifier: GPL-2.0-only
#include "policy/quarantine_edit.h"
#include "kernel/pins.h"
#include "util/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sf_quarantine_edit(const struct sf_ctx *ctx, sf_quarantine_edit_fn fn, void *arg)
{
	struct sf_quarantines before = {};
	struct sf_session s;
	struct sf_maps maps;
	int err;

	err = sf_session_begin(&s, ctx, true);
	if (err) {
		sf_diag_print(&s.diag);
		goto out;
	}
	before.n = s.quarantines.n;
	before.v = before.n ? malloc(before.n * sizeof(*before.v)) : NULL;
	if (before.n && !before.v) {
		err = -ENOMEM;
		goto out;
	}
	if (before.n)
		memcpy(before.v, s.quarantines.v, before.n * sizeof(*before.v));
	err = fn(&s, arg);
	if (err)
		goto out;
	err = sf_session_compile(&s);
	if (err) {
		sf_diag_print(&s.diag);
		goto out;
	}
	err = sf_quarantines_save(ctx->run_dir, &s.quarantines);
	if (err) {
		sf_err("failed to write %s/%s: %s", ctx->run_dir, SF_QUARANTINE_FILE,
		       strerror(-err));
		goto out;
	}
	err = sf_maps_open(ctx->pin_dir, &maps);
	if (err == -ENOENT) {
		err = 0; /* not loaded: applies when it runs */
		goto out;
	}
	if (!err) {
		err = sf_session_sync(&s, &maps);
		sf_maps_close(&maps);
	}
	if (err) {
		sf_err("failed to apply the quarantines: %s", strerror(-err));
		if (sf_quarantines_save(ctx->run_dir, &before))
			sf_err("failed to restore %s/%s", ctx->run_dir, SF_QUARANTINE_FILE);
	}
out:
	free(before.v);
	sf_session_end(&s);
	return err;
}
