// SPDX-License-Identifier: GPL-2.0-only
/* A policy change in generations. Every map the judge reads holds two
 * slots; the judge reads the generation once per attempt and looks only at
 * its slot. A change writes the slot nobody reads (after a grace period,
 * so that no attempt of the generation before is still running), then flips
 * the generation in one store: each attempt meets the old policy or the new
 * one, whole. Only what differs is written. A change that fails or is
 * killed before the flip was never visible; the journal beside the
 * generation lets the next change or start tell and resolve it. */
#include "policy/sync.h"
#include "policy/rules_read.h"
#include "policy/sync_lpm.h"
#include "policy/sync_cache.h"
#include "kernel/gen.h"
#include "util/log.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BATCH 4096
/* More rules differ than this: the whole table is read back in batches
 * (cheaper than a lookup each). */
#define DELTA_MAX 4096

static bool same_rule(const struct sf_rule_at *a, const struct sf_rule_at *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static __u64 boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* A limit rule that is new or changed starts with a full bucket. */
static void fresh_bucket(struct sf_rule *v, const struct sf_rule_at *at)
{
	v->tokens = at->burst * at->period_ns;
	v->last_ns = boot_ns();
}

/* What the rules map needs for the next slot: entries written (in place
 * when they exist) and entries deleted (no rule in either slot). */
struct rules_plan {
	struct sf_rule_key *wkeys;
	struct sf_rule *wvals;
	bool *fresh; /* the write starts the bucket anew */
	size_t nw;
	struct sf_rule_key *dkeys;
	size_t nd;
	struct sf_rule_key *gone; /* rules of the live slot only: freed after */
	size_t ngone;
	size_t final; /* entries once the plan is applied */
};

static void plan_add_write(struct rules_plan *p, const struct sf_rule_key *k,
			   const struct sf_rule *v, bool fresh)
{
	p->fresh[p->nw] = fresh;
	p->wkeys[p->nw] = *k;
	p->wvals[p->nw++] = *v;
}

static void plan_both(struct rules_plan *p, const struct sf_compiled_rule *w,
		      const struct sf_kernel_rule *h, __u32 live, struct sf_sync_stats *st)
{
	const struct sf_rule_at *cur = &h->value.at[live];
	struct sf_rule v = h->value;

	p->final++;
	if (cur->action == SF_ACT_NONE)
		st->added++;
	else if (same_rule(cur, &w->value))
		st->kept++;
	else
		st->changed++;
	if (same_rule(&h->value.at[live ^ 1], &w->value))
		return;
	bool fresh = w->value.action == SF_ACT_LIMIT && !same_rule(cur, &w->value);

	v.at[live ^ 1] = w->value;
	if (fresh)
		fresh_bucket(&v, &w->value);
	plan_add_write(p, &w->key, &v, fresh);
}

static void plan_gone(struct rules_plan *p, const struct sf_kernel_rule *h, __u32 live,
		      struct sf_sync_stats *st)
{
	struct sf_rule v = h->value;

	if (h->value.at[live].action == SF_ACT_NONE) {
		p->dkeys[p->nd++] = h->key; /* in no slot that anyone reads */
		return;
	}
	p->final++;
	st->removed++;
	p->gone[p->ngone++] = h->key;
	if (h->value.at[live ^ 1].action == SF_ACT_NONE)
		return;
	memset(&v.at[live ^ 1], 0, sizeof(v.at[0]));
	plan_add_write(p, &h->key, &v, false);
}

static int plan_rules(const struct sf_compiled_rule *want, size_t nwant,
		      const struct sf_kernel_rule *have, size_t nh, __u32 live,
		      struct rules_plan *p, struct sf_sync_stats *st)
{
	size_t i = 0, j = 0;

	memset(p, 0, sizeof(*p));
	p->wkeys = calloc(nwant + nh + 1, sizeof(*p->wkeys));
	p->wvals = calloc(nwant + nh + 1, sizeof(*p->wvals));
	p->dkeys = calloc(nh + 1, sizeof(*p->dkeys));
	p->gone = calloc(nh + 1, sizeof(*p->gone));
	p->fresh = calloc(nwant + nh + 1, sizeof(*p->fresh));
	if (!p->wkeys || !p->wvals || !p->dkeys || !p->gone || !p->fresh)
		return -ENOMEM;
	while (i < nwant || j < nh) {
		int c = i == nwant ? 1 : j == nh ? -1 : sf_rule_key_cmp(&want[i].key, &have[j].key);

		if (c < 0) {
			struct sf_rule v = {};

			v.at[live ^ 1] = want[i].value;
			fresh_bucket(&v, &want[i].value);
			plan_add_write(p, &want[i].key, &v, true);
			p->final++;
			st->added++;
			i++;
		} else if (c > 0) {
			plan_gone(p, &have[j++], live, st);
		} else {
			plan_both(p, &want[i++], &have[j++], live, st);
		}
	}
	return 0;
}

static void plan_free(struct rules_plan *p)
{
	free(p->wkeys);
	free(p->wvals);
	free(p->dkeys);
	free(p->gone);
	free(p->fresh);
}

/* Entries of no rule in either slot. A program that found one just before
 * reads NONE in its slot, and so does one that finds the memory reused by
 * an entry inserted later (which has no rule in the live slot either). */
static int delete_rules(const struct sf_maps *m, const struct sf_rule_key *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (bpf_map_delete_elem(m->rules, &k[i]) && errno != ENOENT)
			return -errno;
		bpf_map_delete_elem(m->rule_stats, &k[i]);
	}
	return 0;
}

