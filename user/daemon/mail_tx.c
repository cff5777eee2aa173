// SPDX-License-Identifier: GPL-2.0-only
#include "daemon/mail_tx.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

struct entry {
	uint64_t cookie;
	uint32_t next;	       /* in its bucket's chain */
	uint32_t older, newer; /* in the order of use */
	struct sf_mail_tx tx;
};

struct sf_mail_txs {
	struct entry *e;
	uint32_t *bucket; /* heads of the chains */
	size_t max, used, mask;
	uint32_t oldest, newest;
};

static size_t hash(uint64_t k)
{
	/* splitmix64's finalizer: cookies are sequential */
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebULL;
	k ^= k >> 31;
	return (size_t)k;
}

struct sf_mail_txs *sf_mail_txs_new(size_t max)
{
	struct sf_mail_txs *t;
	size_t n = 1;

	if (!max || max >= NONE || !(t = calloc(1, sizeof(*t))))
		return NULL;
	while (n < 2 * max)
		n <<= 1;
	t->max = max;
	t->mask = n - 1;
	t->oldest = t->newest = NONE;
	t->e = calloc(max, sizeof(*t->e));
	t->bucket = malloc(n * sizeof(*t->bucket));
	if (!t->e || !t->bucket) {
		sf_mail_txs_free(t);
		return NULL;
	}
	memset(t->bucket, 0xff, n * sizeof(*t->bucket));
	return t;
}

void sf_mail_txs_free(struct sf_mail_txs *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->bucket);
	free(t);
}

static void unlink_use(struct sf_mail_txs *t, uint32_t i)
{
	struct entry *e = &t->e[i];

	if (e->older != NONE)
		t->e[e->older].newer = e->newer;
	else
		t->oldest = e->newer;
	if (e->newer != NONE)
		t->e[e->newer].older = e->older;
	else
		t->newest = e->older;
}

static void make_newest(struct sf_mail_txs *t, uint32_t i)
{
	t->e[i].older = t->newest;
	t->e[i].newer = NONE;
	if (t->newest != NONE)
		t->e[t->newest].newer = i;
	else
		t->oldest = i;
	t->newest = i;
}

/* Takes entry i out of its bucket's chain. */
static void unlink_chain(struct sf_mail_txs *t, uint32_t i)
{
	uint32_t *p = &t->bucket[hash(t->e[i].cookie) & t->mask];

	while (*p != i)
		p = &t->e[*p].next;
	*p = t->e[i].next;
}

struct sf_mail_tx *sf_mail_txs_get(struct sf_mail_txs *t, uint64_t cookie, bool create)
{
	uint32_t *head = &t->bucket[hash(cookie) & t->mask], i;

	for (i = *head; i != NONE; i = t->e[i].next)
		if (t->e[i].cookie == cookie) {
			unlink_use(t, i);
			make_newest(t, i);
			return &t->e[i].tx;
		}
	if (!create)
		return NULL;
	if (t->used < t->max) {
		i = (uint32_t)t->used++;
	} else {
		i = t->oldest;
		unlink_use(t, i);
		unlink_chain(t, i);
	}
	memset(&t->e[i], 0, sizeof(t->e[i]));
	t->e[i].cookie = cookie;
	t->e[i].next = *head;
	*head = i;
	make_newest(t, i);
	return &t->e[i].tx;
}
