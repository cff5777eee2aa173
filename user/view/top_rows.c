// SPDX-License-Identifier: GPL-2.0-only
#include "view/top_rows.h"
#include "policy/parse.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

const char *const sf_top_sort_names[SF_TOP_SORT_COUNT + 1] = {
	"attempts", "denied", "limited", "total", "last", "tenant", NULL,
};

double sf_top_rate(__u64 now, __u64 before, double dt)
{
	return now > before && dt > 0 ? (double)(now - before) / dt : 0.0;
}

void sf_top_row_rates(struct sf_top_row *r, const struct sf_tenant_sum *s,
		      const struct sf_tenant_set *prev, double dt)
{
	const struct sf_counters zero = {0};
	const struct sf_tenant_sum *old;
	const struct sf_counters *b;

	memset(r, 0, sizeof(*r));
	r->sum = s;
	if (!prev)
		return;
	old = sf_tenant_set_find(prev, s->tenant, 0);
	b = old ? &old->c : &zero;
	r->has_rate = true;
	r->attempts_s = sf_top_rate(s->c.attempts, b->attempts, dt);
	r->denied_s = sf_top_rate(s->c.denied, b->denied, dt);
	r->limited_s = sf_top_rate(s->c.limited, b->limited, dt);
}

static double key_of(const struct sf_top_row *r, enum sf_top_sort s)
{
	switch (s) {
	case SF_TOP_SORT_DENIED:
		return r->denied_s;
	case SF_TOP_SORT_LIMITED:
		return r->limited_s;
	case SF_TOP_SORT_TOTAL:
		return (double)r->sum->c.attempts;
	case SF_TOP_SORT_LAST:
		return (double)r->sum->last_ns;
	default:
		return r->attempts_s;
	}
}

struct order {
	enum sf_top_sort sort;
	bool reverse;
};

/* Largest first (names: A to Z); ties by total attempts, then name. */
static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct sf_top_row *x = a, *y = b;
	const struct order *o = arg;
	int c = 0;

	if (o->sort == SF_TOP_SORT_TENANT) {
		c = strcmp(x->sum->tenant, y->sum->tenant);
	} else {
		double kx = key_of(x, o->sort), ky = key_of(y, o->sort);

		if (kx != ky)
			c = kx > ky ? -1 : 1;
		else if (x->sum->c.attempts != y->sum->c.attempts)
			c = x->sum->c.attempts > y->sum->c.attempts ? -1 : 1;
		else
			c = strcmp(x->sum->tenant, y->sum->tenant);
	}
	return o->reverse ? -c : c;
}

void sf_top_rows_sort(struct sf_top_row *v, size_t n, enum sf_top_sort sort, bool reverse)
{
	struct order o = {sort, reverse};

	qsort_r(v, n, sizeof(*v), cmp_rows, &o);
}

const char *sf_top_row_action(const struct sf_top_row *r)
{
	if (r->quarantined)
		return "quarantined";
	return r->action == SF_ACT_NONE ? "-" : sf_action_name(r->action);
}

void sf_top_sparkline(const float *v, size_t n, size_t width, bool utf8, char *buf, size_t len)
{
	static const char *const blocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
					     "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[] = ".:-=+*#@";
	size_t first = n > width ? n - width : 0, o = 0;
	float max = 0;

	for (size_t i = first; i < n; i++)
		if (v[i] > max)
			max = v[i];
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < width && o + 4 < len; i++) {
		/* the newest point at the right edge; fewer points: blanks first */
		long at = (long)n - (long)width + (long)i;
		int level;

		if (at < 0 || v[at] <= 0 || max <= 0) {
			buf[o++] = ' ';
			continue;
		}
		level = (int)(v[at] / max * 7.999f);
		if (utf8)
			o += (size_t)snprintf(buf + o, len - o, "%s", blocks[level]);
		else
			buf[o++] = ascii[level];
	}
	if (o < len)
		buf[o] = '\0';
}