/* Deletes first (room for what comes), then writes: in place under the
 * entry's lock (BPF_F_LOCK), so that the slot being read keeps its bytes
 * and no element is ever replaced under a reader. */
static int write_rules(int fd, struct sf_rule_key *keys, struct sf_rule *vals, size_t n)
{
	for (size_t off = 0; off < n;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_F_LOCK);
		__u32 count = (__u32)(n - off < BATCH ? n - off : BATCH);

		if (bpf_map_update_batch(fd, keys + off, vals + off, &count, &opts))
			return -errno;
		off += count;
	}
	return 0;
}

/* A limit rule's bucket as the kernel has it now: it ran on since the
 * table was read (the write copies the whole entry). */
static void refresh_bucket(int fd, const struct sf_rule_key *k, struct sf_rule *v)
{
	struct sf_rule now;

	if (!bpf_map_lookup_elem_flags(fd, k, &now, BPF_F_LOCK)) {
		v->tokens = now.tokens;
		v->last_ns = now.last_ns;
	}
}

static int apply_rules(const struct sf_maps *m, struct rules_plan *p, __u32 live)
{
	int err = delete_rules(m, p->dkeys, p->nd);

	for (size_t i = 0; i < p->nw; i++)
		if (!p->fresh[i] && p->wvals[i].at[live].action == SF_ACT_LIMIT)
			refresh_bucket(m->rules, &p->wkeys[i], &p->wvals[i]);
	return err ? err : write_rules(m->rules, p->wkeys, p->wvals, p->nw);
}

/* Once nobody reads the old slot: what was written for the new one is
 * copied into it, so that the next change writes only what it changes;
 * removed rules give their room back. A limit rule's bucket is read again
 * first (it ran on since the prepare). Needs no journal: a change cut
 * short here leaves slots the next change writes again. */
static int collapse(const struct sf_maps *m, struct rules_plan *p, __u32 was_live)
{
	size_t k = 0;

	for (size_t i = 0; i < p->nw; i++) {
		struct sf_rule *v = &p->wvals[i];

		if (v->at[was_live ^ 1].action == SF_ACT_NONE)
			continue; /* removed: deleted below */
		if (v->at[was_live ^ 1].action == SF_ACT_LIMIT)
			refresh_bucket(m->rules, &p->wkeys[i], v);
		v->at[was_live] = v->at[was_live ^ 1];
		p->wkeys[k] = p->wkeys[i];
		p->wvals[k++] = *v;
	}
	int err = write_rules(m->rules, p->wkeys, p->wvals, k);

	return err ? err : delete_rules(m, p->gone, p->ngone);
}

