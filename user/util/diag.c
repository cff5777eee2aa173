// SPDX-License-Identifier: GPL-2.0-only
#include "util/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sf_diag_add(struct sf_diag *d, const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	int n = 0;
	va_list ap;

	if (file && line > 0)
		n = snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	else if (file)
		n = snprintf(msg, sizeof(msg), "%s: ", file);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		char **v = realloc(d->msgs, cap * sizeof(*v));

		if (!v)
			return; /* out of memory: the count below still fails the run */
		d->msgs = v;
		d->cap = cap;
	}
	d->msgs[d->n] = malloc(strlen(msg) + 1);
	if (d->msgs[d->n])
		strcpy(d->msgs[d->n++], msg);
}

void sf_diag_print(const struct sf_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "%s\n", d->msgs[i]);
}

void sf_diag_free(struct sf_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = d->cap = 0;
}
