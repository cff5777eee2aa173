/* SPDX-License-Identifier: GPL-2.0-only */
/* Collected "file:line: message" problems, reported all at once. */
#ifndef SF_DIAG_H
#define SF_DIAG_H

#include <json-c/json.h>
#include <stddef.h>

/* Where msgs[i] is about: file (NULL: none), line (0: none), and the
 * message without its "file:line: " prefix at msgs[i] + text. */
struct sf_diag_where {
	char *file;
	int line;
	size_t text;
};

struct sf_diag {
	char **msgs; /* "file:line: message" */
	struct sf_diag_where *where;
	size_t n, cap;
};

void sf_diag_add(struct sf_diag *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Each on stderr, and kept for -j's error document (util/report.h). */
void sf_diag_print(const struct sf_diag *d);
/* Each as {"file","line","error"}, for check-config's list. */
json_object *sf_diag_json(const struct sf_diag *d);
void sf_diag_free(struct sf_diag *d);

#endif /* SF_DIAG_H */
