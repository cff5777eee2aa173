/* SPDX-License-Identifier: GPL-2.0-only */
/* Who a flow belongs to. A tenant is the nearest cgroup ancestor that
 * carries a rule (so every service of tenants.slice/acme.slice adds up to
 * acme.slice, as the policy sees it); a flow no cgroup rule covers belongs
 * to its own cgroup. Grouping by user instead gives "user:NAME". */
#ifndef SF_TENANTS_H
#define SF_TENANTS_H

#include "smtpfence.h"

#include <stdbool.h>
#include <stddef.h>

/* The tenant of forwarded traffic (judged by tc, by source address). */
#define SF_TENANT_FORWARDED "(forwarded)"
/* Kinds of rule keys (enum sf_rule_kind), for counts per kind. */
#define SF_RULE_KINDS (SF_KIND_SOURCE + 1)

enum sf_group_by {
	SF_BY_TENANT,
	SF_BY_USER,
};

struct sf_tenants;
struct sf_ctx;
struct sf_maps;

struct sf_tenants *sf_tenants_new(const char *cgroup_mount);
/* For the reading commands: finds the cgroup mount, opens the pinned maps
 * and a name cache. Says why on failure; returns an exit code (0: ok). */
int sf_tenants_open(const struct sf_ctx *ctx, struct sf_maps *m, struct sf_tenants **t);
const char *sf_tenants_mount(const struct sf_tenants *t);
void sf_tenants_free(struct sf_tenants *t);
/* Reads which cgroups carry rules from the pinned rules map, in the
 * generation the kernel judges by (gen_fd: sf_gen), and counts the rules
 * per kind (n_per_kind indexed by enum sf_rule_kind, may be NULL).
 * Names already looked up are kept while the ruled cgroups stay the same,
 * for at most a minute. 0 or -errno. */
int sf_tenants_load_rules(struct sf_tenants *t, int rules_fd, int gen_fd,
			  size_t n_per_kind[SF_RULE_KINDS]);
/* Relative path of a cgroup, or "(removed cgroup ID)". */
const char *sf_tenants_cgroup(struct sf_tenants *t, __u64 cgroup_id);
/* The user name alone, or the number as text. */
const char *sf_tenants_user(struct sf_tenants *t, __u32 uid);
/* The action the loaded rules give a connect from this cgroup, uid and gid
 * (gid SF_UID_NONE: unknown) in the policy's order: the nearest ruled
 * cgroup, the user, the group, the default. SF_ACT_NONE: no rule at all. */
int sf_tenants_action(struct sf_tenants *t, __u64 cgroup_id, __u32 uid, __u32 gid);
/* The same rule itself, its key in *key; NULL when none decides. */
const struct sf_rule_at *sf_tenants_rule(struct sf_tenants *t, __u64 cgroup_id, __u32 uid,
					 __u32 gid, struct sf_rule_key *key);
const char *sf_tenants_of(struct sf_tenants *t, enum sf_group_by by, __u64 cgroup_id, __u32 uid);

#endif /* SF_TENANTS_H */
