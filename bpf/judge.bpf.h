/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What every attach point does once the deciding rule is found: the
 * verdict (with rate limiting), the counters, and the event. */
#ifndef SF_JUDGE_BPF_H
#define SF_JUDGE_BPF_H

#include "maps.bpf.h"
#include <bpf/bpf_endian.h>

#define SF_AF_INET  2
#define SF_AF_INET6 10
#define SF_EPERM    1

/* How an attempt reached the judge; changes what is counted and reported. */
enum sf_path {
	SF_PATH_CONNECT,   /* the connect hook: the normal way */
	SF_PATH_BYPASS,	   /* a SYN from a socket the connect hook never judged */
	SF_PATH_FORWARDED, /* a forwarded SYN: no local socket, no process */
};

/* Who makes an attempt. For forwarded traffic: nobody on this host. */
struct sf_identity {
	__u64 cgroup_id;
	__u32 uid;
	__u32 gid;
};

/* The slot of the visible generation. Read once per attempt, and every
 * map is then read in that slot only: the attempt meets one policy. */
static __always_inline __u32 sf_slot(void)
{
	__u32 zero = 0;
	struct sf_gen *g = bpf_map_lookup_elem(&sf_gen, &zero);

	return g ? SF_SLOT(*(volatile __u64 *)&g->gen) : 0;
}

/* Looks up the rule of one kind and id in a slot, leaving the key filled
 * in; NULL when that slot has no rule of the key. */
static __always_inline struct sf_rule *sf_rule_of(struct sf_rule_key *key, __u32 kind, __u64 id,
						  __u32 slot)
{
	struct sf_rule *r;

	key->kind = kind;
	key->id = id;
	r = bpf_map_lookup_elem(&sf_rules, key);
	return r && r->at[slot & 1].action != SF_ACT_NONE ? r : NULL;
}

static __always_inline int sf_port_watched(__u16 port, __u32 slot)
{
	__u32 key = port;
	__u32 *watched = bpf_map_lookup_elem(&sf_ports, &key);

	return watched && (*watched & SF_SLOT_BIT(slot & 1));
}

/* The settings' flags skip a trie with no prefix in this slot (an LPM
 * lookup costs about 50 ns even when empty). */
static __always_inline int sf_exempt(const struct sf_flow_key *fk, __u32 flags, __u32 slot)
{
	__u32 *on;

	if (!(flags & (fk->family == SF_AF_INET ? SF_HAVE_EXEMPT4 : SF_HAVE_EXEMPT6)))
		return 0;
	if (fk->family == SF_AF_INET) {
		struct sf_lpm4 k4 = {.prefixlen = 32};

		__builtin_memcpy(k4.addr, fk->daddr, 4);
		on = bpf_map_lookup_elem(&sf_exempt4, &k4);
	} else {
		struct sf_lpm6 k6 = {.prefixlen = 128};

		__builtin_memcpy(k6.addr, fk->daddr, 16);
		on = bpf_map_lookup_elem(&sf_exempt6, &k6);
	}
	return on && (*on & SF_SLOT_BIT(slot & 1));
}

/* Atomic even on per-CPU values: a program preempted on its CPU (process
 * context) or interrupted by a softirq's would lose a count. */
static __always_inline void sf_count(struct sf_counters *c, __u32 verdict, enum sf_path path)
{
	__sync_fetch_and_add(&c->attempts, 1);
	if (verdict == SF_VERDICT_DENIED)
		__sync_fetch_and_add(&c->denied, 1);
	else if (verdict == SF_VERDICT_LIMITED)
		__sync_fetch_and_add(&c->limited, 1);
	else if (verdict == SF_VERDICT_REDIRECTED)
		__sync_fetch_and_add(&c->redirected, 1);
	else
		__sync_fetch_and_add(&c->allowed, 1);
	if (path == SF_PATH_BYPASS)
		__sync_fetch_and_add(&c->bypass, 1);
}

/* Returns 1 when a token was taken, 0 when the bucket is empty. */
static __always_inline int sf_bucket_take(struct sf_rule *r, const struct sf_rule_at *at, __u64 now)
{
	int taken = 0;

	bpf_spin_lock(&r->lock);
	__u64 cap = at->burst * at->period_ns;
	__u64 elapsed = now - r->last_ns;
	__u64 tokens;

	if (now < r->last_ns)
		elapsed = 0;
	if (elapsed >= at->fill_ns)
		tokens = cap;
	else
		tokens = r->tokens + elapsed * at->rate_count;
	if (tokens > cap)
		tokens = cap;
	if (tokens >= at->period_ns) {
		tokens -= at->period_ns;
		taken = 1;
	}
	r->tokens = tokens;
	r->last_ns = now;
	bpf_spin_unlock(&r->lock);
	return taken;
}

static __always_inline __u32 sf_verdict_of(struct sf_rule *r, __u32 slot, __u64 now)
{
	if (!r)
		return SF_VERDICT_ALLOWED;

	const struct sf_rule_at *at = &r->at[slot & 1];

	switch (at->action) {
	case SF_ACT_DENY:
		return SF_VERDICT_DENIED;
	case SF_ACT_LOG:
		return SF_VERDICT_LOGGED;
	case SF_ACT_LIMIT:
		return sf_bucket_take(r, at, now) ? SF_VERDICT_ALLOWED : SF_VERDICT_LIMITED;
	case SF_ACT_REDIRECT:
		return SF_VERDICT_REDIRECTED;
	default:
		return SF_VERDICT_ALLOWED;
	}
}

/* The current task's name, read straight from its task_struct (BTF):
 * two loads, where bpf_get_current_comm() copies it byte by byte. */
