/* SPDX-License-Identifier: GPL-2.0-only */
/* The rules each drop-in gave when it was last parsed, kept in RUN_DIR so
 * that a change does not parse 100,000 unchanged lines again. An entry
 * stands for its file only while the file's device, inode, size, mtime and
 * ctime are all still the same; it is recorded only when they were the
 * same before and after the parse and the file had not changed for a
 * second (a change within the clock's granularity could not be told from
 * the stat). The whole cache stands for this binary only (its struct
 * layouts): another build's file is ignored, and so is a damaged one (a
 * checksum over all of it). */
#ifndef SF_PARSE_CACHE_H
#define SF_PARSE_CACHE_H

#include "policy/policy.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define SF_PARSE_CACHE_FILE "config.cache"

struct sf_parse_cache_file; /* one drop-in's entry, inside the buffer */

struct sf_parse_cache {
	char *buf; /* the file, read whole */
	size_t len;
	const struct sf_parse_cache_file **files; /* sorted by path */
	size_t n_files;
};

/* An empty cache when path cannot be read or is not this binary's. */
void sf_parse_cache_load(const char *path, struct sf_parse_cache *pc);
void sf_parse_cache_free(struct sf_parse_cache *pc);
/* Adds the rules the cache holds for the drop-in at path, unchanged since
 * (st), to p: true, or false when it holds none for it (parse it). */
bool sf_parse_cache_take(const struct sf_parse_cache *pc, const char *path, const struct stat *st,
			 struct sf_policy *p);
/* Hands the cache's buffer to p when rules were taken from it (their
 * texts live there). */
void sf_parse_cache_keep(struct sf_parse_cache *pc, struct sf_policy *p);
/* Whether a drop-in parsed now may be recorded: stat before and after the
 * parse the same, and older than a second. */
bool sf_parse_cache_stable(const struct stat *before, const struct stat *after);

/* One drop-in as loaded: its rules are p->rules[first, first + n). */
struct sf_parse_span {
	const char *path;
	struct stat st;
	size_t first, n;
	bool ok;     /* parsed clean and stable, or taken from the cache */
	bool cached; /* taken from the cache */
};

/* Drop-ins parsed now and ok hold at least this many rules: written. Fewer
 * are parsed again each time (cheaper than writing all the rest again). */
#define SF_PARSE_CACHE_FRESH 1024

/* Writes the drop-ins whose spans are ok (tmp + rename). */
int sf_parse_cache_save(const char *path, const struct sf_policy *p,
			const struct sf_parse_span *spans, size_t n);

#endif /* SF_PARSE_CACHE_H */
