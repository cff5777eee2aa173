// SPDX-License-Identifier: GPL-2.0-only
/* apply -f FILE|-: many changes, one a line as the commands type them
 * ("allow user:bob", "limit user:ann 5/min", "unset user:old"), made in
 * one change: every line applies, or none (each bad line said as
 * FILE:LINE: message, exit 2); one compile and one sync for them all. */
#include "cli/change_print.h"
#include "cli/commands.h"
#include "policy/apply_line.h"
#include "util/log.h"
#include "util/report.h"
#include "smtpfence.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct apply_opts {
	bool file; /* -f: the word is the file (as events -f, a flag for getopt) */
	bool runtime;
};

struct line_rule {
	struct sf_rule_spec rule;
	int line;
};

struct batch {
	const char *name; /* as errors name it: the path, or "-" */
	struct line_rule *v;
	size_t n, cap;
	size_t n_bad;
};

static int push(struct batch *b, const struct sf_rule_spec *r, int line)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct line_rule *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = (struct line_rule){*r, line};
	return 0;
}

/* Reads every line before the lock is taken: a slow pipe holds nothing. */
static int read_batch(FILE *f, struct batch *b)
{
	char *buf = NULL, err[SF_ERR_LEN];
	size_t cap = 0;
	int line = 0, ret = 0;

	while (!ret && getline(&buf, &cap, f) >= 0) {
		struct sf_rule_spec r;
		int got;

		line++;
		got = sf_apply_line(buf, &r, err, sizeof(err));
		if (got < 0) {
			sf_report_error(b->name, line, "%s", err);
			b->n_bad++;
		} else if (got > 0 && (ret = push(b, &r, line))) {
			free(r.value);
		}
	}
	free(buf);
	if (!ret && ferror(f))
		ret = -EIO;
	return ret;
}

static int edit(struct sf_change *c, void *arg)
{
	const struct batch *b = arg;

	for (size_t i = 0; i < b->n; i++) {
		int err = sf_change_rule(c, &b->v[i].rule, b->name, b->v[i].line);

		if (err && err != -EINVAL)
			return err;
	}
	return 0;
}

static int apply(const struct sf_ctx *ctx, const void *opts, int argc, char **argv)
{
	const struct apply_opts *o = opts;
	const char *path = argv[0];
	struct batch b = {.name = path};
	bool from_stdin;
	FILE *f;
	int err, code;

	(void)argc;
	if (!o->file)
		return sf_command_usage_error(&sf_cmd_apply);
	from_stdin = !strcmp(path, "-");
	f = from_stdin ? stdin : fopen(path, "re");
	if (!f) {
		sf_err("failed to open %s: %s", path, strerror(errno));
		return SF_EXIT_USAGE;
	}
	err = read_batch(f, &b);
	if (!from_stdin)
		fclose(f);
	if (err) {
		sf_err("failed to read %s: %s", path, strerror(-err));
		code = SF_EXIT_FAIL;
	} else if (b.n_bad) {
		sf_err("%zu bad %s in %s: nothing was changed", b.n_bad,
		       b.n_bad == 1 ? "line" : "lines", path);
		code = SF_EXIT_USAGE;
	} else {
		code = sf_change_run(ctx, "apply", o->runtime, edit, &b);
		if (code == SF_EXIT_USAGE)
			sf_err("%s: nothing was changed", path);
	}
	for (size_t i = 0; i < b.n; i++)
		free(b.v[i].rule.value);
	free(b.v);
	return code;
}

static const struct sf_option options[] = {
	{.name = "file",
	 .short_name = 'f',
	 .type = SF_OPT_FLAG,
	 .offset = SF_OPT_AT(struct apply_opts, file),
	 .help = "read the changes from FILE, one a line ('-': standard input)"},
	{.name = "runtime",
	 .type = SF_OPT_FLAG,
	 .offset = SF_OPT_AT(struct apply_opts, runtime),
	 .help = "live only: not persisted, gone at reboot"},
	{NULL},
};

const struct sf_command sf_cmd_apply = {
	.name = "apply",
	.args = "-f FILE|-",
	.min_args = 1,
	.max_args = 1,
	.summary = "make many changes at once, all or none",
	.json = true,
	.needs_root = true,
	.options = options,
	.opts_size = sizeof(struct apply_opts),
	.run = apply,
};