/* An array's elements are 8 bytes apart (the value size rounded up). */
#define PORT_STRIDE (sizeof(__u64) / sizeof(__u32))

/* Ports: bit `next` of each value is set to the policy's, bit `live` kept;
 * each changed value is one aligned store into the mapped array. */
static int sync_ports(int fd, const uint8_t *bm, __u32 live)
{
	size_t len = SF_PORT_SLOTS * sizeof(__u64);
	__u32 *v = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), next = live ^ 1;

	if (v == MAP_FAILED)
		return -errno;
	for (__u32 port = 0; port < SF_PORT_SLOTS; port++) {
		__u32 *at = &v[port * PORT_STRIDE];
		bool on = port && (bm[port / 8] & (1U << (port % 8)));
		__u32 cur = __atomic_load_n(at, __ATOMIC_RELAXED);
		__u32 want = (cur & SF_SLOT_BIT(live)) | (on ? SF_SLOT_BIT(next) : 0);

		if (cur != want)
			__atomic_store_n(at, want, __ATOMIC_RELEASE);
	}
	munmap(v, len);
	return 0;
}

static int sync_tries(const struct sf_maps *m, const struct sf_compiled *c, __u32 live)
{
	int err =
		sf_sync_exempt(m->exempt4, c->exempt4, c->n_exempt4, sizeof(struct sf_lpm4), live);

	if (!err)
		err = sf_sync_exempt(m->exempt6, c->exempt6, c->n_exempt6, sizeof(struct sf_lpm6),
				     live);
	if (!err)
		err = sf_sync_sources(m->source4, c->source4, c->source4_val, c->n_source4,
				      sizeof(struct sf_lpm4), live);
	if (!err)
		err = sf_sync_sources(m->source6, c->source6, c->source6_val, c->n_source6,
				      sizeof(struct sf_lpm6), live);
	return err;
}

/* Writes everything of the next slot; nothing of it is visible yet. */
static int prepare(const struct sf_maps *m, const struct sf_compiled *c, __u32 live,
		   struct rules_plan *p)
{
	__u32 next = live ^ 1;
	int err = bpf_map_update_elem(m->settings, &next, &c->settings, BPF_ANY) ? -errno : 0;

	if (!err)
		err = sync_ports(m->ports, c->ports, live);
	if (!err)
		err = sync_tries(m, c, live);
	if (!err)
		err = apply_rules(m, p, live);
	return err;
}

static void *grace_thread(void *arg)
{
	*(int *)arg = sf_grace_period();
	return NULL;
}

static bool recover(struct sf_gen_map *gm)
{
	__u32 pid = gm->g->pid;
	__u64 target = gm->g->target;
	bool completed;

	if (!sf_gen_recover(gm, &completed))
		return false;
	if (completed)
		sf_warn("a policy change (generation %llu, by pid %u) was interrupted after it "
			"was prepared: completed",
			(unsigned long long)target, pid);
	else
		sf_warn("a policy change (generation %llu, by pid %u) was interrupted before it "
			"was visible: rolled back, the kernel kept generation %llu",
			(unsigned long long)target, pid, (unsigned long long)gm->g->gen);
	return true;
}

static int check_room(int fd, const struct rules_plan *p, size_t untouched)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (p->final + untouched <= info.max_entries)
		return 0;
	sf_err("the rule table has room for %u entries and this change needs %zu (the old and "
	       "the new rules are held together until the change is visible): nothing was "
	       "changed; raise max_rules and run 'smtpfence unload' and 'smtpfence run'",
	       info.max_entries, p->final + untouched);
	return -E2BIG;
}

/* The rules of the kernel and of c that differ, from the cache of what
 * the kernel holds: the compiled side of each in *want, the kernel's entry
 * (read now: its bucket) in *have, both sorted; *same counts the rest.
 * -ERANGE: more than DELTA_MAX differ. */
