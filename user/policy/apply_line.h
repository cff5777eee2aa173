/* SPDX-License-Identifier: GPL-2.0-only */
/* One line of `smtpfence apply -f`: a change as it is typed on the command
 * line ("allow TARGET", "limit TARGET 5/min burst 5", "unset TARGET");
 * blank lines and comments ('#' first, or after a blank) are nothing. */
#ifndef SF_APPLY_LINE_H
#define SF_APPLY_LINE_H

#include "policy/policy.h"

#include <stddef.h>

/* 1: a change in *r (action SF_ACT_NONE for unset; free r->value), 0: a
 * blank or comment line, -EINVAL: a bad line (err says why). */
int sf_apply_line(const char *line, struct sf_rule_spec *r, char *err, size_t len);

#endif /* SF_APPLY_LINE_H */
