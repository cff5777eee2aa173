/* SPDX-License-Identifier: GPL-2.0-only */
/* One command line read against the global options and the named
 * command's table: global options and the command's own may stand
 * anywhere, words keep their order. */
#ifndef SF_CLI_OPTIONS_H
#define SF_CLI_OPTIONS_H

#include "cli/command.h"

struct sf_invocation {
	struct sf_ctx ctx;
	bool verbose, help, version;
	const struct sf_command *cmd; /* NULL: the line names none */
	void *opts;		      /* cmd's options struct, filled */
	int argc;		      /* the words after the command name */
	char **argv;
	char **words; /* storage for every word */
};

/* The global options, for the help text. */
extern const struct sf_option sf_global_options[];

/* 0, or -EINVAL after one line naming the offending word (an unknown
 * option or command, an option the command does not take, a bad value),
 * or -ENOMEM. */
int sf_invocation_parse(struct sf_invocation *inv, int argc, char **argv);
void sf_invocation_free(struct sf_invocation *inv);

#endif /* SF_CLI_OPTIONS_H */
