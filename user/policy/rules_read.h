/* SPDX-License-Identifier: GPL-2.0-only */
/* What the pinned rules map holds, read back. */
#ifndef SF_RULES_READ_H
#define SF_RULES_READ_H

#include "policy/compile.h"

#include <stddef.h>

/* Every entry of the rules map, sorted by key. */
int sf_rules_dump(int fd, struct sf_compiled_rule **out, size_t *n);

#endif /* SF_RULES_READ_H */
