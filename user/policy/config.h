/* SPDX-License-Identifier: GPL-2.0-only */
/* Reads the configuration (main file + rules.d drop-ins) and the runtime
 * layer with libinih, reporting every problem as file:line: message. */
#ifndef SF_CONFIG_H
#define SF_CONFIG_H

#include "util/diag.h"
#include "policy/policy.h"

#include <stdbool.h>

/* Loads the main file and its drop-ins into *p. A missing main file is an
 * error when it was named explicitly, otherwise the embedded default
 * stands in. Returns 0 when *d is empty, -EINVAL otherwise. */
int sf_config_load(const char *main_path, bool explicit_path, struct sf_policy *p,
		   struct sf_diag *d);
/* The same, with the drop-ins that have not changed since cache (see
 * policy/parse_cache.h) was written taken from it. */
int sf_config_load_cached(const char *main_path, bool explicit_path, const char *cache,
			  struct sf_policy *p, struct sf_diag *d);

int sf_runtime_load(const char *path, struct sf_runtime *rt, struct sf_diag *d);
/* The runtime layer's file content (policy/change.c writes it). */
int sf_runtime_format(const struct sf_runtime *rt, char **buf, size_t *len);

/* Parses one "ACTION = TARGET [RATE]" rule line, as written in [rules]. */
int sf_rule_from_words(const char *action, const char *rest, struct sf_rule_spec *r, char *err,
		       size_t errlen);
/* Writes a rule back in the same syntax ("allow = user:bob"). */
void sf_rule_format(const struct sf_rule_spec *r, char *buf, size_t len);

/* Writes a file atomically: a temporary file in the same directory, then
 * rename(2). Mode 0644. */
int sf_write_atomic(const char *path, const char *data, size_t len);

#endif /* SF_CONFIG_H */
