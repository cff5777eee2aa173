/* SPDX-License-Identifier: GPL-2.0-only */
/* One-line diagnostics on stderr, and libbpf's output behind -v. */
#ifndef SF_LOG_H
#define SF_LOG_H

#include <stdbool.h>

extern bool sf_verbose;

void sf_log_init(bool verbose);
void sf_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sf_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sf_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* SF_LOG_H */
