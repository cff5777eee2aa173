/* SPDX-License-Identifier: GPL-2.0-only */
/* What the pinned rules map holds, read back: whole (both generations, for
 * sync) or as the kernel judges now (the visible generation, for views). */
#ifndef SF_RULES_READ_H
#define SF_RULES_READ_H

#include "policy/compile.h"

#include <stddef.h>

/* One entry of the rules map as it is, both slots. */
struct sf_kernel_rule {
	struct sf_rule_key key;
	struct sf_rule value;
};

/* Every entry of the rules map, sorted by key. */
int sf_rules_dump_raw(int fd, struct sf_kernel_rule **out, size_t *n);
/* The rules the kernel judges by now (slot of the generation in gen_fd),
 * sorted by key: an entry with no rule in that slot is left out. */
int sf_rules_dump(int fd, int gen_fd, struct sf_compiled_rule **out, size_t *n);
/* The rule of one key in the visible generation; -ENOENT when none. */
int sf_rule_visible(int fd, int gen_fd, const struct sf_rule_key *k, struct sf_rule_at *out);

#endif /* SF_RULES_READ_H */
