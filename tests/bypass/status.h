/* SPDX-License-Identifier: GPL-2.0-only */
/* One number from `smtpfence status -j`, for the bypass tests' counters. */
#ifndef SFT_STATUS_H
#define SFT_STATUS_H

#include "harness.h"

#include <stdint.h>

/* Fails the test when status fails or has no such field. */
uint64_t sft_status_field(struct sft_env *e, const char *name);

#endif /* SFT_STATUS_H */
