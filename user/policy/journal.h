/* SPDX-License-Identifier: GPL-2.0-only */
/* New contents for several files, landed all or none, even when the
 * process is killed (SIGKILL) half-way: each new content goes to
 * "FILE.sf-new" first, listed in DIR/change.journal.new; the rename of that
 * list to DIR/change.journal is the commit point, after which the renames
 * over the files are done, and redone by whoever takes the lock next
 * (sf_journal_recover). Before the commit point, recovery removes the
 * temporary files: the old contents stand. Call both under the lock. */
#ifndef SF_JOURNAL_H
#define SF_JOURNAL_H

#include <stddef.h>

struct sf_journal_entry {
	const char *path;
	const char *data;
	size_t len;
};

/* Stages every entry, calls between(arg) (the kernel's sync) with all of
 * them staged, and commits unless it failed: its error is returned and
 * nothing is changed. Directories a new file needs are made (0755). A
 * file that cannot be written is said here (between says its own). */
int sf_journal_commit(const char *dir, const struct sf_journal_entry *e, size_t n,
		      int (*between)(void *arg), void *arg);
/* Completes a committed change or removes an uncommitted one's files.
 * 1: there was one (the files changed), 0: none, or a negative errno. */
int sf_journal_recover(const char *dir);

#endif /* SF_JOURNAL_H */
