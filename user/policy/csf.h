/* SPDX-License-Identifier: GPL-2.0-only */
/* CSF's outbound SMTP settings (SMTP_BLOCK and its companions in
 * csf.conf) as the equivalent smtpfence policy, and every setting that
 * bears on SMTP but cannot be carried over, with the reason. */
#ifndef SF_CSF_H
#define SF_CSF_H

#include "util/diag.h"

#include <stdio.h>

#define SF_CSF_DEFAULT_CONF "/etc/csf/csf.conf"

/* Reads path; on success writes the policy (an smtpfence.conf, with the
 * notes as comments) to out and each note as one "file:line: ..." line to
 * notes. 0; -EINVAL with file:line problems in d; -errno when unreadable. */
int sf_csf_import(const char *path, FILE *out, FILE *notes, struct sf_diag *d);

#endif /* SF_CSF_H */
