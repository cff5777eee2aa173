/* SPDX-License-Identifier: GPL-2.0-only */
/* The environment of one check test: set up with a running daemon, torn
 * down by a checked fixture even when the test fails. */
#ifndef SFT_FIXTURE_H
#define SFT_FIXTURE_H

#include "harness.h"

extern struct sft_env env;

/* Sets up env with conf and starts the daemon (a failed start fails the test). */
void sft_start(const char *name, const char *conf);
/* For tcase_add_checked_fixture: stops and removes what sft_start made. */
void sft_teardown(void);
/* Runs the CLI on env and fails the test unless it exits 0. */
void sft_cli_ok(const char *args);
/* Marks env as set up without a daemon (sft_teardown removes it). */
void sft_mark_up(void);

#endif /* SFT_FIXTURE_H */