static int delta_of(int fd, const struct sf_sync_cache *sc, const struct sf_compiled *c,
		    struct sf_compiled_rule **want, size_t *nw, struct sf_kernel_rule **have,
		    size_t *nh, size_t *same)
{
	size_t i = 0, j = 0, cap = 16;

	*nw = *nh = *same = 0;
	*want = malloc(cap * sizeof(**want));
	*have = malloc(cap * sizeof(**have));
	if (!*want || !*have)
		return -ENOMEM;
	while (i < sc->n_rules || j < c->n_rules) {
		const struct sf_compiled_rule *w = j < c->n_rules ? &c->rules[j] : NULL;
		const struct sf_cached_rule *k = i < sc->n_rules ? &sc->rules[i] : NULL;
		int cmp = !k ? 1 : !w ? -1 : sf_rule_key_cmp(&k->key, &w->key);
		const struct sf_rule_key *key = cmp > 0 ? &w->key : &k->key;

		i += cmp <= 0;
		j += cmp >= 0;
		if (!cmp && same_rule(&k->value, &w->value)) {
			(*same)++;
			continue;
		}
		if (*nw + *nh >= 2 * DELTA_MAX)
			return -ERANGE;
		if (*nw == cap || *nh == cap) {
			struct sf_compiled_rule *a = realloc(*want, 2 * cap * sizeof(*a));
			struct sf_kernel_rule *b = a ? realloc(*have, 2 * cap * sizeof(*b)) : NULL;

			if (a)
				*want = a;
			if (b)
				*have = b;
			if (!a || !b)
				return -ENOMEM;
			cap *= 2;
		}
		if (cmp >= 0)
			(*want)[(*nw)++] = *w;
		(*have)[*nh].key = *key;
		if (!bpf_map_lookup_elem_flags(fd, key, &(*have)[*nh].value, BPF_F_LOCK))
			(*nh)++;
		else if (errno != ENOENT)
			return -errno;
	}
	return 0;
}

/* One rule added, nothing else different, its key in no entry: the entry
 * goes in whole with the rule in both slots, and no flip or grace period
 * is needed. A program finds no entry (the old policy) or the whole new
 * one (the new policy), and it looks each key up once per attempt: every
 * attempt meets the old policy or the new one. 1: done this way, 2:
 * nothing differs, 0: not such a change, or -errno (nothing changed). */
static int add_alone(const struct sf_maps *m, struct sf_gen_map *gm, const struct sf_sync_cache *sc,
		     const struct sf_compiled *c, const struct sf_compiled_rule *want, size_t nw,
		     size_t nh, const char *cache, struct sf_sync_stats *st)
{
	struct sf_rule v = {};
	int err;

	if (nw > 1 || nh || !sf_sync_cache_same_rest(sc, c))
		return 0;
	if (!nw) { /* nothing differs: nothing to write */
		st->kept = sc->n_rules;
		return 2;
	}
	v.at[0] = v.at[1] = want->value;
	fresh_bucket(&v, &want->value);
	/* The touch alone makes the cache stale; the file goes too. */
	sf_sync_cache_drop(cache);
	sf_gen_touch(gm);
	err = bpf_map_update_elem(m->rules, &want->key, &v, BPF_NOEXIST) ? -errno : 0;
	if (err) {
		sf_err("failed to add the rule: %s%s; nothing was changed", strerror(-err),
		       err == -E2BIG ? " (rule table is full)" : "");
		return err;
	}
	st->added = 1;
	st->kept = sc->n_rules;
	return 1;
}

/* Plans from the cache: 1 when it is done already (a rule added alone, or
 * nothing differs), 0 when planned in *p (*same: the entries left as they
 * are), -ERANGE when many rules differ (plan from the table), or -errno. */
static int plan_delta(const struct sf_maps *m, struct sf_gen_map *gm,
		      const struct sf_sync_cache *sc, const struct sf_compiled *c,
		      const char *cache, struct rules_plan *p, size_t *same,
		      struct sf_sync_stats *st)
{
	struct sf_compiled_rule *want = NULL;
	struct sf_kernel_rule *have = NULL;
	size_t nw = 0, nh = 0;
	int err = delta_of(m->rules, sc, c, &want, &nw, &have, &nh, same);