struct task_struct___sf {
	char comm[SF_COMM_LEN];
} __attribute__((preserve_access_index));

static __always_inline void sf_current_comm(char *to)
{
	struct task_struct___sf *t = (struct task_struct___sf *)bpf_get_current_task_btf();
	__u64 w[2];

	w[0] = *(__u64 *)&t->comm[0];
	w[1] = *(__u64 *)&t->comm[8];
	__builtin_memcpy(to, w, sizeof(w));
}

static __always_inline void sf_count_flow(struct sf_flow_key *fk, __u32 verdict, enum sf_path path,
					  __u64 now, struct sf_totals *t)
{
	struct sf_flow *f = bpf_map_lookup_elem(&sf_flows, fk);

	if (!f) {
		struct sf_flow fresh = {.first_ns = now};

		/* EEXIST means another CPU inserted it first: fine. */
		bpf_map_update_elem(&sf_flows, fk, &fresh, BPF_NOEXIST);
		f = bpf_map_lookup_elem(&sf_flows, fk);
		if (!f) {
			if (t)
				t->flows_lost++;
			return;
		}
	}
	sf_count(&f->c, verdict, path);
	f->last_ns = now;
	if (path == SF_PATH_CONNECT) {
		f->last_pid = bpf_get_current_pid_tgid() >> 32;
		sf_current_comm(f->last_comm);
	}
}

static __always_inline void sf_count_rule(struct sf_rule_key *key, __u32 verdict, enum sf_path path)
{
	struct sf_counters *c = bpf_map_lookup_elem(&sf_rule_stats, key);

	if (!c) {
		struct sf_counters zero = {};

		bpf_map_update_elem(&sf_rule_stats, key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&sf_rule_stats, key);
		if (!c)
			return;
	}
	sf_count(c, verdict, path);
}

static __always_inline void sf_emit_event(const struct sf_flow_key *fk,
					  const struct sf_rule_key *key, __u32 verdict,
					  const struct sf_identity *who, enum sf_path path,
					  const __u8 *saddr, __u64 now, struct sf_totals *t)
{
	struct sf_event *e = bpf_ringbuf_reserve(&sf_events, sizeof(*e), 0);

	if (!e) {
		if (t)
			t->events_lost++;
		return;
	}
	e->ts_ns = now;
	e->cgroup_id = fk->cgroup_id;
	e->rule_id = key->id;
	e->uid = who->uid;
	e->gid = who->gid;
	e->rule_kind = key->kind;
	e->verdict = verdict;
	e->family = fk->family;
	e->dport = fk->dport;
	__builtin_memcpy(e->daddr, fk->daddr, sizeof(e->daddr));
	if (path == SF_PATH_FORWARDED) {
		/* Softirq context: the current task has nothing to do with it. */
		e->pid = 0;
		e->tid = 0;
		e->flags = SF_EVENT_FORWARDED;
		__builtin_memset(e->comm, 0, sizeof(e->comm));
		__builtin_memcpy(e->saddr, saddr, sizeof(e->saddr));
	} else {
		__u64 pid_tgid = bpf_get_current_pid_tgid();

		e->pid = pid_tgid >> 32;
		e->tid = (__u32)pid_tgid;
		e->flags = path == SF_PATH_BYPASS ? SF_EVENT_BYPASS : 0;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		__builtin_memset(e->saddr, 0, sizeof(e->saddr));
	}
	/* A redirected attempt is mail flowing as it should, possibly at every
	 * connect: its event does not wake the daemon (the wakeup is most of
	 * its cost), which collects it on its next tick or client request. */
	bpf_ringbuf_submit(e, verdict == SF_VERDICT_REDIRECTED ? BPF_RB_NO_WAKEUP : 0);
	if (t)
		t->events++;
}

/* Counts and reports an attempt decided by rule r in slot `slot` (key
 * names it; NULL r means no rule at all) and returns the verdict. Allowed
 * attempts that came the normal way are counted only; the rest are also
 * reported. */
static __always_inline __u32 sf_judge(struct sf_flow_key *fk, struct sf_rule_key *key,
				      struct sf_rule *r, __u32 slot, const struct sf_identity *who,
				      enum sf_path path, const __u8 *saddr, struct sf_totals *t)
{
	__u64 now = bpf_ktime_get_boot_ns();
	__u32 verdict =
		key->kind == SF_KIND_EXEMPT ? SF_VERDICT_ALLOWED : sf_verdict_of(r, slot, now);

	/* Only the connect hook can rewrite a destination: a SYN judged by a
	 * backstop is past redirecting, and implicit TLS cannot be redirected
	 * (the relay's certificate is not the one asked for). Both are denied. */
	if (verdict == SF_VERDICT_REDIRECTED &&
	    (path != SF_PATH_CONNECT || fk->dport == bpf_htons(SF_PORT_SMTPS)))
		verdict = SF_VERDICT_DENIED;
	if (t) {
		sf_count(&t->c, verdict, path);
		if (path == SF_PATH_FORWARDED)
			t->forwarded++;
	}
	sf_count_flow(fk, verdict, path, now, t);
	sf_count_rule(key, verdict, path);
	if (verdict != SF_VERDICT_ALLOWED || path == SF_PATH_BYPASS)
		sf_emit_event(fk, key, verdict, who, path, saddr, now, t);
	return verdict;
}

static __always_inline int sf_verdict_passes(__u32 verdict)
{
	return verdict == SF_VERDICT_ALLOWED || verdict == SF_VERDICT_LOGGED ||
	       verdict == SF_VERDICT_REDIRECTED;
}

#endif /* SF_JUDGE_BPF_H */
