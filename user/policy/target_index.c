// SPDX-License-Identifier: GPL-2.0-only
#include "policy/target_index.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash(enum sf_target_kind kind, const char *value)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)kind; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)h;
}

/* The slot of the target: where it is, or the empty one it would take. */
static size_t *slot_of(const struct sf_target_index *ix, const struct sf_policy *p,
		       enum sf_target_kind kind, const char *value)
{
	size_t mask = ix->cap - 1;

	for (size_t i = hash(kind, value) & mask;; i = (i + 1) & mask) {
		size_t *s = &ix->slots[i];
		const struct sf_rule_spec *r;

		if (!*s)
			return s;
		r = &p->rules[*s - 1];
		if (r->kind == kind && !strcmp(r->value, value))
			return s;
	}
}

static int grow(struct sf_target_index *ix, const struct sf_policy *p)
{
	struct sf_target_index big = {.cap = ix->cap ? ix->cap * 2 : 64};

	big.slots = calloc(big.cap, sizeof(*big.slots));
	if (!big.slots)
		return -ENOMEM;
	for (size_t i = 0; i < ix->cap; i++) {
		size_t v = ix->slots[i];

		if (v)
			*slot_of(&big, p, p->rules[v - 1].kind, p->rules[v - 1].value) = v;
	}
	big.n = ix->n;
	free(ix->slots);
	*ix = big;
	return 0;
}

/* Finds by searching the list, before the index pays for itself. */
#define LINEAR_FINDS 8

static int insert(struct sf_target_index *ix, const struct sf_policy *p, size_t idx)
{
	const struct sf_rule_spec *r = &p->rules[idx];
	size_t *s;

	if ((ix->n + 1) * 2 > ix->cap) {
		int err = grow(ix, p);

		if (err)
			return err;
	}
	s = slot_of(ix, p, r->kind, r->value);
	if (!*s)
		ix->n++;
	*s = idx + 1;
	return 0;
}

int sf_target_index_put(struct sf_target_index *ix, const struct sf_policy *p, size_t idx)
{
	return ix->cap ? insert(ix, p, idx) : 0; /* not built: the list is searched */
}

void sf_target_index_init(struct sf_target_index *ix)
{
	memset(ix, 0, sizeof(*ix));
}

static int build(struct sf_target_index *ix, const struct sf_policy *p)
{
	size_t cap = 64;

	while (cap < p->n_rules * 2 + 2)
		cap *= 2;
	ix->slots = calloc(cap, sizeof(*ix->slots));
	if (!ix->slots)
		return -ENOMEM;
	ix->cap = cap;
	for (size_t i = 0; i < p->n_rules; i++) {
		int err = insert(ix, p, i);

		if (err) {
			sf_target_index_free(ix);
			return err;
		}
	}
	return 0;
}

long sf_target_index_find(struct sf_target_index *ix, const struct sf_policy *p,
			  enum sf_target_kind kind, const char *value)
{
	size_t *s;

	/* Out of memory for the index: the list is still there. */
	if (!ix->cap && (++ix->finds <= LINEAR_FINDS || build(ix, p))) {
		for (size_t i = p->n_rules; i-- > 0;)
			if (p->rules[i].kind == kind && !strcmp(p->rules[i].value, value))
				return (long)i;
		return -1;
	}
	s = slot_of(ix, p, kind, value);
	return *s ? (long)(*s - 1) : -1;
}

void sf_target_index_free(struct sf_target_index *ix)
{
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}
