// SPDX-License-Identifier: GPL-2.0-only
/* For entry E of the trie (the longest prefix in it that holds an address):
 * the answer of slot s for that address is the answer of the longest
 * prefix of s's policy that covers E, since every prefix of that policy
 * that holds the address is in the trie, no longer than E. So each entry
 * stores, per slot, the value of the longest covering prefix of that slot's
 * policy; the live slot's value of a new entry is what its prefix resolves
 * to now. An entry in no policy whose live value equals its parent's is
 * redundant and deleted; it is never needed by the next slot. */
#include "policy/sync_lpm.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX sizeof(struct sf_lpm6)

enum { IN_TRIE = 1, IN_WANT = 2 };

struct ent {
	unsigned char key[KEY_MAX]; /* prefixlen, then the address */
	__u64 v[SF_SLOTS];	    /* as in the trie (IN_TRIE) */
	__u64 want;		    /* the next policy's value (IN_WANT) */
	unsigned int flags;
};

struct trie {
	int fd;
	size_t key_size;
	unsigned int bits;
	bool exempt; /* value: __u32 of slot bits; else struct sf_source_at */
	struct ent *e;
	size_t n;
	__u32 live;
	bool len_used[129];
};

static __u32 plen(const struct ent *e)
{
	__u32 l;

	memcpy(&l, e->key, sizeof(l));
	return l;
}

static void mask(unsigned char *key, size_t key_size, __u32 len)
{
	unsigned char *a = key + 4;
	size_t bytes = key_size - 4;

	for (size_t i = 0; i < bytes; i++) {
		size_t from = i * 8;

		if (from >= len)
			a[i] = 0;
		else if (from + 8 > len)
			a[i] &= (unsigned char)(0xff << (8 - (len - from)));
	}
	memcpy(key, &len, sizeof(len));
}

/* Keys are zero past key_size: the whole buffer compares. */
static int cmp_ent(const void *a, const void *b)
{
	return memcmp(((const struct ent *)a)->key, ((const struct ent *)b)->key, KEY_MAX);
}

static void decode(const struct trie *t, const void *val, __u64 v[SF_SLOTS])
{
	if (t->exempt) {
		__u32 bits;

		memcpy(&bits, val, sizeof(bits));
		for (int s = 0; s < SF_SLOTS; s++)
			v[s] = (bits >> s) & 1;
	} else {
		const struct sf_source_at *src = val;

		for (int s = 0; s < SF_SLOTS; s++)
			v[s] = src->rule_id[s];
	}
}

static void encode(const struct trie *t, const __u64 v[SF_SLOTS], void *val)
{
	if (t->exempt) {
		__u32 bits = 0;

		for (int s = 0; s < SF_SLOTS; s++)
			bits |= v[s] ? SF_SLOT_BIT(s) : 0;
		memcpy(val, &bits, sizeof(bits));
	} else {
		struct sf_source_at *src = val;

		for (int s = 0; s < SF_SLOTS; s++)
			src->rule_id[s] = v[s];
	}
}

static struct ent *find(const struct trie *t, const unsigned char *key)
{
	struct ent probe = {};

	memcpy(probe.key, key, t->key_size);
	return bsearch(&probe, t->e, t->n, sizeof(*t->e), cmp_ent);
}

/* The longest entry with `flags`, of length at most maxlen, covering e. */
static const struct ent *cover(const struct trie *t, const struct ent *e, long maxlen,
			       unsigned int flags)
{
	unsigned char key[KEY_MAX] = {};

	for (long len = maxlen; len >= 0; len--) {
		const struct ent *c;

		if (!t->len_used[len])
			continue;
		memcpy(key, e->key, t->key_size);
		mask(key, t->key_size, (__u32)len);
		c = find(t, key);
		if (c && (c->flags & flags))
			return c;
	}
	return NULL;
}

static int add(struct trie *t, const unsigned char *key, const void *val, __u64 want)
{
	struct ent *e;
	size_t cap = t->n + 1;

	e = realloc(t->e, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	t->e = e;
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, t->key_size);
	mask(e->key, t->key_size, plen(e) > t->bits ? t->bits : plen(e));
	if (val) {
		decode(t, val, e->v);
		e->flags = IN_TRIE;
	} else {
		e->want = want;
		e->flags = IN_WANT;
	}
	t->len_used[plen(e)] = true;
	return 0;
}

