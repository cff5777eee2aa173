// SPDX-License-Identifier: GPL-2.0-only
#include "policy/dropin.h"
#include "policy/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int dropin_path(const char *rules_dir, enum sf_target_kind kind, const char *value,
		       char *buf, size_t len)
{
	char name[256];
	size_t o = 0;
	int n;

	/* A unit is its own tenant name; other kinds get their kind as prefix. */
	if (kind != SF_TARGET_UNIT)
		o = (size_t)snprintf(name, sizeof(name), "%s-", sf_target_kind_name(kind));
	for (const char *p = value; *p && o + 2 < sizeof(name); p++) {
		char ch = *p;

		if (!isalnum((unsigned char)ch) && ch != '.' && ch != '_' && ch != '@')
			ch = '-';
		if (ch == '-' && o > 0 && name[o - 1] == '-')
			continue;
		name[o++] = ch;
	}
	while (o > 0 && name[o - 1] == '-')
		o--;
	name[o] = '\0';
	n = snprintf(buf, len, "%s/%s.conf", rules_dir, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int read_all(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	*data = NULL;
	*len = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	do {
		if (n + 4096 > cap) {
			char *b = realloc(buf, cap + 65536);

			if (!b) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = b;
			cap += 65536;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

/* Copies data to out, replacing line `line` (1-based) with `repl` (or
 * dropping it when repl is NULL); line 0 appends repl at the end. */
static void rewrite(FILE *out, const char *data, size_t len, int line, const char *repl)
{
	int at = 1;
	const char *p = data, *end = data + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);

		if (at == line) {
			if (repl)
				fprintf(out, "%s\n", repl);
		} else {
			fwrite(p, 1, n, out);
			if (!nl)
				fputc('\n', out);
		}
		p += n;
		at++;
	}
	if (line == 0 && repl)
		fprintf(out, "%s\n", repl);
}

int sf_dropin_write(const char *rules_dir, const struct sf_rule_spec *where,
		    const struct sf_rule_spec *rule, struct sf_file_backup *backup)
{
	char line[1024], *out = NULL;
	size_t out_len = 0;
	FILE *f;
	int err, at = 0;
	const struct sf_rule_spec *target = where ? where : rule;

	memset(backup, 0, sizeof(*backup));
	if (where) {
		if (!strcmp(where->file, SF_EMBEDDED_FILE) && !rule)
			return -EROFS;
		if (strcmp(where->file, SF_EMBEDDED_FILE)) {
			snprintf(backup->path, sizeof(backup->path), "%s", where->file);
			at = where->line;
		}
	}
	if (!backup->path[0]) {
		err = dropin_path(rules_dir, target->kind, target->value, backup->path,
				  sizeof(backup->path));
		if (err)
			return err;
		if (mkdir(rules_dir, 0755) && errno != EEXIST)
			return -errno;
	}
	err = read_all(backup->path, &backup->data, &backup->len);
	if (err)
		return err;
	if (rule)
		sf_rule_format(rule, line, sizeof(line));
	f = open_memstream(&out, &out_len);
	if (!f)
		return -errno;
	if (!backup->data)
		fprintf(f,
			"# smtpfence drop-in, one tenant's rules (written by smtpfence %s)\n"
			"[rules]\n",
			rule ? sf_action_name(rule->action) : "unset");
	rewrite(f, backup->data ? backup->data : "", backup->len, at, rule ? line : NULL);
	if (fclose(f))
		return -errno;
	err = sf_write_atomic(backup->path, out, out_len);
	free(out);
	return err;
}

int sf_file_backup_take(const char *path, struct sf_file_backup *backup)
{
	memset(backup, 0, sizeof(*backup));
	if (strlen(path) >= sizeof(backup->path))
		return -ENAMETOOLONG;
	strcpy(backup->path, path);
	return read_all(path, &backup->data, &backup->len);
}

int sf_dropin_restore(struct sf_file_backup *backup)
{
	if (!backup->path[0])
		return 0;
	if (!backup->data)
		return unlink(backup->path) && errno != ENOENT ? -errno : 0;
	return sf_write_atomic(backup->path, backup->data, backup->len);
}

void sf_file_backup_free(struct sf_file_backup *backup)
{
	free(backup->data);
	backup->data = NULL;
}
