/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The policy walk for attempts made from a socket on this host: exempt
 * destinations, the nearest ruled cgroup ancestor, UID, GID, default.
 * The connect hook and the cgroup_skb backstop share it; they differ in
 * where the identity comes from (the task, or the socket), so each
 * program that includes this file defines sf_ancestor_cgroup_id(). */
#ifndef SF_POLICY_BPF_H
#define SF_POLICY_BPF_H

#include "judge.bpf.h"

/* The id of the ancestor cgroup at `level` of the one the walk judges, 0
 * when that cgroup sits above the level. ctx: the program's context. */
static __always_inline __u64 sf_ancestor_cgroup_id(void *ctx, int level);

/* Finds the deciding rule in policy order; fills *key with it. Not inlined:
 * the verifier then checks the rest of the program once, not once for
 * every level at which the walk can stop. */
static __noinline struct sf_rule *sf_find_rule(struct sf_rule_key *key, const struct sf_settings *s,
					       const struct sf_identity *who, void *ctx, __u32 slot)
{
	struct sf_rule *r, *nearest = NULL;
	__u32 levels = s->cgroup_levels;
	__u64 nearest_id = 0;

	/* Root to leaf, only as deep as rules go and the cgroup reaches; the
	 * deepest hit is the nearest ruled ancestor. */
	for (int lvl = 0; lvl <= SF_MAX_CGROUP_LEVEL; lvl++) {
		if (!(levels >> lvl))
			break; /* no rules at this level or below */
		if (!(levels & (1U << lvl)))
			continue;
		__u64 id = sf_ancestor_cgroup_id(ctx, lvl);

		if (!id)
			break; /* the cgroup sits above this level */
		r = sf_rule_of(key, SF_KIND_CGROUP, id, slot);
		if (r) {
			nearest = r;
			nearest_id = id;
		}
	}
	if (nearest) {
		key->kind = SF_KIND_CGROUP;
		key->id = nearest_id;
		return nearest;
	}
	if ((s->flags & SF_HAVE_UID_RULES) && (r = sf_rule_of(key, SF_KIND_UID, who->uid, slot)))
		return r;
	if ((s->flags & SF_HAVE_GID_RULES) && (r = sf_rule_of(key, SF_KIND_GID, who->gid, slot)))
		return r;
	return sf_rule_of(key, SF_KIND_DEFAULT, 0, slot);
}

/* Judges an attempt by *who to the destination in *fk (fk->cgroup_id and
 * uid are filled here) in slot `slot`, whose settings are *s. Returns the
 * verdict. */
static __always_inline __u32 sf_judge_identity(struct sf_flow_key *fk,
					       const struct sf_identity *who,
					       const struct sf_settings *s, void *ctx,
					       enum sf_path path, __u32 slot)
{
	__u32 zero = 0;
	struct sf_totals *t = bpf_map_lookup_elem(&sf_totals, &zero);
	struct sf_rule_key key = {};
	struct sf_rule *r = NULL;

	fk->cgroup_id = who->cgroup_id;
	fk->uid = who->uid;
	if (sf_exempt(fk, s->flags, slot))
		key.kind = SF_KIND_EXEMPT;
	else
		r = sf_find_rule(&key, s, who, ctx, slot);
	return sf_judge(fk, &key, r, slot, who, path, NULL, t);
}

#endif /* SF_POLICY_BPF_H */
