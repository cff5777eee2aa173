/* SPDX-License-Identifier: GPL-2.0-only */
/* Where a rule on a target nobody has ruled yet is written: a drop-in in
 * the rules directory named after the tenant (policy/change.c edits it). */
#ifndef SF_DROPIN_H
#define SF_DROPIN_H

#include "policy/policy.h"

#include <stddef.h>

/* RULES_DIR/NAME.conf: a unit is its own name, other kinds get their kind
 * as prefix ("user-bob.conf"); characters a file name should not hold
 * become '-', and the name never starts with '.' (never read). */
int sf_dropin_path(const char *rules_dir, enum sf_target_kind kind, const char *value, char *buf,
		   size_t len);

#endif /* SF_DROPIN_H */
