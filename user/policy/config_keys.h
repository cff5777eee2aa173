/* SPDX-License-Identifier: GPL-2.0-only */
/* Every key the configuration files take, by section: what `help` lists
 * and what `make test-docs` holds the man pages and the parser to. */
#ifndef SF_CONFIG_KEYS_H
#define SF_CONFIG_KEYS_H

struct sf_config_key {
	const char *name;
	const char *section; /* "global" (main file) or "rules" (main file and drop-ins) */
	const char *value;   /* the value's shape, for the help */
};

/* Ends with {NULL}. */
extern const struct sf_config_key sf_config_keys[];

#endif /* SF_CONFIG_KEYS_H */
