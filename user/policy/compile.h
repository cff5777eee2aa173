/* SPDX-License-Identifier: GPL-2.0-only */
/* Turns a policy into the exact contents its kernel maps must hold:
 * resolves users, groups, cgroup paths and units, and finds conflicts. */
#ifndef SF_COMPILE_H
#define SF_COMPILE_H

#include "util/diag.h"
#include "policy/policy.h"
#include "smtpfence.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SF_SPEC_DEFAULT SIZE_MAX

struct sf_compiled_rule {
	struct sf_rule_key key;
	struct sf_rule_at value; /* the rule, in one generation */
	size_t spec; /* index in the policy's rules, or SF_SPEC_DEFAULT */
};

enum sf_resolution {
	SF_RESOLVED,
	SF_PENDING, /* its cgroup does not exist yet */
};

struct sf_compiled {
	struct sf_compiled_rule *rules; /* sorted by key */
	size_t n_rules;
	struct sf_lpm4 *exempt4;
	size_t n_exempt4;
	struct sf_lpm6 *exempt6;
	size_t n_exempt6;
	/* Source prefixes of forwarded traffic, each with its rule's id. */
	struct sf_lpm4 *source4;
	struct sf_source *source4_val;
	size_t n_source4;
	struct sf_lpm6 *source6;
	struct sf_source *source6_val;
	size_t n_source6;
	struct sf_settings settings;
	uint8_t ports[65536 / 8];
	/* Per policy rule: resolved key and state, for listings. */
	struct sf_rule_key *spec_keys;
	enum sf_resolution *spec_state;
	size_t n_specs;
	size_t n_pending;
};

/* Unknown users or groups, and two targets that name the same key, are
 * reported in *d (file:line); pending cgroups are not errors. */
int sf_compile(const struct sf_policy *p, const char *cgroup_mount, struct sf_compiled *c,
	       struct sf_diag *d);
void sf_compiled_free(struct sf_compiled *c);
/* A user or group name, or a number, to its id; -ENOENT for no such name. */
int sf_resolve_id(const char *value, bool is_user, __u64 *id);
int sf_rule_key_cmp(const struct sf_rule_key *a, const struct sf_rule_key *b);

#endif /* SF_COMPILE_H */
