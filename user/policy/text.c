// SPDX-License-Identifier: GPL-2.0-only
#include "policy/text.h"
#include "util/regular.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What smtpfence writes atop a drop-in it creates; the part in front of
 * the parenthesis marks the line as smtpfence's own, to rewrite. */
#define HEADER_MARK "# smtpfence drop-in, one tenant's rules ("
#define HEADER	    HEADER_MARK "last changed by smtpfence %s; comments are kept)"

static int push(struct sf_text *t, char *line)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **v = realloc(t->lines, cap * sizeof(*v));

		if (!v) {
			free(line);
			return -ENOMEM;
		}
		t->lines = v;
		t->cap = cap;
	}
	t->lines[t->n++] = line;
	return 0;
}

int sf_text_load(struct sf_text *t, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int err = 0;

	memset(t, 0, sizeof(*t));
	t->path = strdup(path);
	if (!t->path)
		return -ENOMEM;
	f = sf_fopen_regular(path);
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	t->existed = true;
	while (!err && (n = getline(&line, &cap, f)) >= 0) {
		char *copy;

		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		copy = strdup(line);
		err = copy ? push(t, copy) : -ENOMEM;
	}
	free(line);
	if (ferror(f) && !err)
		err = -EIO;
	fclose(f);
	return err;
}

/* Where an inline comment starts: a '#' after a blank, with the blanks. */
static const char *comment_of(const char *line)
{
	for (const char *p = line; (p = strchr(p, '#')); p++) {
		if (p > line && (p[-1] == ' ' || p[-1] == '\t')) {
			while (p > line && (p[-1] == ' ' || p[-1] == '\t'))
				p--;
			return p;
		}
	}
	return NULL;
}

bool sf_text_keep_comment(const char *old, const char *text, char *buf, size_t len)
{
	const char *c = comment_of(old);
	size_t skip = strspn(old, " \t");
	int n;

	/* A whole-line comment is no rule line: nothing to keep. */
	if (c && old[skip] == '#')
		c = NULL;
	n = snprintf(buf, len, "%s%s", text, c ? c : "");
	return n >= 0 && (size_t)n < len;
}

int sf_text_replace(struct sf_text *t, int line, const char *text)
{
	char buf[2048], *copy = NULL;

	if (line < 1 || (size_t)line > t->n || !t->lines[line - 1])
		return -EINVAL;
	if (text) {
		if (!sf_text_keep_comment(t->lines[line - 1], text, buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "%s", text);
		copy = strdup(buf);
		if (!copy)
			return -ENOMEM;
	}
	free(t->lines[line - 1]);
	t->lines[line - 1] = copy;
	t->dirty = true;
	return 0;
}

static bool has_rules_section(const struct sf_text *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->lines[i] && !strncmp(t->lines[i] + strspn(t->lines[i], " \t"), "[rules]", 7))
			return true;
	return false;
}

static int push_copy(struct sf_text *t, const char *line)
{
	char *copy = strdup(line);

	return copy ? push(t, copy) : -ENOMEM;
}

int sf_text_add_rule(struct sf_text *t, const char *text, const char *command)
{
	char header[256];
	int err = 0;

	if (!has_rules_section(t)) {
		snprintf(header, sizeof(header), HEADER, command);
		if (!t->n)
			err = push_copy(t, header);
		if (!err)
			err = push_copy(t, "[rules]");
	}
	if (!err)
		err = push_copy(t, text);
	if (err)
		return err;
	t->dirty = true;
	return (int)t->n;
}

int sf_text_join(const struct sf_text *t, const char *command, char **data, size_t *len)
{
	FILE *f = open_memstream(data, len);

	if (!f)
		return -errno;
	for (size_t i = 0; i < t->n; i++) {
		if (!t->lines[i])
			continue;
		if (i == 0 && !strncmp(t->lines[i], HEADER_MARK, strlen(HEADER_MARK)))
			fprintf(f, HEADER "\n", command);
		else
			fprintf(f, "%s\n", t->lines[i]);
	}
	if (fclose(f)) {
		free(*data);
		*data = NULL;
		return -errno;
	}
	return 0;
}

void sf_text_free(struct sf_text *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->path);
	memset(t, 0, sizeof(*t));
}