static int load(struct trie *t, const void *want, const struct sf_source *ids, size_t n)
{
	unsigned char key[KEY_MAX], next[KEY_MAX], val[sizeof(struct sf_source_at)];
	void *prev = NULL;
	size_t k = 0;
	int err = 0;

	while (!err && !bpf_map_get_next_key(t->fd, prev, next)) {
		memcpy(key, next, t->key_size);
		prev = key;
		if (bpf_map_lookup_elem(t->fd, key, val))
			continue; /* gone since: cannot happen under the lock */
		err = add(t, key, val, 0);
	}
	for (size_t i = 0; !err && i < n; i++)
		err = add(t, (const unsigned char *)want + i * t->key_size, NULL,
			  ids ? ids[i].rule_id : 1);
	if (err || !t->n)
		return err;
	/* One entry per prefix, with both origins. */
	qsort(t->e, t->n, sizeof(*t->e), cmp_ent);
	for (size_t i = 0; i < t->n; i++) {
		if (k && !memcmp(t->e[k - 1].key, t->e[i].key, t->key_size)) {
			struct ent *d = &t->e[k - 1];

			if (t->e[i].flags & IN_TRIE)
				memcpy(d->v, t->e[i].v, sizeof(d->v));
			if (t->e[i].flags & IN_WANT)
				d->want = t->e[i].want;
			d->flags |= t->e[i].flags;
			continue;
		}
		t->e[k++] = t->e[i];
	}
	t->n = k;
	return 0;
}

/* What an entry's prefix resolves to in the live slot now. */
static __u64 live_of(const struct trie *t, const struct ent *e)
{
	const struct ent *c;

	if (e->flags & IN_TRIE)
		return e->v[t->live];
	c = cover(t, e, (long)plen(e), IN_TRIE);
	return c ? c->v[t->live] : 0;
}

/* A prefix of neither policy whose live value is its parent's: gone,
 * nothing resolves differently in either slot. */
static bool redundant(const struct trie *t, const struct ent *e, const __u64 *lives)
{
	const struct ent *parent;

	if (!(e->flags & IN_TRIE) || (e->flags & IN_WANT))
		return false;
	parent = plen(e) ? cover(t, e, (long)plen(e) - 1, IN_TRIE | IN_WANT) : NULL;
	return lives[e - t->e] == (parent ? lives[parent - t->e] : 0);
}

static int apply(struct trie *t)
{
	__u64 *lives = calloc(t->n + 1, sizeof(*lives));
	bool *drop = calloc(t->n + 1, sizeof(*drop));
	unsigned char val[sizeof(struct sf_source_at)];
	__u32 next = t->live ^ 1;
	int err = lives && drop ? 0 : -ENOMEM;

	for (size_t i = 0; !err && i < t->n; i++)
		lives[i] = live_of(t, &t->e[i]);
	for (size_t i = 0; !err && i < t->n; i++)
		drop[i] = redundant(t, &t->e[i], lives);
	/* Writes: every state in between resolves the live slot as before. */
	for (size_t i = 0; !err && i < t->n; i++) {
		struct ent *e = &t->e[i];
		const struct ent *w = cover(t, e, (long)plen(e), IN_WANT);
		__u64 v[SF_SLOTS];

		v[t->live] = lives[i];
		v[next] = w ? w->want : 0;
		if (drop[i] || ((e->flags & IN_TRIE) && e->v[next] == v[next]))
			continue;
		encode(t, v, val);
		if (bpf_map_update_elem(t->fd, e->key, val, BPF_ANY))
			err = -errno;
	}
	/* Then the redundant ones. */
	for (size_t i = 0; !err && i < t->n; i++)
		if (drop[i] && bpf_map_delete_elem(t->fd, t->e[i].key) && errno != ENOENT)
			err = -errno;
	free(lives);
	free(drop);
	return err;
}

static int sync_trie(struct trie *t, const void *want, const struct sf_source *ids, size_t n)
{
	int err;

	t->bits = (unsigned int)(t->key_size - 4) * 8;
	err = load(t, want, ids, n);
	if (!err)
		err = apply(t);
	free(t->e);
	return err;
}

int sf_sync_exempt(int fd, const void *want, size_t n, size_t key_size, __u32 live)
{
	struct trie t = {.fd = fd, .key_size = key_size, .exempt = true, .live = live};

	return sync_trie(&t, want, NULL, n);
}

int sf_sync_sources(int fd, const void *want, const struct sf_source *ids, size_t n,
		    size_t key_size, __u32 live)
{
	struct trie t = {.fd = fd, .key_size = key_size, .live = live};

	return sync_trie(&t, want, ids, n);
}
