// SPDX-License-Identifier: GPL-2.0-only
#include "view/top_trend.h"

#include <search.h>
#include <stdlib.h>
#include <string.h>

struct history {
	char *name;
	float v[SF_TOP_TREND];
	size_t n;
};

struct sf_top_trends {
	void *tree; /* tsearch tree of struct history */
};

static int cmp_history(const void *a, const void *b)
{
	return strcmp(((const struct history *)a)->name, ((const struct history *)b)->name);
}

static void free_history(void *p)
{
	struct history *h = p;

	free(h->name);
	free(h);
}

struct sf_top_trends *sf_top_trends_new(void)
{
	return calloc(1, sizeof(struct sf_top_trends));
}

void sf_top_trends_clear(struct sf_top_trends *t)
{
	tdestroy(t->tree, free_history);
	t->tree = NULL;
}

void sf_top_trends_free(struct sf_top_trends *t)
{
	if (!t)
		return;
	sf_top_trends_clear(t);
	free(t);
}

static struct history *find_or_add(struct sf_top_trends *t, const char *name)
{
	struct history key = {.name = (char *)name}, *h,
		       **slot = tfind(&key, &t->tree, cmp_history);

	if (slot)
		return *slot;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->name = strdup(name)) || !tsearch(h, &t->tree, cmp_history)) {
		if (h)
			free(h->name);
		free(h);
		return NULL;
	}
	return h;
}

void sf_top_trends_push(struct sf_top_trends *t, struct sf_top_row *r)
{
	struct history *h = find_or_add(t, r->sum->tenant);

	r->n_trend = 0;
	if (!h)
		return;
	if (r->has_rate) {
		if (h->n == SF_TOP_TREND) {
			memmove(h->v, h->v + 1, (SF_TOP_TREND - 1) * sizeof(h->v[0]));
			h->n--;
		}
		h->v[h->n++] = (float)r->attempts_s;
	}
	memcpy(r->trend, h->v, h->n * sizeof(h->v[0]));
	r->n_trend = h->n;
}
