// SPDX-License-Identifier: GPL-2.0-only
#include "policy/quarantine_edit.h"

#include <errno.h>

int sf_quarantine_edit(const struct sf_ctx *ctx, sf_quarantine_edit_fn fn, void *arg)
{
	struct sf_change c;
	int code = sf_change_begin(&c, ctx, "quarantine", false), err;

	if (code != SF_EXIT_OK) {
		sf_change_end(&c);
		return code == SF_EXIT_USAGE ? -EINVAL : -EIO;
	}
	err = fn(&c, arg);
	if (!err) {
		c.quarantines_dirty = true;
		c.quiet = true;
		code = sf_change_commit(&c);
		err = code == SF_EXIT_OK ? 0 : code == SF_EXIT_USAGE ? -EINVAL : c.err;
	}
	sf_change_end(&c);
	return err;
}