	if (!err)
		err = add_alone(m, gm, sc, c, want, nw, nh, cache, st);
	if (err == 1) {
		int left = sf_sync_cache_save(cache, m, gm->g, c);

		if (left) /* the rule is in force: only the next change is slower */
			sf_warn("failed to write %s: %s", cache, strerror(-left));
	} else if (!err) {
		err = plan_rules(want, nw, have, nh, SF_SLOT(gm->g->gen), p, st);
		st->kept += *same;
	}
	free(want);
	free(have);
	return err;
}

int sf_sync(const struct sf_maps *m, const struct sf_compiled *c, struct sf_sync_stats *st)
{
	return sf_sync_cached(m, c, NULL, st);
}

int sf_sync_cached(const struct sf_maps *m, const struct sf_compiled *c, const char *cache,
		   struct sf_sync_stats *st)
{
	struct sf_kernel_rule *have = NULL;
	struct sf_sync_cache sc = {};
	struct sf_gen_map gm = {};
	struct rules_plan plan = {};
	pthread_t grace;
	int err, grace_err = 0;
	bool waiting = false;
	size_t nh = 0, same = 0;
	bool delta;
	__u32 live;

	memset(st, 0, sizeof(*st));
	err = sf_gen_map(m->gen, &gm);
	if (err) {
		sf_err("failed to map %s: %s", SF_MAP_GEN, strerror(-err));
		return err;
	}
	delta = !recover(&gm) && cache && sf_gen_quiet(&gm) &&
		!sf_sync_cache_load(cache, m, gm.g, &sc);
	live = SF_SLOT(gm.g->gen);
	/* The grace period, when one is needed, runs while the change is
	 * planned. */
	if (!sf_gen_quiet(&gm)) {
		waiting = !pthread_create(&grace, NULL, grace_thread, &grace_err);
		if (!waiting)
			grace_err = sf_grace_period();
	}
	err = delta ? plan_delta(m, &gm, &sc, c, cache, &plan, &same, st) : -ERANGE;
	if (err > 0) {
		err = 0;
		goto out;
	}
	if (err == -ERANGE) {
		plan_free(&plan);
		memset(st, 0, sizeof(*st));
		same = 0;
		err = sf_rules_dump_raw(m->rules, &have, &nh);
		if (!err)
			err = plan_rules(c->rules, c->n_rules, have, nh, live, &plan, st);
	}
	if (!err)
		err = check_room(m->rules, &plan, same);
	if (waiting)
		pthread_join(grace, NULL);
	if (!err && grace_err) {
		err = grace_err;
		sf_err("failed to wait for the programs of the previous generation: %s",
		       strerror(-err));
	}
	if (err)
		goto out;
	if (cache) /* sf_gen_begin alone makes it stale; the file goes too */
		sf_sync_cache_drop(cache);
	sf_gen_begin(&gm);
	err = prepare(m, c, live, &plan);
	if (err) {
		sf_gen_abort(&gm);
		sf_err("failed to prepare the policy change: %s%s; nothing was changed",
		       strerror(-err), err == -E2BIG ? " (rule table is full)" : "");
		goto out;
	}
	sf_gen_commit(&gm);
	/* The grace period of this change, after it: the next one needs none. */
	if (!sf_grace_period()) {
		int left;

		sf_gen_set_quiet(&gm);
		left = collapse(m, &plan, live);
		if (left)
			sf_warn("failed to tidy the rule table after the change: %s (the next "
				"change does)",
				strerror(-left));
		else if (cache && (left = sf_sync_cache_save(cache, m, gm.g, c)))
			sf_warn("failed to write %s: %s (the next change reads the kernel's "
				"table)",
				cache, strerror(-left));
	}
out:
	plan_free(&plan);
	free(have);
	sf_sync_cache_free(&sc);
	sf_gen_unmap(&gm);
	return err;
}
