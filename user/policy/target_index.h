/* SPDX-License-Identifier: GPL-2.0-only */
/* A policy's rules found by target (kind and value) in constant time: an
 * edit of 10,000 targets in a policy of 100,000 rules would otherwise
 * search the whole list 10,000 times. Built only once it pays: the first
 * few finds search the list (one edit in 100,000 rules costs less than
 * hashing them all). */
#ifndef SF_TARGET_INDEX_H
#define SF_TARGET_INDEX_H

#include "policy/policy.h"

#include <stddef.h>

struct sf_target_index {
	size_t *slots; /* rule index + 1; 0: empty */
	size_t cap, n;
	size_t finds; /* before it is built */
};

/* An index of p's rules, empty until finds make it worth building. Every
 * rule added to p afterwards is put (sf_target_index_put). */
void sf_target_index_init(struct sf_target_index *ix);
/* The rule of p on the target (the last one if there are two), or -1. */
long sf_target_index_find(struct sf_target_index *ix, const struct sf_policy *p,
			  enum sf_target_kind kind, const char *value);
/* Points the target of p->rules[idx] at idx (replacing another index). */
int sf_target_index_put(struct sf_target_index *ix, const struct sf_policy *p, size_t idx);
void sf_target_index_free(struct sf_target_index *ix);

#endif /* SF_TARGET_INDEX_H */
