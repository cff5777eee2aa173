/* SPDX-License-Identifier: GPL-2.0-only */
/* Collected "file:line: message" problems, reported all at once. */
#ifndef SF_DIAG_H
#define SF_DIAG_H

#include <stddef.h>

struct sf_diag {
	char **msgs;
	size_t n, cap;
};

void sf_diag_add(struct sf_diag *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void sf_diag_print(const struct sf_diag *d);
void sf_diag_free(struct sf_diag *d);

#endif /* SF_DIAG_H */
