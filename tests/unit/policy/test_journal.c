// SPDX-License-Identifier: GPL-2.0-only
/* Several files changed all or none: committed, refused before the commit
 * point, and a change a kill cut short finished or undone by recovery. */
#include "policy/journal.h"
#include "suite.h"
#include "unit.h"

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static char dir[64], run[128], a[128], b[128];

static void setup(void)
{
	sft_tmpdir(dir, sizeof(dir));
	snprintf(run, sizeof(run), "%s/run", dir);
	snprintf(a, sizeof(a), "%s/rules.d/a.conf", dir);
	snprintf(b, sizeof(b), "%s/b.conf", dir);
	sft_write(b, "old b\n");
}

static void teardown(void)
{
	sft_rmtree(dir);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int refuse(void *arg)
{
	(*(int *)arg)++;
	return -EIO;
}

static int accept_it(void *arg)
{
	(*(int *)arg)++;
	return 0;
}

START_TEST(all_land)
{
	struct sf_journal_entry e[] = {{a, "new a\n", 6}, {b, "new b\n", 6}};
	char staged[160];
	int calls = 0;

	ck_assert_int_eq(sf_journal_commit(run, e, 2, accept_it, &calls), 0);
	ck_assert_int_eq(calls, 1);
	ck_assert_str_eq(sft_read(a), "new a\n");
	ck_assert_str_eq(sft_read(b), "new b\n");
	snprintf(staged, sizeof(staged), "%s.sf-new", a);
	ck_assert(!exists(staged));
	ck_assert_int_eq(sf_journal_recover(run), 0); /* nothing left to do */
}
END_TEST

START_TEST(refused_before_the_commit_changes_nothing)
{
	struct sf_journal_entry e[] = {{a, "new a\n", 6}, {b, "new b\n", 6}};
	char staged[160];
	int calls = 0;

	ck_assert_int_eq(sf_journal_commit(run, e, 2, refuse, &calls), -EIO);
	ck_assert(!exists(a));
	ck_assert_str_eq(sft_read(b), "old b\n");
	snprintf(staged, sizeof(staged), "%s.sf-new", b);
	ck_assert(!exists(staged));
	ck_assert_int_eq(sf_journal_recover(run), 0);
}
END_TEST

/* What a kill leaves: the journal committed, one rename done of two. */
START_TEST(committed_journal_is_finished)
{
	char path[160], text[512];

	mkdir(run, 0700);
	snprintf(path, sizeof(path), "%s/rules.d", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s.sf-new", b);
	sft_write(path, "new b\n");
	sft_write(a, "new a\n"); /* renamed already */
	snprintf(text, sizeof(text), "%s.sf-new\n%s\n%s.sf-new\n%s\nend\n", a, a, b, b);
	snprintf(path, sizeof(path), "%s/change.journal", run);
	sft_write(path, text);
	ck_assert_int_eq(sf_journal_recover(run), 1);
	ck_assert_str_eq(sft_read(a), "new a\n");
	ck_assert_str_eq(sft_read(b), "new b\n");
	ck_assert(!exists(path));
}
END_TEST

/* A kill while staging: the list cut short, one file staged. */
START_TEST(uncommitted_journal_is_undone)
{
	char path[160], staged[160], text[512];

	mkdir(run, 0700);
	snprintf(staged, sizeof(staged), "%s.sf-new", b);
	sft_write(staged, "new b\n");
	snprintf(text, sizeof(text), "%s\n%s\n%.20s", staged, b, a);
	snprintf(path, sizeof(path), "%s/change.journal.new", run);
	sft_write(path, text);
	ck_assert_int_eq(sf_journal_recover(run), 1);
	ck_assert_str_eq(sft_read(b), "old b\n");
	ck_assert(!exists(staged));
	ck_assert(!exists(path));
	ck_assert(exists(dir)); /* the cut line named no staged file: nothing else went */
}
END_TEST

int main(void)
{
	return sft_run_tests("journal", setup, teardown,
			     (const TTest *const[]){all_land,
						    refused_before_the_commit_changes_nothing,
						    committed_journal_is_finished,
						    uncommitted_journal_is_undone, NULL});
}
