// SPDX-License-Identifier: GPL-2.0-only
#include "policy/journal.h"
#include "util/log.h"
#include "util/mkdirs.h"
#include "util/write_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STAGED	    ".sf-new"
#define JOURNAL	    "change.journal"
#define JOURNAL_NEW "change.journal.new"
#define END	    "end"

/* Up to this many files are flushed one by one (fsync); a larger change
 * flushes each file system once (syncfs), whatever else it holds dirty. */
#define FSYNC_MAX 32

static int staged_name(const char *path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s" STAGED, path);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The journal: each entry as two lines (staged name, file), then "end". */
static int write_journal(const char *path, const struct sf_journal_entry *e, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return -errno;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s" STAGED "\n%s\n", e[i].path, e[i].path);
	fprintf(f, END "\n");
	if (fclose(f))
		return -errno;
	err = sf_write_file(path, buf, len, false);
	free(buf);
	return err;
}

/* Makes a new file's directory, and flushes each directory's file system
 * once, so that the commit point never comes before the data. */
static int prepare_dirs(const struct sf_journal_entry *e, size_t n, bool sync_them, size_t *at)
{
	char prev[PATH_MAX] = "";

	for (size_t i = 0; i < n; i++) {
		*at = i;
		char dir[PATH_MAX];
		int err;

		snprintf(dir, sizeof(dir), "%s", e[i].path);
		dirname(dir);
		if (!strcmp(dir, prev))
			continue;
		snprintf(prev, sizeof(prev), "%s", dir);
		if (!sync_them) {
			struct stat st;

			/* Made only when missing: a read-only one is said by the write. */
			err = stat(dir, &st) ? sf_mkdirs(dir, 0755) : 0;
			if (err)
				return err;
		} else {
			int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (fd < 0 || syncfs(fd)) {
				err = -errno;
				if (fd >= 0)
					close(fd);
				return err;
			}
			close(fd);
		}
	}
	return 0;
}

/* Each staged file of the journal at path: renamed over its file
 * (forward) or removed. */
static int replay(const char *path, bool forward)
{
	FILE *f = fopen(path, "re");
	char *staged = NULL, *target = NULL;
	size_t c1 = 0, c2 = 0;
	int err = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (getline(&staged, &c1, f) > 0) {
		size_t n = strlen(staged), k = strlen(STAGED);

		staged[n - 1] = '\0';
		if (!strcmp(staged, END) || getline(&target, &c2, f) <= 0)
			break;
		target[strlen(target) - 1] = '\0';
		/* A line cut short by a kill names no staged file: never remove it. */
		if (n - 1 <= k || strcmp(staged + n - 1 - k, STAGED))
			break;
		if (forward && rename(staged, target) && errno != ENOENT && !err)
			err = -errno;
		if (!forward && unlink(staged) && errno != ENOENT && !err)
			err = -errno;
	}
	free(staged);
	free(target);
	fclose(f);
	if (!err && unlink(path))
		err = -errno;
	return err ? err : 1;
}

static void discard(const char *journal_new, const struct sf_journal_entry *e, size_t n)
{
	char staged[PATH_MAX];

	for (size_t i = 0; i < n; i++)
		if (!staged_name(e[i].path, staged, sizeof(staged)))
			unlink(staged);
	unlink(journal_new);
}

int sf_journal_commit(const char *dir, const struct sf_journal_entry *e, size_t n,
		      int (*between)(void *arg), void *arg)
{
	char journal[PATH_MAX], journal_new[PATH_MAX], staged[PATH_MAX];
	size_t at = 0;
	int err;

	snprintf(journal, sizeof(journal), "%s/" JOURNAL, dir);
	snprintf(journal_new, sizeof(journal_new), "%s/" JOURNAL_NEW, dir);
	for (size_t i = 0; i < n; i++)
		if (strchr(e[i].path, '\n'))
			return -EINVAL;
	err = sf_mkdirs(dir, 0700);
	if (err)
		sf_err("failed to make %s: %s", dir, strerror(-err));
	if (!err && (err = prepare_dirs(e, n, false, &at)))
		sf_err("failed to write %s: %s", e[at].path, strerror(-err));
	/* The list first: a kill while staging leaves files recovery finds. */
	if (!err && (err = write_journal(journal_new, e, n)))
		sf_err("failed to write %s: %s", journal_new, strerror(-err));
	for (size_t i = 0; i < n && !err; i++) {
		err = staged_name(e[i].path, staged, sizeof(staged));
		if (!err)
			err = sf_write_file(staged, e[i].data, e[i].len, n <= FSYNC_MAX);
		if (err)
			sf_err("failed to write %s: %s", e[i].path, strerror(-err));
	}
	if (!err && n > FSYNC_MAX && (err = prepare_dirs(e, n, true, &at)))
		sf_err("failed to flush the change to disk: %s", strerror(-err));
	if (!err && between)
		err = between(arg);
	if (!err && rename(journal_new, journal)) {
		err = -errno;
		sf_err("failed to commit %s: %s", journal, strerror(-err));
	}
	if (err) {
		discard(journal_new, e, n);
		return err;
	}
	/* Committed: a failure here is finished by the next recovery. */
	err = replay(journal, true);
	if (err < 0)
		sf_warn("the change is committed but not all in place (%s): the next "
			"command completes it",
			strerror(-err));
	return 0;
}

int sf_journal_recover(const char *dir)
{
	char path[PATH_MAX];
	int fwd, back;

	snprintf(path, sizeof(path), "%s/" JOURNAL, dir);
	fwd = replay(path, true);
	snprintf(path, sizeof(path), "%s/" JOURNAL_NEW, dir);
	back = replay(path, false);
	if (fwd < 0)
		return fwd;
	if (back < 0)
		return back;
	return fwd || back;
}
