/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers of the unit tests (no root, no BPF): a scratch directory, files
 * in it, and what a call wrote on stderr. */
#ifndef SFT_UNIT_H
#define SFT_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SFT_TEXT_LEN 65536

/* Makes a fresh directory under /tmp into dir (at least 64 bytes). */
static inline void sft_tmpdir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/smtpfence-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static inline void sft_rmtree(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static inline void sft_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

/* The whole file in a static buffer; "" when it does not exist. */
static inline const char *sft_read(const char *path)
{
	static char text[SFT_TEXT_LEN];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

	text[n] = '\0';
	if (f)
		fclose(f);
	return text;
}

/* What fd (stdout or stderr) gets goes to a scratch file from
 * sft_fd_begin to sft_fd_end, which returns what was written. */
static inline int sft_fd_begin(int fd)
{
	FILE *tmp = tmpfile();
	int saved = dup(fd);

	ck_assert_ptr_nonnull(tmp);
	fflush(fd == STDOUT_FILENO ? stdout : stderr);
	dup2(fileno(tmp), fd);
	fclose(tmp); /* fd keeps the file */
	return saved;
}

static inline const char *sft_fd_end(int fd, int saved)
{
	static char text[SFT_TEXT_LEN];
	ssize_t n;

	fflush(fd == STDOUT_FILENO ? stdout : stderr);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = '\0';
	dup2(saved, fd);
	close(saved);
	return text;
}

/* The same for stderr. */
static inline int sft_stderr_begin(void)
{
	return sft_fd_begin(STDERR_FILENO);
}

static inline const char *sft_stderr_end(int saved)
{
	return sft_fd_end(STDERR_FILENO, saved);
}

#endif /* SFT_UNIT_H */
