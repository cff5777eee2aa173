/* SPDX-License-Identifier: GPL-2.0-only */
/* A subcommand, declared in one place: its name, arguments, options and
 * help. The parser (options.c), the help text (usage.c) and the refusal of
 * an option a command does not take all read this table, in the spirit of
 * xdp-tools' params. */
#ifndef SF_CLI_COMMAND_H
#define SF_CLI_COMMAND_H

#include "util/context.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum sf_opt_type {
	SF_OPT_FLAG,	/* bool, set when given */
	SF_OPT_STRING,	/* const char *, as typed */
	SF_OPT_UINT,	/* uint64_t within [min, max] */
	SF_OPT_SECONDS, /* double within [min, max] */
	SF_OPT_ENUM,	/* int: the index of the word among choices */
	SF_OPT_LIST,	/* repeatable: const char *[max] at offset, size_t count at count */
};

struct sf_option {
	const char *name; /* long name, without "--" */
	char short_name;  /* 0: long only */
	enum sf_opt_type type;
	const char *arg;  /* the value's name in the help (PATH, N); enum: from choices */
	const char *what; /* the value in an error: "invalid <what> 'x'" */
	const char *help;
	size_t offset; /* of the destination in the command's options struct */
	double min, max;
	const char *const *choices; /* enum: NULL-terminated words */
	size_t count;		    /* list: offset of the size_t count */
	int (*check)(const char *value, char *err, size_t len); /* string, list */
};

/* What run receives besides its options: the global context and the
 * words after the command name. */
struct sf_command {
	const char *name;
	const char *args;	/* synopsis of the words: "TARGET", "add|del PORT... | list" */
	int min_args, max_args; /* max_args -1: no limit */
	const char *summary;	/* one line */
	bool json;		/* prints a JSON document of its own under -j (every
				 * command takes -j: the others print {"ok":true}) */
	bool needs_root;
	const struct sf_option *options; /* ends with a {NULL} entry; NULL: none */
	size_t opts_size;		 /* sizeof its options struct */
	const void *defaults;		 /* its options before the command line, or NULL */
	int (*run)(const struct sf_ctx *ctx, const void *opts, int argc, char **argv);
};

/* The field of a command's options struct an option fills. */
#define SF_OPT_AT(type, field) offsetof(type, field)

/* Every command, in the order `help` lists them. */
extern const struct sf_command *const sf_commands[];
extern const size_t sf_n_commands;

const struct sf_command *sf_command_find(const char *name);

/* "unknown command 'x' (did you mean y?)", one line on stderr. */
void sf_command_report_unknown(const char *word);

/* "smtpfence NAME ARGS [OPTIONS]" into buf. */
void sf_command_synopsis(const struct sf_command *cmd, char *buf, size_t len);
/* The usage error: "usage: smtpfence ..." on stderr; returns SF_EXIT_USAGE. */
int sf_command_usage_error(const struct sf_command *cmd);
/* `smtpfence help CMD` and `smtpfence CMD --help`. */
void sf_command_print_help(const struct sf_command *cmd, FILE *f);
/* `smtpfence help` and `smtpfence --help`. */
void sf_commands_print_help(FILE *f);

#endif /* SF_CLI_COMMAND_H */
