/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The policy walk shared by every attach point: exempt destinations, the
 * nearest ruled cgroup ancestor, UID, GID, default; then counting, rate
 * limiting and events. */
#ifndef SF_POLICY_BPF_H
#define SF_POLICY_BPF_H

#include "maps.bpf.h"
#include <bpf/bpf_endian.h>

#define SF_AF_INET 2
#define SF_AF_INET6 10
#define SF_EPERM 1

static __always_inline int sf_port_watched(__u16 port)
{
	__u32 key = port;
	__u32 *watched = bpf_map_lookup_elem(&sf_ports, &key);

	return watched && *watched;
}

static __always_inline int sf_exempt(const struct sf_flow_key *fk)
{
	if (fk->family == SF_AF_INET) {
		struct sf_lpm4 k4 = { .prefixlen = 32 };

		__builtin_memcpy(k4.addr, fk->daddr, 4);
		return bpf_map_lookup_elem(&sf_exempt4, &k4) != NULL;
	}
	struct sf_lpm6 k6 = { .prefixlen = 128 };

	__builtin_memcpy(k6.addr, fk->daddr, 16);
	return bpf_map_lookup_elem(&sf_exempt6, &k6) != NULL;
}

static __always_inline void sf_count(struct sf_counters *c, __u32 verdict)
{
	__sync_fetch_and_add(&c->attempts, 1);
	if (verdict == SF_VERDICT_DENIED)
		__sync_fetch_and_add(&c->denied, 1);
	else if (verdict == SF_VERDICT_LIMITED)
		__sync_fetch_and_add(&c->limited, 1);
	else
		__sync_fetch_and_add(&c->allowed, 1);
}

/* Returns 1 when a token was taken, 0 when the bucket is empty. */
static __always_inline int sf_bucket_take(struct sf_rule *r, __u64 now)
{
	int taken = 0;

	bpf_spin_lock(&r->lock);
	__u64 cap = r->burst * r->period_ns;
	__u64 elapsed = now - r->last_ns;
	__u64 tokens;

	if (now < r->last_ns)
		elapsed = 0;
	if (elapsed >= r->fill_ns)
		tokens = cap;
	else
		tokens = r->tokens + elapsed * r->rate_count;
	if (tokens > cap)
		tokens = cap;
	if (tokens >= r->period_ns) {
		tokens -= r->period_ns;
		taken = 1;
	}
	r->tokens = tokens;
	r->last_ns = now;
	bpf_spin_unlock(&r->lock);
	return taken;
}

/* Finds the deciding rule in policy order; fills *key with it. Not inlined:
 * the verifier then checks the rest of the program once, not once for
 * every level at which the walk can stop. */
static __noinline struct sf_rule *sf_find_rule(struct sf_rule_key *key,
						    const struct sf_settings *s,
						    __u64 uid_gid)
{
	struct sf_rule *r;
	__u32 levels = s->cgroup_levels;

	/* Nearest ancestor first: the deepest level that has rules. */
	for (int lvl = SF_MAX_CGROUP_LEVEL; lvl >= 0; lvl--) {
		if (!(levels & (1U << lvl)))
			continue;
		__u64 id = bpf_get_current_ancestor_cgroup_id(lvl);

		if (!id)
			continue; /* the task sits above this level */
		key->kind = SF_KIND_CGROUP;
		key->id = id;
		r = bpf_map_lookup_elem(&sf_rules, key);
		if (r)
			return r;
	}
	if (s->flags & SF_HAVE_UID_RULES) {
		key->kind = SF_KIND_UID;
		key->id = (__u32)uid_gid;
		r = bpf_map_lookup_elem(&sf_rules, key);
		if (r)
			return r;
	}
	if (s->flags & SF_HAVE_GID_RULES) {
		key->kind = SF_KIND_GID;
		key->id = uid_gid >> 32;
		r = bpf_map_lookup_elem(&sf_rules, key);
		if (r)
			return r;
	}
	key->kind = SF_KIND_DEFAULT;
	key->id = 0;
	return bpf_map_lookup_elem(&sf_rules, key);
}

