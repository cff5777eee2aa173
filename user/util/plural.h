/* SPDX-License-Identifier: GPL-2.0-only */
/* "1 rule", "2 rules": a count and its noun, in English. */
#ifndef SF_PLURAL_H
#define SF_PLURAL_H

#include <stddef.h>

/* one when n is 1, else many. */
static inline const char *sf_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

#endif /* SF_PLURAL_H */
