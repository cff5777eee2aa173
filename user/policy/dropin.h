/* SPDX-License-Identifier: GPL-2.0-only */
/* Persists one rule change in the configuration files: the line that rules
 * the target is replaced or removed where it stands, or a drop-in named
 * after the tenant is written in the rules directory. */
#ifndef SF_DROPIN_H
#define SF_DROPIN_H

#include "policy/policy.h"

#include <stddef.h>

struct sf_file_backup {
	char path[PATH_MAX];
	char *data; /* NULL: the file did not exist */
	size_t len;
};

/* Writes rule (or removes the target's line when rule is NULL). *where is
 * the spec that rules the target now (NULL: none). The previous content
 * is saved in *backup for sf_dropin_restore. */
int sf_dropin_write(const char *rules_dir, const struct sf_rule_spec *where,
		    const struct sf_rule_spec *rule, struct sf_file_backup *backup);
/* Saves a file's present content (or its absence) for a later restore. */
int sf_file_backup_take(const char *path, struct sf_file_backup *backup);
int sf_dropin_restore(struct sf_file_backup *backup);
void sf_file_backup_free(struct sf_file_backup *backup);

#endif /* SF_DROPIN_H */
