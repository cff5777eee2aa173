/* SPDX-License-Identifier: GPL-2.0-only */
/* A configuration file as lines, edited where its rules stand: a rule line
 * replaced keeps its inline "# comment", every other line (comments too)
 * stays as written, and a drop-in's generated header says which command
 * changed it last. Line numbers are those of the file as read: a line
 * removed leaves its number unused, a line added takes the next one. */
#ifndef SF_TEXT_H
#define SF_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct sf_text {
	char *path;
	char **lines; /* without their newline; NULL: removed */
	size_t n, cap;
	bool existed; /* the file was there when read */
	bool dirty;
};

/* Reads path (absent: an empty text). */
int sf_text_load(struct sf_text *t, const char *path);
/* Replaces line `line` (1-based) with text, keeping the old line's inline
 * comment; text NULL removes the line. */
int sf_text_replace(struct sf_text *t, int line, const char *text);
/* Adds a rule line at the end, and first the header and "[rules]" of a
 * new drop-in when the text has no [rules] section. Returns its line
 * number, or a negative errno. */
int sf_text_add_rule(struct sf_text *t, const char *text, const char *command);
/* The file's new content; a drop-in's generated header names command. */
int sf_text_join(const struct sf_text *t, const char *command, char **data, size_t *len);
void sf_text_free(struct sf_text *t);

/* "old # note" and "new" give "new # note" (the comment as libinih's
 * reader cuts it: a '#' after a blank). Into buf; false: it does not fit. */
bool sf_text_keep_comment(const char *old, const char *text, char *buf, size_t len);

#endif /* SF_TEXT_H */
