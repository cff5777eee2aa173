// SPDX-License-Identifier: GPL-2.0-only
#include "util/diag.h"
#include "util/report.h"

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
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0; /* a path longer than the line: the message alone */
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		char **v = realloc(d->msgs, cap * sizeof(*v));
		struct sf_diag_where *w;

		if (!v)
			return; /* out of memory: the count below still fails the run */
		d->msgs = v;
		w = realloc(d->where, cap * sizeof(*w));
		if (!w)
			return;
		d->where = w;
		d->cap = cap;
	}
	d->msgs[d->n] = strdup(msg);
	if (!d->msgs[d->n])
		return;
	d->where[d->n] = (struct sf_diag_where){file ? strdup(file) : NULL, line, (size_t)n};
	d->n++;
}

void sf_diag_print(const struct sf_diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct sf_diag_where *w = &d->where[i];

		fprintf(stderr, "%s\n", d->msgs[i]);
		sf_report_keep(w->file, w->line, d->msgs[i] + w->text);
	}
}

json_object *sf_diag_json(const struct sf_diag *d)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < d->n; i++) {
		const struct sf_diag_where *w = &d->where[i];

		json_object_array_add(arr,
				      sf_report_error_json(w->file, w->line, d->msgs[i] + w->text));
	}
	return arr;
}

void sf_diag_free(struct sf_diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->msgs[i]);
		free(d->where[i].file);
	}
	free(d->msgs);
	free(d->where);
	d->msgs = NULL;
	d->where = NULL;
	d->n = d->cap = 0;
}