static __always_inline __u32 sf_verdict_of(struct sf_rule *r, __u64 now)
{
	if (!r)
		return SF_VERDICT_ALLOWED;
	switch (r->action) {
	case SF_ACT_DENY:
		return SF_VERDICT_DENIED;
	case SF_ACT_LOG:
		return SF_VERDICT_LOGGED;
	case SF_ACT_LIMIT:
		return sf_bucket_take(r, now) ? SF_VERDICT_ALLOWED : SF_VERDICT_LIMITED;
	default:
		return SF_VERDICT_ALLOWED;
	}
}

static __always_inline void sf_count_flow(struct sf_flow_key *fk, __u32 verdict, __u64 now,
					  struct sf_totals *t)
{
	struct sf_flow *f = bpf_map_lookup_elem(&sf_flows, fk);

	if (!f) {
		struct sf_flow fresh = { .first_ns = now };

		/* EEXIST means another CPU inserted it first: fine. */
		bpf_map_update_elem(&sf_flows, fk, &fresh, BPF_NOEXIST);
		f = bpf_map_lookup_elem(&sf_flows, fk);
		if (!f) {
			if (t)
				t->flows_lost++;
			return;
		}
	}
	sf_count(&f->c, verdict);
	f->last_ns = now;
}

static __always_inline void sf_count_rule(struct sf_rule_key *key, __u32 verdict)
{
	struct sf_counters *c = bpf_map_lookup_elem(&sf_rule_stats, key);

	if (!c) {
		struct sf_counters zero = {};

		bpf_map_update_elem(&sf_rule_stats, key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&sf_rule_stats, key);
		if (!c)
			return;
	}
	sf_count(c, verdict);
}

static __always_inline void sf_emit_event(const struct sf_flow_key *fk,
					  const struct sf_rule_key *key, __u32 verdict,
					  __u64 uid_gid, __u64 now, struct sf_totals *t)
{
	struct sf_event *e = bpf_ringbuf_reserve(&sf_events, sizeof(*e), 0);

	if (!e) {
		if (t)
			t->events_lost++;
		return;
	}
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	e->ts_ns = now;
	e->cgroup_id = fk->cgroup_id;
	e->rule_id = key->id;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->uid = (__u32)uid_gid;
	e->gid = uid_gid >> 32;
	e->rule_kind = key->kind;
	e->verdict = verdict;
	e->family = fk->family;
	e->dport = fk->dport;
	e->pad = 0;
	__builtin_memcpy(e->daddr, fk->daddr, sizeof(e->daddr));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	if (t)
		t->events++;
}

/* Judges a connect to a watched port whose destination is in *fk.
 * Returns the sock_addr program verdict: 1 lets it through, 0 rejects. */
static __always_inline int sf_judge_connect(struct sf_flow_key *fk)
{
	__u32 zero = 0;
	struct sf_settings *s = bpf_map_lookup_elem(&sf_settings, &zero);
	struct sf_totals *t = bpf_map_lookup_elem(&sf_totals, &zero);
	struct sf_rule_key key = {};
	struct sf_rule *r = NULL;
	__u64 now = bpf_ktime_get_boot_ns();
	__u64 uid_gid = bpf_get_current_uid_gid();
	__u32 verdict;

	if (!s)
		return 1;
	fk->cgroup_id = bpf_get_current_cgroup_id();
	fk->uid = (__u32)uid_gid;
	if (sf_exempt(fk)) {
		key.kind = SF_KIND_EXEMPT;
		verdict = SF_VERDICT_ALLOWED;
	} else {
		r = sf_find_rule(&key, s, uid_gid);
		verdict = sf_verdict_of(r, now);
	}
	if (t)
		sf_count(&t->c, verdict);
	sf_count_flow(fk, verdict, now, t);
	sf_count_rule(&key, verdict);
	if (verdict == SF_VERDICT_ALLOWED)
		return 1;
	sf_emit_event(fk, &key, verdict, uid_gid, now, t);
	if (verdict == SF_VERDICT_LOGGED)
		return 1;
	if (s->deny_errno && s->deny_errno != SF_EPERM)
		bpf_set_retval(-(int)s->deny_errno);
	return 0;
}

#endif /* SF_POLICY_BPF_H */
